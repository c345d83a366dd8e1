"""What every action dialog shares: a title naming the case, an error line, save and cancel.

A dialog saves through the `submit` coroutine it is given. When the store refuses (a bad
date, a step out of order, a case changed elsewhere) the dialog stays open with the reason
shown and every field as the user typed it: nothing entered is lost. `esc` writes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from store.errors import LedgerError
from tui.text import plain

Submit = Callable[[dict[str, Any]], Awaitable[Any]]


class ActionDialog(ModalScreen[Any]):
    """A modal form that saves through `submit` and stays open on a refusal."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="dialog.cancel", tooltip="关闭，不保存任何内容"),
        Binding("ctrl+s", "save", "保存", id="dialog.save", tooltip="保存"),
    ]

    def __init__(self, *, heading: str, case_text: str, submit: Submit) -> None:
        super().__init__()
        self.heading = heading
        self.case_text = case_text
        self.submit = submit
        self._saving = False

    def frame(self, *children: Widget) -> Vertical:
        box = Vertical(
            Static(Content(self.heading), classes="dialog-title"),
            Static(plain(self.case_text), classes="dialog-case"),
            *children,
            Static("", id="dialog-error", classes="dialog-error"),
            Static(Content(self.hint()), classes="dialog-hint"),
            classes="dialog",
        )
        return box

    def hint(self) -> str:
        return "ctrl+s 保存　esc 取消"

    def show_error(self, message: str, field: Widget | None = None) -> None:
        self.query_one("#dialog-error", Static).update(plain(message, single_line=False))
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        if field is not None:
            field.add_class("-invalid")
            field.focus()

    def planned_date(self, box, what: str) -> tuple[bool, Any]:
        """Read a planned date (today or later) from `box`: (True, date or None if empty), or
        (False, None) after marking the field with what is wrong."""
        from store import clock

        if not box.value.strip():
            return True, None
        try:
            day = clock.parse_date(box.value)
        except ValueError as exc:
            self.show_error(str(exc), box)
            return False, None
        if day < clock.today():
            self.show_error(f"{what}{day:%Y-%m-%d}已经过去，请选择今天或以后的日期。", box)
            return False, None
        return True, day

    def values(self) -> dict[str, Any] | None:
        """The form's values, or None after marking what is wrong."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def action_save(self) -> None:
        if self._saving:
            return
        values = self.values()
        if values is None:
            return
        self._saving = True
        try:
            result = await self.submit(values)
        except LedgerError as exc:
            self.show_error(exc.message, self.field_for_error(exc.message))
            return
        finally:
            self._saving = False
        self.dismiss(result)

    def field_for_error(self, message: str) -> Widget | None:
        """The field a store refusal is about, to mark it (None: no single field)."""
        return None
