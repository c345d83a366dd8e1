"""The division board (处室督办情况): each division's open, due, overdue and stale cases and
unanswered urges, its drill-down, and what an urge or an urge notice says of each case
(`urge_targets`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from peewee import JOIN, SQL, SqliteDatabase, fn
from peewee import Case as SqlCase

from store import clock
from store.co_units import LEADING, SPLIT
from store.models import Case, Division, Event, Session, URGE_LEVELS
from store.queries.common import _all_rules, format_number, load_calendar
from store.queries.ledger import LedgerRow, _as_date, _rows_of, ledger_query
from store.rules import AWAITING_PROPOSER, DEFAULT_RULES, own_step_overdue
from store.vocabulary import milestone_label, role_label


# --------------------------------------------------------------------- division board

OPEN_EXCLUDED = ("已办结", "已反馈")
"""Statuses of cases no longer open (as the ledger's summary bar counts them)."""

UNASSIGNED = "未分派"
"""The board's name for cases not yet given to a division."""

ANSWERING_KINDS = ("查办", "询办", "沟通", "汇办意见", "答复", "延期", "回头看", "办结")
"""Events that answer an urge: the division reported or acted, or the office checked."""


@dataclass(frozen=True)
class DivisionLoad:
    """One line of the division board (处室督办情况): a division's open cases and what is late.

    `to_urge` holds the open cases that are overdue or stale, most urgent first: what `u`
    urges in one step. It is empty for the 未分派 line (`division_id` None): a case with no
    division cannot be urged.
    """

    division_id: int | None
    division: str
    open_cases: int
    due_within_7: int
    overdue: int
    stale: int
    unanswered_urges: int
    to_urge: tuple[int, ...] = ()
    estimated: int = 0  # open cases whose next deadline was counted on an estimated year (推算)


# The columns `milestones`, `is_stale` and the item read, as one raw tuple a case (no model objects:
# Peewee's per-field conversion of whole rows cost seconds at 100,000 cases).
_CASE_COLUMNS = ("id", "number", "title", "status", "next_due", "next_milestone", "next_due_estimated",
                 "session_id", "role", "assigned_on", "signed_on", "opinion_sent_on", "units_expected", "co_units",
                 "unit_progress", "extended_due", "replied_on", "first_evaluated_on", "rehandle_started_on",
                 "rehandle_replied_on", "evaluated_on", "evaluation", "form_sent_on", "form_due", "disclosed_on",
                 "review_due", "reviewed_on", "closed_on", "last_followup_on", "next_followup_on")
_DATES = frozenset({"next_due", "assigned_on", "signed_on", "opinion_sent_on", "extended_due", "replied_on",
                    "first_evaluated_on", "rehandle_started_on", "rehandle_replied_on", "evaluated_on",
                    "form_sent_on", "form_due", "disclosed_on", "review_due", "reviewed_on", "closed_on",
                    "last_followup_on", "next_followup_on"})
_JSON = frozenset({"co_units", "unit_progress"})
_CHUNK = 5000  # ids bound in one IN (…): well under SQLite's and PostgreSQL's limits


class _CaseView(SimpleNamespace):
    """A case's columns as `milestones` and `is_stale` read them, from one raw tuple."""


_DATE_AT = tuple(index for index, name in enumerate(_CASE_COLUMNS) if name in _DATES)
_JSON_AT = tuple(index for index, name in enumerate(_CASE_COLUMNS) if name in _JSON)
_ROLE_AT = _CASE_COLUMNS.index("role")
_WITH_UNITS = (LEADING, SPLIT)  # the roles whose co-units `store.co_units` reads (others: never looked at)


def _view(row, division: str | None, body: str | None) -> _CaseView:
    values = list(row)
    for index in _DATE_AT:
        values[index] = _as_date(values[index])
    if values[_ROLE_AT] in _WITH_UNITS:
        for index in _JSON_AT:
            if isinstance(values[index], str):
                values[index] = json.loads(values[index])
    return _CaseView(**dict(zip(_CASE_COLUMNS, values)), division_name=division, session_body=body)


def _case_rows(where, *, joined: bool = True):
    """A `_CaseView` of each case matching `where` (with its division's name and its session's
    body when `joined`), read as raw tuples."""
    columns = [getattr(Case, name if name != "session_id" else "session") for name in _CASE_COLUMNS]
    if not joined:
        for row in Case._meta.database.execute(Case.select(*columns).where(where)):
            yield _view(row, None, None)
        return
    query = Case.select(*columns, Division.name, Session.body).join(
        Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id)).switch(Case).join(
        Session, on=(Case.session == Session.id)).where(where)
    for row in Case._meta.database.execute(query):
        yield _view(row[:-2], row[-2], row[-1])


