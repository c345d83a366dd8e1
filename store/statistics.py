"""统计: the figures of one session (or all) behind the statistics screen and the year's summary.

Every figure is counted as of one day (`today`, 截至) and says which cases it counts:

- 签收: signed on time over signed plus unsigned past the sign-for deadline; unsigned cases
  not yet due are counted apart. Cases whose re-assignment is pending (申请调整) or was
  granted (同意调整, closed unsigned) are left out.
- 答复: replies (主办/承办/分办) and 汇办 opinions made on time over those made plus those
  past due and not made; not yet due apart. A reply under an extension recorded after its
  deadline (`Case.extension_late`) is measured against the original deadline.
- 重新办理: each 不满意 starts a round with its own deadline; its new reply is on time or late
  against that deadline, and the rounds are counted in the on-time figures.
- 评价: the evaluation history of each case (every 评价 still standing, with its corrections,
  and the new replies between them) — first evaluation, latest, re-evaluations — so that a
  不满意 stays counted after the case is answered again; the forms (征询意见表): store.form_figures.
- 面商率: cases with face-to-face contact over the cases in which the bureau answers the
  proposer (主办/承办/分办, not 汇办); contacts counted by method and by stage.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from store import clock
from store.figures import stored_date as _day
from store.form_figures import FORM_EVENT_KINDS, FormFigures, form_figures
from store.models import CONTACT_METHODS, CONTACT_STAGES, EVALUATIONS, Case, Event, Session
from store.rules import (
    AWAITING_PROPOSER,
    DEFAULT_RULES,
    RuleSet,
    add_months,
    milestones,
    opinion_due,
    reply_due,
    roll_forward,
    sign_due,
)

FACE_TO_FACE = ("上门拜访", "座谈面商", "共同调研")
ANSWERING_ROLES = ("主办", "承办", "分办")
"""Roles in which the bureau answers the proposer (汇办 sends its opinion to the lead unit)."""
EVALUATION_MILESTONES = AWAITING_PROPOSER  # the proposer's evaluation: 待评价, never 逾期 (store/rules.py)


@dataclass(frozen=True)
class Verdict:
    """One 评价 received: what the proposer said and on which day."""

    evaluation: str
    on: dt.date | None


@dataclass(frozen=True)
class Rehandling:
    """重新办理: one round after a 不满意, with its own deadline and the new reply (if made)."""

    started_on: dt.date
    due: dt.date
    replied_on: dt.date | None = None

    def state(self, today: dt.date) -> str:
        """按时 / 逾期 (replied), 逾期未答复 / 未到期 (not yet)."""
        if self.replied_on is not None:
            return "按时" if self.replied_on <= self.due else "逾期"
        return "逾期未答复" if today > self.due else "未到期"


@dataclass(frozen=True)
class EvaluationHistory:
    """Every evaluation a case received, in order, and the re-handling rounds between them."""

    verdicts: tuple[Verdict, ...] = ()
    rounds: tuple[Rehandling, ...] = ()

    @property
    def first(self) -> Verdict | None:
        return self.verdicts[0] if self.verdicts else None

    @property
    def latest(self) -> Verdict | None:
        return self.verdicts[-1] if self.verdicts else None

    @property
    def ever_dissatisfied(self) -> bool:
        return any(v.evaluation == "不满意" for v in self.verdicts)

    def outcome(self) -> str:
        """After a 不满意: 满意 / 基本满意 (re-evaluated), 待再次评价, 重新办理中; "" if never 不满意."""
        if not self.ever_dissatisfied:
            return ""
        if self.rounds and self.rounds[-1].replied_on is None:
            return "重新办理中"
        if self.latest.evaluation == "不满意":
            return "待再次评价"
        return self.latest.evaluation


def _rolled(day: dt.date, rules: RuleSet, calendar) -> dt.date:
    return roll_forward(day, calendar).day if rules.roll_to_working_day else day


def rehandle_due(started_on: dt.date, rules: RuleSet, calendar) -> dt.date:
    """重新办理期限: the rule's months after the 不满意 (as the 重办答复 milestone counts it)."""
    return _rolled(add_months(started_on, rules.rehandle_months), rules, calendar)


