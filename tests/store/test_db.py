"""Opening the ledger: new and existing files, pragmas, refusals that change nothing,
instants and dates as they come back, and seeing another connection's commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import time

import pendulum
import pytest

from store import actions
from store.db import SCHEMA_VERSION, close_database, database, open_database
from store.feed import ChangeWatcher
from store.errors import DatabaseUnusable
from store.models import Case, Event, Meta, Proposer

from store_helpers import OPERATOR, new_case


@pytest.fixture
def opened():
    """Open ledgers for the test and close every one afterwards."""
    dbs = []

    def open_(target, **kwargs):
        db = open_database(target, **kwargs)
        dbs.append(db)
        return db

    yield open_
    for db in dbs:
        if not db.is_closed():
            db.close()
    close_database()


def pragma(db, name):
    return db.execute_sql(f"PRAGMA {name}").fetchone()[0]


# ------------------------------------------------------------------- a new ledger


def test_a_new_file_gets_the_schema(opened, tmp_path):
    db = opened(tmp_path / "new.db")
    tables = set(db.get_tables())
    assert {"duban_meta", "session", "division", "person", "proposer", "case", "event",
            "calendar_day", "calendar_year"} <= tables


def test_a_new_file_records_the_schema_version(opened, tmp_path):
    opened(tmp_path / "new.db")
    assert Meta.get_by_id("schema_version").value == str(SCHEMA_VERSION)


@pytest.mark.parametrize(
    "name, expected",
    [("journal_mode", "wal"), ("synchronous", 2), ("foreign_keys", 1)],
)
def test_pragmas_are_set(opened, tmp_path, name, expected):
    db = opened(tmp_path / "new.db")
    assert pragma(db, name) == expected


def test_busy_timeout_is_at_least_five_seconds(opened, tmp_path):
    db = opened(tmp_path / "new.db")
    assert pragma(db, "busy_timeout") >= 5000


def test_a_sqlite_url_opens_the_same_file(opened, tmp_path):
    path = tmp_path / "by-url.db"
    opened(f"sqlite:///{path}")
    assert path.exists()
    assert Meta.get_by_id("schema_version").value == str(SCHEMA_VERSION)


@pytest.mark.parametrize("create,read_only", [(True, False), (False, False), (False, None), (False, True)])
def test_a_zero_length_file_is_refused_untouched_everywhere(tmp_path, create, read_only):
    """Issue 11: a zero-length file is 空文件，不是台账 — never silently made a ledger."""
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(DatabaseUnusable, match="空文件"):
        open_database(path, create=create, read_only=read_only)
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_reopening_an_existing_ledger_keeps_its_cases(opened, tmp_path, today):
    path = tmp_path / "ledger.db"
    first = opened(path)
    case_id = new_case("20230489")
    first.close()

    opened(path)
    assert Case.get_by_id(case_id).number == "20230489"
    assert Meta.select().count() == 1
    assert Event.select().count() == 1


def test_reopening_does_not_need_create(opened, tmp_path):
    path = tmp_path / "ledger.db"
    opened(path).close()
    db = opened(path, create=False)
    assert "case" in db.get_tables()


def test_create_false_refuses_a_missing_file(opened, tmp_path):
    path = tmp_path / "missing.db"
    with pytest.raises(DatabaseUnusable, match="不存在"):
        opened(path, create=False)
    assert not path.exists()


# ------------------------------------------------------------------------ refusals


def listing(folder: Path) -> dict[str, str]:
    """Every file in a folder with a digest of its bytes: what a refusal must leave as it was."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


SAME_FOLDER = object()


def refuse_to_open(target, *, word: str, folder=SAME_FOLDER) -> DatabaseUnusable:
    """Opening `target` is refused with a message containing `word`, and `folder` (by
    default the target's own: its bytes, no -wal/-shm left behind) is exactly as it was."""
    if folder is SAME_FOLDER:
        folder = Path(target).parent
    before = listing(folder) if folder is not None else None
    with pytest.raises(DatabaseUnusable) as info:
        open_database(target)
    assert word in str(info.value), str(info.value)
    if before is not None:
        assert listing(folder) == before
    return info.value


def make_ledger(path: Path, *, proposers: int = 0) -> Path:
    """A real duban ledger, closed, optionally with many rows (so it has middle pages)."""
    db = open_database(path)
    if proposers:
        with db.atomic():
            Proposer.insert_many(
                [{"name": f"代表{i:05d}", "group": "福田团", "unit_title": "某某单位" * 10, "phone": "13800000000"}
                 for i in range(proposers)]
            ).execute()
    db.close()
    close_database()
    return path


