"""One case as the case screen reads it: `case_card` (fields, milestones, timeline), the
defaults of an urge (`urge_proposal`), the event an undo would take back, and the latest
date an extension may set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from peewee import JOIN

from store import clock
from store.models import Case, Division, Event, Person, Proposer, Session, URGE_LEVELS
from store.queries.common import case_label, format_number, load_calendar, rules_for
from store.co_units import UnitState, progress_text, unit_counts, unit_states
from store.rules import RuleSet, add_months, is_stale, milestone_countdown, milestones, reply_due, unit_opinion_due
from store.vocabulary import milestone_label


# -------------------------------------------------------------------------- case card


@dataclass(frozen=True)
class MilestoneView:
    key: str
    label: str
    due: dt.date
    done_on: dt.date | None
    state: str
    countdown: str
    working_days: bool
    warning: str


@dataclass(frozen=True)
class TimelineEntry:
    """One event as the timeline shows it: who, when, what."""

    id: int
    at: dt.datetime  # UTC instant
    on_date: dt.date | None
    operator: str
    kind: str
    note: str
    method: str
    stage: str
    target_division: str
    level: str
    respond_by: dt.date | None
    next_followup_on: dt.date | None
    undone_by: int | None
    undoes: int | None
    data: dict = field(default_factory=dict, compare=False)
    db_user: str = ""  # PostgreSQL: the login that wrote it (one per workstation or person)

    @property
    def local_time(self) -> str:
        return f"{self.at.in_timezone(clock.OFFICE_TZ):%Y-%m-%d %H:%M}"

    @property
    def changes(self) -> tuple[tuple[str, str, str], ...]:
        """修改 and 更正 (and the undo of one): each field it changed as (name, before, after)."""
        if self.kind not in ("修改", "更正") and (self.data or {}).get("undone_kind") not in ("修改", "更正"):
            return ()
        data = self.data or {}
        before, after = data.get("before") or {}, data.get("after") or {}
        labels = data.get("labels") or {}
        rows = []
        for name, value in after.items():
            if name not in CHANGE_FIELD_NAMES:
                continue
            old, new = before.get(name), value
            if name in labels:  # a foreign key (the lead proposer) named when it was changed
                old, new = labels[name].get("before", ""), labels[name].get("after", "")
            elif name == "lead_proposer":
                old, new = "（原领衔人）", "（另一领衔人）"
            rows.append((CHANGE_FIELD_NAMES[name], _change_text(old), _change_text(new)))
        return tuple(rows)


CHANGE_FIELD_NAMES = {
    "number": "编号", "kind": "类型", "title": "标题", "summary": "内容摘要", "topic": "类别",
    "lead_proposer": "领衔人", "cosigners": "附议/联名", "role": "办理方式", "lead_unit": "主办单位",
    "co_units": "会办单位", "assigned_on": "交办日期", "replied_on": "答复日期", "rehandle_replied_on": "重新答复日期",
    "reply_doc_no": "答复文号", "result_class": "答复类别", "evaluation": "评价", "evaluated_on": "评价日期",
    "status": "状态", "rehandle_started_on": "重新办理起始", "closed_on": "办结日期", "review_due": "下次回头看",
}
"""The fields a 修改 or 更正 changes, as the timeline names them."""


def _change_text(value) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class FormView:
    """The evaluation form (征询意见表) of a case: sent, due back, chased, returned."""

    sent_on: dt.date
    how: str  # 随答复 / 当面送达 / 电子
    holder: str  # who holds it now
    due: dt.date | None
    urged: int
    returned_on: dt.date | None

    def state(self, today: dt.date) -> str:
        """已收回, 待收回, or 待收回（已过收回期限） — never 逾期未办结."""
        if self.returned_on is not None:
            return "已收回"
        if self.due is not None and today > self.due:
            return "待收回（已过收回期限）"
        return "待收回"


@dataclass(frozen=True)
class CaseCard:
    """Everything about one case: its fields, proposer, milestones and timeline (newest first)."""

    id: int
    version: int
    session: str
    session_body: str
    number: str
    kind: str
    title: str
    summary: str
    topic: str
    lead_proposer: str
    proposer_kind: str
    proposer_group: str
    proposer_unit: str
    proposer_phone: str
    cosigners: tuple[str, ...]
    role: str
    lead_unit: str
    co_units: tuple[str, ...]
    assigned_on: dt.date
    division: str
    division_id: int | None
    owner: str
    post: str
    leader: str
    leader_led: bool
    is_key: bool
    is_difficult: bool
    is_hot: bool
    status: str
    signed_on: dt.date | None
    reply_due: dt.date | None
    extended_due: dt.date | None
    opinion_sent_on: dt.date | None
    replied_on: dt.date | None
    reply_doc_no: str
    result_class: str
    reply_summary: str
    evaluation: str
    evaluated_on: dt.date | None
    disclosure: str
    disclosed_on: dt.date | None
    review_due: dt.date | None
    closed_on: dt.date | None
    urge_count: int
    urge_level: int
    last_followup_on: dt.date | None
    next_followup_on: dt.date | None
    stale: bool
    milestones: tuple[MilestoneView, ...]
    timeline: tuple[TimelineEntry, ...]
    rehandle_replied_on: dt.date | None = None  # the new reply after 不满意
    replied_without_contact: bool = False  # 已答复未沟通: a 主办/承办/分办 reply with no 沟通 at all
    steps: dict[str, str | None] = field(default_factory=dict, hash=False)
    """Every step of the case screen: None if possible now, else why not (`store.steps.steps_for`)."""
    hidden_steps: frozenset[str] = frozenset()
    """Steps not offered: they do not fit the role (汇办意见 on a 主办 case), or need units the case lacks."""
    units: tuple[UnitState, ...] = ()
    """Each co-unit of a 主办 case (its opinion, 会签) or other unit of a 分办 case (its reply)."""
    units_progress: str = ""  # 会办意见 2/3 / 分办答复 1/2 ("" when no unit is expected)
    reply_early_reason: str = ""  # replied before every co-unit's opinion was in: why
    own_part: str = ""  # 分办: the bureau's own part
    form: FormView | None = None  # the evaluation form (征询意见表); None before it is sent
    evaluation_work: str = ""  # 办理工作 (the form's other question; `evaluation` is 办理结果)
    is_typical: bool = False  # 典型案例
    typical_note: str = ""

    @property
    def label(self) -> str:
        return format_number(self.number)

    @property
    def masked_phone(self) -> str:
        """The proposer's phone with the middle digits hidden (138****5678)."""
        return mask_phone(self.proposer_phone)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_start = 3 if len(digits) >= 8 else 1
    return digits[:keep_start] + "*" * (len(digits) - keep_start - 4) + digits[-4:]