def answer_due(case, rules: RuleSet, calendar) -> dt.date:
    """The deadline a reply (or a 汇办 opinion) is measured against in the figures: an extension
    recorded after its deadline does not move it (the original 交办 + reply months stands)."""
    if case.role == "汇办":
        return opinion_due(case, rules, calendar)
    if getattr(case, "extension_late", False):
        return _rolled(add_months(case.assigned_on, rules.reply_months), rules, calendar)
    return reply_due(case, rules, calendar)


def history_of(case, events, rules: RuleSet = DEFAULT_RULES, calendar=None) -> EvaluationHistory:
    """A case's evaluation history from its standing 评价 / 答复 / 更正 events (in id order),
    or, for a case written without them (bulk data), from its own fields."""
    items: list[list] = []  # ["评价", evaluation, day] or ["答复", day]
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        after = data.get("after") or {}
        if event.kind == "评价" and after.get("evaluation"):
            items.append(["评价", after["evaluation"], _day(after.get("evaluated_on")) or event.on_date])
        elif event.kind == "答复" and after.get("rehandle_replied_on"):
            items.append(["答复", _day(after["rehandle_replied_on"])])
        elif event.kind == "更正" and data.get("corrects") == "评价":
            last = next((item for item in reversed(items) if item[0] == "评价"), None)
            if last is not None:
                last[1] = after.get("evaluation") or last[1]
                last[2] = _day(after["evaluated_on"]) if after.get("evaluated_on") else last[2]
        elif event.kind == "更正" and data.get("corrects") == "重新答复" and after.get("rehandle_replied_on"):
            last = next((item for item in reversed(items) if item[0] == "答复"), None)
            if last is not None:
                last[1] = _day(after["rehandle_replied_on"])
    said = [item for item in items if item[0] == "评价"]
    if case.replied_on is None:
        items = []  # no reply, nothing to evaluate (whatever an old event says)
    elif not said or (case.evaluation and case.evaluation != said[-1][1]) or (
            case.first_evaluation and case.first_evaluation != said[0][1]):
        items = _items_from_fields(case)  # no events, or the case's own fields say otherwise: they stand
    verdicts, rounds = [], []
    for item in items:
        if item[0] == "评价":
            verdicts.append(Verdict(item[1], item[2]))
            if item[1] == "不满意" and item[2] is not None:
                rounds.append([item[2], None])
        elif rounds and rounds[-1][1] is None:
            rounds[-1][1] = item[1]
    return EvaluationHistory(
        tuple(verdicts),
        tuple(Rehandling(start, rehandle_due(start, rules, calendar), replied) for start, replied in rounds),
    )


def _items_from_fields(case) -> list[list]:
    """The history as the case's own fields tell it: the first 评价, the latest 不满意 and its new
    reply, the evaluation standing now."""
    items: list[list] = []
    first = getattr(case, "first_evaluation", "") or ""
    if first:
        items.append(["评价", first, getattr(case, "first_evaluated_on", None)])
    if case.rehandle_started_on is not None and not (items and items[-1][2] == case.rehandle_started_on):
        items.append(["评价", "不满意", case.rehandle_started_on])
    if case.rehandle_replied_on is not None:
        items.append(["答复", case.rehandle_replied_on])
    now = case.evaluation and (case.evaluation, case.evaluated_on)
    if now and not (items and items[-1][0] == "评价" and (items[-1][1], items[-1][2]) == now) and not (
            case.evaluation == "不满意" and case.evaluated_on == case.rehandle_started_on):
        items.append(["评价", case.evaluation, case.evaluated_on])
    return items


def _standing_events(session_id: int | None, kinds) -> list:
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    query = Event.select(Event.id, Event.case, Event.kind, Event.on_date, Event.data, Event.method, Event.stage)
    query = query.where((Event.kind << list(kinds)) & ~(Event.id << undone))
    if session_id is not None:
        query = query.join(Case, on=(Event.case == Case.id)).where(Case.session == session_id)
    return list(query.order_by(Event.id))


