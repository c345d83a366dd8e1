"""Pilot: the tinted ledger under a dialog is what Textual itself draws, kept between draws and
drawn afresh when the ledger beneath changes; the dialog's height classes are set as it opens.

`tui/dialogs/base.py` tints the screen beneath itself (`_KeptBackground._tinted`) and keeps the
result until Textual forwards a change of that screen as a refresh of regions. These tests fail
loudly if Textual changes how it tints (`BackgroundScreen`, `Widget.post_render`) or stops
forwarding changes beneath a dialog that way.
"""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, move_to_case, ready, wait_for
from textual._context import visible_screen_stack
from textual.renderables.background_screen import BackgroundScreen
from textual.visual import RichVisual

from tui.app import DubanApp
from tui.dialogs.base import _KeptBackground
from tui.dialogs.follow_up import FollowUpDialog
from tui.screens.ledger import LedgerScreen


def textuals_own(dialog, ledger) -> list:
    """The tinted ledger as Textual draws it (its own BackgroundScreen path), as (text, style) lines."""
    width, height = dialog.size
    background = BackgroundScreen(ledger, dialog.styles.background)
    strips = RichVisual(dialog, background).render_strips(width, height, dialog.visual_style, None)
    return [[(text, style) for text, style, _ in strip] for strip in strips]


def drawn(dialog, ledger) -> list:
    """What the dialog draws beneath itself now, as (text, style) lines."""
    token = visible_screen_stack.set([ledger])  # as the compositor sets it for a draw
    try:
        rendered = dialog.render()
    finally:
        visible_screen_stack.reset(token)
    assert isinstance(rendered, _KeptBackground)
    width, height = dialog.size
    strips = rendered.render_strips(width, height, dialog.visual_style, None)
    return [[(text, style) for text, style, _ in strip] for strip in strips]


async def open_follow_up(pilot, ids):
    table = await ready(pilot)
    move_to_case(table, ids["overdue"])
    await pilot.pause()
    ledger = pilot.app.screen
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
    await pilot.pause()
    return ledger, table, pilot.app.screen


async def test_the_tinted_ledger_is_textuals_own(desk):
    _path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        ledger, _table, dialog = await open_follow_up(pilot, ids)
        assert isinstance(ledger, LedgerScreen)
        own = textuals_own(dialog, ledger)
        assert len(own) == dialog.size.height and any(text.strip() for line in own for text, _ in line)
        assert drawn(dialog, ledger) == own
        assert dialog._background, "the tinted lines are kept after a draw"


async def test_a_change_beneath_the_dialog_is_drawn(desk):
    _path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        ledger, table, dialog = await open_follow_up(pilot, ids)
        before = drawn(dialog, ledger)
        table.move_to(0 if table.cursor else 1)  # the highlighted row moves beneath the dialog
        await pilot.pause()
        await pilot.pause()
        assert textuals_own(dialog, ledger) != before, "the ledger beneath did change"
        assert drawn(dialog, ledger) == textuals_own(dialog, ledger)


async def test_height_classes_are_set_as_the_dialog_opens(desk):
    _path, ids = desk
    for size, given, not_given in ((SIZE, "-tall", "-short"), ((100, 24), "-short", "-tall")):
        async with DubanApp(operator=OPERATOR).run_test(size=size) as pilot:
            table = await ready(pilot)
            move_to_case(table, ids["overdue"])
            await pilot.press("f")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
            dialog = pilot.app.screen
            assert dialog.has_class(given) and not dialog.has_class(not_given)
            await pilot.resize_terminal(100, 24 if given == "-tall" else 48)  # Textual's own resize still decides
            await pilot.pause()
            assert dialog.has_class(not_given) and not dialog.has_class(given)
