"""延期: a later reply date, with the reason and who approved it — never past the session's
maximum (6 months from 交办 by Shenzhen's rule)."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from store.queries import CaseCard
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog


class ExtendDialog(StepDialog):
    """e: extend the reply deadline (reason, approval, new due date)."""

    HEADING = "延期"
    FIRST = "reason"
    DEFAULT_CLASSES = "extend"
    ERROR_FIELDS = (("理由", "reason"), ("批准", "approval"), ("期限", "new_due"), ("延期", "new_due"))

    def __init__(self, card: CaseCard, limit: dt.date, *, submit: Submit) -> None:
        super().__init__(card, submit=submit)
        self.limit = limit

    def compose(self) -> ComposeResult:
        card = self.card
        yield self.frame(
            self.facts(f"现答复期限 {card.reply_due:%Y-%m-%d}" + ("（已延期过）" if card.extended_due else ""),
                       f"最迟可延至 {self.limit:%Y-%m-%d}（自交办日 {card.assigned_on:%Y-%m-%d} 起算的上限）"),
            self.cell("延期理由", TextArea(id="reason", soft_wrap=True)),
            self.row(
                self.cell("批准情况", Input(placeholder="例如 经交办机关同意（某月某日函）", id="approval"), classes="wide"),
                self.date_cell("新的答复期限", id="new_due", value=self.limit),
            ),
        )

    def collect(self):
        reason = self.text("reason", "延期理由", required=True)
        approval = self.text("approval", "批准情况", required=True)
        box = self.query_one("#new_due", Input)
        new_due = self._parse(box, "新的答复期限")
        current = self.card.reply_due
        if current is not None and new_due <= current:
            self.fail(f"新的答复期限应晚于现在的期限 {current:%Y-%m-%d}。", box)
        if new_due > self.limit:
            self.fail(f"延期不得超过规定的最长期限（最迟 {self.limit:%Y-%m-%d}）。", box)
        return {"reason": reason, "approval": approval, "new_due": new_due}
