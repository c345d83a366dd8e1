"""Snapshots at a small terminal (80×24: a laptop, a remote session) and a large one (200×60):
the ledger, the case screen and the follow-up dialog (f)."""

from __future__ import annotations

import pytest

from desk_helpers import OPERATOR, move_to_case, wait_for

from tui.app import DubanApp
from tui.dialogs.follow_up import FollowUpDialog
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.ledger_table import LedgerTable

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 60), id="200x60")]


async def ledger_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded
                   and len(app.screen.query_one(LedgerTable).rows) == 3)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES)
def test_ledger_at_size(desk, snap_compare, size):
    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=size, run_before=ledger_ready)


@pytest.mark.parametrize("size", SIZES)
def test_case_screen_at_size(desk, snap_compare, size):
    path, ids = desk

    async def open_case(pilot) -> None:
        await ledger_ready(pilot)
        move_to_case(pilot.app.screen.query_one(LedgerTable), ids["overdue"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        await pilot.pause(0.2)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=size, run_before=open_case)


@pytest.mark.parametrize("size", SIZES)
def test_follow_up_dialog_at_size(desk, snap_compare, size):
    path, ids = desk

    async def open_dialog(pilot) -> None:
        await ledger_ready(pilot)
        move_to_case(pilot.app.screen.query_one(LedgerTable), ids["overdue"])
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        await pilot.pause(0.2)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=size, run_before=open_dialog)
