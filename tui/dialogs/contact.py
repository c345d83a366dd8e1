"""沟通: contact with the proposer — method, stage (办前/办中/办后), who took part, what was said."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select

from store import clock
from store.models import CONTACT_METHODS, CONTACT_STAGES
from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.text import SafeInput, SafeTextArea, visible


def default_stage(card: CaseCard) -> str:
    """办后 once replied; 办中 once the proposer has been contacted; else 办前."""
    if card.replied_on is not None:
        return "办后"
    contacted = any(e.kind == "沟通" and e.undone_by is None for e in card.timeline)
    return "办中" if contacted else "办前"


class ContactDialog(StepDialog):
    """c: one contact with the proposer (recorded as a 沟通 follow-up)."""

    HEADING = "记录沟通（与代表/委员联系）"
    FIRST = "method"
    DEFAULT_CLASSES = "contact"
    ERROR_FIELDS = (("沟通方式", "method"), ("沟通阶段", "stage"), ("参加人员", "participants"),
                    ("下次跟进", "next"), ("跟进内容", "note"), ("日期", "on"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        self.said = words(card.session_body)  # 委员 on a 政协 case
        super().__init__(card, submit=submit, heading=f"记录沟通（与{self.said.proposer}联系）")

    def compose(self) -> ComposeResult:
        card = self.card
        proposer = visible(card.lead_proposer) or self.said.proposer  # a placeholder reaches the terminal raw
        planned = card.next_followup_on if card.next_followup_on and card.next_followup_on >= clock.today() else None
        yield self.frame(
            self.row(
                self.cell("方式", Select([(m, m) for m in CONTACT_METHODS], value="电话", allow_blank=False, id="method")),
                self.cell("阶段", Select([(s, s) for s in CONTACT_STAGES], value=default_stage(card), allow_blank=False,
                                       id="stage")),
                self.date_cell("沟通日期"),
            ),
            self.cell("参加人员", SafeInput(placeholder=f"例如 {proposer}、责任人、处长", id="participants")),
            self.cell("沟通情况", SafeTextArea(id="note", soft_wrap=True)),
            self.row(self.date_cell("下次跟进（已预填原计划；清空即取消）" if planned else "下次跟进（可不填）", id="next",
                                    value=planned, placeholder=f"例如 {clock.today():%Y-%m-%d}")),
        )

    def collect(self):
        return {
            "kind": "沟通",
            "method": self.choice("method", "沟通方式"),
            "stage": self.choice("stage", "沟通阶段"),
            "on": self.day("on", "沟通日期"),
            "participants": self.text("participants", "参加人员"),
            "note": self.text("note", "沟通情况", required=True),
            "next_followup_on": self.planned("next", "下次跟进日期"),
        }
