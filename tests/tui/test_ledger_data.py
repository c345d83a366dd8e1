"""The desk's copy of the ledger (tui/ledger_data.py) on both engines, without a screen: news whose
rows could not be read is not lost, a reload that failed is owed until it succeeds, and on
PostgreSQL a commit that took a lower id and landed during the whole load is still brought in."""

from __future__ import annotations

import asyncio
import threading

import pytest

from store import actions, ledger_cache, queries
from store.db import close_database, database
from tui import ledger_data
from tui.gateway import StoreGateway
from tui.ledger_data import LedgerData

BOTH = pytest.mark.parametrize("desk", ["sqlite", "pg"], indirect=True)


async def _desk() -> LedgerData:
    data = LedgerData(StoreGateway())
    await data.first_look()
    await data.load_all()
    return data


async def _until(data: LedgerData, condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        await data.check()
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the desk did not see it in time")


def _urges(data: LedgerData, case_id: int) -> int:
    return next(row for row in data.snapshot.rows() if row.case_id == case_id).urge_count


async def _elsewhere(write, *args, **kwargs):
    def run():
        try:
            return write(*args, **kwargs)
        finally:
            close_database()
    return await asyncio.to_thread(run)


@BOTH
async def test_news_whose_rows_could_not_be_read_comes_back_on_the_next_look(desk, monkeypatch):
    _target, ids = desk
    data = await _desk()
    try:
        real = queries.ledger_rows
        failures = []

        def once(*args, **kwargs):
            if kwargs.get("case_ids") and not failures:
                failures.append(True)
                raise RuntimeError("the read failed")
            return real(*args, **kwargs)

        monkeypatch.setattr(ledger_data.queries, "ledger_rows", once)
        await _elsewhere(actions.urge_division, ids["overdue"], "另一工作站", note="读行失败")
        with pytest.raises(Exception):
            await _until(data, lambda: bool(failures))
        assert failures and _urges(data, ids["overdue"]) == 0
        await _until(data, lambda: _urges(data, ids["overdue"]) == 1)  # handed back, then read
    finally:
        data.gateway.close()


@BOTH
async def test_a_reload_that_failed_is_owed_until_it_succeeds(desk, monkeypatch):
    _target, ids = desk
    data = await _desk()
    try:
        real = ledger_data._full_load
        calls = []

        def failing_once(*args, **kwargs):
            calls.append(True)
            if len(calls) == 1:
                raise RuntimeError("the reload failed")
            return real(*args, **kwargs)

        monkeypatch.setattr(ledger_data, "_full_load", failing_once)
        await _elsewhere(actions.ensure_session, "市七届人大六次会议", body="人大", year=2027)  # reloads all
        await _elsewhere(actions.urge_division, ids["soon"], "另一工作站", note="重载失败期间")
        with pytest.raises(Exception):
            await _until(data, lambda: bool(calls))
        assert data.pending
        await _until(data, lambda: len(calls) == 2)
        assert not data.pending and _urges(data, ids["soon"]) == 1
        assert "市七届人大六次会议" in {s.name for s in data.sessions}
    finally:
        data.gateway.close()


@pytest.mark.parametrize("desk", ["pg"], indirect=True)
async def test_a_lower_id_committed_during_the_whole_load_is_brought_in(desk, monkeypatch):
    _target, ids = desk
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_workstation():
        with database.obj.atomic():
            actions.urge_division(ids["overdue"], "慢工作站", note="装载期间提交")
            held.set()
            release.wait(15)
        close_database()
        done.set()

    thread = threading.Thread(target=slow_workstation)
    thread.start()
    data = LedgerData(StoreGateway())
    try:
        assert await asyncio.to_thread(held.wait, 10)
        await _elsewhere(actions.urge_division, ids["soon"], "快工作站", note="先提交")
        await data.first_look()  # its newest event id is the fast one's, above the held one's
        assert data.newest_event == database.obj.execute_sql(
            "SELECT max(id) FROM event WHERE operator = '快工作站'").fetchone()[0]
        real = ledger_data._full_load

        def slow_load(*args, **kwargs):
            loaded = real(*args, **kwargs)
            release.set()  # the held transaction commits while the whole ledger is being taken in
            done.wait(10)
            return loaded

        monkeypatch.setattr(ledger_data, "_full_load", slow_load)
        await data.load_all()
        await _until(data, lambda: _urges(data, ids["overdue"]) == 1 and _urges(data, ids["soon"]) == 1)
    finally:
        release.set()
        thread.join(10)
        data.gateway.close()


@BOTH
async def test_a_desk_opened_again_starts_from_its_kept_rows_and_sees_what_was_written_meanwhile(desk):
    _target, ids = desk
    data = await _desk()
    assert not data.snapshot.from_cache  # the first start of the day reads the whole ledger
    await _elsewhere(actions.urge_division, ids["soon"], "另一工作站", note="本台开着时")
    await _until(data, lambda: _urges(data, ids["soon"]) == 1)
    await data.close()  # as the desk quits: its rows are kept
    data.gateway.close()
    await _elsewhere(actions.urge_division, ids["overdue"], "另一工作站", note="本台关着时")
    again = await _desk()
    try:
        assert again.snapshot.from_cache
        assert _urges(again, ids["soon"]) == 1 and _urges(again, ids["overdue"]) == 1
        fresh = await again.gateway.call(lambda: queries.ledger_rows(today=again.today))
        assert sorted(again.snapshot.rows()) == sorted(fresh)
    finally:
        again.gateway.close()


async def test_an_empty_ledger_is_kept_too_and_its_first_case_reads_it_again(ledger):
    from desk_helpers import TODAY, build_desk_ledger

    from store import clock

    data = await _desk()
    assert len(data.snapshot) == 0
    await data.close()
    data.gateway.close()
    again = await _desk()
    try:
        assert again.snapshot.from_cache and len(again.snapshot) == 0
        await again.close()
    finally:
        again.gateway.close()
    clock.fix_today(TODAY)
    try:
        await _elsewhere(build_desk_ledger)  # the office enters its first cases (and divisions, people)
        third = await _desk()
        try:
            assert not third.snapshot.from_cache  # settings rows were added: read whole
            assert len(third.snapshot) == database.obj.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0] == 3
        finally:
            third.gateway.close()
    finally:
        clock.fix_today(None)


