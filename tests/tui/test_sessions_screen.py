"""Pilot tests: the sessions screen (r) — a session created by keys on an empty ledger, a rule
changed by keys, and the ledger row's deadline following at once."""

from __future__ import annotations

import datetime as dt
import json

from desk_helpers import OPERATOR, SIZE, ready, wait_for
from textual.widgets import DataTable, Input, Static

from store import clock
from store.db import database
from store.rules import RULE_LABELS
from tui.app import DubanApp
from tui.dialogs.new_session import NewSessionDialog
from tui.dialogs.rename_session import RenameSessionDialog
from tui.dialogs.session_rule import SessionRuleDialog
from tui.screens.ledger import LedgerScreen
from tui.screens.sessions import SessionsScreen
from tui.widgets.ledger_table import LedgerTable


def sql(query: str, *params):
    return database.obj.execute_sql(query, params).fetchall()


async def open_sessions(pilot) -> SessionsScreen:
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen) and pilot.app.screen.loaded)
    return pilot.app.screen


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch)


def help_text(screen: SessionsScreen) -> str:
    return str(screen.query_one("#sessions-help", Static).render())


async def test_on_an_empty_ledger_r_guides_to_n_and_n_creates_a_session_by_keys(ledger):
    clock.fix_today(dt.date(2027, 1, 10))
    try:
        async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen) and pilot.app.ledger.loaded)
            screen = await open_sessions(pilot)
            assert "按 n 新建届次" in help_text(screen)
            await pilot.press("m")  # no session yet: a message, no dialog
            await pilot.pause()
            assert isinstance(pilot.app.screen, SessionsScreen)
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewSessionDialog))
            await type_text(pilot, "市政协八届一次会议")
            await pilot.press("ctrl+s")  # body is still 人大: refused, the dialog keeps what was typed
            await wait_for(pilot, lambda: "机构却是人大" in str(pilot.app.screen.query_one("#dialog-error").render()))
            assert pilot.app.screen.query_one("#name", Input).value == "市政协八届一次会议"
            assert sql("SELECT COUNT(*) FROM session") == [(0,)]
            assert pilot.app.focused.id == "body"  # the refusal marks the field it is about
            await pilot.press("enter")
            await pilot.pause(0.2)
            await pilot.press("down")
            await pilot.pause(0.2)
            await pilot.press("enter")  # 政协
            await wait_for(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.id == "body")
            await pilot.press("tab", "tab", "tab")  # 年份 → 名称 → 交办日期
            await type_text(pilot, "2027-01-20")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen) and screen.view is not None)
            assert sql("SELECT name, body, year, assigned_on FROM session") == [
                ("市政协八届一次会议", "政协", 2027, "2027-01-20")]
            assert sql("SELECT operator, area, action FROM change_record") == [(OPERATOR, "届次", "新增")]
            assert screen.query_one("#sessions", DataTable).row_count == 1
            assert screen.query_one("#rules", DataTable).row_count == len(RULE_LABELS)
            assert [s.name for s in pilot.app.ledger.sessions] == ["市政协八届一次会议"]
    finally:
        clock.fix_today(None)


async def test_a_rule_changed_by_keys_moves_the_ledger_rows_deadline(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        row = next(r for r in table.rows if r.case_id == ids["soon"])
        # 交办 2026-08-31 (88 days before 11-27): reply due 3 months later, 2026-11-30.
        assert row.next_due == dt.date(2026, 11, 30)
        screen = await open_sessions(pilot)
        rules = screen.query_one("#rules", DataTable)
        rules.move_cursor(row=1)  # 答复期限
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionRuleDialog))
        await pilot.press("backspace", "4")
        await pilot.press("tab")
        await type_text(pilot, "按通知")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen)
                       and screen.view.rule("reply_months").value == 4)
        assert json.loads(sql("SELECT rules FROM session")[0][0]) == {"reply_months": 4}
        note, operator, data = sql("SELECT note, operator, data FROM change_record")[-1]
        assert (note, operator, json.loads(data)["after"]) == ("按通知", OPERATOR, {"reply_months": 4})
        moved = sql('SELECT next_due FROM "case" WHERE id = ?', ids["soon"])
        assert moved == [("2026-12-31",)]
        assert "已修改" in str(rules.get_row_at(1)[4])
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        table = pilot.app.screen.query_one(LedgerTable)
        row = next(r for r in table.rows if r.case_id == ids["soon"])
        assert row.next_due == dt.date(2026, 12, 31)


async def test_d_restores_the_default_and_e_renames(desk):
    path, ids = desk
    session_id = sql("SELECT id FROM session")[0][0]
    from store import session_rules

    session_rules.set_session_rules(OPERATOR, session_id, {"roll_to_working_day": True})
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = await open_sessions(pilot)
        rules = screen.query_one("#rules", DataTable)
        rules.move_cursor(row=list(RULE_LABELS).index("roll_to_working_day"))  # 期限遇休息日顺延
        await pilot.press("d")
        await wait_for(pilot, lambda: pilot.app.screen.__class__.__name__ == "ConfirmDialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen)
                       and not screen.view.rule("roll_to_working_day").overridden)
        assert sql("SELECT rules FROM session") == [("{}",)]
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RenameSessionDialog))
        await type_text(pilot, "市七届人大第五次会议")  # the old name is selected: typing replaces it
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen)
                       and screen.view.name == "市七届人大第五次会议")
        assert sql("SELECT name FROM session") == [("市七届人大第五次会议",)]
        assert [a for (a,) in sql("SELECT action FROM change_record ORDER BY id")] == ["修改", "恢复默认", "改名"]


async def test_the_yes_no_rule_is_a_choice_and_rolls_a_saturday_deadline_to_monday(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        # 交办 Sunday 2026-11-22 (5 days before 11-27): 签收 due 10 days later, Wednesday 12-02.
        assert next(r for r in table.rows if r.case_id == ids["unsigned"]).next_due == dt.date(2026, 12, 2)
        screen = await open_sessions(pilot)
        rules = screen.query_one("#rules", DataTable)
        rules.move_cursor(row=0)  # 签收期限
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionRuleDialog))
        await pilot.press("backspace", "1", "3", "enter")  # 11-22 + 13 days = Saturday 12-05
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen)
                       and screen.view.rule("sign_days").value == 13)
        assert sql('SELECT next_due FROM "case" WHERE id = ?', ids["unsigned"]) == [("2026-12-05",)]
        rules.move_cursor(row=list(RULE_LABELS).index("roll_to_working_day"))  # 期限遇休息日顺延
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionRuleDialog))
        await pilot.press("enter")
        await pilot.pause(0.2)
        await pilot.press("up")  # 否 → 是
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause(0.2)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen)
                       and screen.view.rule("roll_to_working_day").value is True)
        assert json.loads(sql("SELECT rules FROM session")[0][0]) == {"sign_days": 13, "roll_to_working_day": True}
        assert sql('SELECT next_due FROM "case" WHERE id = ?', ids["unsigned"]) == [("2026-12-07",)]  # Monday
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        table = pilot.app.screen.query_one(LedgerTable)
        assert next(r for r in table.rows if r.case_id == ids["unsigned"]).next_due == dt.date(2026, 12, 7)
