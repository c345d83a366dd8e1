"""征询意见表: the evaluation form sent to the proposer after the reply, and chased until it is back.

`send_form` records the form going out (送征询表: the day, how — 随答复 / 当面送达 / 电子 — and who
holds it) and the day it is due back, `form_return_working_days` working days later by the
session's rules and the office's calendar; `chase_form` records a reminder (催收征询表). The form
comes back as the 评价 (`store.actions.replies.record_evaluation`: 办理工作 and 办理结果), which
sets `form_returned_on`. After a 不满意 and the new reply, a new form may be sent.

Which of the two is possible now is `store.steps`' answer ("form_send", "form_chase"); an
outstanding form is 待收回, a step of the proposer's, never a late step of the bureau's.
"""

from __future__ import annotations

from store.actions.common import (
    Recorded,
    _choice,
    _date,
    _load,
    _not_before,
    _operator,
    _record,
    _text,
    _transaction,
    retrying,
)
from store.actions.replies import _latest_reply
from store.models import FORM_SENT_HOW
from store.queries import case_label, load_calendar, rules_for
from store.steps import require

MAX_HOLDER = 100


@retrying
def send_form(case_id: int, operator: str, *, how: str, holder: str = "", on=None,
              expected_version: int | None = None) -> Recorded:
    """送征询表: the evaluation form sent (`on`, today if not given; not before the latest reply),
    `how` one of FORM_SENT_HOW, `holder` who holds it; due back by the session's form rule."""
    operator = _operator(operator)
    _choice(how, FORM_SENT_HOW, "征询意见表送达方式")
    holder = _text(holder, "持表人", limit=MAX_HOLDER).strip()
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "form_send")
        day = _date(on, "征询意见表送出日期", case=case)
        reply_day, reply_name = _latest_reply(case)
        _not_before(day, "征询意见表送出日期", reply_day, f"{reply_name}日期", reply_name, "送征询意见表")
        counted = load_calendar().add_working_days(day, rules_for(case.session_id).form_return_working_days)
        changes = {"form_sent_on": day, "form_sent_how": how, "form_holder": holder, "form_due": counted.day,
                   "form_urge_count": 0, "form_returned_on": None}
        message = f"{case_label(case)}已送征询意见表（{how}），请于{counted.day:%Y-%m-%d}前收回"
        if counted.warning:
            message += f"；{counted.warning}"
        return _record(case, operator, "送征询表", changes, on_date=day, note=holder,
                       extra={"how": how, "holder": holder}, message=message)


@retrying
def chase_form(case_id: int, operator: str, *, note: str = "", on=None,
               expected_version: int | None = None) -> Recorded:
    """催收征询表: a reminder for a form that is out and not back (not before it was sent)."""
    operator = _operator(operator)
    note = _text(note, "催收情况")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "form_chase")
        day = _date(on, "催收日期", case=case)
        _not_before(day, "催收日期", case.form_sent_on, "征询意见表送出日期", "送征询意见表", "催收")
        count = case.form_urge_count + 1
        return _record(case, operator, "催收征询表", {"form_urge_count": count}, on_date=day, note=note,
                       message=f"{case_label(case)}已催收征询意见表（第{count}次）")
