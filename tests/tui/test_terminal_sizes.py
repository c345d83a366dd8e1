"""Pilot tests: a small terminal (80×24) keeps what matters on screen or one key away.

The ledger keeps 编号, a cut title, 状态, 下一期限 and 倒计时, and ←/→ bring the columns it drops
into view; a dialog keeps its title and its save keys on screen while its fields scroll.
What the screen shows is read from the rendered lines, and compared with plain SQL.
"""

from __future__ import annotations

import re

import pytest
from textual.geometry import Region

from desk_helpers import OPERATOR, SIZE, move_to_case, ready, wait_for

from store import actions
from store.db import database
from tui.app import DubanApp
from tui.dialogs.follow_up import FollowUpDialog
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.ledger_table import COLUMNS, OPTIONAL, REQUIRED, column_layout, column_pages

SMALL = (80, 24)


def screen_lines(app) -> list[str]:
    """The text of each row the screen draws (the topmost screen's own widgets)."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def cases_by_sql() -> list[tuple[int, str, str, str, str]]:
    return database.obj.execute_sql(
        'SELECT id, number, status, next_milestone, next_due FROM "case" ORDER BY id').fetchall()


def line_of(lines: list[str], number: str) -> str:
    found = [line for line in lines if f" {number} " in line]
    assert len(found) == 1, (number, lines)
    return found[0]


def header(lines: list[str]) -> str:
    return next(line for line in lines if "编号" in line and "倒计时" in line)


def test_every_width_keeps_the_deadline_columns_and_pages_reach_every_other():
    for width in range(80, 221):
        pages = column_pages(width)
        seen: set[str] = set()
        for page in range(len(pages)):
            layout = column_layout(width, page)
            keys = [column.key for column, _ in layout]
            assert set(REQUIRED) <= set(keys), (width, page)
            assert keys == [c.key for c in COLUMNS if c.key in keys]  # the table's own order
            assert 2 + sum(w + 1 for _, w in layout) <= width, (width, page)
            seen.update(keys)
        assert seen == {c.key for c in COLUMNS}, width
    assert column_pages(80)[0] == ()  # 80 columns: the title keeps the room
    assert len(column_pages(200)) == 1  # 200 columns: everything on one page …
    title = dict((c.key, w) for c, w in column_layout(199))["title"]
    assert title >= 80  # … and the title uses the room


async def test_an_80_column_ledger_shows_number_status_deadline_and_countdown(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SMALL) as pilot:
        table = await ready(pilot)
        await pilot.pause(0.1)
        lines = screen_lines(pilot.app)
        assert all(label in header(lines) for label in ("编号", "标题", "状态", "下一期限", "倒计时"))
        for case_id, number, status, milestone, due in cases_by_sql():
            line = line_of(lines, number)
            assert status in line and f"{milestone} {due}" in line
            row = next(r for r in table.rows if r.case_id == case_id)
            assert row.countdown in line  # 逾期8天, 还剩3天 …
            assert line.rstrip().endswith(row.countdown)  # nothing cut at the right edge
        assert "更多列" in lines[-1]  # the footer says ←/→ reach the other columns
        open_cases = database.obj.execute_sql('SELECT COUNT(*) FROM "case" WHERE closed_on IS NULL').fetchone()[0]
        summary = [line for line in lines[1:4] if "在办" in line or "本周催办" in line]
        assert any(f"在办 {open_cases} " in line for line in summary)
        assert any(re.search(r"本周催办 \d", line) for line in summary)  # the bar breaks between figures


async def test_arrows_bring_the_dropped_columns_into_view_and_back(desk):
    path, ids = desk
    actions.urge_division(ids["overdue"], OPERATOR, note="请抓紧办理")
    urges = database.obj.execute_sql('SELECT COUNT(*) FROM event WHERE case_id = ? AND kind = ?',
                                     (ids["overdue"], "催办")).fetchone()[0]
    division, followed = database.obj.execute_sql(
        'SELECT d.name, c.last_followup_on FROM "case" c JOIN division d ON d.id = c.division_id WHERE c.id = ?',
        (ids["overdue"],)).fetchone()
    number = database.obj.execute_sql('SELECT number FROM "case" WHERE id = ?', (ids["overdue"],)).fetchone()[0]
    async with DubanApp(operator=OPERATOR).run_test(size=SMALL) as pilot:
        table = await ready(pilot)
        await wait_for(pilot, lambda: next(r for r in table.rows if r.case_id == ids["overdue"]).urge_count == urges)
        labels: set[str] = set()
        shown: dict[str, str] = {}
        for _ in range(len(OPTIONAL) + 2):  # one press more than needed: the last page stays
            await pilot.pause(0.05)
            lines = screen_lines(pilot.app)
            top = header(lines)
            assert all(label in top for label in ("编号", "状态", "下一期限", "倒计时"))
            labels.update(c.label for c in COLUMNS if c.label in top)
            line = line_of(lines, number)
            for label in ("处室", "最近跟进", "催办"):
                if label in top.replace("处室看板", ""):
                    shown[label] = line
            await pilot.press("right")
        assert labels == {c.label for c in COLUMNS}
        assert division in shown["处室"]
        assert f"{followed[5:7]}-{followed[8:10]}" in shown["最近跟进"]
        assert f"{urges}次" in shown["催办"]
        assert table.column_page == len(column_pages(table.size.width)) - 1
        for _ in range(len(OPTIONAL) + 1):
            await pilot.press("left")
        assert table.column_page == 0
        assert "处室" not in header(screen_lines(pilot.app))


async def test_a_wide_terminal_shows_every_column_and_no_column_keys(desk):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.pause(0.1)
        lines = screen_lines(pilot.app)
        assert all(c.label in header(lines) for c in COLUMNS)
        assert "更多列" not in lines[-1]


async def test_an_80_column_ledger_filtered_to_nothing_keeps_its_header(desk):
    async with DubanApp(operator=OPERATOR).run_test(size=SMALL) as pilot:
        table = await ready(pilot)
        await pilot.press("slash", *"没有这样的件", "enter")
        await wait_for(pilot, lambda: len(table.rows) == 0)
        await pilot.pause(0.1)
        lines = screen_lines(pilot.app)
        assert all(label in header(lines) for label in ("编号", "标题", "状态", "下一期限", "倒计时"))
        assert any("没有符合“没有这样的件”的件" in line for line in lines)


async def test_an_empty_ledger_at_80_columns_shows_every_first_step(ledger):
    assert database.obj.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0] == 0
    async with DubanApp(operator=OPERATOR).run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen) and pilot.app.ledger.loaded)
        await pilot.pause(0.3)
        text = "\n".join(screen_lines(pilot.app))
        assert "还没有案件" in text
        for step in ("导入", "处室和人员", "工作日历", "届次与期限规则", "手工录入"):
            assert step in text
        for line in screen_lines(pilot.app):  # each step's words begin on its key's line (禁则,
            if line.strip() in ("○  c", "✓  c", "○  i", "○  p", "○  r", "○  n"):  # not at the last space)
                raise AssertionError(f"a step's key stands alone on its line:\n{text}")


def on_screen(widget, size: tuple[int, int]) -> bool:
    region = widget.region
    return region.height > 0 and Region(0, 0, *size).contains_region(region)


async def assert_frame_on_screen(pilot, size: tuple[int, int]) -> None:
    dialog = pilot.app.screen
    title, hint = dialog.query_one(".dialog-title"), dialog.query_one(".dialog-hint")
    assert on_screen(title, size) and on_screen(hint, size)
    assert on_screen(dialog.query_one(".dialog"), size)
    text = "\n".join(screen_lines(pilot.app))
    assert str(title.render()) in text and str(hint.render()) in text and "esc" in text


async def test_the_follow_up_dialog_keeps_its_title_and_save_keys_at_80x24(desk):
    path, ids = desk
    before = database.obj.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0]
    async with DubanApp(operator=OPERATOR).run_test(size=SMALL) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["soon"])
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        await pilot.pause(0.1)
        dialog = pilot.app.screen
        await assert_frame_on_screen(pilot, SMALL)
        assert "记录跟进" in "\n".join(screen_lines(pilot.app))
        # the last field scrolls into view under the fixed title, above the fixed hint
        await pilot.press("tab", *"查看进度", "tab", *"2020-01-01")
        await pilot.pause(0.1)
        box = dialog.query_one("#next")
        assert dialog.focused is box and on_screen(box, SMALL)
        assert box.region.y >= dialog.query_one(".dialog-head").region.bottom
        assert box.region.bottom <= dialog.query_one(".dialog-foot").region.y
        await assert_frame_on_screen(pilot, SMALL)
        await pilot.press("ctrl+s")  # a past date: refused, shown on screen, nothing written
        await wait_for(pilot, lambda: "已经过去" in str(dialog.query_one("#dialog-error").render()))
        await pilot.pause(0.1)
        assert on_screen(dialog.query_one("#dialog-error"), SMALL)
        assert any("已经过去" in line for line in screen_lines(pilot.app))
        await assert_frame_on_screen(pilot, SMALL)
        assert database.obj.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0] == before


@pytest.mark.parametrize("key", ["u", "n"])
async def test_ledger_dialogs_keep_their_title_and_save_keys_at_80x24(desk, key):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SMALL) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        await pilot.press(key)
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, LedgerScreen)
                       and bool(pilot.app.screen.query(".dialog-hint")))
        await pilot.pause(0.1)
        await assert_frame_on_screen(pilot, SMALL)


@pytest.mark.parametrize("key", ["r", "p", "c", "m"])
async def test_case_screen_dialogs_keep_their_title_and_save_keys_at_80x24(desk, key):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SMALL) as pilot:
        table = await ready(pilot)
        move_to_case(table, ids["overdue"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        await pilot.press(key)
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CaseScreen)
                       and bool(pilot.app.screen.query(".dialog-hint")))
        await pilot.pause(0.1)
        await assert_frame_on_screen(pilot, SMALL)
