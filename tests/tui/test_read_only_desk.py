"""Pilot tests: the desk on a ledger that cannot be written — opened read-only, made read-only
while the desk runs, or unwritable from the start.

The header says 只读; every write key says why it cannot write and opens no dialog; export,
statistics, lookup and the other screens still work; nothing reaches the file. A file made
read-only mid-run is noticed at the next save: the dialog stays open with what was typed.
"""

from __future__ import annotations

import os

import platformdirs
import pytest
from textual.widgets import TextArea

import store.db
import store.sqlite_file
from case_helpers import open_case
from desk_helpers import OPERATOR, SIZE, ready, wait_for
from store.db import close_database, database, open_database
from tui import cli
from tui.app import DubanApp
from tui.dialogs.base import ActionDialog
from tui.dialogs.follow_up import FollowUpDialog
from tui.screens.ledger import LedgerScreen
from tui.screens.office import OfficeScreen
from tui.screens.statistics import StatisticsScreen
from tui.screens.weekly import WeeklyReviewScreen


def sql(query: str, *params):
    return database.obj.execute_sql(query, params).fetchall()


def said(app) -> list[str]:
    """Every notification's text, its 禁则 line breaks taken out."""
    return ["".join(str(n.message).split()) for n in app._notifications]


def no_dialog(app) -> bool:
    return not any(isinstance(screen, ActionDialog) for screen in app.screen_stack)


async def refused(pilot, key: str, reason: str) -> None:
    """`key` says `reason` and opens no dialog."""
    app = pilot.app
    app.clear_notifications()
    await pilot.press(key)
    flat = "".join(reason.split())
    await wait_for(pilot, lambda: flat in said(app))
    await pilot.pause(0.1)
    assert no_dialog(app), f"{key} opened a dialog on a read-only ledger"


@pytest.fixture
def read_only_desk(desk):
    """The desk's three cases, the ledger opened with read_only=True (as `duban --read-only`)."""
    path, ids = desk
    close_database()
    open_database(path, read_only=True)
    yield path, ids


async def test_a_read_only_ledger_shows_only_and_refuses_every_write_key(read_only_desk, tmp_path, monkeypatch):
    path, ids = read_only_desk
    before = path.read_bytes()
    events = sql("SELECT COUNT(*) FROM event")
    reason = store.db.read_only_reason()
    assert reason and "只读" in reason
    documents = tmp_path / "文档"
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(documents))
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(pilot)
        assert app.title.startswith("督办台　只读　操作人：")
        for key in ("f", "u", "z", "n", "i"):
            await refused(pilot, key, reason)
        await pilot.press("space", "space")  # two rows marked: f and u would act on both
        assert len(table.marked) == 2
        for key in ("f", "u"):
            await refused(pilot, key, reason)
        await pilot.press("escape")
        # what only reads still works
        app.clear_notifications()
        await pilot.press("x")
        await wait_for(pilot, lambda: any("已导出" in text for text in said(app)))
        assert len(list((documents / "督办台").glob("台账-*.xlsx"))) == 1
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StatisticsScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        # the case screen: follow-up, urge, undo, steps, 修改
        screen = await open_case(pilot, ids["overdue"])
        assert "只读" in app.title
        for key in ("f", "u", "z", "c", "r", "e", "m"):
            await refused(pilot, key, reason)
        assert app.screen is screen
        await pilot.press("escape")
        # the office: add, and the reorder that writes without a dialog
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, OfficeScreen) and app.screen.org is not None)
        for key in ("a", "n"):
            await refused(pilot, key, reason)
        await pilot.press("J")
        await wait_for(pilot, lambda: any(("".join(reason.split())) in text for text in said(app)))
        await pilot.press("escape")
        # the weekly review shows its list; marking a case checked says why not
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WeeklyReviewScreen) and app.screen.review is not None)
        if app.screen.current_item is not None:
            await refused(pilot, "space", reason)
        await pilot.press("question_mark")  # help still opens
        await pilot.pause(0.1)
        assert app.screen.query("HelpPanel")
    assert sql("SELECT COUNT(*) FROM event") == events
    assert path.read_bytes() == before


