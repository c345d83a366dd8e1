"""Lookup in a meeting (`:`): type a number, a proposer or words of the title; enter shows the card.

Searches the desk's in-memory ledger (the same ranking as the ctrl+p palette), so results
follow each keystroke within milliseconds at 100,000 cases. Hits are shown as plain
Content: a stored title is never read as markup.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from store.queries import LedgerRow
from tui.widgets.footer import DeskFooter
from tui.commands import find_cases, hit_label
from tui.text import SafeInput

MAX_RESULTS = 30


class LookupScreen(Screen):
    """An input and the cases it finds; `enter` opens the highlighted case's meeting card."""

    CSS_PATH = "lookup.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="lookup.back", tooltip="返回台账"),
        Binding("down", "move(1)", "下一个", show=False, id="lookup.down", tooltip="下一个结果"),
        Binding("up", "move(-1)", "上一个", show=False, id="lookup.up", tooltip="上一个结果"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[LedgerRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield SafeInput(placeholder="编号、领衔人或标题中的词；enter 显示该件的会上卡片，esc 返回", id="lookup-input")
        yield Static("", id="lookup-status")
        yield OptionList(id="lookup-results")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.sub_title = "会上查件"
        self.query_one("#lookup-results", OptionList).can_focus = False
        self.query_one("#lookup-input", Input).focus()
        self.search("")

    def _rows(self, query: str) -> list[LedgerRow]:
        """Candidates: the snapshot's rows whose (already case-folded) search text holds the query."""
        ledger = self.app.ledger
        if ledger.snapshot is not None:
            return ledger.snapshot.rows(text=query) if query.strip() else []
        return list(ledger.first.rows) if ledger.first else []

    def search(self, query: str) -> None:
        self.hits = [row for _, row in find_cases(self._rows(query), query, MAX_RESULTS)]
        results = self.query_one("#lookup-results", OptionList)
        results.clear_options()
        results.add_options([Option(hit_label(row, query)) for row in self.hits])
        if self.hits:
            results.highlighted = 0
        status = self.query_one("#lookup-status", Static)
        if not query.strip():
            status.update("输入编号（如 20230489 或 第20230489号）、领衔人或标题中的词。")
        elif not self.hits:
            status.update("没有找到。" + ("" if self.app.ledger.loaded else "台账仍在载入，稍后再试。"))
        else:
            status.update(f"找到{len(self.hits)}件{'（只列前' + str(MAX_RESULTS) + '件）' if len(self.hits) >= MAX_RESULTS else ''}；↑↓ 选择，enter 显示卡片。")

    @on(Input.Changed, "#lookup-input")
    def changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted, "#lookup-input")
    def submitted(self) -> None:
        self.choose()

    @on(OptionList.OptionSelected, "#lookup-results")
    def clicked(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option_index)

    def action_move(self, step: int) -> None:
        results = self.query_one("#lookup-results", OptionList)
        if self.hits:
            results.highlighted = max(0, min(len(self.hits) - 1, (results.highlighted or 0) + step))

    def choose(self, index: int | None = None) -> None:
        from tui.screens.meeting_card import MeetingCardScreen

        if index is None:
            index = self.query_one("#lookup-results", OptionList).highlighted
        if index is None or not 0 <= index < len(self.hits):
            return
        self.app.push_screen(MeetingCardScreen(self.hits[index].case_id))

    def action_back(self) -> None:
        self.app.pop_screen()