def _stale_scope(today: dt.date, all_rules: dict) -> object:
    """The SQL condition `rules.is_stale` answers True for, session by session: an open case (not
    已办结 nor 已反馈, not closed) whose planned follow-up date is past, or whose last follow-up (its
    交办 when none) is `stale_days` or more before `today`."""
    by_days: dict[int, list[int]] = {}
    for session_id, rules in all_rules.items():
        by_days.setdefault(rules.stale_days, []).append(session_id)
    default = DEFAULT_RULES.stale_days
    others = [session_id for days, ids in by_days.items() if days != default for session_id in ids]
    quiet = None
    for days in set(by_days) | {default}:
        limit = today - dt.timedelta(days=days)
        long_ago = (Case.last_followup_on <= limit) | (Case.last_followup_on.is_null() & (Case.assigned_on <= limit))
        sessions = (Case.session.not_in(others) if others else SQL("1 = 1")) if days == default else (
            Case.session << by_days[days])
        part = sessions & long_ago
        quiet = part if quiet is None else (quiet | part)
    return (Case.closed_on.is_null() & Case.status.not_in(["已办结", "已反馈"])
            & ((Case.next_followup_on.is_null(False) & (Case.next_followup_on < today)) | quiet))


def _unanswered_by_case(today: dt.date, open_scope) -> dict[int, int | None]:
    """Case id -> division id of the open cases matching `open_scope` whose latest urge went
    unanswered past its respond-by date. One query, driven from the cases: each one's latest urge
    is found walking its events newest first through the (case, id) index."""
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    latest, urge, answer = Event.alias("latest"), Event.alias("urge"), Event.alias("answer")
    latest_urge = latest.select(latest.id).where(
        (latest.case == Case.id) & (latest.kind == "催办") & ~(latest.id << undone)
    ).order_by(latest.id.desc()).limit(1)
    urged = Case.select(latest_urge).where(open_scope & (Case.urge_count > 0))
    answered = answer.select(SQL("1")).where(
        (answer.case == urge.case) & (answer.id > urge.id) & (answer.on_date >= urge.on_date)
        & (answer.kind << list(ANSWERING_KINDS)) & ~(answer.id << undone)
    )
    query = urge.select(urge.case, Case.division).join(Case, on=(urge.case == Case.id)).where(
        (urge.id << urged) & (urge.respond_by < today) & ~fn.EXISTS(answered))
    return dict(Case._meta.database.execute(query))


def _unanswered_urges(today: dt.date, open_scope) -> set[int]:
    """Case ids (among open cases matching `open_scope`) whose latest urge went unanswered past
    its respond-by date (`_unanswered_by_case`)."""
    return set(_unanswered_by_case(today, open_scope))


def _awaiting_only(case_ids: list[int], today: dt.date, all_rules: dict, calendar) -> set[int]:
    """`store.queries.awaiting_only` on plain rows: of these cases, those whose only steps past due
    are the proposer's evaluation."""
    found: set[int] = set()
    for start in range(0, len(case_ids), _CHUNK):
        for case in _case_rows(Case.id << case_ids[start:start + _CHUNK], joined=False):
            if not own_step_overdue(case, today, all_rules.get(case.session_id, DEFAULT_RULES), calendar):
                found.add(case.id)
    return found


_board_lock = threading.Lock()
_boards: dict[tuple, tuple] = {}
"""SQLite: (ledger file, today, session) -> (connection, its data_version, its total_changes, the
board). A board read again on the same connection with nothing committed since (by it or by any
other connection: SQLite's data_version and total_changes say so exactly) is the same board."""


def _unchanged_since() -> tuple | None:
    """(connection, data_version, total_changes) of the current SQLite connection outside a
    transaction; None when nothing may be remembered (PostgreSQL, or inside a transaction)."""
    db = Case._meta.database
    if not isinstance(db.obj, SqliteDatabase) or db.in_transaction():
        return None
    connection = db.connection()
    if connection.in_transaction:
        return None
    (version,) = connection.execute("PRAGMA data_version").fetchone()
    return connection, version, connection.total_changes


