"""Evaluation history: the first 评价 kept through re-handling, undone and corrected with it; the
no-contact flag on the card and the weekly checklist; the desk's one rounding (四舍五入)."""

from __future__ import annotations

import pytest

from store_helpers import OPERATOR, case, d, replied_case, session

from store import actions, entry
from store.figures import as_of, percent, ratio_text
from store.models import Event
from store.queries import case_card
from store.statistics import session_statistics
from store.weekly import checklist
from store_helpers import run_sql


def first_of(case_id: int) -> tuple:
    row = run_sql('SELECT first_evaluation, first_evaluated_on FROM "case" WHERE id = ?',
                                   (case_id,)).fetchone()
    return row[0], row[1]


@pytest.mark.parametrize(("part", "whole", "said"), [
    (1, 16, "6.3%"), (5, 16, "31.3%"), (1, 2, "50%"), (1, 3, "33.3%"), (2, 3, "66.7%"), (0, 5, "0%"),
    (8, 8, "100%"), (1, 8, "12.5%"), (1, 40, "2.5%"), (0, 0, "—")])
def test_shares_round_half_up(part, whole, said):
    assert percent(part, whole) == said
    assert round(6.25, 1) == 6.2  # what the desk must not do


def test_ratio_and_day_texts():
    assert ratio_text(5, 8) == "62.5%（5/8）"
    assert as_of(d("2023-09-19")) == "截至2023年9月19日"


def test_the_first_evaluation_stays_through_rehandling_and_goes_with_its_undo(ledger, today):
    case_id = replied_case()
    first = actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    assert first_of(case_id) == ("不满意", "2023-08-25")
    actions.reply(case_id, OPERATOR, on=d("2023-08-28"), doc_no="深政数函〔2023〕90号", result_class="A")
    assert case(case_id).evaluation == "" and first_of(case_id) == ("不满意", "2023-08-25")
    second = actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=d("2023-08-30"))
    assert first_of(case_id) == ("不满意", "2023-08-25")
    stats = session_statistics(session().id)
    assert (stats.ever_dissatisfied, stats.after_rehandling, stats.by_evaluation["满意"]) == (1, {"满意": 1}, 1)
    assert (stats.rehandle_rounds, stats.rehandle_on_time) == (1, 1)  # due 09-25, replied 08-28
    actions.undo(second.event_id, OPERATOR, reason="录错")
    actions.undo(event_of(case_id, "答复", last=True), OPERATOR, reason="录错")
    actions.undo(first.event_id, OPERATOR, reason="录错")
    assert first_of(case_id) == ("", None)
    assert session_statistics(session().id).evaluations_received == 0


def event_of(case_id: int, kind: str, last: bool = False) -> int:
    order = Event.id.desc() if last else Event.id
    return Event.select().where((Event.case == case_id) & (Event.kind == kind)).order_by(order).first().id


def test_a_corrected_first_evaluation_moves_the_first_evaluation_with_it(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=d("2023-08-25"))
    entry.correct_evaluation(OPERATOR, case_id, reason="看错", evaluation="基本满意", on="2023-08-26",
                             expected_version=case(case_id).version)
    assert first_of(case_id) == ("基本满意", "2023-08-26")
    stats = session_statistics(session().id)
    assert stats.first_by_evaluation["基本满意"] == stats.by_evaluation["基本满意"] == 1


def test_a_corrected_second_evaluation_leaves_the_first_alone(ledger, today):
    case_id = replied_case()
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    actions.reply(case_id, OPERATOR, on=d("2023-08-28"), doc_no="深政数函〔2023〕90号", result_class="A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=d("2023-08-30"))
    entry.correct_evaluation(OPERATOR, case_id, reason="看错", evaluation="基本满意",
                             expected_version=case(case_id).version)
    assert first_of(case_id) == ("不满意", "2023-08-25")
    assert session_statistics(session().id).after_rehandling == {"基本满意": 1}


def test_a_reply_with_no_contact_is_flagged_on_the_card_the_checklist_and_the_figures(ledger, today):
    case_id = replied_case()
    assert case_card(case_id).replied_without_contact
    assert any("已答复未沟通" in item.reasons for item in checklist(today) if item.case_id == case_id)
    assert session_statistics(session().id).replied_without_contact == 1
    actions.log_follow_up(case_id, OPERATOR, kind="沟通", method="电话", stage="办后", on=d("2023-08-25"))
    assert not case_card(case_id).replied_without_contact
    assert not any("已答复未沟通" in item.reasons for item in checklist(today) if item.case_id == case_id)
    assert session_statistics(session().id).replied_without_contact == 0


def test_synthetic_ledgers_without_events_for_every_step_get_their_figures(ledger):
    """The synthetic fixture writes case fields in bulk; the history falls back on them without
    failing (a re-reply followed by an evaluation once raised IndexError), and the counts agree."""
    import fixtures
    from store.io.summary import summary_paragraph
    from store.queries import sessions

    fixtures.seed("synthetic", cases=400)
    for info in sessions():
        stats = session_statistics(info.id)
        assert "我局共接收办理" in summary_paragraph(stats)
        received = run_sql('SELECT COUNT(*) FROM "case" WHERE session_id = ?',
                                            (info.id,)).fetchone()[0]
        assert stats.received == received
