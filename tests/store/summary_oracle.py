"""The test oracle: `summary_figures` as store/summary_figures.py counted it before the keeper
(issue 14: every case of the session as a model, every standing event read), copied unchanged
but for its statistics (`statistics_oracle.old_session_statistics`), so that the keeper's
summary facts can be checked figure by figure."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from statistics_oracle import old_session_statistics

from store import clock
from store.co_units import expected_units, unit_states
from store.models import CONTACT_METHODS, CONTACT_STAGES, Case, Person
from store.rules import unit_opinion_due
from store.statistics import ANSWERING_ROLES, _standing_events
from store.summary_figures import FOLLOW_UP_COUNTED, SummaryFigures, TypicalCase
from store.weekly import REVIEW_KEY


def old_summary_figures(session_id: int, *, today: dt.date | None = None) -> SummaryFigures:
    """Every count of 二 and 四 for one session, from its cases and their standing events."""
    from store.queries import load_calendar, rules_for

    today = today or clock.today()
    stats = old_session_statistics(session_id, today=today)
    cases = list(Case.select().where(Case.session == session_id).order_by(Case.number))
    people = {pid: (name, title or "局领导") for pid, name, title in
              Person.select(Person.id, Person.name, Person.title).tuples()}
    leaders = Counter(people[c.leader_id] for c in cases if c.leader_led and c.leader_id in people)
    transferred = {c.id for c in cases if c.status == "已办结" and c.signed_on is None}
    in_scope = [c for c in cases if c.status != "申请调整" and c.id not in transferred]
    assigned = [c for c in in_scope if c.division_id is not None and c.owner_id is not None]

    events = _standing_events(session_id, ("查办", "询办", "催办", "沟通"))
    contacts = [e for e in events if e.kind == "沟通"]
    weeks = {str(e.data.get(REVIEW_KEY)) for e in events
             if e.kind == "查办" and isinstance(e.data, dict) and e.data.get(REVIEW_KEY)}

    rules, calendar = rules_for(session_id), load_calendar()
    led = [c for c in cases if c.role == "主办" and expected_units(c)]
    states = [s for c in led for s in unit_states(c, today, unit_opinion_due(c, rules, calendar))]
    forms = [c for c in cases if c.form_sent_on is not None]
    out = [c for c in forms if c.form_returned_on is None]
    answering = [c for c in cases if c.role in ANSWERING_ROLES and c.id not in transferred]
    return SummaryFigures(
        stats=stats,
        cases=len(cases),
        leader_led=sum(1 for c in cases if c.leader_led),
        leaders=tuple((name, title, count) for (name, title), count in
                      sorted(leaders.items(), key=lambda kv: (-kv[1], kv[0]))),
        in_scope=len(in_scope),
        assigned=len(assigned),
        assigned_with_post=sum(1 for c in assigned if c.post.strip()),
        divisions=len({c.division_id for c in in_scope if c.division_id is not None}),
        owners=len({c.owner_id for c in in_scope if c.owner_id is not None}),
        weekly_reviews=len(weeks),  # a week counts when a case was checked in it, not when its list was opened
        weekly_checks=sum(1 for e in events if e.kind == "查办" and isinstance(e.data, dict)
                          and e.data.get(REVIEW_KEY)),
        follow_ups={kind: sum(1 for e in events if e.kind == kind) for kind in FOLLOW_UP_COUNTED},
        contacts=len(contacts),
        contacts_by_method={m: sum(1 for e in contacts if e.method == m) for m in CONTACT_METHODS},
        contacts_by_stage={s: sum(1 for e in contacts if e.stage == s) for s in CONTACT_STAGES},
        led_with_units=len(led),
        units_expected=sum(c.units_expected for c in led),
        units_received=sum(c.units_received for c in led),
        units_signed_off=sum(1 for s in states if s.signed_off_on is not None),
        units_late=sum(1 for s in states if s.late),
        replied_early=sum(1 for c in led if c.reply_early_reason.strip() and c.replied_on is not None),
        review_pending=sum(1 for c in answering if c.review_due is not None),
        review_due=sum(1 for c in answering if c.review_due is not None and c.review_due <= today),
        forms_sent=len(forms),
        forms_out=len(out),
        forms_out_overdue=sum(1 for c in out if c.form_due is not None and today > c.form_due),
        typical=tuple(TypicalCase(c.id, c.number, c.title, c.role, c.replied_on, c.reply_doc_no, c.result_class,
                                  c.reply_summary, c.typical_note)
                      for c in cases if c.is_typical and c.role in ANSWERING_ROLES),
        signer=old_bureau_name(session_id),
    )


def old_bureau_name(session_id: int | None) -> str:
    """The bureau as its 主办/承办 cases name it (the most frequent 主办单位): the session's
    cases first, else the whole ledger's; "" when no case names it."""
    if session_id is not None:
        name = _most_named(Case.session == session_id)
        if name:
            return name
    return _most_named(None)


def _most_named(scope) -> str:
    query = Case.select(Case.lead_unit).where(Case.role << ["主办", "承办"])
    if scope is not None:
        query = query.where(scope)
    names = Counter(unit.strip() for (unit,) in query.tuples() if unit and unit.strip())
    return min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0] if names else ""