def case_card(case_id: int, *, today: dt.date | None = None) -> CaseCard | None:
    """One case with milestones and its full timeline, newest first; None if not found."""
    today = today or clock.today()
    owner, leader = Person.alias(), Person.alias()
    case = (
        Case.select(Case, Session, Proposer, Division, owner, leader)
        .join(Session, on=(Case.session == Session.id))
        .switch(Case).join(Proposer, JOIN.LEFT_OUTER, on=(Case.lead_proposer == Proposer.id))
        .switch(Case).join(Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id))
        .switch(Case).join(owner, JOIN.LEFT_OUTER, on=(Case.owner == owner.id), attr="owner_row")
        .switch(Case).join(leader, JOIN.LEFT_OUTER, on=(Case.leader == leader.id), attr="leader_row")
        .where(Case.id == case_id)
        .first()
    )
    if case is None:
        return None
    from store.steps import STEP_NAMES, offered, steps_for  # steps reads this module's rules

    calendar = load_calendar()
    rules = RuleSet.from_overrides(case.session.rules)
    views = tuple(
        MilestoneView(m.key, m.label, m.due, m.done_on, m.state(today), milestone_countdown(m, today, calendar),
                      m.working_days, m.warning)
        for m in (replace(m, label=milestone_label(m.label, case.session.body))  # 会办意见 on a 政协 case
                  for m in milestones(case, rules, calendar))
    )
    proposer = case.lead_proposer if case.lead_proposer_id else None
    division_names = dict(Division.select(Division.id, Division.name).tuples())
    undone = dict(
        Event.select(Event.undoes, Event.id).where((Event.case == case_id) & Event.undoes.is_null(False)).tuples()
    )
    events = list(Event.select().where(Event.case == case_id).order_by(Event.id.desc()))
    labels = {e.id: (e.data or {}).get("labels") for e in events if (e.data or {}).get("labels")}
    timeline = tuple(
        TimelineEntry(e.id, e.at, e.on_date, e.operator, e.kind, e.note, e.method, e.stage,
                      division_names.get(e.target_division_id, ""), URGE_LEVELS.get(e.level, "") if e.level else "",
                      e.respond_by, e.next_followup_on, undone.get(e.id), e.undoes_id,
                      _with_undone_labels(e.data or {}, labels.get(e.undoes_id)), e.db_user or "")
        for e in events
    )
    owner_row = getattr(case, "owner_row", None)
    leader_row = getattr(case, "leader_row", None)
    return CaseCard(
        id=case.id, version=case.version, session=case.session.name, session_body=case.session.body,
        number=case.number, kind=case.kind, title=case.title, summary=case.summary, topic=case.topic,
        lead_proposer=proposer.name if proposer else "", proposer_kind=proposer.kind if proposer else "",
        proposer_group=proposer.group if proposer else "", proposer_unit=proposer.unit_title if proposer else "",
        proposer_phone=proposer.phone if proposer else "", cosigners=tuple(case.cosigners or ()),
        role=case.role, lead_unit=case.lead_unit, co_units=tuple(case.co_units or ()),
        assigned_on=case.assigned_on, division=case.division.name if case.division_id else "",
        division_id=case.division_id, owner=owner_row.name if case.owner_id and owner_row else "",
        post=case.post, leader=leader_row.name if case.leader_id and leader_row else "",
        leader_led=case.leader_led, is_key=case.is_key, is_difficult=case.is_difficult, is_hot=case.is_hot,
        status=case.status, signed_on=case.signed_on,
        reply_due=None if case.role == "汇办" else reply_due(case, rules, calendar), extended_due=case.extended_due,
        opinion_sent_on=case.opinion_sent_on, replied_on=case.replied_on, reply_doc_no=case.reply_doc_no,
        result_class=case.result_class, reply_summary=case.reply_summary, evaluation=case.evaluation,
        evaluated_on=case.evaluated_on, disclosure=case.disclosure, disclosed_on=case.disclosed_on,
        review_due=case.review_due, closed_on=case.closed_on, urge_count=case.urge_count,
        urge_level=case.urge_level, last_followup_on=case.last_followup_on,
        next_followup_on=case.next_followup_on, stale=is_stale(case, today, rules),
        milestones=views, timeline=timeline, rehandle_replied_on=case.rehandle_replied_on,
        replied_without_contact=case.role != "汇办" and case.replied_on is not None and not any(
            e.kind == "沟通" and e.id not in undone for e in events),
        steps=steps_for(case), hidden_steps=frozenset(s for s in STEP_NAMES if not offered(case, s)),
        units=tuple(unit_states(case, today, unit_opinion_due(case, rules, calendar))),
        units_progress=progress_text(case.role, *unit_counts(case), case.session.body),
        reply_early_reason=case.reply_early_reason, own_part=case.own_part,
        form=None if case.form_sent_on is None else FormView(
            case.form_sent_on, case.form_sent_how, case.form_holder, case.form_due, case.form_urge_count,
            case.form_returned_on),
        evaluation_work=case.evaluation_work, is_typical=case.is_typical, typical_note=case.typical_note,
    )


