"""Every write the office makes: the event it leaves, what it changes on the case, the
caches it refreshes, and each refusal (a Chinese sentence, nothing written)."""

from __future__ import annotations

import pytest

from store import actions
from store.errors import LedgerError, VersionConflict
from store.models import Case, Event
from store.queries import case_card, ledger_rows
from store.rules import milestones

from store_helpers import (
    ASSIGNED,
    OPERATOR,
    OTHER_OPERATOR,
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


def act(action, case_id, **kwargs) -> Event:
    """Run an action on a case as OPERATOR; it must add one event and bump the version by one."""
    version_before = case(case_id).version
    count_before = Event.select().count()
    recorded = action(case_id, OPERATOR, **kwargs)
    after = case(case_id)
    assert after.version == version_before + 1 == recorded.version
    assert Event.select().count() == count_before + 1
    event = Event.get_by_id(recorded.event_id)
    assert (event.case_id, event.operator, event.version) == (case_id, OPERATOR, after.version)
    return event


def milestone_of(case_id, key):
    return {m.key: m for m in milestones(case(case_id))}[key]


# ------------------------------------------------------------------------- 交办


def test_create_case_records_the_assignment(ledger, today):
    recorded = actions.create_case(OPERATOR, session=session(), number="20230489", title="关于推进政务数据共享的建议",
                                   role="主办", assigned_on=ASSIGNED)
    event = last_event(recorded.case_id)
    assert (event.kind, event.operator, event.on_date, event.version) == ("交办", OPERATOR, ASSIGNED, 1)
    assert (recorded.event_id, recorded.version) == (event.id, 1)
    assert "第20230489号" in recorded.message


def test_a_new_case_waits_to_be_signed_for(ledger, today):
    created = case(new_case())
    assert (created.status, created.version) == ("待签收", 1)
    assert (created.next_milestone, created.next_due) == ("签收", d("2023-06-11"))
    assert created.last_followup_on == ASSIGNED
    assert (created.urge_count, created.urge_level) == (0, 0)


def test_a_number_written_with_di_and_hao_is_stored_bare(ledger, today):
    assert case(new_case("第20230489号")).number == "20230489"


def test_a_duplicate_number_in_the_same_session_is_refused(ledger, today):
    new_case("20230489")
    refused(actions.create_case, OPERATOR, session=session(), number="第20230489号", title="另一件",
            role="主办", assigned_on=ASSIGNED, word="不能重复")


def test_the_same_number_in_another_session_is_allowed(ledger, today):
    new_case("20230489")
    other = session("市政协七届三次会议", body="政协")
    assert case(new_case("20230489", session_row=other)).number == "20230489"


def test_the_kind_follows_the_sessions_body(ledger, today):
    assert case(new_case()).kind == "建议"
    cppcc = session("市政协七届三次会议", body="政协")
    assert case(new_case("0001", session_row=cppcc)).kind == "提案"


def test_the_cases_details_are_stored(ledger, today):
    proposer = actions.ensure_proposer("陈代表", group="福田团", phone="13812345678")
    case_id = new_case(lead_proposer=proposer, cosigners=["李代表", "赵代表"], lead_unit="市政务服务数据管理局",
                       co_units=["市发展改革委"], summary="建议加快数据共享", topic="数字政府")
    stored = case(case_id)
    assert stored.lead_proposer_id == proposer.id
    assert stored.cosigners == ["李代表", "赵代表"]
    assert stored.co_units == ["市发展改革委"]
    assert (stored.summary, stored.topic) == ("建议加快数据共享", "数字政府")


@pytest.mark.parametrize(
    "change, word",
    [
        ({"role": "牵头"}, "办理方式"),
        ({"title": "   "}, "标题"),
        ({"number": ""}, "编号"),
        ({"assigned_on": d("2023-09-02")}, "晚于今天"),
        ({"assigned_on": "2023-13-01"}, "交办日期"),
        ({"session": 999}, "届次"),
    ],
)
def test_a_bad_new_case_is_refused(ledger, today, change, word):
    values = dict(session=session(), number="20230489", title="关于推进政务数据共享的建议", role="主办",
                  assigned_on=ASSIGNED)
    values.update(change)
    refused(actions.create_case, OPERATOR, **values, word=word)


def test_an_unknown_proposer_is_refused_as_such(ledger, today):
    error = refused(actions.create_case, OPERATOR, session=session(), number="20230489", title="标题", role="主办",
                    assigned_on=ASSIGNED, lead_proposer=999, word="代表")
    assert "不能重复" not in str(error)


def test_an_empty_operator_is_refused(ledger, today):
    refused(actions.create_case, "  ", session=session(), number="1", title="标题", role="主办",
            assigned_on=ASSIGNED, word="操作人")


def test_an_operator_with_control_characters_is_refused(ledger, today):
    refused(actions.create_case, "王\x1b[31m秘书", session=session(), number="1", title="标题", role="主办",
            assigned_on=ASSIGNED, word="控制字符")


# ----------------------------------------------------------------- hostile titles


HOSTILE_TITLES = [
    "关于[/]的建议",
    "[red]x",
    "[@click=app.quit]q[/]",
    "路径 C:\\Users\\代表\\建议.docx \\n 不是换行",
    "数据共享 🚀📊 建议",
    "\x1b[2J\x1b[31m清屏\x1b[0m",
    "C1 控制 \x9b31m",
    "标" * 2000,
]


@pytest.mark.parametrize("title", HOSTILE_TITLES, ids=range(len(HOSTILE_TITLES)))
def test_a_hostile_title_is_stored_and_read_back_exactly(ledger, today, title):
    case_id = new_case(title=title)
    assert case(case_id).title == title
    assert case_card(case_id).title == title
    assert [row.title for row in ledger_rows()] == [title]


def test_a_title_of_2001_characters_is_refused(ledger, today):
    refused(actions.create_case, OPERATOR, session=session(), number="1", title="标" * 2001, role="主办",
            assigned_on=ASSIGNED, word="过长")


def test_a_title_with_a_nul_character_is_refused(ledger, today):
    refused(actions.create_case, OPERATOR, session=session(), number="1", title="标题\x00后半", role="主办",
            assigned_on=ASSIGNED, word="空字符")


def test_a_hostile_title_survives_an_edit(ledger, today):
    case_id = new_case()
    act(actions.edit_case, case_id, title="[@click=app.quit]q \x1b[0m\x9b")
    assert case(case_id).title == "[@click=app.quit]q \x1b[0m\x9b"


# ------------------------------------------------------------------------- 签收


def test_sign_for_records_the_date_and_starts_handling(ledger, today):
    case_id = new_case()
    event = act(actions.sign_for, case_id, on=d("2023-06-05"), note="已登记")
    assert (event.kind, event.on_date, event.note) == ("签收", d("2023-06-05"), "已登记")
    assert event.data == {"before": {"signed_on": None, "status": "待签收"},
                          "after": {"signed_on": "2023-06-05", "status": "办理中"}}
    signed = case(case_id)
    assert (signed.status, signed.signed_on) == ("办理中", d("2023-06-05"))


def test_after_signing_the_reply_is_next(ledger, today):
    case_id = signed_case()
    assert (case(case_id).next_milestone, case(case_id).next_due) == ("答复", d("2023-09-01"))


def test_sign_for_defaults_to_today(ledger, today):
    case_id = new_case()
    assert act(actions.sign_for, case_id).on_date == today


def test_sign_for_accepts_a_written_date(ledger, today):
    case_id = new_case()
    assert act(actions.sign_for, case_id, on="2023年6月5日").on_date == d("2023-06-05")


def test_signing_twice_is_refused(ledger, today):
    case_id = signed_case()
    refused(actions.sign_for, case_id, OPERATOR, word="无需再次签收")


def test_signing_before_the_assignment_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.sign_for, case_id, OPERATOR, on=d("2023-05-31"), word="早于交办日期")