@dataclass(frozen=True)
class SessionStatistics:
    """The figures of one session (or all), as of `today`: what the year's summary reports."""

    session: str
    body: str
    year: int | None
    received: int
    by_role: dict[str, int]
    by_status: dict[str, int]
    signed: int
    signed_on_time: int
    answered: int  # replies (主/承/分) and 汇办 opinions made
    answered_on_time: int
    to_answer: int  # cases that must be answered (all but those whose re-assignment is pending or granted)
    needing_evaluation: int
    evaluations_received: int  # cases with at least one 评价
    by_evaluation: dict[str, int]  # by the latest 评价 received
    by_class: dict[str, int]
    disclosure: dict[str, int]
    replies_to_disclose: int
    face_to_face: int  # 主办/承办/分办 cases with face-to-face contact
    contacted: int  # cases of any role with contact
    overdue_open: int  # open cases with a step of the bureau's past due (an evaluation form awaited is not one)
    topics: tuple[str, ...]
    transferred: int = 0  # 同意调整: closed without being signed for, not ours to answer
    today: dt.date | None = None  # 截至: the day every figure is counted to
    sign_overdue: int = 0  # not signed for, past the deadline
    sign_pending: int = 0  # not signed for, not yet due
    answer_overdue: int = 0  # not answered, past the deadline
    answer_pending: int = 0  # not answered, not yet due
    extension_late: int = 0  # extensions recorded after their deadline (their replies count late)
    answering: int = 0  # 主办/承办/分办 cases (not transferred): the 面商率's denominator
    first_by_evaluation: dict[str, int] = field(default_factory=dict)  # by the first 评价
    ever_dissatisfied: int = 0  # cases that received a 不满意 at some point
    first_dissatisfied: int = 0  # … as their first 评价
    after_rehandling: dict[str, int] = field(default_factory=dict)  # 满意/基本满意/待再次评价/重新办理中
    rehandle_rounds: int = 0  # 不满意 rounds (a case may have two)
    rehandle_on_time: int = 0
    rehandle_late: int = 0
    rehandle_overdue: int = 0  # no new reply yet, past its deadline
    rehandle_pending: int = 0  # no new reply yet, not yet due
    awaiting_evaluation: int = 0  # replied (or replied again), the evaluation form not yet back
    awaiting_evaluation_overdue: int = 0  # … past its chase date
    contacts_by_method: dict[str, int] = field(default_factory=dict)  # contact events (次)
    contacts_by_stage: dict[str, int] = field(default_factory=dict)
    replied_without_contact: int = 0  # 主办/承办/分办 replied with no contact at all
    forms: FormFigures = field(default_factory=FormFigures)  # 征询意见表 sent, returned, 待收回; 办理工作

    @property
    def sign_denominator(self) -> int:
        """按时签收率's denominator: signed plus unsigned past due."""
        return self.signed + self.sign_overdue

    @property
    def answer_denominator(self) -> int:
        """按时答复率's denominator: answered plus unanswered past due."""
        return self.answered + self.answer_overdue

    @property
    def all_on_time(self) -> bool:
        """Every step counted was taken, and on time: the only case for 均按时."""
        return (self.signed == self.signed_on_time == self.to_answer == self.answered
                and not self.sign_overdue and not self.sign_pending
                and self.answered == self.answered_on_time and not self.answer_overdue and not self.answer_pending
                and not self.extension_late and not self.rehandle_late and not self.rehandle_overdue
                and not self.rehandle_pending)


def session_statistics(session_id: int | None = None, *, today: dt.date | None = None) -> SessionStatistics:
    """Counts by role, status, class and evaluation history; on-time rates; contact made."""
    from store.queries import _all_rules, load_calendar  # queries re-exports this module

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


def replied_without_contact(scope=None) -> set[int]:
    """已答复未沟通: ids of 主办/承办/分办 cases (matching `scope`) replied with no 沟通 standing at
    all. One query."""
    from peewee import SQL, fn

    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    contact = Event.select(SQL("1")).where((Event.case == Case.id) & (Event.kind == "沟通") & ~(Event.id << undone))
    where = (Case.role << list(ANSWERING_ROLES)) & Case.replied_on.is_null(False) & ~fn.EXISTS(contact)
    if scope is not None:
        where &= scope
    return {case_id for (case_id,) in Case.select(Case.id).where(where).tuples()}
