"""The whole ledger in memory, for a desk that filters and sorts as the user types.

`LedgerSnapshot` holds one `LedgerRow` per case (about 35 MB at 100,000 cases) with a
lower-cased search text for each, keeps one sorted order at a time, and takes changed rows
in place (`update`) so that a commit made elsewhere costs a few rows, not a reload.
It is plain Python: it runs no query itself and knows nothing of the UI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from store.queries import LedgerRow

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


class LedgerSnapshot:
    """Every ledger row as of `today`, sortable by any column and filterable by text."""

    def __init__(self, rows: Iterable[LedgerRow], today: dt.date) -> None:
        self.today = today
        self._rows: dict[int, LedgerRow] = {}
        self._text: dict[int, str] = {}
        self._order: str = "deadline"
        self._reverse = False
        self._sorted: list[LedgerRow] | None = None
        self.update(rows)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, case_id: int) -> LedgerRow | None:
        return self._rows.get(case_id)

    def update(self, rows: Iterable[LedgerRow], removed: Iterable[int] = ()) -> None:
        """Put fresh rows in place (new cases are added); the sorted order is rebuilt lazily."""
        for row in rows:
            self._rows[row.case_id] = row
            self._text[row.case_id] = search_text(row)
        for case_id in removed:
            self._rows.pop(case_id, None)
            self._text.pop(case_id, None)
        self._sorted = None

    def sort(self, order: str, reverse: bool = False) -> None:
        if order not in SORT_KEYS:
            raise ValueError(f"unknown order {order!r}")
        if (order, reverse) != (self._order, self._reverse):
            self._order, self._reverse, self._sorted = order, reverse, None

    @property
    def order(self) -> tuple[str, bool]:
        return self._order, self._reverse

    def rows(self, *, session: str | None = None, text: str = "") -> list[LedgerRow]:
        """The rows in the current order, of one session (None: all), matching `text`."""
        if self._sorted is None:
            self._sorted = sorted(self._rows.values(), key=SORT_KEYS[self._order], reverse=self._reverse)
        rows = self._sorted
        if session is not None:
            rows = [r for r in rows if r.session == session]
        needle = text.strip().casefold()
        if needle:
            texts = self._text
            rows = [r for r in rows if needle in texts[r.case_id]]
        return rows

    def summary(self, rows: Iterable[LedgerRow]) -> LedgerSummary:
        open_cases = awaiting_sign = due7 = overdue = awaiting_eval = stale = 0
        for row in rows:
            if row.status in ("已办结", "已反馈"):
                continue
            open_cases += 1
            awaiting_sign += row.status in ("待签收", "申请调整")
            if row.days_left is not None:
                if row.days_left < 0:
                    overdue += 1
                elif row.days_left <= 7:
                    due7 += 1
            awaiting_eval += row.next_milestone in ("评价", "再次评价")
            stale += row.stale
        return LedgerSummary(open_cases, awaiting_sign, due7, overdue, awaiting_eval, stale)
