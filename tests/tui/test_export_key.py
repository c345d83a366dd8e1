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


async def test_x_shows_a_progress_bar_told_from_the_store_thread(desk, tmp_path, monkeypatch):
    import threading

    from tui.widgets.work_progress import WorkProgress

    path, ids = desk
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(tmp_path / "文档"))
    reports: list[tuple[str, int, int, str]] = []
    original = WorkProgress.Advanced.__init__

    def recording(self, done, total, phase):
        reports.append((threading.current_thread().name, done, total, phase))
        original(self, done, total, phase)

    monkeypatch.setattr(WorkProgress.Advanced, "__init__", recording)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: any("已导出" in str(n.message) for n in pilot.app._notifications))
        await pilot.pause()
        assert not pilot.app.screen.query(WorkProgress)  # gone once the file is written
    assert (len(ids), len(ids), "导出") in [r[1:] for r in reports]
    assert {phase for *_, phase in reports} == {"读取", "导出"}
    assert all(name.startswith("duban-report") for name, *_ in reports)  # the long reads' thread, not the UI's
