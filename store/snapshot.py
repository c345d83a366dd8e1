"""The whole ledger in memory, for a desk that filters and sorts as the user types.

`LedgerSnapshot` holds one `LedgerRow` per case (about 35 MB at 100,000 cases) with a
lower-cased search text for each, keeps one sorted order at a time, and takes changed rows
in place (`update`) so that a commit made elsewhere costs a few rows, not a reload.
It is plain Python: it runs no query itself and knows nothing of the UI.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from store.queries import LedgerRow
from store.rules import AWAITING_PROPOSER

_FAR = dt.date.max

SORT_KEYS = {
    "deadline": lambda r: (r.next_due is None, r.next_due or _FAR, r.number),
    "number": lambda r: (r.number,),
    "title": lambda r: (r.title,),
    "lead_proposer": lambda r: (r.lead_proposer, r.number),
    "role": lambda r: (r.role, r.next_due is None, r.next_due or _FAR),
    "division": lambda r: (r.division == "", r.division, r.next_due is None, r.next_due or _FAR),
    "owner": lambda r: (r.owner == "", r.owner, r.next_due is None, r.next_due or _FAR),
    "status": lambda r: (r.status, r.next_due is None, r.next_due or _FAR),
    "last_followup": lambda r: (r.last_followup_on is None, r.last_followup_on or _FAR, r.number),
    "urge_count": lambda r: (r.urge_count, r.next_due is None, r.next_due or _FAR),
}
"""Every column the ledger can sort by; ties fall back to the deadline or the number."""


def _sort_key(order: str):
    """The order's key, made unique by the case id so a changed row can be found by bisection."""
    key = SORT_KEYS[order]
    return lambda row: (*key(row), row.case_id)


def search_text(row: LedgerRow) -> str:
    """What `/` matches: number (also as 第…号), title, proposer, division, owner."""
    return f"{row.number}\n第{row.number}号\n{row.title}\n{row.lead_proposer}\n{row.division}\n{row.owner}".casefold()


@dataclass(frozen=True)
class LedgerSummary:
    """The figures of the summary bar, for the rows in view (before the text filter)."""

    open_cases: int
    awaiting_sign: int
    due_within_7: int
    overdue: int
    awaiting_evaluation: int
    stale: int
    estimated: int = 0  # open cases whose next deadline was counted on an estimated year (推算)


class LedgerSnapshot:
    """Every ledger row as of `today`, sortable by any column and filterable by text."""

    def __init__(self, rows: Iterable[LedgerRow], today: dt.date) -> None:
        self.today = today
        self._rows: dict[int, LedgerRow] = {}
        self._text: dict[int, str] = {}
        self._order: str = "deadline"
        self._reverse = False
        self._sorted: list[LedgerRow] | None = None  # ascending by `_sort_key(self._order)`
        self.version = 0  # counts changes of rows or order
        self._updates = 0  # counts changes of rows only
        self._summaries: dict[tuple[str | None, int], LedgerSummary] = {}
        self.update(rows)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, case_id: int) -> LedgerRow | None:
        return self._rows.get(case_id)

    def update(self, rows: Iterable[LedgerRow], removed: Iterable[int] = ()) -> None:
        """Put fresh rows in place (new cases are added), keeping the sorted order by bisection."""
        key = _sort_key(self._order)
        for row in rows:
            self._drop_sorted(self._rows.get(row.case_id), key)
            self._rows[row.case_id] = row
            self._text[row.case_id] = search_text(row)
            if self._sorted is not None:
                bisect.insort(self._sorted, row, key=key)
        for case_id in removed:
            self._drop_sorted(self._rows.pop(case_id, None), key)
            self._text.pop(case_id, None)
        self.version += 1
        self._updates += 1
        self._summaries.clear()

    def _drop_sorted(self, old: LedgerRow | None, key) -> None:
        if old is None or self._sorted is None:
            return
        index = bisect.bisect_left(self._sorted, key(old), key=key)
        if index < len(self._sorted) and self._sorted[index].case_id == old.case_id:
            del self._sorted[index]
        else:  # not where its key says: rebuild rather than trust a broken order
            self._sorted = None

    def sort(self, order: str, reverse: bool = False) -> None:
        if order not in SORT_KEYS:
            raise ValueError(f"unknown order {order!r}")
        if order != self._order:
            self._sorted = None
        if (order, reverse) != (self._order, self._reverse):
            self._order, self._reverse = order, reverse
            self.version += 1

    @property
    def order(self) -> tuple[str, bool]:
        return self._order, self._reverse

    def rows(self, *, session: str | None = None, text: str = "", division: str | None = None) -> list[LedgerRow]:
        """The rows in the current order, of one session (None: all), one division ("" for
        unassigned, None: all), matching `text`."""
        if self._sorted is None:
            self._sorted = sorted(self._rows.values(), key=_sort_key(self._order))
        rows = self._sorted[::-1] if self._reverse else list(self._sorted)
        if session is not None:
            rows = [r for r in rows if r.session == session]
        if division is not None:
            rows = [r for r in rows if r.division == division]
        needle = text.strip().casefold()
        if needle:
            texts = self._text
            rows = [r for r in rows if needle in texts[r.case_id]]
        return rows

    def session_summary(self, session: str | None) -> LedgerSummary:
        """The summary bar's figures for one session (None: all), cached until the next update."""
        key = (session, self._updates)
        cached = self._summaries.get(key)
        if cached is None:
            rows = self._rows.values() if session is None else (r for r in self._rows.values() if r.session == session)
            cached = self._summaries[key] = self.summary(rows)
        return cached

    def summary(self, rows: Iterable[LedgerRow]) -> LedgerSummary:
        open_cases = awaiting_sign = due7 = overdue = awaiting_eval = stale = estimated = 0
        for row in rows:
            if row.status in ("已办结", "已反馈"):
                continue
            open_cases += 1
            awaiting_sign += row.status in ("待签收", "申请调整")
            if row.days_left is not None:
                if row.overdue:  # a step of the bureau's own; a form not back is 待评价 below
                    overdue += 1
                elif 0 <= row.days_left <= 7 and row.next_milestone not in AWAITING_PROPOSER:
                    due7 += 1  # as the division board counts: the bureau's own steps (a form due back is 待评价)
            awaiting_eval += row.next_milestone in AWAITING_PROPOSER
            stale += row.stale
            estimated += row.estimated
        return LedgerSummary(open_cases, awaiting_sign, due7, overdue, awaiting_eval, stale, estimated)
