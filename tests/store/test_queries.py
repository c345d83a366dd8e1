"""Read models: the ledger rows (a fixed number of queries, most urgent first, search,
windowing), the case card, and a session's statistics."""

from __future__ import annotations

import pendulum
import pytest
from playhouse.test_utils import count_queries

from store import actions, clock
from store.queries import case_card, ledger_count, ledger_rows, mask_phone, session_statistics

from store_helpers import (
    OPERATOR,
    OTHER_OPERATOR,
    assigned_case,
    d,
    division,
    new_case,
    replied_case,
    session,
    signed_case,
)

DOC_NO = "深政数函〔2023〕84号"


def numbers(rows):
    return [row.number for row in rows]


def row_of(number):
    return next(row for row in ledger_rows() if row.number == number)


# ------------------------------------------------------------------ query count


def ledger_queries() -> int:
    with count_queries() as counted:
        ledger_rows()
    return counted.count


def test_the_ledger_takes_the_same_number_of_queries_for_5_and_60_cases(ledger, today):
    for i in range(5):
        assigned_case(f"2023{i:04d}")
    rows = ledger_rows()
    with count_queries() as five:
        rows = ledger_rows()
    assert len(rows) == 5

    for i in range(5, 60):
        new_case(f"2023{i:04d}")
    with count_queries() as sixty:
        rows = ledger_rows()
    assert len(rows) == 60

    assert five.count == sixty.count
    assert sixty.count <= 5


def test_a_window_of_the_ledger_takes_no_more_queries(ledger, today):
    for i in range(30):
        new_case(f"2023{i:04d}")
    whole = ledger_queries()
    with count_queries() as window:
        ledger_rows(limit=10, offset=10)
    assert window.count == whole


# ---------------------------------------------------------------------- ordering


@pytest.fixture
def five_cases(ledger, today):
    """Five cases whose next deadlines fall on different days, one closed."""
    new_case("0001", assigned_on=d("2023-08-25"), title="签收 09-04")  # sign due 09-04
    signed_case("0002", title="答复今日到期")  # reply due 09-01
    new_case("0003", assigned_on=d("2023-08-01"), title="签收已逾期")  # sign due 08-11
    closed = replied_case("0004", title="已办结")
    actions.close(closed, OPERATOR)
    sent_later = new_case("0005", role="汇办", assigned_on=d("2023-08-15"), title="汇办意见")  # due 09-15
    actions.sign_for(sent_later, OPERATOR, on=d("2023-08-16"))


def test_the_ledger_puts_the_most_urgent_first_and_closed_last(five_cases):
    assert numbers(ledger_rows()) == ["0003", "0002", "0001", "0005", "0004"]


def test_the_ledger_rows_carry_their_next_deadline(five_cases):
    row = row_of("0005")
    assert (row.next_milestone, row.next_due, row.role, row.status) == ("汇办意见", d("2023-09-15"), "汇办", "办理中")


@pytest.mark.parametrize(
    "number, days_left, countdown",
    [("0003", -21, "逾期21天"), ("0002", 0, "今日到期"), ("0001", 3, "还剩3天"), ("0004", None, "已办结")],
)
def test_days_left_and_countdown_with_a_fixed_today(five_cases, number, days_left, countdown):
    row = row_of(number)
    assert (row.days_left, row.countdown) == (days_left, countdown)


def test_overdue_rows_say_so(five_cases):
    assert [row.number for row in ledger_rows() if row.overdue] == ["0003"]


def test_a_working_day_deadline_counts_down_in_working_days(ledger, today):
    replied_case("0001")  # evaluation due 2023-09-15
    row = row_of("0001")
    assert (row.next_milestone, row.days_left, row.working_days_left) == ("评价", 14, 10)
    assert row.countdown == "还剩10个工作日"


def test_a_contributing_case_with_its_opinion_sent_shows_feedback_given(ledger, today):
    case_id = signed_case("0001", role="汇办")
    actions.record_opinion_sent(case_id, OPERATOR, summary="意见", on=d("2023-06-20"))
    row = row_of("0001")
    assert (row.next_due, row.countdown) == (None, "已反馈")


