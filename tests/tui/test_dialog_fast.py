"""Pilot: `f` and `u` open their dialogs doing only the work that shows, and look exactly as before.

tui/dialogs/base.py leaves out four things Textual does as any screen opens (see "Opening, drawn
once" there) and gives the dialogs `QuickSelect`, a Select whose list is made when it first
opens. These tests hold both to Textual's own behaviour: what is left out changes nothing on
screen, and a QuickSelect looks and answers keys and clicks as a Select does. They also count
the work, so that a Textual release that stops honouring one of the hooks fails loudly here.
"""

from __future__ import annotations

import re
import sys

from desk_helpers import OPERATOR, SIZE, move_to_case, ready, wait_for
from textual.app import App
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from tui.app import DubanApp
from tui.dialogs.base import CHECKED, ActionDialog, _KeptBackground
from tui.widgets.quick_select import QuickSelect
from tui.dialogs.follow_up import FollowUpDialog
from tui.dialogs.urge import UrgeDialog
from tui.screens.ledger import LedgerScreen
from tui.text import SafeInput

KEYS = (("u", UrgeDialog), ("f", FollowUpDialog))


class Counts:
    """What Textual does while a dialog opens: layouts of each screen, whole-dialog restyles,
    tints, and the dialog's refreshes that reach Textual (with who asked)."""

    def __init__(self, monkeypatch) -> None:
        self.layouts: list[str] = []
        self.restyled: list[str] = []
        self.tints = 0
        self.reached: list[tuple[str, dict]] = []
        self.app_waits: list[bool] = []
        layout, restyle, tint = Screen._refresh_layout, App.update_styles, _KeptBackground._tinted
        textuals_refresh, pushed_by = Widget.refresh, ActionDialog._pushed_by

        def counted_layout(screen, *args, **kwargs):
            self.layouts.append(type(screen).__name__)
            return layout(screen, *args, **kwargs)

        def counted_restyle(app, node, animate=True):
            if isinstance(node, ActionDialog):
                self.restyled.append(type(node).__name__)
            return restyle(app, node, animate)

        def counted_tint(background, *args):
            self.tints += 1
            return tint(background, *args)

        def reaching(widget, *regions, **kwargs):
            if isinstance(widget, ActionDialog) and not regions:
                asker = sys._getframe(2)  # ActionDialog.refresh is frame 1
                waiting = asker.f_locals.get("self")
                mine = isinstance(waiting, AwaitMount) and list(waiting._widgets) == [widget]
                self.reached.append(("the App's wait" if mine else asker.f_code.co_name, kwargs))
            return textuals_refresh(widget, *regions, **kwargs)

        def recognised(dialog, frame):
            found = pushed_by(dialog, frame)
            if found:
                self.app_waits.append(dialog._size == dialog.app.size)
            return found

        monkeypatch.setattr(Screen, "_refresh_layout", counted_layout)
        monkeypatch.setattr(App, "update_styles", counted_restyle)
        monkeypatch.setattr(_KeptBackground, "_tinted", counted_tint)
        monkeypatch.setattr(Widget, "refresh", reaching)
        monkeypatch.setattr(ActionDialog, "_pushed_by", recognised)

    def clear(self) -> None:
        self.layouts.clear()
        self.restyled.clear()
        self.tints = 0
        self.reached.clear()
        self.app_waits.clear()


async def open_dialog(pilot, ids, key, kind):
    table = await ready(pilot)
    move_to_case(table, ids["overdue"])
    await pilot.pause(0.3)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause(0.5)  # every timer Textual starts as a screen opens has fired
    return pilot.app.screen


async def test_a_dialog_opens_styled_laid_out_and_tinted_once(desk, monkeypatch):
    _path, ids = desk
    counts = Counts(monkeypatch)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        for key, kind in KEYS:
            await ready(pilot)
            await pilot.pause(0.3)
            counts.clear()
            dialog = await open_dialog(pilot, ids, key, kind)
            name = type(dialog).__name__
            assert counts.restyled == [], "styled as mounted; not styled whole again as it shows"
            assert counts.tints == 1, "the screen beneath tinted once, not again after its re-layout"
            # not drawn whole again just after its first draw (Textual's resume handler asks)
            assert ("_on_screen_resume", {}) not in counts.reached, counts.reached
            # the App's wait for the dialog to mount is recognised; its layout left out when the
            # dialog is laid out already (it may come before, as the App's task is woken)
            assert len(counts.app_waits) == 1, "the App's wait for the dialog to mount is recognised"
            assert (("the App's wait", {"layout": True}) in counts.reached) != counts.app_waits[0], counts.reached
            assert "LedgerScreen" not in counts.layouts, "the ledger beneath is not laid out again"
            # Textual's first layout and the pass for the widgets it sized; not a third, whole one
            # once the App sees the dialog mounted
            assert counts.layouts.count(name) <= 3, counts.layouts
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))


async def test_what_is_left_out_changes_nothing_on_screen(desk):
    """Textual's whole path afterwards (restyle, layout and redraw of the dialog and the ledger
    beneath, the tint from scratch) draws exactly what the dialog already shows."""
    _path, ids = desk
    for size in (SIZE, (80, 24)):
        async with DubanApp(operator=OPERATOR).run_test(size=size) as pilot:
            for key, kind in KEYS:
                dialog = await open_dialog(pilot, ids, key, kind)
                for field in dialog.query("Input, TextArea"):
                    field.cursor_blink = False  # the cursor drawn steadily, not as it blinks
                await pilot.pause(0.1)
                before = shown(pilot.app)
                dialog.update_node_styles(animate=False)
                for screen in pilot.app.screen_stack[:-1]:
                    Screen.refresh(screen, layout=True)
                dialog._background.clear()
                Screen.refresh(dialog, layout=True)
                await pilot.pause(0.3)
                assert shown(pilot.app) == before, (size, key)
                await pilot.press("escape")
                await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))


