"""`x` on the ledger writes the 台账 XLSX into the documents folder and says where."""

from __future__ import annotations

import openpyxl
import platformdirs

from tui.app import DubanApp

from desk_helpers import OPERATOR, SIZE, ready, wait_for


async def test_x_exports_the_ledger_to_the_documents_folder(desk, tmp_path, monkeypatch):
    path, ids = desk
    documents = tmp_path / "文档"
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(documents))
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: any("已导出" in str(n.message) for n in pilot.app._notifications))
    files = list((documents / "督办台").glob("台账-*.xlsx"))
    assert len(files) == 1
    sheet = openpyxl.load_workbook(files[0])["台账"]
    assert sheet.max_row == len(ids) + 1
