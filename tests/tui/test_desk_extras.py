"""Pilot tests: midnight, help, palette lookup, session switch and the summary bar."""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, SIZE, TODAY, move_to_case, ready, wait_for
from textual.command import CommandPalette

from store import actions, clock
from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.meeting_card import MeetingCardScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.summary_bar import SummaryBar


async def test_countdowns_change_at_midnight_without_a_restart(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR, refresh_seconds=0.1).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        soon = lambda: next(r for r in table.rows if r.case_id == ids["soon"])  # noqa: E731
        assert soon().countdown == "还剩3天"
        clock.fix_today(TODAY + dt.timedelta(days=1))  # the clock passes midnight
        await wait_for(pilot, lambda: soon().countdown == "还剩2天")
        clock.fix_today(TODAY + dt.timedelta(days=4))
        await wait_for(pilot, lambda: soon().countdown == "逾期1天")


async def test_question_mark_shows_every_key(desk):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        panel = pilot.app.screen.query("HelpPanel")
        assert panel
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert not pilot.app.screen.query("HelpPanel")


async def test_palette_finds_a_case_by_number_and_by_proposer_and_opens_it(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        for query, expected in (("20260102", ids["soon"]), ("李秀英", ids["soon"]), ("信息安全", ids["unsigned"])):
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
            await pilot.press(*query)
            await pilot.pause(0.5)
            await pilot.press("enter")  # the meeting card, then enter for the whole case
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MeetingCardScreen)
                           and pilot.app.screen.card is not None)
            assert pilot.app.screen.card.id == expected
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen)
                           and pilot.app.screen.card is not None)
            assert pilot.app.screen.card.id == expected
            await pilot.press("escape")  # back to the card, then to the ledger
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, MeetingCardScreen))
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))


async def test_session_switch_and_summary_bar(desk):
    path, ids = desk
    other = actions.ensure_session("市政协七届五次会议", body="政协", year=2026)
    actions.create_case(OPERATOR, session=other, number="0042", title="关于数字政府建设的提案", role="汇办",
                        assigned_on=TODAY - dt.timedelta(days=40), lead_unit="市政协办公厅")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded
                       and len(app.screen.query_one("LedgerTable").rows) == 4)
        table = app.screen.query_one("LedgerTable")
        bar = lambda: str(app.screen.query_one(SummaryBar).render())  # noqa: E731
        await wait_for(pilot, lambda: "本周催办 0" in bar())
        # overdue: one reply, one sign-for (the CPPCC case, assigned 40 days ago); due soon: a reply, a sign-for
        for figure in ("在办 4", "待签收 2", "7日内到期 2", "已逾期 2", "滞后 3"):
            assert figure in bar()
        sessions = [s.name for s in app.ledger.sessions]
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: app.screen.session == sessions[0])
        expected = 1 if sessions[0].startswith("市政协") else 3
        assert len(table.rows) == expected
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: app.screen.session is None and len(table.rows) == 4)
        move_to_case(table, ids["overdue"])
