"""The command line's progress line: `duban import` and `duban export` say how far they are.

Only on a terminal: when stderr is a terminal, one line is rewritten in place with `\\r`
("写入 12000/50000 24%"), and cleared when the work ends; when stderr is a pipe or a file
nothing is written at all, so a script's log holds no control bytes. The line is redrawn at
most every 0.1 s and always at a phase's end.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from store.io.progress import Progress


class ProgressLine:
    """A callable `progress(done, total, phase)` drawing one line on a terminal stream."""

    def __init__(self, stream, *, interval: float = 0.1) -> None:
        self.stream = stream
        self.interval = interval
        self._shown = 0  # columns last written, to blank what is left of a longer line
        self._at = 0.0

    def __call__(self, done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        if done < total and now - self._at < self.interval:
            return
        self._at = now
        text = f"{phase} {done}/{total} {done * 100 // total}%" if total else f"{phase} {done}"
        width = len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)  # a Chinese character takes two columns
        self.stream.write("\r" + text + " " * max(0, self._shown - width))
        self.stream.flush()
        self._shown = width

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


@contextlib.contextmanager
def terminal_progress(stream=None) -> Iterator[Progress | None]:
    """A progress callback for the work inside, or None when `stream` (stderr) is no terminal."""
    stream = sys.stderr if stream is None else stream
    if not _is_terminal(stream):
        yield None
        return
    line = ProgressLine(stream)
    try:
        yield line
    finally:
        line.clear()
