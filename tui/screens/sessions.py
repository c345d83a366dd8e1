"""届次与期限规则 (`r` on the ledger): the sessions, and the chosen session's deadline rules.

The upper table lists every session (name, body, year, 交办 date, cases); `[`/`]` (or ↑/↓
in that table) choose one. The lower table shows its rules: label, value, unit, default,
默认/已修改. `n` creates a session, `e` renames it, `enter`/`m` changes the rule under the
cursor, `d` puts it back to the default. A rule change recomputes the session's deadlines in
the store's transaction; this desk then reloads the ledger and says how many moved.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from store import session_rules
from store.errors import LedgerError
from store.session_rules import RuleView, SessionOverview, SessionRules
from tui.widgets.footer import DeskFooter
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.new_session import NewSessionDialog
from tui.dialogs.rename_session import RenameSessionDialog
from tui.dialogs.session_rule import SessionRuleDialog
from tui.messages import LedgerUpdated
from tui.text import plain, visible

SESSION_COLUMNS = ("届次", "机构", "年份", "交办日期", "件数", "已修改规则")
RULE_COLUMNS = ("规则", "值", "单位", "默认值", "状态")
EMPTY_GUIDE = ("台账中还没有届次。按 n 新建届次：选人大或政协，写上名称（如 市七届人大五次会议）、年份和交办日期，"
               "期限规则取默认值或沿用上一届次。")


def read_sessions(session_id: int | None) -> tuple[list[SessionOverview], SessionRules | None]:
    """On the store thread: every session, and the rules of `session_id` (or of the newest)."""
    lines = session_rules.sessions_overview()
    if not lines:
        return lines, None
    if session_id is None or all(line.session_id != session_id for line in lines):
        session_id = lines[0].session_id
    return lines, session_rules.session_rules_view(session_id)


class SessionsScreen(Screen):
    """Sessions and their deadline rules; esc returns to the ledger."""

    CSS_PATH = "sessions.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="sessions.back", tooltip="返回台账"),
        Binding("n", "new_session", "新建届次", id="sessions.new", tooltip="新建一个届次（机构、名称、年份、交办日期、规则来源）"),
        Binding("e", "rename", "改名", id="sessions.rename", tooltip="给所选届次改名"),
        Binding("m", "edit_rule", "修改规则", id="sessions.edit_rule",
                tooltip="修改光标所在的期限规则；保存后该届次的期限立即重算"),
        Binding("enter", "edit_rule", "修改规则", show=False, id="sessions.edit_rule_enter",
                tooltip="同 m：修改光标所在的期限规则"),
        Binding("d", "reset_rule", "恢复默认", id="sessions.reset", tooltip="把光标所在的规则恢复为默认值"),
        Binding("right_square_bracket", "choose(1)", "下一届次", key_display="]", id="sessions.next",
                tooltip="选下一个届次"),
        Binding("left_square_bracket", "choose(-1)", "上一届次", key_display="[", id="sessions.previous",
                tooltip="选上一个届次"),
    ]

    def __init__(self, session_name: str | None = None) -> None:
        super().__init__()
        self.session_name = session_name
        self.lines: list[SessionOverview] = []
        self.view: SessionRules | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("届次", id="sessions-title", classes="heading")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rules-title", classes="heading")
        yield DataTable(id="rules", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sessions-help")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.sub_title = "届次与期限规则"
        for label in SESSION_COLUMNS:
            self.query_one("#sessions", DataTable).add_column(label, key=label)
        for label in RULE_COLUMNS:
            self.query_one("#rules", DataTable).add_column(label, key=label)
        self.query_one("#rules", DataTable).focus()
        self.load()

    # ------------------------------------------------------------------ reading

    @property
    def chosen_id(self) -> int | None:
        return self.view.session_id if self.view else None

    @work(exclusive=True, group="sessions")
    async def load(self, session_id: int | None = None) -> None:
        if session_id is None and not self.loaded and self.session_name:
            session_id = next((s.id for s in self.app.ledger.sessions if s.name == self.session_name), None)
        try:
            lines, view = await self.app.gateway.call(read_sessions, session_id or self.chosen_id)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法读取届次")
            return
        if not self.is_attached:
            return
        try:
            self.show(lines, view)
        except NoMatches:
            pass

    def show(self, lines: list[SessionOverview], view: SessionRules | None) -> None:
        self.lines, self.view, self.loaded = lines, view, True
        sessions = self.query_one("#sessions", DataTable)
        sessions.clear()
        for line in lines:
            sessions.add_row(
                Text(visible(line.name)), line.body, str(line.year),
                f"{line.assigned_on:%Y-%m-%d}" if line.assigned_on else "—",
                Text(str(line.case_count), justify="right"),
                Text(str(line.overridden) if line.overridden else "—", justify="right"),
                key=str(line.session_id),
            )
        rules = self.query_one("#rules", DataTable)
        row = rules.cursor_row
        rules.clear()
        help_line = self.query_one("#sessions-help", Static)
        for widget in (rules, self.query_one("#rules-title")):
            widget.display = view is not None
        if view is None:
            help_line.update(Content(EMPTY_GUIDE))
            help_line.add_class("guide")
            return
        help_line.remove_class("guide")
        index = next(i for i, line in enumerate(lines) if line.session_id == view.session_id)
        sessions.move_cursor(row=index, animate=False)
        for rule in view.rules:
            rules.add_row(
                rule.label, Text(rule.value_text, justify="right", style="bold" if rule.overridden else ""),
                rule.unit, Text(rule.default_text, justify="right"),
                Text(rule.state, style="bold yellow" if rule.overridden else "dim"),
                key=rule.key,
            )
        rules.move_cursor(row=min(max(row, 0), len(view.rules) - 1), animate=False)
        if self.focused is None:  # the rules were hidden while the ledger had no session
            rules.focus()
        self.query_one("#rules-title", Static).update(
            plain(f"期限规则：{view.name}（{view.body}，{view.year}年）")
        )
        help_line.update(plain(
            f"共{len(lines)}个届次。[ ] 选届次　m/enter 修改规则　d 恢复默认　n 新建届次　e 改名　"
            "规则修改后，该届次在办件的期限立即按新规则重算。"
        ))

    @property
    def current_rule(self) -> RuleView | None:
        if self.view is None:
            return None
        try:
            row = self.query_one("#rules", DataTable).cursor_row
        except NoMatches:
            return None
        return self.view.rules[row] if 0 <= row < len(self.view.rules) else None

    @on(LedgerUpdated)
    def ledger_updated(self) -> None:
        self.load()

    @on(DataTable.RowHighlighted, "#sessions")
    def session_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not event.data_table.has_focus:  # the cursor set by `show`, not the user's ↑/↓
            return
        key = event.row_key.value if event.row_key is not None else None
        if key is not None and self.view is not None and int(key) != self.view.session_id:
            self.load(int(key))

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "sessions":
            self.query_one("#rules", DataTable).focus()
        else:
            self.action_edit_rule()

    # ------------------------------------------------------------------ keys

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_choose(self, step: int) -> None:
        if not self.lines or self.view is None:
            return
        index = next(i for i, line in enumerate(self.lines) if line.session_id == self.view.session_id)
        self.load(self.lines[(index + step) % len(self.lines)].session_id)

    def _need_session(self) -> bool:
        if self.view is None:
            self.app.say("台账中还没有届次，请先按 n 新建届次。", error=True, title="没有届次")
            return False
        return True

    async def _after_write(self, message: str, session_id: int | None = None) -> None:
        self.app.say(message)
        await self.app.ledger.load_all_again()
        self.app.broadcast(LedgerUpdated(None))
        self.load(session_id)

    def action_new_session(self) -> None:
        async def submit(values: dict[str, Any]):
            made = await self.app.gateway.call(session_rules.create_session, self.app.operator, **values)
            await self._after_write(made.message, made.session_id)
            return made

        self.app.push_screen(NewSessionDialog(submit=submit))

    def action_rename(self) -> None:
        if not self._need_session():
            return
        view = self.view

        async def submit(values: dict[str, Any]):
            message = await self.app.gateway.call(session_rules.rename_session, self.app.operator, view.session_id,
                                                  values["new_name"], note=values["note"])
            await self._after_write(message, view.session_id)
            return message

        self.app.push_screen(RenameSessionDialog(view.name, submit=submit))

    def action_edit_rule(self) -> None:
        if not self._need_session():
            return
        view, rule = self.view, self.current_rule
        if rule is None:
            return

        async def submit(values: dict[str, Any]):
            moved = await self.app.gateway.call(session_rules.set_session_rules, self.app.operator, view.session_id,
                                                {rule.key: values["value"]}, note=values["note"])
            await self._after_write(f"{visible(view.name)}的{rule.label}已修改，{moved}件的期限随之改变。",
                                    view.session_id)
            return moved

        self.app.push_screen(SessionRuleDialog(view.name, rule, submit=submit))

    def action_reset_rule(self) -> None:
        if not self._need_session():
            return
        view, rule = self.view, self.current_rule
        if rule is None:
            return
        if not rule.overridden:
            self.app.say(f"{rule.label}已是默认值（{rule.default_text}），无需恢复。", title="无需恢复")
            return

        async def submit(_values: dict[str, Any]):
            moved = await self.app.gateway.call(session_rules.reset_session_rule, self.app.operator, view.session_id,
                                                rule.key)
            await self._after_write(f"{visible(view.name)}的{rule.label}已恢复为默认值（{rule.default_text}），"
                                    f"{moved}件的期限随之改变。", view.session_id)
            return moved

        question = (f"把{rule.label}从 {rule.value_text} 恢复为默认值 {rule.default_text}（{rule.unit}）？"
                    "\n该届次在办件的期限将立即重算，并记入变更记录。")
        self.app.push_screen(ConfirmDialog(heading="恢复默认", case_text=view.name, question=question, submit=submit,
                                           confirm_label="恢复默认"))
