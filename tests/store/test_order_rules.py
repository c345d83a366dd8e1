"""The rules of the road: each step in its order, each date after the step it follows, the
result of a request to re-assign, and each refusal saying why and what comes first."""

from __future__ import annotations

import pytest

from store import actions
from store.io.summary import summary_paragraph
from store.models import Event
from store.queries import ledger_rows, session_statistics
from store.rules import milestones

from store_helpers import (
    OPERATOR,
    assigned_case,
    case,
    d,
    division,
    events,
    last_event,
    new_case,
    office_date,
    refused,
    replied_case,
    session,
    signed_case,
)

DOC_NO = "深政数函〔2023〕84号"
NEW_DOC_NO = "深政数函〔2023〕97号"


def adjusting_case(number: str = "20230489", *, on: str = "2023-06-05") -> int:
    """A case whose re-assignment the bureau asked for on `on` (交办 2023-06-01)."""
    case_id = new_case(number)
    actions.request_adjustment(case_id, OPERATOR, reason="属市交通运输局职责", on=d(on))
    return case_id


def milestone_of(case_id, key):
    return {m.key: m for m in milestones(case(case_id))}[key]


# ------------------------------------------------------------------ 签收 comes first


def test_assigning_before_signing_for_is_refused(ledger, today):
    case_id = new_case()
    error = refused(actions.assign, case_id, OPERATOR, division=division(), word="尚未签收")
    assert "请先签收再分派" in str(error)


def test_assigning_while_the_adjustment_is_pending_says_so(ledger, today):
    case_id = adjusting_case()
    error = refused(actions.assign, case_id, OPERATOR, division=division(), word="已申请调整，正等待交办机关答复")
    assert "请先签收再分派" in str(error)


@pytest.mark.parametrize(
    "action, values, step",
    [
        (actions.reply, {"doc_no": DOC_NO, "result_class": "A"}, "答复"),
        (actions.extend, {"new_due": d("2023-11-30"), "reason": "复杂", "approval": "经交办机关同意"}, "延期"),
    ],
)
def test_handling_steps_before_signing_for_are_refused(ledger, today, action, values, step):
    case_id = new_case()
    refused(action, case_id, OPERATOR, **values, word=f"尚未签收，请先签收再{step}")


def test_an_opinion_while_the_adjustment_is_pending_is_refused(ledger, today):
    case_id = new_case(role="汇办")
    actions.request_adjustment(case_id, OPERATOR, reason="非我局职责", on=d("2023-06-05"))
    refused(actions.record_opinion_sent, case_id, OPERATOR, summary="意见", word="正等待交办机关答复")


def test_urging_while_the_adjustment_is_pending_is_refused(ledger, today):
    case_id = adjusting_case()
    refused(actions.urge_division, case_id, OPERATOR, division=division(), word="正等待交办机关答复")


def test_closing_while_the_adjustment_is_pending_is_refused(ledger, today):
    case_id = adjusting_case()
    refused(actions.close, case_id, OPERATOR, word="请记录调整结果")


def test_closing_an_unsigned_case_says_to_sign_and_answer_first(ledger, today):
    case_id = new_case()
    refused(actions.close, case_id, OPERATOR, word="请先签收并答复")


def test_closing_during_rehandling_says_the_new_reply_comes_first(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    refused(actions.close, case_id, OPERATOR, word="请先记录重新答复")


def test_an_evaluation_during_rehandling_says_the_new_reply_comes_first(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", word="请先记录重新答复，再登记评价")


# ------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    "action, values, word",
    [
        (actions.reply, {"doc_no": DOC_NO, "result_class": "A"}, "由主办单位答复代表"),
        (actions.record_disclosure, {"decision": "公开"}, "由主办单位答复代表并决定是否公开"),
        (actions.record_review, {"findings": "看过"}, "由主办单位回头看"),
        (actions.extend, {"new_due": d("2023-11-30"), "reason": "复杂", "approval": "经交办机关同意"}, "汇办件"),
    ],
)
def test_a_contributing_case_has_no_reply_and_what_follows_it(ledger, today, action, values, word):
    case_id = signed_case(role="汇办")
    refused(action, case_id, OPERATOR, **values, word=word)


def test_a_contributing_case_is_not_evaluated_even_after_its_opinion(ledger, today):
    case_id = signed_case(role="汇办")
    actions.record_opinion_sent(case_id, OPERATOR, summary="意见", on=d("2023-06-20"))
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", word="汇办件")


def test_a_split_reply_covers_the_bureaus_part(ledger, today):
    case_id = assigned_case(role="分办")
    recorded = actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")
    assert recorded.message == "第20230489号已答复（本局承办部分）（A类）"


def test_a_split_case_replying_again_after_dissatisfaction_still_covers_its_part(ledger, today):
    case_id = replied_case(role="分办")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    recorded = actions.reply(case_id, OPERATOR, on=d("2023-08-30"), doc_no=NEW_DOC_NO, result_class="A")
    assert "已重新答复（本局承办部分）" in recorded.message


@pytest.mark.parametrize("role", ["主办", "承办"])
def test_a_lead_or_sole_reply_is_the_whole_answer(ledger, today, role):
    case_id = assigned_case(role=role)
    recorded = actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="B")
    assert recorded.message == "第20230489号已答复（B类）"