def test_signing_in_the_future_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.sign_for, case_id, OPERATOR, on=d("2023-09-02"), word="晚于今天")


def test_an_unreadable_date_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.sign_for, case_id, OPERATOR, on="六月五日", word="无法识别")


def test_a_date_that_does_not_exist_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.sign_for, case_id, OPERATOR, on="2023-06-31", word="不存在")


def test_a_case_that_does_not_exist_is_refused(ledger, today):
    refused(actions.sign_for, 12345, OPERATOR, word="找不到")


# --------------------------------------------------------------------- 申请调整


def test_request_adjustment_within_the_sign_deadline(ledger, today):
    case_id = new_case()
    event = act(actions.request_adjustment, case_id, reason="属市交通运输局职责", on=d("2023-06-11"))
    assert (event.kind, event.note, event.on_date) == ("申请调整", "属市交通运输局职责", d("2023-06-11"))
    assert event.data == {"before": {"status": "待签收"}, "after": {"status": "申请调整"}}
    assert case(case_id).status == "申请调整"


def test_request_adjustment_after_the_sign_deadline_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.request_adjustment, case_id, OPERATOR, reason="不属我局职责", on=d("2023-06-12"), word="期限")


def test_request_adjustment_needs_a_reason(ledger, today):
    case_id = new_case()
    refused(actions.request_adjustment, case_id, OPERATOR, reason=" ", on=d("2023-06-05"), word="理由")


def test_request_adjustment_of_a_signed_case_is_refused(ledger, today):
    case_id = signed_case()
    refused(actions.request_adjustment, case_id, OPERATOR, reason="不属我局职责", on=d("2023-06-06"),
            word="待签收")


def test_a_case_kept_after_asking_for_adjustment_can_be_signed_for(ledger, today):
    case_id = new_case()
    actions.request_adjustment(case_id, OPERATOR, reason="不属我局职责", on=d("2023-06-05"))
    act(actions.sign_for, case_id, on=d("2023-06-09"))
    assert case(case_id).status == "办理中"


# ------------------------------------------------------------------------- 分派


def test_assign_gives_the_case_to_a_division_and_a_person(ledger, today):
    case_id = signed_case()
    resources = division()
    owner = actions.ensure_person("许嘉怡", division=resources, title="经办人")
    leader = actions.ensure_person("刘副局长", title="分管局领导")
    event = act(actions.assign, case_id, division=resources, owner=owner, post="数据共享岗", leader=leader,
                is_key=True)
    assert event.kind == "分派"
    assert event.data == {
        "before": {"division": None, "owner": None, "post": "", "leader": None, "is_key": False},
        "after": {"division": resources.id, "owner": owner.id, "post": "数据共享岗", "leader": leader.id,
                  "is_key": True},
    }
    stored = case(case_id)
    assert (stored.division_id, stored.owner_id, stored.leader_id, stored.is_key) == (
        resources.id, owner.id, leader.id, True)


def test_assign_without_a_division_is_refused(ledger, today):
    case_id = signed_case()
    refused(actions.assign, case_id, OPERATOR, division=None, word="处室")


def test_assign_to_an_unknown_division_is_refused(ledger, today):
    case_id = signed_case()
    refused(actions.assign, case_id, OPERATOR, division=999, word="处室")


