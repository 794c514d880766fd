"""The dashboard's charts on their own: equity curve, calendar heatmap, breakdowns, filter bar."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from journal_desktop.domain.statistics import BucketStats
from journal_desktop.storage.dashboard_data import AccountChoice
from journal_desktop.ui.charts.breakdown import BarRole, BreakdownTable
from journal_desktop.ui.charts.calendar_heatmap import MAX_MONTHS, CalendarHeatmap, DayPnl
from journal_desktop.ui.charts.colors import chart_colors, pnl_color
from journal_desktop.ui.charts.equity_curve import EquityCurveChart, money_ticks
from journal_desktop.ui.charts.stat_cards import Tone
from journal_desktop.ui.dashboard_filter import (
    DashboardFilterBar,
    RangePreset,
    local_zone,
    preset_range,
)
from journal_desktop.ui.formatting import local_time


def dark_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#1f2227"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#16181c"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e5e7eb"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e5e7eb"))
    return palette


def light_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f3f4f6"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#111827"))
    return palette


# -- equity curve ----------------------------------------------------------------------------


def test_the_equity_curve_holds_every_point_and_draws_100k_with_peak_downsampling(
    qtbot: QtBot,
) -> None:
    chart = EquityCurveChart()
    qtbot.addWidget(chart)
    chart.setPalette(light_palette())
    chart.resize(1000, 300)
    chart.show()
    chart.plot_widget  # noqa: B018 - build the plot (imports pyqtgraph) before timing the draw
    n = 100_000
    x = 1.7e9 + np.arange(n) * 600.0
    y = np.cumsum(np.random.default_rng(7).normal(5, 100, n))
    started = time.perf_counter()
    chart.set_curve(x, y)
    image = chart.grab().toImage()
    elapsed = time.perf_counter() - started
    print(f"set_curve + first render of {n:,} points: {elapsed * 1000:.0f} ms")
    assert chart.point_count == n
    got_x, got_y = chart.curve_data()
    assert np.array_equal(got_x, x) and np.array_equal(got_y, y)
    item = chart.plot_widget.getPlotItem()
    curve = item.listDataItems()[0]
    assert curve.opts["autoDownsample"] is True
    assert curve.opts["downsampleMethod"] == "peak"
    assert curve.opts["clipToView"] is True
    # The line was really painted: some pixels have the line's colour (blue in light mode).
    line = chart_colors(chart.palette()).line
    blue = sum(
        1
        for px in range(0, image.width(), 2)
        for py in range(0, image.height(), 2)
        if _close(image.pixelColor(px, py), line)
    )
    assert blue > 50


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return (
        abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tolerance
    )


def test_the_equity_curve_follows_the_theme(qtbot: QtBot) -> None:
    chart = EquityCurveChart()
    qtbot.addWidget(chart)
    chart.setPalette(light_palette())
    chart.set_curve(np.array([1.7e9, 1.8e9]), np.array([0.0, 1.0]))
    light = chart.plot_widget.backgroundBrush().color()
    chart.setPalette(dark_palette())
    dark = chart.plot_widget.backgroundBrush().color()
    assert light.lightness() > 200
    assert dark.lightness() < 60


def test_an_empty_curve_is_fine(qtbot: QtBot) -> None:
    chart = EquityCurveChart()
    qtbot.addWidget(chart)
    assert chart.point_count == 0
    assert len(chart.curve_data()[0]) == 0  # before the plot exists
    chart.set_curve(np.empty(0), np.empty(0))
    chart.grab()
    assert chart.point_count == 0


# -- calendar heatmap --------------------------------------------------------------------------


def make_heatmap(qtbot: QtBot, days: dict[date, DayPnl]) -> CalendarHeatmap:
    heatmap = CalendarHeatmap()
    qtbot.addWidget(heatmap)
    heatmap.setPalette(light_palette())
    heatmap.resize(900, 400)
    heatmap.set_days(days)
    heatmap.show()
    return heatmap


def test_the_heatmap_lays_months_out_monday_first(qtbot: QtBot) -> None:
    heatmap = make_heatmap(
        qtbot,
        {
            date(2024, 3, 1): DayPnl(Decimal("10"), 1),  # a Friday
            date(2024, 4, 1): DayPnl(Decimal("-5"), 1),  # a Monday
        },
    )
    assert heatmap.months() == [date(2024, 3, 1), date(2024, 4, 1)]
    friday = heatmap.cell_rect(date(2024, 3, 1))
    monday = heatmap.cell_rect(date(2024, 3, 4))
    assert friday is not None and monday is not None
    assert monday.left() < friday.left()  # Monday is the first column
    assert monday.top() > friday.top()  # ...of the next week
    assert heatmap.cell_rect(date(2024, 5, 1)) is None
    assert heatmap.day_at(friday.center()) == date(2024, 3, 1)
    heatmap.grab()  # paints without error


def test_heatmap_colours_get_stronger_with_the_amount_and_follow_the_sign(qtbot: QtBot) -> None:
    heatmap = make_heatmap(
        qtbot,
        {
            date(2024, 3, 4): DayPnl(Decimal("1000"), 3),
            date(2024, 3, 5): DayPnl(Decimal("10"), 1),
            date(2024, 3, 6): DayPnl(Decimal("-1000"), 2),
            date(2024, 3, 7): DayPnl(Decimal("0"), 2),
        },
    )
    colors = chart_colors(heatmap.palette())
    big, small = heatmap.cell_color(date(2024, 3, 4)), heatmap.cell_color(date(2024, 3, 5))
    loss, even = heatmap.cell_color(date(2024, 3, 6)), heatmap.cell_color(date(2024, 3, 7))
    assert big is not None and small is not None and loss is not None and even is not None
    assert big == colors.gain
    assert loss == colors.loss
    assert even == colors.empty
    assert colors.empty.green() > small.green() > big.green()  # light: stronger is darker
    assert small.green() > small.red()


def test_heatmap_dark_theme_changes_the_blank_cells(qtbot: QtBot) -> None:
    heatmap = make_heatmap(qtbot, {date(2024, 3, 4): DayPnl(Decimal("1"), 1)})
    light_blank = heatmap.cell_color(date(2024, 3, 5))
    heatmap.setPalette(dark_palette())
    dark_blank = heatmap.cell_color(date(2024, 3, 5))
    assert light_blank is not None and dark_blank is not None
    assert light_blank.lightness() > 200 > 80 > dark_blank.lightness()


def test_heatmap_keyboard_navigation_and_enter(qtbot: QtBot) -> None:
    heatmap = make_heatmap(
        qtbot,
        {date(2024, 3, 4): DayPnl(Decimal("1"), 1), date(2024, 3, 20): DayPnl(Decimal("2"), 1)},
    )
    assert heatmap.accessibleName() == "Daily P&L calendar"
    heatmap.set_current_day(date(2024, 3, 4))
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    assert heatmap.current_day == date(2024, 3, 5)
    qtbot.keyClick(heatmap, Qt.Key.Key_Down)
    assert heatmap.current_day == date(2024, 3, 12)
    qtbot.keyClick(heatmap, Qt.Key.Key_Up)
    qtbot.keyClick(heatmap, Qt.Key.Key_Left)
    assert heatmap.current_day == date(2024, 3, 4)
    assert "+1.00" in heatmap.accessibleDescription()
    with qtbot.waitSignal(heatmap.day_selected, timeout=2_000) as signal:
        qtbot.keyClick(heatmap, Qt.Key.Key_Return)
    assert signal.args == [date(2024, 3, 4)]
    qtbot.keyClick(heatmap, Qt.Key.Key_End)
    assert heatmap.current_day == date(2024, 3, 31)
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)  # past the last month: stays
    assert heatmap.current_day == date(2024, 3, 31)


def test_heatmap_tooltip_and_a_long_range_is_cut_to_the_latest_months(qtbot: QtBot) -> None:
    heatmap = make_heatmap(qtbot, {date(2024, 3, 4): DayPnl(Decimal("-12.5"), 2)})
    assert heatmap.tooltip_text(date(2024, 3, 4)) == "Mon 04 Mar 2024\nNet P&L -12.50\n2 trades"
    assert heatmap.tooltip_text(date(2024, 3, 5)).endswith("No closed trades")
    heatmap.set_days({date(2024, 3, 4): DayPnl(Decimal(1), 1)}, date(2020, 1, 1), date(2024, 3, 31))
    assert heatmap.truncated
    assert len(heatmap.months()) == MAX_MONTHS
    assert heatmap.months()[-1] == date(2024, 3, 1)
    assert heatmap.heightForWidth(900) > heatmap.heightForWidth(2000)


def test_pnl_color_of_zero_and_of_no_scale_is_blank() -> None:
    colors = chart_colors(light_palette())
    assert pnl_color(colors, 0.0, 10.0) == colors.empty
    assert pnl_color(colors, 5.0, 0.0) == colors.empty


# -- breakdowns and cards ----------------------------------------------------------------------


def bucket(count: int, wins: int, losses: int, net: str) -> BucketStats:
    value = Decimal(net)
    return BucketStats(
        count=count,
        wins=wins,
        losses=losses,
        net_pnl=value,
        gross_pnl=value,
        sum_wins=max(value, Decimal(0)) if losses == 0 else Decimal(100),
        sum_losses=Decimal(0) if losses == 0 else Decimal(100) - value,
    )


def test_breakdown_rows_sort_by_value_and_show_unbounded_profit_factor(qtbot: QtBot) -> None:
    table = BreakdownTable("Symbol")
    qtbot.addWidget(table)
    table.set_rows(
        [
            ("AAPL", bucket(2, 1, 1, "-50")),
            ("ES", bucket(4, 4, 0, "1200.5")),
            ("NQ", bucket(1, 1, 0, "30")),
        ]
    )
    assert [r[0] for r in table.shown_rows()] == ["AAPL", "ES", "NQ"]
    # 1200.50 / 4 = 300.125, shown to the cent half-even as 300.12
    assert table.shown_rows()[1] == ["ES", "4", "100.0%", "+1,200.50", "+300.12", "∞"]
    table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert [r[0] for r in table.shown_rows()] == ["ES", "NQ", "AAPL"]
    model = table.breakdown
    assert model.index(0, 3).data(BarRole) == (-50.0, 1200.5)
    table.show()
    table.grab()  # the bar delegate paints


def test_tone_of_signed_values() -> None:
    assert Tone.of(Decimal("1")) is Tone.GAIN
    assert Tone.of(Decimal("-0.01")) is Tone.LOSS
    assert Tone.of(Decimal(0)) is Tone.NEUTRAL
    assert Tone.of(None) is Tone.NEUTRAL


# -- filter bar --------------------------------------------------------------------------------


def test_presets_cover_the_right_days() -> None:
    today = date(2024, 4, 20)
    assert preset_range(RangePreset.ALL, today) == (None, None)
    assert preset_range(RangePreset.THIS_MONTH, today) == (date(2024, 4, 1), today)
    assert preset_range(RangePreset.LAST_30_DAYS, today) == (date(2024, 3, 22), today)
    assert preset_range(RangePreset.YEAR_TO_DATE, today) == (date(2024, 1, 1), today)


def test_the_filter_bar_builds_the_trade_filter(qtbot: QtBot) -> None:
    bar = DashboardFilterBar(UTC, lambda: date(2024, 4, 20))
    qtbot.addWidget(bar)
    bar.show()
    assert not bar.from_edit.isVisible()
    main, swing = AccountChoice(uuid.uuid4(), "Main"), AccountChoice(uuid.uuid4(), "Swing")
    bar.set_accounts([main, swing])
    with qtbot.waitSignal(bar.changed, timeout=1_000):
        bar.set_account(swing.account_id)
    with qtbot.waitSignal(bar.changed, timeout=1_000):
        bar.set_custom_range(date(2024, 2, 10), date(2024, 2, 1))  # given backwards
    assert bar.from_edit.isVisible()
    flt = bar.trade_filter()
    assert (flt.date_from, flt.date_to) == (date(2024, 2, 1), date(2024, 2, 10))
    assert flt.account_ids == frozenset({swing.account_id})
    assert flt.tz is UTC
    # Typing in a date edit reloads once, after a pause.
    emitted: list[None] = []
    bar.changed.connect(lambda: emitted.append(None))
    with qtbot.waitSignal(bar.changed, timeout=2_000):
        bar.to_edit.setDate(bar.to_edit.date().addDays(1))
        bar.to_edit.setDate(bar.to_edit.date().addDays(1))
    assert len(emitted) == 1
    flt = bar.trade_filter()
    assert (flt.date_from, flt.date_to) == (date(2024, 2, 3), date(2024, 2, 10))
    # The selected account disappearing falls back to all accounts, and says so.
    with qtbot.waitSignal(bar.changed, timeout=1_000):
        bar.set_accounts([main])
    assert bar.account_id() is None
    assert bar.trade_filter().account_ids is None


def test_the_equity_axis_reads_amounts_with_separators_not_exponents() -> None:
    assert money_ticks([-1_500_000.0, 0.0, 250_000.0], 250_000.0) == [
        "-1,500,000",
        "0",
        "250,000",
    ]
    assert money_ticks([0.25, 0.5], 0.25) == ["0.25", "0.50"]


def test_hovering_the_curve_names_the_nearest_trade(qtbot: QtBot) -> None:
    chart = EquityCurveChart()
    qtbot.addWidget(chart)
    assert chart.hover_text(1.7e9) == ""
    first = datetime(2024, 3, 4, 15, tzinfo=UTC)
    x = np.array([first.timestamp(), first.timestamp() + 3600, first.timestamp() + 7200])
    chart.set_curve(x, np.array([100.25, -50.5, 1234.0]))
    text = chart.hover_text(first.timestamp() + 3000)  # nearer the second close
    assert text.splitlines()[1:] == ["Equity -50.50", "Trade 2"]
    assert text.splitlines()[0] == local_time(first + timedelta(hours=1))
    assert chart.hover_text(0.0).endswith("Trade 1")
    assert chart.hover_text(2e9).endswith("Trade 3")


def test_the_local_zone_agrees_with_the_system_clock() -> None:
    now = datetime.now(UTC)
    assert now.astimezone(local_zone()).utcoffset() == now.astimezone().utcoffset()
