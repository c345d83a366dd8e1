"""`QuickSelect`: Textual's Select that makes its list of options only when first opened."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay


class QuickSelect(Select):
    """Textual's Select with its list of options made the first time it opens.

    Textual's Select mounts its overlay (an OptionList of every option) with itself, which costs
    a dialog about as much as the rest of the Select, and most dialogs are saved without the list
    ever being opened. Closed it is Textual's Select (the overlay is not displayed while closed);
    opened — `enter`, `down`, `space`, `up`, a click, or `expanded` set — it first mounts the
    overlay with the options and the current one highlighted, then opens as Textual's does. Its
    overrides follow Textual 8's Select line for line where the overlay may be missing
    (tests/tui/test_dialog_fast.py holds them to Textual's own Select).
    """

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)

    def _overlay(self) -> SelectOverlay | None:
        return next((child for child in self.children if isinstance(child, SelectOverlay)), None)

    async def _make_overlay(self) -> SelectOverlay:
        overlay = self._overlay()
        if overlay is None:
            overlay = SelectOverlay(type_to_search=self._type_to_search)
            with self._context():  # bound to this Select, as Textual binds it in `compose`
                overlay.data_bind(compact=Select.compact)
            await self.mount(overlay)
            super()._setup_options_renderables()
            if self.value != self.NULL:
                overlay.highlighted = next(i for i, (_, value) in enumerate(self._options) if value == self.value)
        return overlay

    def _setup_options_renderables(self) -> None:
        if self._overlay() is not None:
            super()._setup_options_renderables()

    def _watch_value(self, value) -> None:
        if self._overlay() is not None:
            super()._watch_value(value)
            return
        self._value = value
        try:
            current = self.query_one(SelectCurrent)
        except NoMatches:
            return
        current.update(self.NULL if value == self.NULL else
                       next(prompt for prompt, option in self._options if option == value))
        self.post_message(self.Changed(self, value))

    def _watch_prompt(self, prompt: str) -> None:
        if self._overlay() is not None or not self.is_mounted:
            super()._watch_prompt(prompt)
            return
        current = self.query_one(SelectCurrent)
        current.placeholder = prompt
        if self._allow_blank and self.value == self.NULL:
            current.update(self.NULL)

    def _watch_expanded(self, expanded: bool) -> None:
        if expanded and self._overlay() is None:  # `expanded` set: make the list, then open it
            self.call_next(self._open_made)
            return
        super()._watch_expanded(expanded)

    async def _open_made(self) -> None:
        await self._make_overlay()
        if self.expanded:
            super()._watch_expanded(True)

    async def action_show_overlay(self) -> None:
        await self._make_overlay()
        super().action_show_overlay()

    @on(SelectCurrent.Toggle)
    async def _select_current_toggle(self, event: SelectCurrent.Toggle) -> None:
        event.stop()
        event.prevent_default()  # Textual's own handler (next in the MRO) would open it before the list is made
        await self._make_overlay()
        self.expanded = not self.expanded