def test_assign_to_an_unknown_person_is_refused(ledger, today):
    case_id = signed_case()
    refused(actions.assign, case_id, OPERATOR, division=division(), owner=999, word="责任人")


# --------------------------------------------------------------------- follow-ups


def test_a_check_with_a_planned_next_follow_up(ledger, today):
    case_id = assigned_case()
    event = act(actions.log_follow_up, case_id, kind="查办", note="答复稿已起草", next_followup_on=d("2023-09-08"))
    assert (event.kind, event.note, event.on_date, event.next_followup_on) == (
        "查办", "答复稿已起草", today, d("2023-09-08"))
    stored = case(case_id)
    assert (stored.last_followup_on, stored.next_followup_on) == (today, d("2023-09-08"))


def test_an_inquiry_is_recorded(ledger, today):
    case_id = signed_case()
    assert act(actions.log_follow_up, case_id, kind="询办", on=d("2023-08-28")).kind == "询办"
    assert case(case_id).last_followup_on == d("2023-08-28")


def test_a_contact_with_its_method_and_stage(ledger, today):
    case_id = assigned_case()
    event = act(actions.log_follow_up, case_id, kind="沟通", method="座谈面商", stage="办中", note="座谈",
                participants="分管局领导、陈代表")
    assert (event.kind, event.method, event.stage) == ("沟通", "座谈面商", "办中")
    assert event.data == {"participants": "分管局领导、陈代表"}


@pytest.mark.parametrize(
    "values, word",
    [
        ({"kind": "沟通", "stage": "办中"}, "沟通方式"),
        ({"kind": "沟通", "method": "电话"}, "沟通阶段"),
        ({"kind": "沟通", "method": "微信", "stage": "办中"}, "沟通方式"),
        ({"kind": "查办", "method": "电话"}, "只有“沟通”"),
        ({"kind": "备注"}, "跟进内容"),
        ({"kind": "闲聊", "note": "x"}, "跟进类型"),
        ({"kind": "查办", "next_followup_on": d("2023-08-31")}, "已经过去"),
        ({"kind": "查办", "on": d("2023-05-31")}, "早于交办日期"),
        ({"kind": "查办", "on": d("2023-09-02")}, "晚于今天"),
        ({"kind": "查办", "note": "x\x00"}, "空字符"),
    ],
)
def test_a_bad_follow_up_is_refused(ledger, today, values, word):
    case_id = assigned_case()
    refused(actions.log_follow_up, case_id, OPERATOR, **values, word=word)


def test_a_note_does_not_replace_the_planned_follow_up(ledger, today):
    case_id = assigned_case()
    actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=d("2023-09-08"))
    act(actions.log_follow_up, case_id, kind="备注", note="处长出差")
    assert case(case_id).next_followup_on == d("2023-09-08")


def test_a_later_check_keeps_the_planned_follow_up_unless_it_clears_it(ledger, today):
    case_id = assigned_case()
    actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=d("2023-09-08"))
    actions.log_follow_up(case_id, OPERATOR, kind="询办")  # issue 10: not given keeps the plan
    assert case(case_id).next_followup_on == d("2023-09-08")
    actions.log_follow_up(case_id, OPERATOR, kind="询办", next_followup_on=None)
    assert case(case_id).next_followup_on is None


def test_an_older_follow_up_does_not_move_the_last_follow_up_back(ledger, today):
    case_id = signed_case()
    actions.log_follow_up(case_id, OPERATOR, kind="查办", on=d("2023-08-30"))
    actions.log_follow_up(case_id, OPERATOR, kind="询办", on=d("2023-08-20"))
    assert case(case_id).last_followup_on == d("2023-08-30")


# -------------------------------------------------------------------------- 催办


def test_an_urge_records_level_division_and_respond_by(ledger, today):
    case_id = assigned_case()
    event = act(actions.urge_division, case_id, note="请抓紧报送答复稿")
    assert (event.kind, event.level, event.target_division_id) == ("催办", 1, division().id)
    # Friday 2023-09-01 + 3 working days = Wednesday 2023-09-06
    assert event.respond_by == d("2023-09-06")
    assert event.next_followup_on == d("2023-09-06")
    stored = case(case_id)
    assert (stored.urge_count, stored.urge_level, stored.next_followup_on) == (1, 1, d("2023-09-06"))


def test_urges_climb_to_leader_supervision_and_stay_there(ledger, today):
    case_id = assigned_case()
    messages = [actions.urge_division(case_id, OPERATOR).message for _ in range(4)]
    assert [e.level for e in events(case_id) if e.kind == "催办"] == [1, 2, 3, 3]
    for message, level in zip(messages, ["一次催办", "二次催办", "领导督办", "领导督办"]):
        assert level in message
    assert (case(case_id).urge_count, case(case_id).urge_level) == (4, 3)


def test_the_default_respond_by_skips_national_day(ledger, today):
    case_id = assigned_case()
    office_date("2023-09-28")
    # 10-07 and 10-08 are working days (调休), so the third working day is Monday 10-09
    assert act(actions.urge_division, case_id).respond_by == d("2023-10-09")


def test_a_given_respond_by_date_is_kept(ledger, today):
    case_id = assigned_case()
    assert act(actions.urge_division, case_id, respond_by="2023-09-04").respond_by == d("2023-09-04")


def test_an_urge_may_target_another_division(ledger, today):
    case_id = assigned_case()
    legal = division("政策法规处")
    assert act(actions.urge_division, case_id, division=legal).target_division_id == legal.id


