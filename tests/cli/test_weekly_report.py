"""`duban report weekly`: Markdown to stdout, XLSX to a file, a bad week refused in one sentence."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.cli.helpers import small_ledger


def test_report_weekly_markdown_and_xlsx(cli, tmp_path):
    path = small_ledger(tmp_path / "ledger.db")
    result = cli("report", "weekly", "--db", path, "--week", "2026-W48", "--today", "2026-11-27")
    assert result.code == 0, result.err
    assert result.out.startswith("# 督办周报（2026-W48，2026年11月23日至11月29日）")
    assert "## 各处室情况" in result.out and "## 下周风险" in result.out
    out = tmp_path / "周报.xlsx"
    result = cli("report", "weekly", "--db", path, "--week", "2026-W48", "--format", "xlsx", "--out", out)
    assert result.code == 0, result.err
    book = load_workbook(out)
    assert book.sheetnames == ["本周工作", "下周风险", "各处室"]
    assert book["本周工作"]["A2"].value == "2026-W48"
    assert [cell.value for cell in book["各处室"][1]] == ["处室", "在办", "已逾期", "本周催办", "本周答复"]


def test_report_weekly_refuses_a_bad_week_or_format(cli, tmp_path):
    path = small_ledger(tmp_path / "ledger.db")
    result = cli("report", "weekly", "--db", path, "--week", "2026-W60")
    assert result.code == 2 and "周次" in result.err and result.out == ""
    result = cli("report", "weekly", "--db", path, "--format", "xlsx")
    assert result.code == 2 and "--out" in result.err
