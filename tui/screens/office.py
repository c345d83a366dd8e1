"""处室与人员 (`p` on the ledger): the office's divisions in order, their people beneath.

One row a division (bold) followed by its people (name, 职务, 岗位, masked phone, and for a
分管局领导 the divisions they supervise); the leaders who belong to no division come last
under 局领导. Retired divisions and people are dimmed and marked 已停用; `h` hides them.
Every change goes through `store.office` on the gateway's thread and leaves a 变更记录;
the screen reloads after each save and keeps the cursor on the row it was on.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from store import office, queries
from store.errors import LedgerError
from store.office import DivisionView, OfficeTree
from tui.widgets.footer import DeskFooter
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.division_form import DivisionFormDialog
from tui.dialogs.person_form import PersonFormDialog
from tui.dialogs.supervision import SupervisionDialog
from tui.text import plain, visible

COLUMNS = (("处室 / 姓名", 24), ("职务", 10), ("岗位", 22), ("电话", 15), ("分管处室", 40), ("状态", 8))
LEADERS_ROW = "局领导（不属任何处室）"
EMPTY_HINT = "还没有任何处室。按 a 新增第一个处室，再按 n 在其下新增人员。"

Row = tuple[str, Any]
"""("division", DivisionView) | ("person", PersonView) | ("leaders", None)."""


class OfficeScreen(Screen):
    """The office's divisions and people: add, rename, move, retire and restore, and 分管."""

    CSS_PATH = "office.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="office.back", tooltip="返回台账"),
        Binding("a", "add_division", "新增处室", id="office.add_division", tooltip="新增一个处室（排在最后）"),
        Binding("n", "add_person", "新增人员", id="office.add_person", tooltip="在光标所在的处室新增一名人员"),
        Binding("e", "edit", "修改", id="office.edit",
                tooltip="处室：改名；人员：改姓名、职务、岗位、电话，或调到另一处室（调动）"),
        Binding("x", "retire", "停用/恢复", id="office.retire",
                tooltip="停用（撤销、离任、调离）或恢复光标所在的处室或人员；从不删除"),
        Binding("K", "move(-1)", "上移", id="office.up", tooltip="把光标所在的处室上移一位"),
        Binding("J", "move(1)", "下移", id="office.down", tooltip="把光标所在的处室下移一位"),
        Binding("left_square_bracket", "move(-1)", "上移", key_display="[", show=False, id="office.up2",
                tooltip="把光标所在的处室上移一位"),
        Binding("right_square_bracket", "move(1)", "下移", key_display="]", show=False, id="office.down2",
                tooltip="把光标所在的处室下移一位"),
        Binding("g", "supervision", "分管", id="office.supervision", tooltip="设置光标所在的分管局领导分管哪些处室"),
        Binding("h", "toggle_retired", "显示/隐藏已停用", id="office.toggle", tooltip="显示或隐藏已停用的处室和人员"),
        Binding("home", "first_row", "第一行", show=False, priority=True, id="office.home", tooltip="光标移到第一行"),
        Binding("end", "last_row", "最后一行", show=False, priority=True, id="office.end", tooltip="光标移到最后一行"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.org: OfficeTree | None = None
        self.rows: list[Row] = []
        self.show_retired = True
        self._keep: tuple[str, int | None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain("处室与人员"), id="office-title")
        yield DataTable(id="office", cursor_type="row", zebra_stripes=False, fixed_columns=1)  # names stay on ←/→
        yield Static("", id="office-hint")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.sub_title = "处室与人员"
        table = self.query_one(DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label)
        table.focus()
        self.load()

    # ------------------------------------------------------------------ loading

    @work(exclusive=True, group="office")
    async def load(self) -> None:
        try:
            tree = await self.app.gateway.call(office.office_tree, include_retired=True)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法读取处室与人员")
            return
        if not self.is_attached:
            return
        try:
            self.show(tree)
        except NoMatches:
            pass

    def show(self, tree: OfficeTree) -> None:
        table = self.query_one(DataTable)
        keep = self._keep or self._key(self.current)
        self._keep = None
        self.org = tree
        self.rows = []
        table.clear()
        for division in tree.divisions:
            if division.retired and not self.show_retired:
                continue
            self._add(table, ("division", division))
            for person in division.people:
                if self.show_retired or not person.retired:
                    self._add(table, ("person", person))
        leaders = [p for p in tree.leaders if self.show_retired or not p.retired]
        if leaders:
            self._add(table, ("leaders", None))
            for person in leaders:
                self._add(table, ("person", person))
        for index, row in enumerate(self.rows):
            if keep is not None and self._key(row) == keep:
                table.move_cursor(row=index)
        self.query_one("#office-hint", Static).update(plain(self.hint_text(tree)))

    def hint_text(self, tree: OfficeTree) -> str:
        if tree.empty:
            return EMPTY_HINT
        current = [d for d in tree.divisions if not d.retired]
        people = sum(1 for d in tree.divisions for p in d.people if not p.retired) + sum(
            1 for p in tree.leaders if not p.retired)
        retired = sum(1 for d in tree.divisions if d.retired) + sum(
            1 for d in tree.divisions for p in d.people if p.retired) + sum(1 for p in tree.leaders if p.retired)
        tail = f"，已停用{retired}项（h {'隐藏' if self.show_retired else '显示'}）" if retired else ""
        return (f"在用处室{len(current)}个、在任人员{people}人{tail}。"
                "a 新增处室　n 新增人员　e 修改　x 停用/恢复　K/J 上移/下移　g 分管")

    def _add(self, table: DataTable, row: Row) -> None:
        kind, item = row
        self.rows.append(row)
        if kind == "leaders":
            table.add_row(Text(LEADERS_ROW, style="bold"), "", "", "", "", "")
            return
        dim = "dim" if item.retired else ""
        state = Text("已停用", style="dim italic") if item.retired else Text("")
        if kind == "division":
            count = sum(1 for p in item.people if not p.retired)
            table.add_row(Text(visible(item.name), style=f"bold {dim}".strip()), "", Text(f"{count}人", style="dim"),
                          "", "", state)
            return
        supervises = "、".join(visible(name) for name in item.supervises_names)
        table.add_row(Text("　" + visible(item.name), style=dim), Text(visible(item.title), style=dim),
                      Text(visible(item.post), style=dim), Text(queries.mask_phone(visible(item.phone)), style=dim),
                      Text(supervises, style=dim), state)

    @staticmethod
    def _key(row: Row | None) -> tuple[str, int | None] | None:
        if row is None:
            return None
        kind, item = row
        return kind, (item.id if item is not None else None)

    @property
    def current(self) -> Row | None:
        try:
            index = self.query_one(DataTable).cursor_row
        except NoMatches:
            return None
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _division_here(self) -> DivisionView | None:
        """The division the cursor is on, or the one the person under it belongs to."""
        row = self.current
        if row is None or self.org is None:
            return None
        kind, item = row
        if kind == "division":
            return item
        if kind == "person" and item.division_id is not None:
            return next((d for d in self.org.divisions if d.id == item.division_id), None)
        return None

    # ------------------------------------------------------------------ writing

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add_division(self) -> None:
        async def submit(values: dict[str, Any]):
            saved = await self.app.gateway.call(office.add_division, self.app.operator, values["name"])
            return await self._after(saved, ("division", saved.id))

        self.app.push_screen(DivisionFormDialog(submit=submit))

    async def _after(self, saved, keep):
        self.app.say(saved.message)
        self._keep = keep
        self.load()
        await self.app.after_write()
        return saved

    @work(group="office-dialog")
    async def action_add_person(self) -> None:
        divisions = await self._pickers()
        if divisions is None:
            return
        here = self._division_here()
        row = self.current
        leader_row = row is not None and (row[0] == "leaders" or (row[0] == "person" and row[1].division_id is None))

        async def submit(values: dict[str, Any]):
            saved = await self.app.gateway.call(office.add_person, self.app.operator, values["name"],
                                                division_id=values["division_id"], title=values["title"],
                                                post=values["post"], phone=values["phone"], note=values["note"])
            return await self._after(saved, ("person", saved.id))

        default = None if leader_row else (here.id if here is not None and not here.retired else None)
        self.app.push_screen(PersonFormDialog(divisions, submit=submit, division_id=default))

    async def _pickers(self):
        try:
            return await self.app.gateway.call(queries.divisions)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return None

    @work(group="office-dialog")
    async def action_edit(self) -> None:
        row = self.current
        if row is None or row[0] == "leaders":
            self.app.say("请把光标移到一个处室或一名人员上再按 e。", error=True, title="修改")
            return
        kind, item = row
        if kind == "division":
            async def rename(values: dict[str, Any]):
                saved = await self.app.gateway.call(office.rename_division, self.app.operator, item.id,
                                                    values["name"], values["note"])
                return await self._after(saved, ("division", item.id))

            self.app.push_screen(DivisionFormDialog(submit=rename, name=item.name))
            return
        if item.retired:
            self.app.say(f"{item.name}已停用，不能修改；如已回到本局，请先按 x 恢复。", error=True, title="修改")
            return
        divisions = await self._pickers()
        if divisions is None:
            return

        async def update(values: dict[str, Any]):
            saved = await self.app.gateway.call(office.update_person, self.app.operator, item.id,
                                                name=values["name"], division_id=values["division_id"],
                                                title=values["title"], post=values["post"], phone=values["phone"],
                                                note=values["note"])
            return await self._after(saved, ("person", item.id))

        self.app.push_screen(PersonFormDialog(divisions, submit=update, person=item))

    def action_retire(self) -> None:
        row = self.current
        if row is None or row[0] == "leaders":
            self.app.say("请把光标移到一个处室或一名人员上再按 x。", error=True, title="停用/恢复")
            return
        kind, item = row
        if kind == "division":
            fn = office.restore_division if item.retired else office.retire_division
            what = f"处室“{item.name}”"
            effect = ("恢复后重新出现在分派的选择中。" if item.retired else
                      "停用后不再出现在分派的选择中，已分派的件仍显示该处室。处室中还有在任人员的，须先调动或停用他们。")
        else:
            fn = office.restore_person if item.retired else office.retire_person
            what = f"{item.division or '局领导'}的{item.name}"
            effect = ("恢复后重新出现在分派的选择中。" if item.retired else
                      "停用（离任、调离）后不再出现在分派的选择中，已有的件和跟进记录仍显示其姓名。")
        verb = "恢复" if item.retired else "停用"

        async def submit(_values: dict[str, Any]):
            saved = await self.app.gateway.call(fn, self.app.operator, item.id)
            return await self._after(saved, (kind, item.id))

        self.app.push_screen(ConfirmDialog(heading=f"{verb}{'处室' if kind == 'division' else '人员'}",
                                           case_text=what, question=f"{verb}{what}？{effect}", submit=submit,
                                           confirm_label=verb))

    @work(group="office-write")
    async def action_move(self, step: int) -> None:
        row = self.current
        if row is None or row[0] != "division":
            self.app.say("请把光标移到一个处室上再调整顺序。", error=True, title="调整顺序")
            return
        try:
            saved = await self.app.gateway.call(office.move_division, self.app.operator, row[1].id, int(step))
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="调整顺序")
            return
        if saved.changed:
            await self._after(saved, ("division", row[1].id))
        else:
            self.app.say(saved.message)

    @work(group="office-dialog")
    async def action_supervision(self) -> None:
        row = self.current
        if row is None or row[0] != "person" or row[1].title not in office.LEADER_TITLES:
            self.app.say("请把光标移到一位分管局领导（或局长）上再按 g。", error=True, title="分管")
            return
        leader = row[1]
        if leader.retired:
            self.app.say(f"{leader.name}已停用，不能设置分管处室。", error=True, title="分管")
            return
        try:
            divisions = await self.app.gateway.call(queries.divisions, include_retired=True)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        if not divisions:
            self.app.say("还没有处室：请先按 a 新增处室。", error=True, title="分管")
            return

        async def submit(values: dict[str, Any]):
            saved = await self.app.gateway.call(office.set_supervision, self.app.operator, leader.id,
                                                values["division_ids"])
            return await self._after(saved, ("person", leader.id))

        self.app.push_screen(SupervisionDialog(f"{leader.name}　{leader.title}", divisions, leader.supervises,
                                               submit=submit))

    def action_first_row(self) -> None:
        self.query_one(DataTable).move_cursor(row=0)

    def action_last_row(self) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(table.row_count - 1, 0))

    def action_toggle_retired(self) -> None:
        self.show_retired = not self.show_retired
        if self.org is not None:
            self.show(self.org)
        self.app.say("显示已停用的处室和人员。" if self.show_retired else "已隐藏已停用的处室和人员。")

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_edit()
