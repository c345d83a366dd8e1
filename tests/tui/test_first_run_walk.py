"""The whole first run as a pilot test, every step by keys inside the desk, on a new ledger:
the operator's name → import the assigning office's list → three divisions and five people →
sign for and assign a case → enter a case by hand → correct its title → enter next year's
holidays and confirm the year. Each step is checked in the database with plain SQL."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from textual.widgets import DataTable, Input, Select

from desk_helpers import SIZE, wait_for

from store import clock
from store.db import close_database, database, open_database
from tui.app import DubanApp
from tui.dialogs.assign import AssignDialog
from tui.dialogs.calendar_day import CalendarDayDialog
from tui.dialogs.calendar_year import CalendarYearDialog
from tui.dialogs.correct_case import CorrectCaseDialog
from tui.dialogs.division_form import DivisionFormDialog
from tui.dialogs.import_list import ImportDialog
from tui.dialogs.new_case import NewCaseDialog
from tui.dialogs.operator import OperatorDialog
from tui.dialogs.person_form import PersonFormDialog
from tui.dialogs.sign_for import SignForDialog
from tui.screens.calendar import CalendarScreen
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.screens.office import OfficeScreen
from tui.widgets.first_run import FirstRunGuide
from tui.widgets.ledger_table import LedgerTable

TODAY = dt.date(2026, 12, 1)
SESSION = "市七届人大五次会议"
NEXT_YEAR = TODAY.year + 1


def sql(query: str, *params):
    return list(database.obj.execute_sql(query, params).fetchall())


@pytest.fixture
def new_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("DUBAN_OPERATOR", raising=False)
    path = tmp_path / "新台账.db"
    open_database(path)
    clock.fix_today(TODAY)
    listing = tmp_path / "交办清单.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["市七届人大五次会议代表建议交办清单"])
    sheet.append(["编号", "标题", "领衔代表", "代表团", "办理方式", "主办单位", "会办单位", "交办日期"])
    sheet.append(["20260101", "关于推进公共数据开放共享的建议", "王建国", "福田代表团", "主办", "市政务服务数据管理局",
                  "市发展改革委", "2026-11-20"])
    sheet.append(["20260102", "关于优化一网通办服务体验的建议", "李秀英", "南山代表团", "承办", "市政务服务数据管理局", "",
                  "2026-11-20"])
    sheet.append(["20260103", "关于加强政务信息安全保护的建议", "张伟", "罗湖代表团", "会办", "市公安局", "",
                  "2026-11-20"])
    workbook.save(listing)
    yield path, listing
    clock.fix_today(None)
    close_database()


async def pick(pilot, select_id: str, downs: int) -> None:
    """Open a Select by keys, move down `downs` options, choose."""
    pilot.app.screen.query_one(select_id, Select).focus()
    await pilot.press("enter")
    await pilot.pause(0.1)
    await pilot.press(*(["down"] * downs), "enter")
    await pilot.pause(0.1)


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.press(*text)


def office_cursor_to(screen: OfficeScreen, name: str) -> None:
    index = next(i for i, (kind, item) in enumerate(screen.rows) if item is not None and item.name == name)
    screen.query_one(DataTable).move_cursor(row=index)


async def test_a_new_office_sets_up_its_ledger_by_keys(new_ledger, tmp_path):
    path, listing = new_ledger
    async with DubanApp(operator=None, target=str(path), refresh_seconds=0.2).run_test(size=SIZE) as pilot:
        app = pilot.app
        # 1. who is acting: asked once, then always in the header
        await wait_for(pilot, lambda: isinstance(app.screen, OperatorDialog))
        await pilot.press(*"张三", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded)
        assert "操作人：张三" in app.title
        guide = app.screen.query_one(FirstRunGuide)
        await wait_for(pilot, lambda: guide.display and "○  i" in str(guide.render()))

        # 2. i: preview the list (nothing written), then import it
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportDialog))
        await type_into(pilot, "#path", str(listing))
        await type_into(pilot, "#session", SESSION)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.previewed is not None)
        assert sql('SELECT COUNT(*) FROM "case"') == [(0,)]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        table = app.screen.query_one(LedgerTable)
        await wait_for(pilot, lambda: len(table.rows) == 3 and not guide.display)
        assert sql('SELECT number, role, operator FROM "case" c JOIN event e ON e.case_id = c.id ORDER BY number') == [
            ("20260101", "主办", "张三"), ("20260102", "承办", "张三"), ("20260103", "汇办", "张三")]

        # 3. p: three divisions and five people
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, OfficeScreen) and app.screen.org is not None)
        office = app.screen
        for name in ("数据资源处", "政务服务处", "电子政务处"):
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, DivisionFormDialog))
            await pilot.press(*name, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, OfficeScreen)
                           and any(item is not None and item.name == name for _, item in office.rows))
        people = (("数据资源处", "周敏", 1), ("数据资源处", "王处长", 3), ("政务服务处", "吴刚", 1),
                  ("电子政务处", "郑丽", 1), ("电子政务处", "陈副处长", 2))
        for division, name, title_downs in people:
            office_cursor_to(office, division)
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, PersonFormDialog))
            await pilot.press(*name, "tab")
            await pick(pilot, "#title", title_downs)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, OfficeScreen)
                           and any(item is not None and item.name == name for _, item in office.rows))
        assert sql("SELECT d.name, p.name, p.title FROM person p JOIN division d ON d.id = p.division_id "
                   "ORDER BY p.id") == [("数据资源处", "周敏", "经办人"), ("数据资源处", "王处长", "处长"),
                                        ("政务服务处", "吴刚", "经办人"), ("电子政务处", "郑丽", "经办人"),
                                        ("电子政务处", "陈副处长", "副处长")]
        assert sql("SELECT COUNT(*) FROM change_record WHERE operator = '张三' AND action = '新增' AND area IN ('处室', '人员')") == [(8,)]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))

        # 4. sign for 20260101 and assign it to 数据资源处 / 周敏
        table.move_to(next(i for i, row in enumerate(table.rows) if row.number == "20260101"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        case_screen = app.screen
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SignForDialog))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is case_screen and case_screen.card.status == "办理中")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignDialog))
        await pick(pilot, "#division", 1)  # 数据资源处, the first in the office's order
        await pick(pilot, "#owner", 1)  # 周敏, the first current person
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is case_screen and case_screen.card.division == "数据资源处")
        assert sql('SELECT d.name, p.name, c.status FROM "case" c JOIN division d ON d.id = c.division_id '
                   "JOIN person p ON p.id = c.owner_id WHERE c.number = '20260101'") == [("数据资源处", "周敏", "办理中")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))

        # 5. n: a case that came on paper
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        await pilot.pause(0.1)
        await pilot.press(*"20260201")
        await type_into(pilot, "#title", "关于建设城市数据大脑的建意")
        await type_into(pilot, "#proposer_name", "赵敏")
        await type_into(pilot, "#proposer_group", "宝安代表团")
        await pick(pilot, "#role", 1)  # 主办
        await type_into(pilot, "#lead_unit", "市政务服务数据管理局")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        await wait_for(pilot, lambda: table.current_row is not None and table.current_row.number == "20260201")
        assert sql('SELECT title, role, status, assigned_on FROM "case" WHERE number = ?', "20260201") == [
            ("关于建设城市数据大脑的建意", "主办", "待签收", "2026-11-20")]

        # 6. m on its card: correct the title, one 修改 event with before and after
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        case_screen = app.screen
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, CorrectCaseDialog))
        await pilot.press("end", "backspace", *"议", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is case_screen and case_screen.card.title == "关于建设城市数据大脑的建议")
        assert sql("SELECT e.kind, e.operator, e.data FROM event e JOIN \"case\" c ON c.id = e.case_id "
                   "WHERE c.number = '20260201' ORDER BY e.id DESC LIMIT 1") == [
            ("修改", "张三", '{"before": {"title": "关于建设城市数据大脑的建意"}, '
                             '"after": {"title": "关于建设城市数据大脑的建议"}}')]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))

        # 7. c: next year's holidays entered by hand, then the year confirmed
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarScreen) and app.screen.view is not None)
        calendar = app.screen
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: calendar.view is not None and calendar.view.year == NEXT_YEAR)
        assert calendar.view.estimated
        for day, downs, note in ((f"{NEXT_YEAR}-02-11", 2, "春节假期"), (f"{NEXT_YEAR}-02-20", 1, "春节调休上班")):
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, CalendarDayDialog))
            await pilot.press(*day)
            await pick(pilot, "#kind", downs)
            await type_into(pilot, "#note", note)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, CalendarScreen)
                           and any(e.day.isoformat() == day for e in calendar.view.office_entries))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarYearDialog))
        await type_into(pilot, "#note", "已按国务院通知逐日核对")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarScreen) and not calendar.view.estimated)
        assert sql("SELECT day, is_working, note FROM calendar_day ORDER BY day") == [
            (f"{NEXT_YEAR}-02-11", 0, "春节假期"), (f"{NEXT_YEAR}-02-20", 1, "春节调休上班")]
        assert sql("SELECT year FROM calendar_year") == [(NEXT_YEAR,)]
        assert sql("SELECT area, action, operator FROM change_record WHERE area = '日历' ORDER BY id") == [
            ("日历", "设置", "张三"), ("日历", "设置", "张三"), ("日历", "确认", "张三")]
        assert sql('SELECT COUNT(*) FROM "case" WHERE next_due_estimated') == [(0,)]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        assert len(table.rows) == 4 and not guide.display
