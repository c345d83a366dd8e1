"""The change feed: how a desk learns, cheaply and without missing any, what was committed.

PostgreSQL: the ledger's triggers (store.ledger_schema.feed_trigger_sql) NOTIFY `FEED_CHANNEL`
inside every writing statement, naming the cases written (`c:12,15`) or the table (`t:session`).
The server delivers a notice at commit, in commit order, and never for a rolled-back write, so a
transaction that took a low event id and committed late is seen like any other, and so are
writes that leave no event (a new session, the calendar, a rule). `ChangeWatcher` LISTENs on a
connection of its own and drains what arrived; watching costs one poll of a socket, whatever the
ledger's size. Every `RECONCILE_SECONDS` it also reads the cases with events newer than the
newest id seen a minute before, and the newest change record (indexed reads of recent rows, so
bounded by activity, not by size): that catches anything a silently dead connection let through.
On a standby server, which refuses LISTEN, it reconciles on every look instead.

When the server goes away the watcher raises `ConnectionLost` (the desk says 连接已断开，正在重连…)
and tries again on each look, at most every `RECONNECT_PAUSE` seconds; once back, its news says
`reconnected` and asks for a whole reload, since notices sent meanwhile are gone. `heal()` lets
every store thread drop a connection the server has closed, so that the next call opens a new one.

SQLite: `PRAGMA data_version` on the watcher's own connection changes with any other connection's
commit. Writers serialize on the file, so event ids are in commit order and the cases with events
after the newest one seen are exactly the new ones. A commit that brings neither an event nor a
change record nor a row in one of the office's small tables (`SETTINGS_TABLES`) is still seen:
the desk reloads everything rather than guess.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

from peewee import Database

from store.errors import ConnectionLost

RECONCILE_SECONDS = 30.0
RECONCILE_WINDOW = 60.0
"""A reconcile reads the cases with events newer than the newest event id seen this long ago."""
RECONNECT_PAUSE = 2.0
IDLE_PING_SECONDS = 30.0
"""A store thread's connection idle this long is pinged before it is used (`heal`): a server's
idle timeout or a firewall may have cut it silently, and the user's save should not find out."""

RELOAD_TABLES = frozenset({"session", "division", "person", "proposer", "calendar_day", "calendar_year",
                           "change_record", "duban_meta"})
"""A write to one of these may change every row the desk shows (names, deadlines): reload all."""

SETTINGS_TABLES = ("session", "division", "person", "proposer", "calendar_day", "calendar_year", "weekly_review")
"""SQLite: small tables whose newest row ids tell apart a commit that wrote no event; a
new row in any but the last (a week's review list, which no row shows) reloads the ledger."""

LOST = ("与数据库服务器的连接已断开，正在重连…本次未保存，已填写的内容仍在；"
        "连上后（屏幕上方会显示“已重新连接”）请再保存。")
"""What a call refused during an outage says (the entry stays in its dialog)."""

_generation = 0
"""Bumped at each reconnect: a store thread's older connection is dropped by `heal`."""


@dataclass(frozen=True)
class News:
    """What was committed since the previous look."""

    fired: bool = False  # anything at all
    case_ids: frozenset[int] = field(default_factory=frozenset)  # cases written
    reload: bool = False  # something every row may depend on changed (or notices were lost)
    reconnected: bool = False  # the server is back after an outage
    newest_event: int = 0  # the newest event id taken in (SQLite: where the next look starts)
    newest_change: int = 0  # the newest change record id seen


def is_postgres(db: Database) -> bool:
    target = getattr(db, "duban_target", None)
    return target is not None and target.kind == "postgresql"


def heal(db: Database | None) -> None:
    """On this thread: drop a PostgreSQL connection the server closed, one older than the last
    reconnect, or one that fails a ping after `IDLE_PING_SECONDS` unused, so that peewee opens a new
    one on the next query. Call it outside any transaction."""
    if db is None or not is_postgres(db):
        return
    state = db._state
    conn = state.conn
    now = time.monotonic()
    if conn is not None and not db.in_transaction():
        stale = getattr(conn, "closed", 0) or getattr(state, "duban_generation", _generation) != _generation
        if not stale and now - getattr(state, "duban_used", now) > IDLE_PING_SECONDS:
            try:
                with conn.cursor() as cursor:
                    cursor.execute("SELECT 1")
                conn.rollback()  # peewee's connections are not in autocommit: end the ping's transaction
            except Exception:  # noqa: BLE001 - dead: a new connection is opened for the call
                stale = True
        if stale:
            drop_connection(db)
    state.duban_generation = _generation
    state.duban_used = now


def drop_connection(db: Database) -> None:
    """Forget this thread's connection (closing it if it still can be), whatever state it is in."""
    conn = db._state.conn
    db._state.reset()
    if conn is not None:
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - a dead connection may refuse even to close
            pass


