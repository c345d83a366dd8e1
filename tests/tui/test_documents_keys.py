"""Pilot tests: the Word files from the desk — ctrl+s on the urge notice, `r` on the weekly
review, and `d` (文书) on the case screen: the 征询意见表 and a co-unit's 单位催办函, each saved
as .txt and .docx into 文档/督办台, the paths said, the files read back with python-docx."""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, SIZE, TODAY, ready, wait_for
from textual.widgets import DataTable, OptionList

import tui.screens.notice as notice_screen
from store import actions, clock
from store.io.docx_letter import docx_texts, expected_texts
from store.io.notice import notice_letter
from store.models import Case, Event, Session
from store.weekly import week_of
from tui.app import DubanApp
from tui.dialogs.documents import DocumentsDialog
from tui.screens.divisions import DivisionBoardScreen
from tui.screens.notice import NoticeScreen
from tui.screens.weekly import WeeklyReviewScreen

from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen


async def open_case(pilot, case_id: int) -> CaseScreen:
    """Open one case from the ledger (the ledger may hold more than the desk's three)."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen) and pilot.app.ledger.loaded)
    pilot.app.open_case(case_id)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
    return pilot.app.screen


def said(pilot) -> str:
    return " ".join(str(n.message) for n in pilot.app._notifications).replace("\n", "")


def files(folder, suffix: str) -> list:
    return sorted(folder.glob(f"*{suffix}")) if folder.exists() else []


async def test_ctrl_s_on_the_notice_saves_text_and_word(desk, tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    monkeypatch.setattr(notice_screen, "notice_folder", lambda: folder)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DivisionBoardScreen) and pilot.app.screen.loads)
        board = pilot.app.screen
        board.query_one(DataTable).move_cursor(row=next(i for i, load in enumerate(board.loads)
                                                        if load.division == "数据资源处"))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NoticeScreen))
        notice = pilot.app.screen.notice
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: files(folder, ".docx") and "已保存" in said(pilot))
        (text,), (word,) = files(folder, ".txt"), files(folder, ".docx")
        assert text.stem == word.stem
        assert str(text) in said(pilot) and str(word) in said(pilot)
        assert text.read_text(encoding="utf-8-sig").replace("\r\n", "\n") == notice.text
        assert docx_texts(word) == expected_texts(notice_letter(notice))
        await pilot.press("ctrl+s")  # again: a second pair, nothing overwritten
        await wait_for(pilot, lambda: len(files(folder, ".docx")) == 2)
        assert len(files(folder, ".txt")) == 2


async def test_r_on_the_weekly_review_saves_the_word_report_too(desk, tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    monkeypatch.setattr(notice_screen, "notice_folder", lambda: folder)
    week = week_of(TODAY)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WeeklyReviewScreen)
                       and pilot.app.screen.review is not None)
        await pilot.press("r")
        word = folder / f"督办周报-{week}.docx"
        await wait_for(pilot, lambda: word.exists() and "督办周报已保存" in said(pilot))
        assert str(word) in said(pilot)
        texts = docx_texts(word)
        assert texts[0].startswith(f"督办周报（{week}")
        open_now = Case.select().where(Case.division.is_null(False) & (Case.status != "已办结")).count()
        assert sum(1 for t in texts if t.startswith(("数据资源处\t", "政务服务处\t"))) == open_now == 2


def _co_unit_case(number: str = "20260109", *, answered: bool = True) -> int:
    """A 主办 case with two co-units, signed for and given to the 数据资源处, one opinion in;
    answered early (before the other opinion) unless `answered` is False."""
    session = Session.get()
    with clock.frozen_now(clock.office_now()):
        made = actions.create_case(OPERATOR, session=session, number=number, title="关于[b]共建数据[/]的建议",
                                   role="主办", assigned_on=TODAY - dt.timedelta(days=40),
                                   co_units=["市教育局", "市规划和自然资源局"])
        actions.sign_for(made.case_id, OPERATOR, on=TODAY - dt.timedelta(days=39))
        actions.assign(made.case_id, OPERATOR, division=actions.ensure_division("数据资源处"))
        actions.record_unit_opinion(made.case_id, OPERATOR, unit="市教育局", summary="同意", on=TODAY - dt.timedelta(days=5))
        if answered:
            actions.reply(made.case_id, OPERATOR, on=TODAY - dt.timedelta(days=2), doc_no="深政数函〔2026〕9号",
                          result_class="B", early_reason="代表急需答复")
    return made.case_id


async def test_d_on_the_case_saves_the_form_and_a_unit_notice(desk, tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    monkeypatch.setattr(notice_screen, "notice_folder", lambda: folder)
    case_id = _co_unit_case()
    waiting = _co_unit_case("20260110", answered=False)
    events_before = Event.select().count()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentsDialog))
        dialog = pilot.app.screen
        # answered: the reply no longer waits for the missing opinion, so no 单位催办函 is offered
        assert [(doc.what, doc.unit) for doc in dialog.documents] == [("form", "")]
        assert dialog.query_one("#documents", OptionList).option_count == 1
        await pilot.press("ctrl+s")  # the 征询意见表
        await wait_for(pilot, lambda: pilot.app.screen is screen and files(folder, ".docx"))
        (form_text,), (form_word,) = files(folder, ".txt"), files(folder, ".docx")
        assert form_word.name.startswith("征询意见表-") and form_text.stem == form_word.stem
        assert str(form_word) in said(pilot)
        assert "征询意见表" in docx_texts(form_word)[0]
        assert any("关于[b]共建数据[/]的建议" in t for t in docx_texts(form_word))

        await pilot.press("escape")
        screen = await open_case(pilot, waiting)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentsDialog))
        dialog = pilot.app.screen
        assert [(doc.what, doc.unit) for doc in dialog.documents] == [("form", ""), ("unit_notice", "市规划和自然资源局")]
        await pilot.press("down", "enter")  # enter on the list saves too: the unit's 催办函
        await wait_for(pilot, lambda: pilot.app.screen is screen and len(files(folder, ".docx")) == 2)
        unit_word = next(p for p in files(folder, ".docx") if p != form_word)
        assert "市规划和自然资源局" in unit_word.name
        assert unit_word.with_suffix(".txt").exists()
        assert any("市规划和自然资源局" in t for t in docx_texts(unit_word))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentsDialog))
        await pilot.press("escape")  # esc saves nothing
        await wait_for(pilot, lambda: pilot.app.screen is screen)
    assert len(files(folder, ".docx")) == 2
    assert Event.select().count() == events_before  # documents record nothing


async def test_d_on_a_case_not_yet_answered_says_why_and_keeps_the_dialog(desk, tmp_path, monkeypatch):
    path, ids = desk
    folder = tmp_path / "docs"
    monkeypatch.setattr(notice_screen, "notice_folder", lambda: folder)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await open_case(pilot, ids["overdue"])
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentsDialog))
        dialog = pilot.app.screen
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "尚未答复" in str(dialog.query_one("#dialog-error").render()))
        assert pilot.app.screen is dialog
    assert files(folder, ".docx") == [] and files(folder, ".txt") == []


async def test_ctrl_d_on_the_statistics_saves_the_summary_as_word(desk, tmp_path, monkeypatch):
    from tui.screens.statistics import StatisticsScreen

    folder = tmp_path / "stats"
    monkeypatch.setattr("tui.screens.statistics.notice_folder", lambda: folder)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatisticsScreen) and pilot.app.screen.view)
        letter = pilot.app.screen.current_letter()
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: files(folder, ".docx") and "已保存Word文件" in said(pilot))
        (word,) = files(folder, ".docx")
        assert str(word) in said(pilot)
        assert docx_texts(word) == expected_texts(letter)
        assert files(folder, ".txt") == []  # ctrl+s saves the text; ctrl+d only the Word file
