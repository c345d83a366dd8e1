"""Stored text is shown exactly and is harmless, on every screen, dialog, notification and palette entry."""

from __future__ import annotations

from desk_helpers import OPERATOR
from desk_helpers import SIZE, move_to_case, ready, wait_for
from textual.command import CommandPalette

from store import actions
from store.models import Case, Division
from tui.app import DubanApp
from tui.dialogs.follow_up import FollowUpDialog
from tui.dialogs.urge import UrgeDialog
from tui.screens.case import CaseScreen
from tui.screens.meeting_card import MeetingCardScreen
from tui.screens.ledger import LedgerScreen
from tui.text import visible
from tui.widgets.ledger_table import LedgerTable

HOSTILE = "[/] [red]x [@click=app.quit]q \\ 反斜杠\\n 😀 \x1b[2J\x1b]0;pwned\x07 \x9b31m " + "长" * 40
LONG = "很长的标题" * 400  # 2,000 characters


def no_raw_controls(text: str) -> bool:
    return not any(ch in text for ch in ("\x1b", "\x9b", "\x07"))


def make_hostile(ids: dict[str, int]) -> None:
    actions.edit_case(ids["overdue"], OPERATOR, title=HOSTILE)
    actions.edit_case(ids["soon"], OPERATOR, title=LONG)
    Division.update(name="[b]处室[/b] \x1b[31m").where(Division.id == Case.get_by_id(ids["overdue"]).division_id).execute()
    actions.log_follow_up(ids["overdue"], OPERATOR, kind="备注", note=HOSTILE)


async def test_hostile_text_everywhere_is_shown_as_typed_and_harmless(desk):
    path, ids = desk
    make_hostile(ids)
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        # The ledger row: the title drawn with control characters made visible.
        move_to_case(table, ids["overdue"])
        drawn = "".join(segment.text for segment in table.render_line(table.cursor - table.scroll_offset.y + 1))
        assert visible(HOSTILE)[:20] in drawn and no_raw_controls(drawn)
        assert "[@click=app.quit]" in drawn
        # The case screen, its timeline holding the hostile note.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        title = str(app.screen.query_one("#case-title").render())
        assert visible(HOSTILE) in title and no_raw_controls(title)
        timeline = str(app.screen.query_one("#timeline").render())
        assert visible(HOSTILE, single_line=False) in timeline
        # Both dialogs on the case screen.
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpDialog))
        shown = str(app.screen.query_one(".dialog-case").render())
        assert visible(HOSTILE) in shown and no_raw_controls(shown)
        await pilot.press("escape")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UrgeDialog))
        note = app.screen.query_one("#note")  # holds the text itself, drawn through the gate
        assert "\x1b" in note.value and no_raw_controls("".join(s.text for s in note.render_line(0)))
        assert "[b]处室[/b]" in str(app.screen.query_one("#division").render())
        await pilot.press("enter")  # urge: the notification names the division
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen))
        await pilot.pause(0.3)
        messages = [str(n.message) for n in app._notifications]
        assert any("[b]处室[/b]" in m for m in messages) and all(no_raw_controls(m) for m in messages)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        # The palette finds it by a word of the title and shows it as typed.
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"反斜杠")
        await pilot.pause(0.5)
        option_list = app.screen.query_one("CommandList")
        prompts = [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]
        assert any(visible(HOSTILE)[:30] in p for p in prompts), prompts
        assert all(no_raw_controls(p) for p in prompts)
        await pilot.press("enter")  # the meeting card shows it as typed
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingCardScreen) and app.screen.card is not None)
        drawn = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert visible(HOSTILE) in drawn and no_raw_controls(drawn)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        assert app.screen.card.title == HOSTILE  # stored exactly as entered
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingCardScreen))
        await pilot.press("escape")
        # The 2,000-character title: drawn cut to its column, the app still running.
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        table = app.screen.query_one(LedgerTable)
        move_to_case(table, ids["soon"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        assert LONG in str(app.screen.query_one("#case-title").render())
        assert app.is_running
    assert Case.get_by_id(ids["overdue"]).title == HOSTILE
