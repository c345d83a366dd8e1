"""The streamed 台账 XLSX (store.io.xlsx_stream) holds what the CSV holds, and what openpyxl's own
cell-by-cell writer would have written: on the `live` fixture, on an empty ledger, and on a
ledger of awkward text (markup brackets, control characters, a title past Excel's 32,767
characters, text that looks like a formula). Row counts are checked against plain SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from store_helpers import new_case, replied_case

import fixtures
from store import clock
from store.io import export
from store.io.xlsx_stream import MAX_TEXT, cell_text
from store.models import Case, Proposer

LIVE_TODAY = dt.date(2026, 11, 27)

SHARED = {  # CSV header → XLSX header, for the columns both exports carry
    "届次": "届次", "编号": "编号", "标题": "标题", "领衔": "领衔代表/委员", "办理方式": "办理方式",
    "处室": "承办处室", "责任人": "责任人", "状态": "状态", "下一期限(事项)": "下一期限事项",
    "下一期限(日期)": "下一期限", "倒计时": "倒计时", "最近跟进": "最近跟进", "催办次数": "催办次数",
}

AWKWARD = {
    "20230001": "=SUM(A1)",
    "20230002": "[/] [red]红[/red] [@click=app.quit]点我[/]",
    "20230003": "控制\x01字符\x08与\x0b\x0c\x1f终端\x1b]2;改标题\x07完",
    "20230004": "长" * (MAX_TEXT + 5000),
    "20230005": "+1-2 @cmd",
    "20230006": "  前后有空格  ",
    "20230007": "a & b <c> \"引号\" 'x' \r\n第二行\t制表",
    "20230008": "#N/A",
    "20230009": "-2+3",
    "20230010": "C1 控制\x9b31m 与 DEL\x7f",
}


def _sql_count() -> int:
    return Case._meta.database.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0]


def _xlsx(path):
    book = openpyxl.load_workbook(path)
    sheet = book[export.XLSX_SHEET]
    header = [cell.value for cell in sheet[1]]
    return sheet, header, [dict(zip(header, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=2)]


def _csv(today):
    text, count = export.ledger_text("csv", to_file=False, today=today)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == len(rows)
    return rows


def _as_csv_text(value) -> str:
    """An XLSX cell read back, as the CSV writes the same value (dates ISO, no formula guard)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def _unguarded(text: str) -> str:
    """A CSV cell without the apostrophe the CSV puts before formula-looking text."""
    return text[1:] if text.startswith("'") and text[1:].startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _same_as_csv(tmp_path, today) -> tuple[list[dict], list[dict]]:
    """Write both exports; assert that every shared cell agrees and both hold every case."""
    path = tmp_path / "台账.xlsx"
    export.write_xlsx(path, export.ledger_export_rows(today=today))
    sheet, header, xlsx_rows = _xlsx(path)
    csv_rows = _csv(today)
    assert header == [column[0] for column in export.XLSX_COLUMNS]
    assert len(xlsx_rows) == len(csv_rows) == _sql_count()
    for xlsx_row, csv_row in zip(xlsx_rows, csv_rows, strict=True):
        for csv_header, xlsx_header in SHARED.items():
            assert _as_csv_text(xlsx_row[xlsx_header]) == cell_text(_unguarded(csv_row[csv_header])), (
                csv_row["编号"], csv_header)
    with zipfile.ZipFile(path) as archive:
        body = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in body and "<f " not in body  # no formula anywhere, whatever the text
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:AF{len(xlsx_rows) + 1}"
    return xlsx_rows, csv_rows


