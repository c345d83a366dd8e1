"""The rules of the road in one place: which steps a case can take now, and why not.

`steps_for(case)` answers, for every step of the case screen, None (possible now) or the
sentence saying why not and what comes first. Every action in `store.actions` asks
`require(case, step)` before it writes, so an action refuses with exactly this answer;
the case card carries the same answer (`CaseCard.steps`), from which the case screen's
footer dims or hides its keys. Checks that depend on a date the user types (a reply not
before 签收, 申请调整 within the sign-for deadline, a new deadline within the cap) stay in
the action; 延期 after the current deadline is `extension_terms`' answer (it depends on today).

The order: 签收 (or 申请调整) comes first — 分派, 汇办意见, 延期 and 答复 only once signed; a
汇办 case sends its opinion and neither replies nor is evaluated; 评价, 公开 and 回头看
follow the reply; 办结 follows the reply (or the opinion) and any 回头看 still due. 送征询表 follows
the reply (or the new reply after 不满意), one form out at a time; 催收征询表 needs a form out.
Every refusal sentence of these rules is written here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store import clock
from store.errors import LedgerError
from store.queries import case_label, load_calendar, rules_for
from store.rules import latest_extension, reply_due
from store.vocabulary import Words, case_words

STEP_NAMES: dict[str, str] = {
    "sign": "签收",
    "adjust": "申请调整",
    "adjustment_result": "调整结果",
    "assign": "分派",
    "contact": "沟通",
    "follow_up": "跟进",
    "opinion": "汇办意见",
    "extend": "延期",
    "reply": "答复",
    "evaluate": "评价",
    "disclose": "公开",
    "review": "回头看",
    "close": "办结",
    "urge": "催办",
    "unit_opinion": "单位意见",
    "unit_urge": "单位催办",
    "typical": "典型案例",
    "form_send": "送征询表",
    "form_chase": "催收征询表",
}
"""Every step a case screen offers, by key, with its name in the office's words."""

ANSWERING = frozenset({"主办", "承办", "分办"})
"""Roles in which the bureau itself answers the proposer."""
CONTRIBUTING = frozenset({"汇办"})
"""The role in which the bureau contributes an opinion to another unit's reply."""

STEP_ROLES: dict[str, frozenset[str]] = {
    "opinion": CONTRIBUTING,
    "extend": ANSWERING,
    "reply": ANSWERING,
    "evaluate": ANSWERING,
    "disclose": ANSWERING,
    "review": ANSWERING,
    "unit_opinion": frozenset({"主办", "分办"}),
    "unit_urge": frozenset({"主办"}),
    "typical": ANSWERING,
    "form_send": ANSWERING,
    "form_chase": ANSWERING,
}
"""Steps that fit only some roles (the others fit every role)."""


UNIT_STEPS = frozenset({"unit_opinion", "unit_urge"})
"""Steps about the other units of a case: not offered on a case that lists none."""


def fits_role(case, step: str) -> bool:
    """Whether the step belongs to the case's role at all (汇办意见 only on 汇办, 答复 not on it)."""
    return case.role in STEP_ROLES.get(step, frozenset({case.role}))


def offered(case, step: str) -> bool:
    """Whether the case screen offers the step at all: it fits the role, and a step about other
    units needs a case that lists some (its key, pressed anyway, still says why not)."""
    from store.co_units import expected_units

    if step in UNIT_STEPS and not expected_units(case):
        return False
    return fits_role(case, step)


def steps_for(case) -> dict[str, str | None]:
    """Every step of the case screen: None if possible now, else why not and what comes first."""
    said = case_words(case)
    return {step: refusal(case, step, said) for step in STEP_NAMES}


def require(case, step: str) -> None:
    """Refuse the step with `steps_for`'s sentence unless it is possible now."""
    reason = refusal(case, step)
    if reason is not None:
        raise LedgerError(reason)


def refusal(case, step: str, said: Words | None = None) -> str | None:
    """Why `step` cannot be taken on `case` now (None: it can), in the words of the case's body
    (`said`; read from its session when not given). `case` is a Case row or any object with
    its fields (number, session_id, role, status, division_id and the dates of its steps)."""
    return _RULES[step](case, case_label(case), said or case_words(case))


