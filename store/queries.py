"""Read models: plain frozen dataclasses built from a fixed number of queries.

The UI and the command line read the ledger only through these: `ledger_rows` (the 台账
table), `case_card` (one case with its milestones and full timeline), `session_statistics`
(the figures behind the year's summary), `division_board` (each division's load) and
`urge_targets` (what an urge or an urge notice says of each case). Nothing returned is a
live model object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from peewee import JOIN, SQL, fn

from store import clock
from store.calendar import WorkCalendar
from store.models import (
    URGE_LEVELS,
    CalendarDay,
    CalendarYear,
    Case,
    ChangeRecord,
    Division,
    Event,
    Person,
    Proposer,
    Session,
)
from store.rules import (
    DEFAULT_RULES,
    add_months,
    RuleSet,
    countdown_text,
    is_stale,
    milestone_countdown,
    milestones,
    reply_due,
)
from store.vocabulary import milestone_label, role_label

WORKING_DAY_MILESTONES = frozenset({"评价", "再次评价", "公开"})


def case_label(case) -> str:
    """第20230489号 — how the office names a case."""
    return f"第{case.number}号"


def format_number(number: str) -> str:
    return f"第{number}号"


# ------------------------------------------------------------------ calendar and rules

_calendar_cache: tuple[object, WorkCalendar] | None = None


def load_calendar() -> WorkCalendar:
    """The working-day calendar with the office's overrides (cached until they change)."""
    global _calendar_cache
    working = fn.SUM(CalendarDay.is_working.cast("integer"))
    # The newest 日历 change too: one day switched each way leaves the count and sum unchanged.
    changed = ChangeRecord.select(fn.MAX(ChangeRecord.id)).where(ChangeRecord.area == "日历")
    key = (
        id(Case._meta.database.obj),
        CalendarDay.select(fn.COUNT(CalendarDay.id), fn.MAX(CalendarDay.id), working, changed).tuples().first(),
        tuple(year for (year,) in CalendarYear.select(CalendarYear.year).tuples()),
    )
    if _calendar_cache is None or _calendar_cache[0] != key:
        overrides = {day: flag for day, flag in CalendarDay.select(CalendarDay.day, CalendarDay.is_working).tuples()}
        _calendar_cache = (key, WorkCalendar(overrides, key[2]))
    return _calendar_cache[1]


def rules_for(session_id: int | None) -> RuleSet:
    """A session's deadline rules (Shenzhen's defaults with its overrides)."""
    if session_id is None:
        return DEFAULT_RULES
    overrides = Session.select(Session.rules).where(Session.id == session_id).scalar()
    return RuleSet.from_overrides(overrides if isinstance(overrides, dict) else None)


def _all_rules() -> dict[int, RuleSet]:
    return {sid: RuleSet.from_overrides(rules) for sid, rules in Session.select(Session.id, Session.rules).tuples()}


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionInfo:
    id: int
    body: str
    name: str
    year: int
    case_count: int


def sessions() -> list[SessionInfo]:
    """Every session with its number of cases, newest year first."""
    query = (
        Session.select(Session.id, Session.body, Session.name, Session.year, fn.COUNT(Case.id))
        .join(Case, JOIN.LEFT_OUTER)
        .group_by(Session.id)
        .order_by(Session.year.desc(), Session.id)
        .tuples()
    )
    return [SessionInfo(*row) for row in query]


def find_session(name_or_id) -> SessionInfo | None:
    for info in sessions():
        if str(name_or_id) in (info.name, str(info.id)):
            return info
    return None


# ----------------------------------------------------------------------------- ledger


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One line of the 台账: a case as the office scans it."""

    case_id: int
    version: int
    session: str
    number: str
    title: str
    lead_proposer: str
    role: str
    division: str
    owner: str
    status: str
    next_milestone: str
    next_due: dt.date | None
    days_left: int | None
    working_days_left: int | None  # set when the milestone's rule counts working days
    countdown: str
    last_followup_on: dt.date | None
    urge_count: int
    urge_level: int
    stale: bool
    estimated: bool = False  # next_due counted through a year whose holidays nobody confirmed (推算)
    body: str = ""  # the session's body (人大 / 政协): which words the row speaks (store.vocabulary)

    @property
    def label(self) -> str:
        return format_number(self.number)

    @property
    def role_label(self) -> str:
        """The role as the body names it: 汇办 is 会办 on a 政协 case."""
        return role_label(self.role, self.body)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


_ORDERS = {
    "deadline": lambda: [Case.next_due.asc(nulls="LAST"), Case.number],
    "number": lambda: [Case.number],
    "division": lambda: [Division.name.is_null(), Division.name, Case.next_due.is_null(), Case.next_due],
    "status": lambda: [Case.status, Case.next_due.is_null(), Case.next_due],
}


def ledger_query(*, session_id: int | None = None, search: str = "", order: str = "deadline",
                 include_closed: bool = True):
    """The ledger's one SELECT (not executed): cases with proposer, division and owner."""
    owner = Person.alias()
    query = (
        Case.select(
            Case.id, Case.version, Session.name, Case.number, Case.title, Proposer.name, Case.role,
            Division.name, owner.name, Case.status, Case.next_milestone, Case.next_due,
            Case.last_followup_on, Case.urge_count, Case.urge_level, Case.assigned_on,
            Case.next_followup_on, Case.closed_on, Case.session, Case.next_due_estimated, Session.body,
        )
        .join(Session, on=(Case.session == Session.id))
        .switch(Case).join(Proposer, JOIN.LEFT_OUTER, on=(Case.lead_proposer == Proposer.id))
        .switch(Case).join(Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id))
        .switch(Case).join(owner, JOIN.LEFT_OUTER, on=(Case.owner == owner.id))
    )
    if session_id is not None:
        query = query.where(Case.session == session_id)
    if not include_closed:
        query = query.where(Case.status != "已办结")
    text = (search or "").strip()
    if text:
        number = text.strip("第号")
        query = query.where(
            Case.number.contains(number) | Case.title.contains(text) | Proposer.name.contains(text)
            | Division.name.contains(text) | owner.name.contains(text)
        )
    return query.order_by(*_ORDERS.get(order, _ORDERS["deadline"])())