def test_an_urge_without_a_division_is_refused(ledger, today):
    case_id = signed_case()
    refused(actions.urge_division, case_id, OPERATOR, word="尚未分派")


def test_an_urge_with_a_past_respond_by_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.urge_division, case_id, OPERATOR, respond_by=d("2023-08-31"), word="已经过去")


def test_an_urge_with_an_unknown_level_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.urge_division, case_id, OPERATOR, level=4, word="催办级别")


def test_urging_a_closed_case_is_refused(ledger, today):
    case_id = replied_case()
    actions.close(case_id, OPERATOR)
    refused(actions.urge_division, case_id, OPERATOR, word="已办结")


# ---------------------------------------------------------------------- 汇办意见


def test_a_contributing_case_sends_its_opinion(ledger, today):
    case_id = signed_case(role="汇办", lead_unit="市发展改革委")
    recorded_event = act(actions.record_opinion_sent, case_id, summary="同意主办单位意见", on=d("2023-06-20"))
    assert (recorded_event.kind, recorded_event.note) == ("汇办意见", "同意主办单位意见")
    assert recorded_event.data == {"before": {"opinion_sent_on": None, "status": "办理中"},
                                   "after": {"opinion_sent_on": "2023-06-20", "status": "已反馈"}}
    stored = case(case_id)
    assert (stored.status, stored.next_due, stored.next_milestone) == ("已反馈", None, "")


def test_the_opinion_is_next_for_a_signed_contributing_case(ledger, today):
    case_id = signed_case(role="汇办")
    assert (case(case_id).next_milestone, case(case_id).next_due) == ("汇办意见", d("2023-07-01"))


@pytest.mark.parametrize("role", ["主办", "承办", "分办"])
def test_an_opinion_for_a_case_we_answer_ourselves_is_refused(ledger, today, role):
    case_id = signed_case(role=role)
    refused(actions.record_opinion_sent, case_id, OPERATOR, summary="意见", word="不报送汇办意见")


def test_an_opinion_before_signing_for_is_refused(ledger, today):
    case_id = new_case(role="汇办")
    refused(actions.record_opinion_sent, case_id, OPERATOR, summary="意见", word="尚未签收")


def test_sending_the_opinion_twice_is_refused(ledger, today):
    case_id = signed_case(role="汇办")
    actions.record_opinion_sent(case_id, OPERATOR, summary="意见", on=d("2023-06-20"))
    refused(actions.record_opinion_sent, case_id, OPERATOR, summary="补充意见", word="已于")


def test_an_opinion_needs_its_summary(ledger, today):
    case_id = signed_case(role="汇办")
    refused(actions.record_opinion_sent, case_id, OPERATOR, summary="", word="汇办意见摘要")


# -------------------------------------------------------------------------- 延期


def test_an_extension_moves_the_reply_deadline(ledger, today):
    case_id = assigned_case()
    event = act(actions.extend, case_id, new_due=d("2023-11-30"), reason="涉及多部门协调", approval="市人大常委会同意")
    assert (event.kind, event.note) == ("延期", "涉及多部门协调")
    assert event.data == {"before": {"extended_due": None}, "after": {"extended_due": "2023-11-30"},
                          "approval": "市人大常委会同意"}
    stored = case(case_id)
    assert (stored.extended_due, stored.next_milestone, stored.next_due) == (d("2023-11-30"), "答复", d("2023-11-30"))


def test_an_extension_to_exactly_six_months_is_allowed(ledger, today):
    case_id = assigned_case()
    act(actions.extend, case_id, new_due=d("2023-12-01"), reason="复杂", approval="经交办机关同意")
    assert case(case_id).extended_due == d("2023-12-01")


def test_an_extension_past_six_months_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-12-02"), reason="复杂", approval="经交办机关同意", word="6个月")


def test_an_extension_not_later_than_the_current_deadline_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-09-01"), reason="复杂", approval="经交办机关同意", word="应晚于")


def test_a_second_extension_must_be_later_than_the_first(ledger, today):
    case_id = assigned_case()
    actions.extend(case_id, OPERATOR, new_due=d("2023-11-01"), reason="复杂", approval="经交办机关同意")
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-10-15"), reason="复杂", approval="经交办机关同意", word="2023-11-01")


def test_an_extension_needs_a_reason(ledger, today):
    case_id = assigned_case()
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-11-30"), reason="", word="延期理由")


def test_extending_a_contributing_case_is_refused(ledger, today):
    case_id = signed_case(role="汇办")
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-11-30"), reason="复杂", approval="经交办机关同意", word="汇办")


def test_extending_an_answered_case_is_refused(ledger, today):
    case_id = replied_case()
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-11-30"), reason="复杂", approval="经交办机关同意", word="已答复")


# -------------------------------------------------------------------------- 答复


