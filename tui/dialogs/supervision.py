"""分管: the divisions a 分管局领导 (or 局长) supervises, ticked in a list.

`space` ticks or unticks the division under the cursor; `ctrl+s` saves through `submit`
({"division_ids": [...]}); `esc` writes nothing. Only current divisions are listed, plus
any retired one the leader still has (shown as 已停用, so it can be unticked).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label, SelectionList

from store.queries import DivisionInfo
from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import visible


class SupervisionDialog(ActionDialog):
    """g on a leader: choose the divisions they supervise."""

    DEFAULT_CLASSES = "supervision"

    def __init__(self, leader_name: str, divisions: list[DivisionInfo], supervises: tuple[int, ...], *,
                 submit: Submit) -> None:
        super().__init__(heading="分管处室", case_text=leader_name, submit=submit)
        self.divisions = [d for d in divisions if not d.retired or d.id in supervises]
        self.supervises = set(supervises)

    def hint(self) -> str:
        return "space 勾选/取消　" + save_hint()

    def compose(self) -> ComposeResult:
        choices = [(Text(visible(d.name) + ("（已停用）" if d.retired else "")), d.id, d.id in self.supervises)
                   for d in self.divisions]
        yield self.frame(Label("分管的处室（可多选）"), SelectionList[int](*choices, id="divisions"))

    def on_mount(self) -> None:
        self.query_one("#divisions", SelectionList).focus()

    def values(self):
        return {"division_ids": list(self.query_one("#divisions", SelectionList).selected)}