def test_the_ledger_can_leave_out_closed_cases(five_cases):
    assert "0004" not in numbers(ledger_rows(include_closed=False))
    assert ledger_count(include_closed=False) == 4
    assert ledger_count() == 5


def test_the_ledger_can_be_ordered_by_number(five_cases):
    assert numbers(ledger_rows(order="number")) == ["0001", "0002", "0003", "0004", "0005"]


def test_the_next_deadline_changes_the_order_after_an_action(five_cases):
    overdue = next(row for row in ledger_rows() if row.number == "0003")
    actions.sign_for(overdue.case_id, OPERATOR, on=d("2023-08-05"))  # now its reply is due 11-01
    assert numbers(ledger_rows()) == ["0002", "0001", "0005", "0003", "0004"]


# ------------------------------------------------------------------------- search


@pytest.fixture
def searchable(ledger, today):
    """Three cases with distinct numbers, titles, proposers, divisions and owners."""
    chen = actions.ensure_proposer("陈晓东", group="福田团")
    wang = actions.ensure_proposer("王丽华", group="南山团")
    first = signed_case("20230489", title="关于推进政务数据共享的建议", lead_proposer=chen)
    second = signed_case("20230512", title="关于优化一网通办的建议", lead_proposer=wang)
    new_case("20230600", title="关于数字孪生城市的建议")
    resources, service = division("数据资源处"), division("政务服务处")
    actions.assign(first, OPERATOR, division=resources,
                   owner=actions.ensure_person("许嘉怡", division=resources))
    actions.assign(second, OPERATOR, division=service,
                   owner=actions.ensure_person("周振宇", division=service))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0489", ["20230489"]),
        ("第20230512号", ["20230512"]),
        ("数据共享", ["20230489"]),
        ("王丽华", ["20230512"]),
        ("政务服务处", ["20230512"]),
        ("许嘉怡", ["20230489"]),
        ("建议", ["20230489", "20230512", "20230600"]),
        ("没有这个词", []),
        ("  ", ["20230489", "20230512", "20230600"]),
    ],
)
def test_search_on_number_title_proposer_division_and_owner(searchable, text, expected):
    assert sorted(numbers(ledger_rows(search=text))) == expected


def test_search_treats_like_wildcards_as_text(searchable):
    assert ledger_rows(search="%") == []
    assert ledger_rows(search="_") == []


def test_the_rows_name_proposer_division_and_owner(searchable):
    row = row_of("20230489")
    assert (row.lead_proposer, row.division, row.owner) == ("陈晓东", "数据资源处", "许嘉怡")
    assert row.label == "第20230489号"
    assert row_of("20230600").division == ""


def test_ledger_count_follows_the_search(searchable):
    assert ledger_count(search="数据") == 1
    assert ledger_count(search="建议") == 3


# ------------------------------------------------------------------ session filter


def test_the_session_filter_keeps_one_sessions_cases(ledger, today):
    npc = session()
    cppcc = session("市政协七届三次会议", body="政协")
    new_case("0001", session_row=npc)
    new_case("0001", session_row=cppcc)
    new_case("0002", session_row=cppcc)
    rows = ledger_rows(session_id=cppcc.id)
    assert [(row.session, row.number) for row in rows] == [("市政协七届三次会议", "0001"), ("市政协七届三次会议", "0002")]
    assert len(ledger_rows()) == 3


# ----------------------------------------------------------------------- windowing


@pytest.fixture
def many_cases(ledger, today):
    """24 cases in two sessions with the same numbers, several sharing a deadline."""
    npc = session()
    cppcc = session("市政协七届三次会议", body="政协")
    for i in range(12):
        for row in (npc, cppcc):
            case_id = new_case(f"{i:04d}", assigned_on=d("2023-06-01") if i < 6 else d("2023-07-03"),
                               session_row=row)
            if i % 3 == 0:
                actions.sign_for(case_id, OPERATOR, on=d("2023-07-10"))


@pytest.mark.parametrize("order", ["deadline", "number", "division", "status"])
def test_a_window_equals_the_same_slice_of_the_whole_ledger(many_cases, order):
    whole = ledger_rows(order=order)
    assert len(whole) == 24
    for offset, limit in [(0, 5), (5, 5), (10, 7), (20, 10), (30, 5)]:
        assert ledger_rows(order=order, limit=limit, offset=offset) == whole[offset:offset + limit], (offset, limit)


