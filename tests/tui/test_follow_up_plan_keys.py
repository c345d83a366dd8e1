"""Pilot: `f` prefills the planned next follow-up; saving keeps it, clearing the box clears it."""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, SIZE, move_to_case, ready, wait_for

from store import actions
from store.db import database
from tui.app import DubanApp
from tui.dialogs.follow_up import FollowUpDialog
from tui.screens.ledger import LedgerScreen


def planned(case_id):
    return database.obj.execute_sql('select next_followup_on from "case" where id = ?', (case_id,)).fetchone()[0]


async def test_f_prefills_the_plan_keeps_it_and_clearing_clears_it(desk):
    from store import clock

    path, ids = desk
    plan = clock.today() + dt.timedelta(days=10)
    actions.log_follow_up(ids["overdue"], OPERATOR, kind="查办", next_followup_on=plan)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        assert pilot.app.screen.query_one("#next").value == f"{plan:%Y-%m-%d}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert str(planned(ids["overdue"])) == f"{plan:%Y-%m-%d}"
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        pilot.app.screen.query_one("#next").value = ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert planned(ids["overdue"]) is None
