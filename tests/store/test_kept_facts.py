"""The statistics' facts kept in the ledger cache (store/ledger_cache.py, store/statistics_keeper.py
`facts`/`adopt`): a desk opened again the same day takes them instead of counting every case
again, reads afresh only the cases written since, and shows what a fresh count shows — on the
awkward cases too (late, dissatisfied twice, corrected, undone, not yet due), on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from store_helpers import OPERATOR, run_sql
from test_statistics_keeper import SZ_TODAY, awkward, check, new_case, received_by_sql, same

import fixtures
from store import actions, clock, ledger_cache, queries
from store.models import Case, Session
from store.snapshot import LedgerSnapshot
from store.statistics_keeper import StatisticsKeeper

DAYS = (SZ_TODAY, dt.date(2024, 1, 10))


@pytest.fixture
def sz2023(ledger):
    clock.fix_today(SZ_TODAY)
    fixtures.seed("sz2023")
    awkward(Session.get().id)
    yield Session.get().id
    clock.fix_today(None)


def _keep(keeper: StatisticsKeeper | None) -> None:
    snapshot = LedgerSnapshot(queries.ledger_rows(today=SZ_TODAY), SZ_TODAY)
    newest_change = run_sql("SELECT COALESCE(MAX(id), 0) FROM change_record").fetchone()[0]
    assert ledger_cache.save(snapshot.rows(), snapshot.texts, queries.latest_event_id(), newest_change, SZ_TODAY,
                             snapshot.counts(), keeper.facts() if keeper is not None else None)


def _same_as_fresh(keeper: StatisticsKeeper, session_id: int) -> None:
    fresh = StatisticsKeeper().build()
    for day in DAYS:
        for scope in (session_id, None):
            same(keeper.statistics(scope, day), fresh.statistics(scope, day), f"adopted {scope} {day}")
        assert keeper.summary(session_id, day) == fresh.summary(session_id, day)


def test_kept_facts_come_back_and_count_as_a_fresh_build(sz2023):
    built = StatisticsKeeper().build()
    _keep(built)
    found = ledger_cache.load(SZ_TODAY)
    assert found is not None and found.facts == built.facts() and not found.changed
    keeper = StatisticsKeeper().adopt(found.facts)
    assert keeper.adopted and not built.adopted
    check(keeper, days=DAYS, one_off=False)  # against the old count, every session and all
    _same_as_fresh(keeper, sz2023)
    assert keeper.statistics(None, SZ_TODAY).received == received_by_sql(None)


def test_cases_written_since_are_read_afresh(sz2023):
    _keep(StatisticsKeeper().build())
    late = Case.get(Case.number == "20239906").id  # not yet due when kept
    actions.sign_for(late, OPERATOR, on=dt.date(2023, 9, 18))
    twice = Case.get(Case.number == "20239902").id
    actions.record_evaluation(twice, OPERATOR, evaluation="不满意", on=dt.date(2023, 9, 18))  # a third 不满意
    added = new_case(sz2023, "20239921", "2023-09-01")
    actions.log_follow_up(added, OPERATOR, kind="沟通", method="电话", stage="办中")
    found = ledger_cache.load(SZ_TODAY)
    assert found is not None and found.facts is not None
    changed = [row.case_id for row in found.changed]
    assert sorted(changed) == sorted({late, twice, added})
    stale = StatisticsKeeper().adopt(found.facts)  # without the cases written since: not today's figures
    assert stale.statistics(None, SZ_TODAY).received == received_by_sql(None) - 1
    keeper = StatisticsKeeper().adopt(found.facts, changed)
    check(keeper, days=DAYS, one_off=False)
    _same_as_fresh(keeper, sz2023)
    stats = keeper.statistics(None, SZ_TODAY)
    assert stats.received == received_by_sql(None)
    assert stats.signed == run_sql('SELECT COUNT(*) FROM "case" WHERE signed_on IS NOT NULL').fetchone()[0]


def test_rows_kept_without_facts_and_damaged_facts(sz2023):
    _keep(None)  # the desk quit while the facts were still being counted
    found = ledger_cache.load(SZ_TODAY)
    assert found is not None and found.facts is None
    keeper = StatisticsKeeper().adopt({1: ("not", "a", "fact")})  # what cannot be added up: a whole build
    assert not keeper.adopted
    _same_as_fresh(keeper, sz2023)


def test_an_empty_ledger_keeps_empty_facts(ledger):
    clock.fix_today(SZ_TODAY)
    try:
        built = StatisticsKeeper().build()
        assert built.facts() == {}
        _keep(built)
        found = ledger_cache.load(SZ_TODAY)
        assert found is not None and found.facts == {}
        keeper = StatisticsKeeper().adopt(found.facts)
        assert keeper.adopted and keeper.statistics(None, SZ_TODAY).received == 0
        assert StatisticsKeeper().facts() is None  # never built: nothing to keep
    finally:
        clock.fix_today(None)


def test_a_failed_read_of_the_cases_written_since_leaves_nothing_half_adopted(sz2023, monkeypatch):
    _keep(StatisticsKeeper().build())
    twice = Case.get(Case.number == "20239902").id
    actions.record_evaluation(twice, OPERATOR, evaluation="满意", on=dt.date(2023, 9, 18))
    found = ledger_cache.load(SZ_TODAY)
    assert found is not None and [row.case_id for row in found.changed] == [twice]

    def lost(*_args, **_kwargs):
        raise ConnectionError("服务器连接中断")

    keeper = StatisticsKeeper()
    monkeypatch.setattr(keeper, "_read", lost)
    with pytest.raises(ConnectionError):
        keeper.adopt(found.facts, [twice])
    assert keeper.generation == 0 and keeper.facts() is None  # unbuilt: never shown, never kept



def test_kept_facts_are_read_when_asked_for_and_a_damaged_part_leaves_the_rows_whole(sz2023):
    built = StatisticsKeeper().build()
    _keep(built)
    found = ledger_cache.load(SZ_TODAY)
    assert found is not None and found.kept_facts is not None
    assert found.kept_facts.read() == built.facts()  # still as stored until read
    (path,) = ledger_cache.cache_dir("ledgers").glob("*.rows")
    path.write_bytes(path.read_bytes()[:-40])  # the facts' end lost: the rows before them still whole
    found = ledger_cache.load(SZ_TODAY)
    assert found is not None and len(found.rows) == run_sql('SELECT COUNT(*) FROM "case"').fetchone()[0]
    assert found.kept_facts is not None and found.facts is None  # the desk counts them afresh
