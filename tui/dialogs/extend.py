"""延期: a later reply date, asked for before the current deadline, with the reason and who
approved it (or the approving document) — never past the session's maximum (6 months from
交办 by Shenzhen's rule).

When today is past the current deadline the dialog says so in the store's words
(`store.steps.extension_terms`) and offers recording it as a late extension: the box
逾期后补办延期 and the reason for it. Left unticked, saving is refused with that sentence;
nothing is recorded late without the user saying so.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input

from store.queries import CaseCard
from store.steps import ExtensionTerms
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.text import SafeInput, SafeTextArea

LATE_BOX = "逾期后补办延期"


class ExtendDialog(StepDialog):
    """e: extend the reply deadline (reason, approval, new due date; late: the box and why)."""

    HEADING = "延期"
    FIRST = "reason"
    DEFAULT_CLASSES = "extend"
    ERROR_FIELDS = (("补办延期的理由", "late_reason"), ("已过", "late"), ("尚未届满", "late"), ("理由", "reason"),
                    ("批准", "approval"), ("期限", "new_due"), ("延期", "new_due"))

    def __init__(self, card: CaseCard, terms: ExtensionTerms, *, submit: Submit) -> None:
        super().__init__(card, submit=submit)
        self.terms = terms

    @property
    def limit(self):
        """The latest reply date an extension may set."""
        return self.terms.limit

    def compose(self) -> ComposeResult:
        terms = self.terms
        card = self.card
        facts = [
            f"现答复期限 {terms.current_due:%Y-%m-%d}" + ("（已延期过）" if card.extended_due else ""),
            f"最迟可延至 {terms.limit:%Y-%m-%d}（自交办日 {card.assigned_on:%Y-%m-%d} 起算的上限）",
        ]
        if terms.late:
            facts.append(f"⚠ {terms.late_sentence}")
        cells = [
            self.facts(*facts),
            self.cell("延期理由", SafeTextArea(id="reason", soft_wrap=True)),
            self.row(
                self.cell("批准情况（批准人或批准文件，必填）",
                          SafeInput(placeholder="例如 经交办机关同意（某月某日函）", id="approval"), classes="wide"),
                self.date_cell("新的答复期限", id="new_due", value=terms.limit),
            ),
        ]
        if terms.late:
            cells.append(self.row(
                Checkbox(LATE_BOX, value=False, id="late"),
                self.cell("补办理由（为何在期限届满后才办延期）", SafeInput(id="late_reason"), classes="wide"),
                id="late-row",
            ))
        yield self.frame(*cells)

    def collect(self):
        reason = self.text("reason", "延期理由", required=True)
        approval = self.text("approval", "批准情况（批准人或批准文件）", required=True)
        values = {"reason": reason, "approval": approval}
        if self.terms.late:
            box = self.query_one("#late", Checkbox)
            if not box.value:
                self.fail(f"{self.terms.late_sentence}如确需补办，请勾选“{LATE_BOX}”并写明补办理由。", box)
            values |= {"late": True, "late_reason": self.text("late_reason", "逾期后补办延期的理由", required=True)}
        box = self.query_one("#new_due", Input)
        new_due = self._parse(box, "新的答复期限")
        current = self.terms.current_due
        if new_due <= current:
            self.fail(f"新的答复期限应晚于现在的期限 {current:%Y-%m-%d}。", box)
        if new_due > self.terms.limit:
            self.fail(f"延期不得超过规定的最长期限（最迟 {self.terms.limit:%Y-%m-%d}）。", box)
        return values | {"new_due": new_due}
