"""修改期限规则: one rule of a session — a number of days or months within its bounds, or
是/否 for 期限遇休息日顺延 — with a note for the 变更记录. Saving recomputes the deadlines."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from store.session_rules import RuleView
from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.dialogs.form import StepDialog
from tui.text import SafeInput

YES_NO = [("是", True), ("否", False)]


class SessionRuleDialog(ActionDialog):
    """enter/m on the sessions screen: change the rule under the cursor."""

    DEFAULT_CLASSES = "session-rule"

    def __init__(self, session_name: str, rule: RuleView, *, submit: Submit) -> None:
        super().__init__(heading=f"修改期限规则：{rule.label}", case_text=session_name, submit=submit)
        self.rule = rule

    def hint(self) -> str:
        return save_hint()

    def compose(self) -> ComposeResult:
        rule = self.rule
        if rule.is_yes_no:
            field = Select(YES_NO, value=bool(rule.value), allow_blank=False, id="value")
            facts = f"默认：{rule.default_text}。选“是”时，落在休息日的期限顺延至下一个工作日（按工作日历，含调休）。"
        else:
            field = SafeInput(value=str(rule.value), id="value", type="integer")
            low, high = rule.bounds
            facts = f"单位：{rule.unit}；可填 {low} 至 {high}；默认 {rule.default_text}。"
        yield self.frame(
            StepDialog.facts(facts, "保存后该届次所有在办件的期限立即按新规则重算，并记入变更记录。"),
            StepDialog.row(StepDialog.cell("新的值", field, classes="date"),
                           StepDialog.cell("说明（可不填）", SafeInput(placeholder="例如 按交办机关2027年通知", id="note"),
                                           classes="wide")),
        )

    def on_mount(self) -> None:
        self.query_one("#value").focus()

    def values(self) -> dict[str, Any] | None:
        field = self.query_one("#value")
        if isinstance(field, Select):
            value = field.value
        else:
            value = field.value.strip()
            if not value:
                self.show_error(f"请填写{self.rule.label}的新值。", field)
                return None
        return {"value": value, "note": self.query_one("#note", Input).value}

    def field_for_error(self, message: str):
        return self.query_one("#note") if "说明" in message else self.query_one("#value")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")
