"""新建届次: body (人大/政协), name, year, the usual 交办 date, and where the rules come from
(the defaults or the previous session of the same body)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from store import clock
from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.dialogs.form import StepDialog
from tui.text import SafeInput

BODY_OPTIONS = [("人大（代表建议）", "人大"), ("政协（委员提案）", "政协")]
RULES_OPTIONS = [("默认规则", "default"), ("沿用同一机构上一届次的规则", "previous")]


class NewSessionDialog(ActionDialog):
    """n on the sessions screen: a new session; the store checks the name and the rest."""

    DEFAULT_CLASSES = "new-session"

    def __init__(self, *, submit: Submit) -> None:
        super().__init__(heading="新建届次", case_text="届次名称不能重复；名称中的“人大”“政协”须与机构一致。", submit=submit)

    def hint(self) -> str:
        return save_hint()

    def compose(self) -> ComposeResult:
        yield self.frame(
            StepDialog.row(
                StepDialog.cell("机构", Select(BODY_OPTIONS, value="人大", allow_blank=False, id="body")),
                StepDialog.cell("年份", SafeInput(value=str(clock.today().year), id="year"), classes="date"),
            ),
            StepDialog.cell("届次名称", SafeInput(placeholder="例如 市七届人大五次会议", id="name")),
            StepDialog.row(
                StepDialog.cell("交办日期（可不填）", SafeInput(placeholder="YYYY-MM-DD", id="assigned_on"), classes="date"),
                StepDialog.cell("期限规则", Select(RULES_OPTIONS, value="default", allow_blank=False, id="rules_from"),
                                classes="wide"),
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, Any] | None:
        name = self.query_one("#name", Input)
        if not name.value.strip():
            self.show_error("请填写届次名称。", name)
            return None
        year = self.query_one("#year", Input)
        if not year.value.strip().isdigit():
            self.show_error("年份应为四位数字，例如 2027。", year)
            return None
        day = self.query_one("#assigned_on", Input)
        if day.value.strip():
            try:
                clock.parse_date(day.value)
            except ValueError as exc:
                self.show_error(f"交办日期：{exc}", day)
                return None
        return {"body": self.query_one("#body", Select).value, "name": name.value, "year": year.value.strip(),
                "assigned_on": day.value.strip() or None, "rules_from": self.query_one("#rules_from", Select).value}

    def field_for_error(self, message: str):
        for word, field in (("年份", "#year"), ("交办日期", "#assigned_on"), ("机构", "#body"), ("名称", "#name"),
                            ("上一届次", "#rules_from")):
            if word in message:
                return self.query_one(field)
        return None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")
