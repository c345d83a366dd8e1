"""导出台账 XLSX: opens with openpyxl, holds every case, dates as dates, header frozen, public without phones."""

from __future__ import annotations

import datetime as dt

import openpyxl

from store import actions
from store.io import export
from store.models import Case

from store_helpers import OPERATOR, new_case, replied_case


def _book(path):
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[export.XLSX_SHEET]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=2)]
    return sheet, header, rows


def _ledger_with_cases():
    proposer = actions.ensure_proposer("李四", group="福田代表团", phone="13800138000")
    new_case("20230001", lead_proposer=proposer, title='=HYPERLINK("http://x","点我")')
    new_case("20230002", role="汇办", assigned_on=dt.date(2023, 8, 1))
    replied = replied_case("20230003")
    Case.update(reply_summary="答复内容").where(Case.id == replied).execute()


def test_the_xlsx_holds_every_case_with_dates_and_a_frozen_header(ledger, today, tmp_path):
    _ledger_with_cases()
    path = tmp_path / "台账.xlsx"

    export.write_xlsx(path, export.ledger_export_rows())

    sheet, header, rows = _book(path)
    assert sorted(row["编号"] for row in rows) == ["20230001", "20230002", "20230003"]
    assert len(rows) == Case.select().count()
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["D"].width > 20  # 标题
    assert "联系电话" in header
    first = next(row for row in rows if row["编号"] == "20230001")
    assert isinstance(first["交办日期"], dt.datetime) and first["交办日期"].date() == dt.date(2023, 6, 1)
    assert first["联系电话"] == "13800138000" and first["领衔代表/委员"] == "李四"
    assert first["标题"] == '=HYPERLINK("http://x","点我")'  # text, not a formula
    column = header.index("交办日期") + 1
    assert sheet.cell(row=2, column=column).number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=header.index("标题") + 1).data_type == "s"


def test_due_states_are_written_and_coloured(ledger, today, tmp_path):
    _ledger_with_cases()
    path = tmp_path / "台账.xlsx"
    export.write_xlsx(path, export.ledger_export_rows())
    sheet, header, rows = _book(path)
    states = {row["编号"]: row["期限状态"] for row in rows}
    assert states["20230001"] == "已逾期"  # 签收 long overdue on 2023-09-01
    for line, row in enumerate(rows, start=2):
        cell = sheet.cell(row=line, column=header.index("倒计时") + 1)
        assert row["倒计时"]  # written in words
        if row["期限状态"] == "已逾期":
            assert cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_the_public_export_leaves_out_phones_and_undisclosed_replies(ledger, today, tmp_path):
    _ledger_with_cases()
    path = tmp_path / "公开.xlsx"

    export.write_xlsx(path, export.ledger_export_rows(), public=True)

    sheet, header, rows = _book(path)
    assert "联系电话" not in header
    assert len(rows) == 3
    assert all(row["答复摘要"] is None for row in rows)
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "13800138000" not in values
