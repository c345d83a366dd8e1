"""Pilot: a case whose timeline cannot fit opens with its scrollbar laid out from the first
(`CaseScreen._expect_scrollbar`), and ends exactly as Textual lays it out; a short one has none."""

from __future__ import annotations

from case_helpers import open_case
from desk_helpers import OPERATOR, SIZE
from textual.containers import VerticalScroll

from store import actions
from store.db import database
from tui.app import DubanApp


def event_count(case_id: int) -> int:
    return database.obj.execute_sql("select count(*) from event where case_id = ?", (case_id,)).fetchone()[0]


async def test_a_long_timeline_has_its_scrollbar_and_a_short_one_none(desk):
    _path, ids = desk
    long_case, short_case = ids["overdue"], ids["soon"]
    for n in range(30):
        actions.log_follow_up(long_case, OPERATOR, kind="备注", note=f"第{n}条备注")
    assert event_count(long_case) >= 30 and event_count(short_case) < 10
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, long_case)
        await pilot.pause()
        pane = screen.query_one("#timeline-scroll", VerticalScroll)
        assert pane.show_vertical_scrollbar and pane.virtual_size.height > pane.scrollable_content_region.height
        timeline = screen.query_one("#timeline")
        assert timeline.region.width == pane.scrollable_content_region.width  # laid out beside the scrollbar
        await pilot.press("escape")
        screen = await open_case(pilot, short_case)
        await pilot.pause()
        pane = screen.query_one("#timeline-scroll", VerticalScroll)
        assert not pane.show_vertical_scrollbar
        assert screen.query_one("#timeline").region.width == pane.scrollable_content_region.width
