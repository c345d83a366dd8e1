"""答复: the written reply — date, document number, result class A–D, a summary, who signed.

In 重新办理 (after 不满意) the same dialog records the new reply. On a 主办 case with co-units
the dialog also takes the 会签 (which units signed off the reply: `countersigned`) and, while
a unit's opinion is not in yet, the reason for replying before it (提前答复理由: `early_reason`;
whether it is needed is the store's to say, naming the units).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Select, SelectionList

from store.models import RESULT_CLASS_NAMES, RESULT_CLASSES
from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit, save_hint
from tui.dialogs.form import StepDialog
from tui.text import SafeInput, SafeTextArea, visible

LEADING = "主办"


class ReplyDialog(StepDialog):
    """r: record the written reply (or the new reply in re-handling)."""

    FIRST = "doc_no"
    DEFAULT_CLASSES = "reply"
    ERROR_FIELDS = (("提前答复", "early_reason"), ("理由", "early_reason"), ("会签", "countersigned"),
                    ("文号", "doc_no"), ("类别", "result_class"), ("签发", "signed_by"), ("摘要", "summary"),
                    ("日期", "on"))

    def __init__(self, card: CaseCard, *, submit: Submit, signer: str = "") -> None:
        rehandling = card.status == "重新办理"
        super().__init__(card, submit=submit, heading="重新答复（重新办理）" if rehandling else "答复")
        self.rehandling = rehandling
        self.signer = signer
        self.units = [u for u in card.units if u.role == LEADING]
        """The co-units of a 主办 case: who may sign off (会签)."""
        self.units_out = [u.name for u in self.units if u.received_on is None]
        """Those whose opinion is not in yet: replying now needs a reason."""

    def hint(self) -> str:
        return ("space 勾选会签单位　" if getattr(self, "units", ()) else "") + save_hint()

    def compose(self) -> ComposeResult:
        card = self.card
        facts = [self.deadline_line("rehandle" if self.rehandling else "reply")]
        if self.rehandling and card.replied_on:
            facts.append(f"上次{self.reply_line()}；{words(card.session_body).evaluation}：{card.evaluation or '不满意'}")
        facts.append("答复以局名义、经局领导签发，不以处室名义答复。")
        yield self.frame(
            self.facts(*facts),
            self.row(
                self.date_cell("答复日期"),
                self.cell("答复文号", SafeInput(placeholder="例如 深政数函〔2023〕84号", id="doc_no"), classes="wide"),
            ),
            self.cell("答复类别", Select([(f"{k}类　{RESULT_CLASS_NAMES[k]}", k) for k in RESULT_CLASSES],
                                     prompt="选择 A–D", id="result_class")),
            self.cell("答复摘要", SafeTextArea(id="summary", soft_wrap=True)),
            self.cell("签发人", SafeInput(value=self.previous_signer() or self.signer, placeholder="签发的局领导",
                                   id="signed_by")),
            *self.co_unit_fields(),
        )

    def co_unit_fields(self):
        """会签 (a box per co-unit) and, while an opinion is out, 提前答复理由."""
        if not self.units:
            return
        yield self.cell("会签单位（space 勾选已会签的单位）", SelectionList[str](
            *((Text(visible(f"{u.name}　{u.state}")), u.name, u.signed_off_on is not None) for u in self.units),
            id="countersigned"))
        if self.units_out:
            yield self.facts(f"尚未收到{'、'.join(self.units_out)}的意见（提前答复请写明理由）。",
                             id="early-facts")
            yield self.cell("提前答复理由", SafeInput(value=self.card.reply_early_reason, id="early_reason",
                                                  placeholder="例如 会办单位逾期未报，经局领导同意先行答复"))

    def previous_signer(self) -> str:
        """Who signed the reply being redone (in 重新办理), as the new one's default."""
        entry = self.latest_reply() if self.rehandling else None
        return ((entry.data or {}).get("after", {}).get("reply_signed_by", "") if entry else "") or ""

    def collect(self):
        values = {
            "on": self.day("on", "答复日期"),
            "doc_no": self.text("doc_no", "答复文号", required=True).strip(),
            "result_class": self.choice("result_class", "答复类别（A–D）"),
            "summary": self.text("summary", "答复摘要"),
            "signed_by": self.text("signed_by", "签发人").strip(),
        }
        if self.units:  # a case with no co-unit replies as before
            values["countersigned"] = tuple(self.query_one("#countersigned", SelectionList).selected)
            values["early_reason"] = self.text("early_reason", "提前答复理由").strip() if self.units_out else ""
        return values
