"""督办台: the App — global keys, the live-refresh clock, and `run`.

Thin by design: screens live in `tui/screens`, dialogs in `tui/dialogs`. The database is
opened by the command line before the App starts; the App reaches it only through its
`StoreGateway` (off the UI thread) and keeps the ledger current through `LedgerData`.

A ledger that cannot be written (opened read-only, or its file made read-only since) says 只读
in every header, and a write dialog does not open on it: the key says why instead
(`push_screen`). A save the store refuses as read-only keeps its dialog open and turns the
header to 只读 at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.widget import AwaitMount

from store import calendar, clock
from store.errors import ConnectionLost, LedgerError
from store.db import read_only_reason
from tui import keys_zh, textual_fixes  # noqa: F401 - mends Textual bugs as it is imported
from tui.commands import PALETTE_PLACEHOLDER, CaseLookup
from tui.dialogs.base import ActionDialog
from tui.gateway import StoreGateway
from tui.ledger_data import LedgerData
from tui.memory import Tidying
from tui.messages import LedgerUpdated
from tui.text import visible, wrapped

REFRESH_SECONDS = 1.0

keys_zh.apply(load=False)  # Textual's own keys in Chinese before any widget is made; the rest as loaded


class DeskGateway(StoreGateway):
    """The store gateway of the desk: after a refused call it lets the desk look again at
    whether the ledger can still be written (a file made read-only is noticed at a save)."""

    def __init__(self, after_refusal) -> None:
        super().__init__()
        self._after_refusal = after_refusal

    async def _run(self, executor, fn, *args, **kwargs):
        try:
            return await super()._run(executor, fn, *args, **kwargs)
        except LedgerError as exc:
            self._after_refusal(exc)
            raise


class DubanApp(App):
    """The office's desk: the ledger, each case one key away."""

    TITLE = "督办台"
    CSS_PATH = [Path(__file__).parent / "app.tcss"]
    COMMANDS = App.COMMANDS | {CaseLookup}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "退出", id="quit", tooltip="退出督办台"),
        Binding("question_mark", "help", "帮助", key_display="?", id="help", tooltip="显示本屏所有按键"),
        Binding("ctrl+p", "command_palette", "查找", priority=True, show=False, id="palette",
                tooltip="命令面板：按编号、标题中的词或领衔人查找案件"),
    ]

    def __init__(self, *, operator: str | None, target: str = "", refresh_seconds: float = REFRESH_SECONDS) -> None:
        """`operator` None: ask for the name before the ledger opens (and remember it)."""
        super().__init__()
        self.operator = operator or ""
        self.target = target
        self.gateway = DeskGateway(self.after_refusal)
        year = clock.today().year  # the holiday tables load while Textual starts, not before the first paint
        self.gateway.warm_up(lambda: calendar.prepare((year - 1, year, year + 1)))
        self.ledger = LedgerData(self.gateway)
        self.ledger.begin()  # the first rows and the whole ledger are read while Textual starts
        self.refresh_seconds = refresh_seconds
        self.offline = False  # the PostgreSQL server cannot be reached: the header says so
        self.tidying = Tidying()  # garbage collected while the desk is idle (tui/memory.py)
        self._checking = False

    def on_mount(self) -> None:
        from tui.screens.ledger import LedgerScreen

        from store.db import take_upgrade_note

        self.show_operator()
        self.push_screen(LedgerScreen())
        upgraded = take_upgrade_note()  # set by open_database before the desk started
        if upgraded:
            self.say(upgraded, title="台账已升级")
        if not self.operator:
            self.ask_operator()
        self.set_interval(self.refresh_seconds, self.check_for_changes, name="live-refresh")
        self.tidying.start()  # automatic full collections off while the desk runs (tui/memory.py)
        self.set_interval(1.0, self._tidy_memory, name="tidy-memory")

    async def on_event(self, event) -> None:
        from textual import events

        if isinstance(event, (events.Key, events.MouseDown)):
            self.tidying.touched()
        await super().on_event(event)

    def _tidy_memory(self) -> None:
        """Collect garbage while nobody types (tui/memory.py), never during a long read."""
        from tui import gateway

        self.tidying.frozen(gateway.freezes)  # a long read froze its leftovers: due for a tidy too
        if gateway.long_reads_running():
            return
        if self.tidying.due() and not self.workers_running():
            self.tidying.tidy()
        else:
            self.tidying.settle()

    def workers_running(self) -> bool:
        return any(worker.is_running for worker in self.workers)

    def ask_operator(self) -> None:
        """Ask who is acting; remember the name for this login. esc leaves the desk."""
        import asyncio

        from tui.dialogs.operator import OperatorDialog
        from tui.settings import remember_operator

        async def submit(values):
            try:
                await asyncio.to_thread(remember_operator, values["name"])
            except OSError as exc:
                self.say(f"姓名未能保存到配置文件夹（{exc.strerror or exc}），下次启动会再次询问。", error=True)
            return values["name"]

        def done(name: str | None) -> None:
            if not name:
                self.exit(0)
                return
            self.operator = name
            self.show_operator()

        self.push_screen(OperatorDialog(submit=submit), done)

    def after_refusal(self, exc: LedgerError) -> None:
        """A refused call: the header says 只读 or 连接已断开 at once, not at the next look."""
        if isinstance(exc, ConnectionLost):
            self.connection_lost(True)
        self.show_operator()

    def show_operator(self) -> None:
        """The header of every screen names who is acting (and a fixed office date, if any),
        after 只读 when the ledger cannot be written."""
        who = visible(self.operator) if self.operator else "（未填写）"
        fixed = f"　按 {clock.today():%Y-%m-%d} 计算期限" if clock.is_today_fixed() else ""
        locked = "　只读" if self.read_only else ""
        away = "　连接已断开，正在重连…" if self.offline else ""
        self.title = f"{self.TITLE}{locked}{away}　操作人：{who}{fixed}"

    @property
    def read_only(self) -> str | None:
        """Why the ledger cannot be written now (one sentence), or None: a stat, no query."""
        try:
            return read_only_reason()
        except Exception:  # noqa: BLE001 - no ledger bound (a test's bare App): nothing to refuse
            return None

    def push_screen(self, screen, callback=None, wait_for_dismiss: bool = False, **kwargs):
        """Every write dialog opens here: on a ledger that cannot be written it does not open,
        and the user reads why instead (a dialog whose entry could never be saved). Widgets the
        screen's module loaded get their keys in Chinese first (`keys_zh.apply`)."""
        keys_zh.apply(load=False)
        if isinstance(screen, ActionDialog) and screen.WRITES:
            reason = self.read_only
            self.show_operator()  # 只读 comes and goes with the file's permissions
            if reason:
                self.say(reason, error=True, title="只读，不能写入")
                if wait_for_dismiss:
                    refused = asyncio.get_running_loop().create_future()
                    refused.set_result(None)
                    return refused
                return AwaitMount(self.screen, [])
        return super().push_screen(screen, callback, wait_for_dismiss, **kwargs)

    async def check_for_changes(self) -> None:
        """Bring in commits made anywhere; tell every screen which cases changed."""
        if self._checking or not self.ledger.loaded:
            return
        self._checking = True
        try:
            changed = await self.ledger.check(probe=self.offline)
        except ConnectionLost:
            self.connection_lost(True)
            return
        except LedgerError as exc:
            self.notify(exc.message, title="刷新失败", severity="error", markup=False)
            return
        finally:
            self._checking = False
        if self.offline and (self.ledger.reconnected or changed is not None or not self.ledger.pending):
            self.connection_lost(False)  # a round trip succeeded (the probe), and any reload owed is done
        if changed is not None:
            self.broadcast(LedgerUpdated(changed or None))

    def connection_lost(self, lost: bool) -> None:
        """The server went away (said once, and kept in the header) or came back."""
        if lost == self.offline:
            return
        self.offline = lost
        self.show_operator()
        if lost:
            self.notify("与数据库服务器的连接已断开，正在重连…期间不能保存，已填写的内容会保留。",
                        title="连接已断开，正在重连…", severity="warning", markup=False, timeout=10)
        else:
            self.notify("已重新连接数据库服务器；断开期间未保存的内容请再保存一次。",
                        title="已重新连接", severity="information", markup=False, timeout=6)

    def broadcast(self, message: LedgerUpdated) -> None:
        for screen in self.screen_stack:
            screen.post_message(LedgerUpdated(message.case_ids))

    async def after_write(self) -> None:
        """Called after this desk wrote: refresh now rather than on the next tick."""
        await self.check_for_changes()

    async def check_integrity(self) -> None:
        """The integrity check the command line deferred; a damaged ledger stops all writing."""
        from store.db import verify_integrity
        from tui.screens.damaged import DamagedScreen

        try:
            await self.gateway.report(verify_integrity)
        except LedgerError as exc:
            self.gateway.refuse_writes(exc.message)
            self.push_screen(DamagedScreen(exc.message))

    def open_card(self, case_id: int) -> None:
        """Show a case's meeting card (from a lookup): the facts to read out in a meeting."""
        from tui.screens.meeting_card import MeetingCardScreen

        self.push_screen(MeetingCardScreen(case_id))

    def open_case(self, case_id: int) -> None:
        """Drill into one case (from the ledger, the palette or a board)."""
        self.run_worker(self._open_case(case_id), group="open-case", exclusive=True)

    async def _open_case(self, case_id: int) -> None:
        """Read the card first, then show the screen with it: one layout instead of three."""
        from tui.screens.case import CaseScreen, card_and_names

        try:
            loaded = await self.gateway.call(card_and_names, case_id, self.ledger.today)
        except LedgerError as exc:
            self.say(exc.message, error=True, title="无法读取该件")
            return
        if loaded[0] is None:
            self.say("找不到该件，可能已被其他工作站更改。", error=True)
            return
        self.push_screen(CaseScreen(case_id, loaded))

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_help_panel(self) -> None:
        """The keys panel whose descriptions fold rather than end in "…" (tui/widgets/help_panel.py)."""
        from tui.widgets.help_panel import DeskHelpPanel

        keys_zh.apply(load=False)
        if not self.screen.query("HelpPanel"):
            self.screen.mount(DeskHelpPanel())

    def action_command_palette(self) -> None:
        """The palette with a Chinese prompt (Textual's says "Search for commands…")."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=PALETTE_PLACEHOLDER))

    def get_system_commands(self, screen):
        """The palette's own commands, in Chinese: the keys panel and quitting. Theme, screenshot
        and maximize are left out: the office has no use for them."""
        if screen.query("HelpPanel"):
            yield SystemCommand("隐藏按键", "收起本屏的按键说明", self.action_hide_help_panel)
        else:
            yield SystemCommand("按键", "显示本屏所有按键及其说明（同 ?）", self.action_show_help_panel)
        yield SystemCommand("备份台账", "把台账复制为一个备份文件（其他工作站可照常写入）", self.action_backup_ledger)
        yield SystemCommand("退出", "退出督办台（同 q）", self.action_quit)

    def action_backup_ledger(self) -> None:
        """备份台账: ask where (the documents folder offered), copy on the bulk thread, say where."""
        from store.backup import backup_ledger, documents_backup_folder, documents_backup_path
        from tui.dialogs.backup import BackupDialog

        dialog: BackupDialog

        async def submit(values):
            out = Path(values["out"]).expanduser()

            def progress(done: int, total: int) -> None:
                self.call_from_thread(dialog.show_progress, done, total)

            own_folder = out.parent == documents_backup_folder()
            return await self.gateway.bulk(backup_ledger, out, progress, create_folder=own_folder)

        def done(result) -> None:
            if result is not None:
                self.say(result.summary(), title="备份台账")

        dialog = BackupDialog(self.target or "当前台账", str(documents_backup_path()), submit=submit)
        self.push_screen(dialog, done)

    def say(self, message: str, *, error: bool = False, title: str = "") -> None:
        """A notification whose text is never read as markup, control characters made visible,
        its lines broken by 禁则 at the notification's width (Textual's own wrap would start a
        line with ；)."""
        self.notify(message, title=title or ("未保存" if error else ""), severity="error" if error else "information",
                    markup=False, timeout=6 if error else 4)

    def notify(self, message: str, *, title: str = "", **kwargs) -> None:
        """Every notification through the gate (tui/text.py): controls made visible, lines by 禁则."""
        if kwargs.get("markup", True) is False:
            message, title = wrapped(message, self.toast_width()), visible(title)
        super().notify(message, title=title, **kwargs)

    def toast_width(self) -> int:
        """The text width of a notification: Textual's Toast is 60 cells wide, at most half its
        rack (the screen less the rack's 2-cell scrollbar), less its padding (1 each side) and
        its left border."""
        return max(min(60, (self.size.width - 2) // 2) - 3, 4)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header's title and sub-title through the gate: a session or division name in a
        sub-title reaches the terminal with its control characters made visible."""
        return super().format_title(visible(title), visible(sub_title))

    async def on_unmount(self) -> None:
        self.tidying.stop()
        await self.ledger.close()
        self.gateway.close()


def run(*, target: str, operator: str | None) -> int:
    """Open the desk on an already opened database; return its exit code when the user quits."""
    app = DubanApp(operator=operator, target=target)
    app.run()
    return app.return_code or 0