async def test_a_resize_after_opening_is_still_textuals(desk):
    _path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, ids, "u", UrgeDialog)
        ledger = pilot.app.screen_stack[-2]
        await pilot.resize_terminal(100, 24)
        await pilot.pause(0.3)
        assert dialog.has_class("-short") and not dialog.has_class("-tall")
        assert ledger.size == dialog.size == (100, 24)


async def test_the_follow_up_dialog_makes_the_contact_fields_when_chosen(desk):
    _path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, ids, "f", FollowUpDialog)
        assert not dialog.query("#contact") and not dialog.query(SelectOverlay)
        dialog.query_one("#kind", Select).value = "沟通"
        await pilot.pause()
        contact = dialog.query_one("#contact")
        assert contact.display and contact.region.height > 0
        assert contact.parent is dialog.query_one("#kind").parent
        assert list(contact.parent.children).index(contact) == list(contact.parent.children).index(dialog.query_one("#kind")) + 1
        dialog.query_one("#method", Select).value = "电话"
        dialog.query_one("#kind", Select).value = "查办"
        await pilot.pause()
        assert not contact.display
        dialog.query_one("#kind", Select).value = "沟通"
        await pilot.pause()
        assert dialog.query_one("#contact") is contact and contact.display
        assert dialog.query_one("#method", Select).value == "电话", "what was chosen is kept"


# ----------------------------------------------------------------- QuickSelect against Select

OPTIONS = [("查办：检查办理进度", "查办"), ("询办：向处室询问办理情况", "询办"), ("沟通：与代表/委员联系", "沟通")]


class Pair(App):
    """One Select of the kind given, and an Input to move the focus to."""

    CSS = "Select { width: 40; }"

    def __init__(self, kind: type[Select], **options) -> None:
        super().__init__()
        self.kind, self.options, self.changes = kind, options, []

    def compose(self):
        yield self.kind(OPTIONS, id="choice", **self.options)
        yield SafeInput(id="other")

    def on_select_changed(self, event: Select.Changed) -> None:
        self.changes.append(event.value)


def shown(app) -> str:
    """The screen as an SVG, without the ids Textual makes up for each export."""
    return re.sub(r"terminal-\d+", "terminal", app.export_screenshot())


async def side_by_side(steps, **options) -> None:
    """Run `steps(pilot)` (an async generator yielding after each step) on a Select and on a
    QuickSelect; at every step both look the same, hold the same value, posted the same changes."""
    seen = {}
    for kind in (Select, QuickSelect):
        app = Pair(kind, **options)
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause()
            shots = []
            async for _ in steps(pilot):
                await pilot.pause(0.1)
                select = app.query_one("#choice", Select)
                focused = app.focused
                shots.append((shown(app), select.value, select.expanded, list(app.changes),
                              getattr(focused, "id", None), isinstance(focused, SelectOverlay)))
            seen[kind] = shots
    for step, (textuals, quick) in enumerate(zip(seen[Select], seen[QuickSelect])):
        assert quick[1:] == textuals[1:], step
        assert quick[0] == textuals[0], f"step {step} looks different"
    assert len(seen[Select]) == len(seen[QuickSelect])


async def test_a_quick_select_is_chosen_by_keys_as_a_select_is():
    async def steps(pilot):
        yield
        pilot.app.query_one("#choice").focus()
        yield
        await pilot.press("enter")  # opens
        yield
        await pilot.press("down", "down")
        yield
        await pilot.press("enter")  # chooses 沟通
        yield
        await pilot.press("space")  # opens again, at 沟通
        yield
        await pilot.press("up", "enter")
        yield
        await pilot.press("down")
        yield
        await pilot.press("escape")
        yield

    await side_by_side(steps, value="查办", allow_blank=False)


async def test_a_quick_select_opens_by_a_click_and_by_expanded():
    async def steps(pilot):
        await pilot.click("#choice")
        yield
        await pilot.click("#choice")  # closes
        yield
        pilot.app.query_one("#choice").value = "询办"
        yield
        pilot.app.query_one("#choice").expanded = True
        yield
        await pilot.press("down", "enter")
        yield
        pilot.app.query_one("#other").focus()
        yield

    await side_by_side(steps, value="查办", allow_blank=False)


async def test_a_blank_quick_select_shows_its_prompt_and_types_to_search():
    async def steps(pilot):
        yield
        select = pilot.app.query_one("#choice")
        select.prompt = "沟通方式"
        yield
        select.focus()
        await pilot.press("down")  # opens at the first option
        yield
        await pilot.press("enter")
        yield
        select.clear()
        yield
        await pilot.press("enter", "down", "down", "down", "enter")
        yield

    await side_by_side(steps, prompt="阶段")


async def test_a_field_made_checked_is_what_textual_makes_of_it():
    """`CHECKED` is the class Textual's Input gives a field without validators: given at once, the
    field ends up with the same classes, so Input's first check has nothing left to restyle."""

    class Fields(App):
        def compose(self):
            yield SafeInput(value="2026-12-01", id="plain")
            yield SafeInput(value="2026-12-01", id="checked", classes=CHECKED)
            yield SafeInput(value="", placeholder="例如", id="empty", classes=CHECKED)

    async with Fields().run_test() as pilot:
        await pilot.pause()
        plain, checked = pilot.app.query_one("#plain"), pilot.app.query_one("#checked")
        assert plain.classes == checked.classes and CHECKED in plain.classes
        assert pilot.app.query_one("#empty").classes == plain.classes
