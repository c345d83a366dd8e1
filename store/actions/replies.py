"""The case answered and finished: 汇办意见 sent, 延期, 答复, 评价 (不满意 starts re-handling),
公开, 回头看 and 办结. Each date is checked against the step it follows.
"""

from __future__ import annotations

import datetime as dt

from store.actions.common import (
    Recorded,
    _choice,
    _date,
    _load,
    _not_before,
    _operator,
    _planned,
    _record,
    _text,
    _transaction,
    retrying,
)
from store.errors import LedgerError
from store.models import DISCLOSURES, EVALUATIONS, RESULT_CLASSES, Case
from store.queries import case_label, rules_for
from store.rules import add_months
from store.steps import extension_terms, not_late_sentence, require
from store.vocabulary import case_words


@retrying
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


@retrying
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


@retrying
def reply(case_id: int, operator: str, *, on=None, doc_no: str, result_class: str, summary: str = "",
          signed_by: str = "", countersigned=(), early_reason: str = "",
          expected_version: int | None = None) -> Recorded:
    """答复: the written reply, with its document number and result class (A–D).

    On a 主办 case `countersigned` names the co-units that signed it off (会签), and a reply
    before every co-unit's opinion is in needs `early_reason` (store.actions.co_units.reply_terms)."""
    from store.actions.co_units import reply_terms

    operator = _operator(operator)
    doc_no = _text(doc_no, "答复文号", required=True, limit=100).strip()
    early_reason = _text(early_reason, "提前答复的理由")
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
        unit_changes, extra, tail = reply_terms(case, day, countersigned, early_reason)
        changes.update(unit_changes)
        return _record(case, operator, "答复", changes, on_date=day, message=message + tail,
                       note=extra.get("early_reason", ""), extra=extra or None)


@retrying
def record_evaluation(case_id: int, operator: str, *, evaluation: str, on=None, note: str = "",
                      work: str = "", expected_version: int | None = None) -> Recorded:
    """评价: the proposer's verdict, the evaluation form (征询意见表) come back: `evaluation` is its
    办理结果, `work` its 办理工作 ("" when the office has only the result); it sets the form's
    return day (recorded even when no form was recorded as sent). 不满意 starts re-handling
    (重新办理) with its own deadline."""
    operator = _operator(operator)
    _choice(evaluation, EVALUATIONS, "办理结果评价")
    if work:
        _choice(work, EVALUATIONS, "办理工作评价")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "evaluate")
        day = _date(on, "评价日期", case=case)
        reply_day, reply_name = _latest_reply(case)
        _not_before(day, "评价日期", reply_day, f"{reply_name}日期", reply_name, "评价")
        if case.form_returned_on is None:
            _not_before(day, "评价日期", case.form_sent_on, "征询意见表送出日期", "送征询意见表", "收回评价")
        changes = {"evaluation": evaluation, "evaluated_on": day, "evaluation_work": work, "form_returned_on": day}
        if not case.first_evaluation and case.first_evaluated_on is None:
            # The first 评价 stays through re-handling; an undo of this event clears it again.
            changes.update({"first_evaluation": evaluation, "first_evaluated_on": day})
        if evaluation == "不满意":
            changes.update({"status": "重新办理", "rehandle_started_on": day, "rehandle_replied_on": None})
            if case.closed_on is not None:  # the form came back after closing: re-handling reopens it
                changes["closed_on"] = None
        said = f"办理工作{work}，办理结果{evaluation}" if work else evaluation
        message = f"{case_label(case)}{case_words(case).evaluation}：{said}" + ("，开始重新办理" if evaluation == "不满意" else "")
        return _record(case, operator, "评价", changes, on_date=day, note=_text(note, "备注"), message=message)


@retrying
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


@retrying
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


@retrying
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
