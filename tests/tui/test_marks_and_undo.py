"""Pilot tests: marks with bulk follow-up and urge; undo as a compensating event."""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, events, move_to_case, ready, wait_for

from store.models import Case
from tui.app import DubanApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.follow_up import FollowUpDialog
from tui.screens.ledger import LedgerScreen


async def test_space_marks_and_f_logs_on_every_marked_case(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        await pilot.press("space")
        move_to_case(table, ids["soon"])
        await pilot.press("space")
        assert table.marked == {ids["overdue"], ids["soon"]}
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        await pilot.press("tab", *"周检查", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        for key in ("overdue", "soon"):
            assert events(ids[key])[-1].note == "周检查"
        assert [e.note for e in events(ids["unsigned"]) if e.kind == "查办"] == []
        assert table.marked == set()


async def test_u_with_marks_urges_each_assigned_case_and_skips_the_unassigned(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        for key in ("overdue", "soon", "unsigned"):
            move_to_case(table, ids[key])
            await pilot.press("space")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        assert "未分派处室" in str(pilot.app.screen.query_one("#question").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        for key in ("overdue", "soon"):
            urges = events(ids[key], "催办")
            assert len(urges) == 1 and urges[0].target_division_id == Case.get_by_id(ids[key]).division_id
        assert events(ids["unsigned"], "催办") == []


async def test_z_undoes_the_operators_last_action_with_a_compensating_event(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        await pilot.press("u")
        await wait_for(pilot, lambda: pilot.app.screen.__class__.__name__ == "UrgeDialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: table.current_row.urge_count == 1)
        before = len(events(ids["overdue"]))
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("escape")  # esc: nothing undone
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert len(events(ids["overdue"])) == before
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: table.current_row.urge_count == 0)
        timeline = events(ids["overdue"])
        assert len(timeline) == before + 1
        urge, undo = timeline[-2], timeline[-1]
        assert (urge.kind, undo.kind, undo.undoes_id, undo.operator) == ("催办", "撤销", urge.id, OPERATOR)


async def test_u_on_a_closed_case_says_why_and_opens_no_dialog(desk):
    from store import actions

    path, ids = desk
    actions.reply(ids["overdue"], OPERATOR, doc_no="深政数函〔2026〕1号", result_class="A")
    actions.close(ids["overdue"], OPERATOR)
    before = len(events(ids["overdue"]))
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        await pilot.press("u")
        await wait_for(pilot, lambda: any("已办结，无需催办" in str(n.message) for n in pilot.app._notifications))
        assert isinstance(pilot.app.screen, LedgerScreen)
        move_to_case(table, ids["soon"])
        await pilot.press("space")
        move_to_case(table, ids["overdue"])
        await pilot.press("space", "u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        assert "不催办：第20260101号已办结，无需催办" in str(pilot.app.screen.query_one("#question").render())
        await pilot.press("escape")
    assert len(events(ids["overdue"])) == before
    assert events(ids["overdue"], "催办") == []
