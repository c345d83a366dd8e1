"""Pilot tests: the evaluation form (征询意见表) and 典型案例 from the case screen.

j sends the form (随答复 by default on the reply's day), J chases it, v records its return
with both answers (办理工作, 办理结果), y marks the case typical and takes the mark back. A
date the store refuses keeps the dialog open with every field. On the desk's ledger and on
an empty one with one case made by hand; every effect is read back with plain SQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from case_helpers import open_by_id as open_it, save as save_and_wait, shown, step as press_for
from desk_helpers import OPERATOR, SIZE, TODAY, wait_for

from store import actions, clock
from store.db import close_database, database, open_database
from tui.app import DubanApp
from tui.dialogs.chase_form import ChaseFormDialog
from tui.dialogs.evaluation import EvaluationDialog
from tui.dialogs.send_form import SendFormDialog
from tui.dialogs.typical import TypicalDialog
from tui.screens.case import CaseScreen

FORM_COLUMNS = "form_sent_on, form_sent_how, form_holder, form_due, form_urge_count, form_returned_on"


def sql(query: str, *params):
    return database.obj.execute_sql(query, params).fetchall()


def form_row(case_id: int):
    return sql(f'SELECT {FORM_COLUMNS} FROM "case" WHERE id = ?', case_id)[0]


def event_count(case_id: int, kind: str) -> int:
    return sql("SELECT COUNT(*) FROM event WHERE case_id = ? AND kind = ?", case_id, kind)[0][0]


def day_text(value) -> str:
    """A date column as SQLite holds it (text) or a driver returns it (date)."""
    return f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else str(value)[:10]


async def walk_the_form(pilot, case_id: int, *, holder: str) -> CaseScreen:
    """j → J → v on a case replied today, checking each effect; returns the case screen."""
    screen = await open_it(pilot, case_id)
    assert "未送出" in shown(screen, "#form")
    assert screen.check_action("step", ("form_chase",)) is None  # nothing out to chase yet

    dialog = await press_for(pilot, "j", SendFormDialog)
    assert dialog.query_one("#how").value == "随答复"  # sent the day of the reply
    assert dialog.query_one("#holder").value == holder  # the lead proposer holds it
    await save_and_wait(pilot, screen, "送征询表")
    sent_on, how, held_by, due, urged, returned = form_row(case_id)
    assert (day_text(sent_on), how, held_by, urged, returned) == (f"{TODAY:%Y-%m-%d}", "随答复", holder, 0, None)
    assert due is not None and day_text(due) > f"{TODAY:%Y-%m-%d}"
    form = shown(screen, "#form")
    assert f"收回期限　{day_text(due)}" in form and "待收回" in form and f"持表人 {holder}" in form
    assert screen.check_action("step", ("form_send",)) is None  # one form out at a time

    dialog = await press_for(pilot, "J", ChaseFormDialog)
    assert "待收回" in shown(dialog, "#facts")
    dialog.query_one("#note").value = "电话提醒尽快寄回"
    await save_and_wait(pilot, screen, "催收征询表")
    assert form_row(case_id)[4] == 1 and event_count(case_id, "催收征询表") == 1
    assert "已催收1次" in shown(screen, "#form")

    dialog = await press_for(pilot, "v", EvaluationDialog)
    dialog.query_one("#work").value = "满意"
    dialog.query_one("#evaluation").value = "基本满意"
    await save_and_wait(pilot, screen, "评价")
    assert sql('SELECT evaluation_work, evaluation, form_returned_on FROM "case" WHERE id = ?', case_id) == [
        ("满意", "基本满意", f"{TODAY:%Y-%m-%d}")]
    form = shown(screen, "#form")
    assert f"已收回（{TODAY:%Y-%m-%d}）" in form and "办理工作 满意　办理结果 基本满意" in form
    return screen


async def test_send_chase_and_return_the_form_then_mark_typical(desk):
    path, ids = desk
    case_id = ids["soon"]
    actions.reply(case_id, OPERATOR, on=TODAY, doc_no="深政数函〔2026〕50号", result_class="A", summary="已优化。")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await walk_the_form(pilot, case_id, holder="李秀英")

        # y: mark typical with a note; y again takes the mark back.
        assert not screen.query_one("#typical").display
        dialog = await press_for(pilot, "y", TypicalDialog)
        assert dialog.heading == "标为典型案例"
        dialog.query_one("#note").text = "一网通办体验改进，代表满意。"
        await save_and_wait(pilot, screen, "典型案例")
        assert sql('SELECT is_typical, typical_note FROM "case" WHERE id = ?', case_id) == [
            (1, "一网通办体验改进，代表满意。")]
        assert screen.query_one("#typical").display and "一网通办体验改进" in shown(screen, "#typical")
        dialog = await press_for(pilot, "y", TypicalDialog)
        assert dialog.heading == "取消典型案例"
        await save_and_wait(pilot, screen, "典型案例")
        assert sql('SELECT is_typical FROM "case" WHERE id = ?', case_id) == [(0,)]
        assert not screen.query_one("#typical").display
        assert event_count(case_id, "典型案例") == 2


async def test_a_form_dated_before_the_reply_is_refused_and_the_fields_stay(desk):
    path, ids = desk
    case_id = ids["soon"]
    replied = TODAY - dt.timedelta(days=5)
    actions.reply(case_id, OPERATOR, on=replied, doc_no="深政数函〔2026〕51号", result_class="A")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_it(pilot, case_id)
        dialog = await press_for(pilot, "j", SendFormDialog)
        assert dialog.query_one("#how").is_blank()  # not the reply's day: the user chooses
        dialog.query_one("#on").value = f"{replied:%Y-%m-%d}"
        await pilot.pause(0.1)
        assert dialog.query_one("#how").value == "随答复"  # typed as the reply's day
        dialog.query_one("#how").value = "当面送达"
        dialog.query_one("#holder").value = "代表联络员"
        dialog.query_one("#on").value = f"{replied - dt.timedelta(days=1):%Y-%m-%d}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "答复" in shown(dialog, "#dialog-error"))
        assert pilot.app.screen is dialog and dialog.query_one("#on").has_class("-invalid")
        assert (dialog.query_one("#how").value, dialog.query_one("#holder").value) == ("当面送达", "代表联络员")
        assert form_row(case_id)[0] is None and event_count(case_id, "送征询表") == 0
        dialog.query_one("#on").value = f"{replied:%Y-%m-%d}"
        await save_and_wait(pilot, screen, "送征询表")
        assert form_row(case_id)[:3] == (f"{replied:%Y-%m-%d}", "当面送达", "代表联络员")


@pytest.fixture
def one_case(tmp_path):
    """An empty ledger, then one 主办 case made by hand (no co-units), replied today."""
    open_database(tmp_path / "empty.db")
    clock.fix_today(TODAY)
    session = actions.ensure_session("市政协七届五次会议", body="政协", year=2026)
    proposer = actions.ensure_proposer("陈委员")
    case_id = actions.create_case(OPERATOR, session=session, number="20260301", title="关于推进数字政府建设的提案",
                                  role="主办", assigned_on=TODAY - dt.timedelta(days=30),
                                  lead_proposer=proposer).case_id
    actions.sign_for(case_id, OPERATOR, on=TODAY - dt.timedelta(days=28))
    actions.reply(case_id, OPERATOR, on=TODAY, doc_no="深政数函〔2026〕60号", result_class="B")
    yield case_id
    clock.fix_today(None)
    close_database()


async def test_on_an_empty_ledger_the_form_goes_out_and_comes_back(one_case):
    case_id = one_case
    assert sql('SELECT COUNT(*) FROM "case"') == [(1,)]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await walk_the_form(pilot, case_id, holder="陈委员")
        assert not screen.query_one("#units").display  # no co-unit: no 会办单位 section
        assert screen.check_action("step", ("unit_opinion",)) is False  # not offered without co-units


def test_a_form_not_back_is_amber_on_the_ledger_never_the_red_of_overdue(desk):
    from store.queries import ledger_rows
    from tui.widgets.ledger_table import countdown_state

    late = next(row for row in ledger_rows(today=TODAY) if row.overdue)
    assert countdown_state(late) == "overdue"
    assert countdown_state(late._replace(awaiting_proposer=True)) == "soon"