# ------------------------------------------------------------------------ shared sentences


def _transferred(case) -> bool:
    """Closed without signing: the assigning office approved the re-assignment."""
    return case.status == "已办结" and case.signed_on is None


def _transferred_sentence(label: str, verb: str) -> str:
    return f"{label}已经交办机关同意调整并办结，无需{verb}。"


def _unsigned(case, label: str, verb: str) -> str | None:
    """签收 comes first; a case whose re-assignment is pending waits for the assigning office."""
    if case.signed_on is not None:
        return None
    if _transferred(case):
        return _transferred_sentence(label, verb)
    if case.status == "申请调整":
        return (f"{label}已申请调整，正等待交办机关答复，暂不能{verb}；"
                f"交办机关不同意调整的，请先签收再{verb}。")
    return f"{label}尚未签收，请先签收再{verb}。"


def _sign_first(case) -> str:
    return "签收并" if case.signed_on is None else ""


OTHER_ROLE = {
    "opinion": "{label}是{role}件，由本局答复{proposer}，不报送{opinion}。",
    "extend": "{label}是{contributing_case}，没有答复期限可延。",
    "reply": "{label}是{contributing_case}，由主办单位答复{proposer}；本局报送{opinion}即可。",
    "evaluate": "{label}是{contributing_case}，{proposer}评价的是主办单位的答复。",
    "disclose": "{label}是{contributing_case}，由主办单位答复{proposer}并决定是否公开；本局报送{opinion}即可。",
    "review": "{label}是{contributing_case}，答复的落实由主办单位回头看。",
    "unit_opinion": "{label}是{role}件，没有需要本局收集意见或答复的其他单位。",
    "unit_urge": "{label}是{role}件，没有需要本局催收意见的{co_units}。",
    "typical": "{label}是{contributing_case}，由主办单位答复{proposer}，不作为本局的典型案例。",
    "form_send": "{label}是{contributing_case}，由主办单位答复{proposer}并征询意见，本局不送征询意见表。",
    "form_chase": "{label}是{contributing_case}，由主办单位答复{proposer}并征询意见，本局没有征询意见表可催收。",
}
"""Why a step does not fit the case's role (in the words of the case's body)."""


def _other_role(case, label: str, step: str, said: Words) -> str | None:
    if fits_role(case, step):
        return None
    return OTHER_ROLE[step].format(label=label, role=said.role(case.role), proposer=said.proposer,
                                   opinion=said.opinion, contributing_case=said.contributing_case,
                                   co_units=said.co_units)


# ------------------------------------------------------------------------------ the rules


def _sign(case, label, said):
    if case.status in ("待签收", "申请调整"):
        return None
    if case.signed_on is None:
        return _transferred_sentence(label, "签收")
    return f"{label}已于{case.signed_on}签收，无需再次签收。"


def _adjust(case, label, said):
    if case.status != "待签收":
        return f"{label}当前状态为{case.status}，只有待签收的件可以申请调整。"
    return None


def _adjustment_result(case, label, said):
    if case.status != "申请调整":
        return (f"{label}没有待答复的调整申请（当前状态为{case.status}），"
                "请先申请调整，再记录交办机关的答复。")
    return None


def _assign(case, label, said):
    if case.status == "已办结":
        return f"{label}已办结，不能再分派。"
    return _unsigned(case, label, "分派")


def _always(case, label, said):
    return None


def _opinion(case, label, said):
    reason = _other_role(case, label, "opinion", said) or _unsigned(case, label, f"报送{said.opinion}")
    if reason is None and case.opinion_sent_on is not None:
        reason = f"{label}已于{case.opinion_sent_on}报送{said.opinion}。"
    return reason


def _extend(case, label, said):
    reason = _other_role(case, label, "extend", said)
    if reason is None and case.replied_on is not None:
        reason = f"{label}已答复，无需延期。"
    return reason or _unsigned(case, label, "延期")


