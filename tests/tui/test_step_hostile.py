"""Stored text in the step dialogs (pickers, facts, the case line) is shown as typed and harmless."""

from __future__ import annotations

from case_helpers import open_case, step
from desk_helpers import OPERATOR, SIZE

from store import actions
from store.models import Case, Division, Person
from tui.app import DubanApp
from tui.dialogs.assign import AssignDialog
from tui.dialogs.reply import ReplyDialog
from tui.text import visible

HOSTILE = "[/] [red]x [@click=app.quit]q \x1b[2J \x9b31m"


async def test_hostile_names_in_the_pickers_and_facts_are_shown_as_typed(desk):
    path, ids = desk
    case_id = ids["soon"]
    division_id = Case.get_by_id(case_id).division_id
    Division.update(name=HOSTILE + "处").where(Division.id == division_id).execute()
    Person.update(name=HOSTILE + "人", post="[b]岗[/b]").where(Person.name == "吴刚").execute()
    actions.edit_case(case_id, OPERATOR, title=HOSTILE)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await open_case(pilot, case_id)
        dialog = await step(pilot, "p", AssignDialog)
        division = dialog.query_one("#division")
        assert division.value == division_id
        drawn = "".join(str(w.render()) for w in division.query("SelectCurrent Static"))
        assert visible(HOSTILE) in drawn and "\x1b" not in drawn and "\x9b" not in drawn
        assert visible(HOSTILE) in str(dialog.query_one(".dialog-case").render())
        assert visible(HOSTILE) in str(dialog.query_one("#facts").render())
        await pilot.press("enter")  # open the picker: the options are drawn too
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause(0.2)
        dialog = await step(pilot, "r", ReplyDialog)
        assert visible(HOSTILE) in str(dialog.query_one(".dialog-case").render())
        assert pilot.app.is_running
