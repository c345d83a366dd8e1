"""备份 and 检查 (store/backup.py, store/ledger_check.py): a backup made while another desk is
writing is whole and consistent; the check passes good ledgers, finds each planted fault and
names the case, and never changes the file. Every figure is counted again with plain SQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from store import actions, backup, clock
from store.backup import backup_ledger
from store.db import close_database, open_database
from store.errors import LedgerError
from store.ledger_check import ERROR, check_file, check_ledger
from store.proxy import database

from store_helpers import OPERATOR, assigned_case, new_case, replied_case


# ------------------------------------------------------------------------------ helpers


def sql(path: Path, query: str, *args) -> list[tuple]:
    """An independent look at a file: plain sqlite3, read-only."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(query, args).fetchall()
    finally:
        connection.close()


def version_vs_events(path: Path) -> list[tuple]:
    """Cases whose version is not their number of events (empty when all agree)."""
    return sql(path, 'SELECT c.id, c.version, COUNT(e.id) FROM "case" c LEFT JOIN event e ON e.case_id = c.id '
                     "GROUP BY c.id HAVING c.version != COUNT(e.id)")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(path: Path) -> dict[str, int]:
    """A closed ledger file: a replied case, an assigned one urged twice with one urge undone,
    and a new one."""
    open_database(path)
    clock.fix_today(dt.date(2023, 9, 1))
    try:
        ids = {"replied": replied_case("20230001"), "urged": assigned_case("20230002"), "new": new_case("20230003")}
        actions.urge_division(ids["urged"], OPERATOR)
        second = actions.urge_division(ids["urged"], OPERATOR)
        actions.undo(second.event_id, OPERATOR, reason="重复催办")
        actions.log_follow_up(ids["new"], OPERATOR, kind="备注", note="待签收")
    finally:
        clock.fix_today(None)
        close_database()
    return ids


def label(path: Path, case_id: int) -> str:
    (session, number), = sql(path, 'SELECT s.name, c.number FROM "case" c JOIN session s ON s.id = c.session_id '
                                   "WHERE c.id = ?", case_id)
    return f"{session}第{number}号"


