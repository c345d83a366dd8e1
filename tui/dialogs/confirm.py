"""A question with one answer that acts: `enter` does it, `esc` does not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import plain


class ConfirmDialog(ActionDialog):
    """Confirm an action described in `question` (stored text in it is shown as typed)."""

    DEFAULT_CLASSES = "confirm"
    BINDINGS = [Binding("enter", "save", "确认", id="confirm.yes", tooltip="确认执行")]

    def __init__(self, *, heading: str, case_text: str, question: str, submit: Submit,
                 confirm_label: str = "确认") -> None:
        super().__init__(heading=heading, case_text=case_text, submit=submit)
        self.question = question
        self.confirm_label = confirm_label

    def hint(self) -> str:
        return save_hint(self.confirm_label, enter="enter 亦可", cancel="esc 取消")

    def compose(self) -> ComposeResult:
        yield self.frame(Static(plain(self.question, single_line=False), id="question"))

    def values(self):
        return {}