def _reference_cells(rows) -> list[list[tuple]]:
    """What openpyxl's ordinary writer makes of the same rows (the export as it was written before
    the streaming writer): (value, data type, number format, fill colour) a cell, read back."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    columns = export.xlsx_columns()
    fills = {state: PatternFill("solid", fgColor=color) for state, color in export._FILLS.items()}
    for line, row in enumerate(rows, start=2):
        for index, (header, _, read, _) in enumerate(columns, start=1):
            value = read(row)
            cell = sheet.cell(row=line, column=index)
            if isinstance(value, dt.date):
                cell.value, cell.number_format = value, "yyyy-mm-dd"
            elif isinstance(value, int):
                cell.value = value
            elif value in (None, ""):
                continue
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # openpyxl cuts it to 32,767
                cell.data_type = "s"
            if header in ("倒计时", "期限状态") and row.state:
                cell.fill = fills[row.state]
    buffer = io.BytesIO()
    book.save(buffer)
    return _cells(openpyxl.load_workbook(buffer).active)


def _cells(sheet) -> list[list[tuple]]:
    return [[(cell.value, cell.data_type, cell.number_format if cell.value is not None else None,
              cell.fill.fgColor.rgb if cell.fill.fill_type else None) for cell in row]
            for row in sheet.iter_rows(min_row=2, max_col=len(export.XLSX_COLUMNS))]


def _same_as_openpyxl(tmp_path, today):
    rows = export.ledger_export_rows(today=today)
    path = tmp_path / "streamed.xlsx"
    export.write_xlsx(path, rows)
    streamed = _cells(openpyxl.load_workbook(path)[export.XLSX_SHEET])
    assert streamed == _reference_cells(rows)
    assert len(streamed) == _sql_count()


@pytest.fixture
def live(ledger):
    clock.fix_today(LIVE_TODAY)
    fixtures.seed("live", today=LIVE_TODAY)
    yield
    clock.fix_today(None)


def test_the_live_fixture_exports_the_same_cells_to_xlsx_and_csv(live, tmp_path):
    xlsx_rows, _ = _same_as_csv(tmp_path, LIVE_TODAY)
    assert len(xlsx_rows) > 30
    states = {row["期限状态"] for row in xlsx_rows}
    assert {"已逾期", "已办结"} <= states  # the fixture has both, so the fills are exercised
    _same_as_openpyxl(tmp_path, LIVE_TODAY)


def test_an_empty_ledger_exports_a_header_and_nothing_else(ledger, today, tmp_path):
    xlsx_rows, csv_rows = _same_as_csv(tmp_path, today)
    assert xlsx_rows == [] and csv_rows == [] and _sql_count() == 0
    sheet, header, _ = _xlsx(tmp_path / "台账.xlsx")
    assert sheet.max_row == 1 and header[3] == "标题" and sheet["A1"].font.b
    assert sheet.column_dimensions["D"].width == 44


def test_awkward_text_stays_text_in_the_xlsx(ledger, today, tmp_path):
    proposer = Proposer.create(name="=1+1", group="[b]福田[/b]", unit_title="\x1b[2J清屏", phone="+86 138")
    for number in AWKWARD:
        new_case(number, lead_proposer=proposer)
    replied_case("20230011")
    for number, title in AWKWARD.items():  # stored as given: the checks on entry are not what is tested
        Case.update(title=title, cosigners=["=A1", "[/]"], reply_doc_no="@x").where(Case.number == number).execute()

    xlsx_rows, csv_rows = _same_as_csv(tmp_path, today)

    titles = dict(Case._meta.database.execute_sql('SELECT number, title FROM "case"').fetchall())
    by_number = {row["编号"]: row for row in xlsx_rows}
    for number, title in titles.items():
        assert by_number[number]["标题"] == cell_text(title)
    assert by_number["20230001"]["标题"] == "=SUM(A1)"
    assert by_number["20230003"]["标题"] == "控制字符与终端]2;改标题完"  # C0 controls (ESC, BEL) cannot be in a cell
    assert by_number["20230004"]["标题"] == "长" * MAX_TEXT
    assert by_number["20230006"]["标题"] == "  前后有空格  "
    assert by_number["20230007"]["标题"] == "a & b <c> \"引号\" 'x' \r\n第二行\t制表"
    assert by_number["20230008"]["标题"] == "#N/A"
    assert by_number["20230001"]["附议/联名"] == "=A1、[/]" and by_number["20230001"]["答复文号"] == "@x"
    assert by_number["20230001"]["领衔代表/委员"] == "=1+1"
    assert {row["编号"]: row["标题"] for row in csv_rows}["20230001"] == "'=SUM(A1)"
    sheet = openpyxl.load_workbook(tmp_path / "台账.xlsx")[export.XLSX_SHEET]
    assert all(cell.data_type == "s" for cell in sheet["D"][1:])
    _same_as_openpyxl(tmp_path, today)


def test_cell_text_drops_what_a_workbook_cannot_hold():
    assert cell_text("a\x00b\x1fc\td\ne") == "abc\td\ne"
    assert cell_text("孤\ud800立\ufffe") == "孤立"
    assert cell_text("x" * (MAX_TEXT + 1)) == "x" * MAX_TEXT


def test_an_estimated_deadline_marks_the_row_and_notes_the_header(ledger, today, tmp_path):
    from dataclasses import replace

    from store.office_calendar import ESTIMATED_MARK, ESTIMATED_NOTE

    new_case("20230001")
    new_case("20230002")
    plain = tmp_path / "plain.xlsx"
    export.write_xlsx(plain, export.ledger_export_rows(today=today))
    rows = export.ledger_export_rows(today=today)
    rows[1] = replace(rows[1], estimated=True)
    path = tmp_path / "推算.xlsx"

    export.write_xlsx(path, rows)

    sheet, header, cells = _xlsx(path)
    column = header.index("期限推算") + 1
    assert [row["期限推算"] for row in cells] == [None, ESTIMATED_MARK]
    assert sheet.cell(row=1, column=column).comment.text == ESTIMATED_NOTE
    assert sheet.cell(row=1, column=column).comment.author == "督办台"
    assert all(cell.comment is None for cell in _xlsx(plain)[0][1])  # no estimate, no note
