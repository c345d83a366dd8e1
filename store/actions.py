"""Every write the office makes: one transaction each, each leaving an event.

Each action takes the operator (who is acting), checks its input and the case's state, and
in one write transaction (`BEGIN IMMEDIATE` on SQLite, a row lock on PostgreSQL) changes
the case, bumps its version, refreshes the ledger caches and appends an `Event` holding
what changed (`before`/`after`). Nothing is deleted: `undo` appends a compensating event.

Pass `expected_version` (the version the user saw) and a case changed elsewhere in the
meantime raises `VersionConflict`, naming what changed; nothing is overwritten. Every
refusal is a `LedgerError` whose message is a Chinese sentence for the user, saying why
and what has to come first.

The rules of the road (which step a case can take now, and the sentence when it cannot) live
in `store.steps`: each action calls `require(case, step)` and refuses with exactly its answer.
The checks of a typed date stay here: a business date is never before 交办, never in the future, and never before the step it
follows (签收 before 汇办意见 and 答复; the latest reply before 评价, 公开 and 回头看; the
不满意 evaluation before the new reply; the last reply or opinion before 办结).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import IntegrityError, SqliteDatabase

from store import clock
from store.db import database
from store.errors import LedgerError, VersionConflict
from store.models import (
    BODIES,
    CONTACT_METHODS,
    CONTACT_STAGES,
    DISCLOSURES,
    EVALUATIONS,
    FOLLOW_UP_KINDS,
    RESULT_CLASSES,
    URGE_LEVELS,
    Case,
    Division,
    Event,
    Person,
    Proposer,
    Session,
)
from store.queries import case_label, load_calendar, rules_for
from store.rules import add_months, next_open
from store.steps import extension_terms, not_late_sentence, require
from store.vocabulary import case_words, checked_role, words

MAX_TITLE = 2000
MAX_NOTE = 10000
ACTIVITY_KINDS = ("查办", "询办", "沟通", "催办")  # a new one replaces the planned next follow-up
CORRECTION_KINDS = ("修改", "更正")  # putting the record right is not a follow-up: staleness ignores it


@dataclass(frozen=True)
class Recorded:
    """What an action wrote: the case, its new version, the event, and a sentence to show."""

    case_id: int
    event_id: int
    version: int
    message: str


# ----------------------------------------------------------------------------- checks


def _text(value, what: str, *, required: bool = False, limit: int = MAX_NOTE) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise LedgerError(f"{what}含有空字符（\\x00），无法保存，请删除后重试。")
    if required and not text.strip():
        raise LedgerError(f"请填写{what}。")
    if len(text) > limit:
        raise LedgerError(f"{what}过长（{len(text)}字），最多{limit}字。")
    return text


def _operator(value) -> str:
    name = _text(value, "操作人", required=True, limit=50).strip()
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise LedgerError("操作人姓名含有控制字符，请重新输入。")
    return name


def _choice(value, choices: Iterable[str], what: str) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise LedgerError(f"{what}“{value}”无效，应为：{'、'.join(choices)}。")
    return value


def _date(value, what: str, *, case: Case | None = None, allow_future: bool = False) -> dt.date:
    """A business date: parsed, not before 交办, not in the future (unless planned)."""
    if value is None or value == "":
        return clock.today()
    if isinstance(value, str):
        try:
            value = clock.parse_date(value)
        except ValueError as exc:
            raise LedgerError(f"{what}：{exc}") from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise LedgerError(f"{what}“{value}”不是日期。")
    value = dt.date(value.year, value.month, value.day)
    if case is not None and value < case.assigned_on:
        raise LedgerError(f"{what}{value:%Y-%m-%d}早于交办日期{case.assigned_on:%Y-%m-%d}，请检查。")
    if not allow_future and value > clock.today():
        raise LedgerError(f"{what}{value:%Y-%m-%d}晚于今天（{clock.today():%Y-%m-%d}），不能记录未来发生的事。")
    return value


def _not_before(day: dt.date, what: str, prior: dt.date | None, prior_what: str, first: str, then: str) -> None:
    """Refuse a business date earlier than the step it follows, naming both dates."""
    if prior is not None and day < prior:
        raise LedgerError(f"{what}{day:%Y-%m-%d}早于{prior_what}{prior:%Y-%m-%d}：应先{first}、后{then}，请检查日期。")


def _planned(value, what: str) -> dt.date | None:
    """A planned date (next follow-up, respond-by): optional, not in the past."""
    if value is None or value == "":
        return None
    day = _date(value, what, allow_future=True)
    if day < clock.today():
        raise LedgerError(f"{what}{day:%Y-%m-%d}已经过去，请选择今天或以后的日期。")
    return day


# ------------------------------------------------------------------------ transactions


def _transaction():
    db = database.obj
    if isinstance(db, SqliteDatabase):
        return db.atomic("IMMEDIATE")
    return db.atomic()


def _load(case_id: int, expected_version: int | None) -> Case:
    query = Case.select().where(Case.id == case_id)
    if not isinstance(database.obj, SqliteDatabase):
        query = query.for_update()
    case = query.first()
    if case is None:
        raise LedgerError(f"找不到编号为 {case_id} 的件，可能已被其他工作站更改，请刷新。")
    if expected_version is not None and case.version != expected_version:
        since = (
            Event.select(Event.kind, Event.operator, Event.at)
            .where((Event.case == case.id) & (Event.version > expected_version))
            .order_by(Event.id)
        )
        changes = [f"{e.at.in_timezone(clock.OFFICE_TZ):%m-%d %H:%M} {e.operator} {e.kind}" for e in since]
        raise VersionConflict(
            f"{case_label(case)}已在别处被修改（{'；'.join(changes) or '版本已变'}），"
            "您看到的是旧内容，本次未作任何修改。请刷新后再试。",
            changes,
        )
    return case


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Division, Person, Proposer, Session)):
        return value.id
    return value


def _field_value(case: Case, name: str):
    """A field's stored value (foreign keys as ids) for before/after records."""
    field = Case._meta.fields[name]
    if hasattr(field, "rel_model"):
        return getattr(case, field.column_name)
    return _jsonable(getattr(case, name))


