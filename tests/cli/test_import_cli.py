"""`duban import` and `duban export --format xlsx` on the command line."""

from __future__ import annotations

import datetime as dt

import openpyxl

from store.db import close_database, open_database
from store.models import Case
from tests.cli.conftest import assert_refused, state_of
from tests.cli.helpers import small_ledger

SESSION = "市七届人大四次会议"
HEADER = ["编号", "标题", "领衔代表", "代表团", "办理方式", "主办单位", "交办日期"]


def _list(path, rows, header=HEADER):
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


GOOD = [["20239001", "关于甲的建议", "周九", "罗湖代表团", "主办", "本局", "2023-03-10"],
        ["20239002", "关于乙的建议", "", "", "会办", "市发展改革委", dt.datetime(2023, 3, 10)]]


def _cases(ledger):
    open_database(ledger, create=False)
    try:
        return sorted(case.number for case in Case.select())
    finally:
        close_database()


def test_import_a_good_list_then_again(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    path = _list(tmp_path / "清单.xlsx", GOOD)

    first = cli("import", path, "--db", ledger, "--session", SESSION, "--today", "2023-09-01")
    assert first.code == 0, first.err
    assert "新增2件" in first.out
    second = cli("import", path, "--db", ledger, "--session", SESSION, "--today", "2023-09-01")
    assert second.code == 0 and "无变化2件" in second.out
    assert _cases(ledger) == ["20230001", "20230002", "20230003", "20239001", "20239002"]


def test_a_dry_run_writes_nothing(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    result = cli("import", _list(tmp_path / "清单.xlsx", GOOD), "--db", ledger, "--session", SESSION, "--dry-run",
                 "--today", "2023-09-01")
    assert result.code == 0 and "将新增2件" in result.out
    assert state_of(ledger) == before


def test_a_list_with_errors_is_refused_whole(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    rows = GOOD + [["", "无编号", "", "", "主办", "", "2023-03-10"], ["20239004", "坏日期", "", "", "主办", "", "昨天"]]
    result = cli("import", _list(tmp_path / "清单.xlsx", rows), "--db", ledger, "--session", SESSION,
                 "--today", "2023-09-01")
    assert_refused(result, must_mention="未写入任何内容")
    assert "第4行「编号」：不能为空" in result.err and "第5行「交办日期」" in result.err
    assert state_of(ledger) == before


def test_bad_files_are_refused(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    text = tmp_path / "清单.doc"
    text.write_text("x")
    wrong = _list(tmp_path / "表头.xlsx", [["1", "2", "3"]], header=["甲", "乙", "丙"])
    for path, words in ((tmp_path / "无.xlsx", "不存在"), (broken, "Excel"), (text, ".xlsx 或 .csv"),
                        (wrong, "表头")):
        assert_refused(cli("import", path, "--db", ledger, "--session", SESSION), must_mention=words)
    assert state_of(ledger) == before


def test_import_into_a_new_target_creates_the_ledger_and_says_so(cli, tmp_path):
    target = tmp_path / "新台账.db"
    listing = _list(tmp_path / "清单.xlsx", GOOD)
    preview = cli("import", listing, "--db", target, "--session", SESSION, "--dry-run")
    assert preview.code == 0, preview.err
    assert "尚不存在" in preview.out and "未创建" in preview.out and "2" in preview.out
    assert not target.exists()
    result = cli("import", listing, "--db", target, "--session", SESSION)
    assert result.code == 0, result.err
    assert f"已新建台账“{target}”" in result.out
    assert _cases(target) == ["20239001", "20239002"]
    again = cli("import", listing, "--db", target, "--session", SESSION)
    assert again.code == 0 and "已新建" not in again.out
    assert _cases(target) == ["20239001", "20239002"]


def test_a_refused_import_leaves_no_new_ledger_behind(cli, tmp_path):
    target = tmp_path / "新台账.db"
    bad = _list(tmp_path / "坏清单.xlsx", [["20239001", "", "周九", "罗湖代表团", "主办", "本局", "2023-13-10"]])
    assert_refused(cli("import", bad, "--db", target, "--session", SESSION), must_mention="第2行")
    assert not target.exists() and not list(tmp_path.glob("新台账.db-*"))


def test_export_xlsx_holds_every_case(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db", cases=3)
    out = tmp_path / "台账.xlsx"
    result = cli("export", "--db", ledger, "--format", "xlsx", "--out", out, "--today", "2023-09-01")
    assert result.code == 0, result.err
    sheet = openpyxl.load_workbook(out)["台账"]
    assert sheet.max_row == 4 and sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert "联系电话" in header and sheet.cell(row=2, column=header.index("联系电话") + 1).value == "13800138000"

    public = tmp_path / "公开.xlsx"
    assert cli("export", "--db", ledger, "--format", "xlsx", "--out", public, "--public").code == 0
    sheet = openpyxl.load_workbook(public)["台账"]
    assert "联系电话" not in [cell.value for cell in sheet[1]]


def test_export_xlsx_needs_an_out_file(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    assert_refused(cli("export", "--db", ledger, "--format", "xlsx"), must_mention="--out")


# ------------------------------------------------------------------------- progress line


def _big_list(path, count=300):
    rows = [[f"2023{i:05d}", f"关于第{i}项的建议", "周九", "罗湖代表团", "主办", "本局", "2023-03-10"]
            for i in range(1, count + 1)]
    return _list(path, rows)


def test_piped_import_and_export_write_no_progress_and_no_control_bytes(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    result = cli("import", _big_list(tmp_path / "清单.xlsx"), "--db", ledger, "--session", SESSION,
                 "--today", "2023-09-01")
    assert result.code == 0, result.err
    assert result.err == "" and "新增300件" in result.out
    exported = cli("export", "--db", ledger, "--format", "csv")
    assert exported.code == 0 and exported.err == ""
    import csv
    import io

    assert len(list(csv.reader(io.StringIO(exported.out)))) == 304  # the header, 3 + 300 cases
    for text in (result.out, exported.out.replace("\n和换行", "")):
        assert not any(ord(ch) < 32 and ch not in "\n" for ch in text), repr(text[:200])


def _run_with_terminal_stderr(args, home):
    """Run `python -m tui.cli ARGS` with stderr on a pseudo-terminal, stdout on a pipe."""
    import os
    import pty
    import subprocess
    import sys

    from tests.cli.conftest import REPO, subprocess_env

    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", *map(str, args)], cwd=REPO,
                               env=subprocess_env(home), stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read()
    process.wait(timeout=120)
    os.close(master)
    return process.returncode, out.decode("utf-8"), seen.decode("utf-8", errors="replace")


def test_on_a_terminal_the_progress_line_is_rewritten_and_cleared(tmp_path, isolated):
    ledger = small_ledger(tmp_path / "ledger.db")
    code, out, terminal = _run_with_terminal_stderr(
        ["import", _big_list(tmp_path / "清单.xlsx"), "--db", ledger, "--session", SESSION, "--today", "2023-09-01"],
        isolated)
    assert code == 0, terminal
    assert "新增300件" in out and "\r" not in out  # stdout stays clean
    assert "\r写入 300/300 100%" in terminal and "\r检查" in terminal
    assert terminal.endswith("\r") and "\x1b" not in terminal  # cleared with spaces, no escape sequences
    code, out, terminal = _run_with_terminal_stderr(
        ["export", "--db", ledger, "--format", "xlsx", "--out", tmp_path / "台账.xlsx"], isolated)
    assert code == 0, terminal
    assert "已导出303件" in out and "\r导出 303/303 100%" in terminal
    assert openpyxl.load_workbook(tmp_path / "台账.xlsx")["台账"].max_row == 304
