"""Looking at a SQLite ledger file before opening it, without changing it.

`inspect(path)` reads the file through a read-only connection and answers: is it a new
ledger (missing), which schema version it holds, and — when it cannot be written — why, so
that the opener can refuse it or open it read-only. Everything that makes a file unusable
(a folder, a zero-length file, another format, damage, another program's database, a newer
or incomplete ledger) is a `DatabaseUnusable` with one Chinese sentence, and the file is left
byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from store.errors import DatabaseUnusable

SQLITE_HEADER = b"SQLite format 3\x00"

FULL_BELOW = 1024 * 1024
"""Less free space than this on the ledger's disk counts as a full disk: SQLite needs room for
its WAL and shared-memory files before the first page of a write."""


@dataclass(frozen=True)
class FileState:
    """What `inspect` found: a new ledger, or an existing one at `version`."""

    is_new: bool
    version: int | None = None
    unwritable: str | None = None  # why it cannot be written (None: it can)
    read_uri: str = ""  # the URI a read-only connection opens it with


def read_uri(path: Path) -> str:
    """A read-only URI for `path`. A WAL ledger whose -wal file is absent and whose folder
    cannot be written (an archive copy, a CD) is read as immutable: SQLite would otherwise
    need to create its -shm file there."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if header_says_wal(path):
        wal = Path(f"{path}-wal")
        if not wal.exists() and not os.access(path.parent if str(path.parent) else Path("."), os.W_OK | os.X_OK):
            uri += "&immutable=1"
        elif _wal_empty(wal) and disk_full_reason(path):
            uri += "&immutable=1"  # nothing waits in the WAL, and nobody can write on a full disk
    return uri


def _wal_empty(wal: Path) -> bool:
    try:
        return not wal.exists() or wal.stat().st_size == 0
    except OSError:
        return False


def disk_full_reason(path: Path, *, writing: bool = False) -> str | None:
    """A sentence when the disk that holds the ledger is (all but) full; None otherwise."""
    try:
        free = shutil.disk_usage(path.parent if str(path.parent) else Path(".")).free
    except OSError:
        return None
    if free >= FULL_BELOW:
        return None
    if writing:
        return (f"磁盘已满（台账“{path}”所在的磁盘只剩 {free // 1024} KB），本次未写入；"
                "已填写的内容仍在，请清理磁盘空间后再保存。")
    return (f"磁盘已满（台账“{path}”所在的磁盘只剩 {free // 1024} KB），台账只能查看、导出和出报告，不能写入；"
            "请清理磁盘空间后重新打开。")


def probe_uri(path: Path) -> str:
    """The URI the check before opening reads with: immutable when nobody has the file open
    (a WAL file lives while anyone does), so that a refusal leaves no -wal/-shm files behind."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if header_says_wal(path):
        wal = Path(f"{path}-wal")
        if not wal.exists() or (_wal_empty(wal) and disk_full_reason(path)):
            uri += "&immutable=1"
    return uri


def header_says_wal(path: Path) -> bool:
    """True when the file's header marks it as a WAL database (bytes 18 and 19 are 2).

    Only before this process connects to the ledger: closing any descriptor of the file drops
    every POSIX lock the process holds on it, SQLite's among them, and another process closing
    its own connection then deletes the WAL file this one is still writing to (its commits are
    lost). Once connected, use the URI `open_database` kept (`db.duban_read_uri`)."""
    try:
        with path.open("rb") as handle:
            handle.seek(18)
            return handle.read(2) == b"\x02\x02"
    except OSError:
        return False


def quick_check(connection: sqlite3.Connection, path) -> None:
    check = connection.execute("PRAGMA quick_check").fetchone()
    if not check or check[0] != "ok":
        raise DatabaseUnusable(
            f"数据库“{path}”已损坏（完整性检查未通过：{check[0] if check else '无结果'}），未作任何改动。"
        )


def unwritable_reason(path: Path) -> str | None:
    """Why the ledger at `path` cannot be written now (None when it can)."""
    if not os.access(path, os.W_OK):
        return f"台账文件“{path}”是只读的（没有写权限，或在只读的磁盘上），只能查看、导出和出报告，不能写入。"
    parent = path.parent if str(path.parent) else Path(".")
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"台账“{path}”所在的文件夹只读，只能查看、导出和出报告，不能写入。"
    return None


def inspect(path: Path, *, verify: bool, current: int) -> FileState:
    """Check a SQLite target without changing it (see the module docstring)."""
    from store.ledger_schema import describe_missing, missing_parts, sqlite_layout

    if path.is_dir():
        raise DatabaseUnusable(f"“{path}”是一个文件夹，不是数据库文件。")
    if not path.exists():
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise DatabaseUnusable(f"无法在“{parent}”创建数据库：该文件夹不存在。")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise DatabaseUnusable(f"无法在“{parent}”创建数据库：没有写入权限。")
        return FileState(is_new=True)
    if not os.access(path, os.R_OK):
        raise DatabaseUnusable(f"无法读取“{path}”：没有读取权限。")
    if path.stat().st_size == 0:
        raise DatabaseUnusable(
            f"“{path}”是空文件（0 字节），不是台账，未作任何改动。"
            "如要新建台账，请换一个文件名，或先删除这个空文件。")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseUnusable(f"“{path}”不是 SQLite 数据库文件（可能是文本或其他格式），未作任何改动。")
    try:
        probe = sqlite3.connect(probe_uri(path), uri=True)
        try:
            if verify:
                quick_check(probe, path)
            tables, triggers = sqlite_layout(probe)
            if not tables:  # a SQLite file that holds nothing: nothing to lose, made a new ledger
                return FileState(is_new=True, unwritable=unwritable_reason(path))
            if "duban_meta" not in tables:
                raise DatabaseUnusable(f"“{path}”是其他程序的 SQLite 数据库，不是督办台台账，未作任何改动。")
            row = probe.execute("SELECT value FROM duban_meta WHERE key='schema_version'").fetchone()
            version = check_version(row[0] if row else None, path, current)
            missing = missing_parts(tables, triggers, version, "sqlite")
            if missing:
                raise DatabaseUnusable(describe_missing(str(path), missing))
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise DatabaseUnusable(f"数据库“{path}”正被其他程序锁定，请稍后再试。") from None
        if isinstance(exc, sqlite3.OperationalError) and ("i/o" in str(exc).lower() or "unable to open" in str(exc)):
            full = disk_full_reason(path)
            if full:
                raise DatabaseUnusable(full.split("，台账只能")[0] + "，无法打开台账（它还有未写完的记录要读）；"
                                       "请清理磁盘空间后再试。未作任何改动。") from None
            raise DatabaseUnusable(f"读取台账“{path}”时磁盘出错（{exc}；可能是网络盘断开或磁盘故障），"
                                   "请检查磁盘后再试。未作任何改动。") from None
        raise DatabaseUnusable(f"数据库“{path}”已损坏或无法读取（{exc}），未作任何改动。") from None
    unwritable = unwritable_reason(path) or disk_full_reason(path)
    return FileState(is_new=False, version=version, unwritable=unwritable, read_uri=read_uri(path))


def check_version(value, where, current: int) -> int:
    """The stored schema version as a number; a missing or newer one is refused."""
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise DatabaseUnusable(f"“{where}”的督办台版本信息缺失或无法识别，未作任何改动。") from None
    if version > current:
        raise DatabaseUnusable(
            f"“{where}”由更新版本的督办台创建（数据结构版本 {version}，本程序为 {current}），请先升级程序。"
        )
    return version