def is_connection_lost(exc: BaseException) -> bool:
    """Did `exc` come from a connection to the server that is gone (or cannot be made)?"""
    from store.db_errors import connection_lost

    return connection_lost(exc)


class ChangeWatcher:
    """Tells what anyone committed since the last look. Create and use it on one thread."""

    def __init__(self, db: Database, newest_event: int = 0, newest_change: int = 0) -> None:
        from store.db import _read_uri

        self._db = db
        self._pg = is_postgres(db)
        self._sqlite: sqlite3.Connection | None = None
        self._listener = None
        self._lost_since: float | None = None
        self._next_attempt = 0.0
        self._next_reconcile = time.monotonic() + RECONCILE_SECONDS
        self._marks = [(time.monotonic(), newest_event)]  # (when, the newest event id then), a minute's worth
        self._listening = True  # False on a standby server, where LISTEN is refused: reconcile each look
        self._carry_ids: set[int] = set()  # news handed out and not applied (`requeue`)
        self._carry_reload = False
        self.newest_event = newest_event
        self.newest_change = newest_change
        if self._pg:
            try:
                self._listener = self._listen()
            except Exception as exc:  # noqa: BLE001 - the server is away: the first look says so
                if not is_connection_lost(exc):
                    raise
                self._lost_since = time.monotonic()
        else:
            target = db.duban_target
            self._sqlite = sqlite3.connect(_read_uri(db, target), uri=True, timeout=8, check_same_thread=False)
            self._version = self._data_version()
            self._fingerprint = self._settings_fingerprint()

    # -------------------------------------------------------------------------- both engines

    def changed(self) -> bool:
        """True when anything was committed since the previous look (the news is then dropped)."""
        return self.news().fired

    def news(self, *, force: bool = False) -> News:
        """What was committed since the previous look; `force`: also every event after the newest
        seen (after a whole reload). Raises ConnectionLost while the server cannot be reached."""
        news = self._pg_news(force) if self._pg else self._sqlite_news(force)
        if not (self._carry_ids or self._carry_reload):
            return news
        merged = News(True, news.case_ids | frozenset(self._carry_ids), news.reload or self._carry_reload,
                      news.reconnected, news.newest_event, news.newest_change)
        self._carry_ids, self._carry_reload = set(), False
        return merged

    def start_at(self, newest_event: int, newest_change: int) -> None:
        """The marks of a first look made after this watcher began to listen."""
        self.newest_event, self.newest_change = newest_event, newest_change
        self._marks = [(time.monotonic(), newest_event)]

    def requeue(self, news: News) -> None:
        """Hand `news` back: the caller could not apply it (reading the rows failed); the next
        look returns it again, with whatever is new by then."""
        self._carry_ids |= set(news.case_ids)
        self._carry_reload = self._carry_reload or news.reload

    def close(self) -> None:
        for conn in (self._sqlite, self._listener):
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass
        self._sqlite = self._listener = None

    def _events_after(self, since: int) -> tuple[set[int], int]:
        from store.queries import cases_changed_since

        ids, newest = cases_changed_since(since)
        return set(ids), newest

    # -------------------------------------------------------------------------------- SQLite

    def _data_version(self) -> int:
        return self._sqlite.execute("PRAGMA data_version").fetchone()[0]

    def _settings_fingerprint(self) -> tuple:
        """The newest row id of each of `SETTINGS_TABLES` (nothing is deleted from them, and a
        change to a row leaves a change record): read from the end of each table, not counted."""
        parts = ", ".join(f'(SELECT MAX(rowid) FROM "{t}")' for t in SETTINGS_TABLES)
        return tuple(self._sqlite.execute(f"SELECT {parts}").fetchone())

    def _sqlite_news(self, force: bool) -> News:
        from store.changes import latest_change_id

        version = self._data_version()
        if version == self._version and not force:
            return News(newest_event=self.newest_event, newest_change=self.newest_change)
        case_ids, newest = self._events_after(self.newest_event)
        change = latest_change_id()
        fingerprint = self._settings_fingerprint()
        self._version = version  # only once the reads above succeeded: a failed look is looked at again
        reload = change > self.newest_change or fingerprint[:-1] != self._fingerprint[:-1]
        explained = bool(case_ids) or reload or force or fingerprint != self._fingerprint
        self._fingerprint = fingerprint
        self.newest_event, self.newest_change = max(newest, self.newest_event), max(change, self.newest_change)
        return News(True, frozenset(case_ids), reload or not explained, False, self.newest_event, self.newest_change)

    # ---------------------------------------------------------------------------- PostgreSQL

    def _listen(self):
        import psycopg2

        from store.ledger_schema import FEED_CHANNEL

        params = dict(self._db.connect_params)
        # A read-only desk's option (default_transaction_read_only) is kept: LISTEN is allowed.
        conn = psycopg2.connect(dbname=self._db.database, **params)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"LISTEN {FEED_CHANNEL}")
            self._listening = True
        except psycopg2.Error as exc:
            if getattr(exc, "pgcode", None) != "25006":  # a standby in recovery refuses LISTEN
                conn.close()
                raise
            self._listening = False  # then every look reconciles (indexed reads of recent rows)
        return conn

    def _pg_news(self, force: bool) -> News:
        global _generation  # noqa: PLW0603 - one counter for every thread's connection

        reconnected = False
        if self._listener is None or self._lost_since is not None:
            if time.monotonic() < self._next_attempt:
                raise ConnectionLost(LOST)
            self._next_attempt = time.monotonic() + RECONNECT_PAUSE
            try:
                self._listener = self._listen()
                self._renew_own_connection()
            except Exception as exc:  # noqa: BLE001 - still down: try again on a later look
                self._drop_listener()
                drop_connection(self._db)
                if not is_connection_lost(exc):
                    raise
                raise ConnectionLost(LOST) from None
            _generation += 1  # every other thread's connection predates the outage: renew it
            self._lost_since = None
            reconnected = True
        try:
            payloads = self._drain()
            case_ids, reload = _read_payloads(payloads)
            if force or not self._listening or time.monotonic() >= self._next_reconcile:
                recent, reload_too = self._reconcile(force)
                case_ids |= recent
                reload = reload or reload_too
        except Exception as exc:
            if not (isinstance(exc, ConnectionLost) or is_connection_lost(exc)):
                raise
            self._lost(exc)
            raise ConnectionLost(LOST) from None
        fired = bool(payloads) or bool(case_ids) or reload or reconnected
        return News(fired, frozenset(case_ids), reload or reconnected, reconnected, self.newest_event,
                    self.newest_change)

    def _drain(self) -> list[str]:
        conn = self._listener
        conn.poll()  # reads what the socket holds, without waiting (a notice may be microseconds away)
        fatal = any(notice.startswith("FATAL") for notice in conn.notices)  # the server's goodbye, read
        conn.notices.clear()  # by the first poll after it: the socket's end shows only at the next
        if conn.closed or fatal:
            raise ConnectionLost(LOST)
        payloads = [notice.payload for notice in conn.notifies]
        conn.notifies.clear()
        return payloads

    def _reconcile(self, force: bool) -> tuple[set[int], bool]:
        """Cases with events newer than the newest event id seen `RECONCILE_WINDOW` ago (so a
        transaction that took its id up to a minute before it committed is caught too), and whether
        a change record is new; on the listener's connection (autocommit: it sees what is committed)."""
        now = time.monotonic()
        self._next_reconcile = now + RECONCILE_SECONDS
        older = [mark for when, mark in self._marks if when <= now - RECONCILE_WINDOW]
        low = max(older) if older else min(mark for _when, mark in self._marks)
        with self._listener.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM event")
            newest = cursor.fetchone()[0]
            cursor.execute("SELECT DISTINCT case_id FROM event WHERE id > %s", (low,))
            recent = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM change_record")
            change = cursor.fetchone()[0]
        self._marks = [(when, mark) for when, mark in self._marks if when > now - 2 * RECONCILE_WINDOW]
        self._marks.append((now, newest))
        reload = change > self.newest_change
        self.newest_event, self.newest_change = max(newest, self.newest_event), max(change, self.newest_change)
        return recent, reload

    def _renew_own_connection(self) -> None:
        """This thread's peewee connection predates the outage: test it, and open a new one."""
        try:
            self._db.execute_sql("SELECT 1")
        except Exception as exc:  # noqa: BLE001
            if not is_connection_lost(exc):
                raise
            drop_connection(self._db)
            self._db.execute_sql("SELECT 1")

    def _lost(self, exc: BaseException) -> None:
        global _generation  # noqa: PLW0603

        self._drop_listener()
        self._lost_since = time.monotonic()
        self._next_attempt = 0.0  # the first attempt right away, on the next look
        _generation += 1
        drop_connection(self._db)

    def _drop_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except Exception:  # noqa: BLE001
                pass
        self._listener = None
        if self._lost_since is None:
            self._lost_since = time.monotonic()


def _read_payloads(payloads: list[str]) -> tuple[set[int], bool]:
    """Case ids named by `c:` notices, and whether a notice asks for a whole reload."""
    case_ids: set[int] = set()
    reload = False
    for payload in payloads:
        if payload.startswith("c:"):
            case_ids.update(int(part) for part in payload[2:].split(",") if part.isdigit())
        elif payload.startswith("t:"):
            reload = reload or payload[2:] in RELOAD_TABLES
        else:  # "all": more cases than a notice can name
            reload = True
    return case_ids, reload
