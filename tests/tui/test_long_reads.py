"""Issue 14: a long read never holds up a write. At 20,000 cases counting the statistics' facts
takes a while (the desk does it on the report thread, with a connection of its own, once the
ledger is loaded); a follow-up saved meanwhile lands at once, and `s` then shows it counted."""

from __future__ import annotations

import asyncio
import threading
import time

import fixtures
from desk_helpers import OPERATOR, SIZE, wait_for

from store import actions, clock
from store.db import close_database, database, open_database
from tui.app import DubanApp
from store.statistics_keeper import StatisticsKeeper
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
    real = StatisticsKeeper.build

    def timed(self, *args, **kwargs):
        first = not started.is_set()  # the desk's own count, right after the ledger is loaded
        if first:
            times["statistics_started"] = time.monotonic()
            started.set()
        try:
            return real(self, *args, **kwargs)
        finally:
            if first:
                times["statistics_done"] = time.monotonic()

    monkeypatch.setattr(StatisticsKeeper, "build", timed)
    try:
        async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded, timeout=60)
            assert await asyncio.to_thread(started.wait, 30)
            await app.gateway.call(actions.log_follow_up, case_id, OPERATOR, kind="沟通", method="电话", stage="办中",
                                   note="统计期间保存")
            times["write_done"] = time.monotonic()
            await wait_for(pilot, lambda: "statistics_done" in times, timeout=120)
            assert times["statistics_started"] < times["write_done"] < times["statistics_done"], times
            # The follow-up is in the figures `s` shows (the keeper took it in), as plain SQL counts it.
            await pilot.pause(1.5)  # the desk's next look brings the case in and refreshes the keeper
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, StatisticsScreen) and app.screen.view is not None,
                           timeout=60)
            shown = app.screen.view.stats.contacts_by_method["电话"]
        (counted,), = database.obj.execute_sql(
            "SELECT COUNT(*) FROM event WHERE kind = '沟通' AND method = '电话' AND id NOT IN "
            "(SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL)").fetchall()
        assert shown == counted
        rows = database.obj.execute_sql("SELECT COUNT(*) FROM event WHERE note = '统计期间保存'").fetchall()
        assert rows == [(1,)]
    finally:
        clock.fix_today(None)
        close_database()
