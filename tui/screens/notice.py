"""The urge notice (催办通知) on screen: `c` copies it (OSC 52), `ctrl+s` saves it as .txt and .docx."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from store.errors import LedgerError
from store.io import notice as notices
from tui.widgets.footer import DeskFooter
from tui.text import paragraphs, visible


def notice_folder() -> Path:
    """Where notices are saved: 督办台 in the user's documents folder (created on first save)."""
    return Path(platformdirs.user_documents_dir()) / "督办台"


class NoticeScreen(Screen):
    """The formal text the office sends a division, as it will be sent."""

    CSS_PATH = "notice.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="notice.back", tooltip="返回"),
        Binding("c", "copy", "复制", id="notice.copy", tooltip="复制全文到剪贴板（终端 OSC 52）"),
        Binding("ctrl+s", "save", "保存为文件", id="notice.save", tooltip="保存为文本文件和 Word 文件（文档/督办台）"),
    ]

    def __init__(self, notice, folder: Path | None = None) -> None:
        super().__init__()
        self.notice = notice
        self.folder = folder

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="notice-scroll"):
            yield Static(paragraphs(self.notice.text), id="notice-text")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.sub_title = f"催办通知　{visible(self.notice.division)}"

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(visible(self.notice.text, single_line=False))  # pasted into a terminal, harmless
        self.app.say("催办通知已复制到剪贴板（如终端不支持 OSC 52，请用 ctrl+s 保存为文件）。")

    async def action_save(self) -> None:
        folder = self.folder or notice_folder()
        try:
            text, word = await self.app.gateway.call(_save, self.notice, folder)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="未保存")
            return
        self.app.say(f"已保存：{text}、{word}")


def ensure_folder(folder: Path) -> Path:
    """The folder documents are saved in, created when missing (a LedgerError sentence if it cannot be)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}。") from None
    return folder


def _save(notice, folder: Path) -> tuple[Path, Path]:
    return notices.save_notice_files(notice, ensure_folder(folder))
