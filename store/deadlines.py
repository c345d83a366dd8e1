"""The ledger's cached next deadline (`Case.next_due`, `next_milestone`,
`next_due_estimated`): set by every action, and recomputed for many cases at once when
something every deadline depends on changes — the calendar or a session's rules.

A calendar or rule change calls `recompute_next_due` inside its own transaction, so the
ledger, the division board, the weekly checklist, the statistics and the case card never
disagree on a date.
"""

from __future__ import annotations

from collections import defaultdict

from store.calendar import WorkCalendar
from store.models import Case
from store.rules import RuleSet, next_open

CACHE_FIELDS = ("next_due", "next_milestone", "next_due_estimated")


def apply_next_open(case: Case, rules: RuleSet, calendar: WorkCalendar) -> bool:
    """Set the case's cached next deadline; True when any of the three values changed."""
    milestone = next_open(case, rules, calendar)
    values = (
        (milestone.due, milestone.label, milestone.estimated) if milestone else (None, "", False)
    )
    changed = tuple(getattr(case, name) for name in CACHE_FIELDS) != values
    case.next_due, case.next_milestone, case.next_due_estimated = values
    return changed


def recompute_next_due(session_id: int | None = None, *, calendar_change: bool = False) -> int:
    """Recompute the cached next deadline of every open case (of one session, if given).

    Call it inside the transaction that changed the calendar or the rules; returns how many
    cases got a different deadline, and only those rows are written. Rows are read as plain
    values, not model objects (44,000 open cases: about 3 s instead of 19 s on a loaded
    machine), and grouped by their new values into a few `UPDATE … WHERE id IN (…)`.

    `calendar_change`: only the cases whose deadlines can depend on the calendar are read —
    those replied (评价, 再次评价 and 公开 count working days after the reply) and those of a
    session whose deadlines roll to the next working day. A milestone counted in working days
    before the reply would have to be added to that condition.
    """
    from store.queries import _all_rules, load_calendar

    query = Case.select().where(Case.closed_on.is_null(True) & (Case.status != "已办结"))
    if session_id is not None:
        query = query.where(Case.session == session_id)
    _lock_in_id_order(query)  # first: the calendar and rules below are read once no one else holds a case
    calendar = load_calendar()
    rules = _all_rules()
    if calendar_change:
        rolling = [sid for sid, rule in rules.items() if rule.roll_to_working_day]
        depends = Case.replied_on.is_null(False)
        if rolling:
            depends |= Case.session.in_(rolling)
        query = query.where(depends)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for case_id, _cached, values in _differences(query, rules, calendar):
        groups[values].append(case_id)
    for (due, label, estimated), ids in groups.items():
        for start in range(0, len(ids), 500):
            Case.update(next_due=due, next_milestone=label, next_due_estimated=estimated).where(
                Case.id.in_(ids[start:start + 500])).execute()
    return sum(len(ids) for ids in groups.values())


def _lock_in_id_order(query) -> None:
    """On PostgreSQL, lock every case `query` names, in ascending id, before anything is read.

    Every write that holds several cases takes them in id order (`urge_cases`, the importer),
    so two recomputes, or a recompute and a batch urge, never wait on each other in a circle.
    Locking all the open cases — not only those the calendar touches — also means a case
    another workstation changed while this transaction waited (a reply that makes its deadline
    depend on the calendar) is read as committed, not as it was, and one changed afterwards is
    written after this commit, with the new calendar and rules. SQLite's BEGIN IMMEDIATE already
    holds the whole ledger. The calendar and the rules are read after this, so a recompute that
    waited here for another calendar or rule change counts on what that change committed."""
    from peewee import SqliteDatabase

    from store.db import database

    if isinstance(database.obj, SqliteDatabase):
        return
    for _ in query.select(Case.id).order_by(Case.id).for_update().tuples():
        pass


def _differences(query, rules: dict[int, RuleSet], calendar: WorkCalendar):
    """(case id, cached values, recomputed values) for each case of `query` whose cached next
    deadline is not what `next_open` gives now; reads only."""
    from types import SimpleNamespace

    for row in query.dicts().iterator():
        case = SimpleNamespace(**row, session_id=row["session"])
        milestone = next_open(case, rules.get(row["session"], RuleSet()), calendar)
        values = (milestone.due, milestone.label, milestone.estimated) if milestone else (None, "", False)
        cached = (row["next_due"], row["next_milestone"], bool(row["next_due_estimated"]))
        if cached != values:
            yield row["id"], cached, values


def stale_next_due() -> list[tuple[int, tuple, tuple]]:
    """Every case, open or closed, whose cached next deadline differs from its recomputed value:
    (case id, (next_due, next_milestone, next_due_estimated) as cached, as recomputed). Writes
    nothing (`duban check`); the values are those `apply_next_open` and `recompute_next_due` set."""
    from store.queries import _all_rules, load_calendar

    return list(_differences(Case.select().order_by(Case.id), _all_rules(), load_calendar()))
