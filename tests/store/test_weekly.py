"""The weekly review (每周检查): the checklist on the `live` fixture, marking and progress, the
stored list of a week, and the weekly report's numbers on a small hand-built ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from playhouse.test_utils import count_queries

import fixtures
from store import actions, clock
from store.db import database
from store.errors import LedgerError
from store.io.weekly_report import to_markdown, weekly_report
from store.models import Case, Event, WeeklyReview
from store.weekly import checklist, open_review, parse_week, review_progress, week_days, week_of

from store_helpers import OPERATOR, d, division, new_case, office_date

LIVE_TODAY = dt.date(2026, 11, 27)  # a Friday of 2026-W48


@pytest.fixture
def live(ledger):
    clock.fix_today(LIVE_TODAY)
    fixtures.seed("live", today=LIVE_TODAY)
    yield {case.number: case for case in Case.select()}
    clock.fix_today(None)


def by_number(items):
    return {item.number: item for item in items}


def test_week_of_and_parse_week():
    assert week_of(d("2026-11-27")) == "2026-W48"
    assert week_of(d("2026-01-01")) == "2026-W01"
    assert week_of(d("2027-01-03")) == "2026-W53"
    assert parse_week("2026w48") == "2026-W48"
    assert week_days("2026-W48") == (d("2026-11-23"), d("2026-11-29"))
    for bad in ("2026-W54", "48", "", "2026-48"):
        with pytest.raises(LedgerError):
            parse_week(bad)


def test_live_checklist_lists_each_state_with_its_reason(live):
    items = checklist(LIVE_TODAY)
    found = by_number(items)
    assert len(found) == len(items)  # each case once
    assert found["20260852"].reasons == ("答复已逾期3天",)  # reply overdue
    assert found["20260149"].reasons == ("答复已逾期6天",)
    assert found["20260872"].reasons == ("汇办意见已逾期7天",)  # 汇办 opinion overdue
    assert "签收已逾期4天" in found["20260821"].reasons and "滞后" in found["20260821"].reasons
    assert found["20260142"].reasons == ("答复7日内到期",)  # due within 7 days
    assert found["20260866"].reasons == ("汇办意见7日内到期",)
    assert "待评价" in found["20260905"].reasons  # reply awaiting evaluation
    assert "重新办理中" in found["20260911"].reasons  # re-handling
    assert "回头看到期" in found["20260183"].reasons  # B promise due for 回头看
    assert found["20260838"].reasons == ("滞后",)  # stale
    # closed cases and those with nothing due are not on it
    assert not {"20260926", "20260189", "20260883"} & set(found)
    # most urgent first: the earliest open deadline leads
    dues = [item.next_due for item in items if item.next_due is not None]
    assert dues == sorted(dues)
    assert items[0].number == "20260183"


def test_live_checklist_names_urges_unanswered_past_their_date(live):
    later = LIVE_TODAY + dt.timedelta(days=3)
    found = by_number(checklist(later))
    unanswered = {number for number, item in found.items() if "催办逾期未复" in item.reasons}
    assert unanswered and "20260142" in unanswered


def test_checklist_reads_a_fixed_number_of_queries(live):
    with count_queries() as counted:
        checklist(LIVE_TODAY)
    first = counted.count
    actions.log_follow_up(live["20260852"].id, OPERATOR, kind="查办")
    with count_queries() as counted:
        checklist(LIVE_TODAY)
    assert counted.count == first <= 6


def test_disclosure_due_is_a_reason(ledger, today):
    office_date("2023-06-05")
    case_id = new_case("20230001", assigned_on=d("2023-06-01"))
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-02"))
    actions.assign(case_id, OPERATOR, division=division())
    office_date("2023-08-01")
    actions.reply(case_id, OPERATOR, on=d("2023-08-01"), doc_no="深政数函〔2023〕1号", result_class="A")
    found = by_number(checklist(d("2023-08-28")))
    assert "公开到期" in found["20230001"].reasons
    assert "待评价" in found["20230001"].reasons


def test_marking_reviewed_counts_progress_and_survives_a_new_list(live):
    week = week_of(LIVE_TODAY)
    review = open_review(week, OPERATOR)
    assert review.progress == f"0/{review.total} 已检查" and review.total == len(checklist(LIVE_TODAY))
    first = review.items[0].case_id
    recorded = actions.mark_reviewed(first, OPERATOR, week)
    event = Event.get_by_id(recorded.event_id)
    assert event.kind == "查办" and event.data["weekly_review"] == week
    assert review_progress(week) == ({first}, review.total)
    with pytest.raises(LedgerError, match="已经检查过"):
        actions.mark_reviewed(first, OPERATOR, week)
    # the week's list is kept: a case becoming due later in the week does not change it
    stored = WeeklyReview.get(WeeklyReview.week == week).case_ids
    resumed = open_review(week, "另一位")
    assert [item.case_id for item in resumed.items] == stored
    assert resumed.first_unchecked() == 1 and resumed.operator == OPERATOR
    # an undone check no longer counts, and the case may be checked again (once)
    actions.undo(recorded.event_id, OPERATOR)
    assert review_progress(week) == (set(), review.total)
    again = actions.mark_reviewed(first, OPERATOR, week)
    assert review_progress(week) == ({first}, review.total)
    with pytest.raises(LedgerError, match="已经检查过"):
        actions.mark_reviewed(first, OPERATOR, week)
    # the same case in another week is another check
    actions.mark_reviewed(first, OPERATOR, "2000-W01")
    assert database.obj.execute_sql(
        "SELECT COUNT(*) FROM event WHERE kind = '查办' AND case_id = %s AND id >= %s" % (first, again.event_id)
    ).fetchone()[0] == 2


def test_a_ledger_made_before_the_review_gets_its_table(tmp_path):
    """每周检查 came during schema 1: a version-1 ledger without its table gets it from the
    migration (a current ledger without it is refused as incomplete: tests/store/test_ledger_file.py)."""
    import shutil
    import sqlite3
    from pathlib import Path

    from store.db import close_database, open_database

    path = tmp_path / "v1.db"
    shutil.copyfile(Path(__file__).resolve().parent.parent / "ledgers" / "schema-v1.db", path)
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE weekly_review")
    raw.close()
    open_database(path)
    try:
        assert WeeklyReview.table_exists() and WeeklyReview.select().count() == 0
    finally:
        close_database()


def test_weekly_report_numbers(ledger, today):
    week = "2023-W35"  # 2023-08-28 … 2023-09-03; today is Friday 2023-09-01
    office_date("2023-06-01")
    data, service = division("数据资源处"), division("政务服务处")
    ids = []
    for number, where in (("20230001", data), ("20230002", data), ("20230003", service)):
        case_id = new_case(number, assigned_on=d("2023-06-01"))
        actions.sign_for(case_id, OPERATOR, on=d("2023-06-01"))
        actions.assign(case_id, OPERATOR, division=where)
        ids.append(case_id)
    office_date("2023-08-25")  # the week before: not counted
    actions.urge_division(ids[0], OPERATOR)
    office_date("2023-08-29")
    actions.urge_division(ids[0], OPERATOR)
    actions.urge_division(ids[2], OPERATOR)
    undone = actions.urge_division(ids[1], OPERATOR)
    actions.undo(undone.event_id, OPERATOR)
    actions.reply(ids[1], OPERATOR, on=d("2023-08-29"), doc_no="深政数函〔2023〕9号", result_class="A")
    office_date("2023-09-01")
    actions.mark_reviewed(ids[0], OPERATOR, week)
    actions.mark_reviewed(ids[2], OPERATOR, week)
    actions.log_follow_up(ids[2], OPERATOR, kind="查办")  # an ordinary check is not a weekly one
    report = weekly_report(week)
    assert (report.checked, report.urged, report.replied, report.closed) == (2, 2, 1, 0)
    table = {line.division: line for line in report.divisions}
    assert (table["数据资源处"].open_cases, table["数据资源处"].urged, table["数据资源处"].replied) == (2, 1, 1)
    assert (table["政务服务处"].open_cases, table["政务服务处"].urged, table["政务服务处"].replied) == (1, 1, 0)
    # reply due 2023-09-01 for the two unanswered: due today, at risk; the replied one's evaluation is not yet
    risky = {(item.number, item.milestone) for item in report.at_risk}
    assert ("20230001", "答复") in risky and ("20230003", "答复") in risky
    assert ("20230002", "答复") not in risky
    text = to_markdown(report)
    assert "- 催办：2次" in text and "- 每周检查：2件" in text and "| 数据资源处 | 2 |" in text
