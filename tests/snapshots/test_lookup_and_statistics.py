"""Snapshots: the meeting card (`:`) on the desk ledger, the statistics screen (`s`) on sz2023."""

from __future__ import annotations

import datetime as dt

import pytest

from desk_helpers import OPERATOR, wait_for

import fixtures
from store import clock
from store.db import close_database, open_database
from tui.app import DubanApp
from tui.screens.ledger import LedgerScreen
from tui.screens.lookup import LookupScreen
from tui.screens.meeting_card import MeetingCardScreen
from tui.screens.statistics import StatisticsScreen
from tui.widgets.ledger_table import LedgerTable

SIZE = (160, 48)


@pytest.fixture
def sz2023(tmp_path):
    path = tmp_path / "sz2023.db"
    open_database(path)
    clock.fix_today(dt.date(2023, 9, 19))
    fixtures.seed("sz2023")
    yield path
    clock.fix_today(None)
    close_database()


async def loaded(pilot, rows: int) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded
                   and len(app.screen.query_one(LedgerTable).rows) == rows)
    await pilot.pause(0.2)


def test_meeting_card(desk, snap_compare):
    async def open_card(pilot) -> None:
        await loaded(pilot, 3)
        await pilot.press("colon")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LookupScreen))
        await pilot.press(*"20260101")
        await wait_for(pilot, lambda: bool(pilot.app.screen.hits))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MeetingCardScreen) and pilot.app.screen.card)
        await pilot.pause(0.3)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_card)


def test_statistics_screen(sz2023, snap_compare):
    async def open_statistics(pilot) -> None:
        await loaded(pilot, 20)
        await pilot.press("right_square_bracket", "s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatisticsScreen) and pilot.app.screen.view)
        await pilot.pause(0.3)

    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_statistics)
