"""One countdown unit per milestone everywhere (store.rules.due_countdown).

A milestone whose rule counts working days (评价, 再次评价, 公开) counts down in 工作日 on the
ledger, the card, the weekly checklist, the weekly report, the urge notice and the export; a
milestone counted in calendar days (签收, 答复 …) says 天 in all of them. The expected numbers
are counted here by hand: weekdays (the span holds no holiday and no office calendar entry,
checked with plain SQL) and calendar days.
"""

from __future__ import annotations

import datetime as dt

from store.io.export import ledger_export_rows
from store.io.notice import urge_notice
from store.io.weekly_report import to_markdown, weekly_report
from store.queries import case_card, ledger_rows
from store.rules import counts_working_days, due_countdown
from store.weekly import checklist, week_of

from store_helpers import OPERATOR, assigned_case, d, office_date, replied_case
from store_helpers import run_sql

TODAY = d("2023-09-19")  # a Tuesday
EVALUATION_DUE = d("2023-09-15")  # 20 working days after the reply of Sunday 2023-08-20


def weekdays_between(start: dt.date, end: dt.date) -> int:
    """Mon–Fri days after `start` up to and including `end` (the independent count)."""
    return sum((start + dt.timedelta(days=n)).weekday() < 5 for n in range(1, (end - start).days + 1))


def stored_next(case_id: int) -> tuple[str, dt.date]:
    milestone, due = run_sql(
        'SELECT next_milestone, next_due FROM "case" WHERE id = ?', (case_id,)).fetchone()
    return milestone, dt.date.fromisoformat(str(due)[:10])


def test_a_working_day_milestone_counts_in_working_days_everywhere(ledger, today):
    replied = replied_case("20230489")
    office_date(TODAY)
    assert run_sql("SELECT COUNT(*) FROM calendar_day").fetchone()[0] == 0
    milestone, due = stored_next(replied)
    assert milestone in ("评价", "公开") and due == EVALUATION_DUE
    # The hand count: 20 weekdays after the reply land on the stored due date, and today is 2 past.
    assert weekdays_between(d("2023-08-20"), EVALUATION_DUE) == 20
    late = weekdays_between(EVALUATION_DUE, TODAY)
    assert late == 2 and (TODAY - EVALUATION_DUE).days == 4
    expected = f"逾期{late}个工作日"

    row = next(r for r in ledger_rows(today=TODAY) if r.case_id == replied)
    assert row.countdown == expected
    card = case_card(replied, today=TODAY)
    assert {m.countdown for m in card.milestones if m.key in ("evaluation", "disclosure")} == {expected}
    item = next(i for i in checklist(TODAY) if i.case_id == replied)
    # the proposer holds the form: past its date it is to be chased, counted in the same unit
    assert f"评价超过收回期限{late}个工作日，请催收" in item.reasons
    report = weekly_report(week_of(TODAY), today=TODAY)
    assert {risk.countdown for risk in report.at_risk if risk.number == "20230489"} == {expected}
    markdown = to_markdown(report)
    assert expected in markdown and "逾期4天" not in markdown
    division_id = run_sql('SELECT division_id FROM "case" WHERE id = ?', (replied,)).fetchone()[0]
    notice = urge_notice(division_id, [replied], operator=OPERATOR, today=TODAY)
    assert notice.cases[0].countdown == "已" + expected and "已" + expected in notice.text
    assert "逾期4天" not in notice.text
    export = next(r for r in ledger_export_rows(today=TODAY) if r.number == "20230489")
    assert export.countdown == expected


def test_a_calendar_day_milestone_says_days_everywhere(ledger, today):
    open_case = assigned_case("20230490")  # 答复 due 2023-09-01: three months after 交办
    office_date(TODAY)
    milestone, due = stored_next(open_case)
    assert milestone == "答复"
    expected = f"逾期{(TODAY - due).days}天"
    assert expected == "逾期18天"

    assert next(r for r in ledger_rows(today=TODAY) if r.case_id == open_case).countdown == expected
    card = case_card(open_case, today=TODAY)
    assert next(m for m in card.milestones if m.key == "reply").countdown == expected
    assert "答复已" + expected in next(i for i in checklist(TODAY) if i.case_id == open_case).reasons
    report = weekly_report(week_of(TODAY), today=TODAY)
    assert {risk.countdown for risk in report.at_risk if risk.milestone == "答复"} == {expected}
    division_id = run_sql('SELECT division_id FROM "case" WHERE id = ?', (open_case,)).fetchone()[0]
    notice = urge_notice(division_id, [open_case], operator=OPERATOR, today=TODAY)
    assert notice.cases[0].countdown == "已" + expected
    assert next(r for r in ledger_export_rows(today=TODAY) if r.number == "20230490").countdown == expected


def test_the_weekly_report_of_an_empty_ledger_has_no_countdown(ledger, today):
    report = weekly_report(week_of(today), today=today)
    assert report.at_risk == ()
    assert "工作日" not in to_markdown(report)


def test_due_countdown_speaks_the_unit_of_its_milestone():
    friday, tuesday = d("2023-09-15"), d("2023-09-19")
    assert due_countdown(friday, tuesday, working_days=True) == "逾期2个工作日"
    assert due_countdown(friday, tuesday, working_days=False) == "逾期4天"
    assert due_countdown(tuesday, friday, working_days=True) == "还剩2个工作日"
    assert due_countdown(tuesday, tuesday, working_days=True) == "今日到期"
    assert due_countdown(None, tuesday, working_days=True) == "—"
    assert all(counts_working_days(name) for name in ("evaluation", "reevaluation", "disclosure", "评价", "再次评价", "公开"))
    assert not any(counts_working_days(name) for name in ("sign", "reply", "答复", "签收", "汇办意见", "回头看"))
