"""Pilot tests: keys on the ledger and case screen, and their effects in the database."""

from __future__ import annotations

import asyncio

import pytest

from store.models import Case, Event
from tui.app import DubanApp
from tui.dialogs.follow_up import FollowUpDialog
from tui.dialogs.urge import UrgeDialog
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen

from desk_helpers import OPERATOR, SIZE, events, move_to_case, ready, wait_for

async def test_ledger_shows_most_urgent_first_with_countdown_words(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        assert [row.case_id for row in table.rows] == [ids["overdue"], ids["soon"], ids["unsigned"]]
        assert table.rows[0].countdown.startswith("逾期")
        assert table.rows[1].countdown == "还剩3天"
        assert (table.rows[2].next_milestone, table.rows[2].countdown) == ("签收", "还剩5天")


async def test_before_the_first_rows_are_read_the_ledger_says_it_is_loading(desk, monkeypatch):
    import threading

    from tui import ledger_data

    release = threading.Event()
    real = ledger_data._first_look

    def held(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger_data, "_first_look", held)
    try:
        async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
            await pilot.pause()
            shown = pilot.app.screen.table.render_line(1).text
            assert "正在载入台账…" in shown and "没有" not in shown  # not "no case matches"
            release.set()
            await ready(pilot)
            assert pilot.app.screen.table.rows
    finally:
        release.set()


async def test_f_saves_a_follow_up(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["soon"])
        before = len(events(ids["soon"]))
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        await pilot.press("tab")  # kind → note
        await pilot.press(*"查看办理进度")
        await pilot.press("tab")
        await pilot.press(*"2026-12-04")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        saved = events(ids["soon"])
        assert len(saved) == before + 1
        assert (saved[-1].kind, saved[-1].note, saved[-1].operator) == ("查办", "查看办理进度", OPERATOR)
        assert str(saved[-1].next_followup_on) == "2026-12-04"
        await wait_for(pilot, lambda: next(r for r in table.rows if r.case_id == ids["soon"]).last_followup_on
                       is not None and str(next(r for r in table.rows if r.case_id == ids["soon"]).last_followup_on)
                       == "2026-11-27")


async def test_follow_up_refuses_a_bad_date_and_keeps_what_was_typed(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["soon"])
        before = len(events(ids["soon"]))
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        await pilot.press("tab", *"要紧的记录", "tab", *"2026-13-45", "ctrl+s")
        await pilot.pause(0.2)
        dialog = pilot.app.screen
        assert isinstance(dialog, FollowUpDialog)
        assert dialog.query_one("#next").has_class("-invalid")
        assert "不存在" in str(dialog.query_one("#dialog-error").render())
        assert dialog.query_one("#note").text == "要紧的记录"
        assert len(events(ids["soon"])) == before
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert len(events(ids["soon"])) == before


async def test_follow_up_contact_needs_method_and_stage(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["soon"])
        before = len(events(ids["soon"]))
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        dialog = pilot.app.screen
        dialog.query_one("#kind").value = "沟通"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert dialog.query_one("#method").has_class("-invalid")
        assert len(events(ids["soon"])) == before
        dialog.query_one("#method").value = "上门拜访"
        dialog.query_one("#stage").value = "办中"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        last = events(ids["soon"])[-1]
        assert (last.kind, last.method, last.stage) == ("沟通", "上门拜访", "办中")


async def test_escape_closes_follow_up_and_writes_nothing(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        before = Event.select().count()
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        await pilot.press("tab", *"不要保存", "escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert Event.select().count() == before


async def test_u_enter_urges_the_division_one_level_up(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        for expected_level in (1, 2):
            await pilot.press("u")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, UrgeDialog))
            assert pilot.app.screen.proposal.level == expected_level
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
            await wait_for(pilot, lambda: table.current_row.urge_count == expected_level)
        urges = events(ids["overdue"], "催办")
        case = Case.get_by_id(ids["overdue"])
        assert [u.level for u in urges] == [1, 2]
        assert all(u.target_division_id == case.division_id for u in urges)
        assert all(u.operator == OPERATOR and u.respond_by is not None for u in urges)
        assert table.current_row.case_id == ids["overdue"]


async def test_u_escape_does_not_urge(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UrgeDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert events(ids["overdue"], "催办") == []


async def test_u_on_an_unassigned_case_says_why(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["unsigned"])
        await pilot.press("u")
        await pilot.pause(0.3)
        assert isinstance(pilot.app.screen, LedgerScreen)
        assert any("尚未分派" in str(n.message) for n in pilot.app._notifications)


async def test_enter_opens_the_case_and_escape_returns_to_the_same_row_filter_and_sort(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        await pilot.press("o")  # sort by number
        await pilot.press("slash", *"建议")
        await pilot.press("enter")  # back to the table, filter kept
        move_to_case(table, ids["soon"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        card = pilot.app.screen.card
        assert card.id == ids["soon"] and card.masked_phone == "139****4321"
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        await pilot.press("escape")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        screen = pilot.app.screen
        assert screen.filter_text == "建议"
        assert pilot.app.ledger.snapshot.order == ("number", False)
        assert table.current_row.case_id == ids["soon"]


async def test_slash_filters_as_you_type_and_escape_clears(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        await pilot.press("slash", *"一网通办")
        await wait_for(pilot, lambda: len(table.rows) == 1)
        assert table.rows[0].case_id == ids["soon"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(table.rows) == 3)
        await pilot.press("slash", *"王建国")
        await wait_for(pilot, lambda: len(table.rows) == 2)
        await pilot.press("escape", "slash", *"20260103")
        await wait_for(pilot, lambda: [r.case_id for r in table.rows] == [ids["unsigned"]])


@pytest.mark.parametrize("desk", ["sqlite", "pg"], indirect=True)
async def test_a_commit_elsewhere_shows_without_moving_the_cursor(desk):
    """A second connection (another workstation) writes; the row updates in place."""
    from store import actions

    path, ids = desk
    async with DubanApp(operator=OPERATOR, refresh_seconds=0.2).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["soon"])
        position = table.cursor

        def other_workstation() -> None:
            # A thread has its own SQLite connection: a commit the desk did not make.
            actions.urge_division(ids["overdue"], "另一工作站", note="请加快")

        await asyncio.to_thread(other_workstation)
        # The desk looks every `refresh_seconds`; 2 s is the goal, the slack is for a loaded CI machine.
        await wait_for(pilot, lambda: next(r for r in table.rows if r.case_id == ids["overdue"]).urge_count == 1,
                       timeout=4.0)
        assert table.current_row.case_id == ids["soon"]
        assert table.cursor == position
