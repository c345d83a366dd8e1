"""Garbage collected while the desk is idle (tui/memory.py): only after a key and a quiet spell,
not more often than every EVERY_SECONDS, and a cycle frozen while alive is freed by the next tidy."""

from __future__ import annotations

import gc
import weakref

import pytest

from tui import memory
from tui.memory import Tidying


def test_due_only_after_activity_and_a_quiet_spell():
    tidying = Tidying()
    start = tidying.last_key
    assert not tidying.due(start + 0.5)  # a key just now
    assert tidying.due(start + memory.QUIET_SECONDS + 0.1)
    tidying.tidy()
    assert not tidying.due(tidying.last_tidy + 3600)  # nothing happened since
    tidying.touched()  # a key right after the tidy: quiet again soon, but too soon after the last one
    assert tidying.last_key - tidying.last_tidy < 1
    assert not tidying.due(tidying.last_key + memory.QUIET_SECONDS + 0.1)
    assert tidying.due(tidying.last_tidy + memory.EVERY_SECONDS + memory.QUIET_SECONDS)


class _Node:
    pass


def test_a_cycle_frozen_while_alive_is_freed_by_the_next_tidy():
    node = _Node()
    node.me = node  # a reference cycle, like a screen's widget tree
    alive = weakref.ref(node)
    gc.freeze()  # as a long read's end does, while the "screen" is still open
    try:
        del node  # the screen closes: only the cycle holds it now
        gc.collect()
        assert alive() is not None  # frozen: an ordinary collection never frees it
        Tidying().tidy()
        assert alive() is None
    finally:
        gc.unfreeze()


def test_a_long_reads_freeze_makes_a_tidy_due_without_a_key():
    tidying = Tidying()
    tidying.tidy()
    later = tidying.last_tidy + memory.EVERY_SECONDS + memory.QUIET_SECONDS
    assert not tidying.due(later)
    tidying.frozen(1)  # a refresh on the report thread froze its leftovers; nobody typed
    assert tidying.due(later)
    tidying.tidy()
    tidying.frozen(1)  # the same freeze again: nothing new
    assert not tidying.due(tidying.last_tidy + memory.EVERY_SECONDS + memory.QUIET_SECONDS)


def test_a_sweep_freezes_what_survived_and_tidy_frees_what_it_froze():
    node = _Node()
    node.me = node
    alive = weakref.ref(node)
    tidying = Tidying()
    try:
        assert tidying.settle(tidying.last_key + memory.SWEEP_SECONDS + 0.1)  # quiet: swept, then frozen
        assert len(gc.get_objects(generation=2)) < 100  # frozen: out of every automatic pass
        del node
        gc.collect()
        assert alive() is not None  # frozen while alive (a screen open at the sweep)
        tidying.tidy()
        assert alive() is None
    finally:
        gc.unfreeze()


def test_while_keys_come_nothing_is_frozen_and_a_cheap_sweep_frees_closed_screens(monkeypatch):
    tidying = Tidying()
    tidying.touched()
    node = _Node()
    node.me = node  # a dialog opened and closed while the office keeps typing
    alive = weakref.ref(node)
    del node
    frozen = gc.get_freeze_count()
    assert not tidying.settle(tidying.last_key + 0.1)  # few young passes yet: nothing done
    assert gc.get_freeze_count() == frozen and alive() is not None  # not frozen: the next sweep frees it
    monkeypatch.setattr(memory.gc, "get_count", lambda: (0, 0, memory.SWEEP_AFTER_PASSES))
    monkeypatch.setattr(memory, "SWEEP_AT_MOST", 10 ** 9)
    assert tidying.settle(tidying.last_key + 0.2)  # enough passes, few objects: swept while keys come
    assert alive() is None

    node = _Node()
    node.me = node
    alive = weakref.ref(node)
    monkeypatch.setattr(memory, "SWEEP_AT_MOST", 0)  # too many to walk mid-keystroke
    assert not tidying.settle(tidying.last_key + 0.3)
    del node
    gc.collect()
    assert alive() is not None  # frozen as it was, not walked
    tidying.tidy()
    assert alive() is None


def test_while_the_desk_runs_no_automatic_full_pass_and_after_it_the_collector_as_it_was():
    before = gc.get_threshold()
    tidying = Tidying()
    tidying.start()
    try:
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2] and full == memory.FULL_PASSES_OFF
        tidying.start()  # twice: still restores the collector's own
    finally:
        tidying.stop()
    assert gc.get_threshold() == before


