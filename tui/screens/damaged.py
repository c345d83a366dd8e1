"""Shown when the ledger fails its integrity check: nothing more is written; only quitting is left."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.text import plain


class DamagedScreen(ModalScreen[None]):
    """The database is damaged: say so in words and let the user leave without writing."""

    DEFAULT_CSS = """
    DamagedScreen { align: center middle; }
    DamagedScreen > Vertical { width: 80; height: auto; padding: 1 2; border: thick $error; background: $surface; }
    DamagedScreen .title { text-style: bold; color: $text-error; }
    """
    BINDINGS = [Binding("q", "app.quit", "退出", id="damaged.quit", tooltip="退出督办台")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("台账数据库已损坏", classes="title")
            yield Static(plain(self.message, single_line=False))
            yield Static(plain("为免损坏扩大，督办台不再写入任何内容。请按 q 退出，"
                               "用最近的备份恢复台账，或请信息部门检查该文件。", single_line=False))
