"""催办: urge the responsible division, filled in already; `enter` urges, `esc` does not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Select, Static

from store.models import URGE_LEVELS
from store.queries import UrgeProposal
from tui.dialogs.base import CHECKED, ActionDialog, Submit, save_hint
from tui.widgets.quick_select import QuickSelect
from tui.text import SafeInput, plain


class UrgeDialog(ActionDialog):
    """u: one urge, with the division, the next level, a respond-by date and a note."""

    DEFAULT_CLASSES = "urge"
    AUTO_FOCUS = "#note"
    """The cursor starts in the note, as `on_mount` puts it: focused first, the level's Select is
    not styled focused and then unfocused again as the dialog opens."""
    BINDINGS = [Binding("enter", "save", "催办", id="urge.confirm", tooltip="发出催办")]

    def __init__(self, proposal: UrgeProposal, *, submit: Submit) -> None:
        super().__init__(heading="催办", case_text=f"{proposal.label} {proposal.title}", submit=submit)
        self.proposal = proposal

    def hint(self) -> str:
        return save_hint("催办", cancel="esc 取消，不催办")

    def compose(self) -> ComposeResult:
        p = self.proposal
        yield self.frame(
            Static(plain(f"催办处室：{p.division}"), id="division"),
            Static(plain(p.deadline), id="deadline"),
            Label("级别"),
            QuickSelect([(name, level) for level, name in URGE_LEVELS.items()], value=p.level, allow_blank=False,
                        id="level"),
            Label("反馈期限（YYYY-MM-DD）"),
            SafeInput(value=f"{p.respond_by:%Y-%m-%d}", id="respond_by", classes=CHECKED),
            Label("催办说明"),
            SafeInput(value=p.note or "", id="note", classes=CHECKED),
        )

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True)

    def values(self):
        box = self.query_one("#respond_by", Input)
        ok, respond_by = self.planned_date(box, "反馈期限")
        if not ok:
            return None
        if respond_by is None:
            self.show_error("请填写反馈期限。", box)
            return None
        return {
            "level": self.query_one("#level", Select).value,
            "respond_by": respond_by,
            "note": self.query_one("#note", Input).value,
        }

    def field_for_error(self, message: str):
        return self.query_one("#respond_by", Input) if "期限" in message else None