def _with_undone_labels(data: dict, undone_labels: dict | None) -> dict:
    """An undo of a 修改 names the proposer it put back, from the labels of what it undid."""
    if not undone_labels:
        return data
    swapped = {name: {"before": value.get("after", ""), "after": value.get("before", "")}
               for name, value in undone_labels.items()}
    return {**data, "labels": swapped}


# ------------------------------------------------------------------------ urging


def planned_follow_up(case_id: int, *, today: dt.date | None = None) -> dt.date | None:
    """The case's planned next follow-up when it is today or later (what `f` prefills), else None."""
    today = today or clock.today()
    row = Case.select(Case.next_followup_on).where(Case.id == case_id).first()
    planned = row.next_followup_on if row is not None else None
    return planned if planned is not None and planned >= today else None


@dataclass(frozen=True)
class UrgeProposal:
    """What an urge of a case would say by default: to whom, at what level, answer by when."""

    case_id: int
    version: int
    label: str
    title: str
    division_id: int | None
    division: str
    level: int
    level_name: str
    respond_by: dt.date
    deadline: str  # 答复 2026-12-03（还剩6天）
    note: str
    refused: str | None = None  # why the case cannot be urged now (store.steps), None: it can


def urge_proposal(case_id: int, *, today: dt.date | None = None) -> UrgeProposal | None:
    """The urge dialog's defaults: the division, the next level, 3 working days to answer."""
    today = today or clock.today()
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        return None
    rules = rules_for(case.session_id)
    calendar = load_calendar()
    level = min((case.urge_level or 0) + 1, max(URGE_LEVELS))
    respond_by = calendar.add_working_days(today, rules.urge_respond_working_days).day
    division = Division.get_or_none(Division.id == case.division_id) if case.division_id else None
    upcoming = [m for m in milestones(case, rules, calendar) if not m.done]
    nearest = min(upcoming, key=lambda m: m.due) if upcoming and case.status != "已办结" else None
    deadline = (f"{nearest.label}期限 {nearest.due:%Y-%m-%d}（{milestone_countdown(nearest, today, calendar)}）"
                if nearest else "无未完成期限")
    title = case.title if len(case.title) <= 60 else case.title[:60] + "…"
    note = (f"请抓紧办理{case_label(case)}《{title}》，{deadline}，"
            f"请于{respond_by:%Y年%m月%d日}前反馈办理进展。")
    from store.steps import refusal

    return UrgeProposal(case.id, case.version, case_label(case), case.title, case.division_id,
                        division.name if division else "", level, URGE_LEVELS[level], respond_by, deadline, note,
                        refusal(case, "urge"))


