"""Bad input: one Chinese sentence on stderr, exit 2, no traceback, and nothing created or changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store.db import SQLITE_HEADER
from tests.cli.conftest import assert_refused, state_of
from tests.cli.helpers import small_ledger


# ---------------------------------------------------------------- unusable --db targets


def _text_file(tmp: Path) -> Path:
    path = tmp / "笔记.txt"
    path.write_text("这是一份文本，不是台账。\nhello\n", encoding="utf-8")
    return path


def _folder(tmp: Path) -> Path:
    path = tmp / "文件夹"
    path.mkdir()
    (path / "inside.txt").write_text("x")
    return path


def _garbage_sqlite(tmp: Path) -> Path:
    path = tmp / "damaged.db"
    path.write_bytes(SQLITE_HEADER + bytes(range(256)) * 40)
    return path


def _damaged_ledger(tmp: Path) -> Path:
    path = small_ledger(tmp / "ledger.db", cases=30)
    with path.open("r+b") as handle:  # keep the header, wreck the pages after the first
        handle.seek(4096)
        handle.write(b"\xa5" * 4096 * 3)
    return path


def _truncated_ledger(tmp: Path) -> Path:
    source = small_ledger(tmp / "whole.db")
    path = tmp / "truncated.db"
    path.write_bytes(source.read_bytes()[:100])
    return path


def _other_program(tmp: Path) -> Path:
    path = tmp / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (name TEXT)")
    connection.execute("INSERT INTO customers VALUES ('x')")
    connection.commit()
    connection.close()
    return path


def _zero_length(tmp: Path) -> Path:
    path = tmp / "empty.db"
    path.touch()
    return path


def _without(statement: str):
    """A ledger a raw connection took a core part from (issue 11: it must not be 'repaired')."""
    def make(tmp: Path) -> Path:
        path = small_ledger(tmp / "ledger.db")
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA foreign_keys = OFF")
            raw.execute(statement)
        raw.close()
        return path
    return make


EXISTING_BAD = {
    "zero-length file": _zero_length,
    "ledger without its event table": _without("DROP TABLE event"),
    "ledger without a column": _without("ALTER TABLE person DROP COLUMN phone"),
    "ledger without its append-only triggers": _without("DROP TRIGGER event_no_update"),
    "text file": _text_file,
    "folder": _folder,
    "garbage after the SQLite header": _garbage_sqlite,
    "damaged ledger": _damaged_ledger,
    "truncated ledger": _truncated_ledger,
    "another program's database": _other_program,
}

MISSING_BAD = {
    "missing folder": lambda tmp: str(tmp / "没有这个文件夹" / "ledger.db"),
    "under /proc": lambda tmp: "/proc/duban-test-ledger.db",
    "under /proc/self": lambda tmp: "/proc/self/duban-test-ledger.db",
    "empty sqlite URL": lambda tmp: "sqlite://",
    "empty sqlite:/// URL": lambda tmp: "sqlite:///",
    "empty string": lambda tmp: "",
    "blank string": lambda tmp: "   ",
    "in-memory": lambda tmp: ":memory:",
    "in-memory URL": lambda tmp: "sqlite:///:memory:",
    "unsupported URL": lambda tmp: "mysql://user@host/db",
}

COMMANDS = {
    "open": lambda db: ["--db", db],
    "seed": lambda db: ["seed", "--fixture", "sz2023", "--db", db],
    "export": lambda db: ["export", "--db", db, "--format", "csv"],
    "report": lambda db: ["report", "summary", "--db", db],
    "weekly report": lambda db: ["report", "weekly", "--db", db, "--format", "md"],
    "import": lambda db: ["import", "--db", db, "--file", str(Path(db).parent / "none.xlsx"), "--operator", "测试"],
    "org export": lambda db: ["org", "export", "--db", db, "--out", str(Path(db).parent / "org.xlsx")],
    "calendar show": lambda db: ["calendar", "show", "--db", db],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", EXISTING_BAD)
def test_an_unusable_existing_target_is_left_as_it_was(cli, fake_app, tmp_path, command, kind):
    target = EXISTING_BAD[kind](tmp_path)
    before = state_of(target)
    siblings = sorted(p.name for p in target.parent.iterdir())
    result = cli(*COMMANDS[command](str(target)))
    assert_refused(result)
    assert state_of(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == siblings
    assert fake_app == []


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", MISSING_BAD)
def test_an_unusable_new_target_creates_nothing(cli, fake_app, tmp_path, command, kind):
    target = MISSING_BAD[kind](tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    result = cli(*COMMANDS[command](target))
    assert_refused(result)
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    if target.startswith("/proc"):
        assert not Path(target).exists()
    assert fake_app == []


def test_export_and_report_do_not_create_a_missing_ledger(cli, tmp_path):
    target = tmp_path / "new.db"
    for args in (["export", "--db", target, "--format", "json"], ["report", "summary", "--db", target]):
        assert_refused(cli(*args), must_mention="不存在")
        assert not target.exists()


def test_export_and_report_do_not_create_the_default_ledger(cli, isolated):
    for args in (["export", "--format", "csv"], ["report", "summary"]):
        assert_refused(cli(*args), must_mention="ledger.db")
    assert not (isolated / "data").exists()


# ------------------------------------------------------------------------- bad values


@pytest.mark.parametrize("day", ["2023-13-45", "tomorrow", "2023-02-30", "", "20231"])
@pytest.mark.parametrize("command", ["open", "seed", "export", "report"])
def test_a_date_that_does_not_parse(cli, fake_app, tmp_path, day, command):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    target = str(ledger) if command != "seed" else str(tmp_path / "fresh.db")
    result = cli(*COMMANDS[command](target), "--today", day)
    assert_refused(result, must_mention="--today")
    assert state_of(ledger) == before
    assert not (tmp_path / "fresh.db").exists()
    assert fake_app == []


def test_unknown_fixture_creates_nothing(cli, tmp_path):
    target = tmp_path / "demo.db"
    result = cli("seed", "--fixture", "nosuch", "--db", target)
    assert_refused(result, must_mention="nosuch")
    assert "sz2023" in result.err
    assert not target.exists()


@pytest.mark.parametrize("cases", ["0", "-5", "2000000"])
def test_cases_out_of_range(cli, tmp_path, cases):
    target = tmp_path / "demo.db"
    assert_refused(cli("seed", "--fixture", "synthetic", "--db", target, "--cases", cases), must_mention="--cases")
    assert not target.exists()


def test_cases_for_a_fixed_fixture(cli, tmp_path):
    target = tmp_path / "demo.db"
    assert_refused(cli("seed", "--fixture", "sz2023", "--db", target, "--cases", "5"), must_mention="--cases")
    assert not target.exists()


def test_cases_not_a_number(cli, tmp_path):
    target = tmp_path / "demo.db"
    assert_refused(cli("seed", "--fixture", "synthetic", "--db", target, "--cases", "many"), must_mention="--cases")
    assert not target.exists()


def test_seed_refuses_a_ledger_that_has_cases(cli, tmp_path):
    ledger = small_ledger(tmp_path / "real.db")
    before = state_of(ledger)
    result = cli("seed", "--fixture", "sz2023", "--db", ledger)
    assert_refused(result, must_mention="已有3件")
    assert state_of(ledger) == before


@pytest.mark.parametrize("fmt", ["xml", "pdf", ""])
def test_unknown_format(cli, tmp_path, fmt):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    out = tmp_path / "out.file"
    assert_refused(cli("export", "--db", ledger, "--format", fmt, "--out", out), must_mention="csv")
    assert not out.exists()
    assert state_of(ledger) == before


@pytest.mark.parametrize("command", ["export", "report"])
def test_unknown_session(cli, tmp_path, command):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    args = (["export", "--db", ledger, "--format", "csv"] if command == "export"
            else ["report", "summary", "--db", ledger])
    result = cli(*args, "--session", "市九届人大一次会议")
    assert_refused(result, must_mention="市九届人大一次会议")
    assert "市七届人大四次会议" in result.err  # names the sessions there are
    assert state_of(ledger) == before


def test_out_is_a_folder(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    folder = tmp_path / "exports"
    folder.mkdir()
    assert_refused(cli("export", "--db", ledger, "--format", "csv", "--out", folder), must_mention="文件夹")
    assert list(folder.iterdir()) == []


def test_out_in_a_missing_folder(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    out = tmp_path / "nope" / "台账.csv"
    assert_refused(cli("export", "--db", ledger, "--format", "csv", "--out", out), must_mention="不存在")
    assert not out.parent.exists()


def test_out_under_proc(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    result = cli("export", "--db", ledger, "--format", "csv", "--out", "/proc/duban-export.csv")
    assert_refused(result, must_mention="/proc/duban-export.csv")
    assert not Path("/proc/duban-export.csv").exists()


def test_out_may_not_overwrite_the_ledger_or_another_database(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    other = small_ledger(tmp_path / "other.db")
    before, before_other = state_of(ledger), state_of(other)
    assert_refused(cli("export", "--db", ledger, "--format", "csv", "--out", ledger), must_mention="台账数据库本身")
    assert_refused(cli("export", "--db", ledger, "--format", "json", "--out", other), must_mention="数据库文件")
    assert state_of(ledger) == before and state_of(other) == before_other


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("command", [
    ("export", "--format", "csv"),
    ("report", "summary"),
    ("report", "summary", "--full", "--format", "docx"),
    ("report", "weekly", "--format", "docx"),
])
def test_out_may_not_overwrite_a_file_sqlite_keeps_beside_the_ledger(cli, tmp_path, suffix, command):
    """The ledger's -wal holds commits not yet in the file: a report written over it would lose them."""
    ledger = small_ledger(tmp_path / "ledger.db")
    companion = Path(f"{ledger}{suffix}")
    companion.write_bytes(b"held by SQLite")
    result = cli(*command, "--db", ledger, "--out", companion)
    assert_refused(result, must_mention="附属文件")
    assert companion.read_bytes() == b"held by SQLite"


