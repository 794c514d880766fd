"""The dashboard over a real vault: hand-checked figures, the filter, reloads, empty state."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from journal_desktop.domain.records import (
    Account,
    AssetClass,
    Instrument,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.importers import parse_file
from journal_desktop.storage.importing import import_parsed
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui import dashboard_screen
from journal_desktop.ui.dashboard_filter import RangePreset
from journal_desktop.ui.dashboard_screen import EMPTY_TEXT, NO_MATCH_TEXT, DashboardScreen
from journal_desktop.ui.screen import OPENING_TEXT
from journal_desktop.ui.tasks import ChangeSet, VaultTasks
from tests.ui.conftest import run_sync, wait_idle

TODAY = date(2024, 4, 20)


@dataclass(frozen=True)
class Seeded:
    main: uuid.UUID
    swing: uuid.UUID
    es: uuid.UUID
    aapl: uuid.UUID
    trades: list[uuid.UUID]


def _trade(
    account: uuid.UUID,
    instrument: uuid.UUID,
    closed_at: datetime,
    gross: str,
    fees: str,
    *,
    direction: TradeDirection = TradeDirection.LONG,
    risk: str | None = None,
    status: TradeStatus = TradeStatus.CLOSED,
) -> Trade:
    closed = status is TradeStatus.CLOSED
    return Trade(
        account_id=account,
        instrument_id=instrument,
        direction=direction,
        status=status,
        quantity=Decimal(1),
        entry_price=Decimal(100),
        exit_price=Decimal(101) if closed else None,
        opened_at=closed_at - timedelta(minutes=20),
        closed_at=closed_at if closed else None,
        gross_pnl=Decimal(gross),
        fees=Decimal(fees),
        net_pnl=Decimal(gross) - Decimal(fees),
        initial_risk=None if risk is None else Decimal(risk),
    )


def seed(vault: Vault) -> Seeded:
    """Five closed trades (and one open one) in two accounts; figures checked by hand below.

    In close order the nets are 445.80, -120.35, 200.10, -300.00, 50.25: equity 445.80,
    325.45, 525.55, 225.55, 275.80, so the worst fall is 300.00 from the 525.55 peak.
    """
    with vault.transaction():
        main = vault.accounts.add(Account(name="Main"))
        swing = vault.accounts.add(Account(name="Swing"))
        es = vault.instruments.add(Instrument(symbol="ES", asset_class=AssetClass.FUTURE))
        aapl = vault.instruments.add(Instrument(symbol="AAPL", asset_class=AssetClass.STOCK))
        day = datetime(2024, 3, 4, tzinfo=UTC)
        trades = vault.trades.add_many(
            [
                _trade(main.id, es.id, day.replace(hour=14, minute=50), "450", "4.20"),
                _trade(
                    main.id,
                    es.id,
                    day.replace(hour=16),
                    "-115",
                    "5.35",
                    direction=TradeDirection.SHORT,
                ),
                _trade(main.id, aapl.id, day.replace(day=5, hour=15), "202", "1.90", risk="50"),
                _trade(
                    swing.id,
                    aapl.id,
                    day.replace(month=4, day=10, hour=15),
                    "-298",
                    "2",
                    risk="150",
                ),
                _trade(swing.id, es.id, day.replace(month=4, day=11, hour=15), "55", "4.75"),
                _trade(
                    main.id,
                    es.id,
                    day.replace(month=4, day=12, hour=15),
                    "0",
                    "0",
                    status=TradeStatus.OPEN,
                ),
            ]
        )
    return Seeded(main.id, swing.id, es.id, aapl.id, [t.id for t in trades])


def make_screen(qtbot: QtBot, tasks: VaultTasks) -> DashboardScreen:
    screen = DashboardScreen(tasks, tz=UTC, today=lambda: TODAY)
    qtbot.addWidget(screen)
    screen.resize(1300, 1000)
    with qtbot.waitSignal(screen.reloaded, timeout=20_000):
        screen.show()
    return screen


def reload_and_wait(qtbot: QtBot, screen: DashboardScreen, action: Any) -> None:
    with qtbot.waitSignal(screen.reloaded, timeout=20_000):
        action()
    wait_idle(qtbot, screen.tasks)


@pytest.fixture
def seeded(qtbot: QtBot, tasks: VaultTasks) -> Seeded:
    result: Seeded = run_sync(qtbot, tasks, seed)
    return result


def test_cards_show_the_hand_checked_figures(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    values = screen.card_values()
    assert values["net_pnl"] == "+275.80"
    assert values["gross_pnl"] == "+294.00"
    assert values["fees"] == "18.20"
    assert values["trades"] == "5"  # the open trade does not count
    assert values["win_rate"] == "60.0%"
    # 696.15 / 420.35 = 1.6561...
    assert values["profit_factor"] == "1.66"
    assert values["expectancy"] == "+55.16"
    # R: 200.10 / 50 = 4.002 and -300.00 / 150 = -2, mean 1.001
    assert values["average_r"] == "1.00R"
    assert values["max_drawdown"] == "-300.00"
    # 300.00 / 525.55 = 57.08...%
    assert screen.cards.card("max_drawdown").detail == "57.1% of the peak"
    assert screen.cards.card("win_rate").detail == "3 won · 2 lost · 0 even"
    assert screen.status.text() == "5 closed trades"
    assert screen.pages.currentIndex() == 0
    # The curve gets one point per closed trade, in close order, at each close time.
    times, equity = screen.equity_curve.curve_data()
    assert screen.equity_curve.point_count == 5
    assert list(equity) == pytest.approx([445.80, 325.45, 525.55, 225.55, 275.80])
    assert times[0] == datetime(2024, 3, 4, 14, 50, tzinfo=UTC).timestamp()
    assert times[-1] == datetime(2024, 4, 11, 15, tzinfo=UTC).timestamp()


def test_breakdowns_and_largest_trades(qtbot: QtBot, tasks: VaultTasks, seeded: Seeded) -> None:
    screen = make_screen(qtbot, tasks)
    by_symbol = {row[0]: row for row in screen.breakdown_rows("symbol")}
    assert by_symbol["AAPL"][1:4] == ["2", "50.0%", "-99.90"]
    assert by_symbol["ES"][1:4] == ["3", "66.7%", "+375.70"]
    assert [r[0] for r in screen.breakdown_rows("side")] == ["Long", "Short"]
    assert [r[0] for r in screen.breakdown_rows("weekday")] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
    ]
    # By the open hour (20 minutes before each close): 14:30, 15:40, 14:40, 14:40, 14:40.
    assert [r[:2] for r in screen.breakdown_rows("hour")] == [["14:00", "4"], ["15:00", "1"]]
    wins = screen.largest_list_rows(wins=True)
    assert [row[2] for row in wins] == ["+445.80", "+200.10", "+50.25"]
    losses = screen.largest_list_rows(wins=False)
    assert [row[2] for row in losses] == ["-300.00", "-120.35"]
    assert screen.cards.card("largest").value == "+445.80"


def test_double_clicking_a_largest_win_opens_that_trade(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    tree = screen.largest_wins
    item = tree.topLevelItem(0)
    assert item is not None
    rect = tree.visualItemRect(item)
    # A real double-click is a press, a release, then the double-click event.
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(screen.open_trade, timeout=5_000) as signal:
        qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [seeded.trades[0]]
    # Enter on the selected loss opens it too.
    losses = screen.largest_losses
    losses.setFocus()
    losses.setCurrentItem(losses.topLevelItem(0))
    with qtbot.waitSignal(screen.open_trade, timeout=5_000) as signal:
        qtbot.keyClick(losses, Qt.Key.Key_Return)
    assert signal.args == [seeded.trades[3]]


def test_the_account_filter_changes_every_figure(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    combo = screen.filter_bar.account_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["All accounts", "Main", "Swing"]
    reload_and_wait(qtbot, screen, lambda: screen.filter_bar.set_account(seeded.main))
    values = screen.card_values()
    assert values["net_pnl"] == "+525.55"
    assert values["trades"] == "3"
    assert values["win_rate"] == "66.7%"
    assert screen.equity_curve.point_count == 3
    assert set(screen.heatmap.days()) == {date(2024, 3, 4), date(2024, 3, 5)}
    assert [r[0] for r in screen.breakdown_rows("symbol")] == ["AAPL", "ES"]
    assert screen.data is not None
    assert screen.data.filter.account_ids == frozenset({seeded.main})


def test_the_date_range_changes_every_figure(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    reload_and_wait(
        qtbot,
        screen,
        lambda: screen.filter_bar.set_custom_range(date(2024, 4, 1), date(2024, 4, 30)),
    )
    values = screen.card_values()
    assert values["net_pnl"] == "-249.75"
    assert values["trades"] == "2"
    assert screen.equity_curve.point_count == 2
    assert screen.heatmap.months() == [date(2024, 4, 1)]
    assert not screen.heatmap_note.isVisible()
    # Over four years the calendar shows the latest 24 months, and says so.
    reload_and_wait(
        qtbot,
        screen,
        lambda: screen.filter_bar.set_custom_range(date(2020, 1, 1), date(2024, 4, 30)),
    )
    assert screen.heatmap.months()[0] == date(2022, 5, 1)
    assert screen.heatmap_note.isVisible()
    assert screen.card_values()["net_pnl"] == "+275.80"
    # "This month" on 2024-04-20 is 1-20 April: the same two trades.
    reload_and_wait(qtbot, screen, lambda: screen.filter_bar.set_preset(RangePreset.THIS_MONTH))
    assert screen.card_values()["net_pnl"] == "-249.75"
    # Year to date covers everything; the last 30 days (22 March - 20 April) only April.
    reload_and_wait(qtbot, screen, lambda: screen.filter_bar.set_preset(RangePreset.YEAR_TO_DATE))
    assert screen.card_values()["net_pnl"] == "+275.80"
    reload_and_wait(qtbot, screen, lambda: screen.filter_bar.set_preset(RangePreset.LAST_30_DAYS))
    assert screen.card_values()["trades"] == "2"


def test_a_range_without_trades_shows_zeroes_not_the_empty_vault_message(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    reload_and_wait(
        qtbot,
        screen,
        lambda: screen.filter_bar.set_custom_range(date(2023, 1, 1), date(2023, 1, 31)),
    )
    assert screen.pages.currentIndex() == 0
    assert screen.status.text() == NO_MATCH_TEXT
    values = screen.card_values()
    assert values["net_pnl"] == "0.00"
    assert values["win_rate"] == "—"
    assert values["profit_factor"] == "—"
    assert screen.equity_curve.point_count == 0


def test_the_heatmap_has_one_cell_per_trading_day_coloured_by_sign(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    heatmap = screen.heatmap
    days = heatmap.days()
    assert {d: (p.net, p.trades) for d, p in days.items()} == {
        date(2024, 3, 4): (Decimal("325.45"), 2),
        date(2024, 3, 5): (Decimal("200.10"), 1),
        date(2024, 4, 10): (Decimal("-300.00"), 1),
        date(2024, 4, 11): (Decimal("50.25"), 1),
    }
    assert heatmap.months() == [date(2024, 3, 1), date(2024, 4, 1)]
    gain = heatmap.cell_color(date(2024, 3, 4))
    loss = heatmap.cell_color(date(2024, 4, 10))
    blank = heatmap.cell_color(date(2024, 3, 6))
    assert gain is not None and loss is not None and blank is not None
    assert gain.green() > gain.red()
    assert loss.red() > loss.green()
    assert blank.red() == blank.green() or abs(blank.red() - blank.green()) < 10
    # The largest day is the most intense: further from blank than a small gain.
    small = heatmap.cell_color(date(2024, 4, 11))
    assert small is not None
    assert abs(gain.green() - blank.green()) > abs(small.green() - blank.green())
    assert "-300.00" in heatmap.tooltip_text(date(2024, 4, 10))
    assert "1 trade" in heatmap.tooltip_text(date(2024, 4, 10))
    rect = heatmap.cell_rect(date(2024, 3, 5))
    assert rect is not None
    with qtbot.waitSignal(screen.day_selected, timeout=5_000) as signal:
        qtbot.mouseClick(heatmap, Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [date(2024, 3, 5)]


def test_a_change_set_reloads_the_visible_dashboard(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    before = screen.reload_count
    added = _trade(seeded.swing, seeded.es, datetime(2024, 4, 15, 15, tzinfo=UTC), "1000", "0.01")
    with qtbot.waitSignal(screen.reloaded, timeout=20_000):
        tasks.run(lambda v: v.trades.add(added), changes=ChangeSet(trades=True))
    assert screen.reload_count == before + 1
    assert screen.card_values()["net_pnl"] == "+1,275.79"
    assert screen.equity_curve.point_count == 6
    # A change set the dashboard does not depend on leaves it alone.
    with qtbot.assertNotEmitted(screen.reloaded, wait=300):
        tasks.run(lambda v: v.settings.set("ui.theme", "dark"), changes=ChangeSet(settings=True))
        wait_idle(qtbot, tasks)


def test_a_hidden_dashboard_reloads_when_shown_again(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    screen.hide()
    run_sync(qtbot, tasks, lambda v: v.trades.delete(seeded.trades[0]))
    tasks.changes_applied.emit(ChangeSet(trades=True))
    assert screen.card_values()["net_pnl"] == "+275.80"  # hidden: not reloaded yet
    with qtbot.waitSignal(screen.reloaded, timeout=20_000):
        screen.show()
    assert screen.card_values()["net_pnl"] == "-170.00"


def test_a_newer_reload_discards_the_pending_one(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    screen = make_screen(qtbot, tasks)
    before = screen.reload_count
    screen.filter_bar.set_account(seeded.swing)  # a reload, then at once another:
    screen.filter_bar.set_preset(RangePreset.THIS_MONTH)
    wait_idle(qtbot, tasks)
    assert screen.reload_count == before + 1
    assert screen.card_values()["net_pnl"] == "-249.75"
    assert not screen.loading


def test_an_empty_vault_shows_the_friendly_empty_state(qtbot: QtBot, tasks: VaultTasks) -> None:
    screen = make_screen(qtbot, tasks)
    assert screen.pages.currentWidget() is screen.empty_state
    assert screen.empty_state.text() == EMPTY_TEXT
    assert screen.empty_state.isVisible()
    assert not screen.filter_bar.isVisible()
    assert screen.card_values()["net_pnl"] == "0.00"
    assert screen.equity_curve.point_count == 0
    assert screen.heatmap.months() == []


def test_the_curve_follows_the_statistics_order_when_trades_close_together(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded
) -> None:
    """Ties in close time are ordered by open time, as the statistics order them."""
    close = datetime(2024, 4, 12, 15, tzinfo=UTC)
    late = _trade(seeded.main, seeded.es, close, "-40", "0")
    early = dataclasses.replace(
        _trade(seeded.main, seeded.es, close, "90", "0"), opened_at=close - timedelta(hours=3)
    )
    run_sync(qtbot, tasks, lambda v: v.trades.add_many([late, early]))
    screen = make_screen(qtbot, tasks)
    data = screen.data
    assert data is not None
    expected = [float(point.equity) for point in data.statistics.equity_curve]
    assert list(data.curve_equity) == pytest.approx(expected)
    assert list(data.curve_equity[-2:]) == pytest.approx([365.80, 325.80])
    assert not data.curve_equity.flags.writeable


def test_a_change_set_after_the_first_import_replaces_the_empty_state(
    qtbot: QtBot, tasks: VaultTasks
) -> None:
    screen = make_screen(qtbot, tasks)
    assert screen.pages.currentWidget() is screen.empty_state
    with qtbot.waitSignal(screen.reloaded, timeout=20_000):
        tasks.run(seed, changes=ChangeSet(trades=True, accounts=True))
    assert screen.pages.currentIndex() == 0
    assert screen.filter_bar.isVisible()
    assert screen.card_values()["net_pnl"] == "+275.80"


def test_the_dashboard_module_does_not_import_pyqtgraph_at_start_up() -> None:
    """pyqtgraph costs about a second to import; the chart imports it in the background."""
    code = "import sys, journal_desktop.ui.dashboard_screen; print('pyqtgraph' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["False"]


def test_reloads_queued_behind_busy_work_skip_their_read_once_superseded(
    qtbot: QtBot, tasks: VaultTasks, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = make_screen(qtbot, tasks)
    reads: list[object] = []
    real = dashboard_screen.load_dashboard

    def counting(vault: Vault, flt: Any) -> Any:
        reads.append(flt)
        return real(vault, flt)

    monkeypatch.setattr(dashboard_screen, "load_dashboard", counting)
    release = threading.Event()
    tasks.run(lambda _v: release.wait(10))  # the worker is busy: reloads queue behind it
    screen.filter_bar.set_account(seeded.swing)
    screen.filter_bar.set_preset(RangePreset.YEAR_TO_DATE)
    screen.filter_bar.set_account(seeded.main)
    release.set()
    wait_idle(qtbot, tasks)
    assert len(reads) == 1
    assert screen.card_values()["net_pnl"] == "+525.55"


GENERIC_CSV = b"""Date,Time,Symbol,Quantity,Price,Side,Commission
2024-03-04,09:30:00,AAPL,100,170.00,Buy,1.00
2024-03-04,10:15:00,AAPL,100,171.25,Sell,1.00
2024-03-05,09:45:00,MSFT,50,400.00,Short,0.50
2024-03-05,11:00:00,MSFT,50,402.10,Cover,0.50
"""


def test_an_imported_file_shows_on_the_dashboard(qtbot: QtBot, tasks: VaultTasks) -> None:
    """A long AAPL round trip (+125.00 gross, 2.00 commission) and a short MSFT one (-105.00
    gross, 1.00 commission), imported through the same path as the import screen."""
    screen = make_screen(qtbot, tasks)
    assert screen.pages.currentWidget() is screen.empty_state
    parsed = parse_file(GENERIC_CSV, "fills.csv", format_name="generic", timezone="UTC")

    def store(vault: Vault) -> object:
        return import_parsed(vault, parsed, GENERIC_CSV, "fills.csv", timezone="UTC")

    with qtbot.waitSignal(screen.reloaded, timeout=20_000):
        tasks.run(store, changes=ChangeSet(trades=True, executions=True, imports=True))
    values = screen.card_values()
    assert values["net_pnl"] == "+17.00"
    assert values["gross_pnl"] == "+20.00"
    assert values["fees"] == "3.00"
    assert values["win_rate"] == "50.0%"
    assert [r[:4] for r in screen.breakdown_rows("side")] == [
        ["Long", "1", "100.0%", "+123.00"],
        ["Short", "1", "0.0%", "-106.00"],
    ]


def test_until_the_journal_is_open_the_dashboard_says_so(
    qtbot: QtBot, ui_paths: VaultPaths, ui_key_env: KeyEnvironment
) -> None:
    """At start-up the window shows the dashboard while the vault still opens behind it:
    "Opening your journal…", not cards of zeros, until the first figures arrive."""
    runner = VaultTasks()  # nothing open yet
    try:
        screen = DashboardScreen(runner, tz=UTC, today=lambda: TODAY)
        qtbot.addWidget(screen)
        screen.show()
        qtbot.waitExposed(screen)
        assert screen.pages.currentWidget() is screen.loading_state
        assert screen.loading_state.text() == OPENING_TEXT
        assert screen.loading_state.isVisible()
        assert screen.reload_count == 0 and not screen.loading

        runner.open(lambda: Vault.init(ui_paths, ui_key_env, KeyStorage.PASSPHRASE))
        wait_idle(qtbot, runner)
        with qtbot.waitSignal(screen.reloaded, timeout=20_000):
            screen.mark_stale()  # what the window does once the vault is open
        assert screen.pages.currentWidget() is screen.empty_state
        assert not screen.loading_state.isVisible()
    finally:
        runner.shutdown()
