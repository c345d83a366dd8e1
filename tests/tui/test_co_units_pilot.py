"""Pilot tests: the co-units of a case from the case screen (i 单位意见, U 单位催办, r with 会签).

A 主办 case with two co-units: chase one (U), record an opinion (i), reply with 会签 while one
opinion is out — refused without the reason (the dialog stays, every field kept), saved with
it — then the screen's 会办单位 section and the ledger's 单位进度. A 分办 case on an empty
ledger: i notes the other unit's own reply. Every effect is read back with plain SQL.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from case_helpers import open_by_id as open_it, save as save_and_wait, shown, step as press_for
from desk_helpers import OPERATOR, SIZE, TODAY, wait_for

from store import actions, clock
from store.db import close_database, database, open_database
from store.models import Session
from store.rules import add_months
from tui.app import DubanApp
from tui.dialogs.reply import ReplyDialog
from tui.dialogs.unit_opinion import UnitOpinionDialog
from tui.dialogs.unit_urge import UnitUrgeDialog
from tui.screens.case import CaseScreen
from tui.text import visible
from tui.widgets.ledger_table import LedgerTable, cell_texts

POLICE, TRANSPORT = "市公安局", "市交通运输局"


def sql(query: str, *params):
    return database.obj.execute_sql(query, params).fetchall()


def progress(case_id: int) -> dict:
    (raw,), = sql('SELECT unit_progress FROM "case" WHERE id = ?', case_id)
    return json.loads(raw) if isinstance(raw, str) else (raw or {})


def event_count(case_id: int, kind: str) -> int:
    return sql("SELECT COUNT(*) FROM event WHERE case_id = ? AND kind = ?", case_id, kind)[0][0]


def co_unit_case(session, *, role: str = "主办", units=(POLICE, TRANSPORT), number: str = "20260104",
                 days_ago: int = 40) -> int:
    """A signed case with co-units, made through the store as the office would."""
    assigned = TODAY - dt.timedelta(days=days_ago)
    case_id = actions.create_case(OPERATOR, session=session, number=number, title="关于完善智慧交通数据共享的建议",
                                  role=role, assigned_on=assigned, lead_unit="市政务服务数据管理局",
                                  co_units=list(units)).case_id
    actions.sign_for(case_id, OPERATOR, on=assigned + dt.timedelta(days=2))
    return case_id


async def test_chase_a_unit_record_an_opinion_and_reply_early_with_countersign(desk):
    path, ids = desk
    session = Session.get().id
    case_id = co_unit_case(session)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_it(pilot, case_id)
        assert "汇办意见 0/2" in shown(screen, "#units-title")
        units = shown(screen, "#units")
        due = add_months(TODAY - dt.timedelta(days=40), 1)  # 交办 + 1 month (unit_opinion_months)
        assert due < TODAY
        assert f"{POLICE}　逾期未报　期限 {due:%Y-%m-%d}" in units and f"{TRANSPORT}　逾期未报" in units
        assert screen.check_action("step", ("unit_urge",)) is True

        # U: chase 市交通运输局 (the first out is offered; the user picks the other one).
        dialog = await press_for(pilot, "U", UnitUrgeDialog)
        assert dialog.query_one("#unit").value == POLICE
        dialog.query_one("#unit").value = TRANSPORT
        dialog.query_one("#note").value = "请于本周内报送会办意见"
        await save_and_wait(pilot, screen, "单位催办")
        assert event_count(case_id, "单位催办") == 1
        assert progress(case_id)[TRANSPORT]["urged"] == 1
        assert sql('SELECT urge_count FROM "case" WHERE id = ?', case_id)[0][0] == 0  # not the division's 催办
        assert "催办1次" in shown(screen, "#units")
        assert TRANSPORT in shown(screen, "#timeline")  # the timeline names the unit

        # i: 市公安局's opinion.
        dialog = await press_for(pilot, "i", UnitOpinionDialog)
        assert dialog.query_one("#unit").value == POLICE
        assert not dialog.query("#doc_no")  # a 主办 case: an opinion, not a reply
        dialog.query_one("#summary").text = "同意开放路况数据接口。"
        await save_and_wait(pilot, screen, "单位意见")
        assert progress(case_id)[POLICE]["received_on"] == f"{TODAY:%Y-%m-%d}"
        assert sql('SELECT units_expected, units_received FROM "case" WHERE id = ?', case_id) == [(2, 1)]
        assert "汇办意见 1/2" in shown(screen, "#units-title")
        assert f"{POLICE}　逾期收到" in shown(screen, "#units") and "同意开放路况数据接口" in shown(screen, "#units")

        # r: 会签 by 市公安局, no reason while 市交通运输局's opinion is out — refused, all kept.
        dialog = await press_for(pilot, "r", ReplyDialog)
        assert dialog.query("#early_reason")
        dialog.query_one("#doc_no").value = "深政数函〔2026〕40号"
        dialog.query_one("#result_class").value = "A"
        dialog.query_one("#summary").text = "已开放路况数据。"
        dialog.query_one("#countersigned").select(POLICE)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: TRANSPORT in shown(dialog, "#dialog-error"))
        assert pilot.app.screen is dialog
        assert dialog.query_one("#early_reason").has_class("-invalid")
        assert dialog.query_one("#doc_no").value == "深政数函〔2026〕40号"
        assert dialog.query_one("#summary").text == "已开放路况数据。"
        assert list(dialog.query_one("#countersigned").selected) == [POLICE]
        assert event_count(case_id, "答复") == 0
        dialog.query_one("#early_reason").value = "交通局逾期未报，经局领导同意先行答复"
        await save_and_wait(pilot, screen, "答复")
        assert sql('SELECT status, reply_early_reason FROM "case" WHERE id = ?', case_id) == [
            ("已答复", "交通局逾期未报，经局领导同意先行答复")]
        assert progress(case_id)[POLICE]["signed_off_on"] == f"{TODAY:%Y-%m-%d}"
        assert "signed_off_on" not in progress(case_id)[TRANSPORT]
        units = shown(screen, "#units")
        assert f"会签 {TODAY:%Y-%m-%d}" in units and "提前答复理由" in units and "先行答复" in units

        # Replied: the ledger's 状态 is 已答复 again, though one opinion never came.
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CaseScreen))
        table = pilot.app.screen.query_one(LedgerTable)
        await wait_for(pilot, lambda: any(r.case_id == case_id and r.status == "已答复" for r in table.rows))
        row = next(r for r in table.rows if r.case_id == case_id)
        assert (row.units_progress, cell_texts(row)["status"]) == ("汇办意见 1/2", "已答复")


async def test_the_ledger_shows_the_co_units_progress_while_in_hand(desk):
    path, ids = desk
    session = Session.get().id
    case_id = co_unit_case(session, days_ago=20)
    actions.record_unit_opinion(case_id, OPERATOR, unit=TRANSPORT, summary="同意。")
    three = co_unit_case(session, number="20260105", units=(POLICE, TRANSPORT, "市住房和建设局"))
    done = co_unit_case(session, number="20260106")
    for unit in (POLICE, TRANSPORT):
        actions.record_unit_opinion(done, OPERATOR, unit=unit, summary="同意。")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.ledger.loaded)
        table = pilot.app.screen.query_one(LedgerTable)
        await wait_for(pilot, lambda: len(table.rows) == 6)
        counts = {i: (e, r) for i, e, r in sql('SELECT id, units_expected, units_received FROM "case"')}
        assert (counts[case_id], counts[three], counts[done]) == ((2, 1), (3, 0), (2, 2))
        texts = {row.case_id: cell_texts(row)["status"] for row in table.rows}
        assert (texts[case_id], texts[three]) == ("汇办 1/2", "汇办 0/3")
        assert texts[done] == texts[ids["soon"]] == "办理中"  # all in, or no co-unit: the status as before
        drawn = "\n".join(strip.text for strip in (table.render_line(y) for y in range(table.size.height)))
        assert "汇办 1/2" in drawn and "汇办 0/3" in drawn


async def test_both_opinions_in_the_reply_needs_no_reason(desk):
    path, ids = desk
    case_id = co_unit_case(Session.get().id, days_ago=20)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_it(pilot, case_id)
        assert shown(screen, "#units").count("待报送") == 2  # due 交办 + 1 month: not yet
        for unit in (POLICE, TRANSPORT):
            dialog = await press_for(pilot, "i", UnitOpinionDialog)
            assert dialog.query_one("#unit").value == unit  # the one still out comes first
            dialog.query_one("#summary").text = f"{unit}同意。"
            await save_and_wait(pilot, screen, "单位意见")
        assert sql('SELECT units_received FROM "case" WHERE id = ?', case_id) == [(2,)]
        assert shown(screen, "#units").count("已收到") == 2
        assert screen.check_action("step", ("unit_urge",)) is None  # nothing left to chase: dimmed
        dialog = await press_for(pilot, "r", ReplyDialog)
        assert not dialog.query("#early_reason")
        dialog.query_one("#doc_no").value = "深政数函〔2026〕41号"
        dialog.query_one("#result_class").value = "A"
        dialog.query_one("#countersigned").select_all()
        await save_and_wait(pilot, screen, "答复")
        stored = progress(case_id)
        assert stored[POLICE]["signed_off_on"] == stored[TRANSPORT]["signed_off_on"] == f"{TODAY:%Y-%m-%d}"
        assert sql('SELECT reply_early_reason FROM "case" WHERE id = ?', case_id) == [("",)]


async def test_a_date_before_signing_is_refused_in_the_dialog(desk):
    path, ids = desk
    case_id = co_unit_case(Session.get().id, days_ago=10)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_it(pilot, case_id)
        dialog = await press_for(pilot, "i", UnitOpinionDialog)
        dialog.query_one("#summary").text = "同意。"
        dialog.query_one("#on").value = f"{TODAY - dt.timedelta(days=9):%Y-%m-%d}"  # after 交办, before 签收
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "签收" in shown(dialog, "#dialog-error"))
        assert pilot.app.screen is dialog and dialog.query_one("#on").has_class("-invalid")
        assert dialog.query_one("#summary").text == "同意。"
        assert event_count(case_id, "单位意见") == 0
        await pilot.press("escape")
        assert pilot.app.screen is screen


@pytest.fixture
def empty_ledger(tmp_path):
    """An empty ledger: one session and one 分办 case with one other unit, made by hand."""
    open_database(tmp_path / "empty.db")
    clock.fix_today(TODAY)
    session = actions.ensure_session("市七届人大五次会议", body="人大", year=2026)
    yield co_unit_case(session, role="分办", units=("市教育局",), number="20260201", days_ago=20)
    clock.fix_today(None)
    close_database()


async def test_on_an_empty_ledger_a_split_case_notes_the_other_units_reply(empty_ledger):
    case_id = empty_ledger
    assert sql('SELECT COUNT(*) FROM "case"') == [(1,)]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_it(pilot, case_id)
        assert "分办单位" in shown(screen, "#units-title") and "分办答复 0/1" in shown(screen, "#units-title")
        assert "本局承办部分" in shown(screen, "#units") and "未答复" in shown(screen, "#units")
        assert screen.check_action("step", ("unit_urge",)) is False  # not offered on a 分办 case
        dialog = await press_for(pilot, "i", UnitOpinionDialog)
        assert dialog.heading == "登记分办单位答复"
        dialog.query_one("#doc_no").value = "深教函〔2026〕8号"
        dialog.query_one("#summary").text = "教育局就其承办部分答复代表。"
        await save_and_wait(pilot, screen, "分办答复")
        entry = progress(case_id)["市教育局"]
        assert (entry["replied_on"], entry["doc_no"]) == (f"{TODAY:%Y-%m-%d}", "深教函〔2026〕8号")
        assert event_count(case_id, "分办答复") == 1 and event_count(case_id, "单位意见") == 0
        assert "已答复" in shown(screen, "#units") and "深教函〔2026〕8号" in shown(screen, "#units")
        assert "分办答复 1/1" in shown(screen, "#units-title")
        assert "市教育局" in shown(screen, "#timeline")


HOSTILE = "[/] [red]x [@click=app.quit]q \x1b[2J \x9b31m"


async def test_hostile_unit_names_and_opinions_are_shown_as_typed_and_saved_as_typed(desk):
    path, ids = desk
    unit = HOSTILE + "局"
    case_id = co_unit_case(Session.get().id, units=(unit, POLICE), days_ago=20)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_it(pilot, case_id)
        dialog = await press_for(pilot, "i", UnitOpinionDialog)
        assert dialog.query_one("#unit").value == unit
        drawn = "".join(str(w.render()) for w in dialog.query_one("#unit").query("SelectCurrent Static"))
        assert visible(unit) in drawn and "\x1b" not in drawn and "\x9b" not in drawn
        dialog.query_one("#summary").text = HOSTILE
        await save_and_wait(pilot, screen, "单位意见")
        assert progress(case_id)[unit]["summary"] == HOSTILE  # kept exactly as typed
        for selector in ("#units", "#timeline"):
            text = shown(screen, selector)
            assert visible(unit) in text and "\x1b" not in text and "\x9b" not in text
        dialog = await press_for(pilot, "r", ReplyDialog)
        listed = str(dialog.query_one("#countersigned").get_option_at_index(0).prompt)
        assert visible(unit) in listed and "\x1b" not in listed
        assert POLICE in str(dialog.query_one("#early-facts").render())
        assert pilot.app.is_running


async def test_the_keys_panel_lists_the_new_steps_with_their_keys(desk):
    import io

    from rich.console import Console

    from tui.widgets.help_panel import DeskBindingsTable

    path, ids = desk
    case_id = co_unit_case(Session.get().id)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await open_it(pilot, case_id)
        pilot.app.action_show_help_panel()
        await wait_for(pilot, lambda: pilot.app.screen.query(DeskBindingsTable))
        await pilot.pause(0.2)
        console = Console(record=True, width=200, file=io.StringIO())
        console.print(pilot.app.screen.query_one(DeskBindingsTable).render_bindings_table())
        lines = console.export_text().splitlines()
        for key, label in (("i", "单位意见"), ("U", "单位催办"), ("j", "送征询表"), ("J", "催收征询表"), ("y", "典型案例")):
            assert any(line.split()[:2] == [key, label] for line in lines if line.split()), (key, label)
