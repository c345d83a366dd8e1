"""Pilot test: the case screen's footer follows the store's answer (store/steps.py).

For every status × role (tests/step_cases.py) and every step key, the binding's `check_action`
is True when the store says the step is possible, None (dimmed) when it is not yet, False
(hidden) when it does not fit the role; the same key's `refused` binding is live exactly when
the step is not possible, and pressing it shows the store's own sentence, opening no dialog.
And 延期 after the deadline: the dialog says so and records it only as a late one, when asked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from desk_helpers import SIZE, wait_for
from step_cases import OPERATOR, TODAY, build_cases

from textual.widgets import Checkbox

from store import actions, clock
from store.db import close_database, database, open_database
from store.models import Case, Event
from store.queries import case_card
from store.steps import extension_terms, offered, steps_for
from tui.text import wrapped
from tui.app import DubanApp
from tui.dialogs.extend import ExtendDialog
from tui.screens.case import CaseScreen, entry_details
from tui.screens.stepping import STEPS


@pytest.fixture
def walk_desk(tmp_path):
    open_database(tmp_path / "walk.db")
    clock.fix_today(TODAY)
    ids = build_cases()
    yield ids
    clock.fix_today(None)
    close_database()


def said(pilot, sentence: str) -> bool:
    shown = wrapped(sentence, pilot.app.toast_width())  # notifications are broken by 禁则 at the toast's width
    return any(str(n.message) == shown for n in pilot.app._notifications)


async def test_the_footer_and_the_keys_follow_the_stores_answer(walk_desk):
    events_before = Event.select().count()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.ledger.loaded)
        pressed = 0
        for (name, role), case_id in walk_desk.items():
            pilot.app.open_case(case_id)
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen)
                           and pilot.app.screen.case_id == case_id and pilot.app.screen.card is not None)
            screen = pilot.app.screen
            case = Case.get_by_id(case_id)
            answer = steps_for(case)
            for step in STEPS:
                expected = (True if answer[step.name] is None else None) if offered(case, step.name) else False
                assert screen.check_action("step", (step.name,)) is expected, (name, role, step.name)
                assert screen.check_action("refused", (step.name,)) is (answer[step.name] is not None)
            assert screen.check_action("urge", ()) is (True if answer["urge"] is None else None)
            assert screen.check_action("refused", ("urge",)) is (answer["urge"] is not None)
            # Pressing a key whose step is not possible: the store's sentence, no dialog.
            keys = {step.name: step.key for step in STEPS} | {"urge": "u"}
            refused = [step for step in keys if answer[step] is not None]
            for step in refused[:2] + (["urge"] if answer["urge"] and "urge" not in refused[:2] else []):
                await pilot.press(keys[step])
                await wait_for(pilot, lambda: said(pilot, answer[step]))
                assert pilot.app.screen is screen
                pressed += 1
            await pilot.app.pop_screen()
        assert pressed > 80
    assert Event.select().count() == events_before  # nothing pressed wrote anything


@pytest.fixture
def late_desk(tmp_path):
    """The issue's case: 交办 2023-03-10 (答复期限 06-10), signed 03-15; today 2023-07-01."""
    open_database(tmp_path / "late.db")
    clock.fix_today(dt.date(2023, 7, 1))
    session = actions.ensure_session("市七届人大三次会议", body="人大", year=2023)
    case_id = actions.create_case(OPERATOR, session=session, number="20230489", title="关于推进政务数据共享的建议",
                                  role="主办", assigned_on=dt.date(2023, 3, 10)).case_id
    actions.sign_for(case_id, OPERATOR, on=dt.date(2023, 3, 15))
    yield case_id
    clock.fix_today(None)
    close_database()


def error_text(dialog) -> str:
    return str(dialog.query_one("#dialog-error").render())


async def test_an_extension_after_the_deadline_is_offered_only_as_a_late_one(late_desk):
    case_id = late_desk
    sentence = extension_terms(Case.get_by_id(case_id)).late_sentence
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.ledger.loaded)
        pilot.app.open_case(case_id)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        screen = pilot.app.screen
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExtendDialog))
        dialog = pilot.app.screen
        assert sentence in str(dialog.query_one("#facts").render())  # the dialog says the deadline has passed
        dialog.query_one("#reason").text = "需会商"
        dialog.query_one("#approval").value = "经交办机关同意"
        dialog.query_one("#new_due").value = "2023-08-31"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sentence in error_text(dialog))
        assert pilot.app.screen is dialog and dialog.query_one("#late").has_class("-invalid")
        dialog.query_one("#late", Checkbox).value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "补办延期的理由" in error_text(dialog))
        assert dialog.query_one("#late_reason").has_class("-invalid")
        assert database.obj.execute_sql('SELECT COUNT(*) FROM event WHERE kind = ?', ("延期",)).fetchone() == (0,)
        dialog.query_one("#late_reason").value = "交办机关批复迟到"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen and screen.card.extended_due is not None)
    assert database.obj.execute_sql('SELECT extended_due, extension_late FROM "case" WHERE id = ?',
                                    (case_id,)).fetchone() == ("2023-08-31", 1)
    # The timeline names it a late extension, with its reason.
    event = next(e for e in case_card(case_id).timeline if e.kind == "延期")
    assert "逾期后补办延期，理由 交办机关批复迟到" in entry_details(event)
