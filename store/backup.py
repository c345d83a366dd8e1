"""备份台账: a consistent copy of the open SQLite ledger, made while desks go on writing.

`backup_ledger(out)` copies the ledger with SQLite's online backup API inside one read
transaction: under WAL a reader blocks no writer, and the open transaction keeps the copy at
one moment (every case with all of its events, none half-recorded) even when other desks
commit meanwhile. The pages go over in steps, so a progress callback can follow a large
ledger. The copy is written under a temporary name beside `out`, made a one-file database
(rollback journal, no -wal beside it), opened read-only and checked (`PRAGMA integrity_check`),
and only then given its name: a failed backup leaves no half file. An existing `out` is never
overwritten.

A PostgreSQL ledger is backed up with the server's own tool, pg_dump; `backup_ledger` says
how. Every refusal is a `LedgerError` sentence.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from store.errors import LedgerError
from store.proxy import database

STEP_PAGES = 1024
"""Pages copied per backup step (4 MB at SQLite's default page size)."""

Progress = Callable[[int, int], None]
"""`progress(done, total)`: pages copied so far and pages in all."""


@dataclass(frozen=True)
class BackupResult:
    """What `backup_ledger` wrote: the file, its size in bytes, the cases and events it holds
    (counted in the copy), and how long it took."""

    path: Path
    size: int
    cases: int
    events: int
    seconds: float

    def summary(self) -> str:
        """已备份至 …（1.2 MB，共 N 件、M 条跟进记录，用时 0.4 秒），备份已通过完整性检查。"""
        return (f"已备份至“{self.path}”（{human_size(self.size)}，共 {self.cases} 件、{self.events} 条跟进记录，"
                f"用时 {self.seconds:.1f} 秒），备份已通过完整性检查。")


def human_size(size: int) -> str:
    """1536 -> 1.5 KB; bytes, KB, MB, GB at 1024."""
    value = float(size)
    for unit in ("字节", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} 字节" if unit == "字节" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} 字节"  # pragma: no cover


def default_backup_name(now=None) -> str:
    """台账备份-YYYYMMDD-HHMM.db, in Beijing time as the records show."""
    from store import clock

    now = now or clock.office_now()
    return f"台账备份-{now:%Y%m%d-%H%M}.db"


def documents_backup_path(now=None) -> Path:
    """Where the desk offers to write a backup: 文档/督办台/台账备份-YYYYMMDD-HHMM.db, like the
    exports (store/io/export.py `documents_export_path`); -2, -3 … when that name is taken."""
    folder = documents_backup_folder()
    stem = default_backup_name(now).removesuffix(".db")
    for n in range(1, 1000):
        path = folder / (f"{stem}.db" if n == 1 else f"{stem}-{n}.db")
        if not path.exists():
            return path
    raise LedgerError(f"“{folder}”中同名的备份已太多，请另选文件名。")


def documents_backup_folder() -> Path:
    """文档/督办台: the folder the desk's exports and backups go to."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "督办台"


def pg_dump_advice(where: str) -> str:
    """The refusal for a PostgreSQL ledger: how to back it up with pg_dump, and restore it."""
    return (f"台账“{where}”在 PostgreSQL 数据库中，duban backup 只备份 SQLite 台账文件。"
            "请在数据库服务器或能连接它的电脑上用 PostgreSQL 自带的 pg_dump 备份，例如："
            "pg_dump --format=custom --file=台账备份-日期.dump \"postgresql://用户@主机:5432/库名\"；"
            "它在其他工作站写入时也能得到一致的副本，恢复用 pg_restore --dbname=… 台账备份-日期.dump。")


def backup_ledger(out, progress: Progress | None = None, *, create_folder: bool = False) -> BackupResult:
    """Copy the open ledger to `out` (a new file) and check the copy; see the module docstring.

    `create_folder`: make `out`'s folder when it is missing (the desk's own documents folder);
    otherwise a missing folder is refused."""
    db = database.obj
    target = getattr(db, "duban_target", None)
    if db is None or target is None:
        raise LedgerError("没有打开的台账，无法备份。")
    if target.kind != "sqlite":
        raise LedgerError(pg_dump_advice(target.describe()))
    if create_folder and out is not None and str(out).strip():
        try:
            Path(str(out).strip()).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(f"无法建立保存备份的文件夹：{exc.strerror or exc}。") from None
    out = check_out(out, target.path)
    temporary = out.with_name(f".{out.name}.备份中-{os.getpid()}")
    started = time.monotonic()
    try:
        _copy(db, temporary, progress)
        cases, events = _verify(temporary)
        _sync(temporary)
        _give_name(temporary, out)
    except BaseException as exc:
        _remove(temporary)
        if isinstance(exc, LedgerError):
            raise
        if isinstance(exc, (sqlite3.Error, OSError)) or exc.__class__.__module__ == "peewee":
            raise LedgerError(f"备份未完成，没有留下不完整的文件：{_reason(exc)}") from None
        raise
    return BackupResult(out, out.stat().st_size, cases, events, time.monotonic() - started)


def check_out(out, ledger: Path) -> Path:
    """`out` as a path a backup of `ledger` may be written to; otherwise a LedgerError sentence
    (empty, a folder, a missing folder, the ledger or its -wal/-shm, an existing file, no write
    permission). Needs nothing open: the command line asks before it opens the ledger."""
    text = "" if out is None else str(out).strip()
    if not text or text == "-":
        raise LedgerError("请给出备份文件的路径，例如 台账备份.db。")
    path = Path(text).expanduser()
    if path.is_dir():
        raise LedgerError(f"“{path}”是一个文件夹：请给出备份文件的完整路径，例如 {path / default_backup_name()}。")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise LedgerError(f"文件夹“{folder}”不存在，请先建立或另选保存备份的文件夹。")
    if _same_file(path, ledger) or any(_same_file(path, Path(f"{ledger}{tail}")) for tail in ("-wal", "-shm", "-journal")):
        raise LedgerError(f"备份文件不能是台账本身（“{ledger}”）：请另选一个文件名。")
    if path.exists() or path.is_symlink():
        raise LedgerError(f"“{path}”已存在；备份不会覆盖已有的文件，请另选文件名。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LedgerError(f"无法在“{folder}”写入备份：没有写入权限，请另选文件夹。")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _copy(db, temporary: Path, progress: Progress | None) -> None:
    """Copy the pages inside one read transaction of this thread's connection to the ledger."""
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    copy = sqlite3.connect(str(temporary))
    try:
        with db.atomic():  # BEGIN (deferred): a read snapshot, no lock on writers under WAL
            source = db.connection()
            source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot starts here
            source.backup(copy, pages=STEP_PAGES, progress=step)
        copy.execute("PRAGMA journal_mode=DELETE").fetchone()  # one file, no -wal needed beside it
    finally:
        copy.close()