def test_demo_with_db(cli, fake_app, tmp_path):
    assert_refused(cli("--demo", "--db", tmp_path / "x.db"), must_mention="--demo")
    assert not (tmp_path / "x.db").exists()
    assert fake_app == []


@pytest.mark.parametrize("name", ["", "   ", "张\x1b[31m三", "名" * 51])
def test_bad_operator(cli, fake_app, tmp_path, name):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    assert_refused(cli("--db", ledger, "--operator", name), must_mention="操作人")
    assert state_of(ledger) == before
    assert fake_app == []


@pytest.mark.parametrize(
    ("args", "mention"),
    [
        (["bogus"], "bogus"),
        (["report"], "报表"),
        (["report", "monthly"], "monthly"),
        (["seed", "--db", "x.db"], "--fixture"),
        (["seed", "--fixture", "live"], "--db"),
        (["export", "--db", "x.db"], "--format"),
        (["--db"], "--db"),
        (["--nonsense"], "--nonsense"),
    ],
)
def test_argument_errors_are_one_chinese_sentence(cli, fake_app, tmp_path, monkeypatch, args, mention):
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert_refused(result, must_mention=mention)
    assert "--help" in result.err
    assert list(tmp_path.iterdir()) == [] or not (tmp_path / "x.db").exists()
    assert fake_app == []
