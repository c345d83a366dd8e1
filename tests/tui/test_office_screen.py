"""Pilot tests: the office screen (p on the ledger) on an empty ledger, and 分派 offering only
current people, with a missing one added in place."""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, move_to_case, ready, wait_for
from textual.widgets import DataTable, Select

from store import office
from store.db import database
from store.models import Person
from tui.app import DubanApp
from tui.dialogs.assign import AssignDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.division_form import DivisionFormDialog
from tui.dialogs.person_form import NO_DIVISION, PersonFormDialog
from tui.dialogs.supervision import SupervisionDialog
from tui.screens.case import CaseScreen
from tui.screens.office import EMPTY_HINT, OfficeScreen


def sql(query: str, *params):
    return database.obj.execute_sql(query, params).fetchall()


async def open_office(pilot) -> OfficeScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.ledger.loaded)
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, OfficeScreen) and app.screen.org is not None)
    return app.screen


def cursor_to(screen: OfficeScreen, kind: str, name: str) -> None:
    index = next(i for i, (k, item) in enumerate(screen.rows) if k == kind and item is not None and item.name == name)
    screen.query_one(DataTable).move_cursor(row=index)


async def add_division(pilot, name: str) -> None:
    count = len(sql("SELECT id FROM division"))
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionFormDialog))
    await pilot.press(*name, "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, OfficeScreen)
                   and len(sql("SELECT id FROM division")) == count + 1
                   and any(k == "division" and item.name == name for k, item in pilot.app.screen.rows))


async def pick(pilot, downs: int) -> None:
    """Open the focused Select, move `downs` options down and choose."""
    await pilot.press("enter")
    await pilot.pause(0.1)
    await pilot.press(*(["down"] * downs), "enter")
    await pilot.pause(0.1)


async def add_person(pilot, name: str, title_downs: int, *, leader: bool = False) -> None:
    count = len(sql("SELECT id FROM person"))
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PersonFormDialog))
    await pilot.press(*name, "tab")
    await pick(pilot, title_downs)
    if leader:
        pilot.app.screen.query_one("#division", Select).value = NO_DIVISION
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, OfficeScreen)
                   and len(sql("SELECT id FROM person")) == count + 1
                   and any(k == "person" and item.name == name for k, item in pilot.app.screen.rows))


