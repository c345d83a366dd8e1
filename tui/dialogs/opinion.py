"""汇办意见: a contributing unit's opinion, sent to the lead unit (汇办/会办 cases only)."""

from __future__ import annotations

from textual.app import ComposeResult


from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.text import SafeTextArea


class OpinionDialog(StepDialog):
    """h: the opinion sent to the lead unit (date, summary)."""

    HEADING = "报送汇办意见"
    FIRST = "summary"
    DEFAULT_CLASSES = "opinion"
    ERROR_FIELDS = (("摘要", "summary"), ("日期", "on"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        self.said = words(card.session_body)  # 会办意见 on a 政协 case
        super().__init__(card, submit=submit, heading=f"报送{self.said.opinion}")

    def compose(self) -> ComposeResult:
        lead = self.card.lead_unit or "主办单位"
        yield self.frame(
            self.facts(f"报送：{lead}", self.deadline_line("opinion")),
            self.cell(f"{self.said.opinion}摘要", SafeTextArea(id="summary", soft_wrap=True)),
            self.row(self.date_cell("报送日期")),
        )

    def collect(self):
        return {"summary": self.text("summary", f"{self.said.opinion}摘要", required=True),
                "on": self.day("on", "报送日期")}
