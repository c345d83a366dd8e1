"""操作人: asked once, when neither `--operator` nor `DUBAN_OPERATOR` names who is acting and
no earlier start remembered a name. The name goes on every record this desk writes.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Static

from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import SafeInput


class OperatorDialog(ActionDialog):
    """Who is using this desk: a name, checked as the store checks it, remembered for this login."""

    DEFAULT_CLASSES = "operator"
    WRITES = False  # the name goes to the settings file, not the ledger
    BINDINGS = [
        Binding("escape", "cancel", "退出", id="operator.cancel", tooltip="不填姓名，退出督办台"),
    ]

    def __init__(self, *, submit: Submit, suggestion: str = "") -> None:
        super().__init__(heading="操作人", case_text="每条记录都会写明是谁做的。", submit=submit)
        self.suggestion = suggestion

    def hint(self) -> str:
        return save_hint(cancel="esc 退出督办台")

    def compose(self) -> ComposeResult:
        yield self.frame(
            Static("请输入您的姓名。本机本用户以后打开督办台时不再询问"
                   "（要更换，可用 --operator 或环境变量 DUBAN_OPERATOR）。", classes="facts"),
            Label("姓名"),
            SafeInput(value="", placeholder="例如 张三", id="name", max_length=50),
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def values(self):
        from store.actions import _operator
        from store.errors import LedgerError

        box = self.query_one("#name", Input)
        try:
            return {"name": _operator(box.value)}
        except LedgerError as exc:
            self.show_error(exc.message, box)
            return None

    def field_for_error(self, message: str):
        return self.query_one("#name", Input)
