"""Deadline rules: each milestone's due date for each role, the states, the next open
milestone, staleness, the countdown's words, and a session's own rules."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from store.calendar import WorkCalendar
from store.queries import rules_for
from store.rules import (
    DEFAULT_RULES,
    Milestone,
    RuleSet,
    add_months,
    countdown_text,
    is_stale,
    latest_extension,
    milestone_countdown,
    milestones,
    next_open,
    reply_due,
)

from store_helpers import case, d, new_case, session

ANSWERING_ROLES = ("主办", "承办", "分办")


def a_case(**fields):
    """A case as the rules read it: assigned 2023-06-01, nothing else done yet."""
    values = dict(
        role="主办", status="办理中", assigned_on=d("2023-06-01"), signed_on=None, extended_due=None,
        opinion_sent_on=None, replied_on=None, evaluation="", evaluated_on=None, rehandle_started_on=None,
        rehandle_replied_on=None, disclosed_on=None, review_due=None, reviewed_on=None, closed_on=None,
        last_followup_on=None, next_followup_on=None,
    )
    values.update(fields)
    return SimpleNamespace(**values)


def due_of(case, key, **kwargs):
    return {m.key: m for m in milestones(case, **kwargs)}[key].due


def milestone(case, key):
    return {m.key: m for m in milestones(case)}[key]


# ---------------------------------------------------------------------- due dates


@pytest.mark.parametrize("role", ANSWERING_ROLES + ("汇办",))
def test_sign_for_is_due_ten_days_after_assignment(role):
    assert due_of(a_case(role=role), "sign") == d("2023-06-11")


@pytest.mark.parametrize("role", ANSWERING_ROLES)
def test_the_reply_is_due_three_calendar_months_after_assignment(role):
    assert due_of(a_case(role=role), "reply") == d("2023-09-01")


@pytest.mark.parametrize(
    "assigned, due",
    [("2023-11-30", "2024-02-29"), ("2022-11-30", "2023-02-28"), ("2023-05-31", "2023-08-31"),
     ("2023-03-31", "2023-06-30")],
)
def test_the_reply_due_date_is_clamped_to_the_months_end(assigned, due):
    assert due_of(a_case(assigned_on=d(assigned)), "reply") == d(due)


def test_adding_months_clamps_to_the_months_end():
    assert add_months(d("2024-01-31"), 1) == d("2024-02-29")
    assert type(add_months(d("2024-01-31"), 1)) is dt.date


def test_an_extension_moves_the_reply_due_date():
    extended = a_case(extended_due=d("2023-11-15"))
    assert due_of(extended, "reply") == d("2023-11-15")
    assert reply_due(extended) == d("2023-11-15")


def test_an_extension_may_go_to_six_months_after_assignment():
    assert latest_extension(a_case()) == d("2023-12-01")
    assert latest_extension(a_case(assigned_on=d("2023-08-31"))) == d("2024-02-29")


def test_a_contributing_case_has_its_opinion_due_one_month_after_assignment():
    assert due_of(a_case(role="汇办"), "opinion") == d("2023-07-01")


def test_a_contributing_case_has_no_reply_or_evaluation():
    keys = [m.key for m in milestones(a_case(role="汇办", replied_on=d("2023-08-01")))]
    assert keys == ["sign", "opinion"]


@pytest.mark.parametrize("role", ANSWERING_ROLES)
def test_an_unanswered_case_has_only_sign_and_reply(role):
    assert [m.key for m in milestones(a_case(role=role))] == ["sign", "reply"]


@pytest.mark.parametrize("role", ANSWERING_ROLES)
def test_evaluation_is_chased_twenty_working_days_after_the_reply_across_national_day(role):
    replied = a_case(role=role, replied_on=d("2023-09-20"))
    evaluation = milestone(replied, "evaluation")
    # 6 working days in September, then none from 09-29 to 10-06, then 10-07 and 10-08 (调休) …
    assert evaluation.due == d("2023-10-24")
    assert evaluation.working_days is True
    assert evaluation.estimated is False


@pytest.mark.parametrize("role", ANSWERING_ROLES)
def test_disclosure_is_due_twenty_working_days_after_the_reply_across_national_day(role):
    replied = a_case(role=role, replied_on=d("2023-09-20"))
    assert milestone(replied, "disclosure").due == d("2023-10-24")
    assert milestone(replied, "disclosure").working_days is True


def test_disclosure_after_a_reply_in_an_unknown_year_is_an_estimate_with_a_warning():
    replied = a_case(assigned_on=d("2030-01-10"), replied_on=d("2030-03-01"))
    disclosure = milestone(replied, "disclosure")
    assert disclosure.estimated is True
    assert "2030年" in disclosure.warning


def test_an_office_holiday_moves_the_disclosure_due_date():
    office = WorkCalendar({d("2023-10-24"): False})
    replied = a_case(replied_on=d("2023-09-20"))
    assert due_of(replied, "disclosure", calendar=office) == d("2023-10-25")


def test_rehandling_is_due_one_month_after_the_dissatisfied_evaluation():
    rehandled = a_case(replied_on=d("2023-09-20"), evaluation="不满意", evaluated_on=d("2023-10-10"),
                       rehandle_started_on=d("2023-10-10"), status="重新办理")
    rehandle = milestone(rehandled, "rehandle")
    assert rehandle.due == d("2023-11-10")
    assert rehandle.label == "重办答复"
    assert rehandle.done is False


def test_the_first_evaluation_counts_as_done_when_rehandling_starts():
    rehandled = a_case(replied_on=d("2023-09-20"), evaluation="不满意", evaluated_on=d("2023-10-10"),
                       rehandle_started_on=d("2023-10-10"), status="重新办理")
    assert milestone(rehandled, "evaluation").done_on == d("2023-10-10")


def test_reevaluation_is_chased_twenty_working_days_after_the_new_reply():
    answered_again = a_case(replied_on=d("2023-09-20"), evaluated_on=d("2023-10-10"),
                            rehandle_started_on=d("2023-10-10"), rehandle_replied_on=d("2023-11-01"),
                            status="已答复")
    reevaluation = milestone(answered_again, "reevaluation")
    assert reevaluation.due == d("2023-11-29")
    assert reevaluation.done is False


def test_the_new_evaluation_completes_the_reevaluation():
    evaluated_again = a_case(replied_on=d("2023-09-20"), rehandle_started_on=d("2023-10-10"),
                             rehandle_replied_on=d("2023-11-01"), evaluation="满意",
                             evaluated_on=d("2023-11-20"), status="已答复")
    assert milestone(evaluated_again, "reevaluation").done_on == d("2023-11-20")


def test_a_review_is_due_when_one_is_planned():
    promised = a_case(replied_on=d("2023-08-20"), review_due=d("2023-11-20"))
    review = milestone(promised, "review")
    assert review.due == d("2023-11-20")
    assert review.done is False


def test_a_review_made_with_nothing_further_planned_is_done():
    reviewed = a_case(replied_on=d("2023-08-20"), reviewed_on=d("2023-11-18"))
    assert milestone(reviewed, "review").done_on == d("2023-11-18")


def test_a_case_answered_without_a_promise_has_no_review():
    assert "review" not in [m.key for m in milestones(a_case(replied_on=d("2023-08-20")))]


# -------------------------------------------------------------------------- states


@pytest.mark.parametrize(
    "done_on, today, state",
    [
        ("2023-09-01", "2023-09-30", "按时完成"),
        ("2023-08-01", "2023-09-30", "按时完成"),
        ("2023-09-02", "2023-09-30", "逾期完成"),
        (None, "2023-08-31", "未到期"),
        (None, "2023-09-01", "今日到期"),
        (None, "2023-09-02", "已逾期"),
    ],
)
def test_milestone_states(done_on, today, state):
    reply = Milestone("reply", "答复", d("2023-09-01"), d(done_on) if done_on else None)
    assert reply.state(d(today)) == state


def test_days_left_is_negative_when_overdue():
    reply = Milestone("reply", "答复", d("2023-09-01"))
    assert reply.days_left(d("2023-08-29")) == 3
    assert reply.days_left(d("2023-09-04")) == -3


# ------------------------------------------------------------------------ next open


def test_the_next_open_milestone_of_a_new_case_is_signing_for():
    assert next_open(a_case(status="待签收")).key == "sign"


def test_the_next_open_milestone_of_a_signed_case_is_the_reply():
    nxt = next_open(a_case(signed_on=d("2023-06-05")))
    assert (nxt.key, nxt.due) == ("reply", d("2023-09-01"))


def test_an_unsigned_case_is_due_by_whichever_comes_first():
    # signing was due first, even though the reply is also open
    assert next_open(a_case()).due == d("2023-06-11")


def test_the_next_open_milestone_of_an_answered_case_is_the_evaluation():
    nxt = next_open(a_case(signed_on=d("2023-06-05"), replied_on=d("2023-09-20"), status="已答复"))
    assert (nxt.key, nxt.due) == ("evaluation", d("2023-10-24"))


def test_the_next_open_milestone_of_a_contributing_case_is_its_opinion():
    assert next_open(a_case(role="汇办", signed_on=d("2023-06-05"))).key == "opinion"


def test_a_contributing_case_with_its_opinion_sent_has_nothing_open():
    sent = a_case(role="汇办", signed_on=d("2023-06-05"), opinion_sent_on=d("2023-06-20"), status="已反馈")
    assert next_open(sent) is None


def test_a_closed_case_has_nothing_open():
    closed = a_case(signed_on=d("2023-06-05"), replied_on=d("2023-08-20"), closed_on=d("2023-08-30"),
                    status="已办结", review_due=d("2023-11-20"))
    assert next_open(closed) is None


# --------------------------------------------------------------------------- stale


def test_a_case_followed_up_six_days_ago_is_not_stale():
    assert is_stale(a_case(last_followup_on=d("2023-08-26")), d("2023-09-01")) is False


def test_a_case_untouched_for_seven_days_is_stale():
    assert is_stale(a_case(last_followup_on=d("2023-08-25")), d("2023-09-01")) is True


def test_a_case_untouched_for_eight_days_is_stale():
    assert is_stale(a_case(last_followup_on=d("2023-08-24")), d("2023-09-01")) is True


def test_a_case_never_followed_up_counts_from_its_assignment():
    assert is_stale(a_case(assigned_on=d("2023-08-25")), d("2023-09-01")) is True
    assert is_stale(a_case(assigned_on=d("2023-08-28")), d("2023-09-01")) is False


def test_a_planned_follow_up_date_that_passed_makes_a_case_stale():
    missed = a_case(last_followup_on=d("2023-08-30"), next_followup_on=d("2023-08-31"))
    assert is_stale(missed, d("2023-09-01")) is True


def test_a_follow_up_planned_for_today_is_not_yet_missed():
    planned = a_case(last_followup_on=d("2023-08-30"), next_followup_on=d("2023-09-01"))
    assert is_stale(planned, d("2023-09-01")) is False


def test_a_closed_case_is_never_stale():
    closed = a_case(status="已办结", closed_on=d("2023-07-01"), last_followup_on=d("2023-07-01"))
    assert is_stale(closed, d("2023-09-01")) is False


def test_a_contributing_case_whose_opinion_was_sent_is_not_stale():
    sent = a_case(role="汇办", status="已反馈", last_followup_on=d("2023-06-20"))
    assert is_stale(sent, d("2023-09-01")) is False


def test_a_session_may_set_its_own_stale_period():
    patient = RuleSet.from_overrides({"stale_days": 14})
    assert is_stale(a_case(last_followup_on=d("2023-08-24")), d("2023-09-01"), patient) is False


# ------------------------------------------------------------------------ countdown


@pytest.mark.parametrize(
    "due, text",
    [("2023-09-04", "还剩3天"), ("2023-09-01", "今日到期"), ("2023-08-30", "逾期2天")],
)
def test_countdown_in_calendar_days(due, text):
    assert countdown_text(d(due), d("2023-09-01")) == text


@pytest.mark.parametrize(
    "working_days_left, due, text",
    [(5, "2023-09-08", "还剩5个工作日"), (0, "2023-09-01", "今日到期"), (-2, "2023-08-30", "逾期2个工作日")],
)
def test_countdown_in_working_days(working_days_left, due, text):
    assert countdown_text(d(due), d("2023-09-01"), working_days_left=working_days_left) == text


def test_countdown_of_a_done_milestone():
    assert countdown_text(d("2023-09-01"), d("2023-09-05"), done=True) == "已完成"
    assert countdown_text(d("2023-09-01"), d("2023-09-05"), done=True, label="答复") == "答复已完成"


def test_countdown_without_a_due_date():
    assert countdown_text(None, d("2023-09-01")) == "—"


def test_a_working_day_milestone_counts_down_in_working_days_across_national_day():
    disclosure = Milestone("disclosure", "公开", d("2023-10-24"), working_days=True)
    # from 09-28: 10-07 … 10-24 is 14 working days
    assert milestone_countdown(disclosure, d("2023-09-28")) == "还剩14个工作日"


def test_a_working_day_milestone_overdue_by_working_days():
    disclosure = Milestone("disclosure", "公开", d("2023-09-28"), working_days=True)
    assert milestone_countdown(disclosure, d("2023-10-09")) == "逾期3个工作日"


def test_a_working_day_milestone_due_on_friday_is_overdue_on_saturday():
    """Over the weekend no working day has passed yet, but the deadline has."""
    disclosure = Milestone("disclosure", "公开", d("2023-09-01"), working_days=True)
    assert milestone_countdown(disclosure, d("2023-09-02")) == "逾期1个工作日"
    assert milestone_countdown(disclosure, d("2023-09-04")) == "逾期1个工作日"
    assert milestone_countdown(disclosure, d("2023-09-05")) == "逾期2个工作日"


def test_a_calendar_day_milestone_counts_down_in_days():
    reply = Milestone("reply", "答复", d("2023-09-11"))
    assert milestone_countdown(reply, d("2023-09-01")) == "还剩10天"


def test_a_done_milestone_shows_how_it_was_done():
    late = Milestone("reply", "答复", d("2023-09-01"), d("2023-09-03"))
    assert milestone_countdown(late, d("2023-09-10")) == "答复逾期完成"


# ------------------------------------------------------------------ session rules


def test_overrides_replace_only_the_rules_they_name():
    rules = RuleSet.from_overrides({"reply_months": 2, "sign_days": "5"})
    assert (rules.reply_months, rules.sign_days) == (2, 5)
    assert rules.opinion_months == DEFAULT_RULES.opinion_months


def test_unknown_override_keys_are_ignored():
    assert RuleSet.from_overrides({"no_such_rule": 3}) == DEFAULT_RULES


def test_no_overrides_give_the_defaults():
    assert RuleSet.from_overrides(None) == DEFAULT_RULES
    assert DEFAULT_RULES.as_dict()["reply_months"] == 3


def test_a_sessions_rules_set_its_cases_due_dates():
    rules = RuleSet.from_overrides({"reply_months": 2, "opinion_months": 2, "evaluation_working_days": 10})
    assert due_of(a_case(), "reply", rules=rules) == d("2023-08-01")
    assert due_of(a_case(role="汇办"), "opinion", rules=rules) == d("2023-08-01")
    assert due_of(a_case(replied_on=d("2023-09-20")), "evaluation", rules=rules) == d("2023-10-10")


def test_a_session_stored_with_its_own_rules_counts_its_cases_by_them(ledger, today):
    strict = session("市政协七届三次会议", body="政协", rules={"sign_days": 5})
    case_id = new_case("0001", session_row=strict)
    assert rules_for(strict.id).sign_days == 5
    assert case(case_id).next_due == d("2023-06-06")


def test_a_session_without_rules_uses_the_defaults(ledger):
    plain = session()
    assert rules_for(plain.id) == DEFAULT_RULES
    assert rules_for(None) == DEFAULT_RULES
