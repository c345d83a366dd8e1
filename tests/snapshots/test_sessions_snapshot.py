"""Snapshots: the sessions screen (r) with a session whose rules were changed, its rule dialog,
and the same screen on an empty ledger — 160x48, the office's date fixed."""

from __future__ import annotations

import datetime as dt

import pytest
from desk_helpers import OPERATOR, wait_for

from store import clock
from store import session_rules
from store.models import Session
from tui.app import DubanApp
from tui.screens.ledger import LedgerScreen
from tui.screens.sessions import SessionsScreen

SIZE = (160, 48)


async def sessions_ready(pilot) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen) and pilot.app.ledger.loaded)
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen) and pilot.app.screen.loaded)
    await pilot.pause(0.2)


@pytest.fixture
def changed_rules(desk):
    session = Session.get()
    session_rules.set_session_rules(OPERATOR, session.id, {"reply_months": 2, "roll_to_working_day": True})
    session_rules.create_session(OPERATOR, body="政协", name="市政协七届五次会议", year=2026,
                                 assigned_on="2026-03-15")
    return desk


def test_sessions_screen(changed_rules, snap_compare):
    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=sessions_ready)


def test_session_rule_dialog(changed_rules, snap_compare):
    async def open_dialog(pilot) -> None:
        from tui.dialogs.session_rule import SessionRuleDialog

        await sessions_ready(pilot)
        await pilot.press("]")  # the 人大 session (the list is newest first, then newest entered)
        await wait_for(pilot, lambda: pilot.app.screen.view.body == "人大")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionRuleDialog))
        await pilot.pause(0.2)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_dialog)


def test_sessions_screen_on_an_empty_ledger(ledger, snap_compare):
    clock.fix_today(dt.date(2027, 1, 10))
    try:
        assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=sessions_ready)
    finally:
        clock.fix_today(None)