# --------------------------------------------------------------------------- undo


@dataclass(frozen=True)
class UndoableEvent:
    """The operator's latest event on a case that an undo would take back."""

    event_id: int
    case_id: int
    case_version: int
    kind: str
    at: dt.datetime
    note: str

    @property
    def local_time(self) -> str:
        return f"{self.at.in_timezone(clock.OFFICE_TZ):%Y-%m-%d %H:%M}"


def last_undoable_event(case_id: int, operator: str) -> UndoableEvent | None:
    """The operator's newest event on the case that is neither 交办, an undo, nor undone."""
    undone = Event.select(Event.undoes).where((Event.case == case_id) & Event.undoes.is_null(False))
    event = (
        Event.select()
        .where((Event.case == case_id) & (Event.operator == operator) & (Event.kind.not_in(["交办", "撤销"]))
               & ~(Event.id << undone))
        .order_by(Event.id.desc())
        .first()
    )
    if event is None:
        return None
    version = Case.select(Case.version).where(Case.id == case_id).scalar()
    return UndoableEvent(event.id, case_id, version, event.kind, event.at, event.note)


# ------------------------------------------------------------------------ extension


def extension_limit(case_id: int) -> dt.date | None:
    """延期: the latest reply date an extension may set (交办 + the session's maximum months)."""
    case = Case.select(Case.assigned_on, Case.session).where(Case.id == case_id).first()
    if case is None:
        return None
    return add_months(case.assigned_on, rules_for(case.session_id).max_reply_months)
