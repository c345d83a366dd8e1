"""Cases entered and put right by hand: 录入 a case that arrives on paper, 修改 its fields,
更正 a wrongly entered reply or evaluation.

`enter_case` is 交办 for a case that is not on any list (闭会期间, a late transfer): every
field checked as the importer checks a row, the proposer found or created, one 交办 event.
`correct_case` changes any of the case's own fields as ONE 修改 event with `before` and
`after`; a corrected 交办 date moves every deadline, and a date that would put an earlier
step out of order is refused. `correct_reply` and `correct_evaluation` put a wrong entry
right as ONE 更正 event with a reason: the case's fields (and so every figure) take the
corrected value, and the timeline keeps the original entry beside the correction.
`check_restored` is what `store.actions.undo` asks before it takes a 修改 or 更正 back: the
old values must pass the same checks again, since later steps may rest on the corrected ones.

Every refusal is a `LedgerError` sentence and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from store.actions import (
    CORRECTION_KINDS,
    KIND_OF_BODY,
    MAX_NOTE,
    MAX_TITLE,
    Recorded,
    _choice,
    _date,
    _load,
    _not_before,
    _operator,
    _recompute_activity,
    _record,
    _text,
    _transaction,
    check_case_shape,
    create_case,
)
from store.errors import LedgerError
from store.models import EVALUATIONS, RESULT_CLASSES, Case, Event, Proposer, Session
from store.queries import case_label, rules_for
from store.rules import add_months
from store.vocabulary import case_words, checked_role, words

PROPOSER_KINDS = ("代表", "委员")
PROPOSER_OF_BODY = {"人大": "代表", "政协": "委员"}
LIMITS = {"number": 40, "title": MAX_TITLE, "summary": MAX_NOTE, "topic": 100, "lead_unit": 200, "unit": 200,
          "proposer_name": 50, "proposer_group": 100, "proposer_unit_title": 200, "proposer_phone": 50,
          "cosigner": 50}
"""The importer's limits (store/io/importer.py `_LIMITS`), by the names used here."""

CASE_FIELDS = ("number", "kind", "title", "summary", "topic", "cosigners", "role", "lead_unit", "co_units",
               "assigned_on")
PROPOSER_FIELDS = ("proposer_name", "proposer_group", "proposer_unit_title", "proposer_phone")
CORRECTABLE = CASE_FIELDS + PROPOSER_FIELDS


# ----------------------------------------------------------------------------- checks


def _line(value, what: str, limit: int, *, required: bool = False) -> str:
    """A one-line name or number: trimmed, no control characters (as the importer refuses them)."""
    text = _text(value, what, required=required, limit=limit).strip()
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise LedgerError(f"{what}含有控制字符（如换行、ESC），请删除后重试。")
    return unicodedata.normalize("NFC", text)


def _number(value) -> str:
    number = _line(value, "编号", LIMITS["number"], required=True)
    if number.startswith("第") and number.endswith("号"):
        number = number[1:-1].strip()
    if not number:
        raise LedgerError("请填写编号。")
    return number


def _names(values, what: str, limit: int) -> list[str]:
    if isinstance(values, str):
        raise LedgerError(f"{what}应为名单（每人/每个单位一项）。")
    names = [_line(value, what, limit) for value in (values or ())]
    return [name for name in names if name]


def _unique_number(session: Session, number: str, case_id: int | None = None) -> None:
    query = Case.select().where((Case.session == session.id) & (Case.number == number))
    if case_id is not None:
        query = query.where(Case.id != case_id)
    if query.exists():
        raise LedgerError(f"{session.name}已有第{number}号，编号在同一届次内不能重复。")


def _proposer_kind(body: str, kind: str) -> str:
    _choice(kind, PROPOSER_KINDS, "领衔人身份")
    expected = PROPOSER_OF_BODY.get(body)
    if expected and kind != expected:
        raise LedgerError(f"{body}届次的领衔人是{expected}，不是{kind}：请检查领衔人身份或届次。")
    return kind


