"""送征询表: the evaluation form (征询意见表) goes out to the proposer — when, how, who holds it.

How it went (`store.models.FORM_SENT_HOW`: 随答复, 当面送达, 电子) is 随答复 by default when the
form goes out the day of the reply. The date it is due back follows the session's rule
(征询意见表收回期限) and is the store's to count (`store.actions.send_form`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select

from store import clock
from store.models import FORM_SENT_HOW
from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.text import SafeInput

WITH_REPLY = "随答复"


class SendFormDialog(StepDialog):
    """j: the form sent — date, how, and who holds it now (持表人: the proposer, a liaison …)."""

    HEADING = "送出征询意见表"
    FIRST = "how"
    DEFAULT_CLASSES = "send-form"
    ERROR_FIELDS = (("方式", "how"), ("持表人", "holder"), ("日期", "on"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        self.said = words(card.session_body)
        super().__init__(card, submit=submit)

    def compose(self) -> ComposeResult:
        card = self.card
        on_reply_day = card.replied_on is not None and card.replied_on == clock.today()
        yield self.frame(
            self.facts(self.reply_line(), f"征询{self.said.proposer}对办理工作和办理结果的评价；收回期限按届次规则计算。"),
            self.row(
                self.date_cell("送出日期"),
                self.cell("送出方式", Select([(how, how) for how in FORM_SENT_HOW], prompt="选择方式", id="how",
                                         value=WITH_REPLY if on_reply_day else Select.NULL)),
            ),
            self.cell("持表人", SafeInput(value=card.lead_proposer or "", id="holder",
                                       placeholder=f"现在持有该表的人，例如领衔{self.said.proposer}")),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        """A date typed as the reply's date offers 随答复 (when no way is chosen yet)."""
        if event.input.id != "on" or self.card.replied_on is None:
            return
        try:
            day = clock.parse_date(event.value)
        except ValueError:
            return
        how = self.query_one("#how", Select)
        if day == self.card.replied_on and how.is_blank():
            how.value = WITH_REPLY

    def collect(self):
        return {"on": self.day("on", "送出日期"), "how": self.choice("how", "送出方式"),
                "holder": self.text("holder", "持表人").strip()}