def plant(path: Path, *statements: str, foreign_keys: bool = True) -> None:
    """Change the file behind the program's back, as another tool could."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def checked(path: Path):
    open_database(path, create=False, read_only=True)
    try:
        return check_ledger()
    finally:
        close_database()


@pytest.fixture
def built(tmp_path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "ledger.db"
    return path, build(path)


# ------------------------------------------------------------------------------- backup


def test_backup_while_another_desk_writes_is_whole_and_consistent(desk, tmp_path, monkeypatch):
    path, ids = desk
    monkeypatch.setattr(backup, "STEP_PAGES", 1)  # one page a step: the writer commits between steps
    written: list[int] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                actions.log_follow_up(ids["overdue"], "另一工作站", kind="备注", note=f"第{len(written) + 1}条")
                written.append(1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            close_database()

    thread = threading.Thread(target=writer)
    thread.start()
    during: list[int] = []
    try:
        while len(written) < 5:
            time.sleep(0.01)

        def progress(done, total):
            during.append(len(written))
            time.sleep(0.002)

        result = backup_ledger(tmp_path / "备份.db", progress=progress)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failures
    assert during[-1] > during[0], "the other desk kept writing while the pages were copied"
    copy = tmp_path / "备份.db"
    assert result.path == copy and result.size == copy.stat().st_size
    assert sql(copy, "PRAGMA integrity_check") == [("ok",)]
    assert version_vs_events(copy) == []  # no case caught half-recorded
    assert result.events == sql(copy, "SELECT COUNT(*) FROM event")[0][0]
    assert result.cases == sql(copy, 'SELECT COUNT(*) FROM "case"')[0][0] == len(ids)
    now = database.obj.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0]
    assert result.events < now  # the copy is one moment; the ledger went on
    assert sql(copy, "PRAGMA journal_mode") == [("delete",)]  # one file, nothing beside it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".备份", "备份"))) == ["备份.db"]


@pytest.mark.sqlite_only("duban backup copies the SQLite file (PostgreSQL: pg_dump, refused in Chinese)")
def test_backup_of_an_empty_ledger(ledger, tmp_path):
    result = backup_ledger(tmp_path / "空.db")
    assert (result.cases, result.events) == (0, 0)
    assert sql(tmp_path / "空.db", "PRAGMA integrity_check") == [("ok",)]
    assert "0 件" in result.summary()


def test_backup_refuses_and_leaves_no_file(desk, tmp_path):
    path, _ = desk
    existing = tmp_path / "已有.db"
    existing.write_bytes(b"keep")
    cases = {
        existing: "已存在",
        tmp_path / "没有的文件夹" / "备份.db": "不存在",
        path: "台账本身",
        tmp_path: "文件夹",
        "": "请给出",
    }
    before = sorted(p.name for p in tmp_path.iterdir())
    for out, words in cases.items():
        with pytest.raises(LedgerError) as refused:
            backup_ledger(out)
        assert words in refused.value.message
    assert existing.read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_failed_backup_leaves_no_half_file(desk, tmp_path, monkeypatch):
    def broken(_path):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "_verify", broken)
    with pytest.raises(LedgerError) as refused:
        backup_ledger(tmp_path / "备份.db")
    assert "磁盘已满" in refused.value.message and "没有留下不完整的文件" in refused.value.message
    assert [p.name for p in tmp_path.iterdir() if "备份" in p.name] == []


def test_postgresql_is_sent_to_pg_dump(ledger, tmp_path, monkeypatch):
    from store.db import Target

    monkeypatch.setattr(ledger, "duban_target", Target("postgresql", url="postgresql://duban:secret@db/ledger"))
    with pytest.raises(LedgerError) as refused:
        backup_ledger(tmp_path / "备份.db")
    assert "pg_dump" in refused.value.message and "pg_restore" in refused.value.message
    assert "secret" not in refused.value.message
    assert not (tmp_path / "备份.db").exists()


# -------------------------------------------------------------------------------- check


def test_a_good_ledger_passes_and_is_counted(built):
    path, ids = built
    report = checked(path)
    assert report.ok and report.findings == ()
    assert report.cases == sql(path, 'SELECT COUNT(*) FROM "case"')[0][0] == 3
    assert report.events == sql(path, "SELECT COUNT(*) FROM event")[0][0]
    assert report.lines()[-1].startswith("检查通过")
    # the undone urge is not counted: one urge stands
    assert sql(path, 'SELECT urge_count FROM "case" WHERE id = ?', ids["urged"]) == [(1,)]


def test_an_empty_ledger_passes(tmp_path):
    path = tmp_path / "empty.db"
    open_database(path)
    close_database()
    report = checked(path)
    assert report.ok and (report.cases, report.events) == (0, 0)
    assert "检查通过" in report.render()


def test_the_desk_ledger_passes(desk):
    report = check_ledger()
    assert report.ok, report.render()
    assert report.events == database.obj.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0]


@pytest.mark.parametrize("fault, kind, words", [
    ('UPDATE "case" SET version = version + 1 WHERE id = {urged}', "版本号与跟进记录", "跟进记录"),
    ("UPDATE \"case\" SET next_due = '2031-01-01' WHERE id = {urged}", "缓存的期限", "2031-01-01"),
    ('UPDATE "case" SET urge_count = 4 WHERE id = {urged}', "催办次数", "催办 4 次"),
    ('UPDATE "case" SET urge_level = 3 WHERE id = {urged}', "催办次数", "级别 3"),
    ('UPDATE "case" SET division_id = 999 WHERE id = {urged}', "外键", "处室"),
])
def test_each_planted_fault_is_found_and_names_the_case(built, fault, kind, words):
    path, ids = built
    plant(path, fault.format(**ids), foreign_keys=False)
    report = checked(path)
    assert not report.ok
    assert [f.kind for f in report.findings] == [kind], report.render()
    line = report.lines()[1]
    assert line.startswith(ERROR) and words in line and label(path, ids["urged"]) in line
    assert report.lines()[-1].startswith("发现 1 处问题")


def test_a_dangling_event_is_found(built):
    path, _ = built
    plant(path, "INSERT INTO event (case_id, at, operator, kind, note, method, stage, data, version) "
                "VALUES (999, '2023-09-01 02:00:00', '某人', '备注', '', '', '', '{}', 1)", foreign_keys=False)
    report = checked(path)
    assert {f.kind for f in report.findings} == {"外键"}
    assert "跟进记录（event）" in report.render() and "件（case）" in report.render()


def test_several_faults_are_each_found(built):
    path, ids = built
    plant(path, f'UPDATE "case" SET version = 9 WHERE id = {ids["new"]}',
          f"UPDATE \"case\" SET next_milestone = '签收' WHERE id = {ids['replied']}")
    report = checked(path)
    assert sorted(f.case_id for f in report.findings) == sorted([ids["new"], ids["replied"]])
    assert report.lines()[-1].startswith("发现 2 处问题")


def test_a_dropped_trigger_is_found_in_a_ledger_the_opener_refuses(built):
    path, ids = built
    plant(path, "DROP TRIGGER event_no_delete", f'UPDATE "case" SET version = 1 WHERE id = {ids["urged"]}')
    with pytest.raises(LedgerError):
        open_database(path, create=False, read_only=True)
    report = check_file(path)
    kinds = [f.kind for f in report.findings]
    assert kinds == ["只增保护", "版本号与跟进记录"], report.render()
    assert "event_no_delete" in report.render() and label(path, ids["urged"]) in report.render()
    assert report.events == sql(path, "SELECT COUNT(*) FROM event")[0][0]


def test_a_damaged_file_is_reported_not_raised(built):
    path, _ = built
    (root,), = sql(path, "SELECT rootpage FROM sqlite_master WHERE name = 'event'")
    (size,), = sql(path, "PRAGMA page_size")
    data = bytearray(path.read_bytes())
    data[(root - 1) * size: (root - 1) * size + 12] = b"\xff" * 12  # the event table's page header
    path.write_bytes(bytes(data))
    report = check_file(path)
    assert not report.ok and {f.kind for f in report.findings} == {"完整性"}


def test_check_leaves_the_file_byte_identical(built):
    path, ids = built
    before = digest(path), path.stat().st_mtime_ns
    assert checked(path).ok
    assert (digest(path), path.stat().st_mtime_ns) == before
    plant(path, "DROP TRIGGER change_record_no_update")
    before = digest(path)
    check_file(path)
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["ledger.db"]


def test_check_while_another_desk_writes_sees_one_moment(desk):
    path, ids = desk
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                actions.log_follow_up(ids["soon"], "另一工作站", kind="备注", note="写入中")
                written.append(1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            close_database()

    thread = threading.Thread(target=writer)
    thread.start()
    reports = []
    try:
        while len(written) < 3:
            time.sleep(0.01)
        for _ in range(15):
            reports.append(check_ledger())
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failures
    assert len({report.events for report in reports}) > 1, "the other desk wrote between the checks"
    assert all(report.ok for report in reports), [r.render() for r in reports if not r.ok]