def _find_proposer(name: str, kind: str, group: str, unit_title: str, phone: str, *, exact: bool) -> Proposer:
    """The proposer with these details, or a new one; an existing row is never changed
    (other cases point at it). Not `exact`: an empty unit or phone matches any."""
    query = Proposer.select().where((Proposer.name == name) & (Proposer.group == group) & (Proposer.kind == kind))
    candidates = list(query.order_by(Proposer.id))
    for candidate in candidates:
        if (candidate.unit_title, candidate.phone) == (unit_title, phone):
            return candidate
    if not exact:
        for candidate in candidates:
            if (not unit_title or candidate.unit_title == unit_title) and (not phone or candidate.phone == phone):
                return candidate
    return Proposer.create(name=name, kind=kind, group=group, unit_title=unit_title, phone=phone)


# ------------------------------------------------------------------------------ 录入


def enter_case(operator, *, session_id: int, number, kind: str, title, summary="", topic="", proposer_name,
               proposer_kind: str, proposer_group, proposer_unit_title="", proposer_phone="",
               cosigners: Iterable[str] = (), role: str, lead_unit="", co_units: Iterable[str] = (),
               assigned_on, note="") -> Recorded:
    """录入: a case that arrives on paper (闭会期间, a late transfer), checked like a list's row."""
    operator = _operator(operator)
    session = Session.get_or_none(Session.id == session_id) if session_id is not None else None
    if session is None:
        raise LedgerError("请选择届次（台账中还没有届次的，请先在“届次规则”中新建）。")
    number = _number(number)
    _choice(kind, tuple(KIND_OF_BODY.values()), "类型")
    if KIND_OF_BODY.get(session.body, kind) != kind:
        raise LedgerError(f"{session.body}的届次只收{KIND_OF_BODY[session.body]}，不能登记{kind}：请检查类型或届次。")
    title = _text(title, "标题", required=True, limit=MAX_TITLE)
    summary = _text(summary, "内容摘要", limit=MAX_NOTE)
    topic = _line(topic, "类别", LIMITS["topic"])
    name = _line(proposer_name, "领衔人姓名", LIMITS["proposer_name"], required=True)
    proposer_kind = _proposer_kind(session.body, proposer_kind)
    said = words(session.body)
    group = _line(proposer_group, said.proposers_group, LIMITS["proposer_group"])
    unit_title = _line(proposer_unit_title, "单位及职务", LIMITS["proposer_unit_title"])
    phone = _line(proposer_phone, "联系电话", LIMITS["proposer_phone"])
    cosigners = _names(cosigners, said.cosigners, LIMITS["cosigner"])
    role = checked_role(role, session.body)  # 会办, the 政协 name, is stored as 汇办
    lead_unit = _line(lead_unit, "主办单位", LIMITS["lead_unit"])
    co_units = _names(co_units, said.co_units, LIMITS["unit"])
    check_case_shape(session.body, kind, role, lead_unit, co_units)
    assigned = _date(assigned_on, "交办日期") if assigned_on not in (None, "") else None
    if assigned is None:
        raise LedgerError("请填写交办日期。")
    note = _text(note, "备注")
    with _transaction():
        _unique_number(session, number)
        proposer = _find_proposer(name, proposer_kind, group, unit_title, phone, exact=False)
        return create_case(operator, session=session.id, number=number, title=title, role=role,
                           assigned_on=assigned, kind=kind, lead_proposer=proposer.id, cosigners=cosigners,
                           lead_unit=lead_unit, co_units=co_units, summary=summary, topic=topic,
                           note=note or "手工录入", require_lead_unit=True)


# ------------------------------------------------------------------------------ 修改


