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
from dataclasses import dataclass, field

from store import clock
from store.figures import stored_date as _day
from store.form_figures import FormFigures
from store.models import Case, Event
from store.rules import (
    AWAITING_PROPOSER,
    DEFAULT_RULES,
    RuleSet,
    add_months,
    opinion_due,
    reply_due,
    roll_forward,
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


def session_statistics(session_id: int | None = None, *, today: dt.date | None = None,
                       keeper=None) -> SessionStatistics:
    """Counts by role, status, class and evaluation history; on-time rates; contact made.
    From `keeper` (a built `store.statistics_keeper.StatisticsKeeper`) when given, else read
    afresh for this one count."""
    from store.statistics_keeper import StatisticsKeeper

    today = today or clock.today()
    if keeper is None:
        keeper = StatisticsKeeper().build(session_id)
    return keeper.statistics(session_id, today)


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
