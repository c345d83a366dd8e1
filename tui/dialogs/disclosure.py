"""公开: whether the reply is published — 公开 / 部分公开 / 不公开 (the last two with a reason)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select

from store.models import DISCLOSURES
from store.vocabulary import words
from tui.dialogs.form import StepDialog
from tui.text import SafeInput


class DisclosureDialog(StepDialog):
    """g: record the disclosure decision (decision, reason, date)."""

    HEADING = "答复公开"
    FIRST = "decision"
    DEFAULT_CLASSES = "disclosure"
    ERROR_FIELDS = (("理由", "reason"), ("公开方式", "decision"), ("日期", "on"))

    def compose(self) -> ComposeResult:
        yield self.frame(
            self.facts(self.deadline_line("disclosure"),
                       f"公开时删去{words(self.card.session_body).proposer}的联系方式，以及国家秘密、商业秘密和个人隐私。"),
            self.row(
                self.cell("公开方式", Select([(d, d) for d in DISCLOSURES], value="公开", allow_blank=False, id="decision")),
                self.date_cell("公开（决定）日期"),
            ),
            self.cell("不公开或部分公开的理由", SafeInput(id="reason")),
        )

    def collect(self):
        decision = self.choice("decision", "公开方式")
        return {
            "decision": decision,
            "reason": self.text("reason", f"{decision}的理由", required=decision != "公开"),
            "on": self.day("on", "公开日期"),
        }