def _checked_fields(fields: dict, body: str = "") -> dict:
    """The corrected values, checked one by one (only those given), named in the body's words."""
    said = words(body)
    checks = {
        "number": _number,
        "kind": lambda v: _choice(v, tuple(KIND_OF_BODY.values()), "类型"),
        "title": lambda v: _text(v, "标题", required=True, limit=MAX_TITLE),
        "summary": lambda v: _text(v, "内容摘要", limit=MAX_NOTE),
        "topic": lambda v: _line(v, "类别", LIMITS["topic"]),
        "cosigners": lambda v: _names(v, said.cosigners if body else "附议/联名人", LIMITS["cosigner"]),
        "role": lambda v: checked_role(v, body),  # 会办, the 政协 name, is stored as 汇办
        "lead_unit": lambda v: _line(v, "主办单位", LIMITS["lead_unit"]),
        "co_units": lambda v: _names(v, said.co_units, LIMITS["unit"]),
        "assigned_on": lambda v: _date(v, "交办日期") if v not in (None, "") else _missing_date(),
        "proposer_name": lambda v: _line(v, "领衔人姓名", LIMITS["proposer_name"], required=True),
        "proposer_group": lambda v: _line(v, said.proposers_group if body else "代表团或界别", LIMITS["proposer_group"]),
        "proposer_unit_title": lambda v: _line(v, "单位及职务", LIMITS["proposer_unit_title"]),
        "proposer_phone": lambda v: _line(v, "联系电话", LIMITS["proposer_phone"]),
    }
    return {name: checks[name](value) for name, value in fields.items()}


def _missing_date():
    raise LedgerError("请填写交办日期。")


def _check_role_change(case: Case, role: str) -> None:
    """A role may change only while nothing recorded depends on it."""
    if role == case.role:
        return
    label = case_label(case)
    said = case_words(case)
    if role == "汇办" and (case.replied_on or case.extended_due or case.evaluation or case.disclosure
                          or case.review_due or case.reviewed_on):
        done = "已答复" if case.replied_on else "已延期"
        raise LedgerError(f"{label}{done}，不能改为{said.contributing}（{said.contributing_case}不答复{said.proposer}）："
                          "如确属误录，请先撤销答复或延期，再修改办理方式。")
    if case.role == "汇办" and case.opinion_sent_on is not None:
        raise LedgerError(f"{label}已报送{said.opinion}，不能改为{role}：如确属误录，请先撤销{said.opinion}，再修改办理方式。")


def _check_assigned_on(case: Case, day: dt.date) -> None:
    """A corrected 交办 date: not after 签收 nor after any step recorded on the case, and an
    approved extension still later than the plain reply date and within the cap."""
    label = case_label(case)
    if case.signed_on is not None and day > case.signed_on:
        raise LedgerError(f"交办日期{day:%Y-%m-%d}晚于签收日期{case.signed_on:%Y-%m-%d}：应先交办、后签收，请检查日期。")
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    later = (
        Event.select(Event.kind, Event.on_date)
        .where((Event.case == case.id) & Event.on_date.is_null(False) & (Event.on_date < day)
               & Event.kind.not_in(("交办", "修改", "更正", "撤销")) & ~(Event.id << undone))
        .order_by(Event.on_date)
        .first()
    )
    if later is not None:
        raise LedgerError(f"交办日期{day:%Y-%m-%d}晚于{label}已记录的{later.kind}（{later.on_date:%Y-%m-%d}）："
                          "应先交办、后办理，请检查日期。")
    if case.extended_due is not None:
        rules = rules_for(case.session_id)
        limit = add_months(day, rules.max_reply_months)
        if case.extended_due > limit:
            raise LedgerError(f"按交办日期{day:%Y-%m-%d}，已批准的延期（至{case.extended_due:%Y-%m-%d}）将超过"
                              f"交办后{rules.max_reply_months}个月的上限，请先撤销延期或检查日期。")
        plain = add_months(day, rules.reply_months)
        if case.extended_due <= plain:
            raise LedgerError(f"按交办日期{day:%Y-%m-%d}，答复期限本为{plain:%Y-%m-%d}，已批准的延期"
                              f"（至{case.extended_due:%Y-%m-%d}）将不晚于它，不再是延期：请先撤销延期或检查日期。")


