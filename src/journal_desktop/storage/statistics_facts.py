"""The statistics' read of `trade_facts` (schemas 3 and 5): SQL only, parsed by statistics_sql.py.

`trade_facts` holds one short integer row per live closed trade, kept in step with `trades` by
triggers (see migrations/m0003_trade_facts.py and m0005_trade_facts_rowids.py). Reading it is
what makes the full statistics set cheap: on 100,000 trades it takes about 1.2x one aggregate
query over `trades`, where the same columns from the wide trade rows took 2x, with text left
to number in Python. This module says which rows a TradeFilter picks there and reads them in
one statement, each column as one `group_concat` string, in the facts' storage (trade rowid)
order.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from journal_desktop.domain.statistics import TradeFilter
from journal_desktop.storage.database import Database, Row

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: What one read hands over, as one string per column (group_concat skips NULLs, so the
#: second figure counts the rows whose facts are not all numbers: the caller needs none):
#: close and open times (µs), net, gross and fees (1e-8 units), the risks set, and the
#: trade's keys in one number, `(((tag_list * K + setup) * K + instrument) * 2 + short) * 2 +
#: (risk set)` with K one more than the largest key or instrument rowid (one column parses in
#: a fourth of the time of four; the last digit picks the nets of the risks out of the net
#: column).
_READ = """SELECT count(*),
    coalesce(sum(f.closed_us IS NULL OR f.opened_us IS NULL OR f.account = 0
        OR f.instrument = 0), 0),
    group_concat(f.closed_us), group_concat(f.opened_us),
    group_concat(f.net_e8), group_concat(f.gross_e8), group_concat(f.fees_e8),
    group_concat(f.initial_risk),
    group_concat((((f.tag_list * :k + f.setup) * :k + f.instrument) * 2 + f.short) * 2
        + (f.initial_risk IS NOT NULL))
FROM trade_facts f
WHERE {where}"""

#: K of the key packing: above every setup and tag-list key and every instrument rowid.
_RADIX = """SELECT max(coalesce((SELECT max(key) FROM trade_fact_keys), 0),
    coalesce((SELECT max(rowid) FROM instruments), 0)) + 1"""

#: The keys' packing must fit in int64: 4 * K**3 at most 2**62 (K up to 2**20, about a
#: million texts); a larger key table is read through the trades table instead.
_KEY_LIMIT = 2**20

#: The texts the keys stand for.
_KEYS = "SELECT key, kind, text FROM trade_fact_keys"


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def where(flt: TradeFilter) -> tuple[str, dict[str, Any]]:
    """The WHERE clause picking the filter's trades in `trade_facts f`, and its bound values.

    A row whose facts are not all numbers (a NULL time, account or instrument 0) passes the
    date range and the account and instrument filters, so the caller sees it and reads the
    trades table instead.
    """
    start, end = flt.close_range()
    clauses = ["1"]
    params: dict[str, Any] = {}
    dates = []
    if start is not None:
        dates.append("f.closed_us >= :start")
        params["start"] = _micros(start)
    if end is not None:
        dates.append("f.closed_us < :end")
        params["end"] = _micros(end)
    if dates:
        clauses.append(f"(f.closed_us IS NULL OR ({' AND '.join(dates)}))")
    for table, column, ids in (
        ("accounts", "account", flt.account_ids),
        ("instruments", "instrument", flt.instrument_ids),
    ):
        if ids is not None:  # 0 (no such row) passes too, so the caller sees it
            clauses.append(
                f"(f.{column} = 0 OR f.{column} IN (SELECT rowid FROM {table}"
                f" WHERE id IN (SELECT value FROM json_each(:{column}))))"
            )
            params[column] = json.dumps(sorted(str(i) for i in ids))
    if flt.tag_id is not None:
        clauses.append(
            "f.tag_list IN (SELECT key FROM trade_fact_keys WHERE kind = 'tags' AND EXISTS"
            " (SELECT 1 FROM json_each(CASE WHEN json_valid(text) THEN text ELSE '[]' END)"
            " WHERE value = :tag))"
        )
        params["tag"] = str(flt.tag_id)
    return " AND ".join(clauses), params


class FactsRead:
    """One read of the filter's facts: `row` is `_READ`'s, None when the times are not all
    numbers or the keys do not pack (the caller then reads the trades table)."""

    def __init__(self, db: Database, flt: TradeFilter) -> None:
        self._db = db
        self._where, self._params = where(flt)
        self.row: Row | None = None
        #: K of the key packing (see _READ).
        self.radix = int(db.scalar(_RADIX))
        if self.radix > _KEY_LIMIT:
            return
        row = db.query_one(_READ.format(where=self._where), {**self._params, "k": self.radix})
        assert row is not None
        if row[1] == 0:
            self.row = row

    def texts(self) -> dict[str, dict[int, str]]:
        """{kind: {key: text}} for setups and tag lists, and instrument rowids' ids."""
        found: dict[str, dict[int, str]] = {"setup": {}, "tags": {}}
        for key, kind, text in self._db.query(_KEYS):
            found[str(kind)][int(key)] = str(text)
        found["instrument"] = {
            int(r[0]): str(r[1]) for r in self._db.query("SELECT rowid, id FROM instruments")
        }
        return found

    def ids(self, positions: list[int]) -> list[str]:
        """The trade ids at these positions of the read (to order trades that tie on time)."""
        rowids = self._db.query_one(
            f"SELECT group_concat(f.trade) FROM trade_facts f WHERE {self._where}", self._params
        )
        assert rowids is not None
        chosen = [int(r) for r in str(rowids[0]).split(",")]
        wanted = [chosen[p] for p in positions]
        ids: dict[int, str] = dict(
            self._db.query(
                "SELECT rowid, id FROM trades WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(wanted),),
            )
        )
        return [str(ids[r]) for r in wanted]
