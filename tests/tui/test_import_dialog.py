"""`i` on the ledger imports the assigning office's list: a preview first (nothing written),
then the import; errors are shown and write nothing; esc writes nothing."""

from __future__ import annotations

import datetime as dt

import openpyxl
from textual.widgets import Input, Static

from store.models import Case, Event, Session
from tui.app import DubanApp
from tui.dialogs.import_list import ImportDialog
from tui.screens.ledger import LedgerScreen
from tui.widgets.ledger_table import LedgerTable

from desk_helpers import OPERATOR, SIZE, ready, wait_for

SESSION = "市七届人大五次会议"
HEADER = ["序号", "编号", "案由", "领衔代表", "代表团", "办理方式", "主办单位", "交办日期"]
GOOD = [
    [1, "20260201", "关于完善数字政府标准体系的建议", "张三", "福田代表团", "主办", "市政务服务数据管理局",
     dt.datetime(2026, 11, 20)],
    [2, "20260202", "关于推进电子证照应用的建议", "李四", "南山代表团", "会办", "市政务服务数据管理局", "2026-11-20"],
]


def write_xlsx(path, rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["市七届人大五次会议代表建议交办清单"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def counts():
    return Case.select().count(), Event.select().count(), Session.select().count()


def text_of(dialog, selector: str) -> str:
    return str(dialog.query_one(selector, Static).render())


async def open_dialog(pilot) -> ImportDialog:
    await ready(pilot)
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
    return pilot.app.screen


async def preview(pilot, dialog: ImportDialog, path) -> None:
    dialog.query_one("#path", Input).value = str(path)
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: dialog.previewed is not None or "错误" in text_of(dialog, "#dialog-error")
                   or "不存在" in text_of(dialog, "#dialog-error"))


async def test_preview_then_import_creates_the_cases(desk, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", GOOD)
    before = counts()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        assert dialog.query_one("#session", Input).value == ""  # all sessions shown: none prefilled
        dialog.query_one("#session", Input).value = SESSION
        await preview(pilot, dialog, path)
        shown = text_of(dialog, "#preview")
        assert "新增2件" in shown and "更新0件" in shown and "未变0件" in shown
        assert "ctrl+s 导入（单行框中 enter 亦可）" in text_of(dialog, ".dialog-hint")
        assert counts() == before  # the preview wrote nothing

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert Case.select().count() == before[0] + 2
        await wait_for(pilot, lambda: len(pilot.app.screen.query_one(LedgerTable).rows) == 5)
        numbers = {row.number for row in pilot.app.screen.query_one(LedgerTable).rows}
        assert {"20260201", "20260202"} <= numbers
        assert any("已导入：新增2件" in str(n.message) for n in pilot.app._notifications)
    assert Event.select().where(Event.kind == "交办", Event.operator == OPERATOR).count() >= 5


async def test_session_is_prefilled_and_the_same_list_again_is_unchanged(desk, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", GOOD)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("right_square_bracket")  # the ledger's one session
        await wait_for(pilot, lambda: pilot.app.screen.session == SESSION)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
        dialog = pilot.app.screen
        assert dialog.query_one("#session", Input).value == SESSION
        await preview(pilot, dialog, path)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        assert Case.select().count() == 5

        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
        dialog = pilot.app.screen
        await preview(pilot, dialog, path)
        assert "新增0件" in text_of(dialog, "#preview") and "未变2件" in text_of(dialog, "#preview")


async def test_changing_the_path_after_the_preview_goes_back_to_step_one(desk, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", GOOD)
    other = write_xlsx(tmp_path / "other.xlsx", GOOD[:1])
    before = counts()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#session", Input).value = SESSION
        await preview(pilot, dialog, path)
        assert dialog.previewed is not None
        dialog.query_one("#path", Input).value = str(other)
        await pilot.pause()
        assert dialog.previewed is None and text_of(dialog, "#preview") == ""
        assert "预览" in text_of(dialog, ".dialog-hint")
        await pilot.press("enter")  # previews the other file; writes nothing
        await wait_for(pilot, lambda: dialog.previewed is not None)
        assert "新增1件" in text_of(dialog, "#preview")
        assert isinstance(pilot.app.screen, ImportDialog)
        assert counts() == before


async def test_a_list_with_errors_is_shown_and_writes_nothing(desk, tmp_path):
    bad = [
        [1, "20260301", "", "张三", "", "主办", "市政务服务数据管理局", "2026-11-20"],
        [2, "20260302", "关于X的建议", "李四", "", "兼办", "市政务服务数据管理局", "2026-13-40"],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", bad)
    before = counts()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#session", Input).value = SESSION
        await preview(pilot, dialog, path)
        error = text_of(dialog, "#dialog-error")
        assert "处错误，未写入任何内容" in error
        assert "第3行「案由」" in error and "第4行" in error
        assert dialog.query_one("#path", Input).has_class("-invalid")
        assert dialog.previewed is None
        await pilot.press("enter")  # still errors: never imports
        await pilot.pause(0.3)
        assert isinstance(pilot.app.screen, ImportDialog)
    assert counts() == before


async def test_a_missing_session_marks_the_session_field(desk, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", GOOD)
    before = counts()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await preview(pilot, dialog, path)
        error = text_of(dialog, "#dialog-error")
        assert "届次" in error and "--session" not in error
        assert dialog.query_one("#session", Input).has_class("-invalid")
    assert counts() == before


async def test_esc_writes_nothing(desk, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", GOOD)
    before = counts()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#session", Input).value = SESSION
        await preview(pilot, dialog, path)
        assert dialog.previewed is not None
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
        await pilot.pause(0.2)
    assert counts() == before


async def test_a_missing_file_is_refused_in_the_dialog(desk, tmp_path):
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await preview(pilot, dialog, tmp_path / "nowhere.xlsx")
        assert "不存在" in text_of(dialog, "#dialog-error")
        assert dialog.query_one("#path", Input).has_class("-invalid")


async def test_the_progress_bar_follows_the_check_from_the_store_thread(desk, tmp_path, monkeypatch):
    import threading

    from textual.widgets import Label, ProgressBar

    from tui.widgets.work_progress import WorkProgress

    rows = [[i, f"2099{i:04d}", f"关于第{i}项的建议", "张三", "福田代表团", "主办", "本局", "2026-11-20"]
            for i in range(1, 401)]
    path = write_xlsx(tmp_path / "list.xlsx", rows)
    reports: list[tuple[str, int, int, str]] = []
    original = WorkProgress.Advanced.__init__

    def recording(self, done, total, phase):
        reports.append((threading.current_thread().name, done, total, phase))
        original(self, done, total, phase)

    monkeypatch.setattr(WorkProgress.Advanced, "__init__", recording)
    shown: list[tuple[str, float, float | None, str]] = []  # what the bar showed, on the UI thread
    handler = WorkProgress.on_work_progress_advanced

    def showing(self, event):
        handler(self, event)
        bar = self.query_one(ProgressBar)
        shown.append((threading.current_thread().name, bar.progress, bar.total, str(self.query_one(Label).render())))

    monkeypatch.setattr(WorkProgress, "on_work_progress_advanced", showing)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        bar = dialog.query_one(WorkProgress)
        assert not bar.has_class("-working")  # nothing shown before the work
        dialog.query_one("#session", Input).value = SESSION
        await preview(pilot, dialog, path)
        await pilot.pause()
        assert "新增400件" in text_of(dialog, "#preview")
        assert (400, 400, "检查") in [entry[1:] for entry in shown]
        assert all(name == threading.main_thread().name for name, *_ in shown)
        assert not bar.has_class("-working")  # hidden again once the preview is shown
        assert {phase for _, _, _, phase in reports} == {"读取", "检查"}  # a preview writes nothing
        assert all(name.startswith("duban-store") for name, *_ in reports)  # told from the store's thread

        reports.clear()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
    assert [r[1:] for r in reports if r[3] == "写入"][-1] == (400, 400, "写入")
    assert all(name.startswith("duban-store") for name, *_ in reports)
    from store.db import database

    assert database.obj.execute_sql("SELECT COUNT(*) FROM event WHERE kind = '交办' AND note = '导入交办清单' "
                                    "AND case_id IN (SELECT id FROM \"case\" WHERE number LIKE '2099%')"
                                    ).fetchone()[0] == 400


async def test_a_case_changed_at_another_workstation_after_the_preview_refuses_the_import(desk, tmp_path):
    """The import writes what the preview compared, or nothing: a case someone changed in
    between is named, and the list is checked afresh on the next enter."""
    import asyncio

    from store import actions

    _path, ids = desk
    corrected = [[1, "20260102", "关于优化一网通办服务体验的建议（修订）", "李秀英", "南山代表团", "主办",
                  "市政务服务数据管理局", "2026-08-31"]]
    path = write_xlsx(tmp_path / "list.xlsx", corrected)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#session", Input).value = SESSION
        await preview(pilot, dialog, path)
        assert dialog.previewed is not None and dialog.seen_versions
        before = counts()
        await asyncio.to_thread(actions.log_follow_up, ids["soon"], "另一工作站", kind="查办", note="预览之后")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: text_of(dialog, "#dialog-error") != "")
        assert "第20260102号" in text_of(dialog, "#dialog-error") and "未写入" in text_of(dialog, "#dialog-error")
        assert pilot.app.screen is dialog and dialog.previewed is None  # back to step 1
        assert counts() == (before[0], before[1] + 1, before[2])  # only the other workstation's event
        assert Case.get_by_id(ids["soon"]).title == "关于优化一网通办服务体验的建议"
