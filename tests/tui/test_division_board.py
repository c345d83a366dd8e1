"""Pilot tests: the division board (d), its drill-down, the bulk urge and the urge notice."""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, events, ready, wait_for
from textual.widgets import DataTable

import tui.screens.notice as notice_screen
from store.models import Case
from tui.app import DubanApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.divisions import DivisionBoardScreen
from tui.screens.ledger import LedgerScreen
from tui.screens.notice import NoticeScreen


async def open_board(pilot) -> DivisionBoardScreen:
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionBoardScreen) and pilot.app.screen.loads)
    return pilot.app.screen


def row_of(board: DivisionBoardScreen, name: str) -> int:
    return next(i for i, load in enumerate(board.loads) if load.division == name)


async def test_board_counts_each_division_and_drills_into_its_cases(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        board = await open_board(pilot)
        by_name = {load.division: load for load in board.loads}
        data, service = by_name["数据资源处"], by_name["政务服务处"]
        assert (data.open_cases, data.overdue, data.due_within_7, data.stale) == (1, 1, 0, 1)
        assert (service.open_cases, service.overdue, service.due_within_7, service.stale) == (1, 0, 1, 1)
        assert set(data.to_urge) == {ids["overdue"]} and set(service.to_urge) == {ids["soon"]}
        grid = board.query_one(DataTable)
        assert grid.row_count == len(board.loads)
        grid.move_cursor(row=row_of(board, "数据资源处"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert [r.case_id for r in table.rows] == [ids["overdue"]]
        await pilot.press("escape")  # clears the division scope
        await wait_for(pilot, lambda: len(table.rows) == 3)


async def test_u_on_a_division_urges_all_its_overdue_and_stale_cases_then_shows_the_notice(desk, tmp_path,
                                                                                          monkeypatch):
    path, ids = desk
    monkeypatch.setattr(notice_screen, "notice_folder", lambda: tmp_path / "notices")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        board = await open_board(pilot)
        board.query_one(DataTable).move_cursor(row=row_of(board, "数据资源处"))
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("escape")  # esc: no urge
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionBoardScreen))
        assert events(ids["overdue"], "催办") == []
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NoticeScreen))
        urges = events(ids["overdue"], "催办")
        assert len(urges) == 1 and urges[0].level == 1
        assert urges[0].target_division_id == Case.get_by_id(ids["overdue"]).division_id
        assert events(ids["soon"], "催办") == []  # another division's case
        notice = pilot.app.screen.notice
        assert "数据资源处" in notice.text and "第20260101号" in notice.text and OPERATOR in notice.text
        assert "逾期" in notice.text
        shown = str(pilot.app.screen.query_one("#notice-text").render())
        assert "第20260101号" in shown
        await pilot.press("c")
        assert pilot.app.clipboard == notice.text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: (tmp_path / "notices").exists() and any((tmp_path / "notices").glob("*.docx")))
        saved = next((tmp_path / "notices").glob("*.txt"))
        assert saved.name.startswith("催办通知-数据资源处-")
        assert "第20260101号" in saved.read_text(encoding="utf-8-sig")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionBoardScreen))
        await wait_for(pilot, lambda: board.loads[row_of(board, "数据资源处")].unanswered_urges == 0)


async def test_n_shows_the_notice_without_urging(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        board = await open_board(pilot)
        board.query_one(DataTable).move_cursor(row=row_of(board, "政务服务处"))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NoticeScreen))
        assert "第20260102号" in pilot.app.screen.notice.text
        assert events(ids["soon"], "催办") == []
