"""The 台账: its one SELECT (`ledger_query`), its rows (`ledger_rows`, `LedgerRow`), its count,
and what the live refresh asks (which cases changed since an event, urges since a day).
"""

from __future__ import annotations

import datetime as dt
from itertools import chain
from typing import NamedTuple

from peewee import JOIN, SQL, PostgresqlDatabase, fn

from store import clock
from store.co_units import progress_text
from store.models import Case, Division, Event, Person, Proposer, Session
from store.queries.common import awaiting_only, format_number, load_calendar
from store.rules import AWAITING_PROPOSER, DEFAULT_RULES, RuleSet, counts_working_days, due_countdown
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
    """The ledger's one SELECT (not executed): the cases' own columns, in `order`.

    The session, proposer, division and owner come as ids: `_rows_of` names them from the few
    rows of those tables (100,000 joined names cost the read a fifth of its time). The tables
    are joined only where a search or the division order reads their names."""
    text = (search or "").strip()
    query = Case.select(
        Case.id, Case.version, Case.session, Case.number, Case.title, Case.lead_proposer, Case.role,
        Case.division, Case.owner, Case.status, Case.next_milestone, Case.next_due,
        Case.last_followup_on, Case.urge_count, Case.urge_level, Case.assigned_on,
        Case.next_followup_on, Case.closed_on, Case.next_due_estimated, Case.units_expected, Case.units_received,
    ).join(Session, on=(Case.session == Session.id))
    owner = Person.alias()
    if text or order == "division":
        query = query.switch(Case).join(Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id))
    if text:
        query = (query.switch(Case).join(Proposer, JOIN.LEFT_OUTER, on=(Case.lead_proposer == Proposer.id))
                 .switch(Case).join(owner, JOIN.LEFT_OUTER, on=(Case.owner == owner.id)))
    if session_id is not None:
        query = query.where(Case.session == session_id)
    if not include_closed:
        query = query.where(Case.status != "已办结")
    if text:
        number = text.strip("第号")
        query = query.where(
            Case.number.contains(number) | Case.title.contains(text) | Proposer.name.contains(text)
            | Division.name.contains(text) | owner.name.contains(text)
        )
    return query.order_by(*_ORDERS.get(order, _ORDERS["deadline"])())