def _refresh_next_due(case: Case) -> None:
    from store.deadlines import apply_next_open

    apply_next_open(case, rules_for(case.session_id), load_calendar())


def _record(
    case: Case,
    operator: str,
    kind: str,
    changes: dict,
    *,
    on_date: dt.date | None = None,
    note: str = "",
    message: str,
    extra: dict | None = None,
    **event_fields,
) -> Recorded:
    before = {name: _field_value(case, name) for name in changes}
    for name, value in changes.items():
        setattr(case, name, value)
    after = {name: _field_value(case, name) for name in changes}
    on_date = on_date or clock.today()
    if kind not in CORRECTION_KINDS and (case.last_followup_on is None or on_date > case.last_followup_on):
        case.last_followup_on = on_date
    if kind in ACTIVITY_KINDS:
        case.next_followup_on = event_fields.get("next_followup_on")
    if kind == "催办":
        case.urge_count += 1
        case.urge_level = event_fields["level"]
    case.version += 1
    _refresh_next_due(case)
    case.save()
    data = {"before": before, "after": after} if changes else {}
    if extra:
        data.update(extra)
    event = Event.create(
        case=case.id,
        at=clock.now(),
        on_date=on_date,
        operator=operator,
        kind=kind,
        note=note,
        data=data,
        version=case.version,
        **event_fields,
    )
    return Recorded(case.id, event.id, case.version, message)


# ------------------------------------------------------------------- reference data


def ensure_session(name: str, *, body: str, year: int, assigned_on: dt.date | None = None,
                   rules: dict | None = None) -> Session:
    """届次会议: find by name or create it."""
    name = _text(name, "届次名称", required=True, limit=100).strip()
    _choice(body, BODIES, "机构")
    session, created = Session.get_or_create(
        name=name, defaults={"body": body, "year": year, "assigned_on": assigned_on, "rules": rules or {}}
    )
    return session


def ensure_division(name: str) -> Division:
    name = _text(name, "处室名称", required=True, limit=100).strip()
    return Division.get_or_create(name=name)[0]


def ensure_person(name: str, *, division: Division | None = None, post: str = "", title: str = "") -> Person:
    name = _text(name, "姓名", required=True, limit=50).strip()
    person = Person.get_or_none((Person.name == name) & (Person.division == division))
    return person or Person.create(name=name, division=division, post=post, title=title)


def ensure_proposer(name: str, *, kind: str = "代表", group: str = "", unit_title: str = "", phone: str = "") -> Proposer:
    name = _text(name, "代表/委员姓名", required=True, limit=50).strip()
    proposer = Proposer.get_or_none((Proposer.name == name) & (Proposer.group == group))
    return proposer or Proposer.create(name=name, kind=kind, group=group, unit_title=unit_title, phone=phone)


CALENDAR_OPERATOR = "办公室"
"""Who a calendar change is recorded for when an older caller names no operator."""


def set_calendar_day(day, is_working, note: str = "", *, operator: str = CALENDAR_OPERATOR):
    """The office's correction of one day (holiday or 调休 working day); later entries win.

    Kept for older callers: see `store.office_calendar.set_day` (change record, recompute).
    """
    from store.office_calendar import set_day

    return set_day(operator, day, is_working, note=note)


