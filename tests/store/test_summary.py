"""The year's 基本情况 paragraph: every figure from the statistics, every claim following them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from store.io.summary import summary_paragraph
from store.queries import SessionStatistics


def stats(**changes) -> SessionStatistics:
    """The seed's 2023 year as the data say it (分办 3): 20 received, all on time, 7 of 8 evaluated."""
    base = SessionStatistics(
        session="市七届人大四次会议",
        body="人大",
        year=2023,
        received=20,
        by_role={"主办": 3, "承办": 2, "分办": 3, "汇办": 12},
        by_status={"已办结": 20},
        signed=20,
        signed_on_time=20,
        answered=20,
        answered_on_time=20,
        to_answer=20,
        needing_evaluation=8,
        evaluations_received=7,
        by_evaluation={"满意": 7, "基本满意": 0, "不满意": 0},
        by_class={"A": 3, "B": 4, "C": 1, "D": 0},
        disclosure={"公开": 6, "部分公开": 0, "不公开": 2},
        replies_to_disclose=8,
        face_to_face=2,
        contacted=8,
        overdue_open=0,
        topics=("智慧城市", "数字政府", "公共数据运营", "政务服务"),
        today=dt.date(2023, 9, 19),
        answering=8,
        first_by_evaluation={"满意": 7, "基本满意": 0, "不满意": 0},
    )
    return dataclasses.replace(base, **changes)


def test_the_seed_year_reads_like_the_seed():
    text = summary_paragraph(stats())
    assert text.startswith(
        "市七届人大四次会议期间，我局共接收办理市人大代表建议件20件，其中主办3件、承办2件、分办3件、汇办12件。"
    )
    assert "建议内容涵盖智慧城市、数字政府、公共数据运营、政务服务等多个方面。" in text
    assert "截至2023年9月19日，我局已对全部建议做出书面答复，所有建议均按时签收、按时答复。" in text
    assert "需要人大代表进行评价的建议共8件，目前已收到评价7件，代表对办理结果均评价为满意。" in text
    assert "A类（已经解决或基本解决）3件，占37.5%" in text
    assert "B类（正在解决或已列入计划解决）4件，占50%" in text
    assert "C类（因条件限制或其他原因暂时不能解决）1件，占12.5%" in text
    assert "D类" not in text  # no case of that class
    assert "共公开6件，2件经审查不予公开" in text
    assert "面对面沟通2件，面商率25%（以我局答复代表的主办、承办、分办建议8件计）" in text


def test_late_signing_is_counted_not_hidden():
    text = summary_paragraph(stats(signed_on_time=18))
    assert "均按时" not in text
    assert "签收方面，按时签收18件、逾期签收2件，按时签收率90%" in text


def test_late_reply_is_counted_not_hidden():
    text = summary_paragraph(stats(answered_on_time=19))
    assert "均按时" not in text
    assert "其中按时答复19件、逾期答复1件，按时答复率95%" in text


def test_unanswered_cases_not_yet_due_are_said_apart():
    text = summary_paragraph(stats(answered=17, answered_on_time=17, answer_pending=3,
                                   by_status={"办理中": 3, "已办结": 17}))
    assert "均按时" not in text
    assert "全部做出书面答复" not in text
    assert "已书面答复17件（含汇办意见），其中按时答复17件，按时答复率100%；另有3件尚未答复、未到答复期限" in text
    assert "20件建议全部按时签收" in text


def test_unanswered_cases_past_due_count_against_the_rate():
    text = summary_paragraph(stats(answered=17, answered_on_time=16, answer_overdue=3))
    assert "其中按时答复16件、逾期答复1件，逾期未答复3件，按时答复率80%" in text  # 16 / (17 + 3)


def test_unsigned_cases_are_said():
    text = summary_paragraph(stats(signed=19, signed_on_time=19, sign_overdue=1, answered=19, answered_on_time=19,
                                   answer_overdue=1))
    assert "均按时" not in text
    assert "签收方面，按时签收19件、逾期未签收1件，按时签收率95%" in text
    pending = summary_paragraph(stats(signed=19, signed_on_time=19, sign_pending=1))
    assert "19件建议全部按时签收，另有1件尚未签收、未到签收期限" in pending and "均按时" not in pending


def test_mixed_evaluations_are_counted():
    text = summary_paragraph(stats(by_evaluation={"满意": 5, "基本满意": 1, "不满意": 1}, ever_dissatisfied=1,
                                   first_dissatisfied=1, after_rehandling={"重新办理中": 1}))
    assert "均评价为满意" not in text
    assert "目前已收到评价7件，满意5件、基本满意1件、不满意1件；其中1件初次评价不满意，正在重新办理。" in text