def test_a_quiet_spell_sweeps_what_was_made_since_the_last_freeze_once():
    tidying = Tidying()
    tidying.touched()
    try:
        gc.freeze()  # all before this frozen, as after a sweep
        node = _Node()
        node.me = node  # a closed screen's cycle, made after the freeze
        alive = weakref.ref(node)
        del node
        assert not tidying.settle(tidying.last_key + 0.1)  # keys still coming: not collected yet
        assert alive() is not None
        tidying.tidy()
        assert alive() is None

        tidying.touched()
        node = _Node()
        node.me = node
        alive = weakref.ref(node)
        del node
        assert tidying.settle(tidying.last_key + memory.SWEEP_SECONDS + 0.1)  # quiet: swept first
        assert alive() is None
        assert not tidying.settle(tidying.last_key + memory.SWEEP_SECONDS + 1.1)  # once per quiet spell
        assert len(gc.get_objects(generation=2)) < 100
    finally:
        gc.unfreeze()


def test_give_back_returns_memory_the_allocator_held_free():
    """glibc keeps freed blocks for later; `give_back` (malloc_trim) returns the free pages."""
    def rss_mb() -> float:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

    if not memory.give_back():
        pytest.skip("no malloc_trim here (not glibc)")
    kept, freed = [], []
    for index in range(3000):  # 32 KB blocks, every other one kept: the freed ones are holes
        (kept if index % 2 else freed).append(bytes(32 * 1024))
    before = rss_mb()
    del freed
    held = rss_mb()
    assert memory.give_back()
    after = rss_mb()
    assert before - held < 10  # freed, but the allocator kept most of it
    assert held - after > 30  # given back: the 48 MB of holes, but for what the allocator keeps
    assert len(kept) == 1500


async def test_a_call_that_ran_long_gives_back_its_page_cache_and_freed_memory_after_answering(desk, monkeypatch):
    import threading
    import time as time_module

    from store import queries
    from tui import gateway as gateway_module
    from tui.gateway import StoreGateway

    given: list[tuple[str, object]] = []
    answered = threading.Event()
    real_shrink = gateway_module.shrink_cache

    def shrink():
        given.append((threading.current_thread().name, "shrink"))
        real_shrink()

    monkeypatch.setattr(gateway_module, "shrink_cache", shrink)
    def give_back():  # holds its thread until the caller has the answer: it must have it already
        given.append(("give back", answered.wait(5)))
        return True

    monkeypatch.setattr(memory, "give_back", give_back)
    monkeypatch.setattr(gateway_module, "GIVE_BACK_AFTER", 0.2)

    def slow_read():
        time_module.sleep(0.3)
        return queries.ledger_rows()

    gateway = StoreGateway()
    try:
        await gateway.call(queries.ledger_count)  # a quick call keeps its cache
        await gateway.report(queries.ledger_count)
        assert given == []
        rows = await gateway.call(slow_read)  # a slow one, even on the store thread, gives back
        answered.set()
        await gateway.call(queries.ledger_count)  # queued behind the giving back
        assert rows and given == [("duban-store", "shrink"), ("give back", True)]  # after it answered
        assert await gateway.call(queries.ledger_count) == len(rows)  # the connection reads on
    finally:
        gateway.close()


@pytest.mark.parametrize("desk", ["sqlite", "pg"], indirect=True)
def test_shrink_cache_leaves_the_connection_reading(desk):
    from store.db import close_database, database, shrink_cache

    before = database.obj.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0]
    shrink_cache()
    assert database.obj.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0] == before
    close_database()
    shrink_cache()  # nothing open on this thread: nothing done, no error
    assert database.is_closed()


def test_a_quiet_spells_sweep_and_a_tidy_give_back_what_they_freed(monkeypatch):
    asked = []
    monkeypatch.setattr(memory, "give_back_later", lambda: asked.append(True))
    tidying = Tidying()
    tidying.touched()
    tidying.settle(tidying.last_key + 0.1)  # keys still coming: no sweep, nothing asked
    assert asked == []
    assert tidying.settle(tidying.last_key + memory.SWEEP_SECONDS + 0.1)
    assert asked == [True]
    tidying.tidy()
    assert asked == [True, True]