def test_a_reply_records_the_document_and_class(ledger, today):
    case_id = assigned_case()
    event = act(actions.reply, case_id, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A", signed_by="局长")
    assert (event.kind, event.on_date) == ("答复", d("2023-08-20"))
    assert event.data["before"]["replied_on"] is None
    assert event.data["after"] == {"replied_on": "2023-08-20", "status": "已答复", "reply_doc_no": DOC_NO,
                                   "result_class": "A", "reply_summary": "", "reply_signed_by": "局长"}
    stored = case(case_id)
    assert (stored.status, stored.replied_on, stored.reply_doc_no, stored.result_class) == (
        "已答复", d("2023-08-20"), DOC_NO, "A")
    assert stored.review_due is None


def test_after_the_reply_the_evaluation_is_next(ledger, today):
    case_id = replied_case()
    # 2023-08-20 + 20 working days
    assert (case(case_id).next_milestone, case(case_id).next_due) == ("评价", d("2023-09-15"))


@pytest.mark.parametrize("result_class", ["B", "C"])
def test_a_promise_to_solve_later_sets_a_review(ledger, today, result_class):
    case_id = replied_case(result_class=result_class)
    assert case(case_id).review_due == d("2023-11-20")


def test_a_reply_kept_for_reference_sets_no_review(ledger, today):
    assert case(replied_case(result_class="D")).review_due is None


@pytest.mark.parametrize(
    "values, word",
    [
        ({"doc_no": " ", "result_class": "A"}, "答复文号"),
        ({"doc_no": DOC_NO, "result_class": "E"}, "答复类别"),
        ({"doc_no": DOC_NO, "result_class": ""}, "答复类别"),
        ({"doc_no": DOC_NO, "result_class": "A", "on": d("2023-05-01")}, "早于交办日期"),
        ({"doc_no": DOC_NO, "result_class": "A", "on": d("2023-09-02")}, "晚于今天"),
    ],
)
def test_a_bad_reply_is_refused(ledger, today, values, word):
    case_id = assigned_case()
    refused(actions.reply, case_id, OPERATOR, **values, word=word)


def test_replying_to_a_contributing_case_is_refused(ledger, today):
    case_id = signed_case(role="汇办")
    refused(actions.reply, case_id, OPERATOR, doc_no=DOC_NO, result_class="A", word="汇办")


def test_replying_before_signing_for_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.reply, case_id, OPERATOR, doc_no=DOC_NO, result_class="A", word="尚未签收")


def test_replying_twice_is_refused(ledger, today):
    case_id = replied_case()
    refused(actions.reply, case_id, OPERATOR, doc_no="深政数函〔2023〕90号", result_class="A", word="已于")


# -------------------------------------------------------------------------- 评价


def test_a_satisfied_evaluation_is_recorded(ledger, today):
    case_id = replied_case()
    event = act(actions.record_evaluation, case_id, evaluation="满意", on=d("2023-08-30"))
    assert event.kind == "评价"
    assert event.data == {"before": {"evaluation": "", "evaluated_on": None, "first_evaluation": "",
                                     "first_evaluated_on": None, "evaluation_work": "", "form_returned_on": None},
                          "after": {"evaluation": "满意", "evaluated_on": "2023-08-30", "first_evaluation": "满意",
                                    "first_evaluated_on": "2023-08-30", "evaluation_work": "",
                                    "form_returned_on": "2023-08-30"}}
    assert milestone_of(case_id, "evaluation").done_on == d("2023-08-30")
    assert case(case_id).next_milestone == "公开"


def test_a_dissatisfied_evaluation_starts_rehandling(ledger, today):
    case_id = replied_case()
    event = act(actions.record_evaluation, case_id, evaluation="不满意", on=d("2023-08-30"))
    assert event.data["after"] == {"evaluation": "不满意", "evaluated_on": "2023-08-30", "status": "重新办理",
                                   "rehandle_started_on": "2023-08-30", "rehandle_replied_on": None,
                                   "first_evaluation": "不满意", "first_evaluated_on": "2023-08-30",
                                   "evaluation_work": "", "form_returned_on": "2023-08-30"}
    stored = case(case_id)
    assert (stored.status, stored.rehandle_started_on) == ("重新办理", d("2023-08-30"))
    assert milestone_of(case_id, "rehandle").due == d("2023-09-30")


def test_rehandling_is_next_once_the_disclosure_is_decided(ledger, today):
    case_id = replied_case()
    actions.record_disclosure(case_id, OPERATOR, decision="公开", on=d("2023-08-25"))
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    assert (case(case_id).next_milestone, case(case_id).next_due) == ("重办答复", d("2023-09-30"))