async def test_an_empty_ledger_gets_three_divisions_and_five_people_by_keys(ledger, today):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_office(pilot)
        assert EMPTY_HINT in str(screen.query_one("#office-hint").render())
        for name in ("综合处", "数据资源处", "政务服务处"):
            await add_division(pilot, name)
        assert sql("SELECT name FROM division ORDER BY sort_order") == [("综合处",), ("数据资源处",), ("政务服务处",)]
        cursor_to(screen, "division", "综合处")
        await add_person(pilot, "张处长", 3)  # 经办人, 副处长, [处长]
        await add_person(pilot, "李四", 1)  # the cursor stays on 张处长: same division
        cursor_to(screen, "division", "数据资源处")
        await add_person(pilot, "周敏", 1)
        cursor_to(screen, "division", "政务服务处")
        await add_person(pilot, "吴刚", 1)
        await add_person(pilot, "陈局", 4, leader=True)
        assert sql("SELECT p.name, d.name, p.title FROM person p LEFT JOIN division d ON d.id = p.division_id "
                   "ORDER BY p.id") == [("张处长", "综合处", "处长"), ("李四", "综合处", "经办人"),
                                        ("周敏", "数据资源处", "经办人"), ("吴刚", "政务服务处", "经办人"),
                                        ("陈局", None, "分管局领导")]
        assert sql("SELECT COUNT(*) FROM change_record WHERE action = '新增' AND operator = ?", OPERATOR) == [(8,)]

        # Home and End move to the first and the last row
        await pilot.press("end")
        assert screen.query_one(DataTable).cursor_row == len(screen.rows) - 1
        await pilot.press("home")
        assert screen.query_one(DataTable).cursor_row == 0

        # J moves 综合处 down one place
        cursor_to(screen, "division", "综合处")
        await pilot.press("J")
        await wait_for(pilot, lambda: sql("SELECT name FROM division ORDER BY sort_order")[0] == ("数据资源处",))

        # g on the leader: tick the first division (数据资源处, now first) and save
        cursor_to(screen, "person", "陈局")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SupervisionDialog))
        await pilot.press("space", "ctrl+s")
        ids = dict(sql("SELECT name, id FROM division"))
        await wait_for(pilot, lambda: sql("SELECT supervises FROM person WHERE name = '陈局'")
                       == [(f"[{ids['数据资源处']}]",)])

        # x on 吴刚: confirm, retired; the row stays, dimmed and marked
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, OfficeScreen))
        cursor_to(screen, "person", "吴刚")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: sql("SELECT retired_on IS NOT NULL FROM person WHERE name = '吴刚'") == [(1,)])
        await wait_for(pilot, lambda: any(k == "person" and item.name == "吴刚" and item.retired
                                          for k, item in screen.rows))
        # h hides what is retired
        await pilot.press("h")
        assert not any(k == "person" and item.name == "吴刚" for k, item in screen.rows)

        # e on a division renames it; a duplicate name is refused in the dialog, kept as typed
        cursor_to(screen, "division", "政务服务处")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionFormDialog))
        dialog = pilot.app.screen
        dialog.query_one("#name").value = "综合处"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "已有处室" in str(dialog.query_one("#dialog-error").render()))
        assert sql("SELECT COUNT(*) FROM division WHERE name = '政务服务处'") == [(1,)]
        dialog.query_one("#name").value = "政务服务管理处"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sql("SELECT COUNT(*) FROM division WHERE name = '政务服务管理处'") == [(1,)])
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, OfficeScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, OfficeScreen))


async def test_assign_offers_only_current_people_and_adds_a_missing_one_in_place(desk):
    path, ids = desk
    zhou = Person.get(Person.name == "周敏")
    office.retire_person(OPERATOR, zhou.id)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["soon"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AssignDialog))
        dialog = pilot.app.screen
        assert "周敏" not in {p.name for p in dialog.people}
        owner = dialog.query_one("#owner", Select)
        assert {value for _, value in owner._options if value is not Select.NULL} == {
            p.id for p in dialog.people} and zhou.id not in {value for _, value in owner._options}
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PersonFormDialog))
        form = pilot.app.screen
        assert form.query_one("#division", Select).value == Person.get(Person.name == "吴刚").division_id
        await pilot.press(*"郑新", "tab")
        await pick(pilot, 1)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is dialog)
        new = sql("SELECT id, division_id, title FROM person WHERE name = '郑新'")
        assert len(new) == 1 and new[0][2] == "经办人"
        await wait_for(pilot, lambda: owner.value == new[0][0])
        assert sql("SELECT COUNT(*) FROM change_record WHERE subject = '郑新' AND action = '新增'") == [(1,)]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sql("SELECT owner_id FROM \"case\" WHERE id = ?", ids["soon"]) == [(new[0][0],)])


async def test_names_that_look_like_markup_are_shown_as_typed(ledger, today):
    division = office.add_division(OPERATOR, "[/]数据[red]处").id
    office.add_person(OPERATOR, "[@click=app.quit]", division_id=division, title="经办人", post="[b]岗")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_office(pilot)
        grid = screen.query_one(DataTable)
        assert [str(cell) for cell in grid.get_row_at(0)][0] == "[/]数据[red]处"
        assert str(grid.get_row_at(1)[0]).strip("　") == "[@click=app.quit]"
        cursor_to(screen, "person", "[@click=app.quit]")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, OfficeScreen))
        assert sql("SELECT COUNT(*) FROM person WHERE retired_on IS NOT NULL") == [(0,)]
