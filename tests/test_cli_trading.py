"""Importing, listing and undoing through the real command line, on the real SQLCipher vault."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.storage.conftest import snapshot_files
from tests.test_cli import SHARED_SAMPLES, assert_clean_failure, run

HEADER = "Date,Time,Symbol,Quantity,Price,Side,Commission\n"
HAND_WORKED = (
    HEADER
    + "03/02/2026,09:31:00,AAPL,100,10,Buy,1\n"
    + "03/02/2026,09:32:00,AAPL,100,12,Buy,1\n"
    + "03/02/2026,09:40:00,AAPL,100,15,Sell,1\n"
)


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "vault"
    created = run(data_dir, "init", "--key-storage", "passphrase")
    assert created.returncode == 0, created.stderr
    return data_dir


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def trades(vault_dir: Path) -> list[dict[str, object]]:
    listed = run(vault_dir, "trades", "--json")
    assert listed.returncode == 0, listed.stderr
    result: list[dict[str, object]] = json.loads(listed.stdout)
    return result


def test_hand_worked_fifo_then_flat(vault_dir: Path, tmp_path: Path) -> None:
    first = run(vault_dir, "import", str(write(tmp_path, "a.csv", HAND_WORKED)))
    assert first.returncode == 0, first.stderr
    (open_trade,) = trades(vault_dir)
    assert open_trade["status"] == "open"
    assert open_trade["gross_pnl"] == "500"  # FIFO: the 100 bought at 10 were sold at 15

    overlapping = HAND_WORKED + "03/02/2026,09:45:00,AAPL,100,15,Sell,1\n"
    second = run(vault_dir, "import", str(write(tmp_path, "b.csv", overlapping)))
    assert second.returncode == 0, second.stderr
    assert "Imported 1 of 4 executions" in second.stdout
    (closed,) = trades(vault_dir)
    assert closed["status"] == "closed"
    assert closed["side"] == "long"
    assert closed["quantity"] == "200"
    assert closed["entry_price"] == "11"
    assert closed["exit_price"] == "15"
    assert closed["gross_pnl"] == "800"
    assert closed["fees"] == "4"
    assert closed["net_pnl"] == "796"
    assert closed["open_time"] == "2026-03-02T14:31:00.000000Z"  # New York time, stored UTC
    assert isinstance(closed["net_pnl"], str)


def test_reimport_adds_nothing_and_undo_removes_one_batch(vault_dir: Path, tmp_path: Path) -> None:
    source = write(tmp_path, "a.csv", HAND_WORKED)
    assert run(vault_dir, "import", str(source)).returncode == 0
    again = run(vault_dir, "import", str(source))
    assert again.returncode == 0, again.stderr
    assert "Imported 0 of 3 executions" in again.stdout

    listed = run(vault_dir, "imports", "--json")
    (batch,) = json.loads(listed.stdout)
    assert batch["executions"] == 3 and batch["filename"] == "a.csv"
    undone = run(vault_dir, "undo-import", batch["id"])
    assert undone.returncode == 0, undone.stderr
    assert trades(vault_dir) == []
    assert json.loads(run(vault_dir, "imports", "--json").stdout) == []
    audit = run(vault_dir, "audit", "verify")
    assert audit.returncode == 0, audit.stderr


def test_identical_fills_in_one_file_are_both_kept(vault_dir: Path, tmp_path: Path) -> None:
    twice = HEADER + "03/02/2026,09:31:00,AAPL,100,10,Buy,1\n" * 2
    result = run(vault_dir, "import", str(write(tmp_path, "twice.csv", twice)))
    assert result.returncode == 0, result.stderr
    (trade,) = trades(vault_dir)
    assert trade["quantity"] == "200"
    again = run(vault_dir, "import", str(write(tmp_path, "twice-again.csv", twice)))
    assert "Imported 0 of 2" in again.stdout


def test_a_bad_line_imports_nothing(vault_dir: Path, tmp_path: Path) -> None:
    bad = HAND_WORKED + "03/02/2026,09:50:00,AAPL,100,abc,Sell,1\n"
    before = snapshot_files(vault_dir)
    result = run(vault_dir, "import", str(write(tmp_path, "bad.csv", bad)))
    assert_clean_failure(result, "Nothing was imported", "bad.csv, line 5", "'Price'")
    assert snapshot_files(vault_dir) == before


def test_dry_run_stores_nothing(vault_dir: Path, tmp_path: Path) -> None:
    before = snapshot_files(vault_dir)
    result = run(vault_dir, "import", str(write(tmp_path, "a.csv", HAND_WORKED)), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Would import 3 of 3" in result.stdout
    assert snapshot_files(vault_dir) == before


def test_ibkr_sample_imports_with_exact_fees(vault_dir: Path) -> None:
    result = run(vault_dir, "import", str(SHARED_SAMPLES / "ibkr" / "flex-trades.xml"))
    assert result.returncode == 0, result.stderr
    by_symbol = {t["symbol"]: t for t in trades(vault_dir)}
    gold = by_symbol["GOLD"]
    assert gold["status"] == "open"  # 691 bought, 100 sold: 591 still held
    assert Decimal(str(gold["fees"])) == Decimal("3.455") + Decimal("1.1108314")
    assert gold["gross_pnl"] == "109"  # 100 * (44.19 - 43.1), realised by the partial sale


def test_tradovate_sample_matches_the_brokers_pnl(vault_dir: Path) -> None:
    result = run(
        vault_dir, "import", str(SHARED_SAMPLES / "tradovate" / "performance-paired-trades.csv")
    )
    assert result.returncode == 0, result.stderr
    total = sum(Decimal(str(t["net_pnl"])) for t in trades(vault_dir))
    assert total == Decimal("-218.00")  # the sum of the file's P/L column


def test_saved_column_mapping_imports_any_csv(vault_dir: Path, tmp_path: Path) -> None:
    mapping = {
        "version": 1,
        "name": "my-broker",
        "date": "Trade Time",
        "symbol": "Ticker",
        "quantity": "Shares",
        "price": "Fill",
        "side": "B/S",
        "date_formats": ["%Y-%m-%d %H:%M:%S"],
        "side_words": {"B": "buy", "S": "sell"},
        "commission": "Comm",
    }
    saved = run(vault_dir, "mapping", "save", str(write(tmp_path, "m.json", json.dumps(mapping))))
    assert saved.returncode == 0, saved.stderr
    assert "my-broker" in run(vault_dir, "mapping", "list").stdout

    csv_text = (
        "Trade Time,Ticker,Shares,Fill,B/S,Comm\n"
        "2026-03-02 14:31:00,MSFT,10,400.10,B,0.50\n"
        "2026-03-02 15:31:00,MSFT,10,401.35,S,0.50\n"
    )
    source = write(tmp_path, "other.csv", csv_text)
    imported = run(vault_dir, "import", str(source), "--mapping", "my-broker", "--timezone", "UTC")
    assert imported.returncode == 0, imported.stderr
    (trade,) = trades(vault_dir)
    assert trade["net_pnl"] == "11.5"
    assert trade["open_time"] == "2026-03-02T14:31:00.000000Z"

    unknown = run(vault_dir, "import", str(source), "--mapping", "nope")
    assert_clean_failure(unknown, "no saved column mapping named 'nope'")


STATS_FILE = (
    HEADER
    + "03/02/2026,09:31:00,AAPL,100,10,Buy,1\n"  # AAPL +500 gross, 2 fees: net 498
    + "03/02/2026,09:40:00,AAPL,100,15,Sell,1\n"
    + "03/03/2026,10:00:00,MSFT,10,400,Buy,0.5\n"  # MSFT -100 gross, 1 fee: net -101
    + "03/03/2026,10:30:00,MSFT,10,390,Sell,0.5\n"
    + "03/04/2026,11:00:00,TSLA,5,200,Short,1\n"  # TSLA short +50 gross, 2 fees: net 48
    + "03/04/2026,11:30:00,TSLA,5,190,Cover,1\n"
)


def test_stats_json_and_filters(vault_dir: Path, tmp_path: Path) -> None:
    assert run(vault_dir, "import", str(write(tmp_path, "s.csv", STATS_FILE))).returncode == 0
    result = run(vault_dir, "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["trade_count"] == 3
    assert stats["net_pnl"] == "445"
    assert stats["gross_pnl"] == "450"
    assert stats["fees"] == "5"
    # Ratios carry the statistics' 28 significant digits, as Decimal's own division gives them:
    # win rate 2/3, profit factor (498 + 48) / 101, Kelly over the decided trades
    # 2/3 x (1 - 101/546) = 445/819, payoff 273/101.
    assert Decimal(stats["win_rate"]) == Decimal(2) / Decimal(3)
    assert Decimal(stats["profit_factor"]) == Decimal(546) / Decimal(101)
    assert Decimal(stats["kelly"]) == Decimal(445) / Decimal(819)
    assert Decimal(stats["payoff_ratio"]) == Decimal(273) / Decimal(101)
    # Equity 498, 397, 445: the fall of 101 from the peak 498 is 20.28...%.
    assert Decimal(stats["max_drawdown_percent"]) == Decimal(10100) / Decimal(498)
    assert stats["avg_win"] == "273"
    assert stats["avg_loss"] == "-101"
    assert Decimal(stats["expectancy"]).quantize(Decimal("0.000001")) == Decimal("148.333333")
    assert stats["max_drawdown"] == "101"
    assert set(stats["by_side"]) == {"long", "short"}
    assert stats["by_symbol"]["TSLA"]["net_pnl"] == "48"
    # A bucket without losses says its profit factor is unbounded, as the totals do; one with
    # only a loss has a profit factor of 0.
    tsla = stats["by_symbol"]["TSLA"]
    assert (tsla["profit_factor"], tsla["profit_factor_unbounded"]) == (None, True)
    msft = stats["by_symbol"]["MSFT"]
    assert (msft["profit_factor"], msft["profit_factor_unbounded"]) == ("0", False)

    one_day = json.loads(
        run(vault_dir, "stats", "--json", "--from", "2026-03-03", "--to", "2026-03-03").stdout
    )
    assert one_day["trade_count"] == 1 and one_day["net_pnl"] == "-101"
    by_symbol = json.loads(run(vault_dir, "stats", "--json", "--symbol", "aapl").stdout)
    assert by_symbol["net_pnl"] == "498"
    unknown = run(vault_dir, "stats", "--account", "nobody")
    assert_clean_failure(unknown, "no account named 'nobody'")


def test_the_matching_method_is_selectable_and_rematches(vault_dir: Path, tmp_path: Path) -> None:
    # The case: buy 100 @ 10 and 100 @ 12, sell 100 @ 15. The first exit realizes
    # FIFO 100 x (15 - 10) = 500, LIFO 100 x (15 - 12) = 300, average 100 x (15 - 11) = 400.
    assert run(vault_dir, "import", str(write(tmp_path, "a.csv", HAND_WORKED))).returncode == 0
    shown = run(vault_dir, "matching")
    assert shown.returncode == 0, shown.stderr
    assert "fifo" in shown.stdout
    (fifo,) = trades(vault_dir)
    assert fifo["gross_pnl"] == "500"
    for method, realized in (("lifo", "300"), ("average", "400"), ("fifo", "500")):
        changed = run(vault_dir, "matching", method)
        assert changed.returncode == 0, changed.stderr
        (trade,) = trades(vault_dir)
        assert trade["gross_pnl"] == realized, method
        assert trade["id"] == fifo["id"]  # the same round trip: notes and tags stay with it
        assert trade["fees"] == "3" and trade["status"] == "open"
        assert method in run(vault_dir, "matching").stdout
    # Closing the position: 100 more sold at 15 makes 800 under every method.
    closing = HAND_WORKED + "03/02/2026,09:45:00,AAPL,100,15,Sell,1\n"
    assert run(vault_dir, "import", str(write(tmp_path, "b.csv", closing))).returncode == 0
    for method in ("lifo", "average", "fifo"):
        assert run(vault_dir, "matching", method).returncode == 0
        (trade,) = trades(vault_dir)
        assert (trade["gross_pnl"], trade["net_pnl"], trade["status"]) == ("800", "796", "closed")
    unknown = run(vault_dir, "matching", "hifo")
    assert unknown.returncode != 0
    assert "hifo" in unknown.stderr


def test_stats_and_trades_text_show_amounts_to_the_cent(vault_dir: Path, tmp_path: Path) -> None:
    """The same three trades read by a person: net 445.00, expectancy 445 / 3 = 148.33,
    drawdown 101.00 after a peak of 498.00 (20.3 %)."""
    assert run(vault_dir, "import", str(write(tmp_path, "s.csv", STATS_FILE))).returncode == 0
    text = run(vault_dir, "stats").stdout
    lines = {line[:22].strip(): line[22:].strip() for line in text.splitlines() if line[:1] != " "}
    assert lines["Net P&L"] == "445.00"
    assert lines["Fees"] == "5.00"
    assert lines["Expectancy"] == "148.33"
    assert lines["Average loss"] == "-101.00"
    assert lines["Max drawdown"] == "101.00 (20.3 % of the peak)"
    assert "MSFT                      1 trades  net      -101.00" in text
    listed = run(vault_dir, "trades").stdout.splitlines()
    assert [line.split("net")[1].split()[0] for line in listed] == ["498.00", "-101.00", "48.00"]


FUTURES_FILE = (
    HEADER
    + "03/02/2026,09:31:00,MESH6,2,5000.00,Buy,1.24\n"  # MES 2 x 4.25 x 5 = 42.50
    + "03/02/2026,09:35:00,MESH6,2,5004.25,Sell,1.24\n"
    + "03/02/2026,10:00:00,/MESH26,1,5010.25,Sell,0.62\n"  # MES short 1 x -2.25 x 5 = -11.25
    + "03/02/2026,10:05:00,/MESH26,1,5012.50,Buy,0.62\n"
    + "03/02/2026,10:10:00,ESH6,1,5010.25,Buy,2.25\n"  # ES 1 x 2.25 x 50 = 112.50
    + "03/02/2026,10:15:00,ESH6,1,5012.50,Sell,2.25\n"
)


def test_stats_symbol_filter_takes_a_futures_root(vault_dir: Path, tmp_path: Path) -> None:
    """`--symbol MES` is every MES contract, however the broker wrote it; `--symbol MESH6` is
    that symbol only; ES is not MES."""
    assert run(vault_dir, "import", str(write(tmp_path, "f.csv", FUTURES_FILE))).returncode == 0
    by_trade = {t["symbol"]: t for t in trades(vault_dir)}
    assert by_trade["MESH6"]["gross_pnl"] == "42.5"
    assert by_trade["/MESH26"]["gross_pnl"] == "-11.25"
    assert by_trade["ESH6"]["gross_pnl"] == "112.5"

    def stats(*options: str) -> dict[str, object]:
        result = run(vault_dir, "stats", "--json", *options)
        assert result.returncode == 0, result.stderr
        document: dict[str, object] = json.loads(result.stdout)
        return document

    mes = stats("--symbol", "mes")
    # Net: 42.50 - 2.48 = 40.02 and -11.25 - 1.24 = -12.49: 27.53.
    assert (mes["trade_count"], mes["net_pnl"]) == (2, "27.53")
    assert set(mes["by_symbol"]) == {"MESH6", "/MESH26"}  # type: ignore[arg-type]
    exact = stats("--symbol", "MESH6")
    assert (exact["trade_count"], exact["net_pnl"]) == (1, "40.02")
    es = stats("--symbol", "ES")
    assert (es["trade_count"], es["net_pnl"]) == (1, "108")  # 112.50 - 4.50
    assert_clean_failure(run(vault_dir, "stats", "--symbol", "NQ"), "No trades have the symbol")


MIXED_FILE = (
    HEADER
    + "03/02/2026,09:31:00,MESH6,2,5000.00,Buy,1.24\n"
    + "03/02/2026,09:35:00,MESH6,5,5004.25,Sell,3.10\n"  # a flip: 2 close, 3 open a short
    + "03/02/2026,09:40:00,MESH6,3,5001.00,Buy,1.86\n"
    + "03/02/2026,10:10:00,MNQ 03-26,4,18250.75,Buy,0.5\n"
    + "03/02/2026,10:15:00,MNQ 03-26,4,18240.00,Sell,0.5\n"
    + "03/02/2026,10:20:00,SPY 260320C00500000,3,2.15,Buy,1.95\n"
    + "03/02/2026,10:25:00,SPY 260320C00500000,3,2.40,Sell,1.95\n"
    + "03/02/2026,10:30:00,6EH6,1,1.0850,Buy,2\n"
    + "03/02/2026,10:35:00,6EH6,1,1.0863,Sell,2\n"
    + "03/02/2026,10:40:00,MYMH26,3,39100,Short,1\n"
    + "03/02/2026,10:45:00,MYMH26,3,39187,Cover,1\n"
    + "03/02/2026,10:50:00,AAPL,100,10,Buy,1\n"
)

TRADE_FIELDS = {
    "id",
    "account",
    "symbol",
    "asset_class",
    "side",
    "quantity",
    "entry_price",
    "exit_price",
    "open_time",
    "close_time",
    "gross_pnl",
    "fees",
    "net_pnl",
    "r_multiple",
    "tags",
    "status",
}


def test_futures_options_and_a_flip_to_the_cent(vault_dir: Path, tmp_path: Path) -> None:
    assert run(vault_dir, "import", str(write(tmp_path, "m.csv", MIXED_FILE))).returncode == 0
    rows = trades(vault_dir)
    assert all(set(row) == TRADE_FIELDS for row in rows)
    got = [
        (
            row["symbol"],
            row["asset_class"],
            row["side"],
            row["quantity"],
            row["gross_pnl"],
            row["fees"],
            row["net_pnl"],
            row["status"],
        )
        for row in rows
    ]
    assert got == [
        # MES long 2: 2 x 4.25 x 5 = 42.50; fees 1.24 + 3.10 x 2/5 = 2.48.
        ("MESH6", "future", "long", "2", "42.5", "2.48", "40.02", "closed"),
        # MES short 3 from the flip: 3 x 3.25 x 5 = 48.75; fees 3.10 x 3/5 + 1.86 = 3.72.
        ("MESH6", "future", "short", "3", "48.75", "3.72", "45.03", "closed"),
        # MNQ: 4 x -10.75 x 2 = -86.
        ("MNQ 03-26", "future", "long", "4", "-86", "1", "-87", "closed"),
        # An option: 3 x 0.25 x 100 = 75.
        ("SPY   260320C00500000", "option", "long", "3", "75", "3.9", "71.1", "closed"),
        # 6E: 0.0013 x 125,000 = 162.50.
        ("6EH6", "future", "long", "1", "162.5", "4", "158.5", "closed"),
        # MYM short 3: 3 x -87 x 0.5 = -130.50.
        ("MYMH26", "future", "short", "3", "-130.5", "2", "-132.5", "closed"),
        # Still open: nothing realized, the entry's commission paid.
        ("AAPL", "stock", "long", "100", "0", "1", "-1", "open"),
    ]
    flip_short = rows[1]
    assert flip_short["open_time"] == rows[0]["close_time"] == "2026-03-02T14:35:00.000000Z"
    assert (flip_short["entry_price"], flip_short["exit_price"]) == ("5004.25", "5001")
    still_open = rows[-1]
    assert (still_open["exit_price"], still_open["close_time"]) == (None, None)
    # Every cent paid is in a trade: 1.24 + 3.10 + 1.86 + 1 + 3.90 + 4 + 2 + 1 = 18.10.
    assert sum(Decimal(str(row["fees"])) for row in rows) == Decimal("18.10")

    stats = json.loads(run(vault_dir, "stats", "--json").stdout)
    # Closed nets 40.02 + 45.03 - 87 + 71.10 + 158.50 - 132.50 = 95.15 (the open trade is out).
    assert (stats["trade_count"], stats["net_pnl"], stats["fees"]) == (6, "95.15", "17.1")
    # Equity 40.02, 85.05, -1.95, 69.15, 227.65, 95.15: the largest fall is 132.50 from 227.65.
    assert stats["max_drawdown"] == "132.5"
    assert Decimal(stats["max_drawdown_percent"]) == Decimal(13250) / Decimal("227.65")


def test_a_trades_r_multiple_is_the_statistics_r() -> None:
    """Net 100 on a risk of 30 is 10/3 R: the same 28 digits the statistics average, as a
    script's Decimal division gives them (not rounded to four places)."""
    import uuid
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from journal_desktop.cli_trading import trade_document
    from journal_desktop.domain.records import Trade, TradeDirection, TradeStatus

    opened = datetime(2026, 3, 2, 14, 31, tzinfo=UTC)
    trade = Trade(
        account_id=uuid.uuid4(),
        instrument_id=uuid.uuid4(),
        direction=TradeDirection.LONG,
        status=TradeStatus.CLOSED,
        quantity=Decimal(100),
        entry_price=Decimal(10),
        exit_price=Decimal(11),
        opened_at=opened,
        closed_at=opened,
        gross_pnl=Decimal(102),
        fees=Decimal(2),
        net_pnl=Decimal(100),
        initial_risk=Decimal(30),
    )
    lookups = SimpleNamespace(accounts={}, instruments={}, tags={})
    document = trade_document(None, trade, lookups)  # type: ignore[arg-type]
    assert Decimal(document["r_multiple"]) == Decimal(100) / Decimal(30)
    still_open = trade_document(
        None,  # type: ignore[arg-type]
        Trade(
            **{
                **{f: getattr(trade, f) for f in Trade.__dataclass_fields__},
                "status": TradeStatus.OPEN,
            }
        ),
        lookups,  # type: ignore[arg-type]
    )
    assert still_open["r_multiple"] is None
