"""Snapshot: the calendar screen at 160x48 — next year (estimated) with one office entry."""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, TODAY, at, ready, wait_for

from store import clock, office_calendar
from tui.app import DubanApp
from tui.screens.calendar import CalendarScreen


def test_calendar_screen(desk, snap_compare):
    assert clock.today() == TODAY  # fixed by the desk fixture (store.clock.fix_today)
    with clock.frozen_now(at(TODAY, 15)):
        office_calendar.set_day(OPERATOR, "2027-10-06", "休息日", note="国庆节（待国务院通知，先行录入）")

    async def open_calendar(pilot) -> None:
        await ready(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CalendarScreen) and pilot.app.screen.view)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: pilot.app.screen.view.year == TODAY.year + 1)
        await pilot.pause(0.2)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_calendar)