def confirm_calendar_year(year: int, note: str = "", *, operator: str = CALENDAR_OPERATOR):
    """Mark a year's holiday notice as entered, so its deadlines are no longer estimates.

    Kept for older callers: see `store.office_calendar.confirm_year`.
    """
    from store.office_calendar import confirm_year

    return confirm_year(operator, year, note=note)


# ----------------------------------------------------------------------- case actions

KIND_OF_BODY = {"人大": "建议", "政协": "提案"}
"""建议 are raised at a people's congress (人大), 提案 at a CPPCC session (政协)."""


def check_case_shape(body: str, kind: str, role: str, lead_unit: str, co_units, *,
                     require_lead_unit: bool = True) -> None:
    """The rules a case's kind, role and units obey, whoever enters it (by hand, a list, a correction).

    建议 only in a 人大 session and 提案 only in a 政协 one; 承办 (the bureau alone) has no
    co-units; 汇办 (we contribute to another unit's reply) names the lead unit.
    """
    role = checked_role(role, body)
    said = words(body)
    expected = KIND_OF_BODY.get(body)
    if kind not in KIND_OF_BODY.values():
        raise LedgerError(f"类型“{kind}”无效，应为：建议、提案。")
    if expected is not None and kind != expected:
        raise LedgerError(f"{body}的届次只收{expected}，不能登记{kind}：请检查类型或届次。")
    if role == "承办" and any(str(unit).strip() for unit in co_units):
        raise LedgerError(f"承办件由本局独立办理，没有{said.co_units}：请删去{said.co_units}，或把办理方式改为主办。")
    if require_lead_unit and role == "汇办" and not str(lead_unit or "").strip():
        raise LedgerError(f"{said.contributing_case}须填写主办单位（本局向其报送{said.opinion}）。")



def create_case(
    operator: str,
    *,
    session: Session | int,
    number: str,
    title: str,
    role: str,
    assigned_on,
    kind: str | None = None,
    lead_proposer: Proposer | int | None = None,
    cosigners: Iterable[str] = (),
    lead_unit: str = "",
    co_units: Iterable[str] = (),
    summary: str = "",
    topic: str = "",
    note: str = "",
    require_lead_unit: bool = True,
) -> Recorded:
    """交办: a case arrives with its number, title, proposer, role, units and date.

    Checked by `check_case_shape` (kind against the session's body, 承办 without co-units;
    with `require_lead_unit`, 汇办 with its lead unit — the desk and the list ask for it).
    """
    operator = _operator(operator)
    number = _text(number, "编号", required=True, limit=40).strip()
    if number.startswith("第") and number.endswith("号"):
        number = number[1:-1].strip()
    title = _text(title, "标题", required=True, limit=MAX_TITLE)
    assigned = _date(assigned_on, "交办日期")
    session_id = session.id if isinstance(session, Session) else int(session)
    session_row = Session.get_or_none(Session.id == session_id)
    if session_row is None:
        raise LedgerError("找不到该届次会议。")
    role = checked_role(role, session_row.body)  # 会办, the 政协 name, is stored as 汇办
    kind = kind or KIND_OF_BODY.get(session_row.body, "建议")
    co_units = list(co_units)
    check_case_shape(session_row.body, kind, role, lead_unit, co_units, require_lead_unit=require_lead_unit)
    proposer_id = lead_proposer.id if isinstance(lead_proposer, Proposer) else lead_proposer
    if proposer_id is not None and Proposer.get_or_none(Proposer.id == proposer_id) is None:
        raise LedgerError(f"找不到所选的{words(session_row.body).proposer}。")
    with _transaction():
        if Case.select().where((Case.session == session_id) & (Case.number == number)).exists():
            raise LedgerError(f"{session_row.name}已有第{number}号，编号在同一届次内不能重复。")
        try:
            case = Case(
                session=session_id,
                number=number,
                kind=kind,
                title=title,
                summary=_text(summary, "内容摘要"),
                topic=_text(topic, "类别", limit=100),
                lead_proposer=lead_proposer,
                cosigners=[_text(name, "附议人", limit=50) for name in cosigners],
                role=role,
                lead_unit=_text(lead_unit, "主办单位", limit=200),
                co_units=[_text(unit, words(session_row.body).co_units, limit=200) for unit in co_units],
                assigned_on=assigned,
                status="待签收",
                version=0,
                last_followup_on=assigned,
            )
            case.save()
        except IntegrityError:
            raise LedgerError(f"{session_row.name}已有第{number}号，编号在同一届次内不能重复。") from None
        return _record(case, operator, "交办", {}, on_date=assigned, note=_text(note, "备注"),
                       message=f"已登记{case_label(case)}")