def test_windows_cover_every_case_once(many_cases):
    seen = []
    for offset in range(0, 24, 5):
        seen += [row.case_id for row in ledger_rows(limit=5, offset=offset)]
    assert sorted(seen) == sorted(row.case_id for row in ledger_rows())


# --------------------------------------------------------------------------- stale


def test_a_case_untouched_for_a_week_is_stale_on_the_ledger(ledger, today):
    signed_case("0001", signed_on=d("2023-08-25"))
    signed_case("0002", signed_on=d("2023-08-26"))
    assert (row_of("0001").stale, row_of("0002").stale) == (True, False)


def test_a_missed_planned_follow_up_is_stale_on_the_ledger(ledger, today):
    case_id = signed_case("0001")
    clock.fix_today(d("2023-08-30"))
    actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=d("2023-08-31"))
    clock.fix_today(d("2023-09-01"))
    assert row_of("0001").stale is True


def test_a_closed_case_is_not_stale_on_the_ledger(ledger, today):
    case_id = replied_case("0001")
    actions.close(case_id, OPERATOR, on=d("2023-08-21"))
    clock.fix_today(d("2023-10-01"))
    assert row_of("0001").stale is False


def test_the_ledger_counts_from_the_day_it_is_given(ledger, today):
    new_case("0001", assigned_on=d("2023-08-25"))  # sign due 09-04
    rows = ledger_rows(today=d("2023-09-06"))
    assert (rows[0].days_left, rows[0].countdown) == (-2, "逾期2天")


# ---------------------------------------------------------------------- case card


@pytest.fixture
def full_case(ledger, today):
    """A case with a proposer, an assignment, a contact, two urges (one undone) and a reply."""
    proposer = actions.ensure_proposer("陈晓东", group="福田团", unit_title="某科技公司董事长", phone="13812345678")
    resources = division("数据资源处")
    owner = actions.ensure_person("许嘉怡", division=resources, post="数据共享岗", title="经办人")
    leader = actions.ensure_person("刘志强", title="分管局领导")
    moments = iter(pendulum.datetime(2023, 9, 1, 8, minute, tz="Asia/Shanghai") for minute in range(0, 60, 5))

    def at_next():
        return clock.frozen_now(next(moments))

    with at_next():
        case_id = new_case("20230489", lead_proposer=proposer, cosigners=["李明", "赵强"], lead_unit="市政务服务数据管理局",
                           co_units=["市发展改革委"], topic="数字政府", summary="建议加快政务数据共享")
    with at_next():
        actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    with at_next():
        actions.assign(case_id, OPERATOR, division=resources, owner=owner, post="数据共享岗", leader=leader,
                       leader_led=True, is_hot=True)
    with at_next():
        actions.log_follow_up(case_id, OTHER_OPERATOR, kind="沟通", method="座谈面商", stage="办中", note="座谈",
                              on=d("2023-07-10"))
    with at_next():
        actions.urge_division(case_id, OPERATOR, note="请抓紧")
    with at_next():
        mistaken = actions.urge_division(case_id, OPERATOR, note="误点")
    with at_next():
        actions.undo(mistaken.event_id, OPERATOR, reason="重复催办")
    with at_next():
        actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="B", summary="纳入计划",
                      early_reason="市发展改革委已电话表示无不同意见")
    return case_id