def test_the_new_reply_after_rehandling_asks_for_a_reevaluation(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    event = act(actions.reply, case_id, on=d("2023-09-01"), doc_no="深政数函〔2023〕97号", result_class="A")
    assert event.data["after"]["rehandle_replied_on"] == "2023-09-01"
    stored = case(case_id)
    assert (stored.status, stored.evaluation, stored.replied_on) == ("已答复", "", d("2023-08-20"))
    assert stored.reply_doc_no == "深政数函〔2023〕97号"
    reevaluation = milestone_of(case_id, "reevaluation")
    # 19 working days in September, then none until Saturday 10-07 (调休)
    assert (reevaluation.due, reevaluation.done) == (d("2023-10-07"), False)


def test_the_reevaluation_completes_the_cycle(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    actions.reply(case_id, OPERATOR, on=d("2023-08-31"), doc_no="深政数函〔2023〕97号", result_class="A")
    act(actions.record_evaluation, case_id, evaluation="基本满意", on=d("2023-09-01"))
    assert milestone_of(case_id, "reevaluation").done_on == d("2023-09-01")
    assert case(case_id).evaluation == "基本满意"


def test_a_dissatisfied_evaluation_after_closing_reopens_the_case(ledger, today):
    """The form may come back after the case was closed: 不满意 still means 重新办理."""
    case_id = replied_case()
    actions.record_disclosure(case_id, OPERATOR, decision="公开", on=d("2023-08-25"))
    actions.close(case_id, OPERATOR, on=d("2023-08-25"))
    event = act(actions.record_evaluation, case_id, evaluation="不满意", on=d("2023-08-30"))
    assert (event.data["before"]["closed_on"], event.data["after"]["closed_on"]) == ("2023-08-25", None)
    stored = case(case_id)
    assert (stored.status, stored.closed_on) == ("重新办理", None)
    assert (stored.next_milestone, stored.next_due) == ("重办答复", d("2023-09-30"))


def test_a_satisfied_evaluation_after_closing_keeps_the_case_closed(ledger, today):
    case_id = replied_case()
    actions.close(case_id, OPERATOR, on=d("2023-08-25"))
    act(actions.record_evaluation, case_id, evaluation="满意", on=d("2023-08-30"))
    assert (case(case_id).status, case(case_id).closed_on) == ("已办结", d("2023-08-25"))


def test_an_evaluation_before_the_reply_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", word="尚未答复")


def test_an_evaluation_while_rehandling_is_refused(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", word="重新办理")


def test_an_evaluation_of_a_contributing_case_is_refused(ledger, today):
    case_id = signed_case(role="汇办")
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", word="汇办")


def test_an_unknown_evaluation_is_refused(ledger, today):
    case_id = replied_case()
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="很好", word="评价")


# -------------------------------------------------------------------------- 公开


def test_a_disclosure_is_recorded(ledger, today):
    case_id = replied_case()
    event = act(actions.record_disclosure, case_id, decision="公开", on=d("2023-08-25"))
    assert event.kind == "公开"
    assert event.data["after"] == {"disclosure": "公开", "disclosure_reason": "", "disclosed_on": "2023-08-25"}
    assert milestone_of(case_id, "disclosure").done_on == d("2023-08-25")


def test_not_disclosing_with_a_reason_is_recorded(ledger, today):
    case_id = replied_case()
    event = act(actions.record_disclosure, case_id, decision="不公开", reason="涉及个人隐私")
    assert event.note == "涉及个人隐私"
    assert (case(case_id).disclosure, case(case_id).disclosure_reason) == ("不公开", "涉及个人隐私")


@pytest.mark.parametrize("decision", ["不公开", "部分公开"])
def test_not_disclosing_in_full_without_a_reason_is_refused(ledger, today, decision):
    case_id = replied_case()
    refused(actions.record_disclosure, case_id, OPERATOR, decision=decision, word="理由")


def test_a_disclosure_before_the_reply_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.record_disclosure, case_id, OPERATOR, decision="公开", word="尚未答复")


def test_an_unknown_disclosure_decision_is_refused(ledger, today):
    case_id = replied_case()
    refused(actions.record_disclosure, case_id, OPERATOR, decision="保密", word="公开方式")


# ------------------------------------------------------------------------ 回头看


def test_a_review_with_a_next_review_planned(ledger, today):
    case_id = replied_case(result_class="B")
    office_date("2023-11-21")
    event = act(actions.record_review, case_id, findings="项目已立项", next_review_on=d("2024-02-20"))
    assert event.kind == "回头看"
    assert event.data == {"before": {"reviewed_on": None, "review_due": "2023-11-20"},
                          "after": {"reviewed_on": "2023-11-21", "review_due": "2024-02-20"}}
    assert milestone_of(case_id, "review").due == d("2024-02-20")


def test_a_final_review_completes_the_promise(ledger, today):
    case_id = replied_case(result_class="B")
    office_date("2023-11-21")
    act(actions.record_review, case_id, findings="已建成投用")
    review = milestone_of(case_id, "review")
    assert (review.done_on, case(case_id).review_due) == (d("2023-11-21"), None)


def test_a_review_needs_findings(ledger, today):
    case_id = replied_case(result_class="B")
    refused(actions.record_review, case_id, OPERATOR, findings="", word="回头看情况")


def test_a_review_before_the_reply_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.record_review, case_id, OPERATOR, findings="看过", word="尚未答复")


def test_a_review_planned_in_the_past_is_refused(ledger, today):
    case_id = replied_case(result_class="B")
    refused(actions.record_review, case_id, OPERATOR, findings="看过", next_review_on=d("2023-08-31"),
            word="已经过去")


# -------------------------------------------------------------------------- 办结


def test_closing_an_answered_case(ledger, today):
    case_id = replied_case()
    event = act(actions.close, case_id, on=d("2023-08-31"))
    assert event.data == {"before": {"status": "已答复", "closed_on": None},
                          "after": {"status": "已办结", "closed_on": "2023-08-31"}}
    stored = case(case_id)
    assert (stored.status, stored.next_due, stored.next_milestone) == ("已办结", None, "")


def test_closing_a_contributing_case_after_its_opinion(ledger, today):
    case_id = signed_case(role="汇办")
    actions.record_opinion_sent(case_id, OPERATOR, summary="意见", on=d("2023-06-20"))
    act(actions.close, case_id)
    assert case(case_id).status == "已办结"


def test_closing_an_unanswered_case_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.close, case_id, OPERATOR, word="尚未答复")


