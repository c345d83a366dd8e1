"""A follow-up keeps the planned next date unless it is changed or cleared (issue 10)."""

from __future__ import annotations

from store import actions, queries

from store_helpers import OPERATOR, assigned_case, d, office_date
from store_helpers import run_sql


def planned(case_id):

    return run_sql('select next_followup_on from "case" where id = ?', (case_id,)).fetchone()[0]


def test_a_follow_up_without_a_next_date_keeps_the_plan(ledger, today):
    case_id = assigned_case("0001")
    actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=d("2023-09-15"))
    actions.log_follow_up(case_id, OPERATOR, kind="询办", note="问进度")
    assert str(planned(case_id)) == "2023-09-15"
    assert queries.planned_follow_up(case_id) == d("2023-09-15")


def test_an_empty_or_none_next_date_clears_the_plan(ledger, today):
    case_id = assigned_case("0001")
    for cleared in ("", None):
        actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=d("2023-09-15"))
        actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=cleared)
        assert planned(case_id) is None
        assert queries.planned_follow_up(case_id) is None


def test_a_new_next_date_replaces_the_plan(ledger, today):
    case_id = assigned_case("0001")
    actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=d("2023-09-15"))
    actions.log_follow_up(case_id, OPERATOR, kind="沟通", method="电话", stage="办前", next_followup_on=d("2023-09-20"))
    assert str(planned(case_id)) == "2023-09-20"


def test_a_plan_already_past_is_done_by_the_follow_up(ledger, today):
    case_id = assigned_case("0001")
    actions.log_follow_up(case_id, OPERATOR, kind="查办", next_followup_on=d("2023-09-05"))
    office_date("2023-09-08")
    assert queries.planned_follow_up(case_id) is None
    actions.log_follow_up(case_id, OPERATOR, kind="查办")
    assert planned(case_id) is None


def test_no_plan_on_an_empty_ledger_or_an_unknown_case(ledger, today):
    assert queries.planned_follow_up(12345) is None