def sign_for(case_id: int, operator: str, *, on=None, note: str = "", expected_version: int | None = None) -> Recorded:
    """签收: the bureau accepts the case."""
    operator = _operator(operator)
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "sign")
        day = _date(on, "签收日期", case=case)
        _not_before(day, "签收日期", _adjustment_date(case), "申请调整日期", "申请调整", "签收")
        return _record(case, operator, "签收", {"signed_on": day, "status": "办理中"}, on_date=day,
                       note=_text(note, "备注"), message=f"{case_label(case)}已签收")


def request_adjustment(case_id: int, operator: str, *, reason: str, on=None,
                       expected_version: int | None = None) -> Recorded:
    """申请调整: ask the assigning office to re-assign a case that is not ours, within the sign-for deadline."""
    operator = _operator(operator)
    reason = _text(reason, "申请调整的理由", required=True)
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "adjust")
        day = _date(on, "申请日期", case=case)
        deadline = case.assigned_on + dt.timedelta(days=rules_for(case.session_id).sign_days)
        if day > deadline:
            raise LedgerError(f"申请调整须在签收期限（{deadline:%Y-%m-%d}）内提出，已过期限，请先签收再与交办机关沟通。")
        return _record(case, operator, "申请调整", {"status": "申请调整"}, on_date=day, note=reason,
                       message=f"{case_label(case)}已申请调整")


ADJUSTMENT_APPROVED = "同意调整"
ADJUSTMENT_REFUSED = "不同意调整"


def record_adjustment_result(case_id: int, operator: str, *, approved: bool, note: str = "", on=None,
                             expected_version: int | None = None) -> Recorded:
    """申请调整的结果: the assigning office's answer to a request to re-assign.

    Approved (同意调整): the case is transferred to another unit and closed here (已办结, with
    `closed_on`); it was never signed for, which is how statistics tell a transferred case.
    Refused (不同意调整): the case is ours and waits to be signed for again (待签收).
    Recorded as a second 申请调整 event whose `data["result"]` is 同意调整 or 不同意调整.
    """
    operator = _operator(operator)
    note = _text(note, "调整结果说明")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "adjustment_result")
        day = _date(on, "调整结果日期", case=case)
        _not_before(day, "调整结果日期", _adjustment_date(case), "申请调整日期", "申请调整", "记录调整结果")
        if approved:
            result, changes = ADJUSTMENT_APPROVED, {"status": "已办结", "closed_on": day}
            message = f"{case_label(case)}：交办机关同意调整，本件已转出并办结"
        else:
            result, changes = ADJUSTMENT_REFUSED, {"status": "待签收"}
            message = f"{case_label(case)}：交办机关不同意调整，仍由本局办理，请签收"
        return _record(case, operator, "申请调整", changes, on_date=day, note=f"{result}：{note}" if note else result,
                       extra={"result": result}, message=message)


def _adjustment_date(case: Case) -> dt.date | None:
    """The business date of the case's latest 申请调整 event (request or result) still standing."""
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    event = (
        Event.select(Event.on_date)
        .where((Event.case == case.id) & (Event.kind == "申请调整") & ~(Event.id << undone))
        .order_by(Event.id.desc())
        .first()
    )
    return event.on_date if event else None


def assign(case_id: int, operator: str, *, division: Division | int, owner: Person | int | None = None,
           post: str = "", leader: Person | int | None = None, leader_led: bool = False, is_key: bool = False,
           is_difficult: bool = False, is_hot: bool = False, note: str = "",
           expected_version: int | None = None) -> Recorded:
    """分派: to a division, a post and a person, with the supervising leader and flags."""
    operator = _operator(operator)
    division_id = division.id if isinstance(division, Division) else division
    division_row = Division.get_or_none(Division.id == division_id) if division_id is not None else None
    if division_row is None:
        raise LedgerError("请选择承办处室。")
    if division_row.retired_on is not None:  # 停用的处室 leaves the pickers; old cases keep its name
        raise LedgerError(f"处室“{division_row.name}”已于{division_row.retired_on:%Y-%m-%d}停用，不能分派给它，请选择在用的处室。")
    owner_id = owner.id if isinstance(owner, Person) else owner
    leader_id = leader.id if isinstance(leader, Person) else leader
    for person_id, what in ((owner_id, "责任人"), (leader_id, "分管领导")):
        if person_id is None:
            continue
        person = Person.get_or_none(Person.id == person_id)
        if person is None:
            raise LedgerError(f"找不到所选的{what}。")
        if person.retired_on is not None:
            raise LedgerError(f"{what}“{person.name}”已于{person.retired_on:%Y-%m-%d}停用（离任或调离），"
                              f"不能分派给他（她），请选择在任人员。")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "assign")
        changes = {
            "division": division_id,
            "owner": owner_id,
            "post": _text(post, "岗位", limit=100),
            "leader": leader_id,
            "leader_led": bool(leader_led),
            "is_key": bool(is_key),
            "is_difficult": bool(is_difficult),
            "is_hot": bool(is_hot),
        }
        changes = {k: v for k, v in changes.items() if _field_value(case, k) != v}
        name = Division.get_by_id(division_id).name
        return _record(case, operator, "分派", changes, note=_text(note, "备注"),
                       message=f"{case_label(case)}已分派至{name}")


