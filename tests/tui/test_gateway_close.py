"""Quitting never waits for a long read: the store gateway's threads (tui/gateway.py) wait at
close for the office's writes, but a statistics count or report still under way is left to end
with the program — before, the desk lingered up to five seconds after `q` right after it opened
(and the interpreter then joined the read's thread however long it ran)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from desk_helpers import OPERATOR, SIZE, wait_for

from store import actions
from store.statistics_keeper import StatisticsKeeper
from tui.app import DubanApp
from tui.gateway import StoreGateway

ROOT = Path(__file__).resolve().parents[2]


async def test_close_waits_for_a_write_but_not_for_a_long_read(desk):
    _target, ids = desk
    gateway = StoreGateway()
    reading, release = threading.Event(), threading.Event()
    threading.Timer(3.0, release.set).start()  # a read that would end after 3 s: close must not wait

    def long_read():
        reading.set()
        release.wait(20)
        return "read"

    read = gateway.bulk_now(long_read)
    assert reading.wait(10)
    write = gateway.call_now(actions.urge_division, ids["soon"], OPERATOR, note="退出前保存")
    gateway.close()
    assert write.done() and write.exception() is None  # the write was waited for and landed
    assert not read.done()  # the long read was not
    release.set()
    assert read.result(10) == "read"  # left to end by itself


def test_the_gateways_threads_never_hold_the_program_open():
    script = (
        "import threading, time\n"
        "from tui.gateway import StoreGateway\n"
        "gateway = StoreGateway()\n"
        "started = threading.Event()\n"
        "gateway.bulk_now(lambda: (started.set(), time.sleep(60)))\n"
        "gateway.bulk_now(lambda: time.sleep(60))\n"
        "assert started.wait(10)\n"
        "gateway.close()\n"
        "print('closed')\n"
    )
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "closed"
    assert time.monotonic() - began < 45  # not the minute the reads would take


async def test_quitting_while_the_statistics_are_counted_does_not_wait_for_them(desk, monkeypatch):
    counting, release = threading.Event(), threading.Event()
    finished: list[bool] = []
    real = StatisticsKeeper.build

    def slow_build(self, *args, **kwargs):
        counting.set()
        release.wait(20)  # released 3 s on: a desk that waited for it would quit after that
        result = real(self, *args, **kwargs)
        finished.append(True)
        return result

    monkeypatch.setattr(StatisticsKeeper, "build", slow_build)
    threading.Timer(3.0, release.set).start()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: counting.is_set(), timeout=10)
        await pilot.press("q")
    assert not finished  # the desk had quit before the count ended
    release.set()
