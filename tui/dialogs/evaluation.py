"""评价: the evaluation form (征询意见表) comes back — the proposer's verdict on the handling work
(办理工作) and on the result (办理结果), each 满意 / 基本满意 / 不满意, and the day it came back.

`evaluation` is 办理结果 and `work` 办理工作 (`store.actions.record_evaluation`); the date is the
form's return (`form_returned_on`). 办理结果 不满意 starts re-handling (重新办理) with its own
reply deadline.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select, Static

from store.models import EVALUATIONS
from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.chase_form import form_lines
from tui.dialogs.form import StepDialog
from tui.text import plain, SafeTextArea

REHANDLE_NOTE = "不满意：该件将转入重新办理，须在规定期限内重新答复并再次征询评价。"


class EvaluationDialog(StepDialog):
    """v: record the proposer's evaluation (from the returned 征询意见表)."""

    HEADING = "登记代表评价"
    FIRST = "work"
    DEFAULT_CLASSES = "evaluation"
    ERROR_FIELDS = (("评价日期", "on"), ("办理工作", "work"), ("评价", "evaluation"), ("日期", "on"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        self.said = words(card.session_body)  # 委员评价 on a 政协 case
        super().__init__(card, submit=submit, heading=f"登记{self.said.evaluation}")

    def compose(self) -> ComposeResult:
        yield self.frame(
            self.facts(self.reply_line(), *form_lines(self.card),
                       self.deadline_line("reevaluation" if self.milestone("reevaluation") else "evaluation")),
            self.row(
                self.cell("办理工作", Select([(e, e) for e in EVALUATIONS], prompt="选择评价", id="work")),
                self.cell("办理结果", Select([(e, e) for e in EVALUATIONS], prompt="选择评价", id="evaluation")),
                self.date_cell("评价日期（表收回）"),
            ),
            Static("", id="rehandle-note", classes="facts"),
            self.cell(f"{self.said.proposer}意见（可不填）", SafeTextArea(id="note", soft_wrap=True)),
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "evaluation":
            self.query_one("#rehandle-note", Static).update(plain(REHANDLE_NOTE if event.value == "不满意" else ""))

    def collect(self):
        values = {
            "evaluation": self.choice("evaluation", "办理结果的评价（满意、基本满意或不满意）"),
            "on": self.day("on", "评价日期"),
            "note": self.text("note", f"{self.said.proposer}意见"),
        }
        work = self.query_one("#work", Select)
        if not work.is_blank():  # 办理工作 left blank: the store keeps it empty (an older form asked one question)
            values["work"] = work.value
        return values
