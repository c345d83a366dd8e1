"""The statistics keeper (store/statistics_keeper.py, issue 14) against the old count.

`statistics_oracle.old_session_statistics` is `session_statistics` as it counted before the
keeper (every case as a model, every figure counted afresh). The keeper's figures, and the new
`session_statistics`, must equal it field by field (dicts in the same order too: the screen lists
statuses in that order) for every session and for all sessions, on several days, on an empty
ledger, the fixtures, a synthetic ledger and ledgers altered to hold the awkward cases; and after
writes through the store's own actions, `refresh(ids)` must give what a fresh build gives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from statistics_oracle import old_session_statistics
from store_helpers import OPERATOR, run_sql

import fixtures
from store import actions, clock, entry
from store.models import Case, Event, Session
from store.statistics import session_statistics
from store.statistics_keeper import StatisticsKeeper

SZ_TODAY = dt.date(2023, 9, 19)
DAYS = (dt.date(2023, 3, 1), dt.date(2023, 6, 10), SZ_TODAY, dt.date(2024, 6, 1))


def same(new, old, where: str) -> None:
    """Field by field, dicts in order, the forms' figures too."""
    assert type(new) is type(old)
    for f in dataclasses.fields(old):
        a, b = getattr(new, f.name), getattr(old, f.name)
        if dataclasses.is_dataclass(b):
            same(a, b, f"{where}.{f.name}")
            continue
        assert a == b, f"{where}: {f.name} {a!r} != {b!r}"
        if isinstance(b, dict):
            assert list(a.items()) == list(b.items()), f"{where}: {f.name} order"


def check(keeper: StatisticsKeeper, days=DAYS, one_off: bool = True) -> int:
    """Every session and all sessions, on every day: keeper == old count (== new one-off count)."""
    scopes = [s for (s,) in Session.select(Session.id).tuples()] + [None]
    for day in days:
        for scope in scopes:
            old = old_session_statistics(scope, today=day)
            same(keeper.statistics(scope, day), old, f"keeper {scope} {day}")
            if one_off:
                same(session_statistics(scope, today=day), old, f"one-off {scope} {day}")
    return len(scopes)


def received_by_sql(scope) -> int:
    where, params = ("WHERE session_id = ?", (scope,)) if scope is not None else ("", ())
    return run_sql(f'SELECT COUNT(*) FROM "case" {where}', params).fetchone()[0]


def test_an_empty_ledger_counts_nothing(ledger):
    keeper = StatisticsKeeper().build()
    check(keeper)
    stats = keeper.statistics(None, SZ_TODAY)
    assert (stats.received, stats.session, stats.topics, stats.by_status) == (0, "全部届次", (), {})
    same(keeper.statistics(99, SZ_TODAY), old_session_statistics(99, today=SZ_TODAY), "no such session")
    keeper.refresh([1, 2])  # no such cases: nothing changes
    assert keeper.statistics(None, SZ_TODAY).received == 0


def new_case(session_id: int, number: str, assigned: str, role: str = "主办", sign: bool = True) -> int:
    day = dt.date.fromisoformat(assigned)
    case_id = actions.create_case(OPERATOR, session=session_id, number=number, title=f"测试件{number}", role=role,
                                  assigned_on=day, lead_unit="市政务服务数据管理局", topic="测试主题").case_id
    if sign:
        actions.sign_for(case_id, OPERATOR, on=day + dt.timedelta(days=3))
    return case_id


def awkward(session_id: int) -> None:
    """Late sign and reply, an extension recorded late, 不满意 twice, a corrected 评价, an undo,
    forms sent and chased, a 汇办 opinion, a case not yet due, a transfer granted."""
    late = new_case(session_id, "20239901", "2023-03-10", sign=False)
    actions.sign_for(late, OPERATOR, on=dt.date(2023, 3, 30))  # late sign
    actions.reply(late, OPERATOR, on=dt.date(2023, 7, 15), doc_no="测试〔2023〕1号", result_class="B")
    Case.update(extended_due=dt.date(2023, 8, 10), extension_late=True).where(Case.id == late).execute()
    twice = new_case(session_id, "20239902", "2023-02-01")
    actions.reply(twice, OPERATOR, on=dt.date(2023, 4, 20), doc_no="测试〔2023〕2号", result_class="A")
    actions.send_form(twice, OPERATOR, how="电子", on=dt.date(2023, 4, 21))
    actions.chase_form(twice, OPERATOR, on=dt.date(2023, 5, 10))
    actions.record_evaluation(twice, OPERATOR, evaluation="不满意", on=dt.date(2023, 5, 15), work="不满意")
    actions.reply(twice, OPERATOR, on=dt.date(2023, 6, 1), doc_no="测试〔2023〕3号", result_class="A")
    actions.record_evaluation(twice, OPERATOR, evaluation="不满意", on=dt.date(2023, 6, 20))
    actions.reply(twice, OPERATOR, on=dt.date(2023, 8, 30), doc_no="测试〔2023〕4号", result_class="A")
    corrected = new_case(session_id, "20239903", "2023-02-01", role="承办")
    actions.reply(corrected, OPERATOR, on=dt.date(2023, 4, 1), doc_no="测试〔2023〕5号", result_class="A")
    actions.record_evaluation(corrected, OPERATOR, evaluation="满意", on=dt.date(2023, 4, 10))
    entry.correct_evaluation(OPERATOR, corrected, reason="评价表看错", evaluation="基本满意",
                             expected_version=Case.get_by_id(corrected).version)
    undone = new_case(session_id, "20239904", "2023-02-01")
    actions.reply(undone, OPERATOR, on=dt.date(2023, 4, 2), doc_no="测试〔2023〕6号", result_class="C")
    recorded = actions.record_evaluation(undone, OPERATOR, evaluation="满意", on=dt.date(2023, 4, 12))
    actions.undo(recorded.event_id, OPERATOR, reason="录错")
    actions.log_follow_up(undone, OPERATOR, kind="沟通", method="座谈面商", stage="办后")
    opinion = new_case(session_id, "20239905", "2023-03-01", role="汇办")
    actions.record_opinion_sent(opinion, OPERATOR, summary="同意", on=dt.date(2023, 3, 20))
    new_case(session_id, "20239906", "2023-09-10", sign=False)  # not yet due
    new_case(session_id, "20239907", "2023-05-10")  # reply past due
    moved = new_case(session_id, "20239908", "2023-05-10", sign=False)
    actions.request_adjustment(moved, OPERATOR, reason="不属于本单位职责", on=dt.date(2023, 5, 11))
    actions.record_adjustment_result(moved, OPERATOR, approved=True, on=dt.date(2023, 5, 12))
    pending = new_case(session_id, "20239909", "2023-05-10", sign=False)
    actions.request_adjustment(pending, OPERATOR, reason="不属于本单位职责", on=dt.date(2023, 5, 11))


