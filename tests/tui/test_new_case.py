"""Pilot tests: a case entered by hand from the ledger (`n`), corrected on the case screen
(`m` 修改) and its reply put right (`M` 更正) — each checked in the database."""

from __future__ import annotations

import datetime as dt

from case_helpers import open_case
from desk_helpers import OPERATOR, SIZE, TODAY, wait_for

from store import actions, clock
from store.db import close_database, database, open_database
from store.models import Case, Event
from tui.app import DubanApp
from tui.dialogs.correct_case import CorrectCaseDialog
from tui.dialogs.correction import CorrectionDialog
from tui.dialogs.new_case import NewCaseDialog
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.ledger_table import LedgerTable

import pytest


@pytest.fixture
def one_session(tmp_path):
    """An empty ledger with one 人大 session (交办 2026-11-20); the office's date fixed."""
    open_database(tmp_path / "empty.db")
    clock.fix_today(TODAY)
    session = actions.ensure_session("市七届人大五次会议", body="人大", year=2026, assigned_on=dt.date(2026, 11, 20))
    yield session.id
    clock.fix_today(None)
    close_database()


def sql(query: str, *params):
    return database.obj.execute_sql(query, params).fetchall()


async def type_into(pilot, selector: str, text: str) -> None:
    await pilot.click(selector)
    await pilot.press(*text)


async def choose(pilot, selector: str, downs: int) -> None:
    """Pick an option of a Select by keys: focus it, open it, move down, enter."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.press("enter")
    await pilot.pause(0.1)
    await pilot.press(*(["down"] * downs), "enter")
    await pilot.pause(0.1)


async def open_form(pilot) -> NewCaseDialog:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
    await pilot.pause(0.1)
    return app.screen


async def fill(pilot, number: str, role_downs: int, lead_unit: str) -> None:
    await pilot.press(*number)  # the cursor starts in 编号
    await type_into(pilot, "#title", "关于闭会期间数据共享的建议")
    await type_into(pilot, "#proposer_name", "陈红")
    await type_into(pilot, "#proposer_group", "福田代表团")
    await type_into(pilot, "#cosigners", "李明,赵强")  # the pilot cannot press 、 (a real terminal can)
    await choose(pilot, "#role", role_downs)
    if lead_unit:
        await type_into(pilot, "#lead_unit", lead_unit)


async def test_a_case_entered_by_keys_is_stored_and_shown(one_session):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        assert dialog.query_one("#assigned_on").value == "2026-11-20"  # the session's date of 交办
        assert dialog.query_one("#kind").value == "建议"
        await fill(pilot, "20261001", 1, "市政务服务数据管理局")
        assert dialog.query_one("#role").value == "主办"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        rows = sql('SELECT number, kind, title, role, assigned_on, cosigners, status FROM "case"')
        assert rows == [("20261001", "建议", "关于闭会期间数据共享的建议", "主办", "2026-11-20", '["李明", "赵强"]', "待签收")]
        assert sql('SELECT name, kind, "group" FROM proposer') == [("陈红", "代表", "福田代表团")]
        assert sql("SELECT kind, operator FROM event") == [("交办", OPERATOR)]
        table = pilot.app.screen.query_one(LedgerTable)
        await wait_for(pilot, lambda: table.current_row is not None and table.current_row.number == "20261001")


async def test_a_refusal_keeps_the_dialog_and_every_typed_value(one_session):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        await fill(pilot, "20261002", 4, "")  # 汇办 without its lead unit
        assert dialog.query_one("#role").value == "汇办"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "汇办件须填写主办单位" in str(dialog.query_one("#dialog-error").render()))
        assert pilot.app.screen is dialog
        assert dialog.query_one("#title").value == "关于闭会期间数据共享的建议"
        assert dialog.query_one("#number").value == "20261002"
        assert pilot.app.focused is dialog.query_one("#lead_unit")
        assert sql('SELECT COUNT(*) FROM "case"') == [(0,)] and sql("SELECT COUNT(*) FROM event") == [(0,)]
        assert sql("SELECT COUNT(*) FROM proposer") == [(0,)]
        await pilot.press(*"市发展改革委", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert sql('SELECT role, lead_unit FROM "case"') == [("汇办", "市发展改革委")]


async def test_without_a_session_the_key_says_where_to_start(tmp_path):
    open_database(tmp_path / "bare.db")
    try:
        async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: pilot.app.ledger.loaded)
            await pilot.press("n")
            await pilot.pause(0.3)
            assert not isinstance(pilot.app.screen, NewCaseDialog)
            assert any("届次规则" in str(n.message) for n in pilot.app._notifications)
    finally:
        close_database()


async def test_m_corrects_the_title_as_one_event(desk):
    path, ids = desk
    case_id = ids["soon"]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CorrectCaseDialog))
        dialog = pilot.app.screen
        title = dialog.query_one("#title")
        assert title.value == "关于优化一网通办服务体验的建议"
        assert pilot.app.focused is title
        await pilot.press("end", *"修订稿", "ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen and screen.card.timeline[0].kind == "修改")
        event = Event.select().where(Event.case == case_id).order_by(Event.id.desc()).first()
        assert event.data == {"before": {"title": "关于优化一网通办服务体验的建议"},
                              "after": {"title": "关于优化一网通办服务体验的建议修订稿"}}
        assert sql('SELECT title FROM "case" WHERE id = ?', case_id) == [("关于优化一网通办服务体验的建议修订稿",)]
        assert "标题 关于优化一网通办服务体验的建议→关于优化一网通办服务体验的建议修订稿" in \
            str(screen.query_one("#timeline").render())


async def test_capital_m_corrects_the_result_class(desk):
    path, ids = desk
    case_id = ids["overdue"]
    actions.reply(case_id, OPERATOR, on=TODAY - dt.timedelta(days=3), doc_no="深政数函〔2026〕31号", result_class="A")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CorrectionDialog))
        dialog = pilot.app.screen
        await pilot.press("ctrl+s")  # no reason yet
        await wait_for(pilot, lambda: "更正理由" in str(dialog.query_one("#dialog-error").render()))
        await choose(pilot, "#result_class", 1)
        assert dialog.query_one("#result_class").value == "B"
        await type_into(pilot, "#reason", "类别录错")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen and screen.card.timeline[0].kind == "更正")
        assert sql('SELECT result_class FROM "case" WHERE id = ?', case_id) == [("B",)]
        assert sql("SELECT COUNT(*) FROM event WHERE case_id = ? AND kind = '更正'", case_id) == [(1,)]
        assert [e.kind for e in screen.card.timeline[:2]] == ["更正", "答复"]
        assert "答复类别 A→B" in str(screen.query_one("#timeline").render())
        assert Case.get_by_id(case_id).review_due is not None


async def test_a_title_with_control_characters_survives_a_correction_of_another_field(desk):
    path, ids = desk
    case_id = ids["soon"]
    hostile = "关于\x1b]2;pwned\x07[/]的建议"
    actions.edit_case(case_id, OPERATOR, title=hostile)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CorrectCaseDialog))
        dialog = pilot.app.screen
        title = dialog.query_one("#title")  # the stored text itself, drawn through the gate
        assert title.value == hostile and "␛" in "".join(s.text for s in title.render_line(0))
        await type_into(pilot, "#topic", "数字政府")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen and screen.card.timeline[0].kind == "修改")
        assert sql('SELECT title, topic FROM "case" WHERE id = ?', case_id) == [(hostile, "数字政府")]
        last = Event.select().where(Event.case == case_id).order_by(Event.id.desc()).first()
        assert last.data["after"] == {"topic": "数字政府"}