def log_follow_up(case_id: int, operator: str, *, kind: str, note: str = "", method: str = "", stage: str = "",
                  participants: str = "", next_followup_on=None, on=None,
                  expected_version: int | None = None) -> Recorded:
    """查办 / 询办 / 沟通 (with method and stage) / 备注, with the next planned follow-up."""
    operator = _operator(operator)
    _choice(kind, FOLLOW_UP_KINDS, "跟进类型")
    note = _text(note, "跟进内容", required=kind == "备注")
    if kind == "沟通":
        _choice(method, CONTACT_METHODS, "沟通方式")
        _choice(stage, CONTACT_STAGES, "沟通阶段")
    elif method or stage:
        raise LedgerError("只有“沟通”需要填写沟通方式和阶段。")
    planned = _planned(next_followup_on, "下次跟进日期")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "contact" if kind == "沟通" else "follow_up")
        day = _date(on, "跟进日期", case=case)
        extra = {"participants": _text(participants, "参加人员", limit=500)} if participants else None
        return _record(case, operator, kind, {}, on_date=day, note=note, method=method, stage=stage,
                       next_followup_on=planned, extra=extra, message=f"已记录{kind}：{case_label(case)}")


def mark_reviewed(case_id: int, operator: str, week: str, note: str = "",
                  expected_version: int | None = None) -> Recorded:
    """每周检查: mark a case checked in the week's review — a 查办 event naming the week.

    A planned follow-up still ahead is kept (a check does not replace the plan).
    """
    from store.weekly import REVIEW_KEY, checked_cases, parse_week

    operator = _operator(operator)
    week = parse_week(week)
    note = _text(note, "检查情况")
    with _transaction():
        case = _load(case_id, expected_version)
        if case.id in checked_cases(week):
            raise LedgerError(f"{case_label(case)}在{week}的每周检查中已经检查过了。")
        today = clock.today()
        planned = case.next_followup_on if case.next_followup_on and case.next_followup_on >= today else None
        return _record(case, operator, "查办", {}, note=note or f"每周检查（{week}）", next_followup_on=planned,
                       extra={REVIEW_KEY: week}, message=f"已检查：{case_label(case)}（{week}）")


def next_urge_level(case: Case) -> int:
    """一次催办, 二次催办, then 领导督办 (and stays there)."""
    return min((case.urge_level or 0) + 1, max(URGE_LEVELS))


def urge_division(case_id: int, operator: str, *, note: str = "", respond_by=None, level: int | None = None,
                  division: Division | int | None = None, expected_version: int | None = None) -> Recorded:
    """催办: urge the responsible division, one level up, to answer by a date (default 3 working days)."""
    operator = _operator(operator)
    note = _text(note, "催办说明")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "urge")
        division_id = division.id if isinstance(division, Division) else (division or case.division_id)
        level = next_urge_level(case) if level is None else int(level)
        if level not in URGE_LEVELS:
            raise LedgerError(f"催办级别“{level}”无效，应为：{'、'.join(URGE_LEVELS.values())}。")
        respond = _planned(respond_by, "反馈期限") if respond_by not in (None, "") else _default_respond_by(case)
        return _urge(case, operator, note=note, division_id=division_id, level=level, respond=respond)


def _default_respond_by(case: Case) -> dt.date:
    """Today plus the session's working days for an answer (3 by default)."""
    days = rules_for(case.session_id).urge_respond_working_days
    return load_calendar().add_working_days(clock.today(), days).day


def _urge(case: Case, operator: str, *, note: str, division_id: int, level: int, respond: dt.date) -> Recorded:
    name = Division.get_by_id(division_id).name
    return _record(case, operator, "催办", {}, note=note, target_division=division_id, level=level,
                   respond_by=respond, next_followup_on=respond,
                   message=f"已向{name}{URGE_LEVELS[level]}：{case_label(case)}，请于{respond:%m月%d日}前反馈")