def _verify(temporary: Path) -> tuple[int, int]:
    """Open the copy read-only, check it whole, and count its cases and events."""
    check = sqlite3.connect(f"{temporary.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = [row[0] for row in check.execute("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            raise LedgerError(f"备份副本未通过完整性检查（{'；'.join(map(str, rows[:3]))}），已删除；"
                              "台账本身可能已损坏，请运行 duban check 检查。")
        cases = check.execute('SELECT COUNT(*) FROM "case"').fetchone()[0]
        events = check.execute("SELECT COUNT(*) FROM event").fetchone()[0]
    finally:
        check.close()
    return cases, events


def _sync(path: Path) -> None:
    """The copy on the disk before it gets its name (a power cut must not leave a named half file)."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _give_name(temporary: Path, out: Path) -> None:
    """Rename the checked copy to `out`, never over a file that appeared there meanwhile."""
    try:
        os.link(temporary, out)  # fails if `out` exists: no silent overwrite
    except FileExistsError:
        raise LedgerError(f"“{out}”在备份期间被其他程序建立；备份不会覆盖它，请另选文件名。") from None
    except OSError:  # a file system without hard links (FAT, some shares)
        if out.exists():
            raise LedgerError(f"“{out}”在备份期间被其他程序建立；备份不会覆盖它，请另选文件名。") from None
        os.rename(temporary, out)
        return
    temporary.unlink()
    if hasattr(os, "O_DIRECTORY"):
        try:
            folder = os.open(out.parent if str(out.parent) else ".", os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError:
            pass


def _remove(temporary: Path) -> None:
    for path in (temporary, Path(f"{temporary}-journal"), Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        return f"{exc.strerror or exc}。"
    from store.db_errors import describe

    return describe(exc)