def test_the_card_holds_the_cases_fields(full_case):
    card = case_card(full_case)
    assert (card.session, card.session_body, card.number, card.label, card.kind) == (
        "市七届人大三次会议", "人大", "20230489", "第20230489号", "建议")
    assert (card.title, card.summary, card.topic) == ("关于推进政务数据共享的建议", "建议加快政务数据共享", "数字政府")
    assert (card.lead_proposer, card.proposer_group, card.proposer_unit) == ("陈晓东", "福田团", "某科技公司董事长")
    assert card.cosigners == ("李明", "赵强")
    assert (card.role, card.lead_unit, card.co_units) == ("主办", "市政务服务数据管理局", ("市发展改革委",))
    assert (card.division, card.owner, card.post, card.leader) == ("数据资源处", "许嘉怡", "数据共享岗", "刘志强")
    assert (card.leader_led, card.is_hot, card.is_key, card.is_difficult) == (True, True, False, False)
    assert (card.assigned_on, card.signed_on, card.replied_on) == (d("2023-06-01"), d("2023-06-05"), d("2023-08-20"))
    assert (card.reply_due, card.reply_doc_no, card.result_class, card.reply_summary) == (
        d("2023-09-01"), DOC_NO, "B", "纳入计划")
    assert (card.status, card.review_due, card.urge_count, card.urge_level) == ("已答复", d("2023-11-20"), 1, 1)
    assert card.version == 8


def test_the_card_masks_the_proposers_phone(full_case):
    card = case_card(full_case)
    assert card.masked_phone == "138****5678"
    assert card.proposer_phone == "13812345678"


@pytest.mark.parametrize(
    "phone, masked",
    [("13812345678", "138****5678"), ("", ""), ("1234", "****"), ("0755-88886666", "075******6666")],
)
def test_phone_masking(phone, masked):
    assert mask_phone(phone) == masked


def test_the_card_lists_every_milestone_with_its_state(full_case):
    card = case_card(full_case)
    assert [(m.key, m.state) for m in card.milestones] == [
        # 会办意见: due 2023-07-01, done at the reply (with its reason) on 2023-08-20
        ("sign", "按时完成"), ("units", "逾期完成"), ("reply", "按时完成"), ("evaluation", "未到期"),
        ("disclosure", "未到期"), ("review", "未到期"),
    ]
    evaluation = card.milestones[3]
    assert (evaluation.due, evaluation.countdown, evaluation.working_days) == (
        d("2023-09-15"), "还剩10个工作日", True)
    assert card.milestones[0].countdown == "签收按时完成"


def test_the_timeline_is_newest_first_with_operator_and_time(full_case):
    timeline = case_card(full_case).timeline
    assert [entry.kind for entry in timeline] == ["答复", "撤销", "催办", "催办", "沟通", "分派", "签收", "交办"]
    contact = timeline[4]
    assert (contact.operator, contact.method, contact.stage, contact.on_date) == (
        OTHER_OPERATOR, "座谈面商", "办中", d("2023-07-10"))
    assert timeline[0].local_time == "2023-09-01 08:35"
    assert timeline[-1].local_time == "2023-09-01 08:00"
    assert timeline[-1].at.timezone_name == "UTC"


def test_the_timeline_marks_what_was_undone(full_case):
    undo_entry, undone_urge, standing_urge = case_card(full_case).timeline[1:4]
    assert undone_urge.undone_by == undo_entry.id
    assert undo_entry.undoes == undone_urge.id
    assert standing_urge.undone_by is None
    assert (undone_urge.note, undo_entry.note) == ("误点", "重复催办")


def test_the_timeline_shows_the_urges_target_and_level(full_case):
    urge = case_card(full_case).timeline[3]
    assert (urge.target_division, urge.level, urge.respond_by) == ("数据资源处", "一次催办", d("2023-09-06"))


def test_the_card_of_a_contributing_case_has_no_reply_due(ledger, today):
    card = case_card(signed_case("0001", role="汇办"))
    assert card.reply_due is None
    assert [m.key for m in card.milestones] == ["sign", "opinion"]


def test_the_card_of_a_bare_case_has_empty_names(ledger, today):
    card = case_card(new_case("0001"))
    assert (card.lead_proposer, card.masked_phone, card.division, card.owner, card.leader) == ("", "", "", "", "")


def test_the_card_of_a_missing_case_is_none(ledger, today):
    assert case_card(999) is None


def test_the_card_takes_a_fixed_number_of_queries(full_case):
    bare = new_case("0002")
    with count_queries() as short:
        case_card(bare)
    with count_queries() as long:
        case_card(full_case)
    assert long.count == short.count


# --------------------------------------------------------------------- statistics


