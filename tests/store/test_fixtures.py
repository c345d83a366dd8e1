"""The demo and load fixtures: live shows every state, sz2023 has the seed's figures, synthetic is exact."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

import pytest

import fixtures
from store import clock
from store.db import close_database, open_database
from store.errors import LedgerError
from store.models import Case, Event, Proposer, Session
from store.queries import case_card, find_session, ledger_rows, load_calendar, rules_for, session_statistics
from store.rules import next_open


@pytest.fixture
def fixed_day():
    """Fix the office's date to a Monday (tests may fix another) and restore it afterwards."""
    day = dt.date(2024, 5, 20)
    clock.fix_today(day)
    yield day
    clock.fix_today(None)


# ----------------------------------------------------------------------------- live


def live_states(today: dt.date) -> dict[str, bool]:
    rows = ledger_rows(today=today)
    cards = [case_card(row.case_id, today=today) for row in rows]

    def reply_row(row, low, high):
        return row.status == "办理中" and row.next_milestone == "答复" and low <= row.days_left <= high

    return {
        "待签收（未超期）": any(r.status == "待签收" and r.next_milestone == "签收" and r.days_left >= 0 for r in rows),
        "签收超期": any(r.status == "待签收" and r.next_milestone == "签收" and r.days_left < 0 for r in rows),
        "申请调整": any(r.status == "申请调整" for r in rows),
        "办理中": any(reply_row(r, 8, 10_000) for r in rows),
        "7天内到期": any(reply_row(r, 0, 7) for r in rows),
        "答复超期": any(reply_row(r, -10_000, -1) for r in rows),
        "延期": any(c.extended_due is not None and c.replied_on is None for c in cards),
        "汇办意见待报": any(r.role == "汇办" and r.next_milestone == "汇办意见" and r.days_left >= 0 for r in rows),
        "汇办意见超期": any(r.role == "汇办" and r.next_milestone == "汇办意见" and r.days_left < 0 for r in rows),
        "汇办已反馈": any(r.role == "汇办" and r.status == "已反馈" for r in rows),
        "待评价": any(r.status == "已答复" and r.next_milestone == "评价" for r in rows),
        "不满意重新办理": any(c.status == "重新办理" and c.evaluation == "不满意" for c in cards),
        "再次评价": any(r.next_milestone == "再次评价" for r in rows),
        "B类回头看": any(c.result_class == "B" and c.review_due is not None and c.status == "已答复"
                      and c.evaluation for c in cards),
        "已办结": any(r.status == "已办结" for r in rows),
    }


def test_live_shows_every_state(ledger, fixed_day):
    account = fixtures.seed("live")
    assert account.startswith("已写入示例数据 live：2个届次、40件、")
    assert clock.today() == fixed_day and clock.is_today_fixed()  # the fixed day is restored
    states = live_states(fixed_day)
    assert [name for name, shown in states.items() if not shown] == []
    assert Session.select().count() == 2
    assert {s.body for s in Session.select()} == {"人大", "政协"}
    check_live_history(fixed_day)
    with pytest.raises(LedgerError, match="不能重复写入"):
        fixtures.seed("live")
    assert Case.select().count() == 40


