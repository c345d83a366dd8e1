"""The footer of every screen: `?` 帮助 and `q` 退出 first, so an 80-column terminal keeps them.

Textual's Footer lists the focused widget's keys, then the screen's, then the App's; on a
narrow terminal the App's `?` (the way to find every other key) was the first to be cut.

It is also built only when what it shows changes. Textual's Footer composes nothing at first
and rebuilds every key (a widget each) after the first frame, and again each time its screen's
bindings are refreshed — a focus change, a screen pushed over it or brought back — even when
every key stays the same, and even on a screen hidden under another. This one rebuilds them only
when the keys shown (key, words, tooltip, dimmed or not) differ from those on screen, and leaves
a screen that cannot be seen alone until it is shown again.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
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
    """Footer with the help and quit keys ahead of the screen's own, rebuilt only on a change."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None
        """What the keys on screen were built from (None: not built yet)."""

    def keys_shown(self) -> tuple:
        """Everything the footer's keys are built from, as Textual's Footer reads it."""
        app = self.app
        active = self.screen.active_bindings
        keys = tuple((binding.key, binding.action, binding.description, binding.group, enabled, tooltip,
                      app.get_key_display(binding))
                     for (_, binding, enabled, tooltip) in active.values() if binding.show)
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, tooltip = found
                palette = (binding.key, binding.action, binding.description, binding.tooltip, enabled,
                           app.get_key_display(binding))
        return keys, palette, self.compact

    def compose(self) -> ComposeResult:
        # Built once the screen's bindings are first refreshed (after its first frame), as Textual
        # does: built earlier, every key would be styled twice, as it mounts and as the screen shows.
        self._shown = self.keys_shown() if self._bindings_ready else None
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

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        # A screen nobody sees (under an opaque one) waits: bringing it back refreshes its bindings.
        if self.is_attached and screen is self.screen and screen.is_current:
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        if not self.is_attached or not self.screen.is_current:
            return
        if self.keys_shown() != self._shown:
            await self.recompose()