def division_board(*, today: dt.date | None = None, session_id: int | None = None) -> list[DivisionLoad]:
    """The division board (`_division_board`), remembered on SQLite until anything is committed."""
    today = today or clock.today()
    stamp = _unchanged_since()
    if stamp is None:
        return _division_board(today, session_id)
    key = (str(Case._meta.database.obj.database), today, session_id)
    with _board_lock:
        known = _boards.get(key)
        if known is not None and known[0] is stamp[0] and known[1:3] == stamp[1:]:
            return list(known[3])
    board = _division_board(today, session_id)
    with _board_lock:
        if len(_boards) >= 16:  # other days, sessions, ledgers (and their connections): let them go
            _boards.clear()
        _boards[key] = (*stamp, tuple(board))
    return board


def _division_board(today: dt.date, session_id: int | None) -> list[DivisionLoad]:
    """The division board: one line a division that has cases (of the session, or all).

    Counted on open cases (status neither 已办结 nor 已反馈), as the ledger's summary bar
    counts them: due within 7 days when 0 ≤ days left ≤ 7 on the next open deadline
    (`Case.next_due`), overdue when it is past, stale by `rules.is_stale`. An urge is
    unanswered when it is the case's latest 催办 still standing (not undone), its respond-by
    date is past, and no event of an answering kind (查办, 询办, 沟通, 汇办意见, 答复, 延期,
    回头看, 办结) was recorded after it, dated on or after it, and not undone.
    A 未分派 line (division_id None) is there while unassigned cases are open.
    Ordered by overdue cases, most first, then by name. SQL counts the open cases a division
    (GROUP BY) and reads only the late and stale ones, whatever the size.
    """
    all_rules = _all_rules()
    scope = (Case.session == session_id) if session_id is not None else SQL("1 = 1")
    divisions = (
        Case.select(Case.division, Division.name)
        .join(Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id))
        .where(scope)
        .group_by(Case.division, Division.name)
        .tuples()
    )
    names = {division_id: name for division_id, name in divisions}
    open_scope = scope & Case.status.not_in(list(OPEN_EXCLUDED))
    soon = today + dt.timedelta(days=7)

    def count(condition):
        return fn.SUM(SqlCase(None, [(condition, 1)], 0))

    counts: dict[int | None, list] = {}
    totals = Case.select(
        Case.division, fn.COUNT(Case.id), count((Case.next_due_estimated == True) & Case.next_due.is_null(False)),  # noqa: E712
        count((Case.next_due >= today) & (Case.next_due <= soon) & Case.next_milestone.not_in(list(AWAITING_PROPOSER))),
    ).where(open_scope).group_by(Case.division)
    for division_id, open_count, estimated, due7 in Case._meta.database.execute(totals):
        counts[division_id] = [open_count, int(due7 or 0), 0, 0, 0, [], int(estimated or 0)]
    stale_scope = _stale_scope(today, all_rules)
    late_or_stale = Case.select(
        Case.id, Case.division, Case.next_due, Case.next_milestone, SqlCase(None, [(stale_scope, 1)], 0),
    ).where(open_scope & ((Case.next_due < today) | stale_scope))
    found = [(case_id, division_id, _as_date(due), milestone, bool(stale)) for case_id, division_id, due, milestone, stale
             in Case._meta.database.execute(late_or_stale)]
    # An evaluation form not back is the proposer's, not the division's: 待评价, never 逾期 (nor to urge).
    forms = [case_id for case_id, _, due, milestone, _ in found
             if milestone in AWAITING_PROPOSER and due is not None and due < today]
    waiting = _awaiting_only(forms, today, all_rules, load_calendar()) if forms else set()
    far = dt.date.max
    for case_id, division_id, due, _milestone, stale in found:
        line = counts.setdefault(division_id, [0, 0, 0, 0, 0, [], 0])  # (a case added between the reads)
        late = due is not None and due < today and case_id not in waiting
        line[2] += late
        line[3] += stale
        if (late or stale) and division_id is not None:
            line[5].append((due or far, case_id))
    for case_id, division_id in _unanswered_by_case(today, open_scope).items():
        counts.setdefault(division_id, [0, 0, 0, 0, 0, [], 0])[4] += 1
    board = []
    for division_id, name in names.items():
        if division_id is None and division_id not in counts:
            continue
        open_count, due7, overdue, stale, urges, to_urge, estimated = counts.get(division_id,
                                                                                [0, 0, 0, 0, 0, [], 0])
        board.append(DivisionLoad(division_id, name or UNASSIGNED, open_count, due7, overdue, stale, urges,
                                  tuple(case_id for _, case_id in sorted(to_urge)), estimated))
    board.sort(key=lambda line: (-line.overdue, line.division, line.division_id is None, line.division_id or 0))
    return board


