"""Issue 13: the change feed (store/feed.py) sees every commit, in commit order, on both engines;
on PostgreSQL it survives a lost connection and a restarted server, and each event keeps the
login that wrote it."""

from __future__ import annotations

import threading
import time

import pytest

from store import actions, feed
from store.db import close_database, database
from store.errors import ConnectionLost
from store.feed import ChangeWatcher
from store.models import Case, Event
from store.office import add_division

from desk_helpers import TODAY, build_desk_ledger
from pg_server import raw_sql


def _is_pg(db) -> bool:
    return feed.is_postgres(db)


def _news(watcher: ChangeWatcher, want=lambda news: news.fired, timeout: float = 3.0) -> feed.News:
    """The watcher's news once `want` holds (a notice arrives microseconds after the commit)."""
    deadline = time.monotonic() + timeout
    while True:
        news = watcher.news()
        if want(news) or time.monotonic() > deadline:
            return news
        time.sleep(0.02)


@pytest.fixture
def desk_ledger(ledger):
    from store import clock

    clock.fix_today(TODAY)
    ids = build_desk_ledger()
    yield ledger, ids
    clock.fix_today(None)


def _watcher(db) -> ChangeWatcher:
    from store.changes import latest_change_id
    from store.queries import latest_event_id

    return ChangeWatcher(db, latest_event_id(), latest_change_id())


# ------------------------------------------------------------------------------ both engines


def test_nothing_written_is_no_news(desk_ledger):
    db, _ids = desk_ledger
    watcher = _watcher(db)
    try:
        time.sleep(0.05)
        assert watcher.news().fired is False
    finally:
        watcher.close()


def test_a_write_names_its_case_once(desk_ledger):
    db, ids = desk_ledger
    watcher = _watcher(db)
    try:
        actions.urge_division(ids["overdue"], "另一工作站", note="请加快")
        news = _news(watcher)
        assert news.fired and news.case_ids == {ids["overdue"]} and not news.reload
        assert watcher.news().fired is False  # told once
    finally:
        watcher.close()


def test_a_write_with_no_event_is_seen_and_reloads_everything(desk_ledger):
    """A new session and a calendar day write no case event: every row may change."""
    db, _ids = desk_ledger
    watcher = _watcher(db)
    try:
        actions.ensure_session("市七届人大六次会议", body="人大", year=2027)
        assert _news(watcher).reload is True
        database.obj.execute_sql("INSERT INTO duban_meta (key, value) VALUES ('elsewhere', 'yes')")
        news = _news(watcher)
        assert news.fired and news.reload  # a commit nothing else explains is never ignored
    finally:
        watcher.close()


def test_a_rolled_back_write_is_no_news(desk_ledger):
    db, ids = desk_ledger
    watcher = _watcher(db)
    try:
        with pytest.raises(RuntimeError):
            with db.atomic():
                actions.urge_division(ids["soon"], "另一工作站", note="撤回")
                raise RuntimeError("rolled back")
        time.sleep(0.1)
        assert watcher.news().fired is False
        assert Event.select().where((Event.case == ids["soon"]) & (Event.kind == "催办")).count() == 0
    finally:
        watcher.close()


def test_each_event_keeps_the_login_that_wrote_it(desk_ledger):
    db, ids = desk_ledger
    actions.log_follow_up(ids["soon"], "李督办", kind="查办", note="看进度")
    add_division("李督办", "督查室")  # a change record
    rows = db.execute_sql("SELECT operator, db_user FROM event ORDER BY id DESC LIMIT 1").fetchall()
    changes = db.execute_sql("SELECT db_user FROM change_record").fetchall()
    if _is_pg(db):
        login = db.execute_sql("SELECT current_user").fetchone()[0]
        assert rows == [("李督办", login)] and login
        assert changes and {row[0] for row in changes} == {login}
    else:
        assert rows == [("李督办", None)] and changes == [(None,)]  # SQLite has no logins: none made up


# ----------------------------------------------------------------------------- PostgreSQL


PG_ONLY = pytest.mark.pg_only("NOTIFY, logins and a server to lose; SQLite writers take ids in commit order")


@pytest.fixture
def pg_desk(desk_ledger):
    db, ids = desk_ledger
    assert _is_pg(db)
    return db, ids


@PG_ONLY
def test_a_transaction_that_took_a_lower_id_and_committed_later_is_seen(pg_desk):
    """The failure the issue found: an event id below the newest seen, committed after it."""
    db, ids = pg_desk
    watcher = _watcher(db)
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_workstation():
        with db.atomic():  # its own connection (peewee's are per thread)
            actions.urge_division(ids["overdue"], "慢工作站", note="先取号后提交")
            held.set()
            release.wait(10)
        close_database()
        done.set()

    thread = threading.Thread(target=slow_workstation)
    thread.start()
    try:
        assert held.wait(10)
        actions.urge_division(ids["soon"], "快工作站", note="后取号先提交")
        first = _news(watcher)
        assert first.case_ids == {ids["soon"]}
        release.set()
        assert done.wait(10)
        second = _news(watcher)
        assert second.case_ids == {ids["overdue"]}
        slow, fast = (Event.select().where((Event.case == ids[key]) & (Event.kind == "催办")).get().id
                      for key in ("overdue", "soon"))
        assert slow < fast  # the lower id really committed last
    finally:
        release.set()
        thread.join(10)
        watcher.close()


