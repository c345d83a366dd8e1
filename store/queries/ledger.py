"""The 台账: its one SELECT (`ledger_query`), its rows (`ledger_rows`, `LedgerRow`), its count,
and what the live refresh asks (which cases changed since an event, urges since a day).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from peewee import JOIN, PostgresqlDatabase, fn

from store import clock
from store.co_units import progress_text
from store.models import Case, Division, Event, Person, Proposer, Session
from store.queries.common import _all_rules, awaiting_only, format_number, load_calendar
from store.rules import AWAITING_PROPOSER, DEFAULT_RULES, counts_working_days, due_countdown, is_stale
from store.vocabulary import milestone_label, role_label


# ----------------------------------------------------------------------------- ledger


class LedgerRow(NamedTuple):
    """One line of the 台账: a case as the office scans it.

    A named tuple, not a dataclass: 100,000 of them are made at every whole load, and one is
    made from a plain tuple in a tenth of the time (`tuple.__new__`, store/ledger_cache.py).
    Change one with `row._replace(...)`."""

    case_id: int
    version: int
    session: str
    number: str
    title: str
    lead_proposer: str
    role: str
    division: str
    owner: str
    status: str
    next_milestone: str
    next_due: dt.date | None
    days_left: int | None
    working_days_left: int | None  # set when the milestone's rule counts working days
    countdown: str
    last_followup_on: dt.date | None
    urge_count: int
    urge_level: int
    stale: bool
    estimated: bool = False  # next_due counted through a year whose holidays nobody confirmed (推算)
    body: str = ""  # the session's body (人大 / 政协): which words the row speaks (store.vocabulary)
    units_progress: str = ""  # 会办意见 2/3 / 分办答复 1/2 (from the cached counts; "" without co-units)
    awaiting_proposer: bool = False  # past due, but only the proposer's evaluation form is: 待评价, not 逾期

    @property
    def label(self) -> str:
        return format_number(self.number)

    @property
    def role_label(self) -> str:
        """The role as the body names it: 汇办 is 会办 on a 政协 case."""
        return role_label(self.role, self.body)

    @property
    def overdue(self) -> bool:
        """逾期: a step of the bureau's own is past due (an evaluation form not yet back is 待评价)."""
        return self.days_left is not None and self.days_left < 0 and not self.awaiting_proposer


def _code_point(field):
    """A text column compared code point by code point, as SQLite and Python compare it: a
    PostgreSQL database's own collation (zh_CN, en_US …) would put Chinese names otherwise."""
    db = Case._meta.database
    return field.collate('"C"') if isinstance(getattr(db, "obj", db), PostgresqlDatabase) else field


_ORDERS = {
    "deadline": lambda: [Case.next_due.asc(nulls="LAST"), Case.number, Case.id],
    "number": lambda: [Case.number, Case.id],
    "division": lambda: [Division.name.is_null(), _code_point(Division.name), Case.next_due.is_null(), Case.next_due,
                         Case.id],
    "status": lambda: [_code_point(Case.status), Case.next_due.is_null(), Case.next_due, Case.id],
}
"""Each order ends in `Case.id`, unique: equal rows come in one order on every engine, so a
window of the ledger (LIMIT/OFFSET) is always the slice of the whole. Numbers are digits
(every collation orders them alike), so the deadline order keeps its index."""


def ledger_query(*, session_id: int | None = None, search: str = "", order: str = "deadline",
                 include_closed: bool = True):
    """The ledger's one SELECT (not executed): cases with proposer, division and owner."""
    owner = Person.alias()
    query = (
        Case.select(
            Case.id, Case.version, Session.name, Case.number, Case.title, Proposer.name, Case.role,
            Division.name, owner.name, Case.status, Case.next_milestone, Case.next_due,
            Case.last_followup_on, Case.urge_count, Case.urge_level, Case.assigned_on,
            Case.next_followup_on, Case.closed_on, Case.session, Case.next_due_estimated, Session.body,
            Case.units_expected, Case.units_received,
        )
        .join(Session, on=(Case.session == Session.id))
        .switch(Case).join(Proposer, JOIN.LEFT_OUTER, on=(Case.lead_proposer == Proposer.id))
        .switch(Case).join(Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id))
        .switch(Case).join(owner, JOIN.LEFT_OUTER, on=(Case.owner == owner.id))
    )
    if session_id is not None:
        query = query.where(Case.session == session_id)
    if not include_closed:
        query = query.where(Case.status != "已办结")
    text = (search or "").strip()
    if text:
        number = text.strip("第号")
        query = query.where(
            Case.number.contains(number) | Case.title.contains(text) | Proposer.name.contains(text)
            | Division.name.contains(text) | owner.name.contains(text)
        )
    return query.order_by(*_ORDERS.get(order, _ORDERS["deadline"])())


