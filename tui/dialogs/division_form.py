"""新增处室 / 修改处室: a division's name (and, when it is new, where it goes in the order).

The dialog reads what was typed and saves it through the `submit` coroutine it is given;
the store checks the name again (unique, not empty, no control characters) and its
refusal is shown here with the name kept as typed. `esc` writes nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Label

from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import SafeInput


class DivisionFormDialog(ActionDialog):
    """a: a new division; e on a division: rename it. Values: {"name", "note"}."""

    DEFAULT_CLASSES = "division-form"

    def __init__(self, *, submit: Submit, name: str = "") -> None:
        super().__init__(heading="修改处室" if name else "新增处室",
                         case_text=f"现名：{name}" if name else "新处室排在最后，可用 K/J 调整顺序", submit=submit)
        self.old_name = name

    def hint(self) -> str:
        return save_hint()

    def compose(self) -> ComposeResult:
        yield self.frame(
            Label("处室名称"),
            SafeInput(value=self.old_name or "", placeholder="例如 数据资源处", id="name"),
            *((Label("改名说明（可不填）"), SafeInput(id="note")) if self.old_name else ()),
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def values(self):
        box = self.query_one("#name", Input)
        if not box.value.strip():
            self.show_error("请填写处室名称。", box)
            return None
        note = self.query("#note")
        return {"name": box.value, "note": note.first(Input).value if note else ""}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def field_for_error(self, message: str):
        return self.query_one("#name", Input) if "名称" in message or "处室" in message else None
