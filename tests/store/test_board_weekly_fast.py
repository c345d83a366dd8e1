"""The division board and the weekly checklist read at 100,000 cases (issue 14) give exactly what the
code before it gave: compared with verbatim copies of that code (board_oracle.py, weekly_oracle.py)
on the fixtures, on a synthetic ledger, on ledgers altered to hold the awkward cases, on an empty
ledger and for several office dates; with a few figures counted again in plain SQL."""

from __future__ import annotations

import datetime as dt

import pytest

import board_oracle
import fixtures
import weekly_oracle
from store import actions, clock, weekly
from store.models import Case, Event, Session, WeeklyReview
from store.queries import division_board
from store.session_rules import set_session_rules

from store_helpers import OPERATOR, run_sql

LIVE_TODAY = dt.date(2026, 11, 27)
OFFSETS = (-60, -8, -1, 0, 1, 3, 7, 8, 30, 120)  # office dates around the fixture's own


def same_everywhere(today: dt.date) -> None:
    """Board (all sessions and each one), checklist, review items and single items: new == old."""
    for offset in OFFSETS:
        day = today + dt.timedelta(days=offset)
        assert division_board(today=day) == board_oracle.division_board(today=day), day
        for (session_id,) in Session.select(Session.id).tuples():
            assert (division_board(today=day, session_id=session_id)
                    == board_oracle.division_board(today=day, session_id=session_id)), (day, session_id)
        listed = weekly.checklist(day)
        assert listed == weekly_oracle.checklist(day), day
        every = [case_id for (case_id,) in Case.select(Case.id).order_by(Case.id).tuples()]
        assert by_case(weekly._items(day, every)) == by_case(weekly_oracle._items(day, every)), day
        for case_id in every[:: max(1, len(every) // 25)]:
            assert [weekly.review_item(case_id, day)] == weekly_oracle._items(day, [case_id])


def by_case(items) -> dict:
    return {item.case_id: item for item in items}


def in_order(items, ids) -> list:
    """Items in the order of the review's list, as `open_review` gave them."""
    found = by_case(items)
    return [found[case_id] for case_id in ids if case_id in found]


def open_counts(today: dt.date) -> None:
    """The board's open cases and overdue-by-date, counted again in plain SQL."""
    board = {line.division_id: line for line in division_board(today=today)}
    rows = run_sql('SELECT division_id, COUNT(*) FROM "case" WHERE status NOT IN (\'已办结\', \'已反馈\') '
                   "GROUP BY division_id").fetchall()
    assert {division_id: count for division_id, count in rows} == {
        division_id: line.open_cases for division_id, line in board.items() if line.open_cases}


@pytest.fixture
def live(ledger):
    clock.fix_today(LIVE_TODAY)
    fixtures.seed("live", today=LIVE_TODAY)
    yield LIVE_TODAY
    clock.fix_today(None)


@pytest.fixture
def synthetic(ledger):
    clock.fix_today(LIVE_TODAY)
    fixtures.seed("synthetic", cases=1500, today=LIVE_TODAY)
    yield LIVE_TODAY
    clock.fix_today(None)


def test_an_empty_ledger(ledger):
    day = dt.date(2026, 12, 2)
    assert division_board(today=day) == board_oracle.division_board(today=day) == []
    assert weekly.checklist(day) == weekly_oracle.checklist(day) == []
    review = weekly.open_review(weekly.week_of(day), OPERATOR, today=day, items=False)
    assert (review.total, review.done, review.case_ids, review.first_unchecked()) == (0, 0, (), None)
    assert weekly.review_item(1, day) is None


def test_the_live_fixture(live):
    same_everywhere(live)
    open_counts(live)


def test_the_sz2023_fixture(ledger):
    fixtures.seed("sz2023")
    same_everywhere(dt.date(2023, 9, 1))
    open_counts(dt.date(2023, 9, 1))


def test_a_synthetic_ledger(synthetic):
    same_everywhere(synthetic)
    open_counts(synthetic)
    assert len(weekly.checklist(synthetic)) > 100  # the comparison covered many reasons


def _open(where: str) -> list[int]:
    return [case_id for (case_id,) in run_sql(
        f'SELECT id FROM "case" WHERE status NOT IN (\'已办结\', \'已反馈\') AND {where} ORDER BY id').fetchall()]


def test_a_synthetic_ledger_altered_to_hold_the_awkward_cases(synthetic):
    today = synthetic
    replied = _open("replied_on IS NOT NULL AND evaluated_on IS NULL AND role != '汇办'")
    plain = _open("replied_on IS NULL AND division_id IS NOT NULL AND role != '汇办'")
    assert len(replied) > 12 and len(plain) > 12
    # 不满意: re-handling under way; another replied again after it (再次评价 open)
    for case_id in replied[:3]:
        actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=today)
    # urges unanswered past their respond-by date, one of them undone, one answered
    urged = [actions.urge_division(case_id, OPERATOR) for case_id in plain[:6]]
    actions.undo(urged[0].event_id, OPERATOR, reason="误催")
    actions.log_follow_up(plain[1], OPERATOR, kind="查办")
    # contact with the proposer on a replied case (no longer 已答复未沟通), a case closed, one followed up
    actions.log_follow_up(replied[5], OPERATOR, kind="沟通", method="电话", stage="办后")
    actions.close(replied[6], OPERATOR)
    actions.log_follow_up(plain[7], OPERATOR, kind="查办")
    # the rules: one session stale after 3 days and rolling its deadlines to working days
    sessions = [session_id for (session_id,) in Session.select(Session.id).order_by(Session.id).tuples()]
    set_session_rules(OPERATOR, sessions[0], {"stale_days": 3})
    set_session_rules(OPERATOR, sessions[-1], {"roll_to_working_day": True, "stale_days": 12})
    same_everywhere(today)
    open_counts(today)


def test_a_review_read_as_ids_is_the_review_read_whole(synthetic):
    today = synthetic
    week = weekly.week_of(today)
    whole = weekly.open_review(week, OPERATOR, today=today)
    ids = [int(case_id) for case_id in WeeklyReview.get(WeeklyReview.week == week).case_ids]
    assert [item.case_id for item in whole.items] == ids and whole.case_ids == tuple(ids)
    assert list(whole.items) == in_order(weekly_oracle._items(today, ids), ids)
    for case_id in ids[:4]:
        actions.mark_reviewed(case_id, OPERATOR, week)
    marks = [event for event in Event.select().where(Event.kind == "查办").order_by(Event.id)
             if (event.data or {}).get(weekly.REVIEW_KEY) == week]
    actions.undo(marks[1].id, OPERATOR, reason="检查有误")
    later = today + dt.timedelta(days=2)
    lean = weekly.open_review(week, OPERATOR, today=later, items=False)
    again = weekly.open_review(week, OPERATOR, today=later)
    assert lean.items == () and lean.case_ids == again.case_ids == tuple(ids)
    assert lean.checked == again.checked == {ids[0], ids[2], ids[3]}
    assert (lean.total, lean.done, lean.progress, lean.first_unchecked()) == (
        again.total, 3, f"3/{len(ids)} 已检查", 1)
    assert list(again.items) == in_order(weekly_oracle._items(later, ids), ids)
    # checked in plain SQL: the week's 查办 events not undone
    standing = run_sql("SELECT e.case_id, e.data FROM event e WHERE e.kind = '查办' AND NOT EXISTS "
                       "(SELECT 1 FROM event u WHERE u.undoes_id = e.id)").fetchall()
    assert {case_id for case_id, data in standing if f'"{week}"' in str(data)} == set(lean.checked)


def test_checked_cases_sees_every_new_mark_and_undo(synthetic):
    """The remembered check events (SQLite) follow each new event, on both engines the same."""
    today = synthetic
    week = weekly.week_of(today)
    ids = [item.case_id for item in weekly.open_review(week, OPERATOR, today=today).items][:5]
    assert weekly.checked_cases(week) == set()
    expected = set()
    for case_id in ids:
        actions.mark_reviewed(case_id, OPERATOR, week)
        expected.add(case_id)
        assert weekly.checked_cases(week) == expected
    mark = [event for event in Event.select().where(Event.case == ids[2], Event.kind == "查办")
            if (event.data or {}).get(weekly.REVIEW_KEY) == week][0]
    actions.undo(mark.id, OPERATOR)
    assert weekly.checked_cases(week) == expected - {ids[2]}
    assert weekly.checked_cases("2020-W01") == set()


def test_a_review_opened_again_keeps_its_list_and_a_ledger_put_in_its_place_has_its_own(tmp_path):
    """A started review's list is read once per ledger file (SQLite) and stands while its row does:
    the same list again, and another ledger copied over the same file (same inode, same week)
    gives that ledger's list, not the one remembered."""
    import json
    import shutil
    import sqlite3

    from store.db import close_database, open_database

    first, second = tmp_path / "ledger.db", tmp_path / "other.db"
    open_database(first)
    clock.fix_today(LIVE_TODAY)
    try:
        fixtures.seed("live", today=LIVE_TODAY)
        week = weekly.week_of(LIVE_TODAY)
        started = weekly.open_review(week, OPERATOR, today=LIVE_TODAY, items=False)
        (stored,) = run_sql("SELECT case_ids FROM weekly_review WHERE week = ?", [week]).fetchone()
        assert started.case_ids == tuple(json.loads(stored)) and len(started.case_ids) > 3
        again = weekly.open_review(week, OPERATOR, today=LIVE_TODAY, items=False)
        assert again.case_ids == started.case_ids and again.started_at == started.started_at
        close_database()
        shutil.copyfile(first, second)
        with sqlite3.connect(second) as raw:  # the other ledger: its own review of the week, another list
            raw.execute("UPDATE weekly_review SET case_ids = ?, started_at = ?, operator = ? WHERE week = ?",
                        [json.dumps(list(reversed(started.case_ids[1:]))), "2026-11-23 01:02:03.000004", "另一位", week])
        raw.close()
        inode = first.stat().st_ino
        shutil.copyfile(second, first)  # over the same file: the same path and inode
        assert first.stat().st_ino == inode
        open_database(first)
        other = weekly.open_review(week, OPERATOR, today=LIVE_TODAY, items=False)
        assert other.case_ids == tuple(reversed(started.case_ids[1:])) and other.operator == "另一位"
        assert other.total == len(started.case_ids) - 1
    finally:
        clock.fix_today(None)
        close_database()