def check_live_history(today: dt.date) -> None:
    """A believable history: contacts, checks and urges, in order, at office hours, nothing ahead of today."""
    events = list(Event.select())
    assert 250 <= len(events) <= 450
    per_case = Counter(e.case_id for e in events)
    assert len(per_case) == Case.select().count() == 40
    assert all(event.on_date <= today for event in events)
    # Recorded at office hours on the business day itself, in order within each case.
    for event in events:
        local = event.at.in_timezone(clock.OFFICE_TZ)
        assert local.date() == event.on_date and 9 <= local.hour < 17, (event.kind, local)
    by_case = defaultdict(list)
    for event in sorted(events, key=lambda e: e.id):
        by_case[event.case_id].append(event)
    for timeline in by_case.values():
        assert [e.version for e in timeline] == list(range(1, len(timeline) + 1))
        assert [e.at for e in timeline] == sorted(e.at for e in timeline)
        assert timeline[0].kind == "交办"
    kinds = Counter(e.kind for e in events)
    for kind in ("交办", "签收", "申请调整", "分派", "沟通", "查办", "询办", "备注", "催办", "汇办意见", "延期",
                 "答复", "评价", "公开", "办结"):
        assert kinds[kind], kind
    contacts = [e for e in events if e.kind == "沟通"]
    assert {e.stage for e in contacts} == {"办前", "办中", "办后"}
    assert {"电话", "上门拜访", "座谈面商"} <= {e.method for e in contacts}
    assert {e.level for e in events if e.kind == "催办"} == {1, 2, 3}
    assert {c.evaluation for c in Case.select()} >= {"满意", "基本满意", "不满意"}
    # Planned dates lie ahead of the day they were planned on.
    assert all(e.next_followup_on >= e.on_date for e in events if e.next_followup_on)
    # Most open cases were followed up within the week: the demo is not a neglected ledger.
    stale = [row for row in ledger_rows(today=today) if row.stale]
    assert 1 <= len(stale) <= 6
    # Everyone is made up; phones are in a fake-looking pattern.
    assert all(p.phone == "" or p.phone[3:7] == "0000" for p in Proposer.select())


@pytest.mark.parametrize("day", [
    dt.date(2024, 2, 19),  # the Monday after the Spring Festival break
    dt.date(2023, 10, 7),  # a Saturday that was a working day (调休)
    dt.date(2027, 3, 1),  # a year whose holiday notice the calendar does not know
])
def test_live_shows_every_state_around_holidays(ledger, day):
    fixtures.seed("live", today=day)  # the today argument, with no day fixed
    assert not clock.is_today_fixed()
    assert max(e.on_date for e in Event.select()) < day
    assert [name for name, shown in live_states(day).items() if not shown] == []


# --------------------------------------------------------------------------- sz2023


SEED_TITLES = {
    "20230489": "关于进一步提升非警务警情分流的建议",
    "20230738": "关于推进电子签名证书应用的建议",
    "20230692": "关于发挥数据要素作用优化数字营商环境的建议",
}


@pytest.mark.parametrize("fixed", [None, dt.date(2023, 9, 19), dt.date(2026, 1, 5)])
def test_sz2023_has_the_seed_figures(ledger, fixed):
    clock.fix_today(fixed)
    try:
        account = fixtures.seed("sz2023")
        assert clock.today() == (fixed or clock.today()) and clock.is_today_fixed() == (fixed is not None)
    finally:
        clock.fix_today(None)
    assert "20件" in account and "主办3件、承办2件、分办3件、汇办12件" in account
    session = find_session("市七届人大四次会议")
    stats = session_statistics(session.id, today=dt.date(2023, 9, 19))
    assert stats.body == "人大" and stats.year == 2023
    assert stats.received == 20
    assert stats.by_role == {"主办": 3, "承办": 2, "分办": 3, "汇办": 12}
    assert stats.signed == stats.signed_on_time == 20
    assert stats.answered == stats.answered_on_time == stats.to_answer == 20
    assert stats.needing_evaluation == 8
    assert stats.evaluations_received == 7
    assert stats.by_evaluation == {"满意": 7, "基本满意": 0, "不满意": 0}
    assert sum(stats.by_class.values()) == 8
    assert stats.disclosure["公开"] >= 6 and sum(stats.disclosure.values()) == stats.replies_to_disclose == 8
    titles = {case.number: case.title for case in Case.select()}
    for number, title in SEED_TITLES.items():
        assert titles[number] == title
    assert all(e.on_date <= dt.date(2023, 9, 19) for e in Event.select())
    assert all(clock.local_date_of(e.at) <= dt.date(2023, 9, 19) for e in Event.select())
    assert all(e.at.year == 2023 for e in Event.select())


