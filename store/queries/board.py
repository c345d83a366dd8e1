"""The division board (处室督办情况): each division's open, due, overdue and stale cases and
unanswered urges, its drill-down, and what an urge or an urge notice says of each case
(`urge_targets`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, SQL, fn

from store import clock
from store.models import Case, Division, Event, Session, URGE_LEVELS
from store.queries.common import _all_rules, awaiting_only, format_number, load_calendar
from store.queries.ledger import LedgerRow, _RowView, _as_date, _rows_of, ledger_query
from store.rules import AWAITING_PROPOSER, DEFAULT_RULES, is_stale
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


def _unanswered_urges(today: dt.date, open_scope) -> set[int]:
    """Case ids (among open cases matching `open_scope`) whose latest urge went unanswered past
    its respond-by date. One query, driven from the cases so that it reads each one's events
    through the (case, id) index."""
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    latest, urge, answer = Event.alias("latest"), Event.alias("urge"), Event.alias("answer")
    latest_urge = latest.select(fn.MAX(latest.id)).where(
        (latest.case == Case.id) & (latest.kind == "催办") & ~(latest.id << undone)
    )
    urged = Case.select(latest_urge).where(open_scope & (Case.urge_count > 0))
    answered = answer.select(SQL("1")).where(
        (answer.case == urge.case) & (answer.id > urge.id) & (answer.on_date >= urge.on_date)
        & (answer.kind << list(ANSWERING_KINDS)) & ~(answer.id << undone)
    )
    query = urge.select(urge.case).where((urge.id << urged) & (urge.respond_by < today) & ~fn.EXISTS(answered))
    return {case_id for (case_id,) in query.tuples()}


def division_board(*, today: dt.date | None = None, session_id: int | None = None) -> list[DivisionLoad]:
    """The division board: one line a division that has cases (of the session, or all).

    Counted on open cases (status neither 已办结 nor 已反馈), as the ledger's summary bar
    counts them: due within 7 days when 0 ≤ days left ≤ 7 on the next open deadline
    (`Case.next_due`), overdue when it is past, stale by `rules.is_stale`. An urge is
    unanswered when it is the case's latest 催办 still standing (not undone), its respond-by
    date is past, and no event of an answering kind (查办, 询办, 沟通, 汇办意见, 答复, 延期,
    回头看, 办结) was recorded after it, dated on or after it, and not undone.
    A 未分派 line (division_id None) is there while unassigned cases are open.
    Ordered by overdue cases, most first, then by name. Four queries, whatever the size.
    """
    today = today or clock.today()
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
    cases = Case.select(
        Case.id, Case.division, Case.status, Case.next_due, Case.closed_on, Case.next_followup_on,
        Case.last_followup_on, Case.assigned_on, Case.session, Case.next_due_estimated, Case.next_milestone,
    ).where(open_scope)
    unanswered = _unanswered_urges(today, open_scope)
    counts: dict[int | None, list] = {}
    far = dt.date.max
    found = list(Case._meta.database.execute(cases))
    # An evaluation form not back is the proposer's, not the division's: 待评价, never 逾期 (nor to urge).
    waiting = awaiting_only([row[0] for row in found if row[10] in AWAITING_PROPOSER and row[3] is not None
                             and _as_date(row[3]) < today], today)
    for (case_id, division_id, status, due, closed_on, next_followup, last_followup, assigned_on,
         session_id_, estimated, milestone) in found:
        due = _as_date(due)
        line = counts.setdefault(division_id, [0, 0, 0, 0, 0, [], 0])
        line[6] += bool(estimated) and due is not None
        line[0] += 1
        days = None if due is None or case_id in waiting else (due - today).days
        late = days is not None and days < 0
        line[1] += days is not None and 0 <= days <= 7 and milestone not in AWAITING_PROPOSER
        line[2] += late
        view = _RowView(status, closed_on, _as_date(next_followup), _as_date(last_followup), _as_date(assigned_on))
        stale = is_stale(view, today, all_rules.get(session_id_, DEFAULT_RULES))
        line[3] += stale
        line[4] += case_id in unanswered
        if (late or stale) and division_id is not None:
            line[5].append((due or far, case_id))
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
