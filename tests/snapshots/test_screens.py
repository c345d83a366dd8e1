"""Snapshots: what the ledger and the case screen look like, at a fixed size and date."""

from __future__ import annotations

from desk_helpers import OPERATOR
from desk_helpers import move_to_case, wait_for

from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.ledger_table import LedgerTable

SIZE = (160, 48)


async def ledger_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded
                   and len(app.screen.query_one(LedgerTable).rows) == 3)
    await pilot.pause(0.2)


def test_ledger_screen(desk, snap_compare):
    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=ledger_ready)


def test_case_screen(desk, snap_compare):
    path, ids = desk

    async def open_case(pilot) -> None:
        await ledger_ready(pilot)
        move_to_case(pilot.app.screen.query_one(LedgerTable), ids["overdue"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        await pilot.pause(0.2)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_case)


def test_division_board(desk, snap_compare):
    async def open_board(pilot) -> None:
        from tui.screens.divisions import DivisionBoardScreen

        await ledger_ready(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionBoardScreen) and pilot.app.screen.loads)
        await pilot.pause(0.2)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_board)
