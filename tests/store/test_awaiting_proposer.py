"""An evaluation form not back is the proposer's, not the bureau's: 待评价, never 逾期.

The statistics have long said so (办理环节已逾期 counts no awaited evaluation); the ledger's
summary bar, the 是否逾期 of a row and the division board now agree with them, so that a
division is never counted late, nor urged, for a form the proposer holds. A case whose own
step (公开, say) is also past due stays 逾期.
"""

from __future__ import annotations

from store import actions
from store.queries import division_board, ledger_rows
from store.snapshot import LedgerSnapshot
from store.io.export import ledger_export_rows  # the module that re-exports the XLSX rows
from store.io.weekly_report import weekly_report
from store.statistics import session_statistics
from store.weekly import checklist, week_of

from store_helpers import OPERATOR, d, replied_case, session
from store_helpers import run_sql

FAST = {"evaluation_working_days": 5, "disclosure_working_days": 5}  # both due 2023-08-25 after an 08-18 reply


def sql(query: str, *params):
    return run_sql(query, params).fetchall()


def test_a_form_not_back_is_awaited_and_a_late_step_of_the_bureau_is_overdue(ledger, today):
    quick = session(rules=FAST)
    waiting = replied_case("20230489", session_row=quick, replied_on=d("2023-08-18"))
    actions.record_disclosure(waiting, OPERATOR, decision="公开", on=d("2023-08-21"))
    late = replied_case("20230490", session_row=quick, replied_on=d("2023-08-18"))  # 公开 not decided either
    on_time = replied_case("20230491", session_row=quick, replied_on=d("2023-08-31"))  # not due yet
    # independently: what the ledger holds for each
    held = dict((row[0], row[1:]) for row in sql('SELECT id, next_milestone, next_due, disclosed_on FROM "case"'))
    assert held[waiting][0] == "评价" and str(held[waiting][1])[:10] < today.isoformat()
    assert held[late][2] is None and str(held[late][1])[:10] < today.isoformat()

    rows = {row.case_id: row for row in ledger_rows(today=today)}
    assert (rows[waiting].overdue, rows[waiting].awaiting_proposer) == (False, True)
    assert (rows[late].overdue, rows[late].awaiting_proposer) == (True, False)
    assert rows[on_time].overdue is False

    bar = LedgerSnapshot(rows.values(), today).summary(rows.values())
    assert bar.overdue == 1 and bar.awaiting_evaluation >= 1

    (line,) = [load for load in division_board(today=today) if load.division == "数据资源处"]
    assert (line.open_cases, line.overdue) == (3, 1)
    assert line.to_urge == (late,)  # the division is urged for its own late step only

    stats = session_statistics(quick.id, today=today)
    assert stats.overdue_open == 1  # the statistics said so already: every view agrees

    report = weekly_report(week_of(today), today=today)
    assert report.overdue_now == 1 and [line.overdue for line in report.divisions] == [1]
    exported = {row.number: row for row in ledger_export_rows(today=today)}
    assert (exported["20230489"].state_words, exported["20230490"].state_words) == ("待评价（征询意见表待收回）", "已逾期")
    reasons = {item.case_id: item.reasons for item in checklist(today)}
    assert not any("评价已逾期" in reason for reason in reasons[waiting])
    assert any(reason.startswith("评价超过收回期限") and reason.endswith("请催收") for reason in reasons[waiting])


def test_on_an_empty_ledger_nothing_is_overdue(ledger, today):
    assert ledger_rows(today=today) == []
    assert all(load.overdue == 0 for load in division_board(today=today))