def _reply(case, label, said):
    reason = _other_role(case, label, "reply", said) or _unsigned(case, label, "答复")
    if reason is None and case.replied_on is not None and case.status != "重新办理":
        reason = f"{label}已于{case.replied_on}答复；只有{said.proposer}不满意、重新办理时才再次答复。"
    return reason


def _evaluate(case, label, said):
    reason = _other_role(case, label, "evaluate", said)
    if reason is None and case.status == "重新办理":
        reason = f"{label}正在重新办理，请先记录重新答复，再登记评价。"
    if reason is None and case.replied_on is None:
        reason = (_transferred_sentence(label, "登记评价") if _transferred(case)
                  else f"{label}尚未答复，请先{_sign_first(case)}答复再登记评价。")
    return reason


def _disclose(case, label, said):
    reason = _other_role(case, label, "disclose", said)
    if reason is None and case.replied_on is None:
        reason = (_transferred_sentence(label, "决定是否公开") if _transferred(case)
                  else f"{label}尚未答复，答复后才能决定是否公开。")
    return reason


def _review(case, label, said):
    reason = _other_role(case, label, "review", said)
    if reason is None and case.replied_on is None:
        reason = (_transferred_sentence(label, "回头看") if _transferred(case)
                  else f"{label}尚未答复，答复后才做回头看。")
    return reason


def _close(case, label, said):
    """A case whose re-assignment is pending is closed by recording the adjustment result."""
    if case.status == "已办结":
        return f"{label}已于{case.closed_on}办结。"
    if case.status == "申请调整":
        return (f"{label}已申请调整，正等待交办机关答复：同意调整的，请记录调整结果（随即办结）；"
                "不同意调整的，请先签收办理。")
    if case.role == "汇办" and case.opinion_sent_on is None:
        return f"{label}尚未报送{said.opinion}，不能办结：请先{_sign_first(case)}报送{said.opinion}。"
    if case.role != "汇办":
        if case.status == "重新办理":
            return f"{label}尚未重新答复（重新办理中），不能办结：请先记录重新答复。"
        if case.replied_on is None:
            return f"{label}尚未答复，不能办结：请先{_sign_first(case)}答复。"
    if case.review_due is not None:
        return (f"{label}回头看尚未完成（下次回头看 {case.review_due:%Y-%m-%d}），"
                "请先记录回头看或清除下次日期。")
    return None


def _urge(case, label, said):
    if case.status == "已办结":
        return f"{label}已办结，无需催办。"
    if case.status == "申请调整":
        return f"{label}已申请调整，正等待交办机关答复，无需催办；不同意调整的，签收分派后再催办。"
    if case.division_id is None:
        return f"{label}尚未分派处室，请先分派再催办。"
    return None


def _typical(case, label, said):
    """典型案例: a case the bureau answered; taking the mark back is always possible."""
    reason = _other_role(case, label, "typical", said)
    if reason is None and not getattr(case, "is_typical", False) and case.replied_on is None:
        reason = (_transferred_sentence(label, "标记典型案例") if _transferred(case)
                  else f"{label}尚未答复，答复后才能标记为典型案例。")
    return reason


def _no_units(case, label, said) -> str | None:
    from store.co_units import expected_units

    if expected_units(case):
        return None
    return f"{label}没有{said.co_units if case.role == '主办' else '其他分办单位'}，无需记录单位意见或答复。"


def _unit_opinion(case, label, said):
    """单位意见 / 分办答复: on a 主办 or 分办 case that names other units, once signed."""
    return (_other_role(case, label, "unit_opinion", said) or _no_units(case, label, said)
            or _unsigned(case, label, "记录单位意见"))


def _unit_urge(case, label, said):
    """单位催办: a 主办 case's co-unit whose opinion is still out, before the reply."""
    from store.co_units import missing_units

    reason = _other_role(case, label, "unit_urge", said) or _no_units(case, label, said)
    if reason is None and case.status == "已办结":
        reason = f"{label}已办结，无需催办{said.co_units}。"
    if reason is None and case.replied_on is not None:
        reason = f"{label}已于{case.replied_on}答复，无需再催办{said.co_units}的意见。"
    if reason is None and not missing_units(case):
        reason = f"{label}各{said.co_units}的意见均已收到，无需催办。"
    return reason or _unsigned(case, label, f"催办{said.co_units}")