# ------------------------------------------------------------ dates follow their step


def test_a_reply_dated_before_signing_for_is_refused(ledger, today):
    case_id = assigned_case()  # signed 2023-06-05
    error = refused(actions.reply, case_id, OPERATOR, on=d("2023-06-03"), doc_no=DOC_NO, result_class="A",
                    word="答复日期2023-06-03早于签收日期2023-06-05")
    assert "应先签收、后答复" in str(error)


def test_an_opinion_dated_before_signing_for_is_refused(ledger, today):
    case_id = signed_case(role="汇办")
    refused(actions.record_opinion_sent, case_id, OPERATOR, summary="意见", on=d("2023-06-02"),
            word="报送日期2023-06-02早于签收日期2023-06-05：应先签收、后报送汇办意见")


@pytest.mark.parametrize(
    "action, values, what",
    [
        (actions.record_evaluation, {"evaluation": "满意"}, "评价"),
        (actions.record_disclosure, {"decision": "公开"}, "公开"),
        (actions.record_review, {"findings": "看过"}, "回头看"),
    ],
)
def test_what_follows_the_reply_may_not_be_dated_before_it(ledger, today, action, values, what):
    case_id = replied_case(result_class="B")  # replied 2023-08-20
    refused(action, case_id, OPERATOR, on=d("2023-08-19"), **values,
            word=f"{what}日期2023-08-19早于答复日期2023-08-20：应先答复、后{what}")


@pytest.mark.parametrize(
    "action, values",
    [
        (actions.record_evaluation, {"evaluation": "满意"}),
        (actions.record_disclosure, {"decision": "公开"}),
        (actions.record_review, {"findings": "看过"}),
        (actions.close, {}),
    ],
)
def test_what_follows_the_reply_may_fall_on_the_same_day(ledger, today, action, values):
    case_id = replied_case()
    action(case_id, OPERATOR, on=d("2023-08-20"), **values)
    assert last_event(case_id).on_date == d("2023-08-20")


