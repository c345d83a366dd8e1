"""Cases put right by hand: 修改 of a case's fields, 更正 of a wrongly entered reply or
evaluation, and the checks `store.actions.undo` asks before it takes either back.

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

from store.actions import (
    CORRECTION_KINDS,
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
)
from store.actions.common import retrying
from store.case_fields import (
    CASE_FIELDS,
    CORRECTABLE,
    PROPOSER_FIELDS,
    PROPOSER_OF_BODY,
    _check_assigned_on,
    _check_role_change,
    _checked_fields,
    _find_proposer,
    _line,
    _unique_number,
)
from store.errors import LedgerError
from store.models import EVALUATIONS, RESULT_CLASSES, Case, Event, Proposer, Session
from store.queries import case_label, rules_for
from store.rules import add_months
from store.vocabulary import case_words


# ------------------------------------------------------------------------------ 修改


@retrying
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


@retrying
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


@retrying
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
