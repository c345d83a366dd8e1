"""Garbage collection kept out of the office's way: collect while the desk is idle, not mid-keystroke.

The whole ledger, the statistics' facts and every long read's result are frozen when they are
built (tui/gateway.py `collector_paused`), so the collector's automatic passes see only what was
made since. But screens opened and closed, Textual's caches and the rows a write brings in pile
up, and a full pass over them lands on a random key (60–150 ms at any ledger size); and a
reference cycle that was frozen while alive (a screen open at the time, closed later) would
otherwise stay forever. So, once the desk has had no key for `QUIET_SECONDS` and no long read is
running, after any activity and at most every `EVERY_SECONDS`: everything is unfrozen, collected
once, and what survives frozen again. The pause falls while nobody types.

Even a second's worth of objects is 10–40 ms for a full pass right after a screen is built (a
drawn frame is thousands of Textual strips, each with seven small caches). So while the desk
runs (`start` to `stop`) the collector's automatic full passes are off: its young passes still
free the short-lived cycles, and what lived longer is collected by the desk itself (`settle`,
every second): once the desk has had no key for `SWEEP_SECONDS`, the objects made since the last
freeze (only those: the frozen are not walked) are collected, then frozen; while keys keep
coming, once `SWEEP_AFTER_PASSES` young passes have moved objects up, the same sweep if at most
`SWEEP_AT_MOST` objects are unfrozen (about 5 ms), else they are frozen as they are. Nothing is
frozen otherwise: a dialog or screen opened and closed between two sweeps is freed by the next
one; one frozen while open waits for the next `tidy`. (Before, everything was frozen every
second, and each screen the office opened and closed while it kept typing stayed in memory
until a tidy: at 100,000 cases the desk in tmux grew 10 MB a round of d w : s enter u f, round
after round; now it levels off.)

Memory freed is not always given back to the system: the C allocator keeps what it freed for
later. After a store call that ran long (tui/gateway.py `GIVE_BACK_AFTER`, on its thread), after
a quiet spell's sweep and after each `tidy`, `give_back` asks it to return what it holds free
(glibc's `malloc_trim`; elsewhere nothing), off the UI thread: at 100,000 cases, after the whole
ledger and the statistics are read, 10–16 MB (with the calls' SQLite page caches let go,
store.db `shrink_cache`).
"""

from __future__ import annotations

import gc
import time

QUIET_SECONDS = 2.0
EVERY_SECONDS = 10.0
SWEEP_SECONDS = 0.5
SWEEP_AFTER_PASSES = 10
"""Young (second-generation) passes since the last sweep after which `settle` sweeps even while
keys come — Python's own third threshold, taken at the desk's moment instead of mid-keystroke."""
SWEEP_AT_MOST = 20_000
"""Objects not frozen that a sweep while keys come may walk (about 5 ms); more are frozen as they are."""
FULL_PASSES_OFF = 1_000_000
"""The third threshold while the desk runs: a full pass only after a million young passes (never, in practice)."""
tidying_now = False  # a tidy's own collection is under way


class Tidying:
    """When to collect: told of each key (`touched`), asked every second (`due`)."""

    def __init__(self) -> None:
        self.last_key = time.monotonic()
        self.last_tidy = 0.0
        self.active = True  # something happened since the last tidy
        self._freezes = 0
        self._swept = False  # the objects made since the last key were collected by `settle`
        self._thresholds: tuple[int, int, int] | None = None  # the collector's own, while the desk runs

    def start(self) -> None:
        """The desk is up: the collector's automatic full passes off (see the module's docstring)."""
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, FULL_PASSES_OFF)

    def stop(self) -> None:
        """The desk closes: the collector as it was."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def touched(self) -> None:
        self.last_key = time.monotonic()
        self.active = True
        self._swept = False

    def frozen(self, count: int) -> None:
        """`count`: the freezes so far (tui/gateway.py); a new one makes a tidy due even with no
        key pressed (a desk left open while other workstations write)."""
        if count != self._freezes:
            self._freezes = count
            self.active = True

    def due(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return self.active and now - self.last_key >= QUIET_SECONDS and now - self.last_tidy >= EVERY_SECONDS

    def settle(self, now: float | None = None) -> bool:
        """Sweep, when no key came for `SWEEP_SECONDS` (once a quiet spell) or `SWEEP_AFTER_PASSES`
        young passes piled objects up since the last sweep: collect the objects made since the
        last freeze (a closed screen's cycles), walking only them, then freeze what survived
        (Textual's render caches and the rows a write brought in, which would otherwise pile up in
        the oldest generation: a full pass over them took 140 ms at 100,000 cases). True when it
        swept."""
        now = time.monotonic() if now is None else now
        quiet = now - self.last_key >= SWEEP_SECONDS
        if quiet and not self._swept:
            gc.collect()
            gc.freeze()
            self._swept = True
            give_back_later()
            return True
        if gc.get_count()[2] >= SWEEP_AFTER_PASSES:  # keys coming: a sweep only while it is cheap
            if sum(len(gc.get_objects(generation)) for generation in (0, 1, 2)) <= SWEEP_AT_MOST:
                gc.collect()
                gc.freeze()
                return True
            gc.freeze()  # too many to walk now: frozen as they are, freed by the next tidy
        return False

    def tidy(self) -> float:
        """Unfreeze, collect, freeze, give back what was freed (`give_back_later`); the seconds it took."""
        global tidying_now  # noqa: PLW0603 - read by gc callbacks (bench/harness.py tells idle tidies apart)
        started = time.perf_counter()
        tidying_now = True
        try:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        finally:
            tidying_now = False
        give_back_later()
        self.last_tidy = time.monotonic()
        self.active = False
        return time.perf_counter() - started


_trim = None  # glibc's malloc_trim, once looked up (False: there is none)


def give_back() -> bool:
    """Ask the C allocator to return the memory it holds free to the system (glibc's
    `malloc_trim(0)`, which ctypes calls without the interpreter's lock: about 10 ms at 100,000
    cases, on whichever thread asks); False where there is no such call (macOS, Windows, musl)."""
    global _trim  # noqa: PLW0603 - looked up once for the process
    if _trim is None:
        try:
            import ctypes

            found = ctypes.CDLL(None).malloc_trim
            found.argtypes, found.restype = [ctypes.c_size_t], ctypes.c_int
            _trim = found
        except Exception:  # noqa: BLE001 - no glibc: nothing to ask
            _trim = False
    if _trim is False:
        return False
    _trim(0)
    return True


def give_back_later() -> None:
    """`give_back` on a thread of its own: the UI thread never waits for the allocator."""
    import threading

    if _trim is not False:
        threading.Thread(target=give_back, name="duban-give-back", daemon=True).start()
