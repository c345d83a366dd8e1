"""The UI's only door to the store: every call runs off the UI thread.

Three single-thread executors, each keeping one database connection for its life:
`call` for quick reads and the office's writes (in order, one at a time), `bulk` for the
long read that loads the whole ledger, and `report` for the other long reads (the statistics,
the division board, exports and reports), so that a save or a case never waits behind them. Screens `await`
these from async workers; store errors come back as exceptions with Chinese messages. On a
PostgreSQL ledger a connection the server dropped is renewed before the next call
(`store.feed.heal`), and a call that lost it raises `ConnectionLost`: nothing was written.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, TypeVar

from store.db import close_database, database, describe_db_error
from store.errors import ConnectionLost, LedgerError
from store.feed import LOST, drop_connection, heal, is_connection_lost, is_postgres

T = TypeVar("T")


class StoreGateway:
    """Runs store functions on worker threads and hands back their results."""

    def __init__(self) -> None:
        self._quick = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duban-store")
        self._bulk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duban-bulk")
        self._report = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duban-report")
        self._closed = False
        self._refusal: str | None = None

    def warm_up(self, fn: Callable[[], Any]) -> None:
        """Run `fn` on the store thread now, ahead of the first call (its result is dropped)."""
        self._quick.submit(_guarded, fn)

    def refuse_writes(self, message: str) -> None:
        """From now on every call fails with `message` (a damaged ledger)."""
        self._refusal = message

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn` on the store thread; raise LedgerError with a readable message on failure."""
        return await self._run(self._quick, fn, *args, **kwargs)

    async def bulk(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run the whole ledger's load on its own thread, beside `call` (`collector_paused`)."""
        return await self._run(self._bulk, fn, *args, long=True, **kwargs)

    async def report(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a long read (statistics, the board, an export or a report) on a thread of its own,
        beside `call` and `bulk`: nothing the office saves or opens meanwhile waits for it
        (`collector_paused`)."""
        return await self._run(self._report, fn, *args, long=True, **kwargs)

    async def _run(self, executor: ThreadPoolExecutor, fn, *args, long: bool = False, **kwargs):
        if self._closed:
            raise LedgerError("程序正在退出。")
        if self._refusal is not None:
            raise LedgerError(self._refusal)
        future = executor.submit(_guarded_long if long else _guarded, partial(fn, *args, **kwargs))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Close every thread's connection and stop the threads."""
        if self._closed:
            return
        self._closed = True
        for executor in (self._quick, self._bulk, self._report):
            try:
                executor.submit(close_database).result(timeout=5)
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
            executor.shutdown(wait=False, cancel_futures=True)


_paused = 0  # long reads under way with the collector paused
freezes = 0  # how many times a long read's end froze what was alive (tui/memory.py collects later)
_pause_lock = threading.Lock()


@contextmanager
def collector_paused():
    """No garbage collection while a long read builds its result, then freeze what it built.

    A whole ledger, the statistics' facts or a report is a million objects or more; made with
    the collector on, they set off full collections (100–400 ms each, and the UI thread stops
    for whichever thread's collection it is) that find nothing to free. Paused while any long
    read runs, and at the end of the last one everything alive is frozen (`gc.freeze`: left out
    of every later collection), so the collections while the office types see only what was
    made since. Frozen objects are still freed when nothing refers to them; only a reference
    cycle made during a long read would stay (the store's results hold none)."""
    global _paused, freezes  # noqa: PLW0603 - one count for the process: the collector is one
    with _pause_lock:
        _paused += 1
        if _paused == 1:
            gc.disable()
    try:
        yield
    finally:
        with _pause_lock:
            _paused -= 1
            if _paused == 0:
                gc.freeze()  # before enabling: else the first allocation after sets off a full collection
                freezes += 1
                gc.enable()


def long_reads_running() -> bool:
    """Whether a long read is under way (the collector is paused for it)."""
    return _paused > 0


def _guarded_long(fn):
    with collector_paused():
        return _guarded(fn)


def _guarded(fn):
    db = database.obj
    try:
        heal(db)  # a connection the server closed (or older than a reconnect) is renewed first
        return fn()
    except LedgerError:
        raise
    except Exception as exc:  # a driver error: locked, read-only, disk full, a lost server …
        if db is not None and is_postgres(db) and is_connection_lost(exc):
            drop_connection(db)  # the next call connects again
            raise ConnectionLost(LOST) from exc
        raise LedgerError(describe_db_error(exc)) from exc