class _RowView:
    """The attributes `is_stale` reads, from one tuple of the ledger query."""

    __slots__ = ("status", "closed_on", "next_followup_on", "last_followup_on", "assigned_on")

    def __init__(self, status, closed_on, next_followup_on, last_followup_on, assigned_on):
        self.status, self.closed_on = status, closed_on
        self.next_followup_on, self.last_followup_on, self.assigned_on = next_followup_on, last_followup_on, assigned_on


class _Sharer(dict):
    """Hands back one shared copy of each equal value (strings, dates) within one read."""

    def __call__(self, value):
        if value is None:
            return None
        return self.setdefault(value, value)


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def ledger_rows(*, today: dt.date | None = None, session_id: int | None = None, search: str = "",
                order: str = "deadline", include_closed: bool = True, limit: int | None = None,
                offset: int = 0, case_ids: list[int] | None = None) -> list[LedgerRow]:
    """The 台账, most urgent first by default; three queries whatever the number of rows.

    `case_ids` restricts the rows to those cases (a window the UI is about to show).
    """
    query = ledger_query(session_id=session_id, search=search, order=order, include_closed=include_closed)
    if case_ids is not None:
        query = query.where(Case.id << list(case_ids))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return _rows_of(query, today or clock.today())


def _rows_of(query, today: dt.date) -> list[LedgerRow]:
    """Run a `ledger_query` and build its rows (two more queries: rules and calendar)."""
    calendar = load_calendar()
    all_rules = _all_rules()
    rows = []
    share = _Sharer()  # one copy of each repeated value: about 55 MB less at 100,000 rows
    # The raw cursor: Peewee's per-field conversion costs seconds at 100,000 rows.
    cursor = Case._meta.database.execute(query)
    for (case_id, version, session_name, number, title, proposer, role, division, owner_name, status,
         milestone, due, last_followup, urges, level, assigned_on, next_followup, closed_on,
         session_id_, estimated, body) in cursor:
        due, last_followup = share(_as_date(due)), share(_as_date(last_followup))
        session_name, proposer, role, division, owner_name, status, milestone = (
            share(session_name), share(proposer), share(role), share(division), share(owner_name), share(status),
            share(milestone_label(milestone, body)))
        rules = all_rules.get(session_id_, DEFAULT_RULES)
        days = working = None
        if due is not None:
            days = (due - today).days
            if milestone in WORKING_DAY_MILESTONES:
                working = calendar.count_working_days(today, due)
            countdown = share(countdown_text(due, today, working_days_left=working))
        else:
            countdown = "已办结" if status == "已办结" else ("已反馈" if status == "已反馈" else "—")
        view = _RowView(status, closed_on, _as_date(next_followup), last_followup, _as_date(assigned_on))
        rows.append(
            LedgerRow(case_id, version, session_name, number, title, proposer or "", role, division or "",
                      owner_name or "", status, milestone, due, days, working, countdown, last_followup,
                      urges, level, is_stale(view, today, rules), bool(estimated) and due is not None, share(body))
        )
    return rows


def ledger_count(*, session_id: int | None = None, search: str = "", include_closed: bool = True) -> int:
    """How many rows `ledger_rows` would give (without its joins when nothing is searched)."""
    if search.strip():
        return ledger_query(session_id=session_id, search=search, include_closed=include_closed).order_by().count()
    query = Case.select(fn.COUNT(Case.id))
    if session_id is not None:
        query = query.where(Case.session == session_id)
    if not include_closed:
        query = query.where(Case.status != "已办结")
    return query.scalar() or 0


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
    """Steps that do not fit the case's role at all (汇办意见 on a 主办 case): not offered."""

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
    from store.steps import STEP_NAMES, fits_role, steps_for  # steps reads this module's rules

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
                      _with_undone_labels(e.data or {}, labels.get(e.undoes_id)))
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
        steps=steps_for(case), hidden_steps=frozenset(s for s in STEP_NAMES if not fits_role(case, s)),
    )


