"""Snapshot: the new-case dialog (`n` on the ledger) at 160x48, the office's date fixed."""

from __future__ import annotations

from desk_helpers import OPERATOR, wait_for

from tui.app import DubanApp
from tui.dialogs.new_case import NewCaseDialog
from tui.screens.ledger import LedgerScreen

SIZE = (160, 48)


def test_new_case_dialog(desk, snap_compare):
    async def open_form(pilot) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        await pilot.pause(0.2)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_form)
