"""`duban org import|export` on the command line."""

from __future__ import annotations

import sqlite3

import openpyxl

from tests.cli.conftest import assert_refused, state_of
from tests.cli.helpers import small_ledger

HEADER = ["处室", "处室顺序", "姓名", "职务", "岗位", "电话", "分管处室", "状态"]
GOOD = [["综合处", 10, "张三", "处长", "", "", None, ""],
        ["综合处", 10, "李四", "经办人", "", "", None, ""],
        ["数据资源处", 20, None, None, None, None, None, None],
        [None, None, "王局", "分管局领导", "", "", "综合处", ""]]


def _sheet(path, rows, header=HEADER):
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def _rows(ledger, query):
    connection = sqlite3.connect(ledger)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_import_into_a_missing_ledger_creates_it_and_says_so(cli, tmp_path):
    ledger = tmp_path / "新台账.db"
    result = cli("org", "import", _sheet(tmp_path / "处室.xlsx", GOOD), "--db", ledger, "--operator", "王秘书")
    assert result.code == 0, result.err
    assert "原先不存在，已新建" in result.out
    assert "处室已新增2个" in result.out and "人员已新增3人" in result.out
    assert _rows(ledger, "SELECT name FROM division ORDER BY sort_order") == [("综合处",), ("数据资源处",)]
    assert _rows(ledger, "SELECT COUNT(*), MIN(operator), MAX(operator) FROM change_record") == [(6, "王秘书", "王秘书")]
    again = cli("org", "import", tmp_path / "处室.xlsx", "--db", ledger)
    assert again.code == 0 and "已新建" not in again.out and "无变化5项" in again.out
    assert _rows(ledger, "SELECT COUNT(*) FROM change_record") == [(6,)]


def test_a_refused_import_leaves_no_new_ledger_and_exits_2(cli, tmp_path):
    ledger = tmp_path / "新台账.db"
    bad = _sheet(tmp_path / "坏.xlsx", [["综合处", 10, "张三", "科长", "", "", None, ""],
                                        ["", None, "李四", "经办人", "", "", None, ""]])
    result = cli("org", "import", bad, "--db", ledger)
    assert_refused(result, must_mention="第2行「职务」")
    assert "第3行「处室」" in result.err
    assert not ledger.exists() and not list(tmp_path.glob("新台账.db*"))


def test_a_refused_import_into_an_existing_ledger_changes_nothing(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    result = cli("org", "import", _sheet(tmp_path / "坏.xlsx", [["综合处", "十", "张三", "处长", "", "", None, ""]]),
                 "--db", ledger)
    assert_refused(result, must_mention="第2行「处室顺序」")
    assert state_of(ledger) == before


def test_a_dry_run_writes_nothing_and_creates_no_ledger(cli, tmp_path):
    ledger = tmp_path / "新台账.db"
    result = cli("org", "import", _sheet(tmp_path / "处室.xlsx", GOOD), "--db", ledger, "--dry-run")
    assert result.code == 0, result.err
    assert "试导入（未写入）" in result.out and "将新增3人" in result.out
    assert not ledger.exists()
    existing = small_ledger(tmp_path / "ledger.db")
    before = state_of(existing)
    result = cli("org", "import", tmp_path / "处室.xlsx", "--db", existing, "--dry-run")
    assert result.code == 0 and "处室将新增1个、将更新1个" in result.out and "另有同名的“张三”" in result.out
    assert state_of(existing) == before


def test_export_writes_one_row_a_person_and_refuses_a_missing_ledger(cli, tmp_path):
    ledger = tmp_path / "台账.db"
    assert cli("org", "import", _sheet(tmp_path / "处室.xlsx", GOOD), "--db", ledger).code == 0
    out = tmp_path / "导出.xlsx"
    result = cli("org", "export", out, "--db", ledger)
    assert result.code == 0, result.err
    assert "处室2个、人员3人" in result.out
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 4
    assert ("数据资源处", 20, "在用", None, None, None, None, None, None) in rows
    assert (None, None, None, "王局", "分管局领导", None, None, "综合处", "在任") in rows
    missing = cli("org", "export", tmp_path / "x.xlsx", "--db", tmp_path / "无.db")
    assert_refused(missing, must_mention="不存在")
    assert not (tmp_path / "无.db").exists() and not (tmp_path / "x.xlsx").exists()


def test_bad_arguments_are_refused_with_exit_2(cli, tmp_path):
    assert_refused(cli("org"), must_mention="缺少必需的参数")
    assert_refused(cli("org", "import", tmp_path / "无此文件.xlsx", "--db", tmp_path / "a.db"), must_mention="不存在")
    assert not (tmp_path / "a.db").exists()
    ledger = small_ledger(tmp_path / "ledger.db")
    assert_refused(cli("org", "export", tmp_path / "导出.csv", "--db", ledger), must_mention=".xlsx")
    assert_refused(cli("org", "export", ledger, "--db", ledger), must_mention="台账数据库本身")
    assert_refused(cli("org", "import", _sheet(tmp_path / "ok.xlsx", GOOD), "--db", ledger, "--operator", " "),
                   must_mention="操作人")


def test_writing_commands_create_the_default_ledger_on_a_fresh_login(cli, tmp_path, isolated):
    """No --db, no DUBAN_DB, no data folder yet: org import and session create make it and say so."""
    default = isolated / "data" / "duban" / "ledger.db"
    assert not default.parent.exists()
    result = cli("org", "import", _sheet(tmp_path / "处室.xlsx", GOOD), "--operator", "王秘书")
    assert result.code == 0, result.err
    assert "已新建" in result.out and default.is_file()
    assert _rows(default, "SELECT COUNT(*) FROM person") == [(3,)]
    default.unlink()
    made = cli("session", "create", "市七届人大五次会议", "--body", "人大", "--year", "2026", "--operator", "王秘书")
    assert made.code == 0, made.err
    assert "已新建" in made.out and _rows(default, "SELECT name FROM session") == [("市七届人大五次会议",)]
