"""A case arrives and is taken on: 交办 (`create_case`, with the shape every case obeys),
签收, 申请调整 and its result, and 分派 to a division, a person and a leader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from peewee import IntegrityError

from store.actions.common import (
    MAX_TITLE,
    Recorded,
    _date,
    _field_value,
    _load,
    _not_before,
    _operator,
    _record,
    _text,
    _transaction,
    retrying,
)
from store.errors import LedgerError
from store.models import Case, Division, Event, Person, Proposer, Session
from store.queries import case_label, rules_for
from store.steps import require
from store.vocabulary import checked_role, words


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


@retrying
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


@retrying
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


@retrying
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


@retrying
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


@retrying
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
