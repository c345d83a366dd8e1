"""确认本年: the office has entered the year's State Council notice; the year's deadlines are
no longer estimates. Asks for a note (which notice) before it records the confirmation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import plain, SafeInput


class CalendarYearDialog(ActionDialog):
    """y on the calendar: confirm the year, with a note."""

    DEFAULT_CLASSES = "calendar-year"

    def __init__(self, *, year: int, facts: str, submit: Submit) -> None:
        super().__init__(heading=f"确认{year}年的节假日安排", case_text=f"{year}年工作日历", submit=submit)
        self.year = year
        self.facts = facts

    def hint(self) -> str:
        return save_hint("确认")

    def compose(self) -> ComposeResult:
        yield self.frame(
            Static(plain(self.facts, single_line=False), classes="facts"),
            Vertical(Label("说明（例如 国办发明电〔2026〕X号已逐日录入）"), SafeInput(id="note"), classes="cell"),
        )

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def values(self):
        return {"year": self.year, "note": self.query_one("#note", Input).value}

    def field_for_error(self, message: str) -> Widget | None:
        return self.query_one("#note") if "说明" in message else None