def _with_undone_labels(data: dict, undone_labels: dict | None) -> dict:
    """An undo of a 修改 names the proposer it put back, from the labels of what it undid."""
    if not undone_labels:
        return data
    swapped = {name: {"before": value.get("after", ""), "after": value.get("before", "")}
               for name, value in undone_labels.items()}
    return {**data, "labels": swapped}


# ------------------------------------------------------------------- live refresh


def latest_event_id() -> int:
    """The newest event's id (0 on an empty ledger): where a reader's next look starts."""
    return Event.select(fn.MAX(Event.id)).scalar() or 0


def cases_changed_since(event_id: int) -> tuple[list[int], int]:
    """Cases with events after `event_id`, and the newest event id now."""
    rows = list(Event.select(Event.case, Event.id).where(Event.id > event_id).tuples())
    newest = max((eid for _, eid in rows), default=event_id)
    return sorted({case_id for case_id, _ in rows}), newest


def urges_since(day: dt.date, *, session_id: int | None = None) -> int:
    """催办 events recorded on or after `day` (Asia/Shanghai) that were not undone."""
    start = clock.start_of_local_day(day)
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    query = Event.select(fn.COUNT(Event.id)).where((Event.kind == "催办") & (Event.at >= start) & ~(Event.id << undone))
    if session_id is not None:
        query = query.join(Case).where(Case.session == session_id)
    return query.scalar() or 0


# ------------------------------------------------------------------------ urging


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
    return UrgeProposal(case.id, case.version, case_label(case), case.title, case.division_id,
                        division.name if division else "", level, URGE_LEVELS[level], respond_by, deadline, note)


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


# ------------------------------------------------------------------ pickers (分派)


@dataclass(frozen=True)
class DivisionInfo:
    """处室, as a picker lists it."""

    id: int
    name: str
    retired: bool = False


@dataclass(frozen=True)
class PersonInfo:
    """A member of staff, as a picker lists them: name, division, post and title."""

    id: int
    name: str
    division_id: int | None
    division: str
    post: str
    title: str
    retired: bool = False


def divisions(*, include_retired: bool = False) -> list[DivisionInfo]:
    """The divisions in the office's order (sort_order, then name): current ones unless told."""
    query = Division.select(Division.id, Division.name, Division.retired_on)
    if not include_retired:
        query = query.where(Division.retired_on.is_null())
    query = query.order_by(Division.sort_order, Division.name, Division.id).tuples()
    return [DivisionInfo(did, name, retired is not None) for did, name, retired in query]


def people(*, include_retired: bool = False) -> list[PersonInfo]:
    """Staff by their division's order then name (those without a division last): current ones
    unless told (a retired person leaves the pickers, not the old cases)."""
    query = (
        Person.select(Person.id, Person.name, Person.division, Division.name, Person.post, Person.title,
                      Person.retired_on)
        .join(Division, JOIN.LEFT_OUTER, on=(Person.division == Division.id))
    )
    if not include_retired:
        query = query.where(Person.retired_on.is_null())
    query = query.order_by(Division.id.is_null(), Division.sort_order, Division.name, Person.name, Person.id).tuples()
    return [PersonInfo(pid, name, did, dname or "", post or "", title or "", retired is not None)
            for pid, name, did, dname, post, title, retired in query]


def extension_limit(case_id: int) -> dt.date | None:
    """延期: the latest reply date an extension may set (交办 + the session's maximum months)."""
    case = Case.select(Case.assigned_on, Case.session).where(Case.id == case_id).first()
    if case is None:
        return None
    return add_months(case.assigned_on, rules_for(case.session_id).max_reply_months)


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
        Case.last_followup_on, Case.assigned_on, Case.session, Case.next_due_estimated,
    ).where(open_scope)
    unanswered = _unanswered_urges(today, open_scope)
    counts: dict[int | None, list] = {}
    far = dt.date.max
    for (case_id, division_id, status, due, closed_on, next_followup, last_followup, assigned_on,
         session_id_, estimated) in Case._meta.database.execute(cases):
        due = _as_date(due)
        line = counts.setdefault(division_id, [0, 0, 0, 0, 0, [], 0])
        line[6] += bool(estimated) and due is not None
        line[0] += 1
        days = None if due is None else (due - today).days
        late = days is not None and days < 0
        line[1] += days is not None and 0 <= days <= 7
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
    board.sort(key=lambda line: (-line.overdue, line.division))
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


# The session's figures moved to store/statistics.py; kept importable from here.
from store.statistics import SessionStatistics, session_statistics  # noqa: E402,F401
