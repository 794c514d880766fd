"""Column aliases and a file-wide decimal separator (importers/table.py: Table.pick,
Table.decimal_comma, Table.delimiter)."""

from __future__ import annotations

from journal_desktop.importers.table import read_table


def test_the_first_caption_present_is_picked() -> None:
    table = read_table("Order ID;Avg Fill Price\n1;2,5\n", "t.csv")
    assert table.delimiter == ";"
    assert table.pick("Order #", "order id") == "order id"
    assert table.pick("Filled Price", "Avg Fill Price") == "Avg Fill Price"
    assert table.pick("Commission") is None


def test_the_decimal_separator_is_judged_over_all_rows() -> None:
    table = read_table('Price,Qty\n"1,250",3\n"0,62",1\n', "t.csv")
    assert table.decimal_comma("Price") is True
    assert table.rows[0].amount("Price", decimal_comma=table.decimal_comma("Price")) == 1.25
    dotted = read_table('Price,Qty\n"1,250",3\n5012.25,1\n', "t.csv")
    assert dotted.decimal_comma("Price") is False


def test_the_default_decides_when_no_value_can() -> None:
    table = read_table("Price;Qty\n1,250;3\n", "t.csv")
    assert table.decimal_comma("Price", "Qty") is None
    assert table.decimal_comma("Price", "Qty", default=True) is True


def test_a_negative_price_is_refused_with_file_line_and_column() -> None:
    import pytest

    from journal_desktop.domain.imported import ImportFileError
    from journal_desktop.importers.table import Row

    row = Row("fills.csv", 7, {"price": "(12.50)", "avg price": "1.234,5"})
    with pytest.raises(ImportFileError) as caught:
        row.price("Price")
    assert (caught.value.file, caught.value.line, caught.value.column) == ("fills.csv", 7, "Price")
    assert "must not be negative" in str(caught.value)
    assert str(row.price("Avg Price", decimal_comma=True)) == "1234.5"
