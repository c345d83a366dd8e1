"""届次改名: a session's new name (unique), with an optional note for the 变更记录."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.dialogs.form import StepDialog
from tui.text import SafeInput


class RenameSessionDialog(ActionDialog):
    """e on the sessions screen: rename the chosen session."""

    DEFAULT_CLASSES = "rename-session"

    def __init__(self, name: str, *, submit: Submit) -> None:
        super().__init__(heading="届次改名", case_text=f"现名称：{name}", submit=submit)
        self.old_name = name

    def hint(self) -> str:
        return save_hint()

    def compose(self) -> ComposeResult:
        yield self.frame(
            StepDialog.cell("新名称", SafeInput(value=self.old_name or "", id="name")),
            StepDialog.cell("说明（可不填）", SafeInput(placeholder="例如 按交办函更正名称", id="note")),
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, Any] | None:
        name = self.query_one("#name", Input)
        if not name.value.strip():
            self.show_error("请填写新名称。", name)
            return None
        return {"new_name": name.value, "note": self.query_one("#note", Input).value}

    def field_for_error(self, message: str):
        return self.query_one("#note") if "说明" in message else self.query_one("#name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")