def urge_cases(case_ids: Iterable[int], operator: str, *, note: str = "", respond_by=None,
               division: Division | int | None = None) -> list[Recorded]:
    """催办 several cases in one step (the division board's `u`): one transaction, one 催办 event a case.

    Each case is urged at its own next level (一次催办, 二次催办, 领导督办) and asked to answer
    by `respond_by` (default: its session's 3 working days). With `division`, every case must
    still belong to that division (it may have been re-assigned since the board was read).
    If any case is closed, unassigned or elsewhere, nothing is written and the message names them.
    """
    operator = _operator(operator)
    note = _text(note, "催办说明")
    ids = list(dict.fromkeys(int(case_id) for case_id in case_ids))
    if not ids:
        raise LedgerError("没有选中要催办的件，请先选择。")
    respond = _planned(respond_by, "反馈期限") if respond_by not in (None, "") else None
    division_id = division.id if isinstance(division, Division) else division
    target = Division.get_or_none(Division.id == division_id) if division_id is not None else None
    if division_id is not None and target is None:
        raise LedgerError("找不到要催办的处室，可能已被更改，请刷新。")
    with _transaction():
        cases = [_load(case_id, None) for case_id in ids]
        closed = [case_label(c) for c in cases if c.status == "已办结"]
        pending = [case_label(c) for c in cases if c.status == "申请调整"]
        unassigned = [case_label(c) for c in cases if c.division_id is None and c.status not in ("已办结", "申请调整")]
        elsewhere = [case_label(c) for c in cases if target is not None and c.division_id not in (None, target.id)]
        problems = []
        if closed:
            problems.append(f"{'、'.join(closed)}已办结，无需催办")
        if pending:
            problems.append(f"{'、'.join(pending)}已申请调整，正等待交办机关答复")
        if unassigned:
            problems.append(f"{'、'.join(unassigned)}尚未分派处室，请先分派再催办")
        if elsewhere:
            problems.append(f"{'、'.join(elsewhere)}已不由{target.name}承办，请刷新后再催办")
        if problems:
            raise LedgerError("；".join(problems) + "。本次未催办任何件。")
        return [
            _urge(case, operator, note=note, division_id=case.division_id, level=next_urge_level(case),
                  respond=respond or _default_respond_by(case))
            for case in cases
        ]


def record_opinion_sent(case_id: int, operator: str, *, summary: str, on=None,
                        expected_version: int | None = None) -> Recorded:
    """汇办意见 (会办意见 on a 政协 case): the contributing unit's opinion sent to the lead unit."""
    operator = _operator(operator)
    with _transaction():
        case = _load(case_id, expected_version)
        said = case_words(case)
        summary = _text(summary, f"{said.opinion}摘要", required=True)
        require(case, "opinion")
        day = _date(on, "报送日期", case=case)
        _not_before(day, "报送日期", case.signed_on, "签收日期", "签收", f"报送{said.opinion}")
        return _record(case, operator, "汇办意见", {"opinion_sent_on": day, "status": "已反馈"}, on_date=day,
                       note=summary, message=f"{case_label(case)}{said.opinion}已报送{case.lead_unit or '主办单位'}")


def extend(case_id: int, operator: str, *, new_due, reason: str, approval: str = "", late: bool = False,
           late_reason: str = "", expected_version: int | None = None) -> Recorded:
    """延期: a later reply date, asked for before the current deadline, with its reason and
    approval (who approved, or the approving document), never past 6 months from 交办.

    After the deadline it is refused — or, with `late=True` and `late_reason`, recorded as a
    late extension (逾期后补办): `Case.extension_late` is set and the event's data says
    `late`, and the figures count a reply under it late against the original due date.
    """
    operator = _operator(operator)
    reason = _text(reason, "延期理由", required=True)
    approval = _text(approval, "批准情况（批准人或批准文件）", required=True, limit=500).strip()
    late_reason = _text(late_reason, "逾期后补办延期的理由", required=bool(late))
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "extend")
        terms = extension_terms(case)
        if terms.late and not late:
            raise LedgerError(terms.late_sentence)
        if late and not terms.late:
            raise LedgerError(not_late_sentence(case, terms.current_due))
        day = _date(new_due, "新的答复期限", allow_future=True)
        if day <= terms.current_due:
            raise LedgerError(f"新的答复期限应晚于现在的期限 {terms.current_due:%Y-%m-%d}。")
        if day > terms.limit:
            months = rules_for(case.session_id).max_reply_months
            raise LedgerError(f"延期不得超过交办后{months}个月（最迟 {terms.limit:%Y-%m-%d}）。")
        changes: dict = {"extended_due": day}
        extra: dict = {"approval": approval}
        if late:
            changes["extension_late"] = True
            extra.update({"late": True, "late_reason": late_reason})
        return _record(case, operator, "延期", changes, note=reason, extra=extra,
                       message=f"{case_label(case)}答复期限延至{day:%Y-%m-%d}"
                               + ("（逾期后补办）" if late else ""))


