"""Issue 11: the ledger file — refused when not whole, read-only when it cannot be written,
migrated from every earlier schema, and append-only in the database itself.

The files under tests/ledgers/ were written by the program at schema versions 1 to 5
(the `live` demo fixture, dated around 2024-06-20), from the commits before each schema change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from store import actions, clock
from store.db import SCHEMA_VERSION, close_database, open_database, read_only_reason
from store.errors import DatabaseUnusable, LedgerReadOnly
from store.ledger_schema import trigger_names
from store.office import add_division

LEDGERS = Path(__file__).resolve().parent.parent / "ledgers"
OLD_VERSIONS = (1, 2, 3, 4, 5)
TABLES = ("duban_meta", "session", "division", "person", "proposer", "case", "event", "calendar_day",
          "calendar_year", "weekly_review")


def _copy(tmp_path, version: int) -> Path:
    target = tmp_path / f"v{version}.db"
    shutil.copyfile(LEDGERS / f"schema-v{version}.db", target)
    return target


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw(path: Path, sql: str, *args):
    with sqlite3.connect(path) as raw:
        return raw.execute(sql, args).fetchall()


@pytest.fixture(autouse=True)
def _closed():
    yield
    close_database()
    clock.fix_today(None)


# ------------------------------------------------------------------ every earlier schema


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_a_ledger_of_every_earlier_schema_opens_with_every_row_kept(tmp_path, version):
    path = _copy(tmp_path, version)
    assert _raw(path, "SELECT value FROM duban_meta WHERE key='schema_version'") == [(str(version),)]
    counts = {table: _raw(path, f'SELECT count(*) FROM "{table}"')[0][0]
              for table in TABLES if _raw(path, "SELECT 1 FROM sqlite_master WHERE name=?", table)}
    events = _raw(path, "SELECT id, case_id, at, on_date, operator, kind, note, version FROM event ORDER BY id")
    cases = _raw(path, 'SELECT id, number, title, status, version, replied_on, evaluation, urge_count '
                       'FROM "case" ORDER BY id')
    assert counts["case"] == 40 and counts["event"] > 300

    db = open_database(path)
    assert db.duban_backup is not None and db.duban_backup.exists()
    close_database()

    assert _raw(path, "SELECT value FROM duban_meta WHERE key='schema_version'") == [(str(SCHEMA_VERSION),)]
    for table, count in counts.items():
        assert _raw(path, f'SELECT count(*) FROM "{table}"')[0][0] == count, table
    assert _raw(path, "SELECT id, case_id, at, on_date, operator, kind, note, version FROM event ORDER BY id") == events
    assert _raw(path, 'SELECT id, number, title, status, version, replied_on, evaluation, urge_count '
                      'FROM "case" ORDER BY id') == cases
    triggers = {row[0] for row in _raw(path, "SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert trigger_names("sqlite") <= triggers
    # the backup is the file as it was, at its old version
    assert _raw(db.duban_backup, "SELECT value FROM duban_meta WHERE key='schema_version'") == [(str(version),)]
    assert _raw(db.duban_backup, "SELECT count(*) FROM event")[0][0] == len(events)


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_the_migrated_deadlines_equal_their_recomputed_values(tmp_path, version):
    """Every cached deadline after the migration is what the rules give now: recomputing moves none."""
    from store.deadlines import recompute_next_due

    path = _copy(tmp_path, version)
    open_database(path)
    clock.fix_today(dt.date(2024, 6, 20))
    with actions._transaction():
        assert recompute_next_due() == 0
    due = _raw(path, 'SELECT count(*) FROM "case" WHERE next_due IS NOT NULL')[0][0]
    open_cases = _raw(path, "SELECT count(*) FROM \"case\" WHERE closed_on IS NULL AND status != '已办结'")[0][0]
    assert due > 0 and due <= open_cases


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_a_migrated_ledger_takes_new_events(tmp_path, version):
    path = _copy(tmp_path, version)
    open_database(path)
    case_id = _raw(path, "SELECT id FROM \"case\" WHERE status NOT IN ('已办结') ORDER BY id LIMIT 1")[0][0]
    before = _raw(path, "SELECT count(*) FROM event")[0][0]
    actions.log_follow_up(case_id, "测试", kind="查办", note="迁移后第一条")
    assert _raw(path, "SELECT count(*) FROM event")[0][0] == before + 1


def test_a_ledger_newer_than_the_program_is_refused_untouched(tmp_path):
    path = _copy(tmp_path, 3)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE duban_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    digest = _digest(path)
    with pytest.raises(DatabaseUnusable, match="更新版本"):
        open_database(path)
    assert _digest(path) == digest


# ------------------------------------------------------------------ refuse what is not whole


def _current(tmp_path) -> Path:
    path = _copy(tmp_path, 3)
    open_database(path)
    close_database()
    return path


@pytest.mark.parametrize("damage, word", [
    ("DROP TABLE event", "表 event（跟进记录）"),
    ('DROP TABLE "case"', "表 case（件）"),
    ("DROP TABLE change_record", "表 change_record（变更记录）"),
    ('ALTER TABLE "case" DROP COLUMN urge_count', "列 case.urge_count"),
    ("ALTER TABLE person DROP COLUMN phone", "列 person.phone"),
    ("DROP TRIGGER event_no_delete", "event_no_delete"),
])
@pytest.mark.parametrize("read_only", [False, None, True])
def test_a_ledger_missing_a_part_is_refused_untouched(tmp_path, damage, word, read_only):
    path = _current(tmp_path)
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        if "case" in damage and "TABLE \"case\"" in damage:
            raw.execute("DROP TABLE event")
        raw.execute(damage)
    digest = _digest(path)
    with pytest.raises(DatabaseUnusable) as refused:
        open_database(path, create=False, read_only=read_only)
    assert "台账" in refused.value.message and "不完整" in refused.value.message
    assert word in refused.value.message and "未作任何改动" in refused.value.message
    assert _digest(path) == digest
    tables = {row[0] for row in _raw(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    if "DROP TABLE" in damage:
        assert damage.split()[-1].strip('"') not in tables  # nothing re-created it


def test_an_old_ledger_lacking_a_later_part_is_not_called_incomplete(tmp_path):
    """A version-1 ledger has no 变更记录 table and no triggers: that is its version, not damage."""
    path = _copy(tmp_path, 1)
    assert not _raw(path, "SELECT 1 FROM sqlite_master WHERE name='change_record'")
    open_database(path)
    assert _raw(path, "SELECT count(*) FROM change_record") == [(0,)]


# ------------------------------------------------------------------ append-only


@pytest.mark.parametrize("statement", [
    "UPDATE event SET note = '改过' WHERE id = 1",
    "DELETE FROM event WHERE id = 1",
    "DELETE FROM event",
    "UPDATE change_record SET operator = 'x'",
    "DELETE FROM change_record",
    "INSERT OR REPLACE INTO event SELECT * FROM event WHERE id = 1",
    "REPLACE INTO change_record SELECT * FROM change_record",
])
def test_a_raw_connection_cannot_rewrite_the_timeline(tmp_path, statement):
    path = _current(tmp_path)
    open_database(path)
    add_division("测试", "测试处")
    close_database()
    before = _raw(path, "SELECT count(*), group_concat(note, '|') FROM event")
    changes = _raw(path, "SELECT count(*), group_concat(operator) FROM change_record")
    raw = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
    finally:
        raw.close()
    assert _raw(path, "SELECT count(*), group_concat(note, '|') FROM event") == before
    assert _raw(path, "SELECT count(*), group_concat(operator) FROM change_record") == changes


def test_an_append_only_refusal_reads_as_a_sentence(tmp_path):
    from store.db import describe_db_error

    path = _current(tmp_path)
    db = open_database(path)
    with pytest.raises(Exception) as refused:
        db.execute_sql("DELETE FROM event WHERE id = 1")
    assert "只能追加" in describe_db_error(refused.value) and "更正" in describe_db_error(refused.value)


def test_a_new_ledger_is_append_only_from_the_start(tmp_path):
    path = tmp_path / "new.db"
    open_database(path)
    close_database()
    triggers = {row[0] for row in _raw(path, "SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert triggers == trigger_names("sqlite")


# ------------------------------------------------------------------ read-only


def test_a_ledger_opened_read_only_reads_and_refuses_every_write(tmp_path):
    from store.io import export
    from store.queries import ledger_rows

    path = _current(tmp_path)
    digest = _digest(path)
    open_database(path, create=False, read_only=True)
    reason = read_only_reason()
    assert reason and "只读" in reason
    assert len(ledger_rows(today=dt.date(2024, 6, 20))) == 40
    assert len(export.ledger_records(today=dt.date(2024, 6, 20))) == 40
    case_id = _raw(path, 'SELECT min(id) FROM "case"')[0][0]
    with pytest.raises(LedgerReadOnly, match="只读"):
        actions.log_follow_up(case_id, "测试", kind="查办", note="不应写入")
    with pytest.raises(LedgerReadOnly):
        add_division("测试", "新处室")
    close_database()
    assert _digest(path) == digest


def test_a_missing_ledger_is_not_created_read_only(tmp_path):
    with pytest.raises(DatabaseUnusable, match="不存在"):
        open_database(tmp_path / "none.db", read_only=True)
    assert not (tmp_path / "none.db").exists()


def test_an_old_ledger_cannot_be_opened_read_only(tmp_path):
    path = _copy(tmp_path, 1)
    digest = _digest(path)
    with pytest.raises(DatabaseUnusable, match="旧版"):
        open_database(path, read_only=True)
    assert _digest(path) == digest and not list(tmp_path.glob("*备份*"))


def _unwritable(monkeypatch):
    """As root, chmod does not stop a write: make the process's own view of the file read-only."""
    import os

    real = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and str(path).endswith(("v3.db", "ledgers")):
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_an_unwritable_ledger_opens_read_only_when_allowed_and_is_refused_otherwise(tmp_path, monkeypatch):
    path = _current(tmp_path)
    _unwritable(monkeypatch)
    with pytest.raises(DatabaseUnusable, match="只读"):
        open_database(path)
    open_database(path, read_only=None)
    assert "只读" in read_only_reason()
    assert _raw(path, 'SELECT count(*) FROM "case"') == [(40,)]


