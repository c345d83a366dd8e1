"""备份台账 from the palette: the dialog offers a file in the documents folder, ctrl+s writes a
checked copy and says where; a refusal keeps the dialog open with the reason and the typed path."""

from __future__ import annotations

import sqlite3

import platformdirs
from textual.command import CommandPalette
from textual.widgets import Input, Static

from tui.app import DubanApp
from tui.dialogs.backup import BackupDialog

from desk_helpers import OPERATOR, SIZE, ready, wait_for


def sql(path, query: str) -> list[tuple]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


async def open_backup_dialog(pilot) -> BackupDialog:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*"备份台账")
    await pilot.pause(0.5)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BackupDialog))
    return pilot.app.screen


async def test_palette_backup_writes_a_checked_copy_to_the_documents_folder(desk, tmp_path, monkeypatch):
    path, ids = desk
    documents = tmp_path / "文档"
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(documents))
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        dialog = await open_backup_dialog(pilot)
        offered = dialog.query_one("#out", Input).value
        assert offered.startswith(str(documents / "督办台" / "台账备份-")) and offered.endswith(".db")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("已备份至" in str(n.message) for n in pilot.app._notifications))
        assert not isinstance(pilot.app.screen, BackupDialog)
        said = " ".join(str(n.message) for n in pilot.app._notifications).replace("\n", "")
    files = list((documents / "督办台").glob("台账备份-*.db"))
    assert [str(f) for f in files] == [offered]
    assert "台账备份-" in said
    assert sql(files[0], "PRAGMA integrity_check") == [("ok",)]
    assert sql(files[0], 'SELECT COUNT(*) FROM "case"') == [(len(ids),)]
    assert sql(files[0], "SELECT COUNT(*) FROM event") == sql(path, "SELECT COUNT(*) FROM event")


async def test_a_refused_backup_keeps_the_dialog_open_with_the_reason(desk, tmp_path, monkeypatch):
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(tmp_path / "文档"))
    taken = tmp_path / "已有备份.db"
    taken.write_bytes(b"yesterday")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        dialog = await open_backup_dialog(pilot)
        box = dialog.query_one("#out", Input)
        box.value = str(taken)
        await pilot.press("ctrl+s")
        error = dialog.query_one("#dialog-error", Static)
        await wait_for(pilot, lambda: "已存在" in str(error.render()))
        assert pilot.app.screen is dialog and box.value == str(taken)
        box.value = str(tmp_path / "没有的文件夹" / "b.db")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "不存在" in str(error.render()))
        assert pilot.app.screen is dialog
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, BackupDialog))
    assert taken.read_bytes() == b"yesterday"
    assert not (tmp_path / "没有的文件夹").exists()
    assert not (tmp_path / "文档").exists()  # nothing written on a refusal or a cancel
