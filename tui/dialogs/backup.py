"""备份台账 (from the palette): where to write the copy, then a checked backup and where it went.

The file name is offered in the documents folder, as the exports are
(文档/督办台/台账备份-YYYYMMDD-HHMM.db), and can be changed. The copy is made on the gateway's
bulk thread (store/backup.py `backup_ledger`), so the desk keeps working and other desks keep
writing; a refusal (the file exists, the folder is missing, the disk is full) keeps the dialog
open with the reason and the typed path.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Input, Static

from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.dialogs.form import StepDialog
from tui.text import SafeInput, plain


class BackupDialog(ActionDialog):
    """The palette's 备份台账: the backup file's path, saved with ctrl+s or enter."""

    DEFAULT_CLASSES = "backup-ledger"
    WRITES = False  # a copy is read from the ledger, which may be read-only

    def __init__(self, ledger: str, suggested: str, *, submit: Submit) -> None:
        super().__init__(heading="备份台账", case_text=f"台账：{ledger}", submit=submit)
        self.suggested = suggested

    def hint(self) -> str:
        return save_hint("备份")

    def compose(self) -> ComposeResult:
        yield self.frame(
            StepDialog.cell("备份文件（须是新文件）", SafeInput(value=self.suggested, id="out")),
            Static(plain("其他工作站可以照常写入，备份仍是某一时刻的完整台账；备份后会检查副本是否完好。"
                         "建议每天下班前备份一次，并另存一份到本机以外的地方。", single_line=False),
                   classes="facts"),
            Static("", id="backup-progress"),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#out", Input).focus()

    def values(self) -> dict[str, Any] | None:
        box = self.query_one("#out", Input)
        if not box.value.strip():
            self.show_error("请填写备份文件的路径。", box)
            return None
        return {"out": box.value.strip()}

    def field_for_error(self, message: str):
        return self.query_one("#out", Input)

    def show_progress(self, done: int, total: int) -> None:
        """Pages copied so far (called on the UI thread from the backup's progress callback)."""
        try:
            self.query_one("#backup-progress", Static).update(plain(f"正在备份…… {done * 100 // max(total, 1)}%"))
        except NoMatches:  # the dialog has closed meanwhile
            pass

    async def action_save(self) -> None:
        self.show_progress(0, 1)
        await super().action_save()
        try:
            self.query_one("#backup-progress", Static).update("")
        except NoMatches:
            pass

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")
