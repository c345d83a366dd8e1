"""回头看: a later check of what a B/C reply promised — what was found, when to look again."""

from __future__ import annotations

from textual.app import ComposeResult


from tui.dialogs.form import StepDialog
from tui.text import SafeTextArea


class ReviewDialog(StepDialog):
    """b: record a follow-up review (findings, next review date, date)."""

    HEADING = "回头看"
    FIRST = "findings"
    DEFAULT_CLASSES = "review"
    ERROR_FIELDS = (("下次回头看", "next"), ("回头看情况", "findings"), ("日期", "on"))

    def compose(self) -> ComposeResult:
        yield self.frame(
            self.facts(self.reply_line(),
                       self.deadline_line("review")),
            self.cell("落实情况", SafeTextArea(id="findings", soft_wrap=True)),
            self.row(self.date_cell("回头看日期"),
                     self.date_cell("下次回头看（可不填）", id="next", placeholder="不再回头看则不填")),
        )

    def collect(self):
        return {
            "findings": self.text("findings", "回头看情况", required=True),
            "on": self.day("on", "回头看日期"),
            "next_review_on": self.planned("next", "下次回头看日期"),
        }
