"""The division board (处室看板, `d`): each division's load, drill-down, urge and notice."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from store import actions, queries
from store.errors import LedgerError
from store.io import notice as notices
from tui.widgets.footer import DeskFooter
from tui.dialogs.confirm import ConfirmDialog
from tui.messages import LedgerUpdated
from tui.text import plain, visible

COLUMNS = ("处室", "在办", "7日内到期", "已逾期", "滞后", "催办逾期未复", "待催办")


def _count(value: int, *, alarm: bool = False) -> Text:
    return Text(str(value), style="bold red" if alarm and value else "", justify="right")


class DivisionBoardScreen(Screen):
    """One row a division; `enter` shows its cases, `u` urges it, `n` shows the urge notice."""

    CSS_PATH = "divisions.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="board.back", tooltip="返回台账"),
        Binding("enter", "drill", "查看该处室的件", id="board.drill", tooltip="在台账中只看该处室的件"),
        Binding("u", "urge_division", "催办该处室", id="board.urge",
                tooltip="对该处室所有逾期和滞后的件一次催办（每件记一条催办）"),
        Binding("n", "notice", "催办通知", id="board.notice", tooltip="生成给该处室的催办通知（可复制、保存）"),
    ]

    def __init__(self, session_id: int | None = None, session_label: str = "全部届次") -> None:
        super().__init__()
        self.session_id = session_id
        self.session_label = session_label
        self.loads: list[queries.DivisionLoad] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain(f"处室看板　{self.session_label}"), id="board-title")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Static("", id="board-help")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.sub_title = "处室看板"
        table = self.query_one(DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        table.focus()
        self.load()

    @work(exclusive=True, group="board")
    async def load(self) -> None:
        try:
            loads = await self.app.gateway.report(queries.division_board, session_id=self.session_id,
                                                  today=self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法读取处室看板")
            return
        if not self.is_attached:
            return
        try:
            self.show(loads)
        except NoMatches:
            pass

    def show(self, loads: list[queries.DivisionLoad]) -> None:
        table = self.query_one(DataTable)
        current = self.current
        keep = current.division if current else None  # by name: 未分派 has no id
        self.loads = loads
        table.clear()
        for load in loads:
            table.add_row(
                Text(visible(load.division) or "未分派"),
                _count(load.open_cases), _count(load.due_within_7), _count(load.overdue, alarm=True),
                _count(load.stale, alarm=True), _count(load.unanswered_urges, alarm=True),
                _count(len(load.to_urge)),
            )
        for index, load in enumerate(loads):
            if keep is not None and load.division == keep:
                table.move_cursor(row=index)
        total = sum(load.overdue for load in loads)
        estimated = sum(load.estimated for load in loads)
        note = (f"\n其中{estimated}件的下一期限按推算的节假日计算：所跨年份的安排尚未公布或未经办公室确认，以正式安排为准。"
                if estimated else "")
        self.query_one("#board-help", Static).update(
            plain(f"共{len(loads)}个处室，逾期{total}件。enter 查看该处室的件　u 催办该处室所有逾期和滞后的件　n 催办通知"
                  + note, single_line=False)
        )

    @property
    def current(self) -> queries.DivisionLoad | None:
        try:
            row = self.query_one(DataTable).cursor_row
        except NoMatches:
            return None
        return self.loads[row] if 0 <= row < len(self.loads) else None

    @on(LedgerUpdated)
    def ledger_updated(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_drill()

    def action_drill(self) -> None:
        load = self.current
        if load is None:
            return
        self.app.pop_screen()
        self.app.screen.show_division(load.division if load.division_id is not None else "")

    def _urgeable(self) -> queries.DivisionLoad | None:
        load = self.current
        if load is None:
            return None
        if load.division_id is None:
            self.app.say("未分派的件没有处室可催办，请先分派。", error=True, title="无法催办")
            return None
        if not load.to_urge:
            self.app.say(f"{visible(load.division)}没有逾期或滞后的件，无需催办。", title="无需催办")
            return None
        return load

    def action_urge_division(self) -> None:
        load = self._urgeable()
        if load is None:
            return

        async def submit(_values: dict[str, Any]):
            results = await self.app.gateway.call(actions.urge_cases, list(load.to_urge), self.app.operator,
                                                  division=load.division_id)
            self.app.say(f"已催办{load.division}：{len(results)}件，每件记一条催办记录。")
            await self.app.after_write()
            self.show_notice(load)
            return results

        question = (f"向{load.division}催办其逾期和滞后的{len(load.to_urge)}件（已逾期{load.overdue}件，滞后{load.stale}件）。"
                    "\n每件各记一条催办记录，级别按各件已有的催办次数逐级提高。确认后显示催办通知，可复制或保存。")
        self.app.push_screen(ConfirmDialog(heading="催办处室", case_text=load.division, question=question,
                                           submit=submit, confirm_label="催办"))

    def action_notice(self) -> None:
        load = self._urgeable()
        if load is not None:
            self.show_notice(load)

    @work(group="notice")
    async def show_notice(self, load: queries.DivisionLoad) -> None:
        from tui.screens.notice import NoticeScreen

        try:
            notice = await self.app.gateway.call(notices.urge_notice, load.division_id, list(load.to_urge),
                                                 operator=self.app.operator, today=self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法生成催办通知")
            return
        self.app.push_screen(NoticeScreen(notice))
