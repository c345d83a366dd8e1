"""The bench's measuring tools: output, medians, memory, the garbage collector, frames and idleness.

`FrameClock` notes the first frame that shows an awaited state; `DeskIdle` tells when the desk
has nothing left to do (no worker running, no store call pending, the screen's messages
handled); `timed_press` times one key either through Pilot (raw, to the frame) or idle to
idle, the key sent as the terminal driver sends it (`send_key`).
"""

from __future__ import annotations

import asyncio
import gc
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

SIZE = (160, 48)
TIMEOUT = 60.0
_OUT = sys.__stdout__


def say(text: str) -> None:
    """A human-readable line, written past Textual's capture of stdout."""
    _OUT.write(text + "\n")
    _OUT.flush()


def emit(line: str) -> None:
    """The last line: the JSON report."""
    _OUT.write(line + "\n")
    _OUT.flush()


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else float("nan")


def rss_now_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class GcWatch:
    """Watches the garbage collector in whichever thread.

    Full (generation 2) collections: how many and the CPU each took (`runs`, `longest_ms`).
    Every collection of any generation: its wall-clock pause, start to stop (`longest_pause_ms`)
    — the collector holds the interpreter lock, so that long nothing else in the process runs —
    and where the longest was (`longest_pause_where`: generation and thread). The desk's own
    collection once it has had no key for 2 s (tui/memory.py) is counted apart (`idle_tidies`,
    `longest_tidy_ms`): it falls while nobody types. The bench's own collections (`collect_apart`,
    before it reads the memory) are not the desk's and are not counted at all.
    """

    def __init__(self) -> None:
        self.runs = 0
        self.longest_ms = 0.0
        self.collections = 0
        self.longest_pause_ms = 0.0
        self.longest_pause_where = ""
        self.idle_tidies = 0  # collections the desk ran itself after 2 s without a key (not counted above)
        self.longest_tidy_ms = 0.0
        self._started: dict[int, tuple[float, float]] = {}
        gc.callbacks.append(self._callback)

    def close(self) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        thread = threading.get_ident()
        if phase == "start":
            self._started[thread] = (time.perf_counter(), time.thread_time())
            return
        wall, cpu = self._started.pop(thread, (time.perf_counter(), time.thread_time()))
        if _bench_collecting:
            return
        pause = (time.perf_counter() - wall) * 1000
        from tui import memory

        if memory.tidying_now:  # the desk's own collection while nobody types (tui/memory.py): apart
            self.idle_tidies += 1
            self.longest_tidy_ms = max(self.longest_tidy_ms, pause)
            return
        self.collections += 1
        if pause > self.longest_pause_ms:
            self.longest_pause_ms = pause
            self.longest_pause_where = f"generation {info['generation']} in {threading.current_thread().name}"
        if info["generation"] == 2:
            self.runs += 1
            self.longest_ms = max(self.longest_ms, (time.thread_time() - cpu) * 1000)


_bench_collecting = False


def collect_apart() -> None:
    """A full collection of the bench's own (to read the memory after it), left out of `GcWatch`."""
    global _bench_collecting  # noqa: PLW0603 - read by GcWatch's callback
    _bench_collecting = True
    try:
        gc.collect()
    finally:
        _bench_collecting = False


