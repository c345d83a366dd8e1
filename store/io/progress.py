"""Progress of a long import or export, told to whoever asked: `progress(done, total, phase)`.

The store never draws anything: the command line turns the calls into a line on a terminal,
the desk into a progress bar. `phase` is one word the office reads (读取, 检查, 写入, 导出);
`total` is 0 while it is not known yet. `Ticker` calls back about a hundred times a phase,
so a 50,000-row import does not spend its time reporting.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]
"""progress(done, total, phase): called from the thread doing the work."""


class Ticker:
    """One phase's progress: `tick(done)` reports about every 1 % and at `total`, `finish()` the end."""

    def __init__(self, progress: Progress | None, total: int, phase: str, *, steps: int = 100) -> None:
        self.progress = progress
        self.total = total
        self.phase = phase
        self.step = max(1, total // steps) if total else 1000
        self._last = -self.step
        if progress is not None:
            progress(0, total, phase)
            self._last = 0

    def tick(self, done: int) -> None:
        if self.progress is not None and (done - self._last >= self.step or done == self.total != self._last):
            self._last = done
            self.progress(done, self.total, self.phase)

    def finish(self, done: int | None = None) -> None:
        if self.progress is not None:
            done = self.total if done is None else done
            self.progress(done, max(self.total, done), self.phase)