def correct_case(operator, case_id: int, *, expected_version: int | None, note="", **fields) -> Recorded:
    """修改: correct the case's own fields — one 修改 event with before and after.

    Fields: number, kind, title, summary, topic, cosigners, role, lead_unit, co_units,
    assigned_on, and the lead proposer's proposer_name / proposer_group /
    proposer_unit_title / proposer_phone (the proposer is found or created; other cases
    that name the old one keep it). Only what differs is recorded.
    """
    operator = _operator(operator)
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise LedgerError(f"不能直接修改：{'、'.join(sorted(unknown))}。")
    note = _text(note, "修改说明")
    with _transaction():
        case = _load(case_id, expected_version)
        session = Session.get_by_id(case.session_id)
        values = _checked_fields(fields, session.body)
        changes = {name: values[name] for name in CASE_FIELDS if name in values}
        changes = {name: value for name, value in changes.items() if getattr(case, name) != value}
        current = Proposer.get_or_none(Proposer.id == case.lead_proposer_id) if case.lead_proposer_id else None
        extra = {}
        if any(name in values for name in PROPOSER_FIELDS):
            wanted = {
                "name": values.get("proposer_name", current.name if current else ""),
                "group": values.get("proposer_group", current.group if current else ""),
                "unit_title": values.get("proposer_unit_title", current.unit_title if current else ""),
                "phone": values.get("proposer_phone", current.phone if current else ""),
            }
            had = {key: getattr(current, key) if current else "" for key in wanted}
            if wanted != had:
                if not wanted["name"]:
                    raise LedgerError("请填写领衔人姓名。")
                kind = PROPOSER_OF_BODY.get(session.body, current.kind if current else "代表")
                proposer = _find_proposer(wanted["name"], kind, wanted["group"], wanted["unit_title"],
                                          wanted["phone"], exact=True)
                changes["lead_proposer"] = proposer.id
                extra["labels"] = {"lead_proposer": {"before": _proposer_words(had), "after": _proposer_words(wanted)}}
        if not changes:
            raise LedgerError("没有需要保存的修改。")
        if "number" in changes:
            _unique_number(session, changes["number"], case.id)
        check_case_shape(session.body, changes.get("kind", case.kind), changes.get("role", case.role),
                         changes.get("lead_unit", case.lead_unit), changes.get("co_units", case.co_units or []),
                         require_lead_unit="role" in changes or "lead_unit" in changes)
        if "role" in changes:
            _check_role_change(case, changes["role"])
        if "assigned_on" in changes:
            _check_assigned_on(case, changes["assigned_on"])
        label = case_label(case)
        recorded = _record(case, operator, "修改", changes, note=note, extra=extra or None,
                           message=f"{label}已修改（{len(changes)}项）")
        if "assigned_on" in changes:  # the 交办 date counts as the first follow-up: 滞后 reads it
            _recompute_activity(case)
        return recorded


def _proposer_words(values: dict) -> str:
    """李四（福田代表团）, as the timeline names a lead proposer; the phone is never shown."""
    if not values.get("name"):
        return ""
    words = values["name"] + (f"（{values['group']}）" if values.get("group") else "")
    if values.get("unit_title"):
        words += f" {values['unit_title']}"
    return words


# ------------------------------------------------------------------------------ 更正


def _reason(reason) -> str:
    return _text(reason, "更正理由", required=True)


def _standing(case: Case, kind: str) -> Event | None:
    """The latest event of `kind` on the case that has not been undone."""
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    return (Event.select().where((Event.case == case.id) & (Event.kind == kind) & ~(Event.id << undone))
            .order_by(Event.id.desc()).first())


def _not_after_later_steps(day: dt.date, what: str, old: dt.date, steps) -> None:
    """A corrected date may not pass a step recorded after the original one."""
    for later, name in steps:
        if later is not None and later >= old and day > later:
            raise LedgerError(f"{what}{day:%Y-%m-%d}晚于其后的{name}日期{later:%Y-%m-%d}：应先{what[:-2]}、后{name}，"
                              "请检查日期。")


