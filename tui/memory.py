"""Garbage collection kept out of the office's way: collect while the desk is idle, not mid-keystroke.

The whole ledger, the statistics' facts and every long read's result are frozen when they are
built (tui/gateway.py `collector_paused`), so the collector's automatic passes see only what was
made since. But screens opened and closed, Textual's caches and the rows a write brings in pile
up, and a full pass over them lands on a random key (60–150 ms at any ledger size); and a
reference cycle that was frozen while alive (a screen open at the time, closed later) would
otherwise stay forever. So, once the desk has had no key for `QUIET_SECONDS` and no long read is
running, after any activity and at most every `EVERY_SECONDS`: everything is unfrozen, collected
once, and what survives frozen again. The pause falls while nobody types. In between, every
second, what survived is frozen as it is (`settle`), so the automatic passes stay short.
"""

from __future__ import annotations

import gc
import time

QUIET_SECONDS = 2.0
EVERY_SECONDS = 30.0
tidying_now = False  # a tidy's own collection is under way


class Tidying:
    """When to collect: told of each key (`touched`), asked every second (`due`)."""

    def __init__(self) -> None:
        self.last_key = time.monotonic()
        self.last_tidy = 0.0
        self.active = True  # something happened since the last tidy
        self._freezes = 0

    def touched(self) -> None:
        self.last_key = time.monotonic()
        self.active = True

    def frozen(self, count: int) -> None:
        """`count`: the freezes so far (tui/gateway.py); a new one makes a tidy due even with no
        key pressed (a desk left open while other workstations write)."""
        if count != self._freezes:
            self._freezes = count
            self.active = True

    def due(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return self.active and now - self.last_key >= QUIET_SECONDS and now - self.last_tidy >= EVERY_SECONDS

    def settle(self) -> None:
        """Freeze what survived the last second (O(1)): the collector's automatic passes, which
        land on keystrokes, then never walk more than a second's worth of objects — Textual's
        render caches and the rows a write brought in, which would otherwise pile up in the
        oldest generation (a full pass over them took 140 ms at 100,000 cases). Garbage frozen
        with them is freed by the next `tidy`."""
        gc.freeze()

    def tidy(self) -> float:
        """Unfreeze, collect, freeze; the seconds it took."""
        global tidying_now  # noqa: PLW0603 - read by gc callbacks (bench/harness.py tells idle tidies apart)
        started = time.perf_counter()
        tidying_now = True
        try:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        finally:
            tidying_now = False
        self.last_tidy = time.monotonic()
        self.active = False
        return time.perf_counter() - started
