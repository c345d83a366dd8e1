"""Issue 14: a long read never holds up a write. At 20,000 cases the statistics (`s`) take a
while; a follow-up saved meanwhile lands at once, because the statistics run on the gateway's
report thread, with a connection of their own, not on the thread that writes."""

from __future__ import annotations

import asyncio
import threading
import time

import fixtures
from desk_helpers import OPERATOR, SIZE, wait_for

from store import actions, clock
from store.db import close_database, database, open_database
from tui.app import DubanApp
from tui.screens import statistics as statistics_screen
from tui.screens.ledger import LedgerScreen
from tui.screens.statistics import StatisticsScreen

CASES = 20_000


async def test_a_write_made_while_the_statistics_compute_does_not_wait_for_them(tmp_path, monkeypatch):
    path = tmp_path / "large.db"
    open_database(path)
    today = clock.today()
    fixtures.seed("synthetic", cases=CASES, today=today)
    clock.fix_today(today)
    (case_id,), = database.obj.execute_sql('SELECT MIN(id) FROM "case"').fetchall()
    times: dict[str, float] = {}
    started = threading.Event()
    real = statistics_screen.read_statistics

    def timed(*args, **kwargs):
        first = not started.is_set()  # the screen reads again when the ledger changes: time the first
        if first:
            times["statistics_started"] = time.monotonic()
            started.set()
        try:
            return real(*args, **kwargs)
        finally:
            if first:
                times["statistics_done"] = time.monotonic()

    monkeypatch.setattr(statistics_screen, "read_statistics", timed)
    try:
        async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded, timeout=60)
            await pilot.press("s")
            assert await asyncio.to_thread(started.wait, 30)
            await app.gateway.call(actions.log_follow_up, case_id, OPERATOR, kind="查办", note="统计期间保存")
            times["write_done"] = time.monotonic()
            await wait_for(pilot, lambda: "statistics_done" in times and isinstance(app.screen, StatisticsScreen)
                           and app.screen.view is not None, timeout=60)
        assert times["statistics_started"] < times["write_done"] < times["statistics_done"], times
        rows = database.obj.execute_sql("SELECT COUNT(*) FROM event WHERE note = '统计期间保存'").fetchall()
        assert rows == [(1,)]
    finally:
        clock.fix_today(None)
        close_database()