async def _counted(data: LedgerData) -> None:
    """The statistics' facts counted (or adopted) and nothing left to catch up."""
    data.count_statistics()
    for _ in range(200):
        if not data._tasks:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the statistics' facts were not counted in time")


def _sql(text: str) -> int:
    return database.obj.execute_sql(text).fetchone()[0]


@BOTH
async def test_a_desk_opened_again_takes_its_kept_statistics_and_counts_what_was_written_meanwhile(desk):
    from store.statistics_keeper import StatisticsKeeper

    _target, ids = desk
    data = await _desk()
    await _counted(data)
    assert not data.statistics_keeper.adopted  # the first start of the day counts every case
    await data.close()  # rows and facts kept
    data.gateway.close()
    await _elsewhere(actions.sign_for, ids["unsigned"], "另一工作站", on=data.today)  # written while closed
    again = await _desk()
    try:
        assert again.snapshot.from_cache
        await _counted(again)
        keeper = again.statistics_keeper
        assert keeper.adopted
        stats = await again.gateway.report(keeper.statistics, None, again.today)
        assert stats.received == _sql('SELECT COUNT(*) FROM "case"') == 3
        assert stats.signed == _sql('SELECT COUNT(*) FROM "case" WHERE signed_on IS NOT NULL') == 3
        fresh = await again.gateway.report(lambda: StatisticsKeeper().build().statistics(None, again.today))
        assert stats == fresh
    finally:
        again.gateway.close()


async def test_a_desk_quit_while_counting_keeps_its_rows_but_not_half_counted_facts(desk):
    data = await _desk()
    data.count_statistics()  # still counting as the desk quits
    assert data._tasks
    await data.close()
    data.gateway.close()
    again = await _desk()
    try:
        assert again.snapshot.from_cache
        await _counted(again)
        assert not again.statistics_keeper.adopted  # counted afresh
    finally:
        again.gateway.close()


async def test_the_weeks_review_marks_are_read_ahead_for_the_first_w(desk):
    from store import weekly

    weekly._marks_memo.clear()
    data = await _desk()
    try:
        data.read_ahead()
        for _ in range(100):
            if not data._reads:
                break
            await asyncio.sleep(0.05)
        week = weekly.week_of(data.today)
        assert [key for key in weekly._marks_memo if key[1] == week]  # remembered: the first `w` reads only newer events
    finally:
        data.gateway.close()


async def _kept_desk_counted() -> None:
    """A desk that counted its statistics and quit: rows and facts kept."""
    data = await _desk()
    await _counted(data)
    await data.close()
    data.gateway.close()


