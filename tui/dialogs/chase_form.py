"""催收征询表: chase an evaluation form (征询意见表) that has not come back yet.

An outstanding form is 待收回 — never 逾期未办结; chasing it counts on the form
(`FormView.urged`) and leaves a 催收征询表 event (`store.actions.chase_form`).
"""

from __future__ import annotations

from textual.app import ComposeResult

from store import clock
from store.queries import CaseCard
from tui.dialogs.form import StepDialog
from tui.text import SafeInput


def form_lines(card: CaseCard) -> list[str]:
    """Where the form stands: 送出 2026-11-02（随答复），持表人 王建国 / 收回期限 … 待收回 / 已催收1次."""
    form = card.form
    if form is None:
        return []
    sent = f"征询意见表 {form.sent_on:%Y-%m-%d} 送出（{form.how}）" + (f"，持表人 {form.holder}" if form.holder else "")
    due = f"收回期限 {form.due:%Y-%m-%d}，" if form.due else ""
    return [sent, f"{due}{form.state(clock.today())}" + (f"，已催收{form.urged}次" if form.urged else "")]


class ChaseFormDialog(StepDialog):
    """J: one chase of the form — the date and what was said."""

    HEADING = "催收征询意见表"
    FIRST = "note"
    DEFAULT_CLASSES = "chase-form"
    ERROR_FIELDS = (("催收情况", "note"), ("日期", "on"))

    def compose(self) -> ComposeResult:
        yield self.frame(
            self.facts(*form_lines(self.card)),
            self.row(self.date_cell("催收日期"),
                     self.cell("催收情况", SafeInput(placeholder="例如 电话提醒尽快寄回", id="note"), classes="wide")),
        )

    def collect(self):
        return {"on": self.day("on", "催收日期"), "note": self.text("note", "催收情况").strip()}