def test_closing_during_rehandling_is_refused(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    refused(actions.close, case_id, OPERATOR, word="重新办理")


def test_closing_a_contributing_case_without_its_opinion_is_refused(ledger, today):
    case_id = signed_case(role="汇办")
    refused(actions.close, case_id, OPERATOR, word="汇办意见")


def test_closing_twice_is_refused(ledger, today):
    case_id = replied_case()
    actions.close(case_id, OPERATOR)
    refused(actions.close, case_id, OPERATOR, word="已于")


def test_assigning_a_closed_case_is_refused(ledger, today):
    case_id = replied_case()
    actions.close(case_id, OPERATOR)
    refused(actions.assign, case_id, OPERATOR, division=division("政策法规处"), word="已办结")


# -------------------------------------------------------------------------- 修改


def test_an_edit_keeps_before_and_after(ledger, today):
    case_id = new_case(title="关于数据共享的建议")
    event = act(actions.edit_case, case_id, title="关于推进政务数据共享的建议", topic="数字政府", note="更正标题")
    assert (event.kind, event.note) == ("修改", "更正标题")
    assert event.data == {"before": {"title": "关于数据共享的建议", "topic": ""},
                          "after": {"title": "关于推进政务数据共享的建议", "topic": "数字政府"}}
    assert case(case_id).title == "关于推进政务数据共享的建议"


def test_an_edit_records_only_what_changed(ledger, today):
    case_id = new_case(title="关于数据共享的建议")
    event = act(actions.edit_case, case_id, title="关于数据共享的建议", summary="摘要")
    assert event.data == {"before": {"summary": ""}, "after": {"summary": "摘要"}}


def test_an_edit_that_changes_nothing_is_refused(ledger, today):
    case_id = new_case(title="关于数据共享的建议")
    refused(actions.edit_case, case_id, OPERATOR, title="关于数据共享的建议", word="没有需要保存的修改")


def test_editing_a_field_an_action_owns_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.edit_case, case_id, OPERATOR, status="已办结", word="不能直接修改")


def test_emptying_the_title_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.edit_case, case_id, OPERATOR, title="", word="请填写")


def test_an_edit_to_2001_characters_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.edit_case, case_id, OPERATOR, title="标" * 2001, word="过长")


# -------------------------------------------------------------------------- 撤销


def undo(event_id, **kwargs) -> Event:
    """Undo as OPERATOR: one more event (the compensating one) and the version up by one."""
    case_id = Event.get_by_id(event_id).case_id
    version_before = case(case_id).version
    recorded = actions.undo(event_id, OPERATOR, **kwargs)
    assert case(case_id).version == version_before + 1 == recorded.version
    return Event.get_by_id(recorded.event_id)


def test_undo_appends_a_compensating_event(ledger, today):
    case_id = new_case()
    signed = actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    compensating = undo(signed.event_id, reason="误签收")
    assert (compensating.kind, compensating.undoes_id, compensating.note) == ("撤销", signed.event_id, "误签收")
    assert compensating.data["before"] == {"signed_on": "2023-06-05", "status": "办理中"}
    assert compensating.data["after"] == {"signed_on": None, "status": "待签收"}
    assert [e.kind for e in events(case_id)] == ["交办", "签收", "撤销"]


def test_undo_restores_the_case(ledger, today):
    case_id = new_case()
    signed = actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    undo(signed.event_id)
    stored = case(case_id)
    assert (stored.status, stored.signed_on) == ("待签收", None)
    assert (stored.next_milestone, stored.next_due) == ("签收", d("2023-06-11"))


def test_undo_restores_an_assignment(ledger, today):
    case_id = signed_case()
    assigned = actions.assign(case_id, OPERATOR, division=division())
    undo(assigned.event_id)
    assert case(case_id).division_id is None


def test_undo_restores_an_edit(ledger, today):
    case_id = new_case(title="原标题")
    edited = actions.edit_case(case_id, OPERATOR, title="新标题")
    undo(edited.event_id)
    assert case(case_id).title == "原标题"


def test_undo_of_a_dissatisfied_evaluation_stops_rehandling(ledger, today):
    case_id = replied_case()
    evaluated = actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    undo(evaluated.event_id)
    stored = case(case_id)
    assert (stored.status, stored.evaluation, stored.rehandle_started_on) == ("已答复", "", None)
    assert stored.next_milestone == "评价"


def test_undo_of_a_promise_reply_clears_its_review(ledger, today):
    case_id = assigned_case()
    replied = actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="B")
    undo(replied.event_id)
    stored = case(case_id)
    assert (stored.replied_on, stored.review_due, stored.result_class, stored.status) == (None, None, "", "办理中")


def test_undo_of_an_urge_recounts_the_urges(ledger, today):
    case_id = assigned_case()
    actions.urge_division(case_id, OPERATOR)
    second = actions.urge_division(case_id, OPERATOR)
    undo(second.event_id)
    stored = case(case_id)
    assert (stored.urge_count, stored.urge_level) == (1, 1)
    assert stored.next_followup_on == d("2023-09-06")


def test_after_undoing_an_urge_the_next_urge_is_second_level_again(ledger, today):
    case_id = assigned_case()
    actions.urge_division(case_id, OPERATOR)
    second = actions.urge_division(case_id, OPERATOR)
    undo(second.event_id)
    assert "二次催办" in actions.urge_division(case_id, OPERATOR).message
    assert case(case_id).urge_level == 2


def test_undo_of_a_follow_up_restores_the_last_follow_up_date(ledger, today):
    case_id = signed_case()
    actions.log_follow_up(case_id, OPERATOR, kind="查办", on=d("2023-08-20"), next_followup_on=d("2023-09-05"))
    mistaken = actions.log_follow_up(case_id, OPERATOR, kind="询办", on=d("2023-08-30"))
    undo(mistaken.event_id)
    stored = case(case_id)
    assert (stored.last_followup_on, stored.next_followup_on) == (d("2023-08-20"), d("2023-09-05"))


def test_undoing_twice_is_refused(ledger, today):
    case_id = new_case()
    signed = actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    actions.undo(signed.event_id, OPERATOR)
    refused(actions.undo, signed.event_id, OPERATOR, word="已经撤销过")


def test_undoing_the_assignment_is_refused(ledger, today):
    case_id = new_case()
    refused(actions.undo, events(case_id)[0].id, OPERATOR, word="交办")