async def test_an_empty_read_only_ledger(ledger, tmp_path):
    path = tmp_path / "ledger.db"
    close_database()
    open_database(path, read_only=True)
    reason = store.db.read_only_reason()
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.ledger.loaded)
        assert "只读" in app.title
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, OfficeScreen) and app.screen.org is not None)
        for key in ("a", "n"):
            await refused(pilot, key, reason)
    assert sql("SELECT COUNT(*) FROM division") == [(0,)]
    assert sql("SELECT COUNT(*) FROM change_record") == [(0,)]


async def _save_after_it_became_read_only(pilot, case_id, make_read_only) -> None:
    app = pilot.app
    table = await ready(pilot)
    table.move_to(next(i for i, row in enumerate(table.rows) if row.case_id == case_id))
    events = sql("SELECT COUNT(*) FROM event")
    assert "只读" not in app.title
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpDialog))
    dialog = app.screen
    dialog.query_one("#note", TextArea).focus()
    await pilot.press(*"电话询问处室办理进度")
    make_read_only()
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: "只读" in str(dialog.query_one("#dialog-error").render()))
    assert app.screen is dialog
    assert dialog.query_one("#note", TextArea).text == "电话询问处室办理进度"
    assert app.title.startswith("督办台　只读")
    assert sql("SELECT COUNT(*) FROM event") == events
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))
    await refused(pilot, "f", store.db.read_only_reason())


async def test_a_file_made_read_only_while_the_desk_runs_keeps_the_entry(desk, monkeypatch):
    """The writability check is made false (tests may run as root, where chmod stops nothing)."""
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await _save_after_it_became_read_only(
            pilot, ids["overdue"], lambda: monkeypatch.setattr(store.db, "writable", lambda _path: False))
        monkeypatch.setattr(store.db, "writable", lambda _path: True)  # write access is back
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpDialog))
        assert "只读" not in pilot.app.title


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes a read-only file anyway")
async def test_a_file_chmodded_read_only_while_the_desk_runs(desk):
    path, ids = desk
    try:
        async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
            await _save_after_it_became_read_only(pilot, ids["overdue"], lambda: path.chmod(0o444))
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes a read-only file anyway")
def test_an_unwritable_ledger_opens_the_desk_read_only(desk, monkeypatch):
    path, _ids = desk
    close_database()
    path.chmod(0o444)
    seen = []
    monkeypatch.setattr("tui.app.run", lambda **kwargs: seen.append(store.db.read_only_reason()) or 0)
    try:
        assert cli.main(["--db", str(path), "--operator", OPERATOR]) == 0
    finally:
        path.chmod(0o644)
    assert seen[0] and "只读" in seen[0]


def test_the_command_line_opens_read_only_when_asked_or_when_it_must(desk, monkeypatch, tmp_path):
    path, _ids = desk
    close_database()
    seen = []
    monkeypatch.setattr("tui.app.run", lambda **kwargs: seen.append(store.db.read_only_reason()) or 0)
    assert cli.main(["--db", str(path), "--operator", OPERATOR]) == 0
    assert cli.main(["--read-only", "--db", str(path), "--operator", OPERATOR]) == 0
    monkeypatch.setattr(store.sqlite_file, "unwritable_reason", lambda _path: "台账所在位置只读，只能查看。")
    assert cli.main(["--db", str(path), "--operator", OPERATOR]) == 0
    assert seen[0] is None
    assert "--read-only" in seen[1]
    assert seen[2] and "只读" in seen[2]
    # export and reports work on it
    out = tmp_path / "台账.csv"
    assert cli.main(["export", "--db", str(path), "--format", "csv", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8-sig").count("\n") == 4
    assert cli.main(["report", "summary", "--db", str(path)]) == 0
    assert cli.main(["--demo", "--read-only"]) == 2
