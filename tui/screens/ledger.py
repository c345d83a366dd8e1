"""The ledger screen (台账): the summary bar, the live table, `/` to filter, one key to act."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header, Input

from store.queries import LedgerRow
from tui.widgets.footer import DeskFooter
from tui.messages import LedgerUpdated
from tui.screens.acting import ActingMixin
from tui.text import SafeInput, visible
from tui.widgets.first_run import FirstRunGuide
from tui.widgets.ledger_table import COLUMNS, LedgerTable
from tui.widgets.summary_bar import SummaryBar

ORDER_LABELS = {c.key: c.label for c in COLUMNS} | {"deadline": "下一期限"}
SORTABLE = ["deadline", "number", "title", "lead_proposer", "role", "division", "owner", "status",
            "last_followup", "urge_count"]


SCREENS_TO_PRELOAD = ("tui.screens.case", "tui.screens.divisions", "tui.screens.weekly", "tui.screens.lookup",
                      "tui.screens.statistics", "tui.dialogs.follow_up", "tui.dialogs.urge")
"""Modules of the screens a user opens first, imported once the ledger is shown (on a thread of
their own), so the first `enter`, `d`, `w`, `:`, `s`, `f` or `u` does not pay for its import."""


def _preload_screens() -> None:
    import importlib
    import threading

    def load() -> None:
        for name in SCREENS_TO_PRELOAD:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - only a head start: the key imports it again and says why
                pass

    threading.Thread(target=load, name="duban-preload", daemon=True).start()


class LedgerScreen(ActingMixin, Screen):
    """The whole ledger at a glance; stays current by itself and keeps the user's place."""

    CSS_PATH = "ledger.tcss"
    BINDINGS = [
        Binding("enter", "open_case", "打开", id="ledger.open", tooltip="打开光标所在的件"),
        Binding("slash", "filter", "筛选", key_display="/", id="ledger.filter",
                tooltip="按编号、标题、领衔人、处室、责任人边输入边筛选"),
        Binding("f", "follow_up", "跟进", id="ledger.follow_up", tooltip="记录一次查办、询办、沟通或备注"),
        Binding("u", "urge", "催办", id="ledger.urge", tooltip="催办负责该件的处室"),
        Binding("space", "mark", "标记", id="ledger.mark", tooltip="标记/取消标记该行；有标记时 f、u 作用于所有标记的件"),
        Binding("z", "undo", "撤销", id="ledger.undo", tooltip="撤销您在该件上的最近一次操作（记为新的撤销记录）"),
        Binding("d", "divisions", "处室看板", id="ledger.divisions", tooltip="各处室的在办、逾期、滞后与催办情况"),
        Binding("w", "weekly_review", "每周检查", show=False, id="ledger.weekly",
                tooltip="本周检查清单：逐件查看、标记已检查，生成督办周报"),
        Binding("colon", "lookup", "查件", key_display=":", show=False, id="ledger.lookup",
                tooltip="会上查件：按编号、领衔人或标题中的词查找，显示该件的大字卡片"),
        Binding("s", "statistics", "统计", show=False, id="ledger.statistics",
                tooltip="本届次的统计、各处室负荷和年度总结“基本情况”"),
        Binding("x", "export_xlsx", "导出", show=False, id="ledger.export",
                tooltip="把当前届次的台账导出为 xlsx 表格（文档/督办台 文件夹）"),
        Binding("i", "import_list", "导入", show=False, id="ledger.import",
                tooltip="导入交办机关的清单（xlsx 或 csv）：先预览将新增、更新多少件，确认后写入"),
        Binding("n", "new_case", "新件", id="ledger.new_case", tooltip="录入一件新的建议或提案（纸质交办、闭会期间、补交办）"),
        Binding("p", "office", "处室人员", show=False, id="ledger.office",
                tooltip="处室与人员：新增、改名、调动、停用，分管局领导分管哪些处室"),
        Binding("c", "calendar", "工作日历", show=False, id="ledger.calendar",
                tooltip="工作日历：各年节假日和调休上班日的来源，录入和确认一年的安排"),
        Binding("r", "sessions", "届次规则", show=False, id="ledger.sessions",
                tooltip="届次与期限规则：新建、改名届次，查看和修改期限规则"),
        Binding("o", "next_order", "排序", id="ledger.order", tooltip="按下一列排序（再按 O 反向）"),
        Binding("O", "reverse_order", "反向", show=False, id="ledger.reverse", tooltip="反向排序"),
        Binding("right_square_bracket", "session(1)", "下一届次", key_display="]", id="ledger.next_session",
                tooltip="切换到下一个届次（或全部届次）"),
        Binding("left_square_bracket", "session(-1)", "上一届次", key_display="[", show=False,
                id="ledger.prev_session", tooltip="切换到上一个届次"),
        Binding("escape", "clear_filter", "清除", show=False, id="ledger.clear", tooltip="清除筛选；再按清除标记"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.session: str | None = None  # None: all sessions
        self.division: str | None = None  # from the division board; "" is 未分派
        self._urges: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield SummaryBar(id="summary")
        yield LedgerTable(id="ledger")
        yield FirstRunGuide(id="first-run")
        yield SafeInput(placeholder="筛选：编号、标题、领衔人、处室、责任人（esc 清除，enter 回到列表）", id="filter")
        yield DeskFooter()

    @property
    def table(self) -> LedgerTable:
        return self.query_one(LedgerTable)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one(FirstRunGuide).display = False
        self.table.focus()
        self.table.empty_text = "正在载入台账…"  # not "no case matches" before the first rows are read
        self.query_one(SummaryBar).show(None, None, "全部届次")
        self.start()

    @work(exclusive=True, group="load")
    async def start(self) -> None:
        data = self.app.ledger
        try:
            first = await data.first_look()
        except Exception as exc:  # noqa: BLE001 - shown, never raised into Textual
            self.app.say(str(exc), error=True, title="无法读取台账")
            return
        if not self.is_attached:  # the app closed while the store answered
            return
        try:
            self.table.set_rows(first.rows, total_hint=first.total)
            self.query_one(SummaryBar).show(None, None, self.scope_label, loading=True)
        except NoMatches:
            return
        # The whole ledger first (on the bulk thread, reading since the desk was made, beside the
        # week's urges on the store thread), then, once it shows, the integrity check (a whole
        # read of the file, in C, on the report thread) and the statistics' facts after it: on two
        # cores each would otherwise slow the other and the first frame of the ledger.
        urges = asyncio.ensure_future(self.refresh_urges())
        try:
            await data.load_all()
        except Exception as exc:  # noqa: BLE001
            self.app.say(str(exc), error=True, title="无法读取台账")
            await urges
            await self.app.check_integrity()
            return
        if self.is_attached:
            self.show_rows()
        await urges
        checked = asyncio.ensure_future(self.app.check_integrity())
        data.count_statistics()  # queued on the report thread behind the check
        data.read_ahead()
        _preload_screens()
        await checked

    # ------------------------------------------------------------------ rows

    @property
    def scope_label(self) -> str:
        return visible(self.session) if self.session else "全部届次"

    def show_rows(self, keep_case: int | None = None) -> None:
        """Apply session, filter and order to the snapshot; keep the cursor on its case."""
        try:
            self._show_rows(keep_case)
        except NoMatches:  # the screen is being torn down while the store answered
            pass

    def _show_rows(self, keep_case: int | None) -> None:
        snapshot = self.app.ledger.snapshot
        if snapshot is None or not self.is_attached:
            return
        current = self.table.current_row
        keep = keep_case if keep_case is not None else (current.case_id if current else None)
        in_scope = snapshot.rows(session=self.session)
        rows = (snapshot.rows(session=self.session, text=self.filter_text, division=self.division)
                if self.filter_text or self.division is not None else in_scope)
        self.table.order = snapshot.order
        self.table.empty_text = (f"没有符合“{visible(self.filter_text)}”的件。按 esc 清除筛选。"
                                 if self.filter_text else "本届次还没有案件。")
        self.table.set_rows(rows, keep_case=keep)
        self._show_guide(len(snapshot) == 0)
        self.query_one(SummaryBar).show(snapshot.session_summary(self.session), self._urges, self.scope_label)
        self.sub_title = f"{self.scope_label}　共{len(in_scope)}件" + (
            f"　处室“{visible(self.division) or '未分派'}”：{len(rows)}件" if self.division is not None else ""
        ) + (
            f"　筛选“{visible(self.filter_text)}”：{len(rows)}件" if self.filter_text else ""
        ) + f"　按{ORDER_LABELS[snapshot.order[0]]}{'倒序' if snapshot.order[1] else ''}排列" + (
            f"　已标记{len(self.table.marked)}件（f/u 作用于标记的件，esc 清除）" if self.table.marked else ""
        )

    def _show_guide(self, empty: bool) -> None:
        """An empty ledger shows the first-run steps instead of an empty table."""
        guide = self.query_one(FirstRunGuide)
        was_shown = guide.display
        guide.display = empty
        self.table.display = not empty
        if empty:
            if not was_shown:
                guide.show(None, self.app.target)
            self.run_worker(self._read_progress(), exclusive=True, group="first-run")
        elif was_shown:
            self.table.focus()

    async def _read_progress(self) -> None:
        from store.first_run import setup_progress

        try:
            progress = await self.app.gateway.call(setup_progress, self.app.ledger.today)
        except Exception:  # noqa: BLE001 - the guide stays without ticks
            return
        for guide in self.query(FirstRunGuide):
            guide.show(progress, self.app.target)

    async def refresh_urges(self) -> None:
        session_id = next((s.id for s in self.app.ledger.sessions if s.name == self.session), None)
        try:
            self._urges = await self.app.ledger.urges_this_week(session_id)
        except Exception:  # noqa: BLE001 - the bar shows … instead
            self._urges = None
        snapshot = self.app.ledger.snapshot
        if snapshot is not None and self.is_attached:
            for bar in self.query(SummaryBar):
                bar.show(snapshot.session_summary(self.session), self._urges, self.scope_label)

    @on(LedgerUpdated)
    def ledger_updated(self, message: LedgerUpdated) -> None:
        self.show_rows()
        self.run_worker(self.refresh_urges(), exclusive=True, group="urges")

    def current_case(self) -> LedgerRow | None:
        return self.table.current_row

    def marked_cases(self) -> list[LedgerRow]:
        """Marked rows that still exist, in the table's order."""
        snapshot = self.app.ledger.snapshot
        marked = self.table.marked
        if not marked or snapshot is None:
            return []
        return [row for row in snapshot.rows() if row.case_id in marked]

    def clear_marks(self) -> None:
        self.table.marked.clear()
        self.table.refresh()
        self.show_rows()

    def action_mark(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        self.table.marked.symmetric_difference_update({row.case_id})
        self.table.action_cursor(1)
        self.table.refresh()
        self.show_rows()

    # --------------------------------------------------------------- actions

    def action_open_case(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.app.open_case(row.case_id)

    @on(LedgerTable.Chosen)
    def chosen(self, message: LedgerTable.Chosen) -> None:
        self.app.open_case(message.row.case_id)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.show_rows()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self.filter_text or box.display:
            box.value = ""
            box.display = False
            self.filter_text = ""
            self.show_rows()
            self.table.focus()
        elif self.division is not None:
            self.division = None
            self.show_rows()
        elif self.table.marked:
            self.clear_marks()

    def show_division(self, division: str) -> None:
        """Show only one division's cases (from the division board); esc clears it."""
        self.division = division
        self.show_rows()
        self.table.focus()

    def action_divisions(self) -> None:
        from tui.screens.divisions import DivisionBoardScreen

        session_id = next((s.id for s in self.app.ledger.sessions if s.name == self.session), None)
        self.app.push_screen(DivisionBoardScreen(session_id, self.scope_label))

    def action_new_case(self) -> None:
        from tui.dialogs.new_case import open_new_case

        open_new_case(self)

    def action_office(self) -> None:
        from tui.screens.office import OfficeScreen

        self.app.push_screen(OfficeScreen())

    def action_calendar(self) -> None:
        from tui.screens.calendar import CalendarScreen

        self.app.push_screen(CalendarScreen())

    def action_sessions(self) -> None:
        from tui.screens.sessions import SessionsScreen

        self.app.push_screen(SessionsScreen(self.session))

    def action_lookup(self) -> None:
        from tui.screens.lookup import LookupScreen

        self.app.push_screen(LookupScreen())

    def action_statistics(self) -> None:
        from tui.screens.statistics import StatisticsScreen

        self.app.push_screen(StatisticsScreen(self.session))

    def action_weekly_review(self) -> None:
        from tui.screens.weekly import WeeklyReviewScreen

        self.app.push_screen(WeeklyReviewScreen())

    async def action_export_xlsx(self) -> None:
        from store.errors import LedgerError
        from store.io.export import export_xlsx_to_documents

        from tui.widgets.work_progress import WorkProgress

        session_id = next((s.id for s in self.app.ledger.sessions if s.name == self.session), None)
        self.app.say(f"正在导出{self.scope_label}的台账……")
        bar = WorkProgress(classes="export-progress")
        await self.mount(bar, before=self.query_one(DeskFooter))
        try:
            path, count = await self.app.gateway.report(export_xlsx_to_documents, session_id=session_id,
                                                        today=self.app.ledger.today, progress=bar.callback)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        finally:
            await bar.remove()
        self.app.say(f"已导出{count}件至 {path}", title="导出台账")

    def action_import_list(self) -> None:
        from store.io import importer
        from tui.dialogs.import_list import ImportDialog, counts_line

        operator = self.app.operator

        def check(path, session, progress):
            table = importer.read_table(path, progress=progress)
            return table, importer.import_table(table, operator, session=session, dry_run=True, progress=progress)

        async def preview(values):
            return await self.app.gateway.call(check, values["path"], values["session"], values.get("progress"))

        async def submit(values):
            result = await self.app.gateway.call(importer.import_table, values["table"], operator,
                                                 session=values["session"], progress=values.get("progress"),
                                                 seen_versions=values.get("seen_versions"))
            self.app.say(f"已导入：{counts_line(result)}。", title="导入交办清单")
            await self.app.after_write()
            return result

        self.app.push_screen(ImportDialog(session=self.session, preview=preview, submit=submit))

    def _sort(self, order: str, reverse: bool) -> None:
        snapshot = self.app.ledger.snapshot
        if snapshot is None:
            self.app.say("台账仍在载入，稍后即可排序。")
            return
        snapshot.sort(order, reverse)
        self.show_rows()

    def action_next_order(self) -> None:
        snapshot = self.app.ledger.snapshot
        if snapshot is None:
            return self._sort("deadline", False)
        order = SORTABLE[(SORTABLE.index(snapshot.order[0]) + 1) % len(SORTABLE)]
        self._sort(order, False)

    def action_reverse_order(self) -> None:
        snapshot = self.app.ledger.snapshot
        if snapshot is not None:
            self._sort(snapshot.order[0], not snapshot.order[1])

    @on(LedgerTable.HeaderClicked)
    def header_clicked(self, message: LedgerTable.HeaderClicked) -> None:
        column = "deadline" if message.column == "countdown" else message.column
        snapshot = self.app.ledger.snapshot
        if snapshot is not None:
            reverse = not snapshot.order[1] if snapshot.order[0] == column else False
            self._sort(column, reverse)

    async def action_session(self, step: int) -> None:
        names: list[str | None] = [None] + [s.name for s in self.app.ledger.sessions]
        index = names.index(self.session) if self.session in names else 0
        self.session = names[(index + step) % len(names)]
        self.show_rows()
        await self.refresh_urges()