def division_cases(division_id: int | None, *, today: dt.date | None = None, session_id: int | None = None,
                   include_closed: bool = False, order: str = "deadline") -> list[LedgerRow]:
    """The ledger rows of one division (None: the unassigned cases), most urgent first: the board's drill-down."""
    query = ledger_query(session_id=session_id, order=order, include_closed=include_closed)
    if not include_closed:
        query = query.where(Case.status.not_in(list(OPEN_EXCLUDED)))
    query = query.where(Case.division.is_null() if division_id is None else (Case.division == division_id))
    return _rows_of(query, today or clock.today())


# ------------------------------------------------------------------- urge targets


@dataclass(frozen=True)
class UrgeTarget:
    """A case as an urge and an urge notice (催办通知) speak of it.

    `last_urge_*` describe the latest urge still standing (None: never urged);
    `next_level` and `default_respond_by` what the next urge would say.
    """

    case_id: int
    version: int
    number: str
    kind: str
    title: str
    role: str
    status: str
    division_id: int | None
    division: str
    next_milestone: str
    next_due: dt.date | None
    days_left: int | None
    urge_level: int
    next_level: int
    last_urge_on: dt.date | None
    last_urge_level: int | None
    last_urge_respond_by: dt.date | None
    default_respond_by: dt.date
    estimated: bool = False  # next_due counted through a year whose holidays nobody confirmed (推算)
    body: str = ""  # the session's body (人大 / 政协): which words the notice speaks (store.vocabulary)

    @property
    def label(self) -> str:
        return format_number(self.number)

    @property
    def role_label(self) -> str:
        """The role as the body names it: 汇办 is 会办 on a 政协 case."""
        return role_label(self.role, self.body)


def urge_targets(case_ids, *, today: dt.date | None = None) -> list[UrgeTarget]:
    """The given cases (in the order given; unknown ids left out) with their deadlines and urges.

    A fixed number of queries: the cases, their latest urges, the rules and the calendar.
    """
    today = today or clock.today()
    ids = list(dict.fromkeys(int(case_id) for case_id in case_ids))
    if not ids:
        return []
    calendar = load_calendar()
    all_rules = _all_rules()
    cases = {
        row[0]: row
        for row in Case.select(
            Case.id, Case.version, Case.number, Case.kind, Case.title, Case.role, Case.status, Case.division,
            Division.name, Case.next_milestone, Case.next_due, Case.urge_level, Case.session,
            Case.next_due_estimated, Session.body,
        )
        .join(Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id))
        .switch(Case).join(Session, on=(Case.session == Session.id))
        .where(Case.id << ids)
        .tuples()
    }
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    latest = (
        Event.select(fn.MAX(Event.id))
        .where((Event.kind == "催办") & (Event.case << ids) & ~(Event.id << undone))
        .group_by(Event.case)
    )
    urges = {
        case_id: (on_date, level, respond_by)
        for case_id, on_date, level, respond_by in Event.select(
            Event.case, Event.on_date, Event.level, Event.respond_by
        ).where(Event.id << latest).tuples()
    }
    targets = []
    for case_id in ids:
        if case_id not in cases:
            continue
        (_, version, number, kind, title, role, status, division_id, division, milestone, due, level,
         session_id, estimated, body) = cases[case_id]
        rules = all_rules.get(session_id, DEFAULT_RULES)
        on_date, last_level, respond_by = urges.get(case_id, (None, None, None))
        targets.append(UrgeTarget(
            case_id, version, number, kind, title, role, status, division_id, division or "",
            milestone_label(milestone, body),
            due, None if due is None else (due - today).days, level or 0,
            min((level or 0) + 1, max(URGE_LEVELS)), on_date, last_level, respond_by,
            calendar.add_working_days(today, rules.urge_respond_working_days).day,
            bool(estimated) and due is not None, body,
        ))
    return targets