def _form_out(case) -> bool:
    """征询意见表 sent and not yet back (待收回)."""
    return getattr(case, "form_sent_on", None) is not None and getattr(case, "form_returned_on", None) is None


def _form_send(case, label, said):
    """送征询表: after the reply (or the new reply after 不满意), one form out at a time."""
    reason = _other_role(case, label, "form_send", said)
    if reason is None and case.replied_on is None:
        reason = (_transferred_sentence(label, "送征询意见表") if _transferred(case)
                  else f"{label}尚未答复，请先{_sign_first(case)}答复再送征询意见表。")
    if reason is None and case.status == "重新办理":
        reason = f"{label}正在重新办理，请先记录重新答复，再送征询意见表。"
    if reason is None and _form_out(case):
        reason = (f"{label}的征询意见表已于{case.form_sent_on}送出，尚未收回；"
                  "请催收或登记收回（评价），不必再送。")
    if reason is None and case.evaluation:
        reason = f"{label}已收到{said.evaluation}（{case.evaluation}），本次答复无需再送征询意见表。"
    return reason


def _form_chase(case, label, said):
    """催收征询表: a form is out and not back."""
    reason = _other_role(case, label, "form_chase", said)
    if reason is None and getattr(case, "form_sent_on", None) is None:
        if _transferred(case):
            reason = _transferred_sentence(label, "催收征询意见表")
        elif case.replied_on is None:
            reason = f"{label}尚未答复，还没有征询意见表可催收。"
        else:
            reason = f"{label}尚未送出征询意见表，请先送征询意见表再催收。"
    if reason is None and not _form_out(case):
        reason = f"{label}的征询意见表已于{case.form_returned_on}收回，无需催收。"
    return reason


_RULES = {
    "sign": _sign,
    "adjust": _adjust,
    "adjustment_result": _adjustment_result,
    "assign": _assign,
    "contact": _always,
    "follow_up": _always,
    "opinion": _opinion,
    "extend": _extend,
    "reply": _reply,
    "evaluate": _evaluate,
    "disclose": _disclose,
    "review": _review,
    "close": _close,
    "urge": _urge,
    "unit_opinion": _unit_opinion,
    "unit_urge": _unit_urge,
    "typical": _typical,
    "form_send": _form_send,
    "form_chase": _form_chase,
}


# ------------------------------------------------------------------------------ 延期 in time


@dataclass(frozen=True)
class ExtensionTerms:
    """What a 延期 asked for today may do: the current deadline, the cap, and whether the
    request comes after the deadline (`late`, with the sentence saying so)."""

    current_due: dt.date
    limit: dt.date
    today: dt.date
    late: bool
    late_sentence: str | None


def extension_terms(case, today: dt.date | None = None) -> ExtensionTerms:
    """延期 is asked for before the current deadline; after it, only as a late extension."""
    today = today or clock.today()
    rules = rules_for(case.session_id)
    current = reply_due(case, rules, load_calendar())
    late = today > current
    sentence = None
    if late:
        sentence = (f"{case_label(case)}的答复期限（{current:%Y-%m-%d}）已过，延期应在期限届满前申请并经批准；"
                    "逾期后补办的延期须写明补办理由，记为逾期后补办，统计时仍按原期限计为逾期答复。")
    return ExtensionTerms(current, latest_extension(case, rules), today, late, sentence)


def not_late_sentence(case, current: dt.date) -> str:
    """A late extension asked for while the deadline has not passed."""
    return (f"{case_label(case)}的答复期限（{current:%Y-%m-%d}）尚未届满，按期申请延期即可，"
            "无需记为逾期后补办。")


def case_extension_terms(case_id: int, today: dt.date | None = None) -> ExtensionTerms | None:
    """The 延期 dialog's read: `extension_terms` for a case by id (None if not found)."""
    from store.models import Case

    case = Case.get_or_none(Case.id == case_id)
    return None if case is None else extension_terms(case, today)