def test_a_dissatisfaction_re_answered_is_told_not_hidden():
    text = summary_paragraph(stats(by_evaluation={"满意": 7, "基本满意": 0, "不满意": 0}, ever_dissatisfied=1,
                                   first_dissatisfied=1, after_rehandling={"满意": 1}, rehandle_rounds=1,
                                   rehandle_on_time=1))
    assert "均评价为满意" not in text
    assert "目前已收到评价7件，满意7件；其中1件初次评价不满意，经重新办理后评价为满意。" in text
    assert "所有建议均按时签收、按时答复。代表评价不满意后重新办理1件次，均按时重新答复。" in text


def test_a_late_re_answer_or_a_late_extension_is_not_on_time():
    late = summary_paragraph(stats(rehandle_rounds=1, rehandle_late=1, ever_dissatisfied=1, first_dissatisfied=1,
                                   after_rehandling={"待再次评价": 1}, by_evaluation={"满意": 6, "不满意": 1}))
    assert "均按时" not in late
    assert "代表评价不满意后重新办理1件次，其中逾期重新答复1件次。" in late
    assert "其中1件初次评价不满意，已重新答复、尚待再次评价。" in late
    extended = summary_paragraph(stats(extension_late=1, answered_on_time=19))
    assert "均按时" not in extended
    assert "逾期答复1件，按时答复率95%（其中1件延期在原答复期限届满后办理，按原期限计算）" in extended


def test_shares_are_rounded_half_up():
    text = summary_paragraph(stats(replies_to_disclose=16, by_class={"A": 1, "B": 5, "C": 10, "D": 0},
                                   face_to_face=1, answering=16))
    assert "A类（已经解决或基本解决）1件，占6.3%" in text and "4件，占31.3%" not in text
    assert "5件，占31.3%" in text and "面商率6.3%" in text


def test_no_evaluation_yet():
    text = summary_paragraph(stats(evaluations_received=0, by_evaluation={"满意": 0, "基本满意": 0, "不满意": 0}))
    assert "均评价为满意" not in text
    assert "目前尚未收到评价" in text


def test_zero_roles_are_left_out():
    text = summary_paragraph(stats(received=14, by_role={"主办": 2, "承办": 0, "分办": 0, "汇办": 12}))
    assert "其中主办2件、汇办12件。" in text
    assert "承办0件" not in text and "分办" not in text.split("。")[0]


def test_a_single_role():
    text = summary_paragraph(stats(received=12, by_role={"主办": 0, "承办": 0, "分办": 0, "汇办": 12},
                                   needing_evaluation=0, evaluations_received=0, replies_to_disclose=0,
                                   by_class={}, disclosure={}))
    assert "共接收办理市人大代表建议件12件，均为汇办件。" in text
    assert "由主办单位答复代表并征求评价" in text


def test_cppcc_speaks_of_proposals_and_members():
    text = summary_paragraph(stats(session="市政协七届四次会议", body="政协"))
    assert text.startswith("市政协七届四次会议期间，我局共接收办理市政协委员提案20件，其中主办3件、承办2件、分办3件、会办12件。")
    assert "建议" not in text and "代表" not in text
    assert "所有提案均按时签收、按时答复" in text
    assert "需要政协委员进行评价的提案共8件" in text
    assert "委员对办理结果均评价为满意" in text


def test_nothing_received():
    text = summary_paragraph(stats(received=0, by_role={}, signed=0, signed_on_time=0, answered=0,
                                   answered_on_time=0, to_answer=0, needing_evaluation=0, evaluations_received=0,
                                   by_evaluation={}, by_class={}, disclosure={}, replies_to_disclose=0,
                                   face_to_face=0, contacted=0, topics=()))
    assert text == "市七届人大四次会议期间，我局未接收市人大代表建议。"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("市七届人大四次会议", "市人大代表建议件"), ("广东省十四届人大一次会议", "省人大代表建议件"),
     ("全国人大十四届二次会议", "全国人大代表建议件"), ("第七届人大闭会期间", "人大代表建议件")],
)
def test_the_level_comes_from_the_session_name(name, expected):
    text = summary_paragraph(stats(session=name))
    assert f"我局共接收办理{expected}20件" in text
    assert "期间期间" not in text


def test_overdue_open_cases_are_flagged_when_not_all_done():
    text = summary_paragraph(stats(answered=18, answered_on_time=18, answer_overdue=2, overdue_open=2))
    assert "目前有2件的办理环节已超过期限" in text


def test_no_disclosure_yet():
    text = summary_paragraph(stats(disclosure={"公开": 0, "部分公开": 0, "不公开": 0}))
    assert "目前尚未公开建议办理复文，尚有8件未作出公开决定。" in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [("2026年市人大会议（合成数据）", "市人大代表建议件"), ("深圳市第七届人大第四次会议", "市人大代表建议件"),
     ("某某会议", "人大代表建议件")],
)
def test_the_level_in_other_names(name, expected):
    assert f"我局共接收办理{expected}20件" in summary_paragraph(stats(session=name))
