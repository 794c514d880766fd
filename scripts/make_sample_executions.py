"""Write resources/sample/sample-executions.csv: six weeks of believable demo executions.

Deterministic (fixed seed), in the generic import format, so the first-run wizard's "load
sample data" and the README screenshots always show the same journal. Run it again only to
change the sample: `python scripts/make_sample_executions.py`.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "sample" / "sample-executions.csv"
FIRST_DAY = date(2026, 9, 21)
WEEKS = 6


@dataclass(frozen=True)
class Instrument:
    symbol: str
    kind: str  # the generic format's Type column
    account: str
    price: float  # a starting price; it drifts day by day
    tick: Decimal
    lots: tuple[int, ...]
    commission: Decimal  # per contract, or per share
    volatility: float  # typical stop distance as a fraction of price


INSTRUMENTS = (
    Instrument(
        "MESZ6",
        "Future",
        "Futures",
        6890.0,
        Decimal("0.25"),
        (1, 2, 2, 3, 4),
        Decimal("0.62"),
        0.0016,
    ),
    Instrument(
        "MNQZ6",
        "Future",
        "Futures",
        25480.0,
        Decimal("0.25"),
        (1, 1, 2, 3),
        Decimal("0.62"),
        0.0019,
    ),
    Instrument(
        "AAPL",
        "Stock",
        "Margin",
        262.0,
        Decimal("0.01"),
        (50, 100, 100, 150, 200),
        Decimal("0.005"),
        0.004,
    ),
    Instrument(
        "NVDA",
        "Stock",
        "Margin",
        188.0,
        Decimal("0.01"),
        (50, 100, 150, 200, 300),
        Decimal("0.005"),
        0.006,
    ),
    Instrument(
        "TSLA",
        "Stock",
        "Margin",
        431.0,
        Decimal("0.01"),
        (20, 40, 50, 80, 100),
        Decimal("0.005"),
        0.008,
    ),
    Instrument(
        "AMD",
        "Stock",
        "Margin",
        238.0,
        Decimal("0.01"),
        (50, 100, 150, 200),
        Decimal("0.005"),
        0.007,
    ),
    Instrument(
        "SPY", "Stock", "Margin", 688.0, Decimal("0.01"), (50, 100, 200), Decimal("0.005"), 0.002
    ),
)
WEIGHTS = (6, 3, 3, 3, 2, 2, 1)


def _round(value: float, tick: Decimal) -> Decimal:
    return (Decimal(str(value)) / tick).quantize(Decimal(1), ROUND_HALF_UP) * tick


def _commission(inst: Instrument, qty: int) -> Decimal:
    amount = inst.commission * qty
    if inst.kind == "Stock":
        amount = max(amount, Decimal("1.00"))
    return amount.quantize(Decimal("0.01"))


def main() -> None:
    rng = random.Random(20260921)  # noqa: S311 (demo data, not security)
    prices = {inst.symbol: inst.price for inst in INSTRUMENTS}
    rows: list[dict[str, str]] = []
    next_id = 1
    for offset in range(WEEKS * 7):
        day = FIRST_DAY + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for symbol in prices:
            prices[symbol] *= 1 + rng.gauss(0.0004, 0.011)
        clock = datetime.combine(day, time(9, 31)) + timedelta(minutes=rng.randint(0, 25))
        good_day = rng.random() < 0.6
        for _ in range(rng.choice((2, 3, 3, 4, 4, 5))):
            inst = rng.choices(INSTRUMENTS, WEIGHTS)[0]
            if clock.time() > time(15, 20):
                break
            long = rng.random() < 0.58
            qty = rng.choice(inst.lots)
            entry = prices[inst.symbol] * (1 + rng.gauss(0, 0.002))
            risk = entry * inst.volatility * rng.uniform(0.7, 1.3)
            win = rng.random() < (0.6 if good_day else 0.45)
            r_multiple = rng.uniform(0.6, 2.8) if win else -rng.uniform(0.5, 1.25)
            exit_price = entry + (r_multiple * risk if long else -r_multiple * risk)
            fills: list[tuple[datetime, str, int, Decimal]] = []
            # entry: one fill, or scale in with two
            halves = [qty] if qty < 2 or rng.random() < 0.6 else [qty - qty // 2, qty // 2]
            when = clock
            for part in halves:
                price = entry + rng.gauss(0, risk * 0.15)
                fills.append((when, "Buy" if long else "Short", part, _round(price, inst.tick)))
                when += timedelta(seconds=rng.randint(20, 420))
            # exit: one fill, or scale out with two
            when += timedelta(minutes=rng.randint(2, 95))  # after the last entry
            outs = [qty] if qty < 2 or rng.random() < 0.5 else [qty // 2, qty - qty // 2]
            for index, part in enumerate(outs):
                price = exit_price + (index * 0.25 * risk * (1 if long else -1))
                side = "Sell" if long else "Cover"
                fills.append((when, side, part, _round(price, inst.tick)))
                when += timedelta(minutes=rng.randint(1, 20))
            for when, side, part, price in fills:
                rows.append(
                    {
                        "Date": when.strftime("%m/%d/%Y"),
                        "Time": when.strftime("%H:%M:%S"),
                        "Symbol": inst.symbol,
                        "Quantity": str(part),
                        "Price": f"{price}",
                        "Side": side,
                        "Commission": f"{_commission(inst, part)}",
                        "TransFee": "0.00" if inst.kind == "Future" else "0.01",
                        "Type": inst.kind,
                        "Account": inst.account,
                        "ID": f"DEMO-{next_id:05d}",
                    }
                )
                next_id += 1
            clock = when + timedelta(minutes=rng.randint(5, 60))
    rows.sort(key=lambda r: (r["Date"][6:] + r["Date"][:5], r["Time"], r["ID"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} executions to {OUT}")


if __name__ == "__main__":
    main()