def _latest_reply(case: Case) -> tuple[dt.date | None, str]:
    """The reply that 评价, 公开 and 回头看 follow: the new one after 不满意, else the first."""
    if case.rehandle_replied_on is not None:
        return case.rehandle_replied_on, "重新答复"
    return case.replied_on, "答复"


def reply(case_id: int, operator: str, *, on=None, doc_no: str, result_class: str, summary: str = "",
          signed_by: str = "", expected_version: int | None = None) -> Recorded:
    """答复: the written reply, with its document number and result class (A–D)."""
    operator = _operator(operator)
    doc_no = _text(doc_no, "答复文号", required=True, limit=100).strip()
    _choice(result_class, RESULT_CLASSES, "答复类别")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "reply")
        day = _date(on, "答复日期", case=case)
        part = "（本局承办部分）" if case.role == "分办" else ""
        if case.status == "重新办理":
            _not_before(day, "重新答复日期", case.rehandle_started_on, "不满意评价日期", "收到不满意评价", "重新答复")
            changes = {"rehandle_replied_on": day, "evaluation": "", "status": "已答复"}
            message = f"{case_label(case)}已重新答复{part}（{result_class}类）"
        else:
            _not_before(day, "答复日期", case.signed_on, "签收日期", "签收", "答复")
            changes = {"replied_on": day, "status": "已答复"}
            message = f"{case_label(case)}已答复{part}（{result_class}类）"
        changes.update({"reply_doc_no": doc_no, "result_class": result_class,
                        "reply_summary": _text(summary, "答复摘要"), "reply_signed_by": _text(signed_by, "签发人", limit=50)})
        if result_class in ("B", "C") and case.review_due is None and case.reviewed_on is None:
            changes["review_due"] = add_months(day, rules_for(case.session_id).review_months)
        return _record(case, operator, "答复", changes, on_date=day, message=message)


def record_evaluation(case_id: int, operator: str, *, evaluation: str, on=None, note: str = "",
                      expected_version: int | None = None) -> Recorded:
    """评价: the proposer's verdict; 不满意 starts re-handling (重新办理) with its own deadline."""
    operator = _operator(operator)
    _choice(evaluation, EVALUATIONS, "评价")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "evaluate")
        day = _date(on, "评价日期", case=case)
        reply_day, reply_name = _latest_reply(case)
        _not_before(day, "评价日期", reply_day, f"{reply_name}日期", reply_name, "评价")
        changes = {"evaluation": evaluation, "evaluated_on": day}
        if not case.first_evaluation and case.first_evaluated_on is None:
            # The first 评价 stays through re-handling; an undo of this event clears it again.
            changes.update({"first_evaluation": evaluation, "first_evaluated_on": day})
        if evaluation == "不满意":
            changes.update({"status": "重新办理", "rehandle_started_on": day, "rehandle_replied_on": None})
            if case.closed_on is not None:  # the form came back after closing: re-handling reopens it
                changes["closed_on"] = None
        message = f"{case_label(case)}{case_words(case).evaluation}：{evaluation}" + ("，开始重新办理" if evaluation == "不满意" else "")
        return _record(case, operator, "评价", changes, on_date=day, note=_text(note, "备注"), message=message)


def record_disclosure(case_id: int, operator: str, *, decision: str, reason: str = "", on=None,
                      expected_version: int | None = None) -> Recorded:
    """公开: 公开 / 部分公开 / 不公开 (the last two with a reason)."""
    operator = _operator(operator)
    _choice(decision, DISCLOSURES, "公开方式")
    reason = _text(reason, "不公开或部分公开的理由", required=decision != "公开")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "disclose")
        day = _date(on, "公开日期", case=case)
        reply_day, reply_name = _latest_reply(case)
        _not_before(day, "公开日期", reply_day, f"{reply_name}日期", reply_name, "公开")
        return _record(case, operator, "公开", {"disclosure": decision, "disclosure_reason": reason,
                                                "disclosed_on": day}, on_date=day, note=reason,
                       message=f"{case_label(case)}：{decision}")


def record_review(case_id: int, operator: str, *, findings: str, next_review_on=None, on=None,
                  expected_version: int | None = None) -> Recorded:
    """回头看: what a later check of a B/C promise found, and when to look again."""
    operator = _operator(operator)
    findings = _text(findings, "回头看情况", required=True)
    planned = _planned(next_review_on, "下次回头看日期")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "review")
        day = _date(on, "回头看日期", case=case)
        reply_day, reply_name = _latest_reply(case)
        _not_before(day, "回头看日期", reply_day, f"{reply_name}日期", reply_name, "回头看")
        return _record(case, operator, "回头看", {"reviewed_on": day, "review_due": planned}, on_date=day,
                       note=findings, message=f"{case_label(case)}已回头看")


