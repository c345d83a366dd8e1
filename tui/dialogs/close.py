"""办结: the case is done — replied (and evaluated), or for 汇办 its opinion sent."""

from __future__ import annotations

from textual.app import ComposeResult


from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.form import StepDialog
from tui.text import SafeInput


def close_facts(card: CaseCard) -> list[str]:
    """What the case has done, for a last look before closing it."""
    said = words(card.session_body)  # 会办意见, 委员评价 on a 政协 case
    if card.role == "汇办":
        return [f"{said.opinion} {card.opinion_sent_on:%Y-%m-%d} 已报送{card.lead_unit or '主办单位'}"
                if card.opinion_sent_on else f"{said.opinion}：未报送"]
    lines = [f"答复 {card.replied_on:%Y-%m-%d}　{card.reply_doc_no}　{card.result_class}类" if card.replied_on
             else "答复：未答复"]
    lines.append(f"{said.evaluation}：{card.evaluation}" if card.evaluation else f"{said.evaluation}：尚未收到")
    lines.append(f"公开：{card.disclosure}" if card.disclosure else "公开：尚未决定")
    if card.review_due:
        lines.append(f"回头看：下次 {card.review_due:%Y-%m-%d}")
    return lines


class CloseDialog(StepDialog):
    """k: close the case (date, a note)."""

    HEADING = "办结"
    DEFAULT_CLASSES = "close"

    def compose(self) -> ComposeResult:
        yield self.frame(
            self.facts(*close_facts(self.card)),
            self.row(self.date_cell("办结日期"), self.cell("备注（可不填）", SafeInput(id="note"), classes="wide")),
        )

    def collect(self):
        return {"on": self.day("on", "办结日期"), "note": self.text("note", "备注")}
