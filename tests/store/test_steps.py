"""The rules of the road in one place (store/steps.py): for every status × role × step, the
store's answer (`steps_for`, and the card's `steps`), the action's refusal and nothing else
agree; and 延期 only before the current deadline with its approval, or recorded late.
"""

from __future__ import annotations

import datetime as dt

import pytest

from step_cases import STATES, TODAY, attempt, build_cases
from store import actions, clock, queries
from store.db import database
from store.errors import LedgerError
from store.models import Case, Event
from store.steps import STEP_NAMES, case_extension_terms, extension_terms, require, steps_for

from store_helpers import OPERATOR, assigned_case, d, new_case, office_date, refused, snapshot
from store_helpers import run_sql


@pytest.fixture
def walk(ledger):
    clock.fix_today(TODAY)
    yield build_cases()
    clock.fix_today(None)


def test_every_status_and_role_is_walked(walk):
    statuses = {Case.get_by_id(case_id).status for case_id in walk.values()}
    assert statuses == {"待签收", "申请调整", "办理中", "已答复", "重新办理", "已反馈", "已办结"}
    assert {role for _, role in walk} == {"主办", "承办", "分办", "汇办"}
    assert len(walk) == sum(len(roles) for _, _, roles, _ in STATES)


def test_the_stores_answer_is_what_every_action_does(walk):
    """Each try starts from the same state (rolled back): a possible step is taken, an impossible
    one refused with exactly the store's sentence — and the ledger is left as it was."""
    disagreements = []
    possible = refused_count = 0
    for (name, role), case_id in walk.items():
        answer = steps_for(Case.get_by_id(case_id))
        assert set(answer) == set(STEP_NAMES)
        assert queries.case_card(case_id).steps == answer  # the card carries the same answer
        for step in STEP_NAMES:
            before = snapshot()
            outcome = attempt(database.obj, step, case_id)
            assert snapshot() == before, (name, role, step)
            if outcome != answer[step]:
                disagreements.append((name, role, step, answer[step], outcome))
            possible += answer[step] is None
            refused_count += answer[step] is not None
    assert disagreements == []
    assert possible > 50 and refused_count > 100  # the walk tries both sides of every rule


def test_require_raises_exactly_the_answer(walk):
    case = Case.get_by_id(walk[("待签收", "主办")])
    with pytest.raises(LedgerError) as info:
        require(case, "reply")
    assert info.value.message == steps_for(case)["reply"] == "第20230001号尚未签收，请先签收再答复。"
    require(case, "sign")  # possible: no error


@pytest.mark.parametrize(
    ("state", "role", "step", "sentence"),
    [
        ("待签收", "主办", "assign", "第{n}号尚未签收，请先签收再分派。"),
        ("申请调整", "主办", "reply", "第{n}号已申请调整，正等待交办机关答复，暂不能答复；交办机关不同意调整的，请先签收再答复。"),
        ("办理中（未分派）", "承办", "urge", "第{n}号尚未分派处室，请先分派再催办。"),
        ("办理中", "主办", "opinion", "第{n}号是主办件，由本局答复代表，不报送汇办意见。"),
        ("办理中", "汇办", "reply", "第{n}号是汇办件，由主办单位答复代表；本局报送汇办意见即可。"),
        ("重新办理", "分办", "evaluate", "第{n}号正在重新办理，请先记录重新答复，再登记评价。"),
        ("已答复（回头看未完成）", "主办", "close", "第{n}号回头看尚未完成（下次回头看 2023-11-20），请先记录回头看或清除下次日期。"),
        ("已办结（同意调整转出）", "主办", "reply", "第{n}号已经交办机关同意调整并办结，无需答复。"),
        ("已办结（同意调整转出）", "汇办", "opinion", "第{n}号已经交办机关同意调整并办结，无需报送汇办意见。"),
        ("待签收", "汇办", "close", "第{n}号尚未报送汇办意见，不能办结：请先签收并报送汇办意见。"),
    ],
)
def test_the_sentences_say_why_and_what_comes_first(walk, state, role, step, sentence):
    case = Case.get_by_id(walk[(state, role)])
    assert steps_for(case)[step] == sentence.format(n=case.number)