class _RowView:
    """The attributes `is_stale` reads, from one tuple of the ledger query."""

    __slots__ = ("status", "closed_on", "next_followup_on", "last_followup_on", "assigned_on")

    def __init__(self, status, closed_on, next_followup_on, last_followup_on, assigned_on):
        self.status, self.closed_on = status, closed_on
        self.next_followup_on, self.last_followup_on, self.assigned_on = next_followup_on, last_followup_on, assigned_on


class _Sharer(dict):
    """Hands back one shared copy of each equal value (strings, dates) within one read."""

    def __call__(self, value):
        if value is None:
            return None
        return self.setdefault(value, value)


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def ledger_rows(*, today: dt.date | None = None, session_id: int | None = None, search: str = "",
                order: str = "deadline", include_closed: bool = True, limit: int | None = None,
                offset: int = 0, case_ids: list[int] | None = None) -> list[LedgerRow]:
    """The 台账, most urgent first by default; three queries whatever the number of rows.

    `case_ids` restricts the rows to those cases (a window the UI is about to show).
    """
    query = ledger_query(session_id=session_id, search=search, order=order, include_closed=include_closed)
    if case_ids is not None:
        query = query.where(Case.id << list(case_ids))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return _rows_of(query, today or clock.today())


def _rows_of(query, today: dt.date) -> list[LedgerRow]:
    """Run a `ledger_query` and build its rows (two more queries: rules and calendar)."""
    calendar = load_calendar()
    all_rules = _all_rules()
    rows = []
    share = _Sharer()  # one copy of each repeated value: about 55 MB less at 100,000 rows
    # The raw cursor: Peewee's per-field conversion costs seconds at 100,000 rows.
    cursor = Case._meta.database.execute(query)
    for (case_id, version, session_name, number, title, proposer, role, division, owner_name, status,
         milestone, due, last_followup, urges, level, assigned_on, next_followup, closed_on,
         session_id_, estimated, body, units_expected, units_received) in cursor:
        due, last_followup = share(_as_date(due)), share(_as_date(last_followup))
        session_name, proposer, role, division, owner_name, status, milestone = (
            share(session_name), share(proposer), share(role), share(division), share(owner_name), share(status),
            share(milestone_label(milestone, body)))
        rules = all_rules.get(session_id_, DEFAULT_RULES)
        days = working = None
        if due is not None:
            days = (due - today).days
            if counts_working_days(milestone):
                working = calendar.count_working_days(today, due)
            countdown = share(due_countdown(due, today, working_days=working is not None, calendar=calendar))
        else:
            countdown = "已办结" if status == "已办结" else ("已反馈" if status == "已反馈" else "—")
        view = _RowView(status, closed_on, _as_date(next_followup), last_followup, _as_date(assigned_on))
        rows.append(
            LedgerRow(case_id, version, session_name, number, title, proposer or "", role, division or "",
                      owner_name or "", status, milestone, due, days, working, countdown, last_followup,
                      urges, level, is_stale(view, today, rules), bool(estimated) and due is not None, share(body),
                      share(progress_text(role, units_expected or 0, units_received or 0, body)))
        )
    late_forms = [row.case_id for row in rows
                  if row.days_left is not None and row.days_left < 0 and row.next_milestone in AWAITING_PROPOSER]
    if late_forms:  # a few cases: read whole to see whether a step of the bureau's own is late as well
        waiting = awaiting_only(late_forms, today)
        rows = [row._replace(awaiting_proposer=True) if row.case_id in waiting else row for row in rows]
    return rows


def ledger_count(*, session_id: int | None = None, search: str = "", include_closed: bool = True) -> int:
    """How many rows `ledger_rows` would give (without its joins when nothing is searched)."""
    if search.strip():
        return ledger_query(session_id=session_id, search=search, include_closed=include_closed).order_by().count()
    query = Case.select(fn.COUNT(Case.id))
    if session_id is not None:
        query = query.where(Case.session == session_id)
    if not include_closed:
        query = query.where(Case.status != "已办结")
    return query.scalar() or 0


# ------------------------------------------------------------------- live refresh


def latest_event_id() -> int:
    """The newest event's id (0 on an empty ledger): where a reader's next look starts."""
    return Event.select(fn.MAX(Event.id)).scalar() or 0


def cases_changed_since(event_id: int) -> tuple[list[int], int]:
    """Cases with events after `event_id`, and the newest event id now."""
    rows = list(Event.select(Event.case, Event.id).where(Event.id > event_id).tuples())
    newest = max((eid for _, eid in rows), default=event_id)
    return sorted({case_id for case_id, _ in rows}), newest


def urges_since(day: dt.date, *, session_id: int | None = None) -> int:
    """催办 events recorded on or after `day` (Asia/Shanghai) that were not undone."""
    start = clock.start_of_local_day(day)
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    query = Event.select(fn.COUNT(Event.id)).where((Event.kind == "催办") & (Event.at >= start) & ~(Event.id << undone))
    if session_id is not None:
        query = query.join(Case).where(Case.session == session_id)
    return query.scalar() or 0
