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
        widgets = sorted(super().compose(), key=_rank)  # sorted is stable: the rest keep their order
        for widget in widgets:
            for key in (widget, *getattr(widget, "_pending_children", ())):
                if isinstance(key, FooterKey) and not key.has_class("-command-palette"):
                    # Born as compact as the footer (each key is bound to it): FooterKey's own default
                    # (compact) would restyle every key twice as it mounts — once to add "-compact",
                    # once to take it off (a third of the time a case screen took to open). The
                    # palette's key is not bound and keeps its default.
                    key.set_reactive(FooterKey.compact, self.compact)
        yield from widgets