def quick_check_fails(path: Path) -> bool:
    """SQLite's own opinion of a copy of the file (the copy, so the original stays put)."""
    copy = path.with_name("copy-for-check.db")
    copy.write_bytes(path.read_bytes())
    try:
        probe = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
        try:
            return probe.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        except sqlite3.DatabaseError:
            return True
        finally:
            probe.close()
    finally:
        copy.unlink()


def test_a_text_file_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("这是一份会议纪要，不是数据库。\n", encoding="utf-8")
    refuse_to_open(path, word="不是 SQLite")


def test_a_directory_is_refused(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "inside.txt").write_text("x")
    refuse_to_open(folder, word="文件夹", folder=tmp_path)
    assert (folder / "inside.txt").read_text() == "x"
    assert [p.name for p in folder.iterdir()] == ["inside.txt"]


def test_a_damaged_ledger_is_refused(tmp_path):
    path = make_ledger(tmp_path / "damaged.db", proposers=3000)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    assert pages > 20
    for page in range(pages // 2 - 3, pages // 2 + 3):  # b-tree page headers in the middle
        start = page * page_size
        data[start:start + 12] = b"\xff" * 12
    path.write_bytes(bytes(data))
    assert quick_check_fails(path), "the test did not manage to damage the file"

    refuse_to_open(path, word="损坏")


def test_a_ledger_with_damaged_rows_is_refused(tmp_path):
    """Damage inside the cells (not the page headers): only the integrity check sees it."""
    path = make_ledger(tmp_path / "damaged-rows.db", proposers=3000)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    for page in range(pages // 2 - 3, pages // 2 + 3):
        start = page * page_size + page_size // 2
        data[start:start + 64] = b"\x00" * 64
    path.write_bytes(bytes(data))
    assert quick_check_fails(path), "the test did not manage to damage the file"

    refuse_to_open(path, word="损坏")


def test_a_truncated_ledger_is_refused(tmp_path):
    path = make_ledger(tmp_path / "truncated.db", proposers=3000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refuse_to_open(path, word="损坏")


def test_a_ledger_cut_to_its_header_is_refused(tmp_path):
    path = make_ledger(tmp_path / "cut.db")
    path.write_bytes(path.read_bytes()[:60])
    refuse_to_open(path, word="损坏")


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    other.execute("INSERT INTO contacts VALUES ('张三', '13812345678')")
    other.commit()
    other.close()
    refuse_to_open(path, word="其他程序")


def test_another_programs_wal_database_is_refused(tmp_path):
    path = tmp_path / "other-wal.db"
    other = sqlite3.connect(path)
    other.execute("PRAGMA journal_mode=wal")
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.commit()
    other.close()
    refuse_to_open(path, word="其他程序")


def test_a_ledger_from_a_newer_version_is_refused(tmp_path):
    path = make_ledger(tmp_path / "newer.db")
    raw = sqlite3.connect(path)
    raw.execute("UPDATE duban_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    raw.commit()
    raw.close()
    error = refuse_to_open(path, word="更新版本")
    assert str(SCHEMA_VERSION + 1) in str(error)


def test_a_ledger_without_its_schema_version_is_refused(tmp_path):
    path = make_ledger(tmp_path / "no-version.db")
    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM duban_meta")
    raw.commit()
    raw.close()
    refuse_to_open(path, word="版本")


def test_a_read_only_place_is_refused_and_nothing_is_created():
    target = Path("/proc/duban-test-ledger.db")
    refuse_to_open(target, word="无法", folder=None)
    assert not target.exists()


def test_a_missing_folder_is_refused_and_nothing_is_created(tmp_path):
    target = tmp_path / "no-such-folder" / "ledger.db"
    refuse_to_open(target, word="文件夹不存在", folder=tmp_path)
    assert not target.parent.exists()


def test_a_missing_folder_under_proc_is_refused():
    target = Path("/proc/no-such-folder/ledger.db")
    refuse_to_open(target, word="不存在", folder=None)
    assert not target.exists()


@pytest.mark.parametrize("target", ["sqlite://", "sqlite:///", "", "   ", ":memory:", "sqlite:///:memory:", None])
def test_an_empty_or_in_memory_target_is_refused(target):
    refuse_to_open(target, word="数据库", folder=None)


@pytest.mark.parametrize("target", ["mysql://user@host/duban", "ftp://host/ledger.db"])
def test_an_unknown_scheme_is_refused(target):
    error = refuse_to_open(target, word="不支持", folder=None)
    assert target.split("://")[0] in str(error)


def test_a_refused_target_leaves_the_open_ledger_in_use(tmp_path, today):
    """Trying another file (say, a mistyped --db) must not unbind the ledger already open."""
    ledger = open_database(tmp_path / "ledger.db")
    try:
        with pytest.raises(DatabaseUnusable):
            open_database("/proc/duban-test-ledger.db")
        assert database.obj is ledger
        new_case("20230001")
        assert Case.select().count() == 1
    finally:
        close_database()


# ----------------------------------------------------------------- instants and dates


def test_an_instant_written_in_shanghai_comes_back_as_the_same_instant_in_utc(ledger, today):
    case_id = new_case()
    written = pendulum.datetime(2023, 9, 1, 9, 30, 15, tz="Asia/Shanghai")
    event = Event.create(case=case_id, at=written, operator=OPERATOR, kind="备注", version=1)

    read = Event.get_by_id(event.id).at
    assert isinstance(read, pendulum.DateTime)
    assert read.timezone_name == "UTC"
    assert read == written
    assert (read.year, read.month, read.day, read.hour, read.minute, read.second) == (2023, 9, 1, 1, 30, 15)


def test_a_stdlib_aware_datetime_comes_back_as_the_same_instant(ledger, today):
    case_id = new_case()
    written = dt.datetime(2023, 9, 1, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    event = Event.create(case=case_id, at=written, operator=OPERATOR, kind="备注", version=1)
    assert Event.get_by_id(event.id).at == written


def test_dates_come_back_as_plain_dates(ledger, today):
    case_id = new_case(assigned_on=pendulum.date(2023, 6, 1))
    assigned = Case.get_by_id(case_id).assigned_on
    assert type(assigned) is dt.date
    assert assigned == dt.date(2023, 6, 1)


def test_event_dates_come_back_as_plain_dates(ledger, today):
    case_id = new_case()
    event = Event.select().where(Event.case == case_id).get()
    assert type(event.on_date) is dt.date


# --------------------------------------------------------------------- change watcher


def write_from_elsewhere(path: Path) -> None:
    """Another workstation's commit, through its own sqlite3 connection."""
    other = sqlite3.connect(path)
    other.execute("INSERT INTO duban_meta (key, value) VALUES ('elsewhere', 'yes')")
    other.commit()
    other.close()


def test_the_watcher_sees_nothing_when_nobody_wrote(ledger):
    watcher = ChangeWatcher(ledger)
    try:
        assert watcher.changed() is False
    finally:
        watcher.close()


@pytest.mark.sqlite_only("a raw sqlite3 connection to the file; tests/store/test_feed.py covers the server")
def test_the_watcher_sees_another_connections_commit_once(ledger, tmp_path):
    watcher = ChangeWatcher(ledger)
    try:
        write_from_elsewhere(tmp_path / "ledger.db")
        assert watcher.changed() is True
        assert watcher.changed() is False
    finally:
        watcher.close()


def test_the_watcher_sees_the_apps_own_actions(ledger, today):
    watcher = ChangeWatcher(ledger)
    try:
        actions.ensure_session("市七届人大三次会议", body="人大", year=2023)
        time.sleep(0.05)  # a server's notice arrives just after the commit
        assert watcher.changed() is True
        assert watcher.changed() is False
    finally:
        watcher.close()


# ------------------------------------------------------------ a ledger open elsewhere


def test_a_second_workstation_opens_a_ledger_in_use(tmp_path, today):
    """The first workstation's fresh writes still sit in the -wal file; the second sees them."""
    path = tmp_path / "shared.db"
    first = open_database(path)
    try:
        new_case("20230489")
        assert Path(f"{path}-wal").exists()
        second = open_database(path)
        try:
            assert Case.select().count() == 1
        finally:
            second.close()
    finally:
        first.close()
        close_database()


def test_a_ledger_created_elsewhere_moments_ago_is_not_created_again(tmp_path):
    """Its tables may exist only in the -wal file so far: it is an existing ledger."""
    path = tmp_path / "fresh.db"
    first = open_database(path)
    try:
        second = open_database(path)
        try:
            assert Meta.select().count() == 1
        finally:
            second.close()
    finally:
        first.close()
        close_database()
