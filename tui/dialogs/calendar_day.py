"""设置某日: make one day a 工作日 or 休息日 for the office (a holiday from the State Council
notice, a 调休 working day, or the correction of an earlier entry), with a note."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select

from store import clock
from store.office_calendar import RESTING, WORKING
from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import SafeInput


class CalendarDayDialog(ActionDialog):
    """s on the calendar: the date, 工作日 or 休息日, and a note (who decided, which notice)."""

    DEFAULT_CLASSES = "calendar-day"

    def __init__(self, *, year: int, submit: Submit, day: dt.date | None = None) -> None:
        super().__init__(heading="设置某日", case_text=f"{year}年工作日历", submit=submit)
        self.day = day

    def hint(self) -> str:
        return save_hint()

    def compose(self) -> ComposeResult:
        value = f"{self.day:%Y-%m-%d}" if self.day else ""
        yield self.frame(
            Horizontal(
                Vertical(Label("日期"), SafeInput(value=value, placeholder="YYYY-MM-DD", id="day"), classes="cell date"),
                Vertical(Label("该日为"), Select([(WORKING, WORKING), (RESTING, RESTING)], prompt="请选择",
                                                 id="kind"), classes="cell"),
                classes="row",
            ),
            Vertical(Label("说明（例如 国办发明电〔2026〕X号 国庆节调休）"), SafeInput(id="note"), classes="cell"),
        )

    def on_mount(self) -> None:
        self.query_one("#day", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def values(self):
        box = self.query_one("#day", Input)
        try:
            day = clock.parse_date(box.value)
        except ValueError as exc:
            self.show_error(str(exc), box)
            return None
        kind = self.query_one("#kind", Select)
        if kind.is_blank():
            self.show_error("请选择该日为工作日还是休息日。", kind)
            return None
        return {"day": day, "kind": kind.value, "note": self.query_one("#note", Input).value}

    def field_for_error(self, message: str) -> Widget | None:
        if "说明" in message:
            return self.query_one("#note")
        if "类别" in message:
            return self.query_one("#kind")
        if "日期" in message or "登记" in message:
            return self.query_one("#day")
        return None
