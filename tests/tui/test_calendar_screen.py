"""Pilot tests: the calendar screen (c on the ledger): set a day, confirm a year, and the
ledger row follows at once — also when another workstation changes the calendar."""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, SIZE, TODAY, ready, wait_for
from textual.widgets import Input, Select

from store import actions, clock, office_calendar
from store.db import database
from tui.app import DubanApp
from tui.dialogs.calendar_day import CalendarDayDialog
from tui.dialogs.calendar_year import CalendarYearDialog
from tui.screens.calendar import CalendarScreen
from tui.screens.ledger import LedgerScreen

REPLIED = dt.date(2026, 11, 20)  # 评价 due 20 working days later: Friday 2026-12-18
HOLIDAY = "2026-12-15"


def sql(query, *params):
    return list(database.obj.execute_sql(query, params).fetchall())


def next_due_in_db(case_id: int) -> dt.date:
    return dt.date.fromisoformat(str(sql('SELECT next_due FROM "case" WHERE id = ?', case_id)[0][0])[:10])


def reply(case_id: int) -> None:
    actions.reply(case_id, OPERATOR, on=REPLIED, doc_no="深政数函〔2026〕9号", result_class="A")


async def open_calendar(pilot) -> CalendarScreen:
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarScreen) and pilot.app.screen.view is not None)
    return pilot.app.screen


async def set_day(pilot, day: str, kind: str, note: str) -> None:
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarDayDialog))
    dialog = pilot.app.screen
    await pilot.press(*day)
    await pilot.press("tab")
    assert dialog.query_one("#kind", Select).has_focus
    await pilot.press("enter")
    await pilot.pause(0.1)
    await pilot.press(*["down"] * (1 if kind == "工作日" else 2), "enter")  # past the blank prompt
    await wait_for(pilot, lambda: dialog.query_one("#kind", Select).value == kind)
    dialog.query_one("#note", Input).focus()
    await pilot.press(*note)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarScreen))


async def test_c_set_a_day_then_confirm_a_year_and_the_ledger_row_follows(desk):
    path, ids = desk
    reply(ids["soon"])
    assert next_due_in_db(ids["soon"]) == dt.date(2026, 12, 18)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert pilot.app.ledger.snapshot.get(ids["soon"]).next_due == dt.date(2026, 12, 18)
        screen = await open_calendar(pilot)
        assert screen.view.year == TODAY.year and screen.view.source == office_calendar.SOURCE_PACKAGE
        await set_day(pilot, HOLIDAY, "休息日", "市里临时调整")
        assert sql("SELECT day, is_working, note FROM calendar_day") == [(HOLIDAY, 0, "市里临时调整")]
        assert sql("SELECT operator, area, subject, action FROM change_record") == [
            (OPERATOR, "日历", HOLIDAY, "设置")]
        assert next_due_in_db(ids["soon"]) == dt.date(2026, 12, 21)
        # the desk reloaded at once: the ledger row agrees with the database
        await wait_for(pilot, lambda: pilot.app.ledger.snapshot.get(ids["soon"]).next_due == dt.date(2026, 12, 21))
        await wait_for(pilot, lambda: "1件的下一期限随之改变" in screen.last_message)
        await wait_for(pilot, lambda: any(e.day.isoformat() == HOLIDAY for e in screen.view.office_entries))

        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.view is not None and screen.view.year == TODAY.year + 1)
        assert screen.view.estimated
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarYearDialog))
        await pilot.press(*"国办通知已录入")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarScreen))
        assert sql("SELECT year, note FROM calendar_year") == [(2027, "国办通知已录入")]
        await wait_for(pilot, lambda: screen.view.source == office_calendar.SOURCE_OFFICE)
        await pilot.press("y")  # a second confirmation is refused with a sentence, no dialog
        await pilot.pause(0.1)
        assert isinstance(pilot.app.screen, CalendarScreen)
        assert sql("SELECT COUNT(*) FROM change_record") == [(2,)]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))


async def test_a_refused_day_keeps_the_dialog_open_and_writes_nothing(desk):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_calendar(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarDayDialog))
        await pilot.press(*"2026-02-30", "ctrl+s")
        await pilot.pause(0.1)
        dialog = pilot.app.screen
        assert isinstance(dialog, CalendarDayDialog)
        assert "不存在" in str(dialog.query_one("#dialog-error").render())
        assert dialog.query_one("#day", Input).value == "2026-02-30"
        await pilot.press("escape")
    assert sql("SELECT COUNT(*) FROM calendar_day") == [(0,)]
    assert sql("SELECT COUNT(*) FROM change_record") == [(0,)]


async def test_another_workstations_calendar_change_reaches_the_ledger(desk):
    path, ids = desk
    reply(ids["soon"])
    async with DubanApp(operator=OPERATOR, refresh_seconds=0.2).run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert pilot.app.ledger.snapshot.get(ids["soon"]).next_due == dt.date(2026, 12, 18)
        office_calendar.set_day("李干事", HOLIDAY, "休息日", note="另一工作站")  # this thread's own connection
        await wait_for(pilot, lambda: pilot.app.ledger.snapshot.get(ids["soon"]).next_due == dt.date(2026, 12, 21))


async def test_the_calendar_works_on_an_empty_ledger(ledger, tmp_path):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen) and pilot.app.ledger.loaded)
        screen = await open_calendar(pilot)
        assert screen.view.office_entries == ()
        await set_day(pilot, f"{clock.today().year}-12-31", "休息日", "年末")
        assert sql("SELECT note FROM calendar_day") == [("年末",)]
        await wait_for(pilot, lambda: "没有件" in screen.last_message)


async def test_an_estimated_deadline_is_marked_on_the_ledger_until_the_year_is_confirmed(desk):
    from tui.widgets.ledger_table import cell_texts
    from tui.widgets.summary_bar import SummaryBar

    path, ids = desk
    clock.fix_today(dt.date(2026, 12, 10))
    actions.reply(ids["soon"], OPERATOR, on=dt.date(2026, 12, 8), doc_no="深政数函〔2026〕9号", result_class="A")
    assert sql('SELECT next_due_estimated FROM "case" WHERE id = ?', ids["soon"]) == [(1,)]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        row = pilot.app.ledger.snapshot.get(ids["soon"])
        assert row.estimated and row.next_due.year == 2027 and cell_texts(row)["countdown"].endswith("*")
        bar = pilot.app.screen.query_one(SummaryBar)
        # the bar is drawn again once the whole ledger has loaded: wait for it, not for the first look
        await wait_for(pilot, lambda: "*1件期限为推算" in str(bar.render()))
        screen = await open_calendar(pilot)
        await pilot.press("right")
        await wait_for(pilot, lambda: screen.view is not None and screen.view.year == 2027)
        assert screen.view.estimated_cases == 1
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarYearDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarScreen))
        await wait_for(pilot, lambda: not pilot.app.ledger.snapshot.get(ids["soon"]).estimated)
        assert not cell_texts(pilot.app.ledger.snapshot.get(ids["soon"]))["countdown"].endswith("*")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        await wait_for(pilot, lambda: "推算" not in str(pilot.app.screen.query_one(SummaryBar).render()))
    assert sql('SELECT next_due_estimated FROM "case" WHERE id = ?', ids["soon"]) == [(0,)]
