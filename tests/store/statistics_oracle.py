"""The test oracle: `session_statistics` as store/statistics.py counted it before the keeper
(issue 14), copied unchanged, so that `store.statistics_keeper` can be checked figure by figure."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from store import clock
from store.form_figures import FORM_EVENT_KINDS, form_figures
from store.models import CONTACT_METHODS, CONTACT_STAGES, EVALUATIONS, Case, Session
from store.rules import DEFAULT_RULES, RuleSet, milestones, sign_due
from store.statistics import (
    ANSWERING_ROLES,
    EVALUATION_MILESTONES,
    FACE_TO_FACE,
    SessionStatistics,
    _standing_events,
    answer_due,
    history_of,
)


def old_session_statistics(session_id: int | None = None, *, today: dt.date | None = None) -> SessionStatistics:
    """Counts by role, status, class and evaluation history; on-time rates; contact made."""
    from store.queries import (  # queries re-exports this module
        _all_rules,
        load_calendar,
    )

    today = today or clock.today()
    query = Case.select().order_by(Case.id)  # in id order: ties among the topics come out the same everywhere
    session = Session.get_or_none(Session.id == session_id) if session_id is not None else None
    if session_id is not None:
        query = query.where(Case.session == session_id)
    cases = list(query)
    all_rules = _all_rules()
    calendar = load_calendar()
    events = _standing_events(session_id, ("评价", "答复", "更正", "沟通", *FORM_EVENT_KINDS))
    by_case: dict[int, list] = {}
    for event in events:
        if event.kind != "沟通":
            by_case.setdefault(event.case_id, []).append(event)
    contacts = [event for event in events if event.kind == "沟通"]
    contacted_ids = {event.case_id for event in contacts}
    face_ids = {event.case_id for event in contacts if event.method in FACE_TO_FACE}

    def rules_of(case) -> RuleSet:
        return all_rules.get(case.session_id, DEFAULT_RULES)

    transferred = {c.id for c in cases if c.status == "已办结" and c.signed_on is None}
    in_scope = [c for c in cases if c.status != "申请调整" and c.id not in transferred]
    signed = [c for c in in_scope if c.signed_on is not None]
    signed_on_time = sum(1 for c in signed if c.signed_on <= sign_due(c, rules_of(c), calendar))
    unsigned = [c for c in in_scope if c.signed_on is None]
    sign_overdue = sum(1 for c in unsigned if today > sign_due(c, rules_of(c), calendar))
    answered = answered_on_time = answer_overdue = 0
    for c in in_scope:
        done = c.opinion_sent_on if c.role == "汇办" else c.replied_on
        due = answer_due(c, rules_of(c), calendar)
        if done is not None:
            answered += 1
            answered_on_time += done <= due
        elif today > due:
            answer_overdue += 1
    answering = [c for c in cases if c.role in ANSWERING_ROLES and c.id not in transferred]
    histories = {c.id: history_of(c, by_case.get(c.id, ()), rules_of(c), calendar) for c in answering}
    evaluated = [h for h in histories.values() if h.verdicts]
    rounds = [r for h in histories.values() for r in h.rounds]
    round_states = Counter(r.state(today) for r in rounds)
    replied = [c for c in cases if c.role != "汇办" and c.replied_on is not None]
    awaiting, awaiting_overdue = _awaiting_evaluation(replied, histories, rules_of, calendar, today)
    topics = Counter(c.topic for c in cases if c.topic)
    return SessionStatistics(
        session=session.name if session else "全部届次",
        body=session.body if session else "",
        year=session.year if session else None,
        received=len(cases),
        by_role={role: sum(1 for c in cases if c.role == role) for role in ("主办", "承办", "分办", "汇办")},
        by_status=dict(Counter(c.status for c in cases)),
        signed=len(signed),
        signed_on_time=signed_on_time,
        answered=answered,
        answered_on_time=answered_on_time,
        to_answer=len(in_scope),
        needing_evaluation=len(answering),
        evaluations_received=len(evaluated),
        by_evaluation={name: sum(1 for h in evaluated if h.latest.evaluation == name) for name in EVALUATIONS},
        by_class={k: sum(1 for c in replied if c.result_class == k) for k in ("A", "B", "C", "D")},
        disclosure={k: sum(1 for c in replied if c.disclosure == k) for k in ("公开", "部分公开", "不公开")},
        replies_to_disclose=len(replied),
        face_to_face=sum(1 for c in answering if c.id in face_ids),
        contacted=len(contacted_ids),
        overdue_open=_overdue_open(cases, rules_of, calendar, today),
        topics=tuple(name for name, _ in topics.most_common(6)),
        transferred=len(transferred),
        today=today,
        sign_overdue=sign_overdue,
        sign_pending=len(unsigned) - sign_overdue,
        answer_overdue=answer_overdue,
        answer_pending=len(in_scope) - answered - answer_overdue,
        extension_late=sum(1 for c in in_scope if c.role != "汇办" and c.extension_late),
        answering=len(answering),
        first_by_evaluation={name: sum(1 for h in evaluated if h.first.evaluation == name) for name in EVALUATIONS},
        ever_dissatisfied=sum(1 for h in evaluated if h.ever_dissatisfied),
        first_dissatisfied=sum(1 for h in evaluated if h.first.evaluation == "不满意"),
        after_rehandling=dict(Counter(h.outcome() for h in evaluated if h.ever_dissatisfied)),
        rehandle_rounds=len(rounds),
        rehandle_on_time=round_states.get("按时", 0),
        rehandle_late=round_states.get("逾期", 0),
        rehandle_overdue=round_states.get("逾期未答复", 0),
        rehandle_pending=round_states.get("未到期", 0),
        awaiting_evaluation=awaiting,
        awaiting_evaluation_overdue=awaiting_overdue,
        contacts_by_method={m: sum(1 for e in contacts if e.method == m) for m in CONTACT_METHODS},
        contacts_by_stage={s: sum(1 for e in contacts if e.stage == s) for s in CONTACT_STAGES},
        replied_without_contact=sum(1 for c in answering if c.replied_on is not None and c.id not in contacted_ids),
        forms=form_figures(answering, events, today),
    )


def _awaiting_evaluation(replied, histories, rules_of, calendar, today) -> tuple[int, int]:
    """评价未返回: replied (or replied again) and no 评价 since; and how many are past the chase date."""
    awaiting = overdue = 0
    for case in replied:
        history = histories.get(case.id)
        if history is None or case.status == "重新办理":
            continue
        latest_reply = case.rehandle_replied_on or case.replied_on
        latest = history.latest
        if latest is not None and (latest.on is None or latest.on >= latest_reply) and (
                latest.evaluation != "不满意" or not history.rounds or history.rounds[-1].replied_on is None):
            continue
        awaiting += 1
        chase = [m for m in milestones(case, rules_of(case), calendar)
                 if m.label in EVALUATION_MILESTONES and not m.done]
        overdue += any(today > m.due for m in chase)
    return awaiting, overdue


def _overdue_open(cases, rules_of, calendar, today) -> int:
    """Open cases with a step of the bureau's own past due; an awaited evaluation form is not one."""
    count = 0
    for case in cases:
        if case.status == "已办结" or case.closed_on is not None or case.next_due is None or case.next_due >= today:
            continue
        if case.next_milestone not in EVALUATION_MILESTONES:
            count += 1
        elif any(not m.done and m.due < today and m.label not in EVALUATION_MILESTONES
                 for m in milestones(case, rules_of(case), calendar)):
            count += 1
    return count