def close(case_id: int, operator: str, *, on=None, note: str = "", expected_version: int | None = None) -> Recorded:
    """办结: the case is done — replied (or, for 汇办, its opinion sent), any 回头看 finished.

    A case whose re-assignment is pending is closed by `record_adjustment_result` instead.
    """
    operator = _operator(operator)
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "close")
        day = _date(on, "办结日期", case=case)
        done = [(d, name) for d, name in ((case.opinion_sent_on, f"报送{case_words(case).opinion}"), (case.replied_on, "答复"),
                                          (case.rehandle_replied_on, "重新答复")) if d is not None]
        if done:
            last, name = max(done)
            _not_before(day, "办结日期", last, f"{name}日期", name, "办结")
        return _record(case, operator, "办结", {"status": "已办结", "closed_on": day}, on_date=day,
                       note=_text(note, "备注"), message=f"{case_label(case)}已办结")


EDITABLE = {"title": MAX_TITLE, "summary": MAX_NOTE, "topic": 100, "lead_unit": 200}


def edit_case(case_id: int, operator: str, *, expected_version: int | None = None, note: str = "",
              **values) -> Recorded:
    """修改: correct a case's text fields; the event keeps before and after."""
    operator = _operator(operator)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise LedgerError(f"不能直接修改：{'、'.join(sorted(unknown))}。")
    with _transaction():
        case = _load(case_id, expected_version)
        changes = {k: _text(v, "内容", required=k == "title", limit=EDITABLE[k]) for k, v in values.items()
                   if getattr(case, k) != v}
        if not changes:
            raise LedgerError("没有需要保存的修改。")
        return _record(case, operator, "修改", changes, note=_text(note, "备注"),
                       message=f"{case_label(case)}已修改")


def undo(event_id: int, operator: str, *, reason: str = "", expected_version: int | None = None) -> Recorded:
    """撤销: take back an event with a later, compensating one; both stay on the timeline."""
    operator = _operator(operator)
    with _transaction():
        event = Event.get_or_none(Event.id == event_id)
        if event is None:
            raise LedgerError("找不到要撤销的记录。")
        if event.kind in ("交办", "撤销"):
            raise LedgerError(f"“{event.kind}”记录不能撤销。")
        if Event.select().where(Event.undoes == event.id).exists():
            raise LedgerError("这条记录已经撤销过了。")
        case = _load(event.case_id, expected_version)
        after = (event.data or {}).get("after", {})
        before = (event.data or {}).get("before", {})
        changed_since = [name for name, value in after.items() if _field_value(case, name) != value]
        if changed_since:
            raise LedgerError(f"这条{event.kind}记录之后，该件又有修改（{'、'.join(changed_since)}），"
                              "请先撤销后来的记录。")
        restore = {}
        for name, value in before.items():
            field = Case._meta.fields[name]
            if isinstance(value, str) and isinstance(field, type(Case.signed_on)):
                value = dt.date.fromisoformat(value)
            restore[name] = value
        if event.kind in CORRECTION_KINDS:
            from store.entry import check_restored  # entry builds on this module

            check_restored(case, event, restore)
        try:
            result = _record(case, operator, "撤销", restore, note=_text(reason, "撤销理由"), undoes=event.id,
                             extra={"undone_kind": event.kind},
                             message=f"已撤销{case_label(case)}的{case_words(case).milestone(event.kind)}记录")
        except IntegrityError:
            raise LedgerError(f"不能撤销这条{event.kind}记录：恢复后的内容与台账中的另一件冲突"
                              "（同一届次内编号不能重复），本次未作任何修改。") from None
        _recompute_activity(case)
        return result


def _recompute_activity(case: Case) -> None:
    """Rebuild the follow-up caches from the events that still stand (after an undo, or a
    corrected 交办 date: the 交办 event counts on the case's `assigned_on`, its own date may be old)."""
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    standing = list(
        Event.select().where((Event.case == case.id) & (Event.kind != "撤销") & ~(Event.id << undone)).order_by(Event.id)
    )
    standing = [e for e in standing if e.kind not in CORRECTION_KINDS]
    case.last_followup_on = max((case.assigned_on if e.kind == "交办" else e.on_date or clock.local_date_of(e.at)
                                 for e in standing), default=case.assigned_on)
    urges = [e for e in standing if e.kind == "催办"]
    case.urge_count = len(urges)
    case.urge_level = urges[-1].level if urges else 0
    activities = [e for e in standing if e.kind in ACTIVITY_KINDS]
    case.next_followup_on = activities[-1].next_followup_on if activities else None
    case.save(only=[Case.last_followup_on, Case.urge_count, Case.urge_level, Case.next_followup_on])
