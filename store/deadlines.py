"""The ledger's cached next deadline (`Case.next_due`, `next_milestone`,
`next_due_estimated`): set by every action, and recomputed for many cases at once when
something every deadline depends on changes — the calendar or a session's rules.

A calendar or rule change calls `recompute_next_due` inside its own transaction, so the
ledger, the division board, the weekly checklist, the statistics and the case card never
disagree on a date.
"""

from __future__ import annotations

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


def recompute_next_due(session_id: int | None = None) -> int:
    """Recompute the cached next deadline of every open case (of one session, if given).

    Call it inside the transaction that changed the calendar or the rules. Returns how many
    cases got a different deadline; only those rows are written.
    """
    from store.queries import _all_rules, load_calendar

    calendar = load_calendar()
    rules = _all_rules()
    query = Case.select().where(Case.closed_on.is_null(True) & (Case.status != "已办结"))
    if session_id is not None:
        query = query.where(Case.session == session_id)
    changed = []
    for case in query.iterator():
        if apply_next_open(case, rules.get(case.session_id, RuleSet()), calendar):
            changed.append(case)
    for start in range(0, len(changed), 500):
        Case.bulk_update(changed[start:start + 500], fields=[Case.next_due, Case.next_milestone,
                                                             Case.next_due_estimated])
    return len(changed)
