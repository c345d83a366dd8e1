"""Which cases of a week's review are checked, and which its list holds: read from the ledger,
remembered per SQLite ledger file (store/weekly.py uses them).

A check is a 查办 event naming the week in its data (`REVIEW_KEY`); it stands until undone.
Events are only ever appended and no case is ever deleted, so on SQLite the week's check events
and a started review's list, once read, are remembered with a stamp of what they were read from,
and later reads take in only what is newer (a few milliseconds instead of a second over a
million events at 100,000 cases).
"""

from __future__ import annotations

import os
import threading

from peewee import SqliteDatabase, fn

from store.models import Case, Event, WeeklyReview
from store.queries.board import _CHUNK

REVIEW_KEY = "weekly_review"


_marks_lock = threading.Lock()
_marks_memo: dict[tuple[str, str], tuple[int, tuple | None, dict[int, int]]] = {}
"""SQLite ledgers: (ledger file, week) -> (the highest event id read, that event's (at, case, kind),
the week's check events read so far: event id -> case id). Events are only ever appended, and a
SQLite ledger numbers each new one above every committed one, so later reads need only the
events above that id (checked again by its row, so a ledger file replaced is read afresh)."""


def _week_marks(week: str, after: int | None = None) -> dict[int, int]:
    """Check events naming `week` (standing or not), event id -> case id; only those above `after` if given."""
    kind = Event.kind if after is None else Event.kind.concat("")  # after: read by id, not by the kind index
    query = Event.select(Event.id, Event.case, Event.data).where(
        (kind == "查办") & Event.data.contains(f'"{REVIEW_KEY}": "{week}"'))
    if after is not None:
        query = query.where(Event.id > after)
    return {event.id: event.case_id for event in query if (event.data or {}).get(REVIEW_KEY) == week}


def case_checked(case_id: int, week: str) -> bool:
    """Whether one case's check for `week` still stands: that case's events alone (by its index),
    so marking a case checked never reads the whole week's marks inside its write."""
    events = Event.select(Event.id, Event.data).where(
        (Event.case == case_id) & (Event.kind == "查办") & Event.data.contains(f'"{REVIEW_KEY}": "{week}"'))
    marks = {event.id for event in events if (event.data or {}).get(REVIEW_KEY) == week}
    if not marks:
        return False
    undone = {undoes for (undoes,) in Event.select(Event.undoes).where(
        (Event.case == case_id) & Event.undoes.in_(list(marks))).tuples()}
    return bool(marks - undone)


def _file_identity(path: str) -> tuple:
    """The ledger file as the memo tells it apart: its path, device and inode (another ledger put
    at the same path — a restored backup, a test's new file — is another ledger)."""
    try:
        info = os.stat(path)
    except OSError:
        return (path,)
    return (path, info.st_dev, info.st_ino)


def checked_cases(week: str) -> set[int]:
    """Cases checked for `week`: weekly-review 查办 events that still stand.

    On SQLite, outside a write, the week's check events are remembered and only newer events are
    read again (a few milliseconds instead of a second over a million events)."""
    db = Event._meta.database
    undone = {undoes for (undoes,) in Event.select(Event.undoes).where(Event.undoes.is_null(False)).tuples()}
    if not isinstance(db.obj, SqliteDatabase) or db.in_transaction():
        marks = _week_marks(week)
    else:
        with _marks_lock:
            key = (_file_identity(str(db.obj.database)), week)
            last = Event.select(fn.MAX(Event.id)).scalar() or 0
            stamp = Event.select(Event.at, Event.case, Event.kind).where(Event.id == last).tuples().first()
            known = _marks_memo.get(key)
            if known is not None:
                before, before_stamp, marks = known
                check = Event.select(Event.at, Event.case, Event.kind).where(Event.id == before).tuples().first()
                known = None if check != before_stamp or before > last else known
            if known is None:
                marks = _week_marks(week)
            else:
                marks = {**marks, **_week_marks(week, after=before)}
            if key not in _marks_memo and len(_marks_memo) >= 16:  # other weeks and ledgers: let them go
                _marks_memo.clear()
            _marks_memo[key] = (last, stamp, marks)
    return {case_id for event_id, case_id in marks.items() if event_id not in undone}


def _existing(ids: list[int]) -> tuple[int, ...]:
    """`ids` (in their order) that name a case of the ledger: counted first (plain parameters:
    Peewee's own building of an IN of 17,000 values costs more than the query), read only when
    some are missing."""
    db = Case._meta.database
    table = f"{db.quote[0]}{Case._meta.table_name}{db.quote[1]}"
    distinct = list(dict.fromkeys(ids))

    def each(sql: str):
        for start in range(0, len(distinct), _CHUNK):
            part = distinct[start:start + _CHUNK]
            yield from db.execute_sql(sql.format(table=table, marks=", ".join([db.param] * len(part))), part)

    if sum(count for (count,) in each("SELECT COUNT(*) FROM {table} WHERE id IN ({marks})")) == len(distinct):
        return tuple(ids)
    found = {case_id for (case_id,) in each("SELECT id FROM {table} WHERE id IN ({marks})")}
    return tuple(case_id for case_id in ids if case_id in found)


_lists_lock = threading.Lock()
_lists_memo: dict[tuple[tuple, str], tuple[tuple, tuple[int, ...]]] = {}
"""SQLite ledgers: (ledger file, week) -> (the review row's stamp (id, started_at, operator), the
cases of its list still in the ledger). A review's list is fixed when it starts and no case is
ever deleted, so once read the list stands for as long as its row does (checked by its stamp,
a few columns of one row, on every open)."""


def _listed_cases(week: str, stamp: tuple) -> tuple[int, ...]:
    """The cases of the stored review `stamp` names (its row's id first) still in the ledger, in its order."""
    db = WeeklyReview._meta.database
    key = None
    if isinstance(db.obj, SqliteDatabase) and not db.in_transaction():
        key = (_file_identity(str(db.obj.database)), week)
        with _lists_lock:
            known = _lists_memo.get(key)
        if known is not None and known[0] == stamp:
            return known[1]
    (stored,) = WeeklyReview.select(WeeklyReview.case_ids).where(WeeklyReview.id == stamp[0]).tuples().get()
    case_ids = _existing([int(case_id) for case_id in stored or []])
    if key is not None:
        with _lists_lock:
            if key not in _lists_memo and len(_lists_memo) >= 16:  # other weeks and ledgers: let them go
                _lists_memo.clear()
            _lists_memo[key] = (stamp, case_ids)
    return case_ids


def remember_marks(week: str) -> None:
    """Read the week's check events now so that the first review need not (SQLite, where they are
    remembered; a server ledger reads them through its index each time: nothing to do)."""
    db = Event._meta.database
    if isinstance(db.obj, SqliteDatabase):
        checked_cases(week)