def test_a_new_reply_may_not_be_dated_before_the_dissatisfied_evaluation(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    refused(actions.reply, case_id, OPERATOR, on=d("2023-08-29"), doc_no=NEW_DOC_NO, result_class="A",
            word="重新答复日期2023-08-29早于不满意评价日期2023-08-30")


def test_after_a_new_reply_the_evaluation_follows_the_new_reply(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    actions.reply(case_id, OPERATOR, on=d("2023-08-30"), doc_no=NEW_DOC_NO, result_class="A")
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", on=d("2023-08-28"),
            word="评价日期2023-08-28早于重新答复日期2023-08-30：应先重新答复、后评价")


def test_closing_may_not_be_dated_before_the_reply(ledger, today):
    case_id = replied_case()
    refused(actions.close, case_id, OPERATOR, on=d("2023-08-19"), word="办结日期2023-08-19早于答复日期2023-08-20")


def test_closing_may_not_be_dated_before_the_new_reply(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    actions.reply(case_id, OPERATOR, on=d("2023-08-30"), doc_no=NEW_DOC_NO, result_class="A")
    refused(actions.close, case_id, OPERATOR, on=d("2023-08-28"), word="早于重新答复日期2023-08-30")


def test_closing_a_contributing_case_may_not_be_dated_before_its_opinion(ledger, today):
    case_id = signed_case(role="汇办")
    actions.record_opinion_sent(case_id, OPERATOR, summary="意见", on=d("2023-06-20"))
    refused(actions.close, case_id, OPERATOR, on=d("2023-06-19"), word="早于报送汇办意见日期2023-06-20")


def test_signing_for_may_not_be_dated_before_the_adjustment_request(ledger, today):
    case_id = adjusting_case(on="2023-06-08")
    refused(actions.sign_for, case_id, OPERATOR, on=d("2023-06-06"), word="签收日期2023-06-06早于申请调整日期2023-06-08")


# ----------------------------------------------------------------- 申请调整的结果


def test_an_approved_adjustment_transfers_and_closes_the_case(ledger, today):
    case_id = adjusting_case()
    version = case(case_id).version
    recorded = actions.record_adjustment_result(case_id, OPERATOR, approved=True, note="已转市交通运输局办理",
                                                on=d("2023-06-09"))
    event = last_event(case_id)
    assert (event.kind, event.on_date, event.note) == ("申请调整", d("2023-06-09"), "同意调整：已转市交通运输局办理")
    assert event.data == {"before": {"status": "申请调整", "closed_on": None},
                          "after": {"status": "已办结", "closed_on": "2023-06-09"}, "result": "同意调整"}
    stored = case(case_id)
    assert (stored.status, stored.closed_on, stored.signed_on) == ("已办结", d("2023-06-09"), None)
    assert (stored.next_due, stored.next_milestone) == (None, "")
    assert stored.version == version + 1 == recorded.version
    assert "已转出并办结" in recorded.message


def test_a_refused_adjustment_sends_the_case_back_to_be_signed_for(ledger, today):
    case_id = adjusting_case()
    recorded = actions.record_adjustment_result(case_id, OPERATOR, approved=False, on=d("2023-06-09"))
    event = last_event(case_id)
    assert (event.kind, event.note, event.data["result"]) == ("申请调整", "不同意调整", "不同意调整")
    assert case(case_id).status == "待签收"
    assert "请签收" in recorded.message
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-10"))
    actions.assign(case_id, OPERATOR, division=division())
    assert case(case_id).status == "办理中"


def test_signing_for_may_not_be_dated_before_the_adjustment_result(ledger, today):
    case_id = adjusting_case()
    actions.record_adjustment_result(case_id, OPERATOR, approved=False, on=d("2023-06-09"))
    refused(actions.sign_for, case_id, OPERATOR, on=d("2023-06-07"), word="早于申请调整日期2023-06-09")


def test_an_adjustment_result_without_a_request_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.record_adjustment_result, case_id, OPERATOR, approved=True, word="请先申请调整")


def test_an_adjustment_result_dated_before_the_request_is_refused(ledger, today):
    case_id = adjusting_case(on="2023-06-08")
    refused(actions.record_adjustment_result, case_id, OPERATOR, approved=True, on=d("2023-06-07"),
            word="调整结果日期2023-06-07早于申请调整日期2023-06-08")


def test_an_adjustment_result_in_the_future_is_refused(ledger, today):
    case_id = adjusting_case()
    refused(actions.record_adjustment_result, case_id, OPERATOR, approved=True, on=d("2023-09-02"), word="晚于今天")


def test_a_transferred_case_is_not_signed_for(ledger, today):
    case_id = adjusting_case()
    actions.record_adjustment_result(case_id, OPERATOR, approved=True, on=d("2023-06-09"))
    refused(actions.sign_for, case_id, OPERATOR, word="同意调整并办结，无需签收")


def test_undoing_an_approved_adjustment_makes_it_pending_again(ledger, today):
    case_id = adjusting_case()
    result = actions.record_adjustment_result(case_id, OPERATOR, approved=True, on=d("2023-06-09"))
    actions.undo(result.event_id, OPERATOR, reason="录错了")
    stored = case(case_id)
    assert (stored.status, stored.closed_on) == ("申请调整", None)


def test_a_transferred_case_is_neither_to_answer_nor_unsigned_in_the_summary(ledger, today):
    kept = replied_case("0001")
    actions.record_evaluation(kept, OPERATOR, evaluation="满意", on=d("2023-08-25"))
    transferred = adjusting_case("0002")
    actions.record_adjustment_result(transferred, OPERATOR, approved=True, on=d("2023-06-09"))
    stats = session_statistics(session().id)
    assert (stats.received, stats.transferred, stats.to_answer, stats.needing_evaluation) == (2, 1, 1, 1)
    text = summary_paragraph(stats)
    assert "尚未签收" not in text
    assert "其中1件已申请调整承办单位" in text


# ------------------------------------------------------------------ 回头看 before 办结


def test_closing_with_a_review_still_due_is_refused(ledger, today):
    case_id = replied_case(result_class="B")  # review due 2023-11-20
    refused(actions.close, case_id, OPERATOR,
            word="回头看尚未完成（下次回头看 2023-11-20），请先记录回头看或清除下次日期")


def test_closing_with_a_later_review_planned_is_refused(ledger, today):
    case_id = replied_case(result_class="C")
    actions.record_review(case_id, OPERATOR, findings="正在推进", on=d("2023-08-31"), next_review_on=d("2023-12-01"))
    refused(actions.close, case_id, OPERATOR, word="下次回头看 2023-12-01")


def test_a_final_review_lets_the_promise_close(ledger, today):
    case_id = replied_case(result_class="B")
    actions.record_review(case_id, OPERATOR, findings="已建成投用", on=d("2023-08-31"))
    actions.close(case_id, OPERATOR, on=d("2023-09-01"))
    assert case(case_id).status == "已办结"


# ------------------------------------------------------------- 不满意 twice


def twice_dissatisfied() -> int:
    """Replied 08-20; 不满意 08-25; new reply 08-28; 不满意 again 08-30 (today 2023-09-01)."""
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    actions.reply(case_id, OPERATOR, on=d("2023-08-28"), doc_no=NEW_DOC_NO, result_class="A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    return case_id


def test_a_second_dissatisfaction_starts_a_second_round(ledger, today):
    case_id = twice_dissatisfied()
    stored = case(case_id)
    assert (stored.status, stored.rehandle_started_on, stored.rehandle_replied_on) == (
        "重新办理", d("2023-08-30"), None)
    assert (stored.replied_on, stored.evaluation) == (d("2023-08-20"), "不满意")
    # the new reply is due a month after the latest 不满意; no re-evaluation is asked yet
    assert milestone_of(case_id, "rehandle").due == d("2023-09-30")
    assert "reevaluation" not in {m.key for m in milestones(stored)}
    assert [e.kind for e in events(case_id)][-3:] == ["评价", "答复", "评价"]


def test_the_second_round_ends_with_a_third_reply_and_its_evaluation(ledger, today):
    case_id = twice_dissatisfied()
    refused(actions.reply, case_id, OPERATOR, on=d("2023-08-29"), doc_no="深政数函〔2023〕99号", result_class="A",
            word="早于不满意评价日期2023-08-30")
    actions.reply(case_id, OPERATOR, on=d("2023-09-01"), doc_no="深政数函〔2023〕99号", result_class="A")
    office_date("2023-09-10")
    actions.record_evaluation(case_id, OPERATOR, evaluation="基本满意", on=d("2023-09-08"))
    stored = case(case_id)
    assert (stored.status, stored.evaluation, stored.rehandle_replied_on) == ("已答复", "基本满意", d("2023-09-01"))
    assert milestone_of(case_id, "rehandle").done_on == d("2023-09-01")
    assert milestone_of(case_id, "reevaluation").done_on == d("2023-09-08")
    assert stored.next_milestone == "公开"
    actions.record_disclosure(case_id, OPERATOR, decision="公开", on=d("2023-09-08"))
    actions.close(case_id, OPERATOR, on=d("2023-09-09"))
    assert case(case_id).status == "已办结"


def test_undoing_the_second_dissatisfaction_restores_the_first_round(ledger, today):
    case_id = twice_dissatisfied()
    second = Event.select().where((Event.case == case_id) & (Event.kind == "评价")).order_by(Event.id.desc()).first()
    actions.undo(second.id, OPERATOR)
    stored = case(case_id)
    assert (stored.status, stored.rehandle_started_on, stored.rehandle_replied_on, stored.evaluation) == (
        "已答复", d("2023-08-25"), d("2023-08-28"), "")
    assert not milestone_of(case_id, "reevaluation").done  # the second reply awaits its evaluation again


def test_after_a_second_dissatisfaction_the_first_evaluation_keeps_its_date(ledger, today):
    case_id = twice_dissatisfied()
    assert milestone_of(case_id, "evaluation").done_on == d("2023-08-25")


def test_a_second_round_shows_on_the_ledger(ledger, today):
    twice_dissatisfied()
    (row,) = ledger_rows()
    assert (row.status, row.next_milestone) == ("重新办理", "公开")  # 公开 (09-15) falls due before 重办答复 (09-30)
