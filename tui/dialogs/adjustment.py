"""申请调整: ask the assigning office to re-assign a case that is not the bureau's, with a reason,
within the sign-for deadline (instead of signing for it)."""

from __future__ import annotations

from textual.app import ComposeResult


from tui.dialogs.form import StepDialog
from tui.text import SafeTextArea


class AdjustmentDialog(StepDialog):
    """t: request re-assignment (reason, date)."""

    HEADING = "申请调整（退回交办机关）"
    FIRST = "reason"
    DEFAULT_CLASSES = "adjustment"
    ERROR_FIELDS = (("理由", "reason"), ("期限", "on"), ("日期", "on"))

    def compose(self) -> ComposeResult:
        yield self.frame(
            self.facts(self.deadline_line("sign"), "申请调整须在签收期限内提出，并写明不属本局职责的理由和建议的承办单位。"),
            self.cell("理由", SafeTextArea(id="reason", soft_wrap=True)),
            self.row(self.date_cell("申请日期")),
        )

    def collect(self):
        return {"reason": self.text("reason", "申请调整的理由", required=True), "on": self.day("on", "申请日期")}
