"""催办 of several cases in one step (the division board's `u`): one transaction, one urge
event a case at its own next level, and a refusal naming every case that cannot be urged."""

from __future__ import annotations

from store import actions
from store.models import Case, Event

from store_helpers import (
    OPERATOR,
    assigned_case,
    case,
    d,
    division,
    events,
    new_case,
    office_date,
    refused,
    replied_case,
    signed_case,
)


def urges(case_id) -> list[Event]:
    return [e for e in events(case_id) if e.kind == "催办"]


def test_each_case_gets_one_urge_at_its_own_next_level(ledger, today):
    first, second = assigned_case("0001"), assigned_case("0002")
    actions.urge_division(second, OPERATOR)  # second is already at 一次催办
    versions = {case_id: case(case_id).version for case_id in (first, second)}
    count = Event.select().count()

    recorded = actions.urge_cases([first, second], OPERATOR, note="请加快办理")

    assert Event.select().count() == count + 2
    assert [r.case_id for r in recorded] == [first, second]
    assert [(e.level, e.note, e.operator) for e in urges(first)] == [(1, "请加快办理", OPERATOR)]
    assert [e.level for e in urges(second)] == [1, 2]
    for r in recorded:
        assert case(r.case_id).version == versions[r.case_id] + 1 == r.version
        assert Event.get_by_id(r.event_id).version == r.version
    assert "一次催办" in recorded[0].message and "二次催办" in recorded[1].message
    assert (case(second).urge_count, case(second).urge_level) == (2, 2)


def test_the_default_respond_by_is_three_working_days(ledger, today):
    first, second = assigned_case("0001"), assigned_case("0002")
    office_date("2023-09-28")  # 10-07 and 10-08 are working days (调休)
    actions.urge_cases([first, second], OPERATOR)
    for case_id in (first, second):
        (urge,) = urges(case_id)
        assert (urge.respond_by, urge.next_followup_on, urge.target_division_id) == (
            d("2023-10-09"), d("2023-10-09"), division().id)
        assert case(case_id).next_followup_on == d("2023-10-09")


def test_a_given_respond_by_is_kept_for_every_case(ledger, today):
    ids = [assigned_case("0001"), assigned_case("0002")]
    actions.urge_cases(ids, OPERATOR, respond_by="2023-09-05")
    assert [urges(case_id)[0].respond_by for case_id in ids] == [d("2023-09-05")] * 2


def test_a_case_listed_twice_is_urged_once(ledger, today):
    case_id = assigned_case()
    assert len(actions.urge_cases([case_id, case_id], OPERATOR)) == 1
    assert len(urges(case_id)) == 1


def test_the_divisions_own_cases_can_be_urged_in_its_name(ledger, today):
    ids = [assigned_case("0001"), assigned_case("0002")]
    actions.urge_cases(ids, OPERATOR, division=division())
    assert all(urges(case_id)[0].target_division_id == division().id for case_id in ids)


def test_closed_and_unassigned_cases_are_named_and_nothing_is_urged(ledger, today):
    fine = assigned_case("0001")
    closed = replied_case("0002")
    actions.close(closed, OPERATOR)
    unassigned = signed_case("0003")
    error = refused(actions.urge_cases, [fine, closed, unassigned], OPERATOR, word="本次未催办任何件")
    assert "第0002号已办结，无需催办" in str(error)
    assert "第0003号尚未分派处室，请先分派再催办" in str(error)
    assert "第0001号" not in str(error)


def test_a_case_waiting_for_its_adjustment_is_refused(ledger, today):
    case_id = new_case()
    actions.request_adjustment(case_id, OPERATOR, reason="不属我局职责", on=d("2023-06-05"))
    refused(actions.urge_cases, [case_id], OPERATOR, word="第20230489号已申请调整，正等待交办机关答复")


def test_a_case_given_to_another_division_meanwhile_is_refused(ledger, today):
    ours = assigned_case("0001")
    moved = assigned_case("0002")
    actions.assign(moved, OPERATOR, division=division("政策法规处"))
    refused(actions.urge_cases, [ours, moved], OPERATOR, division=division(),
            word="第0002号已不由数据资源处承办，请刷新后再催办")


def test_urging_nothing_is_refused(ledger, today):
    assigned_case()
    refused(actions.urge_cases, [], OPERATOR, word="没有选中要催办的件")


def test_an_unknown_case_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.urge_cases, [case_id, 999], OPERATOR, word="找不到")


def test_a_past_respond_by_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.urge_cases, [case_id], OPERATOR, respond_by=d("2023-08-31"), word="已经过去")


def test_an_empty_operator_is_refused(ledger, today):
    case_id = assigned_case()
    refused(actions.urge_cases, [case_id], " ", word="操作人")


def test_each_urge_of_the_step_can_be_undone_on_its_own(ledger, today):
    ids = [assigned_case("0001"), assigned_case("0002")]
    recorded = actions.urge_cases(ids, OPERATOR)
    actions.undo(recorded[0].event_id, OPERATOR)
    assert [Case.get_by_id(case_id).urge_count for case_id in ids] == [0, 1]


def test_a_closed_case_is_refused_in_the_same_sentence_alone_in_a_step_and_in_the_dialogs_defaults(ledger, today):
    from store import queries, steps

    closed = replied_case("0002")
    actions.close(closed, OPERATOR)
    sentence = steps.refusal(case(closed), "urge")
    assert sentence == "第0002号已办结，无需催办。"
    refused(actions.urge_division, closed, OPERATOR, word=sentence)
    refused(actions.urge_cases, [closed], OPERATOR, word=sentence.rstrip("。"))
    proposal = queries.urge_proposal(closed)
    assert proposal.refused == sentence
    assert "无未完成期限" in proposal.deadline  # the default note is never offered: refused first


def test_an_urgeable_case_has_no_refusal_in_its_defaults(ledger, today):
    from store import queries

    assert queries.urge_proposal(assigned_case("0001")).refused is None
    assert "尚未分派处室" in queries.urge_proposal(signed_case("0003")).refused