def correct_reply(operator, case_id: int, *, reason, doc_no=None, result_class=None, on=None,
                  expected_version: int | None) -> Recorded:
    """更正答复: put right the latest reply's document number, class (A–D) or date — one 更正 event.

    After 不满意 and a new reply, the new reply is the one corrected (the first stays on
    its event). A class corrected to B/C gets its 回头看 date; one corrected away from B/C
    drops a 回头看 date that is still the one the reply set.
    """
    operator = _operator(operator)
    reason = _reason(reason)
    if doc_no is not None:
        doc_no = _line(doc_no, "答复文号", 100, required=True)
    if result_class is not None:
        _choice(result_class, RESULT_CLASSES, "答复类别")
    with _transaction():
        case = _load(case_id, expected_version)
        label = case_label(case)
        if case.role == "汇办":
            raise LedgerError(f"{label}是{case_words(case).contributing_case}，没有本局的答复可更正。")
        if case.replied_on is None:
            raise LedgerError(f"{label}尚未答复，没有可更正的答复。")
        again = case.rehandle_replied_on is not None
        date_field, what = ("rehandle_replied_on", "重新答复日期") if again else ("replied_on", "答复日期")
        old_day = getattr(case, date_field)
        changes: dict = {}
        day = old_day
        if on not in (None, ""):
            day = _date(on, what, case=case)
            if again:
                _not_before(day, what, case.rehandle_started_on, "不满意评价日期", "收到不满意评价", "重新答复")
            else:
                _not_before(day, what, case.signed_on, "签收日期", "签收", "答复")
            later = [(case.evaluated_on, "评价"), (case.disclosed_on, "公开"), (case.reviewed_on, "回头看"),
                     (case.closed_on, "办结")]
            if not again:
                later.append((case.rehandle_started_on, "不满意评价"))
            _not_after_later_steps(day, what, old_day, later)
            if day != old_day:
                changes[date_field] = day
        if doc_no is not None and doc_no != case.reply_doc_no:
            changes["reply_doc_no"] = doc_no
        new_class = result_class if result_class is not None else case.result_class
        if new_class != case.result_class:
            changes["result_class"] = new_class
        if not changes:
            raise LedgerError("没有需要更正的内容：文号、类别和日期都与原答复相同。")
        months = rules_for(case.session_id).review_months
        automatic = case.review_due is not None and case.review_due == add_months(old_day, months)
        if new_class in ("B", "C"):
            if case.review_due is None and case.reviewed_on is None and case.closed_on is None:
                changes["review_due"] = add_months(day, months)
            elif automatic and day != old_day:
                changes["review_due"] = add_months(day, months)
        elif automatic and case.reviewed_on is None:
            changes["review_due"] = None
        original = _standing(case, "答复")
        return _record(case, operator, "更正", changes, note=reason,
                       extra={"corrects": "重新答复" if again else "答复",
                              "corrected_event": original.id if original else None},
                       message=f"{label}的{'重新答复' if again else '答复'}已更正")


def correct_evaluation(operator, case_id: int, *, reason, evaluation=None, on=None,
                       expected_version: int | None) -> Recorded:
    """更正评价: put right the proposer's evaluation or its date — one 更正 event.

    满意 ↔ 基本满意 changes the evaluation only. Corrected to 不满意, re-handling starts as
    `record_evaluation` starts it; 不满意 corrected away ends re-handling and puts back the
    state before that evaluation. Once a new reply has been made after 不满意 the first
    evaluation cannot be corrected here (the reply rests on it): undo the new reply first.
    """
    operator = _operator(operator)
    reason = _reason(reason)
    if evaluation is not None:
        _choice(evaluation, EVALUATIONS, "评价")
    with _transaction():
        case = _load(case_id, expected_version)
        label = case_label(case)
        if case.role == "汇办":
            said = case_words(case)
            raise LedgerError(f"{label}是{said.contributing_case}，{said.proposer}评价的是主办单位的答复，本局没有评价可更正。")
        if not case.evaluation:
            if case.rehandle_replied_on is not None:
                raise LedgerError(f"{label}已在不满意后重新答复，原来的不满意评价不能直接更正："
                                  "如确属误录，请先撤销（z）重新答复，再更正评价。")
            raise LedgerError(f"{label}尚未登记评价，没有可更正的评价。")
        old, new = case.evaluation, evaluation or case.evaluation
        old_day = case.evaluated_on
        day = old_day
        if on not in (None, ""):
            day = _date(on, "评价日期", case=case)
        reply_day, reply_name = (case.rehandle_replied_on, "重新答复") if (
            case.rehandle_replied_on is not None and old != "不满意") else (case.replied_on, "答复")
        _not_before(day, "评价日期", reply_day, f"{reply_name}日期", reply_name, "评价")
        if old_day is not None and old != "不满意":
            _not_after_later_steps(day, "评价日期", old_day, [(case.closed_on, "办结")])
        changes: dict = {}
        if new != old:
            changes["evaluation"] = new
        if day != old_day:
            changes["evaluated_on"] = day
        if not changes:
            raise LedgerError("没有需要更正的内容：评价和日期都与原登记相同。")
        if old == "不满意" and new == "不满意":
            changes["rehandle_started_on"] = day
        elif new == "不满意":
            if case.rehandle_replied_on is not None:
                raise LedgerError(f"{label}已经重新办理过一次，不能把这次评价直接更正为不满意："
                                  "请先撤销（z）这次评价，再登记不满意。")
            changes.update({"status": "重新办理", "rehandle_started_on": day, "rehandle_replied_on": None})
            if case.closed_on is not None:
                changes["closed_on"] = None
        elif old == "不满意":
            changes.update(_before_dissatisfied(case))
        if _only_evaluation(case):  # the first 评价 is the one corrected: keep first_evaluation* with it
            if "evaluation" in changes:
                changes["first_evaluation"] = new
            if "evaluated_on" in changes:
                changes["first_evaluated_on"] = day
        original = _standing(case, "评价")
        message = f"{label}的评价已更正为{new}" + ("，开始重新办理" if new == "不满意" and old != "不满意" else "") + (
            "，不再重新办理" if old == "不满意" and new != "不满意" else "")
        return _record(case, operator, "更正", changes, note=reason,
                       extra={"corrects": "评价", "corrected_event": original.id if original else None},
                       message=message)


