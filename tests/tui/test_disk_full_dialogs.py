"""Pilot tests: a full disk and a disk I/O error at a dialog's save — the follow-up, the new case
and the office's person form stay open with what was typed and say 磁盘已满 (or 磁盘出错).

The disk is made full for real on the desk's own store-thread connection (tests/full_disk.py,
run through `app.gateway.call`); the I/O error is the driver's own exception raised by the
store function. Nothing is written either way (counted by plain SQL); room made again, the
same dialog saves.
"""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import Input, Select, TextArea

from desk_helpers import OPERATOR, SIZE, move_to_case, ready, wait_for
from full_disk import fill_disk, make_room
from store import actions, entry, office
from store.db import database
from tui.app import DubanApp
from tui.dialogs.follow_up import FollowUpDialog
from tui.dialogs.new_case import NewCaseDialog
from tui.dialogs.person_form import PersonFormDialog
from tui.screens.ledger import LedgerScreen
from tui.screens.office import OfficeScreen

NOTE = "电话询问处室办理进度，处室称下周报送答复稿"


def count(table: str) -> int:
    return database.obj.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def error_line(dialog) -> str:
    return "".join(str(dialog.query_one("#dialog-error").render()).split())


def disk_full(app):
    return app.gateway.call(fill_disk)


def io_error(monkeypatch, module, name):
    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    async def trouble(app):
        monkeypatch.setattr(module, name, broken)
    return trouble


async def _kept_at_a_failed_save(pilot, dialog, words: str, table: str, typed) -> int:
    """ctrl+s fails: the dialog stays with the sentence and every typed field; nothing written."""
    app = pilot.app
    before = count(table)
    await pilot.press("ctrl+s")
    try:
        await wait_for(pilot, lambda: words in error_line(dialog))
    except AssertionError:
        raise AssertionError(error_line(dialog)) from None
    await pilot.pause(0.1)
    assert app.screen is dialog
    assert typed(), "the typed entry was lost"
    assert "Traceback" not in error_line(dialog) and "rollback" not in error_line(dialog)
    assert count(table) == before
    return before


@pytest.mark.parametrize("trouble", ["full", "io"])
async def test_the_follow_up_dialog_keeps_its_entry(desk, monkeypatch, trouble):
    path, ids = desk
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        move_to_case(await ready(pilot), ids["overdue"])
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpDialog))
        dialog = app.screen
        dialog.query_one("#note", TextArea).load_text(NOTE)
        if trouble == "full":
            await disk_full(app)
            words = "磁盘已满"
        else:
            await io_error(monkeypatch, actions, "log_follow_up")(app)
            words = "磁盘出错"
        before = await _kept_at_a_failed_save(pilot, dialog, words, "event",
                                              lambda: dialog.query_one("#note", TextArea).text == NOTE)
        if trouble == "full":
            await app.gateway.call(make_room)
        else:
            monkeypatch.undo()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        await wait_for(pilot, lambda: count("event") == before + 1)
    notes = database.obj.execute_sql("SELECT note FROM event WHERE case_id = ? ORDER BY id DESC LIMIT 1",
                                     (ids["overdue"],)).fetchone()
    assert notes[0] == NOTE


@pytest.mark.parametrize("trouble", ["full", "io"])
async def test_the_new_case_dialog_keeps_its_entry(desk, monkeypatch, trouble):
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        dialog = app.screen
        await pilot.pause(0.1)
        fields = {"number": "20260199", "title": "关于磁盘已满也不丢录入的建议", "proposer_name": "王建国"}
        for field, text in fields.items():
            dialog.query_one(f"#{field}", Input).value = text
        dialog.query_one("#role", Select).value = "主办"
        dialog.query_one("#lead_unit", Input).value = "市政务服务数据管理局"
        if trouble == "full":
            await disk_full(app)
            words = "磁盘已满"
        else:
            await io_error(monkeypatch, entry, "enter_case")(app)
            words = "磁盘出错"
        await _kept_at_a_failed_save(
            pilot, dialog, words, "case",
            lambda: all(dialog.query_one(f"#{f}", Input).value == t for f, t in fields.items()))
        assert database.obj.execute_sql('SELECT COUNT(*) FROM "case" WHERE number = ?',
                                        ("20260199",)).fetchone()[0] == 0


@pytest.mark.parametrize("trouble", ["full", "io"])
async def test_the_person_form_keeps_its_entry(ledger, monkeypatch, trouble):
    """On an empty ledger with one division: the office's first person."""
    office.add_division(OPERATOR, "数据资源处")
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.ledger.loaded)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, OfficeScreen) and app.screen.org is not None)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonFormDialog))
        dialog = app.screen
        await pilot.pause(0.1)
        dialog.query_one("#name", Input).value = "周敏"
        dialog.query_one("#phone", Input).value = "13812345678"
        dialog.query_one("#title", Select).value = "经办人"
        if trouble == "full":
            await disk_full(app)
            words = "磁盘已满"
        else:
            await io_error(monkeypatch, office, "add_person")(app)
            words = "磁盘出错"
        await _kept_at_a_failed_save(
            pilot, dialog, words, "person",
            lambda: dialog.query_one("#name", Input).value == "周敏"
            and dialog.query_one("#phone", Input).value == "13812345678")
        assert count("person") == 0