class FrameClock:
    """Notes when the app puts out a frame, and the first frame that shows an awaited state.

    Headless, the compositor still renders every frame; only the write to the terminal is
    skipped, so the hook serialises each frame as `App._display` would for a terminal.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.frames = 0
        self.last = 0.0
        self._waits: list[tuple[Callable[[], bool], asyncio.Future]] = []
        self._original = app._display
        app._display = self._display

    def _display(self, screen, renderable) -> None:
        self._original(screen, renderable)
        if renderable is None or self.app._batch_count:
            return
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            render(self.app.console)
        now = time.perf_counter()
        self.frames += 1
        self.last = now
        for wait in list(self._waits):
            predicate, future = wait
            if future.done():
                self._waits.remove(wait)
                continue
            try:
                shown = predicate()
            except Exception:  # noqa: BLE001 - a half-built screen: not shown yet
                shown = False
            if shown:
                future.set_result(now)
                self._waits.remove(wait)

    def expect(self, predicate: Callable[[], bool]) -> asyncio.Future:
        """A future set to the time of the first frame at which `predicate()` holds."""
        future = asyncio.get_running_loop().create_future()
        self._waits.append((predicate, future))
        return future


class DeskIdle:
    """Whether the desk has nothing left to do.

    Counts the store calls in flight by wrapping `StoreGateway._run` (every `call` and `bulk`
    goes through it) for as long as the bench runs, and looks at the app's workers (every
    screen's `@work` and `run_worker` lands in `app.workers`).
    """

    def __init__(self) -> None:
        from tui.gateway import StoreGateway

        self.pending = 0
        self._gateway = StoreGateway
        self._original = StoreGateway._run
        watch = self

        async def counted(gateway, executor, fn, *args, **kwargs):
            watch.pending += 1
            try:
                return await watch._original(gateway, executor, fn, *args, **kwargs)
            finally:
                watch.pending -= 1

        StoreGateway._run = counted

    def close(self) -> None:
        self._gateway._run = self._original

    def busy(self, app) -> list[str]:
        """What is still going on (empty: idle)."""
        from textual.worker import WorkerState

        going = [f"worker {w.group}/{w.name}" for w in app.workers
                 if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if self.pending:
            going.append(f"{self.pending} store call(s)")
        return going


async def frame_time(future: asyncio.Future, started: float, timeout: float = 5.0) -> float | None:
    """Milliseconds from `started` to the awaited frame (None: no such frame came)."""
    try:
        return round((await asyncio.wait_for(future, timeout) - started) * 1000, 1)
    except TimeoutError:
        return None


async def wait_until(pilot, condition: Callable[[], bool], what: str, step: float = 0.005) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await pilot.pause(step)


async def wait_idle(pilot, idle: DeskIdle, condition: Callable[[], bool] = lambda: True, what: str = "idle",
                    step: float = 0.002, timeout: float = TIMEOUT) -> float:
    """Wait until `condition()` holds and the desk is idle; the perf_counter time it first was.

    Each look first lets the current screen and its widgets handle every message already
    posted to them (`Pilot._wait_for_screen`), then checks workers, store calls and the app's
    own message queue.
    """
    app = pilot.app
    deadline = time.perf_counter() + timeout
    while True:
        await pilot._wait_for_screen()
        now = time.perf_counter()
        if condition() and not idle.busy(app) and app._message_queue.empty():
            return now
        if now > deadline:
            raise TimeoutError(f"timed out waiting for {what} (busy: {idle.busy(app)})")
        await asyncio.sleep(step)


def send_key(app, key: str) -> None:
    """Send `key` as the terminal driver does (`driver.send_message`), with none of Pilot's waits."""
    import unicodedata

    from textual import events
    from textual.keys import (
        REPLACED_KEYS,
        _character_to_key,
        _get_unicode_name_from_key,
    )

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def timed_press(pilot, frames: FrameClock, key: str, done: Callable[[], bool], what: str,
                      idle: DeskIdle | None = None, timeout: float = TIMEOUT
                      ) -> tuple[float | None, float | None, float | None]:
    """One key, timed one of two ways: (raw ms, ms to the first frame showing `done`, idle ms).

    Without `idle`: raw and frame. Raw is `pilot.press`, poll until `done()`, `pilot.pause()`,
    as the bench always took it; frame runs from the same start.
    With `idle`, idle to idle only: the desk made idle first, the key sent as the driver sends
    it (`send_key`), until a frame showing `done()` has been put out (unless `frames` is None:
    the no-op key paints nothing), `done()` still holds and the desk is idle again (`wait_idle`).
    """
    if idle is not None:
        await wait_idle(pilot, idle, what="idle before " + what, timeout=timeout)
        painted = frames.expect(done) if frames is not None else None
        started = time.perf_counter()
        send_key(pilot.app, key)
        settled = await wait_idle(pilot, idle, lambda: (painted is None or painted.done()) and done(), what,
                                  timeout=timeout)
        return None, None, round((settled - started) * 1000, 1)
    future = frames.expect(done)
    started = time.perf_counter()
    await pilot.press(key)
    await wait_until(pilot, done, what)
    await pilot.pause()
    raw = round((time.perf_counter() - started) * 1000, 1)
    return raw, await frame_time(future, started), None


def net(result: dict[str, Any], key: str, values: list[float]) -> None:
    """`key` (e.g. `filter_ms_net`): the median of idle-to-idle `values` less the harness floor."""
    result[key] = round(median(values) - result["noop_idle_ms"], 1) if values else None