def test_a_ledger_made_read_only_while_open_is_noticed_at_the_next_write(tmp_path, monkeypatch):
    import store.db

    path = _current(tmp_path)
    open_database(path)
    case_id = _raw(path, "SELECT min(id) FROM \"case\" WHERE status != '已办结'")[0][0]
    actions.log_follow_up(case_id, "测试", kind="查办", note="写得进")
    before = _raw(path, "SELECT count(*) FROM event")
    monkeypatch.setattr(store.db, "writable", lambda _path: False)
    with pytest.raises(LedgerReadOnly, match="已变为只读"):
        actions.log_follow_up(case_id, "测试", kind="查办", note="写不进")
    assert _raw(path, "SELECT count(*) FROM event") == before


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="as root a chmod does not make a file read-only")
def test_a_real_read_only_file_opens_read_only(tmp_path):
    path = _current(tmp_path)
    path.chmod(0o444)
    try:
        open_database(path, read_only=None)
        assert "只读" in read_only_reason()
        case_id = _raw(path, 'SELECT min(id) FROM "case"')[0][0]
        with pytest.raises(LedgerReadOnly):
            actions.log_follow_up(case_id, "测试", kind="查办", note="不应写入")
    finally:
        path.chmod(0o644)


# ------------------------------------------------------------------ a really full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (needs root and the right to mount: skipped elsewhere; the full disk of a
    write is also made without root, with PRAGMA max_page_count: tests/store/test_disk_full.py)."""
    import os
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("a small disk needs root and mount (tmpfs)")
    try:
        yield mount
    finally:
        close_database()
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk until only about `leave` bytes are free."""
    free = shutil.disk_usage(disk).free
    with (disk / "filler").open("ab") as handle:
        handle.write(b"\0" * max(free - leave, 0))