def _only_evaluation(case: Case) -> bool:
    """One 评价 stands on the case (not undone): the evaluation being corrected is the first."""
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    return Event.select().where((Event.case == case.id) & (Event.kind == "评价") & ~(Event.id << undone)).count() <= 1


def _before_dissatisfied(case: Case) -> dict:
    """What the standing 不满意 (an evaluation, or a correction to one) changed, as it was before:
    status, closing and the re-handling dates."""
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    events = (Event.select().where((Event.case == case.id) & Event.kind.in_(("评价", "更正")) & ~(Event.id << undone))
              .order_by(Event.id.desc()))
    before: dict = {}
    for event in events:
        data = event.data or {}
        if (data.get("after") or {}).get("status") == "重新办理":
            before = data.get("before") or {}
            break
    restored: dict = {"status": "已答复", "rehandle_started_on": None, "rehandle_replied_on": None}
    for name in ("rehandle_started_on", "rehandle_replied_on", "closed_on"):
        if name in before:
            value = before[name]
            restored[name] = dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    if before.get("status") and before["status"] != "重新办理":
        restored["status"] = before["status"]
    if restored.get("closed_on") is not None:
        restored["status"] = "已办结"
    return restored


# ------------------------------------------------------------------------------ 撤销


def check_restored(case: Case, event: Event, restore: dict) -> None:
    """Before `undo` takes back a 修改 or 更正: the values it would put back (`restore`) pass
    the checks the correction itself made, against the case as it stands now.

    Steps recorded after the correction may rest on the corrected values (a 签收 after the
    corrected 交办 date, co-units added once the role became 主办, a reply to a case no longer
    汇办, an evaluation after the corrected reply date, another case given the old number):
    refused with a sentence naming that step, and `undo` writes nothing.
    """
    if event.kind not in CORRECTION_KINDS or not restore:
        return
    try:
        if event.kind == "修改":
            _check_restored_fields(case, restore)
        else:
            _check_restored_dates(case, (event.data or {}).get("corrects"), restore)
    except LedgerError as exc:
        raise LedgerError(f"不能撤销这条{event.kind}记录，恢复原来的内容后：{exc}") from None


