"""调整结果: the assigning office's answer to a request for re-assignment (申请调整) —
agreed (the case leaves the bureau) or refused (the bureau signs for it and handles it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select

from tui.dialogs.form import StepDialog
from tui.text import SafeTextArea

ANSWERS = (("同意调整：改由其他单位承办", True), ("不同意调整：本局继续签收办理", False))


class AdjustmentResultDialog(StepDialog):
    """a: record the answer to 申请调整 (agreed or not, a note, date)."""

    HEADING = "登记调整结果"
    FIRST = "approved"
    DEFAULT_CLASSES = "adjustment-result"
    ERROR_FIELDS = (("结果", "approved"), ("说明", "note"), ("日期", "on"))

    def compose(self) -> ComposeResult:
        request = next((e for e in self.card.timeline if e.kind == "申请调整" and e.undone_by is None), None)
        yield self.frame(
            self.facts(f"{request.local_time} 申请调整：{request.note}" if request else ""),
            self.row(
                self.cell("交办机关的答复", Select(ANSWERS, prompt="选择结果", id="approved"), classes="wide"),
                self.date_cell("答复日期"),
            ),
            self.cell("说明", SafeTextArea(id="note", soft_wrap=True)),
        )

    def collect(self):
        return {
            "approved": self.choice("approved", "调整结果"),
            "note": self.text("note", "说明"),
            "on": self.day("on", "答复日期"),
        }
