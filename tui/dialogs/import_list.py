"""导入交办清单 from the desk: a file path and a session, a dry run first, then the import.

Step 1 (`enter` or `ctrl+s`) reads the file and runs the importer with `dry_run=True` off the
UI thread: the dialog shows what the import would do (新增、更新、未变, the first notes) or
every problem found ("第N行「列名」：问题", the first few and a count), and nothing is
written. Step 2 (`enter` or `ctrl+s` again) imports what was previewed and closes. Changing
the path or the session after a preview goes back to step 1. `esc` writes nothing.

While the file is read, checked and written, a progress bar (`WorkProgress`) shows the phase
and how far it is: `preview` and `submit` get its thread-safe callback as `values["progress"]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Label, Static

from store.errors import LedgerError
from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import plain, SafeInput
from tui.widgets.work_progress import WorkProgress

ERRORS_SHOWN = 10
NOTES_SHOWN = 5

Preview = Callable[[dict[str, Any]], Awaitable[Any]]
"""Runs the dry run for {"path", "session", "progress"}; returns (table, ImportResult)."""


def counts_line(result) -> str:
    """新增N件、更新N件、未变N件 (and the sessions a real import created or a preview would create)."""
    line = f"新增{len(result.created)}件、更新{len(result.updated)}件、未变{len(result.unchanged)}件"
    if result.sessions_created:
        line += "；新建届次 " + "、".join(result.sessions_created)
    return line


def refusal_text(exc: LedgerError) -> str:
    """A refusal as lines: the count, then the first ERRORS_SHOWN problems, then how many more."""
    errors = [e.replace("请用 --session 指明", "请在“届次”框中填写") for e in getattr(exc, "errors", None) or []]
    if not errors:
        return exc.message
    lines = [f"文件有{len(errors)}处错误，未写入任何内容："]
    lines.extend(errors[:ERRORS_SHOWN])
    if len(errors) > ERRORS_SHOWN:
        lines.append(f"……另有{len(errors) - ERRORS_SHOWN}处错误未列出")
    return "\n".join(lines)


class ImportDialog(ActionDialog):
    """i: import the assigning office's list (XLSX or CSV) — preview first, then import."""

    DEFAULT_CLASSES = "import-list"
    BINDINGS = [Binding("enter", "save", "预览/导入", id="import.confirm", tooltip="先预览（不写入），再按一次导入")]

    def __init__(self, *, session: str | None, preview: Preview, submit: Submit) -> None:
        super().__init__(heading="导入交办清单", case_text="交办机关的清单（.xlsx 或 .csv），先预览，确认后导入",
                         submit=submit)
        self.session = session or ""
        self.preview = preview
        self.previewed: tuple[str, str] | None = None  # (path, session) as typed when previewed
        self.table: Any = None  # the file's cells as previewed: step 2 imports exactly these
        self.seen_versions: dict[int, int] | None = None  # and refuses if a case changed since

    # ------------------------------------------------------------------ building

    def hint(self) -> str:
        if self.previewed is None:
            return save_hint("预览，不写入", cancel="esc 取消")
        return save_hint("导入", extra="　改动路径或届次将重新预览", cancel="esc 取消，不写入")

    def compose(self) -> ComposeResult:
        yield self.frame(
            Label("文件（.xlsx 或 .csv，可用 ~ 表示主目录）"),
            SafeInput(placeholder="例如 ~/文档/交办清单.xlsx", id="path"),
            Label("届次（可空：取清单中的“届次”列；台账中没有的届次将新建）"),
            SafeInput(value=self.session or "", placeholder="例如 市七届人大五次会议", id="session"),
            WorkProgress(id="import-progress"),
            Static("", id="preview"),
        )

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    # ------------------------------------------------------------------ steps

    def typed(self) -> tuple[str, str]:
        return self.query_one("#path", Input).value, self.query_one("#session", Input).value

    def set_step(self, previewed: tuple[str, str] | None, text: str = "") -> None:
        self.previewed = previewed
        if previewed is None:
            self.table = None
        self.query_one("#preview", Static).update(plain(text, single_line=False))
        self.query_one(".dialog-hint", Static).update(Content(self.hint()))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.previewed is not None and self.typed() != self.previewed:
            self.set_step(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True)

    def values(self) -> dict[str, Any] | None:
        path_text, session_text = self.typed()
        box = self.query_one("#path", Input)
        if not path_text.strip():
            self.show_error("请填写清单文件的路径。", box)
            return None
        path = Path(path_text.strip()).expanduser()
        if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
            self.show_error(f"“{path.name}”不是 .xlsx 或 .csv 文件。", box)
            return None
        return {"path": path, "session": session_text.strip() or None,
                "progress": self.query_one(WorkProgress).callback}

    async def action_save(self) -> None:
        if self._saving:
            return
        values = self.values()
        if values is None:
            return
        typed = self.typed()
        self._saving = True
        try:
            if self.previewed is None or typed != self.previewed:
                await self._preview(values, typed)
                return
            try:
                result = await self.submit({**values, "table": self.table, "seen_versions": self.seen_versions})
            except LedgerError as exc:
                self.set_step(None)
                self.show_error(refusal_text(exc), self.field_for_error(exc))
                return
        finally:
            self._saving = False
            if self.is_attached:
                self.query_one(WorkProgress).reset()
        self.dismiss(result)

    async def _preview(self, values: dict[str, Any], typed: tuple[str, str]) -> None:
        self.show_error("")
        self.set_step(None, "正在检查……")
        try:
            table, result = await self.preview(values)
        except LedgerError as exc:
            self.set_step(None)
            self.show_error(refusal_text(exc), self.field_for_error(exc))
            return
        if not self.is_attached:
            return
        if self.typed() != typed:  # changed while the file was read: that preview is stale
            self.set_step(None)
            return
        lines = [f"预览（未写入）：共{result.total}件，{counts_line(result)}。"]
        lines.extend(result.notes[:NOTES_SHOWN])
        if len(result.notes) > NOTES_SHOWN:
            lines.append(f"……另有{len(result.notes) - NOTES_SHOWN}条提示未列出")
        if result.total == 0:
            lines.append("清单中没有可导入的件。")
        self.table = table
        self.seen_versions = getattr(result, "seen_versions", None)  # the cases as the preview compared them
        self.set_step(typed, "\n".join(lines))

    def field_for_error(self, exc: LedgerError | str) -> Any:
        errors = getattr(exc, "errors", None) or []
        if errors and all("「届次」" in e for e in errors):
            return self.query_one("#session", Input)
        return self.query_one("#path", Input)