def test_a_ledger_on_a_full_disk_opens_read_only_and_exports(small_disk, tmp_path):
    from store.io import export

    path = small_disk / "ledger.db"
    shutil.copyfile(_current(tmp_path), path)
    _fill(small_disk, 64 * 1024)
    digest = _digest(path)
    with pytest.raises(DatabaseUnusable, match="磁盘已满"):
        open_database(path)  # a command that writes is refused with the reason
    open_database(path, create=False, read_only=None)
    assert "磁盘已满" in read_only_reason()
    assert len(export.ledger_records(today=dt.date(2024, 6, 20))) == 40
    case_id = _raw(path, 'SELECT min(id) FROM "case"')[0][0]
    with pytest.raises(LedgerReadOnly, match="磁盘已满"):
        actions.log_follow_up(case_id, "测试", kind="查办", note="不应写入")
    close_database()
    assert _digest(path) == digest


def test_a_disk_that_fills_while_the_ledger_is_open_is_noticed_at_the_next_write(small_disk, tmp_path):
    path = small_disk / "ledger.db"
    shutil.copyfile(_current(tmp_path), path)
    open_database(path)
    case_id = _raw(path, "SELECT min(id) FROM \"case\" WHERE status != '已办结'")[0][0]
    actions.log_follow_up(case_id, "测试", kind="查办", note="写得进")
    before = _raw(path, "SELECT count(*) FROM event")
    _fill(small_disk, 16 * 1024)
    with pytest.raises(LedgerReadOnly, match="磁盘已满.*已填写的内容仍在"):
        actions.log_follow_up(case_id, "测试", kind="查办", note="写不进")
    (small_disk / "filler").unlink()
    actions.log_follow_up(case_id, "测试", kind="查办", note="清理后写得进")
    assert _raw(path, "SELECT count(*) FROM event")[0][0] == before[0][0] + 1
