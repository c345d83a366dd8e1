"""The case-screen tests' steps: open a case, press a step's key, save and wait for the event."""

from __future__ import annotations

from desk_helpers import move_to_case, ready, wait_for

from store.models import Case
from tui.screens.case import CaseScreen


async def open_case(pilot, case_id: int) -> CaseScreen:
    """From the ledger, drill into one case and wait for its card."""
    table = await ready(pilot)
    move_to_case(table, case_id)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
    return pilot.app.screen


async def step(pilot, key: str, dialog_type):
    """Press a step's key on the case screen and wait for its dialog."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, dialog_type))
    return pilot.app.screen


async def save(pilot, screen: CaseScreen, kind: str) -> None:
    """ctrl+s, then wait until the dialog closed and the case screen shows the new event."""
    before = screen.card.version
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: pilot.app.screen is screen and screen.card.version > before
                   and screen.card.timeline[0].kind == kind)


async def open_by_id(pilot, case_id: int) -> CaseScreen:
    """Open one case as a lookup or the palette does (`app.open_case`) and wait for its card."""
    await wait_for(pilot, lambda: pilot.app.ledger.loaded)
    pilot.app.open_case(case_id)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.case_id == case_id
                   and pilot.app.screen.card is not None)
    return pilot.app.screen


def shown(screen, selector: str) -> str:
    """What one widget of the screen shows, as text."""
    return str(screen.query_one(selector).render())


def case(case_id: int) -> Case:
    return Case.get_by_id(case_id)