def test_contact_and_follow_up_are_always_possible(walk):
    for case_id in walk.values():
        answer = steps_for(Case.get_by_id(case_id))
        assert answer["contact"] is None and answer["follow_up"] is None


def test_on_an_empty_ledger_there_is_no_card_and_no_terms(ledger, today):
    assert queries.case_card(1) is None
    assert case_extension_terms(1) is None
    assert run_sql('SELECT COUNT(*) FROM "case"').fetchone() == (0,)


# ------------------------------------------------------------------------------ 延期


def sql_extension(case_id: int):
    return run_sql('SELECT extended_due, extension_late FROM "case" WHERE id = ?',
                                    (case_id,)).fetchone()


def test_an_extension_needs_who_approved_it(ledger, today):
    case_id = assigned_case()
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-11-30"), reason="需会商", approval="  ",
            word="请填写批准情况")
    assert sql_extension(case_id) == (None, 0)


def test_an_extension_on_the_deadline_day_is_still_in_time(ledger, today):
    case_id = assigned_case()  # 交办 2023-06-01: due 2023-09-01, today
    assert not extension_terms(Case.get_by_id(case_id)).late
    actions.extend(case_id, OPERATOR, new_due=d("2023-11-30"), reason="需会商", approval="市人大常委会同意")
    assert sql_extension(case_id) == ("2023-11-30", 0)
    event = Event.select().where(Event.case == case_id).order_by(Event.id.desc()).first()
    assert "late" not in event.data and event.data["approval"] == "市人大常委会同意"


def reproduction() -> int:
    """The issue's case: 交办 2023-03-10 (due 06-10), signed 03-15; today 07-01."""
    case_id = new_case(assigned_on=d("2023-03-10"))
    actions.sign_for(case_id, OPERATOR, on=d("2023-03-15"))
    office_date("2023-07-01")
    return case_id


def test_an_extension_after_the_deadline_is_refused_with_the_reason(ledger, today):
    case_id = reproduction()
    error = refused(actions.extend, case_id, OPERATOR, new_due=d("2023-08-31"), reason="需会商",
                    approval="经交办机关同意", word="答复期限（2023-06-10）已过")
    assert str(error) == extension_terms(Case.get_by_id(case_id)).late_sentence
    assert "期限届满前申请" in str(error) and "补办" in str(error)
    assert sql_extension(case_id) == (None, 0)


def test_a_late_extension_needs_its_own_reason(ledger, today):
    case_id = reproduction()
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-08-31"), reason="需会商", approval="经交办机关同意",
            late=True, late_reason=" ", word="请填写逾期后补办延期的理由")


def test_a_late_extension_is_recorded_as_late_and_undone_whole(ledger, today):
    case_id = reproduction()
    recorded = actions.extend(case_id, OPERATOR, new_due=d("2023-08-31"), reason="需会商", approval="经交办机关同意",
                              late=True, late_reason="交办机关批复迟到")
    assert "逾期后补办" in recorded.message
    assert sql_extension(case_id) == ("2023-08-31", 1)
    event = Event.get_by_id(recorded.event_id)
    assert event.data["late"] is True and event.data["late_reason"] == "交办机关批复迟到"
    assert event.data["after"] == {"extended_due": "2023-08-31", "extension_late": True}
    actions.undo(recorded.event_id, OPERATOR, reason="录错")
    assert sql_extension(case_id) == (None, 0)


def test_a_late_extension_while_the_deadline_has_not_passed_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.extend, case_id, OPERATOR, new_due=d("2023-11-30"), reason="需会商", approval="经交办机关同意",
            late=True, late_reason="补办", word="尚未届满")


def test_the_terms_follow_the_current_deadline(ledger, today):
    case_id = assigned_case()
    actions.extend(case_id, OPERATOR, new_due=d("2023-10-15"), reason="需会商", approval="经交办机关同意")
    terms = case_extension_terms(case_id, dt.date(2023, 10, 16))
    assert (terms.current_due, terms.limit, terms.late) == (d("2023-10-15"), d("2023-12-01"), True)
    assert not case_extension_terms(case_id, dt.date(2023, 10, 15)).late
