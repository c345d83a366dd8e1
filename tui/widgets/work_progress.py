"""A progress bar for long work done off the UI thread (导入、导出): a phase word and a bar.

The store calls `progress(done, total, phase)` from the gateway's worker thread; the widget's
`callback` turns each call into a message posted to the widget (`post_message` is safe from
any thread), and the bar is updated on the UI thread. It shows nothing of its own until the
first call, and `reset()` hides it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ProgressBar

from store.io.progress import Progress
from tui.text import plain


class WorkProgress(Horizontal):
    """读取/检查/写入/导出 and how far: hidden until the work reports."""

    DEFAULT_CSS = """
    WorkProgress {
        height: 1;
        width: 1fr;
        display: none;
    }
    WorkProgress.-working {
        display: block;
    }
    WorkProgress > Label {
        width: auto;
        margin-right: 1;
    }
    """

    @dataclass
    class Advanced(Message):
        """The work reported how far it is (posted from the worker thread)."""

        done: int
        total: int
        phase: str

    def compose(self) -> ComposeResult:
        yield Label("", id="work-phase")
        yield ProgressBar(total=None, show_eta=False, id="work-bar")

    @property
    def callback(self) -> Progress:
        """`progress(done, total, phase)` for the store, callable from any thread."""

        def report(done: int, total: int, phase: str) -> None:
            self.post_message(self.Advanced(done, total, phase))

        return report

    def on_work_progress_advanced(self, event: Advanced) -> None:
        event.stop()
        self.add_class("-working")
        self.query_one("#work-phase", Label).update(plain(event.phase))
        self.query_one("#work-bar", ProgressBar).update(total=event.total or None, progress=event.done)

    def reset(self) -> None:
        self.remove_class("-working")
        self.query_one("#work-bar", ProgressBar).update(total=None, progress=0)