@PG_ONLY
def test_a_raw_update_of_a_case_and_a_huge_write_are_seen(pg_desk):
    db, ids = pg_desk
    watcher = _watcher(db)
    try:
        db.execute_sql('UPDATE "case" SET topic = %s WHERE id = %s', ("改题", ids["soon"]))
        assert _news(watcher).case_ids == {ids["soon"]}
        db.execute_sql('UPDATE "case" SET topic = topic')  # every case in one statement: one notice
        assert _news(watcher).case_ids == set(ids.values())
        db.execute_sql("SELECT pg_notify('duban_ledger', 'all')")  # what a write of too many cases sends
        assert _news(watcher).reload is True
    finally:
        watcher.close()


@PG_ONLY
def test_the_reconcile_catches_a_lost_notice(pg_desk):
    db, ids = pg_desk
    watcher = _watcher(db)
    try:
        actions.urge_division(ids["overdue"], "另一工作站", note="通知丢失")
        time.sleep(0.1)
        watcher._drain()  # the notice is lost, as across a silently dead connection
        assert watcher.news().fired is False
        watcher._next_reconcile = 0.0  # the periodic reconcile is due
        assert ids["overdue"] in watcher.news().case_ids
    finally:
        watcher.close()


@PG_ONLY
def test_a_cut_connection_is_said_then_reconnected_and_a_write_lands(pg_desk, pg_server):
    db, ids = pg_desk
    watcher = _watcher(db)
    try:
        pg_server.terminate(db.duban_target.url)
        time.sleep(0.2)
        with pytest.raises(ConnectionLost):
            watcher.news()
        news = _news(watcher, lambda n: n.reconnected)
        assert news.reconnected and news.reload
        feed.heal(db)
        actions.urge_division(ids["soon"], "重连后", note="连上后保存")
        url = db.duban_target.url
        assert raw_sql(url, "SELECT count(*) FROM event WHERE operator = '重连后'") == [(1,)]
    finally:
        watcher.close()


@PG_ONLY
def test_a_server_restart_refuses_while_down_and_the_next_write_lands(pg_desk, pg_server):
    if not pg_server.can_restart:
        pytest.skip("DUBAN_TEST_PG_URL's server is not ours to restart (the cut-connection test covers it)")
    db, ids = pg_desk
    url = db.duban_target.url
    watcher = _watcher(db)
    try:
        pg_server.go_down()
        try:
            with pytest.raises(ConnectionLost):
                watcher.news()
            feed.heal(db)
            with pytest.raises(Exception) as refused:  # a write while the server is down is refused …
                actions.urge_division(ids["soon"], "停机时", note="服务器停机时保存")
            assert feed.is_connection_lost(refused.value)
        finally:
            pg_server.come_back()
        assert raw_sql(url, "SELECT count(*) FROM event WHERE operator = '停机时'") == [(0,)]  # … whole
        news = _news(watcher, lambda n: n.reconnected, timeout=10)
        assert news.reconnected
        feed.heal(db)  # what the desk's gateway does before every call
        actions.urge_division(ids["soon"], "重启后", note="服务器重启后保存")
        assert raw_sql(url, "SELECT count(*) FROM event WHERE operator = '重启后'") == [(1,)]
        assert Case.get_by_id(ids["soon"]).urge_count == 1
    finally:
        watcher.close()


@PG_ONLY
def test_a_connection_lost_at_commit_says_the_save_may_have_landed(pg_desk, monkeypatch):
    """Not "nothing was saved": the answer to COMMIT never came, so the user is told to look first."""
    import psycopg2

    from store.errors import CommitUncertain

    db, ids = pg_desk

    def lost_at_commit():
        raise psycopg2.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(db, "commit", lost_at_commit)
    with pytest.raises(CommitUncertain, match="可能已经写入.*先看这件的跟进记录"):
        actions.log_follow_up(ids["soon"], "李督办", kind="查办", note="提交时断开")
    monkeypatch.undo()
    monkeypatch.setattr(db, "execute_sql", lambda *a, **k: lost_at_commit())
    with pytest.raises(psycopg2.OperationalError):  # lost before COMMIT: the driver's error, which the
        actions.log_follow_up(ids["soon"], "李督办", kind="查办", note="提交前断开")  # desk calls 未保存
    monkeypatch.undo()
    assert raw_sql(db.duban_target.url, "SELECT count(*) FROM event WHERE note LIKE '提交%%断开'") == [(0,)]
