"""The footer of every screen: `?` 帮助 and `q` 退出 first, so an 80-column terminal keeps them.

Textual's Footer lists the focused widget's keys, then the screen's, then the App's; on a
narrow terminal the App's `?` (the way to find every other key) was the first to be cut.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST_ACTIONS = ("help", "quit")
"""The App's actions whose keys come first, in this order."""


def _rank(widget) -> int:
    if isinstance(widget, FooterKey):
        action = widget.action.removeprefix("app.")
        if action in FIRST_ACTIONS:
            return FIRST_ACTIONS.index(action)
    return len(FIRST_ACTIONS)


class DeskFooter(Footer):
    """Footer with the help and quit keys ahead of the screen's own."""

    def compose(self) -> ComposeResult:
        yield from sorted(super().compose(), key=_rank)  # sorted is stable: the rest keep their order