def test_undoing_an_undo_is_refused(ledger, today):
    case_id = new_case()
    signed = actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    compensating = actions.undo(signed.event_id, OPERATOR)
    refused(actions.undo, compensating.event_id, OPERATOR, word="撤销")


def test_undo_is_refused_when_a_later_event_changed_the_same_fields(ledger, today):
    case_id = assigned_case()
    signed = events(case_id)[1]
    actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")  # status changed again
    refused(actions.undo, signed.id, OPERATOR, word="（状态）")  # the office's word, not the column


def test_undo_of_an_earlier_edit_is_refused_after_a_later_edit_of_the_same_field(ledger, today):
    case_id = new_case(title="一")
    first = actions.edit_case(case_id, OPERATOR, title="二")
    actions.edit_case(case_id, OPERATOR, title="三")
    refused(actions.undo, first.event_id, OPERATOR, word="请先撤销后来的记录")


def test_undo_of_an_event_that_does_not_exist_is_refused(ledger, today):
    new_case()
    refused(actions.undo, 999, OPERATOR, word="找不到")


# --------------------------------------------------------------- version conflict


def test_acting_on_a_case_changed_elsewhere_raises_a_version_conflict(ledger, today):
    case_id = new_case()
    seen = case_card(case_id).version
    actions.sign_for(case_id, OTHER_OPERATOR, on=d("2023-06-05"))  # the other workstation
    before = (Event.select().count(), case(case_id).version)

    with pytest.raises(VersionConflict) as info:
        actions.request_adjustment(case_id, OPERATOR, reason="不属我局职责", expected_version=seen)

    assert (Event.select().count(), case(case_id).version) == before
    assert OTHER_OPERATOR in str(info.value) and "签收" in str(info.value)
    assert len(info.value.changes) == 1
    assert OTHER_OPERATOR in info.value.changes[0] and "签收" in info.value.changes[0]


def test_a_version_conflict_is_a_ledger_error(ledger, today):
    case_id = new_case()
    seen = case(case_id).version
    actions.log_follow_up(case_id, OTHER_OPERATOR, kind="查办")
    refused(actions.log_follow_up, case_id, OPERATOR, kind="询办", expected_version=seen, word="已在别处被修改")


def test_a_version_conflict_names_every_change_since(ledger, today):
    case_id = assigned_case()
    seen = case(case_id).version
    actions.log_follow_up(case_id, OTHER_OPERATOR, kind="查办")
    actions.urge_division(case_id, OTHER_OPERATOR)
    with pytest.raises(VersionConflict) as info:
        actions.edit_case(case_id, OPERATOR, title="新标题", expected_version=seen)
    assert [change.split()[-1] for change in info.value.changes] == ["查办", "催办"]
    assert case(case_id).title != "新标题"


def test_undo_with_a_stale_version_is_refused(ledger, today):
    case_id = new_case()
    signed = actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    seen = case(case_id).version
    actions.log_follow_up(case_id, OTHER_OPERATOR, kind="查办")
    with pytest.raises(VersionConflict):
        actions.undo(signed.event_id, OPERATOR, expected_version=seen)
    assert [e.kind for e in events(case_id)] == ["交办", "签收", "查办"]


def test_acting_with_the_current_version_succeeds(ledger, today):
    case_id = new_case()
    act(actions.sign_for, case_id, expected_version=case(case_id).version)


def test_a_refused_action_leaves_the_case_untouched_for_the_next_one(ledger, today):
    case_id = assigned_case()
    with pytest.raises(LedgerError):
        actions.reply(case_id, OPERATOR, doc_no=DOC_NO, result_class="Z")
    act(actions.reply, case_id, doc_no=DOC_NO, result_class="A")
    assert Case.get_by_id(case_id).result_class == "A"


# ----------------------------------------------------------------- business dates


DATED_ACTIONS = {
    "签收": (new_case, actions.sign_for, {}),
    "申请调整": (new_case, actions.request_adjustment, {"reason": "不属我局职责"}),
    "跟进": (signed_case, actions.log_follow_up, {"kind": "查办"}),
    "汇办意见": (lambda: signed_case(role="汇办"), actions.record_opinion_sent, {"summary": "意见"}),
    "答复": (assigned_case, actions.reply, {"doc_no": DOC_NO, "result_class": "A"}),
    "评价": (replied_case, actions.record_evaluation, {"evaluation": "满意"}),
    "公开": (replied_case, actions.record_disclosure, {"decision": "公开"}),
    "回头看": (lambda: replied_case(result_class="B"), actions.record_review, {"findings": "看过"}),
    "办结": (replied_case, actions.close, {}),
}


@pytest.mark.parametrize("name", DATED_ACTIONS)
def test_a_date_before_the_assignment_is_refused(ledger, today, name):
    make, action, values = DATED_ACTIONS[name]
    case_id = make()
    refused(action, case_id, OPERATOR, on=d("2023-05-31"), **values, word="早于交办日期")


@pytest.mark.parametrize("name", DATED_ACTIONS)
def test_a_future_date_is_refused(ledger, today, name):
    make, action, values = DATED_ACTIONS[name]
    case_id = make()
    refused(action, case_id, OPERATOR, on=d("2023-09-02"), **values, word="晚于今天")


def test_undoing_a_reopening_evaluation_closes_the_case_again(ledger, today):
    case_id = replied_case()
    actions.close(case_id, OPERATOR, on=d("2023-08-25"))
    evaluated = actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    undo(evaluated.event_id)
    assert (case(case_id).status, case(case_id).closed_on) == ("已办结", d("2023-08-25"))
