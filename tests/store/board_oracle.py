"""Test oracle: the division board as store/queries/board.py computed it before issue 14
(verbatim copy, with `awaiting_only` from store/queries/common.py), to compare the fast board with."""

from __future__ import annotations

import datetime as dt

from peewee import JOIN, SQL, fn

from store import clock
from store.models import Case, Division, Event
from store.queries.board import ANSWERING_KINDS, OPEN_EXCLUDED, UNASSIGNED, DivisionLoad
from store.queries.common import _all_rules, load_calendar
from store.queries.ledger import _RowView, _as_date
from store.rules import AWAITING_PROPOSER, DEFAULT_RULES, is_stale


def oracle_awaiting_only(case_ids, today) -> set[int]:
    """Of these cases (each with a deadline past due), those whose only steps past due are the
    proposer's evaluation (`store.rules.AWAITING_PROPOSER`): 待评价, not 逾期. Reads the cases whole,
    500 at a time; callers pass only the cases whose next deadline is an evaluation."""
    from store.rules import own_step_overdue

    ids = list(case_ids)
    if not ids:
        return set()
    calendar, rules, found = load_calendar(), _all_rules(), set()
    for start in range(0, len(ids), 500):
        for case in Case.select().where(Case.id.in_(ids[start:start + 500])):
            if not own_step_overdue(case, today, rules.get(case.session_id, DEFAULT_RULES), calendar):
                found.add(case.id)
    return found



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
    waiting = oracle_awaiting_only([row[0] for row in found if row[10] in AWAITING_PROPOSER and row[3] is not None
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
