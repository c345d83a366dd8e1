"""Pilot tests of a ledger that starts from nothing: the first-run guide and the operator's name."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desk_helpers import SIZE, wait_for

from store import actions, clock
from store.db import close_database, database, open_database
from store.first_run import setup_progress
from tui.app import DubanApp
from tui.dialogs.operator import OperatorDialog
from tui.screens.ledger import LedgerScreen
from tui.widgets.first_run import FirstRunGuide
from tui.widgets.ledger_table import LedgerTable

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def empty(tmp_path, monkeypatch):
    """A new, empty ledger file; the config folder inside tmp_path; the office's date fixed."""
    monkeypatch.setenv("DUBAN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("DUBAN_OPERATOR", raising=False)
    path = tmp_path / "新台账.db"
    open_database(path)
    clock.fix_today(TODAY)
    yield path
    clock.fix_today(None)
    close_database()


def guide_text(app) -> str:
    return str(app.screen.query_one(FirstRunGuide).render())


async def test_an_empty_ledger_shows_the_first_run_steps_not_an_empty_table(empty):
    async with DubanApp(operator="张三", target=str(empty), refresh_seconds=0.1).run_test(size=SIZE) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded)
        await wait_for(pilot, lambda: "台账文件" in guide_text(app) and "○  i" in guide_text(app))
        guide = app.screen.query_one(FirstRunGuide)
        assert guide.display and not app.screen.query_one(LedgerTable).display
        text = guide_text(app)
        for key in ("i", "p", "c", "r", "n"):
            assert f"  {key}  " in text
        assert "还没有案件" in text and str(empty) in text
        assert "操作人：张三" in app.title
        # a case arrives (here from another workstation's write): the table replaces the guide
        session = actions.ensure_session("市七届人大五次会议", body="人大", year=2026, assigned_on=TODAY)
        actions.create_case("李四", session=session, number="20260001", title="关于甲的建议", role="主办",
                            assigned_on=TODAY)
        await wait_for(pilot, lambda: len(app.screen.query_one(LedgerTable).rows) == 1)
        await wait_for(pilot, lambda: not guide.display)
        assert app.screen.query_one(LedgerTable).display


def test_setup_progress_counts_what_a_new_ledger_holds(empty):
    first = setup_progress(dt.date(2039, 5, 1))  # a year whose notice nobody has yet
    assert (first.cases, first.sessions, first.divisions, first.people) == (0, 0, 0, 0)
    assert (first.year, first.calendar_known, first.next_year_known) == (2039, False, False)
    assert setup_progress(dt.date(2023, 5, 1)).calendar_known  # 2023's notice is in `holidays`
    division = actions.ensure_division("数据资源处")
    actions.ensure_person("周敏", division=division, title="经办人")
    actions.ensure_session("市七届人大五次会议", body="人大", year=2026)
    counts = database.obj.execute_sql(
        "SELECT (SELECT count(*) FROM session), (SELECT count(*) FROM division), (SELECT count(*) FROM person)"
    ).fetchone()
    progress = setup_progress(dt.date(2030, 3, 1))
    assert (progress.sessions, progress.divisions, progress.people) == counts == (1, 1, 1)
    assert progress.cases == 0 and progress.empty
    assert progress.calendar_known is False  # nobody knows 2030's notice yet


async def test_the_desk_asks_for_the_operator_once_and_remembers_it(empty, tmp_path):
    settings = tmp_path / "config" / "settings.json"
    async with DubanApp(operator=None, target=str(empty)).run_test(size=SIZE) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, OperatorDialog))
        assert "未填写" in app.title
        await pilot.press("enter")  # an empty name is refused, the dialog stays
        await pilot.pause(0.2)
        assert isinstance(app.screen, OperatorDialog)
        assert "请填写操作人" in str(app.screen.query_one("#dialog-error").render())
        await pilot.press(*"王小明", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        assert app.operator == "王小明" and "操作人：王小明" in app.title
    assert json.loads(settings.read_text(encoding="utf-8"))["operator"] == "王小明"

    from tui.settings import remembered_operator

    assert remembered_operator() == "王小明"


async def test_esc_at_the_operator_question_leaves_the_desk_writing_nothing(empty, tmp_path):
    async with DubanApp(operator=None, target=str(empty)).run_test(size=SIZE) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, OperatorDialog))
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.return_code == 0
    assert not (tmp_path / "config" / "settings.json").exists()