def _check_restored_fields(case: Case, restore: dict) -> None:
    """A 修改 taken back: the number unique, the kind, role and units in shape, the role and
    the 交办 date fitting what has been recorded since."""
    session = Session.get_by_id(case.session_id)
    if "number" in restore:
        _unique_number(session, restore["number"], case.id)
    shape = ("kind", "role", "lead_unit", "co_units")
    if any(name in restore for name in shape):
        kind, role, lead_unit, co_units = (restore.get(name, getattr(case, name)) for name in shape)
        check_case_shape(session.body, kind, role, lead_unit, co_units or [],
                         require_lead_unit="role" in restore or "lead_unit" in restore)
    if "role" in restore:
        _check_role_change(case, restore["role"])
    if restore.get("assigned_on") is not None:
        _check_assigned_on(case, restore["assigned_on"])


def _check_restored_dates(case: Case, corrects: str | None, restore: dict) -> None:
    """A 更正 taken back: the reply or evaluation date put back still in order with the steps
    recorded since (as `correct_reply` and `correct_evaluation` order them)."""
    if corrects == "答复" and restore.get("replied_on") is not None:
        day = restore["replied_on"]
        _not_before(day, "答复日期", case.signed_on, "签收日期", "签收", "答复")
        _not_after_later_steps(day, "答复日期", case.replied_on, [
            (case.evaluated_on, "评价"), (case.disclosed_on, "公开"), (case.reviewed_on, "回头看"),
            (case.closed_on, "办结"), (case.rehandle_started_on, "不满意评价")])
    if corrects == "重新答复" and restore.get("rehandle_replied_on") is not None:
        day = restore["rehandle_replied_on"]
        _not_before(day, "重新答复日期", case.rehandle_started_on, "不满意评价日期", "收到不满意评价", "重新答复")
        _not_after_later_steps(day, "重新答复日期", case.rehandle_replied_on, [
            (case.evaluated_on, "评价"), (case.disclosed_on, "公开"), (case.reviewed_on, "回头看"),
            (case.closed_on, "办结")])
    if corrects == "评价" and restore.get("evaluated_on") is not None:
        day = restore["evaluated_on"]
        # the evaluation put back: named in `restore` when it changed; a 不满意 whose date alone
        # was corrected moved the re-handling start with it (the case's evaluation may be "" since)
        dissatisfied = restore.get("evaluation", "不满意" if "rehandle_started_on" in restore else "") == "不满意"
        if dissatisfied:
            _not_before(day, "评价日期", case.replied_on, "答复日期", "答复", "评价")
            if case.evaluated_on is not None and "rehandle_replied_on" not in restore:
                _not_after_later_steps(day, "评价日期", case.evaluated_on, [(case.rehandle_replied_on, "重新答复")])
        else:
            rehandle_replied_on = restore.get("rehandle_replied_on", case.rehandle_replied_on)
            reply_day, reply_name = ((rehandle_replied_on, "重新答复") if rehandle_replied_on is not None
                                     else (case.replied_on, "答复"))
            _not_before(day, "评价日期", reply_day, f"{reply_name}日期", reply_name, "评价")
            if case.evaluated_on is not None:
                _not_after_later_steps(day, "评价日期", case.evaluated_on,
                                       [(restore.get("closed_on", case.closed_on), "办结")])


# --------------------------------------------------------------------------- for the desk

_NAME_SPLIT = re.compile(r"[、，,；;\n]+")


def split_names(text: str) -> list[str]:
    """Co-signers or co-units as typed on one line, 、-separated (，,；; also accepted)."""
    return [part.strip() for part in _NAME_SPLIT.split(text or "") if part.strip()]


@dataclass(frozen=True)
class EntrySession:
    """A session as the new-case form offers it: its body decides the kind and the proposer."""

    id: int
    name: str
    body: str
    year: int
    assigned_on: dt.date | None

    @property
    def kind(self) -> str:
        return KIND_OF_BODY.get(self.body, "建议")

    @property
    def proposer_kind(self) -> str:
        return PROPOSER_OF_BODY.get(self.body, "代表")


def entry_sessions() -> list[EntrySession]:
    """Every session, newest year first, for the new-case form."""
    query = Session.select(Session.id, Session.name, Session.body, Session.year, Session.assigned_on).order_by(
        Session.year.desc(), Session.id)
    return [EntrySession(s.id, s.name, s.body, s.year, s.assigned_on) for s in query]
