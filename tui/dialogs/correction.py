"""更正: put right a wrongly entered reply (document number, class A–D, date) or evaluation
(the verdict, its date) from the case screen's `M` — one 更正 event with a required reason.

The user chooses which of the two to correct (only those the case has); the fields start
at what was entered. Only what differs is sent; the store decides what follows (a class
corrected to B/C gets its 回头看, 不满意 corrected away ends re-handling) and refuses what
cannot be put right simply (the first evaluation after a new reply: undo instead).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Select

from store.models import EVALUATIONS, RESULT_CLASS_NAMES, RESULT_CLASSES
from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.text import SafeInput

REPLY, EVALUATION = "reply", "evaluation"


def correctable(card: CaseCard) -> list[tuple[str, str]]:
    """What the case has that can be corrected: [(key, words)], the reply first."""
    found = []
    if card.role != "汇办" and card.replied_on is not None:
        found.append((REPLY, "答复（文号、类别、日期）"))
    if card.role != "汇办" and card.evaluation:
        found.append((EVALUATION, f"{words(card.session_body).evaluation}（评价、日期）"))
    return found


def latest_reply_date(card: CaseCard):
    """The date of the reply a correction puts right: the new one after 不满意, if made."""
    return card.rehandle_replied_on or card.replied_on


class CorrectionDialog(StepDialog):
    """M: correct the reply or the evaluation, with a reason."""

    HEADING = "更正"
    FIRST = "what"
    DEFAULT_CLASSES = "correction"
    ERROR_FIELDS = (("理由", "reason"), ("文号", "doc_no"), ("类别", "result_class"), ("评价日期", "evaluated_on"),
                    ("答复日期", "replied_on"), ("评价", "evaluation"), ("日期", "replied_on"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        super().__init__(card, submit=submit)
        self.options = correctable(card)
        self.reply_on = latest_reply_date(card)

    def compose(self) -> ComposeResult:
        card = self.card
        yield self.frame(
            self.facts("更正记为一条“更正”记录（含原值和更正后的值），原记录保留在跟进记录中；统计按更正后的值计。"),
            self.cell("更正什么", Select([(words, key) for key, words in self.options], value=self.options[0][0],
                                     allow_blank=False, id="what")),
            Vertical(
                self.row(
                    self.cell("答复日期", SafeInput(value=f"{self.reply_on:%Y-%m-%d}" if self.reply_on else "",
                                            placeholder="YYYY-MM-DD", id="replied_on"), classes="date"),
                    self.cell("答复文号", SafeInput(value=card.reply_doc_no or "", id="doc_no"), classes="wide"),
                ),
                self.cell("答复类别", Select([(f"{k}类　{RESULT_CLASS_NAMES[k]}", k) for k in RESULT_CLASSES],
                                         value=card.result_class if card.result_class in RESULT_CLASSES
                                         else Select.NULL, id="result_class")),
                id="reply-fields", classes="cell",
            ),
            Vertical(
                self.row(
                    self.cell("评价", Select([(e, e) for e in EVALUATIONS], value=card.evaluation
                                           if card.evaluation in EVALUATIONS else Select.NULL, id="evaluation")),
                    self.cell("评价日期", SafeInput(value=f"{card.evaluated_on:%Y-%m-%d}" if card.evaluated_on else "",
                                            placeholder="YYYY-MM-DD", id="evaluated_on"), classes="date"),
                ),
                id="evaluation-fields", classes="cell",
            ),
            self.cell("更正理由（必填）", SafeInput(placeholder="例如 答复类别录入有误，以答复函原件为准", id="reason")),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.show_fields(self.options[0][0])

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "what" and not event.select.is_blank():
            self.show_fields(event.value)

    def show_fields(self, what: str) -> None:
        self.query_one("#reply-fields").display = what == REPLY
        self.query_one("#evaluation-fields").display = what == EVALUATION

    @property
    def what(self) -> str:
        return self.query_one("#what", Select).value

    def collect(self) -> dict[str, Any]:
        card = self.card
        reason = self.text("reason", "更正理由", required=True)
        values: dict[str, Any] = {"what": self.what, "reason": reason}
        if self.what == REPLY:
            day = self.day("replied_on", "答复日期")
            if day != self.reply_on:
                values["on"] = day
            doc_no = self.text("doc_no", "答复文号", required=True)
            if doc_no != (card.reply_doc_no or ""):
                values["doc_no"] = doc_no.strip()
            result_class = self.choice("result_class", "答复类别（A–D）")
            if result_class != card.result_class:
                values["result_class"] = result_class
            if len(values) == 2:
                self.fail("文号、类别和日期都与原答复相同：改好要更正的内容再保存。", self.query_one("#doc_no"))
        else:
            day = self.day("evaluated_on", "评价日期")
            if day != card.evaluated_on:
                values["on"] = day
            evaluation = self.choice("evaluation", "评价")
            if evaluation != card.evaluation:
                values["evaluation"] = evaluation
            if len(values) == 2:
                self.fail("评价和日期都与原登记相同：改好要更正的内容再保存。", self.query_one("#evaluation"))
        return values

