"""The Word file (.docx) of a Letter: every block kind in order, the fonts and sizes of an
official letter named, the page, control characters made visible, markup-like text kept, and
the .txt/.docx pair; then the urge notice and the weekly report written from one Letter."""

from __future__ import annotations

import datetime as dt
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from store import actions
from store.errors import LedgerError
from store.io import weekly_report
from store.io.docx_letter import (BODY_FONT, HEADING_FONT, SUBHEADING_FONT, TITLE_FONT, docx_safe, docx_texts,
                                  expected_texts, save_docx, save_letter)
from store.io.letter import Letter, heading, letter_text, paragraph, subheading, table
from store.io.notice import notice_letter, save_notice, save_notice_files, urge_notice

from store_helpers import OPERATOR, d, division, new_case, office_date

HOSTILE = "标题[/]含[red]标记[@click=app.quit]与\x1b]2;改标题\x07和\x9b1m及\u202e反向"

LETTER = Letter(
    "关于报送2023年建议办理工作总结的函",
    body=(
        heading("一、基本情况"),
        subheading("（一）加强组织领导"),
        paragraph("我局共接收办理建议20件。"),
        table([("编号", "标题", "处室"), ("第20230489号", "关于推进政务数据共享的建议", "数据资源处")]),
        paragraph("第二段\n换行"),
    ),
    to="市人大常委会办公厅、市政府督查室",
    doc_no="深政数函〔2023〕84号",
    signer="深圳市政务服务和数据管理局",
    date=dt.date(2023, 12, 5),
    cc="市政府办公厅",
    notes=("联系人：王秘书",),
)


def east_asian(paragraph_) -> str:
    return paragraph_.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))


def by_text(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def test_every_block_kind_is_written_in_order_and_reads_back(ledger, tmp_path):
    path = save_docx(LETTER, tmp_path / "函.docx")
    assert path.exists()
    texts = docx_texts(path)
    assert texts == LETTER.paragraphs  # nothing to make visible: exactly the letter's pieces
    assert texts[:3] == ["关于报送2023年建议办理工作总结的函", "深政数函〔2023〕84号", "市人大常委会办公厅、市政府督查室："]
    assert texts[-4:] == ["深圳市政务服务和数据管理局", "2023年12月5日", "抄送：市政府办公厅", "联系人：王秘书"]
    document = docx.Document(str(path))
    assert len(document.tables) == 1
    grid = document.tables[0]
    assert [[cell.text for cell in row.cells] for row in grid.rows] == [
        ["编号", "标题", "处室"], ["第20230489号", "关于推进政务数据共享的建议", "数据资源处"]]
    assert grid.style.name == "Table Grid"
    header_run = grid.rows[0].cells[0].paragraphs[0].runs[0]
    body_run = grid.rows[1].cells[0].paragraphs[0].runs[0]
    assert header_run.bold is True and not body_run.bold


def test_fonts_sizes_alignment_and_spacing_are_those_of_an_official_letter(ledger, tmp_path):
    document = docx.Document(str(save_docx(LETTER, tmp_path / "函.docx")))
    title = by_text(document, LETTER.title)
    assert east_asian(title) == TITLE_FONT == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22) and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert by_text(document, LETTER.doc_no).alignment == WD_ALIGN_PARAGRAPH.CENTER
    to = by_text(document, "市人大常委会办公厅、市政府督查室：")
    assert to.alignment in (None, WD_ALIGN_PARAGRAPH.LEFT) and to.paragraph_format.first_line_indent is None
    assert east_asian(by_text(document, "一、基本情况")) == HEADING_FONT == "黑体"
    assert east_asian(by_text(document, "（一）加强组织领导")) == SUBHEADING_FONT
    body = by_text(document, "我局共接收办理建议20件。")
    assert east_asian(body) == BODY_FONT == "仿宋_GB2312"
    assert body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters of 三号
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.line_spacing == Pt(28)
    assert by_text(document, LETTER.signer).alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert by_text(document, "2023年12月5日").alignment == WD_ALIGN_PARAGRAPH.RIGHT
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)  # A4
    assert [round(m.cm, 2) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                    section.right_margin)] == [3.7, 3.5, 2.8, 2.6]
    with zipfile.ZipFile(tmp_path / "函.docx") as archive:
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in fonts  # Word's fallback when it is missing
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts


def test_control_characters_are_made_visible_and_markup_is_kept_as_text(ledger, tmp_path):
    with pytest.raises(ValueError):  # why: python-docx refuses these characters as they are
        docx.Document().add_paragraph("a\x1bb")
    letter = Letter(HOSTILE, body=(paragraph(f"正文{HOSTILE}\ud800\ufffe"), table([("标题", "x"), (HOSTILE, "\x00")])),
                    to="数据\x1b[2J资源处", signer="局办公室", date=dt.date(2023, 9, 1))
    path = save_docx(letter, tmp_path / "hostile.docx")
    texts = docx_texts(path)
    assert texts == expected_texts(letter)
    shown = "标题[/]含[red]标记[@click=app.quit]与␛]2;改标题␇和⟨9B⟩1m及⟨U+202E⟩反向"
    assert texts[0] == shown
    assert texts[1] == "数据␛[2J资源处："
    assert texts[2] == f"正文{shown}⟨U+D800⟩⟨U+FFFE⟩"
    assert texts[4] == f"{shown}\t␀"
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "\x1b" not in xml and "\x07" not in xml and "\x9b" not in xml and "\u202e" not in xml
    assert docx_safe("a\tb\nc") == "a    b\nc"  # a tab as the .txt writes it; line breaks kept


