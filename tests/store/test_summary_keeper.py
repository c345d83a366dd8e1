"""The year's summary counted from the statistics keeper (issue 14) against the old count.

`summary_oracle.old_summary_figures` is `summary_figures` as it counted before the keeper (every
case of the session as a model, every standing event read). The keeper's summary figures must
equal it field by field, and the letter (`full_summary`) must say word for word what the old
figures made it say — on an empty session, the fixtures, a synthetic ledger and copies altered
to hold what each figure looks at (co-units late, signed off or still out; 回头看; forms out;
typical cases; weekly checks; leaders; 主办单位 written with spaces); after writes through the
store's own actions `refresh(ids)` must give what the old count gives; a renamed leader is named
by his new name without a rebuild.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from store_helpers import OPERATOR, run_sql
from summary_oracle import old_summary_figures
from test_statistics_keeper import SZ_TODAY, awkward, new_case, same

import fixtures
from store import actions, clock, office
from store.io import summary_full
from store.io.letter import letter_text
from store.models import Case, Person, Session
from store.statistics_keeper import StatisticsKeeper
from store.summary_figures import summary_figures

DAYS = (dt.date(2023, 3, 1), SZ_TODAY, dt.date(2023, 11, 20), dt.date(2024, 6, 1))


def old_letter(monkeypatch, session_id: int, day: dt.date) -> str:
    with monkeypatch.context() as patched:
        patched.setattr(summary_full, "summary_figures", lambda sid, today=None, keeper=None:
                        old_summary_figures(sid, today=today))
        return letter_text(summary_full.full_summary(session_id, today=day))


def check(keeper: StatisticsKeeper, monkeypatch, days=DAYS, one_off: bool = True) -> int:
    """Every session on every day: the keeper's figures (and a one-off count's) == the old ones,
    and the letter the same word for word."""
    sessions = [s for (s,) in Session.select(Session.id).order_by(Session.id).tuples()]
    for day in days:
        for session_id in sessions:
            old = old_summary_figures(session_id, today=day)
            same(summary_figures(session_id, today=day, keeper=keeper), old, f"keeper {session_id} {day}")
            if one_off:
                same(summary_figures(session_id, today=day), old, f"one-off {session_id} {day}")
            assert (letter_text(summary_full.full_summary(session_id, today=day, keeper=keeper))
                    == old_letter(monkeypatch, session_id, day)), f"letter {session_id} {day}"
    return len(sessions)


def sql_count(query: str, *params) -> int:
    return run_sql(query, params).fetchone()[0]


@pytest.fixture
def sz2023(ledger):
    clock.fix_today(SZ_TODAY)
    fixtures.seed("sz2023")
    yield Session.get().id
    clock.fix_today(None)


def test_an_empty_session_counts_nothing(ledger, monkeypatch):
    session = Session.create(name="2023年市人大会议", body="人大", year=2023)
    keeper = StatisticsKeeper().build()
    assert check(keeper, monkeypatch) == 1
    figures = summary_figures(session.id, today=SZ_TODAY, keeper=keeper)
    assert (figures.cases, figures.signer, figures.leaders, figures.typical) == (0, "", (), ())


def alter(session_id: int) -> None:
    """Co-units of every kind, 回头看, forms, typical cases, leaders, spaced 主办单位, weekly checks."""
    from store.weekly import open_review, week_of

    led = [case_id for (case_id,) in run_sql(
        'SELECT id FROM "case" WHERE session_id = ? ORDER BY id LIMIT 6', (session_id,))]
    units = ["市公安局", "市教育局", " 市民政局 "]
    progress = [
        {},  # all still out
        {"市公安局": {"received_on": "2023-03-01", "signed_off_on": "2023-04-01"}},  # on time, signed off
        {"市公安局": {"received_on": "2023-08-30"}, "市教育局": {"received_on": "2023-02-10"}},  # one late
        {"市公安局": {"received_on": "2023-03-01"}, "市教育局": {"received_on": "2023-03-02"},
         "市民政局": {"received_on": "2023-03-03", "signed_off_on": "2023-03-09"}},
    ]
    for index, case_id in enumerate(led[:4]):
        received = sum(1 for entry in progress[index].values() if entry.get("received_on"))
        run_sql('UPDATE "case" SET role = \'主办\', co_units = ?, unit_progress = ?, units_expected = 3, units_received = ?, '
                "reply_early_reason = ? WHERE id = ?",
                (json.dumps(units, ensure_ascii=False), json.dumps(progress[index], ensure_ascii=False), received,
                 "时间紧" if index == 0 else "", case_id))
    run_sql('UPDATE "case" SET role = \'主办\', co_units = ?, units_expected = 0 WHERE id = ?', ('["  "]', led[4]))  # names none
    run_sql('UPDATE "case" SET review_due = ? WHERE id IN (?, ?)', ("2023-10-01", led[1], led[2]))
    run_sql('UPDATE "case" SET form_sent_on = ?, form_due = ?, form_returned_on = NULL WHERE id IN (?, ?)',
            ("2023-07-01", "2023-10-28", led[0], led[3]))
    run_sql('UPDATE "case" SET lead_unit = ? WHERE id = ?', ("  市政务服务数据管理局 ", led[5]))
    leader = actions.ensure_person("测试领导", post="分管局领导", title="")
    run_sql('UPDATE "case" SET leader_led = ?, leader_id = ? WHERE id IN (?, ?)', (True, leader.id, led[0], led[1]))
    run_sql('UPDATE "case" SET is_typical = ?, typical_note = ? WHERE id IN (?, ?)', (True, "一个典型", led[2], led[1]))
    week = week_of(SZ_TODAY)
    open_review(week, OPERATOR, today=SZ_TODAY)
    actions.mark_reviewed(led[0], OPERATOR, week, note="已检查")
    actions.mark_reviewed(led[3], OPERATOR, week, note="已检查")


def test_sz2023_altered_and_awkward_counts_as_before(sz2023, monkeypatch):
    check(StatisticsKeeper().build(), monkeypatch)
    alter(sz2023)
    awkward(sz2023)
    keeper = StatisticsKeeper().build()
    check(keeper, monkeypatch)
    figures = summary_figures(sz2023, today=dt.date(2023, 11, 20), keeper=keeper)
    assert figures.cases == sql_count('SELECT COUNT(*) FROM "case" WHERE session_id = ?', sz2023)
    assert figures.weekly_checks == 2 and figures.weekly_reviews == 1 and len(figures.typical) == 2
    assert figures.units_late >= 1 and figures.units_signed_off >= 2 and figures.review_due >= 2
    assert figures.follow_ups["催办"] == sql_count(
        "SELECT COUNT(*) FROM event e JOIN \"case\" c ON c.id = e.case_id WHERE c.session_id = ? AND e.kind = '催办' "
        "AND e.id NOT IN (SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL)", sz2023)
    assert ("测试领导", "局领导", 2) in figures.leaders


def test_a_renamed_leader_is_named_anew_without_a_rebuild(sz2023, monkeypatch):
    alter(sz2023)
    keeper = StatisticsKeeper().build()
    leader = Person.get(Person.name == "测试领导")
    office.update_person(OPERATOR, leader.id, name="改名领导", title="局长")
    figures = summary_figures(sz2023, today=SZ_TODAY, keeper=keeper)
    assert ("改名领导", "局长", 2) in figures.leaders
    check(keeper, monkeypatch, days=(SZ_TODAY,), one_off=False)


@pytest.mark.parametrize("day", [dt.date(2023, 1, 15), dt.date(2024, 5, 20), dt.date(2025, 1, 2)])
def test_live_counts_as_before(ledger, monkeypatch, day):
    clock.fix_today(dt.date(2024, 5, 20))
    try:
        fixtures.seed("live", today=dt.date(2024, 5, 20))
        assert check(StatisticsKeeper().build(), monkeypatch, days=(day,)) == 2  # its two sessions
    finally:
        clock.fix_today(None)


def test_a_synthetic_ledger_counts_as_before(ledger, monkeypatch):
    day = dt.date(2024, 5, 20)
    fixtures.seed("synthetic", cases=2500, today=day)
    check(StatisticsKeeper().build(), monkeypatch, days=(dt.date(2023, 6, 1), day), one_off=False)


def test_refresh_after_writes_counts_as_before(sz2023, monkeypatch):
    keeper = StatisticsKeeper().build()
    case_id = new_case(sz2023, "20239911", "2023-06-01")
    division = actions.ensure_division("测试处")
    owner = actions.ensure_person("测试责任人", post="干部", title="")
    leader = actions.ensure_person("测试分管", post="分管局领导", title="分管局领导")
    steps = [
        lambda: actions.assign(case_id, OPERATOR, division=division, owner=owner, post="岗位",
                               leader=leader, leader_led=True),
        lambda: actions.urge_division(case_id, OPERATOR, note="请抓紧"),
        lambda: actions.log_follow_up(case_id, OPERATOR, kind="沟通", method="座谈面商", stage="办中"),
        lambda: actions.reply(case_id, OPERATOR, on=dt.date(2023, 9, 5), doc_no="测试〔2023〕9号", result_class="B"),
        lambda: actions.send_form(case_id, OPERATOR, how="随答复", on=dt.date(2023, 9, 5)),
        lambda: actions.mark_typical(case_id, OPERATOR, note="新典型"),
    ]
    for step in steps:
        recorded = step()
        keeper.refresh([case_id])
        check(keeper, monkeypatch, days=(SZ_TODAY, dt.date(2024, 1, 10)), one_off=False)
    actions.undo(recorded.event_id, OPERATOR, reason="录错")
    urged = Case.get(Case.number == "20230489").id
    actions.log_follow_up(urged, OPERATOR, kind="询办", note="再问")
    keeper.refresh([case_id, urged])
    check(keeper, monkeypatch, days=(SZ_TODAY,), one_off=False)
    figures = summary_figures(sz2023, today=SZ_TODAY, keeper=keeper)
    assert figures.typical == () or case_id not in {t.case_id for t in figures.typical}
    assert figures.owners == sql_count('SELECT COUNT(DISTINCT owner_id) FROM "case" WHERE session_id = ? AND '
                                       "owner_id IS NOT NULL AND status != '申请调整' AND NOT "
                                       "(status = '已办结' AND signed_on IS NULL)", sz2023)
