"""Cases in every status for every role, built through the store's actions, and one valid try
of every step — for the walk that checks the store's answer (`store.steps`), the action's
refusal and the case screen's footer agree (tests/store/test_steps.py, tests/tui/test_step_footer.py).

Every case is assigned on 2023-06-01 (reply due 2023-09-01); today is 2023-09-01.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from store import actions
from store.errors import LedgerError
from store.models import CONTACT_METHODS, CONTACT_STAGES, ROLES, Case

OPERATOR = "王秘书"
ASSIGNED = dt.date(2023, 6, 1)
TODAY = dt.date(2023, 9, 1)
ANSWERING = ("主办", "承办", "分办")
DOC_NO = "深政数函〔2023〕84号"


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _signed(case_id: int) -> None:
    actions.sign_for(case_id, OPERATOR, on=_day("2023-06-05"))


def _assigned(case_id: int) -> None:
    _signed(case_id)
    actions.assign(case_id, OPERATOR, division=actions.ensure_division("数据资源处"))


def _replied(case_id: int, result_class: str = "A") -> None:
    _assigned(case_id)
    actions.reply(case_id, OPERATOR, on=_day("2023-08-20"), doc_no=DOC_NO, result_class=result_class)


def _dissatisfied(case_id: int) -> None:
    _replied(case_id)
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=_day("2023-08-25"))


def _adjusting(case_id: int) -> None:
    actions.request_adjustment(case_id, OPERATOR, reason="属市交通运输局职责", on=_day("2023-06-03"))


def _opinion(case_id: int) -> None:
    _assigned(case_id)
    actions.record_opinion_sent(case_id, OPERATOR, summary="建议纳入共享目录", on=_day("2023-06-20"))


def _closed(case_id: int) -> None:
    if Case.get_by_id(case_id).role == "汇办":
        _opinion(case_id)
        actions.close(case_id, OPERATOR, on=_day("2023-06-30"))
    else:
        _replied(case_id)
        actions.close(case_id, OPERATOR, on=_day("2023-08-30"))


def _re_replied(case_id: int) -> None:
    _dissatisfied(case_id)
    actions.reply(case_id, OPERATOR, on=_day("2023-08-28"), doc_no="深政数函〔2023〕97号", result_class="A")


def _form_out(case_id: int) -> None:
    _replied(case_id)
    actions.send_form(case_id, OPERATOR, how="当面送达", on=_day("2023-08-21"))


def _refused_adjustment(case_id: int) -> None:
    _adjusting(case_id)
    actions.record_adjustment_result(case_id, OPERATOR, approved=False, on=_day("2023-06-05"))


def _transferred(case_id: int) -> None:
    _adjusting(case_id)
    actions.record_adjustment_result(case_id, OPERATOR, approved=True, on=_day("2023-06-05"))


def _extended(case_id: int) -> None:
    _assigned(case_id)
    actions.extend(case_id, OPERATOR, new_due=_day("2023-11-15"), reason="需会商", approval="经交办机关同意")


STATES: tuple[tuple[str, str, tuple[str, ...], Callable[[int], None]], ...] = (
    # (name, the status it is in, the roles it exists for, how it got there after 交办)
    ("待签收", "待签收", ROLES, lambda case_id: None),
    ("待签收（不同意调整后）", "待签收", ROLES, _refused_adjustment),
    ("申请调整", "申请调整", ROLES, _adjusting),
    ("办理中（未分派）", "办理中", ROLES, _signed),
    ("办理中", "办理中", ROLES, _assigned),
    ("办理中（已延期）", "办理中", ANSWERING, _extended),
    ("已答复", "已答复", ANSWERING, _replied),
    ("已答复（回头看未完成）", "已答复", ANSWERING, lambda case_id: _replied(case_id, "B")),
    ("已答复（征询意见表待收回）", "已答复", ANSWERING, _form_out),
    ("重新办理", "重新办理", ANSWERING, _dissatisfied),
    ("已答复（重新答复后）", "已答复", ANSWERING, _re_replied),
    ("已反馈", "已反馈", ("汇办",), _opinion),
    ("已办结", "已办结", ROLES, _closed),
    ("已办结（同意调整转出）", "已办结", ROLES, _transferred),
)
"""Every status × role a case can reach (汇办 neither replies nor is re-handled; only 汇办 is 已反馈)."""


def build_cases() -> dict[tuple[str, str], int]:
    """One case per (state name, role), in one 人大 session; returns their ids."""
    session = actions.ensure_session("市七届人大三次会议", body="人大", year=2023)
    ids = {}
    number = 0
    for name, status, roles, build in STATES:
        for role in roles:
            number += 1
            case_id = actions.create_case(
                OPERATOR, session=session, number=f"2023{number:04d}", title=f"{name}的{role}件", role=role,
                assigned_on=ASSIGNED, lead_unit="市发展改革委" if role == "汇办" else "").case_id
            build(case_id)
            assert Case.get_by_id(case_id).status == status, (name, role)
            ids[(name, role)] = case_id
    return ids


def try_step(step: str, case_id: int) -> None:
    """Take `step` on the case with input that passes every date and field check."""
    case = Case.get_by_id(case_id)
    division = actions.ensure_division("数据资源处")
    calls = {
        "sign": lambda: actions.sign_for(case_id, OPERATOR),
        "adjust": lambda: actions.request_adjustment(case_id, OPERATOR, reason="非本局职责",
                                                     on=case.assigned_on + dt.timedelta(days=2)),
        "adjustment_result": lambda: actions.record_adjustment_result(case_id, OPERATOR, approved=False),
        "assign": lambda: actions.assign(case_id, OPERATOR, division=division),
        "contact": lambda: actions.log_follow_up(case_id, OPERATOR, kind="沟通", method=CONTACT_METHODS[0],
                                                 stage=CONTACT_STAGES[0], note="电话联系"),
        "follow_up": lambda: actions.log_follow_up(case_id, OPERATOR, kind="查办", note="查看进度"),
        "opinion": lambda: actions.record_opinion_sent(case_id, OPERATOR, summary="意见"),
        "extend": lambda: actions.extend(case_id, OPERATOR, new_due=_day("2023-12-01"), reason="需会商",
                                         approval="经交办机关同意"),
        "reply": lambda: actions.reply(case_id, OPERATOR, doc_no="深政数函〔2023〕99号", result_class="A"),
        "evaluate": lambda: actions.record_evaluation(case_id, OPERATOR, evaluation="满意"),
        "disclose": lambda: actions.record_disclosure(case_id, OPERATOR, decision="公开"),
        "review": lambda: actions.record_review(case_id, OPERATOR, findings="已落实"),
        "close": lambda: actions.close(case_id, OPERATOR),
        "urge": lambda: actions.urge_division(case_id, OPERATOR),
        "unit_opinion": lambda: (
            actions.record_split_reply(case_id, OPERATOR, unit=(case.co_units or ["市公安局"])[0])
            if case.role == "分办" else
            actions.record_unit_opinion(case_id, OPERATOR, unit=(case.co_units or ["市公安局"])[0], summary="同意")),
        "unit_urge": lambda: actions.urge_unit(case_id, OPERATOR, unit=(case.co_units or ["市公安局"])[0]),
        "form_send": lambda: actions.send_form(case_id, OPERATOR, how="随答复"),
        "form_chase": lambda: actions.chase_form(case_id, OPERATOR),
        "typical": lambda: actions.mark_typical(case_id, OPERATOR, note="典型"),
    }
    calls[step]()


def attempt(database, step: str, case_id: int) -> str | None:
    """Try the step inside a transaction rolled back afterwards: None if the action took it,
    else its refusal. The ledger is left exactly as it was."""
    with database.atomic() as txn:
        try:
            try_step(step, case_id)
            return None
        except LedgerError as exc:
            return exc.message
        finally:
            txn.rollback()
