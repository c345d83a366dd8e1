"""Pilot tests: the footer (tui/widgets/footer.py) — its keys are clickable, shown from the first
frame, rebuilt when the keys change and only then."""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, move_to_case, ready, wait_for
from textual.widgets._footer import FooterKey

from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.divisions import DivisionBoardScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.footer import DeskFooter


def footer_keys(screen) -> dict[str, FooterKey]:
    """The footer's keys by action, the command palette's apart."""
    return {key.action: key for key in screen.query_one(DeskFooter).query(FooterKey)
            if not key.has_class("-command-palette")}


def shown_bindings(screen) -> dict[str, bool]:
    """The screen's keys the footer should show, by action, and whether each is live (not dimmed)."""
    return {binding.action: enabled for (_, binding, enabled, _) in screen.active_bindings.values() if binding.show}


async def test_clicking_a_footer_key_runs_its_action(desk):
    """A click on 处室看板 in the footer opens the board, as the key d does."""
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.pause(0.2)
        key = footer_keys(pilot.app.screen)["divisions"]
        assert key.description == "处室看板"
        await pilot.click(key)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionBoardScreen))


async def test_the_footer_follows_the_case_and_is_not_rebuilt_for_nothing(desk):
    """The case screen's footer shows that case's keys (签收 dimmed on a signed case, live on an
    unsigned one); the ledger's footer keys survive a case opened and closed untouched."""
    path, ids = desk
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        await pilot.pause(0.2)
        ledger = app.screen
        before = footer_keys(ledger)
        assert set(before) == set(shown_bindings(ledger))
        for name, signed in (("overdue", True), ("unsigned", False)):
            move_to_case(table, ids[name])
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
            await pilot.pause(0.2)
            keys = footer_keys(app.screen)
            expected = shown_bindings(app.screen)
            assert {action: not key.has_class("-disabled") for action, key in keys.items()} == expected
            assert expected["step('sign')"] is not signed
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
            await pilot.pause(0.2)
        after = footer_keys(ledger)
        assert after.keys() == before.keys()
        assert all(after[action] is before[action] for action in before)  # the same widgets: not rebuilt