async def test_a_case_written_while_the_kept_rows_load_is_counted_by_the_adopted_statistics(desk, monkeypatch):
    from store import ledger_cache

    _target, ids = desk
    await _kept_desk_counted()
    real = ledger_cache.load

    def load_then_someone_signs(today):
        found = real(today)
        actions.sign_for(ids["unsigned"], "另一工作站", on=today)  # lands after the cache was read
        return found

    monkeypatch.setattr(ledger_cache, "load", load_then_someone_signs)
    again = await _desk()
    monkeypatch.setattr(ledger_cache, "load", real)
    try:
        assert again.snapshot.from_cache
        await _counted(again)
        assert again.statistics_keeper.adopted
        stats = await again.gateway.report(again.statistics_keeper.statistics, None, again.today)
        assert stats.signed == _sql('SELECT COUNT(*) FROM "case" WHERE signed_on IS NOT NULL') == 3
        await again.close()
    finally:
        again.gateway.close()
    third = await _desk()  # and what the second desk kept is true too
    try:
        await _counted(third)
        stats = await third.gateway.report(third.statistics_keeper.statistics, None, third.today)
        assert stats.signed == 3
    finally:
        third.gateway.close()


async def test_a_refresh_still_under_way_at_quit_keeps_no_facts(desk, monkeypatch):
    from store.statistics_keeper import StatisticsKeeper

    _target, ids = desk
    data = await _desk()
    await _counted(data)
    release = threading.Event()
    real = StatisticsKeeper.refresh

    def slow_refresh(keeper, case_ids):
        release.wait(10)
        return real(keeper, case_ids)

    monkeypatch.setattr(StatisticsKeeper, "refresh", slow_refresh)
    await _elsewhere(actions.sign_for, ids["unsigned"], "另一工作站", on=data.today)
    await _until(data, lambda: any(row.case_id == ids["unsigned"] and row.status != "待签收"
                                   for row in data.snapshot.rows()))
    assert data._tasks  # the keeper's refresh for that case is still waiting
    await data.close()
    release.set()
    data.gateway.close()
    monkeypatch.setattr(StatisticsKeeper, "refresh", real)
    again = await _desk()
    try:
        await _counted(again)
        assert not again.statistics_keeper.adopted  # the rows were kept, the facts were not
        stats = await again.gateway.report(again.statistics_keeper.statistics, None, again.today)
        assert stats.signed == _sql('SELECT COUNT(*) FROM "case" WHERE signed_on IS NOT NULL') == 3
    finally:
        again.gateway.close()


async def test_a_reload_before_the_statistics_are_asked_for_counts_afresh(desk):
    await _kept_desk_counted()
    again = await _desk()
    try:
        assert again._kept_facts is not None
        await again.load_all_again()  # e.g. a rules change caught by the first look: it counts again itself
        for _ in range(200):
            if not again._tasks:
                break
            await asyncio.sleep(0.05)
        assert again.statistics_keeper is not None and not again.statistics_keeper.adopted
        assert again._kept_facts is None
    finally:
        again.gateway.close()


@BOTH
async def test_the_first_rows_then_the_whole_ledger_are_read_as_the_desk_is_made(desk, monkeypatch):
    """`begin` (called as the desk is made, before Textual starts) reads the first screenful at
    once and the whole ledger right after it, with no await; a write landing before the desk
    takes either is still brought in."""
    _target, ids = desk
    steps: list[str] = []
    looked = threading.Event()
    real_look, real_load = ledger_data._first_look, ledger_cache.load

    def first_look(*args, **kwargs):
        steps.append("first look")
        try:
            return real_look(*args, **kwargs)
        finally:
            steps.append("first look done")
            looked.set()

    def whole(*args, **kwargs):
        steps.append("whole ledger")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(ledger_data, "_first_look", first_look)
    monkeypatch.setattr(ledger_cache, "load", whole)
    data = LedgerData(StoreGateway())
    try:
        data.begin()
        assert await asyncio.to_thread(looked.wait, 10)  # read with nobody awaiting it
        await _elsewhere(actions.urge_division, ids["soon"], "另一工作站", note="启动期间")
        first = await data.first_look()
        await data.load_all()
        assert steps == ["first look", "first look done", "whole ledger"]  # each read once, in turn
        assert first.total == _sql('SELECT COUNT(*) FROM "case"')
        await _until(data, lambda: _urges(data, ids["soon"]) == 1)
    finally:
        data.gateway.close()


async def test_kept_facts_that_cannot_be_read_are_counted_afresh(desk):
    from store.ledger_cache import KeptFacts
    from store.statistics_keeper import StatisticsKeeper

    gateway = StoreGateway()
    try:
        keeper = await gateway.report(ledger_data._adopt, StatisticsKeeper(), KeptFacts(b"\x80\x05damaged"), [])
        assert not keeper.adopted and keeper.generation == 1
        fresh = await gateway.report(StatisticsKeeper().build)
        today = ledger_data.clock.today()
        assert keeper.statistics(None, today) == fresh.statistics(None, today)
    finally:
        gateway.close()