def test_an_empty_letter_and_a_letter_with_no_optional_parts(ledger, tmp_path):
    bare = Letter("督办周报")
    assert docx_texts(save_docx(bare, tmp_path / "bare.docx")) == ["督办周报"]
    no_rows = Letter("表", body=(table([]), paragraph("后")))
    assert docx_texts(save_docx(no_rows, tmp_path / "norows.docx")) == ["表", "后"]


def test_save_docx_replaces_a_file_whole_and_refuses_a_missing_folder(ledger, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "out.docx"
    target.write_bytes(b"old")
    save_docx(LETTER, target)
    assert docx_texts(target)[0] == LETTER.title
    assert [p.name for p in out.iterdir()] == ["out.docx"]  # no scratch file left behind
    with pytest.raises(LedgerError, match="不存在"):
        save_docx(LETTER, tmp_path / "没有" / "out.docx")


def test_save_letter_writes_the_pair_under_one_free_name(ledger, tmp_path):
    (tmp_path / "函.docx").write_bytes(b"someone else's")
    plain, word = save_letter(LETTER, tmp_path, "函", what="函")
    assert (plain.name, word.name) == ("函-2.txt", "函-2.docx")
    # the .txt as store.io.files writes every text document (a table's tabs become spaces there)
    assert plain.read_text(encoding="utf-8-sig").replace("\r\n", "\n") == docx_safe(letter_text(LETTER))
    assert docx_texts(word) == LETTER.paragraphs
    again = save_letter(LETTER, tmp_path, "函")
    assert [p.name for p in again] == ["函-3.txt", "函-3.docx"]
    assert (tmp_path / "函.docx").read_bytes() == b"someone else's"


# --------------------------------------------------------------------- the notice and the report


def _late_case(number: str, title: str) -> int:
    office_date("2023-06-01")
    case_id = new_case(number, assigned_on=d("2023-06-01"), title=title)
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-01"))
    actions.assign(case_id, OPERATOR, division=division("数据资源处"))
    office_date("2023-09-05")  # the reply was due 2023-09-01
    return case_id


def test_the_notice_letter_says_what_the_notice_text_says(ledger, today, tmp_path):
    first = _late_case("20230489", "关于推进政务数据共享的建议")
    second = _late_case("20230490", HOSTILE)
    notice = urge_notice(division("数据资源处").id, [first, second], operator=OPERATOR)
    letter = notice_letter(notice)
    assert letter.to == "数据资源处" and letter.signer == "局办公室" and letter.date == d("2023-09-05")
    assert letter.notes == (f"联系人：{OPERATOR}",)
    assert len(letter.body) == 4  # the opening, one item a case, the ask
    for piece in letter.paragraphs:  # every piece of the letter is in the text, as the text has it
        assert piece.replace("：", "") in notice.text.replace("：", "")
    text_path, word_path = save_notice_files(notice, tmp_path)
    assert text_path.stem == word_path.stem == "催办通知-数据资源处-20230905"
    lone = tmp_path / "lone"
    lone.mkdir()
    assert save_notice(notice, lone).read_bytes() == text_path.read_bytes()  # the .txt as before, byte for byte
    texts = docx_texts(word_path)
    assert texts == expected_texts(letter)
    assert texts[0] == "催办通知" and texts[1] == "数据资源处："
    assert any("第20230490号《标题[/]含[red]标记" in t and "␛]2;改标题␇" in t for t in texts)
    assert texts[-1] == f"联系人：{OPERATOR}"


def test_the_weekly_report_as_a_letter_has_its_sections_and_tables(ledger, today, tmp_path):
    _late_case("20230489", "关于推进政务数据共享的建议")
    report = weekly_report.weekly_report("2023-W36", today=d("2023-09-05"))
    letter = weekly_report.weekly_letter(report)
    markdown, workbook, word = weekly_report.save_report(report, tmp_path)
    assert (markdown.name, workbook.name, word.name) == ("督办周报-2023-W36.md", "督办周报-2023-W36.xlsx",
                                                       "督办周报-2023-W36.docx")
    texts = docx_texts(word)
    assert texts == expected_texts(letter)
    assert texts[0].startswith("督办周报（2023-W36")
    for section in ("一、本周工作", "二、下周风险", "三、各处室情况"):
        assert section in texts
    assert "\t".join(weekly_report.RISK_HEADER) in texts
    risk_rows = [t for t in texts if t.startswith("第20230489号\t")]
    assert len(risk_rows) == len(report.at_risk) == 1
    (open_cases,), = ledger.execute_sql(
        "SELECT count(*) FROM \"case\" c JOIN division v ON v.id = c.division_id "
        "WHERE v.name = '数据资源处' AND c.status != '已办结' AND c.next_due < '2023-09-05'").fetchall()
    assert open_cases == 1
    assert f"数据资源处\t{open_cases}\t{open_cases}\t0\t0" in texts  # open, overdue, no urge or reply this week
    document = docx.Document(str(word))
    assert len(document.tables) == 2
    again = weekly_report.save_report(report, tmp_path)
    assert [p.name for p in again] == ["督办周报-2023-W36-2.md", "督办周报-2023-W36-2.xlsx", "督办周报-2023-W36-2.docx"]


def test_the_weekly_letter_of_an_empty_ledger(ledger, tmp_path):
    report = weekly_report.weekly_report("2023-W36", today=d("2023-09-05"))
    texts = docx_texts(save_docx(weekly_report.weekly_letter(report), tmp_path / "w.docx"))
    assert "下周没有到期或已逾期的事项。" in texts
    assert "台账中没有在办的件，本周也没有催办和答复。" in texts
    assert "本周每周检查0件，催办0次，答复0件，办结0件。" in texts
