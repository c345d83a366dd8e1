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
    """What `/` matches: number (as 第…号, which holds the bare number and any part of it), title,
    proposer, division, owner."""
    return f"第{row.number}号\n{row.title}\n{row.lead_proposer}\n{row.division}\n{row.owner}".casefold()


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

    def __init__(self, rows: Iterable[LedgerRow], today: dt.date, *, in_deadline_order: bool = False,
                 texts: list[str] | None = None, counts: dict | None = None) -> None:
        """`in_deadline_order`: the rows come sorted as `SORT_KEYS["deadline"]` and then the case
        id sort them (the ledger cache keeps them so), and are taken as they are; `texts`: their
        search texts, in the same order (else made here); `counts`: their summary-bar counts as
        `counts()` gave them (else counted when first asked for)."""
        rows = list(rows)
        self.today = today
        self._rows: dict[int, LedgerRow] = {row.case_id: row for row in rows}
        if texts is not None and len(texts) == len(rows):
            self._text: dict[int, str] = dict(zip(self._rows, texts)) if len(self._rows) == len(rows) else {
                row.case_id: text for row, text in zip(rows, texts)}
        else:
            self._text = {row.case_id: search_text(row) for row in rows}
        self._order: str = "deadline"
        self._reverse = False
        # ascending by `_sort_key(self._order)`; None: sorted when first asked for
        self._sorted: list[LedgerRow] | None = rows if in_deadline_order and len(self._rows) == len(rows) else None
        self.from_cache = False  # read back from the ledger cache (store/ledger_cache.py)
        self.kept_facts: tuple | None = None  # (statistics' facts as kept, cases written since) kept with the rows
        self.version = 1  # counts changes of rows or order
        self._updates = 1  # counts changes of rows only
        # summary bar figures by session (None: all)
        self._counts: dict[str | None, list[int]] | None = (
            {key: list(values) for key, values in counts.items()} if counts is not None else None)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, case_id: int) -> LedgerRow | None:
        return self._rows.get(case_id)

    def update(self, rows: Iterable[LedgerRow], removed: Iterable[int] = ()) -> None:
        """Put fresh rows in place (new cases are added), keeping the sorted order by bisection."""
        key = _sort_key(self._order)
        counts = self._counts
        for row in rows:
            old = self._rows.get(row.case_id)
            self._drop_sorted(old, key)
            if counts is not None:
                _count(counts, old, -1)
                _count(counts, row, 1)
            self._rows[row.case_id] = row
            self._text[row.case_id] = search_text(row)
            if self._sorted is not None:
                bisect.insort(self._sorted, row, key=key)
        for case_id in removed:
            old = self._rows.pop(case_id, None)
            self._drop_sorted(old, key)
            if counts is not None:
                _count(counts, old, -1)
            self._text.pop(case_id, None)
        self.version += 1
        self._updates += 1

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

    def prepare(self, order: str = "deadline", reverse: bool = False) -> LedgerSnapshot:
        """Sort by `order` now (off the UI thread: 100,000 rows take a few hundred ms) and
        count the summary of every session; returns self."""
        self.sort(order, reverse)
        if self._sorted is None:
            self._sorted = sorted(self._rows.values(), key=_sort_key(self._order))
        self.session_summary(None)
        return self

    def counts(self) -> dict[str | None, tuple[int, ...]]:
        """The summary bar's counts by session (None: all), as the ledger cache keeps them."""
        self.session_summary(None)
        return {key: tuple(values) for key, values in self._counts.items()}

    @property
    def texts(self) -> dict[int, str]:
        """Each case's search text, by case id (what the ledger cache keeps)."""
        return self._text

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
        """The summary bar's figures for one session (None: all). Counted once (`prepare`, off the
        UI thread), then kept by `update`: each changed row takes its old row's part out and puts
        its own in, so a save costs a few rows, not a pass over 100,000."""
        if self._counts is None:
            counts: dict[str | None, list[int]] = {}
            for row in self._rows.values():
                _count(counts, row, 1)
            self._counts = counts
        return LedgerSummary(*self._counts.get(session, _NOTHING))

    def summary(self, rows: Iterable[LedgerRow]) -> LedgerSummary:
        """The summary bar's figures for any rows, counted afresh."""
        counts: dict[str | None, list[int]] = {}
        for row in rows:
            _count(counts, row, 1)
        return LedgerSummary(*counts.get(None, _NOTHING))


_NOTHING = (0, 0, 0, 0, 0, 0, 0)


def _part(row: LedgerRow) -> tuple[int, ...] | None:
    """What one row adds to the summary bar (`LedgerSummary`'s fields in order); None when closed."""
    if row.status in ("已办结", "已反馈"):
        return None
    due7 = overdue = 0
    if row.days_left is not None:
        if row.overdue:  # a step of the bureau's own; a form not back is 待评价 below
            overdue = 1
        elif 0 <= row.days_left <= 7 and row.next_milestone not in AWAITING_PROPOSER:
            due7 = 1  # as the division board counts: the bureau's own steps (a form due back is 待评价)
    return (1, int(row.status in ("待签收", "申请调整")), due7, overdue,
            int(row.next_milestone in AWAITING_PROPOSER), int(row.stale), int(row.estimated))


def _count(counts: dict[str | None, list[int]], row: LedgerRow | None, sign: int) -> None:
    """Add (`sign` 1) or take out (-1) one row's part, in its session's counts and in the total."""
    part = _part(row) if row is not None else None
    if part is None:
        return
    for key in (None, row.session):
        total = counts.get(key)
        if total is None:
            total = counts[key] = [0] * len(part)
        for index, value in enumerate(part):
            total[index] += sign * value
