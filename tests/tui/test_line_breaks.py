"""行首禁则 on screen: the summary, the urge notice, the case card and notifications at 80 and 160 columns."""

from __future__ import annotations

import pytest
from desk_helpers import OPERATOR, ready, wait_for
from textual.widgets._toast import Toast

from store.io.layout import CLOSING
from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.notice import NoticeScreen
from tui.screens.statistics import StatisticsScreen

LONG = ("第20260101号已逾期8天；第20260102号按时答复率100%，已于2026年11月19日签收；"
        "请于2026年12月2日前反馈办理进展，深政数函〔2023〕84号答复。") * 3


def drawn_lines(widget) -> list[tuple[str, bool]]:
    """Each drawn line, and whether it starts a paragraph of the text (rather than being wrapped)."""
    starts = [paragraph.strip() for paragraph in str(widget.render()).split("\n")]
    lines = ["".join(segment.text for segment in widget.render_line(y)).strip() for y in range(widget.size.height)]
    return [(line, any(start.startswith(line[:6]) for start in starts)) for line in lines if line]


def assert_broken_by_the_rule(lines: list[tuple[str, bool]], where: str) -> None:
    assert lines, where
    for (before, _), (line, new_paragraph) in zip(lines, lines[1:]):
        if new_paragraph:
            continue
        assert line[0] not in CLOSING, (where, before, line)
        assert not (before[-1].isdigit() and (line[0].isdigit() or line[0] in "%％")), (where, before, line)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_no_wrapped_line_starts_with_a_closing_mark(desk, size):
    path, ids = desk
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StatisticsScreen) and app.screen.view is not None)
        await pilot.pause(0.2)
        summary = app.screen.query_one("#stats-summary")
        assert_broken_by_the_rule(drawn_lines(summary), "summary")
        await pilot.press("escape")
        await pilot.press("d")
        await pilot.pause(0.5)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoticeScreen))
        await pilot.pause(0.2)
        notice = drawn_lines(app.screen.query_one("#notice-text"))
        assert_broken_by_the_rule(notice, "notice")
        assert any("逾期" in line for line, _ in notice)
        await pilot.press("escape", "escape")
        await ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        await pilot.pause(0.2)
        for part in ("#case-title", "#fields", "#timeline"):
            assert_broken_by_the_rule(drawn_lines(app.screen.query_one(part)), part)
        app.say(LONG)
        await wait_for(pilot, lambda: bool(app.screen.query(Toast)))
        await pilot.pause(0.2)
        toast = app.screen.query(Toast).last()
        lines = drawn_lines(toast)
        assert toast.content_region.width == app.toast_width()  # the text was broken at the toast's own width
        assert_broken_by_the_rule(lines, "notification")
        assert sum("100%" in line for line, _ in lines) == 3 and sum("8天；" in line for line, _ in lines) == 3