@pytest.fixture
def a_year(ledger, today):
    """Six cases of one session (and one of another) covering every figure of the summary."""
    prompt = replied_case("0001", replied_on=d("2023-08-20"), result_class="A")
    actions.record_evaluation(prompt, OPERATOR, evaluation="满意", on=d("2023-08-25"))
    actions.record_disclosure(prompt, OPERATOR, decision="公开", on=d("2023-08-25"))
    actions.log_follow_up(prompt, OPERATOR, kind="沟通", method="座谈面商", stage="办中", on=d("2023-07-01"))

    late = new_case("0002", role="承办", assigned_on=d("2023-05-01"))  # sign due 05-11, reply 08-01
    actions.sign_for(late, OPERATOR, on=d("2023-05-15"))
    actions.reply(late, OPERATOR, on=d("2023-08-10"), doc_no="深政数函〔2023〕70号", result_class="B")
    actions.record_evaluation(late, OPERATOR, evaluation="基本满意", on=d("2023-08-20"))
    actions.log_follow_up(late, OPERATOR, kind="沟通", method="电话", stage="办前", on=d("2023-05-20"))

    unsigned = new_case("0003", role="分办")
    visit = actions.log_follow_up(unsigned, OPERATOR, kind="沟通", method="上门拜访", stage="办前")
    actions.undo(visit.event_id, OPERATOR, reason="记错了件")

    on_time = signed_case("0004", role="汇办")
    actions.record_opinion_sent(on_time, OPERATOR, summary="意见", on=d("2023-06-20"))
    late_opinion = signed_case("0005", role="汇办")
    actions.record_opinion_sent(late_opinion, OPERATOR, summary="意见", on=d("2023-07-05"))

    unhappy = replied_case("0006", result_class="C")
    actions.record_evaluation(unhappy, OPERATOR, evaluation="不满意", on=d("2023-08-30"))

    elsewhere = session("市政协七届三次会议", body="政协")
    other = new_case("0001", session_row=elsewhere)
    actions.log_follow_up(other, OPERATOR, kind="沟通", method="座谈面商", stage="办前")
    return session()


def test_statistics_name_the_session(a_year):
    stats = session_statistics(a_year.id)
    assert (stats.session, stats.body, stats.year, stats.received) == ("市七届人大三次会议", "人大", 2023, 6)


def test_statistics_count_by_role(a_year):
    assert session_statistics(a_year.id).by_role == {"主办": 2, "承办": 1, "分办": 1, "汇办": 2}


def test_statistics_count_by_status(a_year):
    assert session_statistics(a_year.id).by_status == {"已答复": 2, "待签收": 1, "已反馈": 2, "重新办理": 1}


def test_statistics_count_on_time_signing_with_a_late_one(a_year):
    stats = session_statistics(a_year.id)
    assert (stats.signed, stats.signed_on_time) == (5, 4)


def test_statistics_count_on_time_answers_with_late_ones(a_year):
    stats = session_statistics(a_year.id)
    # replies 0001 (on time), 0002 (late), 0006 (on time); opinions 0004 (on time), 0005 (late)
    assert (stats.answered, stats.answered_on_time) == (5, 3)


def test_statistics_count_evaluations(a_year):
    stats = session_statistics(a_year.id)
    assert (stats.needing_evaluation, stats.evaluations_received) == (4, 3)
    assert stats.by_evaluation == {"满意": 1, "基本满意": 1, "不满意": 1}


def test_statistics_count_result_classes_and_disclosure(a_year):
    stats = session_statistics(a_year.id)
    assert stats.by_class == {"A": 1, "B": 1, "C": 1, "D": 0}
    assert stats.disclosure == {"公开": 1, "部分公开": 0, "不公开": 0}
    assert stats.replies_to_disclose == 3


def test_statistics_count_face_to_face_contact_but_not_an_undone_one(a_year):
    stats = session_statistics(a_year.id)
    assert (stats.face_to_face, stats.contacted) == (1, 2)


def test_statistics_count_open_overdue_cases(a_year):
    # 0003 was never signed for (sign due 06-11)
    assert session_statistics(a_year.id).overdue_open == 1


def test_statistics_of_all_sessions(a_year):
    stats = session_statistics()
    assert (stats.session, stats.received, stats.year) == ("全部届次", 7, None)
    assert (stats.face_to_face, stats.contacted) == (2, 3)