class _RowView:
    """The attributes `is_stale` reads, from one tuple of the ledger query (the tests' oracles use it)."""

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
    """Run a `ledger_query` and build its rows (two more queries: rules and calendar).

    One pass over the raw cursor, with every per-value figure remembered for the read: a ledger
    holds a few thousand distinct dates and a few dozen milestones, sessions and roles, so each
    date is parsed, each countdown said and each label looked up once, not once a row. The
    rules are the ones `is_stale`, `due_countdown`, `milestone_label` and `progress_text` apply
    (tests/store/test_ledger_rows_fast.py holds the rows against them, case by case).
    """
    calendar = load_calendar()
    new, row_type, awaiting_labels = tuple.__new__, LedgerRow, AWAITING_PROPOSER
    # one copy of each repeated value: about 55 MB less at 100,000 rows
    share = {}.setdefault
    dates: dict = {}  # stored day -> the shared date
    plain_due: dict = {}  # stored day -> (date, days left, None, countdown)
    working_due: dict = {}  # stored day -> (date, days left, working days left, countdown)
    milestones: dict = {}  # (stored milestone, body) -> (label, counts working days, the proposer's form)
    cutoffs: dict = {}  # session id -> the last day of follow-up that is stale today
    units: dict = {}  # (role, expected, received, body) -> 汇办意见 2/3 …
    rows: list = []
    late_forms: list = []  # (index, case id): an evaluation form past due, maybe only that
    append = rows.append

    def day_of(value):
        found = dates.get(value)
        if found is None and value is not None:
            day = _as_date(value)
            found = dates[value] = share(day, day)
        return found

    # The raw cursor: Peewee's per-field conversion costs seconds at 100,000 rows.
    cursor = Case._meta.database.execute(query)
    first = cursor.fetchmany(_FEW)
    whole = len(first) == _FEW  # more rows to come: name them from whole tables, read while the cursor is open
    all_rules, sessions, proposers, divisions, people = _sessions_and_names(None if whole else first)
    for (case_id, version, session_id_, number, title, proposer, role, division, owner, status,
         milestone, due, last_followup, urges, level, assigned_on, next_followup, closed_on,
         estimated, units_expected, units_received) in (chain(first, cursor) if whole else first):
        session_name, body = sessions.get(session_id_, _NO_SESSION)
        named = milestones.get((milestone, body))
        if named is None:
            label = milestone_label(milestone, body)
            label = share(label, label)
            named = milestones[(milestone, body)] = (label, counts_working_days(label), label in awaiting_labels)
        label, by_working_days, proposers_form = named
        status = share(status, status)
        if due is None:
            days = working = None
            countdown = "已办结" if status == "已办结" else ("已反馈" if status == "已反馈" else "—")
        else:
            memo = working_due if by_working_days else plain_due
            figures = memo.get(due)
            if figures is None:
                day = day_of(due)
                working = calendar.count_working_days(today, day) if by_working_days else None
                countdown = due_countdown(day, today, working_days=by_working_days, calendar=calendar)
                figures = memo[due] = (day, (day - today).days, working, share(countdown, countdown))
            due, days, working, countdown = figures
            if proposers_form and days < 0:
                late_forms.append((len(rows), case_id))
        last_followup = day_of(last_followup)
        if closed_on is not None or status == "已办结" or status == "已反馈":
            stale = False
        elif next_followup is not None and day_of(next_followup) < today:
            stale = True
        else:
            cutoff = cutoffs.get(session_id_)
            if cutoff is None:
                cutoff = cutoffs[session_id_] = today - dt.timedelta(
                    days=all_rules.get(session_id_, DEFAULT_RULES).stale_days)
            stale = (last_followup if last_followup is not None else day_of(assigned_on)) <= cutoff
        if units_expected:
            key = (role, units_expected, units_received or 0, body)
            progress = units.get(key)
            if progress is None:
                progress = units[key] = share(text := progress_text(*key), text)
        else:
            progress = ""
        append(new(row_type, (
            case_id, version, session_name, number, title, proposers.get(proposer) or "", share(role, role),
            divisions.get(division) or "", people.get(owner) or "", status, label, due, days, working, countdown,
            last_followup, urges, level, stale, due is not None and bool(estimated), body, progress, False)))
    if late_forms:  # a few cases: read whole to see whether a step of the bureau's own is late as well
        waiting = awaiting_only([case_id for _, case_id in late_forms], today)
        for index, case_id in late_forms:
            if case_id in waiting:
                rows[index] = rows[index]._replace(awaiting_proposer=True)
    return rows


_FEW = 300
"""Rows read before `_rows_of` decides how to name them: fewer, by their ids (at most 900 of them
in one query, under SQLite's oldest limit of 999 parameters); more, from whole tables."""

_NO_SESSION = (None, None)


def _sessions_and_names(rows: list | None) -> tuple[dict, dict, dict, dict, dict]:
    """Each session's rules (as `_all_rules`) and (name, body); the proposers', divisions' and people's names.

    One query whatever the rows: every session, and the proposers, divisions and people named in
    `rows` (raw ledger-query tuples), or every one of them (None). Read raw like the cases, so each
    name is the very value a join would have given; one copy a name."""
    kinds = [Session.select(SQL("0"), Session.id, Session.name, Session.body, Session.rules)]
    for kind, (model, column) in enumerate(((Proposer, 5), (Division, 7), (Person, 8)), start=1):
        query = model.select(SQL(str(kind)), model.id, model.name, SQL("NULL"), SQL("NULL"))
        if rows is not None:
            query = query.where(model.id.in_(sorted({row[column] for row in rows if row[column] is not None})))
        kinds.append(query)
    union = kinds[0]
    for query in kinds[1:]:
        union = union + query  # UNION ALL
    rules, found = {}, ({}, {}, {}, {})
    stored_rules = Session.rules.python_value
    for kind, key, name, body, overrides in Case._meta.database.execute(union):
        if kind == 0:
            found[0][key] = (name, body)
            rules[key] = RuleSet.from_overrides(stored_rules(overrides))
        else:
            found[kind][key] = name
    return rules, found[0], found[1], found[2], found[3]


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
