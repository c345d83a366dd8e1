"""典型案例: mark a case as typical (for 三、典型案例 of the year's summary), or take the mark off.

The card's `is_typical` says which the dialog does; either way a 典型案例 event records it,
with the note (`store.actions.mark_typical`).
"""

from __future__ import annotations

from textual.app import ComposeResult

from store.queries import CaseCard
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.text import SafeTextArea


class TypicalDialog(StepDialog):
    """y: 标为典型案例 with a note on why, or 取消典型案例."""

    FIRST = "note"
    DEFAULT_CLASSES = "typical"
    ERROR_FIELDS = (("说明", "note"), ("理由", "note"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        self.marking = not card.is_typical
        super().__init__(card, submit=submit, heading="标为典型案例" if self.marking else "取消典型案例")

    def compose(self) -> ComposeResult:
        card = self.card
        if self.marking:
            facts = self.facts("标为典型案例的件，写入工作总结“三、典型案例”（按标题和答复摘要起草）。")
            label = "典型意义（可不填，写入总结）"
        else:
            facts = self.facts("该件已标为典型案例" + (f"：{card.typical_note}" if card.typical_note else "。"),
                               "取消后不再写入工作总结的典型案例部分。")
            label = "取消的原因（可不填）"
        yield self.frame(facts, self.cell(label, SafeTextArea(id="note", soft_wrap=True)))

    def collect(self):
        return {"typical": self.marking, "note": self.text("note", "说明")}