def test_sz2023_replies_carry_document_numbers(ledger):
    fixtures.seed("sz2023")
    replied = [c for c in Case.select() if c.role != "汇办"]
    assert len(replied) == 8
    for case in replied:
        assert case.reply_doc_no.startswith("深政数函〔2023〕") and case.result_class in "ABCD"
        assert case.replied_on <= dt.date(2023, 5, 24)
    for case in Case.select().where(Case.role == "汇办"):
        assert case.opinion_sent_on <= dt.date(2023, 3, 24) and case.status == "已办结"
    with pytest.raises(LedgerError, match="不能重复写入"):
        fixtures.seed("sz2023")


# ------------------------------------------------------------------------ synthetic


def test_synthetic_is_deterministic(another_ledger):
    day = dt.date(2024, 5, 20)
    results = []
    for name in ("a", "b"):
        open_database(another_ledger(name))
        try:
            account = fixtures.seed("synthetic", cases=300, today=day)
            results.append((account, ledger_rows(today=day),
                            list(Event.select(Event.case, Event.kind, Event.on_date, Event.version).tuples())))
        finally:
            close_database()
    assert results[0] == results[1]
    assert len(results[0][1]) == 300


def test_synthetic_has_about_ten_events_a_case(ledger):
    day = dt.date(2024, 5, 20)
    fixtures.seed("synthetic", cases=300, today=day)
    counts = Counter(case_id for (case_id,) in Event.select(Event.case).tuples())
    assert len(counts) == 300
    assert 8 <= statistics.mean(counts.values()) <= 12
    assert all(e.on_date <= day for e in Event.select())
    statuses = Counter(c.status for c in Case.select())
    assert {"待签收", "办理中", "已反馈", "已答复", "已办结"} <= set(statuses)
    assert {c.role for c in Case.select()} == {"主办", "承办", "分办", "汇办"}


def test_synthetic_caches_equal_the_rules(ledger):
    day = dt.date(2024, 5, 20)
    fixtures.seed("synthetic", cases=300, today=day)
    calendar = load_calendar()
    events = defaultdict(list)
    for event in Event.select().order_by(Event.id):
        events[event.case_id].append(event)
    for case in Case.select():
        milestone = next_open(case, rules_for(case.session_id), calendar)
        assert case.next_due == (milestone.due if milestone else None), case.number
        assert case.next_milestone == (milestone.label if milestone else ""), case.number
        timeline = events[case.id]
        assert [e.version for e in timeline] == list(range(1, case.version + 1))
        assert case.last_followup_on == max(e.on_date for e in timeline)
        urges = [e for e in timeline if e.kind == "催办"]
        assert case.urge_count == len(urges)
        assert case.urge_level == (urges[-1].level if urges else 0)
        activities = [e for e in timeline if e.kind in ("查办", "询办", "沟通", "催办")]
        assert case.next_followup_on == (activities[-1].next_followup_on if activities else None)
        assert (case.signed_on is None) == (case.status in ("待签收", "申请调整"))
        assert (case.closed_on is not None) == (case.status == "已办结")
        if case.role == "汇办":
            assert case.replied_on is None
        assert all(e.on_date >= case.assigned_on for e in timeline)


def test_synthetic_adds_to_a_ledger_that_has_cases(ledger):
    day = dt.date(2024, 5, 20)
    fixtures.seed("synthetic", cases=50, today=day)
    fixtures.seed("synthetic", cases=50, today=day)
    assert Case.select().count() == 100
    assert len({(c.session_id, c.number) for c in Case.select()}) == 100


def test_seed_names_the_fixtures(ledger):
    with pytest.raises(LedgerError, match="live、sz2023、synthetic"):
        fixtures.seed("nope")


def test_synthetic_writes_every_column_of_the_models():
    from fixtures.synthetic import CASE_COLUMNS, EVENT_COLUMNS

    assert sorted(CASE_COLUMNS) == sorted(field.column_name for field in Case._meta.sorted_fields)
    # db_user is left to the ledger: the server's default (the seeding login) on PostgreSQL, none on SQLite
    assert sorted(EVENT_COLUMNS + ("db_user",)) == sorted(field.column_name for field in Event._meta.sorted_fields)
