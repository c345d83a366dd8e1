"""duban backup and duban check on the command line: what they print, their exit codes
(check: 0 passed, 1 problems, 2 refused), their refusals, and that neither changes the ledger."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import assert_refused, state_of, subprocess_env
from tests.cli.helpers import small_ledger


def sql(path: Path, query: str, *args) -> list[tuple]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(query, args).fetchall()
    finally:
        connection.close()


def plant(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys=OFF")
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ledger_file(tmp_path) -> Path:
    return small_ledger(tmp_path / "台账.db")


def test_backup_says_what_it_wrote(cli, ledger_file, tmp_path):
    out = tmp_path / "备份-1.db"
    result = cli("backup", "--db", ledger_file, "--out", out)
    assert result.code == 0, result
    cases = sql(out, 'SELECT COUNT(*) FROM "case"')[0][0]
    events = sql(out, "SELECT COUNT(*) FROM event")[0][0]
    assert (cases, events) == (sql(ledger_file, 'SELECT COUNT(*) FROM "case"')[0][0],
                               sql(ledger_file, "SELECT COUNT(*) FROM event")[0][0])
    assert str(out) in result.out and f"共 {cases} 件、{events} 条跟进记录" in result.out
    assert sql(out, "PRAGMA integrity_check") == [("ok",)]
    assert result.err == ""


def test_backup_refuses_an_existing_file_a_missing_folder_and_the_ledger(cli, ledger_file, tmp_path):
    existing = tmp_path / "已有.db"
    existing.write_bytes(b"an older backup")
    assert_refused(cli("backup", "--db", ledger_file, "--out", existing), must_mention="已存在")
    assert existing.read_bytes() == b"an older backup"
    assert_refused(cli("backup", "--db", ledger_file, "--out", tmp_path / "无此文件夹" / "b.db"),
                   must_mention="不存在")
    before = state_of(ledger_file)
    assert_refused(cli("backup", "--db", ledger_file, "--out", ledger_file), must_mention="台账本身")
    assert state_of(ledger_file) == before  # refused before the ledger was opened
    assert_refused(cli("backup", "--db", tmp_path / "没有.db", "--out", tmp_path / "b.db"), must_mention="不存在")
    assert not (tmp_path / "没有.db").exists() and not (tmp_path / "b.db").exists()
    assert_refused(cli("backup", "--db", ledger_file), must_mention="--out")


def test_backup_of_postgresql_explains_pg_dump(cli, tmp_path):
    result = cli("backup", "--db", "postgresql://duban:secret@db.example/ledger", "--out", tmp_path / "b.db")
    assert_refused(result, must_mention="pg_dump")
    assert "secret" not in result.text


def test_check_passes_a_good_ledger_and_an_empty_one(cli, ledger_file, tmp_path):
    result = cli("check", "--db", ledger_file)
    assert result.code == 0, result
    cases = sql(ledger_file, 'SELECT COUNT(*) FROM "case"')[0][0]
    assert f"{cases} 件" in result.out and result.out.rstrip().splitlines()[-1].startswith("检查通过")
    empty = tmp_path / "空台账.db"
    assert cli("seed", "--fixture", "live", "--db", tmp_path / "x.db").code == 0  # the live fixture: every case through the actions
    from store.db import close_database, open_database

    open_database(empty)
    close_database()
    result = cli("check", "--db", empty)
    assert result.code == 0 and "0 件、0 条跟进记录" in result.out, result
    assert cli("check", "--db", tmp_path / "x.db").code == 0


def test_check_names_each_problem_and_exits_1(cli, ledger_file):
    (case_id, number, session), = sql(ledger_file, 'SELECT c.id, c.number, s.name FROM "case" c '
                                                   "JOIN session s ON s.id = c.session_id ORDER BY c.id LIMIT 1")
    plant(ledger_file, f'UPDATE "case" SET urge_count = 2 WHERE id = {case_id}',
          f"UPDATE \"case\" SET next_due = '2030-05-05' WHERE id = {case_id}")
    before = digest(ledger_file)
    result = cli("check", "--db", ledger_file)
    assert result.code == 1, result
    lines = result.out.strip().splitlines()
    assert lines[-1].startswith("发现 2 处问题")
    problems = [line for line in lines if line.startswith("错误：")]
    assert len(problems) == 2 and all(f"{session}第{number}号" in line for line in problems)
    assert "Traceback" not in result.text and result.err == ""
    assert digest(ledger_file) == before


def test_check_reports_a_ledger_the_other_commands_refuse(cli, ledger_file):
    plant(ledger_file, "DROP TRIGGER event_no_update")
    assert cli("export", "--db", ledger_file, "--format", "csv").code == 2  # refused everywhere else
    before = digest(ledger_file)
    result = cli("check", "--db", ledger_file)
    assert result.code == 1, result
    assert "event_no_update" in result.out and "发现 1 处问题" in result.out
    assert digest(ledger_file) == before


def test_check_refusals_exit_2(cli, tmp_path):
    assert_refused(cli("check", "--db", tmp_path / "没有.db"), must_mention="不存在")
    assert not (tmp_path / "没有.db").exists()
    empty = tmp_path / "空.db"
    empty.write_bytes(b"")
    assert_refused(cli("check", "--db", empty), must_mention="空文件")
    text = tmp_path / "说明.db"
    text.write_text("这不是台账", encoding="utf-8")
    assert_refused(cli("check", "--db", text), must_mention="不是 SQLite")
    other = tmp_path / "其他.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    assert_refused(cli("check", "--db", other), must_mention="其他程序")


def test_check_leaves_the_ledger_byte_identical(cli, ledger_file):
    before = digest(ledger_file), ledger_file.stat().st_mtime_ns
    assert cli("check", "--db", ledger_file).code == 0
    assert cli("check", "--db", ledger_file).code == 0
    assert (digest(ledger_file), ledger_file.stat().st_mtime_ns) == before


def test_check_as_a_separate_process(ledger_file, isolated):
    """The exit code a scheduled task sees."""
    run = [sys.executable, "-m", "tui.cli", "check", "--db", str(ledger_file)]
    done = subprocess.run(run, capture_output=True, text=True, env=subprocess_env(isolated), timeout=60)
    assert done.returncode == 0, done.stderr
    plant(ledger_file, 'UPDATE "case" SET version = 7')
    done = subprocess.run(run, capture_output=True, text=True, env=subprocess_env(isolated), timeout=60)
    assert done.returncode == 1 and "版本号为 7" in done.stdout and "Traceback" not in done.stderr
