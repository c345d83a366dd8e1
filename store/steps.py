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
follow the reply; 办结 follows the reply (or the opinion) and any 回头看 still due.
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
}
"""Steps that fit only some roles (the others fit every role)."""


def fits_role(case, step: str) -> bool:
    """Whether the step belongs to the case's role at all (汇办意见 only on 汇办, 答复 not on it)."""
    return case.role in STEP_ROLES.get(step, frozenset({case.role}))


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
}
"""Why a step does not fit the case's role (in the words of the case's body)."""


def _other_role(case, label: str, step: str, said: Words) -> str | None:
    if fits_role(case, step):
        return None
    return OTHER_ROLE[step].format(label=label, role=said.role(case.role), proposer=said.proposer,
                                   opinion=said.opinion, contributing_case=said.contributing_case)


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
