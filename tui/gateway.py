"""The UI's only door to the store: every call runs off the UI thread.

Three threads of its own (`StoreThread`), each keeping one database connection for its life:
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
import queue
import threading
import time
from concurrent.futures import Future
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, TypeVar

from store.db import close_database, database, describe_db_error, shrink_cache
from store.errors import ConnectionLost, LedgerError
from store.feed import LOST, drop_connection, heal, is_connection_lost, is_postgres
from tui import memory

T = TypeVar("T")


class StoreGateway:
    """Runs store functions on worker threads and hands back their results."""

    def __init__(self) -> None:
        self._quick = StoreThread("duban-store")
        self._bulk = StoreThread("duban-bulk")
        self._report = StoreThread("duban-report")
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

    def call_now(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
        """Start `fn` on the store thread now, with no event loop needed (before the desk runs);
        `await gateway.outcome(future)` takes its result or its error, as `call` would give them."""
        return self._submit(self._quick, fn, *args, **kwargs)

    def bulk_now(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
        """Start `fn` on the bulk thread now, as `bulk` would (`call_now`)."""
        return self._submit(self._bulk, fn, *args, long=True, **kwargs)

    async def outcome(self, future: Future) -> Any:
        """The result of a call started with `call_now` or `bulk_now`."""
        return await asyncio.wrap_future(future)

    async def _run(self, executor: StoreThread, fn, *args, long: bool = False, **kwargs):
        return await asyncio.wrap_future(self._submit(executor, fn, *args, long=long, **kwargs))

    def _submit(self, executor: StoreThread, fn, *args, long: bool = False, **kwargs) -> Future:
        if self._closed:
            raise LedgerError("程序正在退出。")
        if self._refusal is not None:
            raise LedgerError(self._refusal)
        return executor.submit(_guarded_long if long else _guarded, partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Close every thread's connection and stop the threads. The store thread's writes are
        waited for (up to 5 s); a long read still under way (the statistics being counted, a
        report) is not: its thread is left to end with the program, as nothing waits for what
        it reads — so quitting right after the desk opens takes no longer than later."""
        if self._closed:
            return
        self._closed = True
        for thread in (self._quick, self._bulk, self._report):
            thread.cancel_pending()
            if thread is self._quick or not thread.busy:
                try:
                    thread.submit(close_database).result(timeout=5 if thread is self._quick else 1)
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass
            thread.stop()


GIVE_BACK_AFTER = 0.25
"""Seconds: a call that ran longer (a whole ledger, the statistics, the week's first checklist)
gives back the memory it used once it has answered (`_give_back`): at 100,000 cases the start
leaves 16 MB less behind, the week's first `w` 5 MB."""


class StoreThread:
    """One thread running the calls given to it in order, each answered through its `Future`.

    A daemon thread, unlike `concurrent.futures`' workers (which the interpreter joins at exit):
    a long read left running at quit never holds the program open. Started at the first call."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.busy = False  # a call is under way
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future:
        future: Future = Future()
        self._jobs.put((future, fn, args))
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
                self._thread.start()
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args = job
            if not future.set_running_or_notify_cancel():
                continue
            self.busy = True
            started = time.monotonic()
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
                future.set_exception(exc)
            finally:
                self.busy = False
                del job, future, fn, args  # what it read goes with its caller, not with this idle thread
            if time.monotonic() - started > GIVE_BACK_AFTER:  # after the answer: nobody waits for it
                _guarded_quietly(_give_back)

    def cancel_pending(self) -> None:
        """Cancel the calls not yet started."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is None:
                self._jobs.put(None)
                return
            job[0].cancel()

    def stop(self) -> None:
        """End the thread once the call under way (if any) returns."""
        self._jobs.put(None)


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


def _give_back() -> None:
    """After a call that ran long, on its thread: the pages its connection kept (store.db
    `shrink_cache`: the next read finds them in the system's cache) and what the C allocator
    holds free (tui/memory.py `give_back`) go back to the system."""
    shrink_cache()
    memory.give_back()


def _guarded_quietly(fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 - memory hygiene: never an error anybody sees
        pass


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
