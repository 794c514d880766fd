"""A generic file's decimal separator is judged once for the whole file."""

from __future__ import annotations

from decimal import Decimal

from journal_desktop.importers import parse_file


def test_decimal_comma_is_decided_per_file_not_per_value() -> None:
    # Alone, "43,125" could be forty-three thousand; beside "43,5" it can only be 43.125.
    text = (
        "Date;Time;Symbol;Quantity;Price;Side;Commission\n"
        "03.02.2026;09:31:05;SAP;100;43,125;Buy;1,00\n"
        "03.02.2026;10:31:05;SAP;100;43,5;Sell;1,00\n"
    )
    parsed = parse_file(text.encode(), "european.csv", format_name="generic")
    assert [e.price for e in parsed.executions] == [Decimal("43.125"), Decimal("43.5")]
    assert [e.commission for e in parsed.executions] == [Decimal("1.00"), Decimal("1.00")]


def test_thousands_commas_with_decimal_points_stay_thousands() -> None:
    text = (
        "Date,Time,Symbol,Quantity,Price,Side\n"
        '03/02/2026,09:31:05,NVR,"1,000",7500.25,Buy\n'
        '03/02/2026,09:35:05,NVR,"1,000","7,512.50",Sell\n'
    )
    parsed = parse_file(text.encode(), "us.csv", format_name="generic")
    assert [e.quantity for e in parsed.executions] == [Decimal(1000), Decimal(1000)]
    assert [e.price for e in parsed.executions] == [Decimal("7500.25"), Decimal("7512.50")]
