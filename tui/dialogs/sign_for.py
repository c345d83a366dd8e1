"""签收: the bureau accepts a case assigned to it, on a date, within the sign-for deadline."""

from __future__ import annotations

from textual.app import ComposeResult


from tui.dialogs.form import StepDialog
from tui.text import SafeInput


class SignForDialog(StepDialog):
    """s: sign for the case (date, a note)."""

    HEADING = "签收"
    DEFAULT_CLASSES = "sign-for"

    def compose(self) -> ComposeResult:
        card = self.card
        yield self.frame(
            self.facts(f"交办日期 {card.assigned_on:%Y-%m-%d}　办理方式 {card.role}", self.deadline_line("sign")),
            self.row(self.date_cell("签收日期"), self.cell("备注（可不填）", SafeInput(id="note"), classes="wide")),
        )

    def collect(self):
        return {"on": self.day("on", "签收日期"), "note": self.text("note", "备注")}