@pytest.fixture
def sz2023(ledger):
    clock.fix_today(SZ_TODAY)
    fixtures.seed("sz2023")
    yield Session.get().id
    clock.fix_today(None)


def test_sz2023_and_its_awkward_cases_count_as_before(sz2023):
    keeper = StatisticsKeeper().build()
    check(keeper)
    awkward(sz2023)
    keeper = StatisticsKeeper().build()
    assert check(keeper) == 2
    stats = keeper.statistics(sz2023, SZ_TODAY)
    assert stats.received == received_by_sql(sz2023)
    assert stats.transferred == 1 and stats.extension_late == 1 and stats.rehandle_rounds >= 2
    assert stats.by_evaluation["基本满意"] >= 1 and stats.forms.chases == 1


@pytest.mark.parametrize("day", [dt.date(2023, 1, 15), dt.date(2024, 5, 20), dt.date(2025, 1, 2)])
def test_live_counts_as_before(ledger, day):
    clock.fix_today(dt.date(2024, 5, 20))
    try:
        fixtures.seed("live", today=dt.date(2024, 5, 20))
        keeper = StatisticsKeeper().build()
        assert check(keeper, days=(day,)) == 3
        assert keeper.statistics(None, day).received == received_by_sql(None)
    finally:
        clock.fix_today(None)


def test_a_synthetic_ledger_counts_as_before(ledger):
    day = dt.date(2024, 5, 20)
    fixtures.seed("synthetic", cases=2500, today=day)
    keeper = StatisticsKeeper().build()
    check(keeper, days=(dt.date(2023, 6, 1), day, dt.date(2025, 3, 1)), one_off=False)
    for (scope,) in Session.select(Session.id).tuples():
        assert keeper.statistics(scope, day).received == received_by_sql(scope)


def test_refresh_after_writes_gives_what_a_fresh_build_gives(sz2023):
    keeper = StatisticsKeeper().build()
    generation = keeper.generation
    case_id = new_case(sz2023, "20239911", "2023-06-01")
    actions.assign(case_id, OPERATOR, division=actions.ensure_division("数据资源处"))
    keeper.refresh([case_id])
    check(keeper, days=(SZ_TODAY,), one_off=False)
    steps = [
        lambda: actions.urge_division(case_id, OPERATOR, note="请抓紧"),
        lambda: actions.log_follow_up(case_id, OPERATOR, kind="沟通", method="上门拜访", stage="办中"),
        lambda: actions.reply(case_id, OPERATOR, on=dt.date(2023, 9, 5), doc_no="测试〔2023〕9号", result_class="B"),
        lambda: actions.send_form(case_id, OPERATOR, how="随答复", on=dt.date(2023, 9, 5)),
        lambda: actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=dt.date(2023, 9, 12)),
    ]
    for step in steps:
        recorded = step()
        keeper.refresh([case_id])
        fresh = StatisticsKeeper().build()
        for day in (SZ_TODAY, dt.date(2024, 1, 10)):
            for scope in (sz2023, None):
                same(keeper.statistics(scope, day), fresh.statistics(scope, day), f"refresh {scope} {day}")
    actions.undo(recorded.event_id, OPERATOR, reason="录错")
    other = Case.get(Case.number == "20230489").id
    actions.log_follow_up(other, OPERATOR, kind="沟通", method="电话", stage="办后")
    keeper.refresh([case_id, other])
    check(keeper, days=(SZ_TODAY, dt.date(2024, 1, 10)), one_off=False)
    assert keeper.generation > generation
    contacts = run_sql("SELECT COUNT(*) FROM event WHERE kind = '沟通' AND id NOT IN "
                       "(SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL)").fetchone()[0]
    assert sum(keeper.statistics(None, SZ_TODAY).contacts_by_method.values()) == contacts


def test_refresh_keeps_the_first_case_order_of_statuses_and_topics(sz2023):
    keeper = StatisticsKeeper().build()
    first = Case.select().order_by(Case.id).first()
    before = list(keeper.statistics(None, SZ_TODAY).by_status)
    run_sql('UPDATE "case" SET status = ?, topic = ? WHERE id = ?', ("重新办理", "另一主题", first.id))
    keeper.refresh([first.id])
    same(keeper.statistics(None, SZ_TODAY), old_session_statistics(None, today=SZ_TODAY), "after status change")
    assert list(keeper.statistics(None, SZ_TODAY).by_status) != before or len(before) == 1
    assert Event.select().count() > 0
