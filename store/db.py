"""Opening the ledger's database: the one place that owns targets, pragmas and the schema.

A target is a SQLite path, a `sqlite:///path` URL or a `postgresql://…` URL. Before
SQLite opens a file for writing, the file is checked read-only (is it a SQLite file, is it
intact, is it a duban ledger, can we write there), so that a refused target is left
exactly as it was. Every refusal is a `DatabaseUnusable` with one Chinese sentence.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from store import models
from store.errors import DatabaseUnusable
from store.proxy import database  # bound here; callers import it from store.db as before

SCHEMA_VERSION = 3
"""The schema this code writes; recorded in `duban_meta` under `schema_version`."""

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a committed follow-up survives a power cut.
    "foreign_keys": 1,
    "busy_timeout": 8000,
    "cache_size": -32000,
}

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Target:
    """A parsed database target: SQLite with a file path, or a PostgreSQL URL."""

    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None
    url: str | None = None

    def describe(self) -> str:
        return str(self.path) if self.kind == "sqlite" else _hide_password(self.url or "")


def _hide_password(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def parse_target(target: str | os.PathLike | None) -> Target:
    """Turn a `--db` value into a `Target`, refusing empty and in-memory ones."""
    text = "" if target is None else str(target).strip()
    if not text:
        raise DatabaseUnusable("没有指定数据库：请给出 SQLite 文件路径或数据库地址。")
    lowered = text.lower()
    if lowered.startswith(("postgresql://", "postgres://", "postgresql+pool://")):
        return Target("postgresql", url=text)
    if lowered.startswith("sqlite:"):
        rest = text[len("sqlite:"):]
        if rest.startswith("///"):
            rest = rest[3:]
            # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative.
        elif rest.startswith("//"):
            rest = rest[2:]
        if not rest.strip() or rest.strip() == ":memory:":
            raise DatabaseUnusable(
                "数据库地址没有文件路径（sqlite:// 为空会成为内存数据库，关闭后什么也不保存），"
                "请写成 sqlite:///路径/文件.db。"
            )
        return Target("sqlite", path=Path(rest).expanduser())
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise DatabaseUnusable(f"不支持的数据库地址类型“{scheme}”：请用 SQLite 文件路径、sqlite:/// 或 postgresql:// 地址。")
    if text == ":memory:":
        raise DatabaseUnusable("不能使用内存数据库：关闭后什么也不保存。请给出文件路径。")
    return Target("sqlite", path=Path(text).expanduser())


def _check_sqlite_file(path: Path, verify: bool = True) -> bool:
    """Check an SQLite target without changing it; return True when it is a new ledger.

    `verify=False` leaves out the integrity check (it reads the whole file: about 0.8 s at
    100,000 cases); the desk runs `verify_integrity` on a worker thread after its first paint.
    """
    if path.is_dir():
        raise DatabaseUnusable(f"“{path}”是一个文件夹，不是数据库文件。")
    if not path.exists():
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise DatabaseUnusable(f"无法在“{parent}”创建数据库：该文件夹不存在。")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise DatabaseUnusable(f"无法在“{parent}”创建数据库：没有写入权限。")
        return True
    if not os.access(path, os.R_OK):
        raise DatabaseUnusable(f"无法读取“{path}”：没有读取权限。")
    size = path.stat().st_size
    if size == 0:
        if not os.access(path, os.W_OK):
            raise DatabaseUnusable(f"“{path}”是只读文件，无法写入。")
        return True
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseUnusable(f"“{path}”不是 SQLite 数据库文件（可能是文本或其他格式），未作任何改动。")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if _header_says_wal(path) and not Path(f"{path}-wal").exists():
        # Nobody has it open (a WAL file lives while anyone does): read the file alone, so
        # that a refusal leaves no -wal/-shm files behind.
        uri += "&immutable=1"
    try:
        probe = sqlite3.connect(uri, uri=True)
        try:
            if verify:
                _quick_check(probe, path)
            tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "duban_meta" not in tables:
                raise DatabaseUnusable(f"“{path}”是其他程序的 SQLite 数据库，不是督办台台账，未作任何改动。")
            if tables:
                row = probe.execute("SELECT value FROM duban_meta WHERE key='schema_version'").fetchone()
                _check_version(row[0] if row else None, path)
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise DatabaseUnusable(f"数据库“{path}”正被其他程序锁定，请稍后再试。") from None
        raise DatabaseUnusable(f"数据库“{path}”已损坏或无法读取（{exc}），未作任何改动。") from None
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        raise DatabaseUnusable(f"数据库“{path}”所在位置只读，无法写入。")
    return not tables


def _header_says_wal(path: Path) -> bool:
    """True when the file's header marks it as a WAL database (bytes 18 and 19 are 2)."""
    with path.open("rb") as handle:
        handle.seek(18)
        return handle.read(2) == b"\x02\x02"


def _quick_check(connection: sqlite3.Connection, path) -> None:
    check = connection.execute("PRAGMA quick_check").fetchone()
    if not check or check[0] != "ok":
        raise DatabaseUnusable(
            f"数据库“{path}”已损坏（完整性检查未通过：{check[0] if check else '无结果'}），未作任何改动。"
        )


def verify_integrity(db: Database | None = None) -> None:
    """The check `open_database` deferred: raise DatabaseUnusable if damaged, else add missing indexes."""
    db = db or database.obj
    target: Target | None = getattr(db, "duban_target", None)
    if target is None or target.kind != "sqlite" or getattr(db, "duban_verified", True):
        return
    try:
        probe = sqlite3.connect(f"{target.path.resolve().as_uri()}?mode=ro", uri=True, timeout=8)
        try:
            _quick_check(probe, target.path)
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(f"数据库“{target.path}”已损坏或无法读取（{exc}）。") from None
    db.duban_verified = True
    ensure_indexes(db)


def _check_version(value, where) -> None:
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise DatabaseUnusable(f"“{where}”的督办台版本信息缺失或无法识别，未作任何改动。") from None
    if version > SCHEMA_VERSION:
        raise DatabaseUnusable(
            f"“{where}”由更新版本的督办台创建（数据结构版本 {version}，本程序为 {SCHEMA_VERSION}），请先升级程序。"
        )


DEFER_CHECK_BYTES = 64 * 1024 * 1024
"""Above this size (about 25,000 cases) `verify=None` defers the integrity check."""


def open_database(target: str | os.PathLike | None, *, create: bool = True, verify: bool | None = True) -> Database:
    """Open (and when new, create) a ledger; bind every model to it and return it.

    Raises `DatabaseUnusable` with one sentence when the target cannot serve as a ledger;
    the target is then left untouched. The integrity check reads the whole file (0.8 s at
    100,000 cases): `verify=None` runs it only for files under `DEFER_CHECK_BYTES` and
    otherwise leaves it to the caller, who must run `verify_integrity` before any write.
    `db.duban_verified` says whether it ran.
    """
    parsed = parse_target(target)
    if parsed.kind == "sqlite":
        assert parsed.path is not None
        if verify is None:
            verify = not parsed.path.is_file() or parsed.path.stat().st_size < DEFER_CHECK_BYTES
        is_new = _check_sqlite_file(parsed.path, verify)
        if is_new and not create:
            raise DatabaseUnusable(f"数据库“{parsed.path}”不存在。")
        db: Database = SqliteDatabase(str(parsed.path), pragmas=SQLITE_PRAGMAS, timeout=8)
    else:
        from playhouse.db_url import parse as parse_url

        try:
            options = parse_url(parsed.url)
        except Exception:
            raise DatabaseUnusable(f"无法识别数据库地址“{parsed.describe()}”。") from None
        db = PostgresqlDatabase(**options)
        is_new = None
    previous = database.obj
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        if parsed.kind == "postgresql":
            is_new = not db.table_exists("duban_meta")
            if not is_new:
                row = models.Meta.get_or_none(models.Meta.key == "schema_version")
                if row is None and db.get_tables():
                    raise DatabaseUnusable(f"“{parsed.describe()}”不是督办台台账数据库。")
                _check_version(row.value if row else None, parsed.describe())
        if is_new:
            with db.atomic():
                db.create_tables(models.ALL_MODELS)
                models.Meta.create(key="schema_version", value=str(SCHEMA_VERSION))
        else:
            from store.migrations import migrate_to_current

            db.duban_backup = migrate_to_current(  # type: ignore[attr-defined]
                db, SCHEMA_VERSION, parsed.path if parsed.kind == "sqlite" else None)
            if verify is not False:
                ensure_indexes(db)
    except DatabaseUnusable:
        db.close()
        database.initialize(previous)  # a refused target leaves the open ledger bound
        raise
    except Exception as exc:  # peewee wraps driver errors in its own classes
        db.close()
        database.initialize(previous)
        raise DatabaseUnusable(f"无法打开数据库“{parsed.describe()}”：{describe_db_error(exc)}") from None
    db.duban_target = parsed  # type: ignore[attr-defined]
    db.duban_verified = verify is not False  # type: ignore[attr-defined]
    return db


def describe_db_error(exc: BaseException) -> str:
    """A Chinese sentence for a driver error: what happened and what to do (store/db_errors.py)."""
    from store.db_errors import describe

    return describe(exc)


def ensure_indexes(db: Database | None = None) -> None:
    """Add any table or index declared since this ledger was made (CREATE … IF NOT EXISTS)."""
    db = db or database.obj
    if _missing_indexes(db, models.ALL_MODELS):
        with db.atomic():
            db.create_tables(models.ALL_MODELS, safe=True)


def _missing_indexes(db: Database, models_: list) -> bool:
    """True when a model declares a table or an index the ledger does not have yet."""
    tables = set(db.get_tables())
    for model in models_:
        if model._meta.table_name not in tables:
            return True
        existing = {index.name for index in db.get_indexes(model._meta.table_name)}
        for index in model._meta.fields_to_index():
            if index._name not in existing:
                return True
    return False


def close_database() -> None:
    """Close this thread's connection to the current database, if any."""
    if database.obj is not None and not database.is_closed():
        database.close()


class ChangeWatcher:
    """Tells cheaply whether anyone committed to the ledger since the last look.

    On SQLite it compares `PRAGMA data_version` on one long-lived connection of its own
    (another connection's commit changes it; the file's mtime does not change under WAL).
    Elsewhere it compares the newest event id and the number of events.
    Create and use it on one thread.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        target: Target | None = getattr(db, "duban_target", None)
        self._sqlite: sqlite3.Connection | None = None
        if target is not None and target.kind == "sqlite":
            self._sqlite = sqlite3.connect(str(target.path), timeout=8, check_same_thread=False)
        self._last = self._read()

    def _read(self):
        if self._sqlite is not None:
            return self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        cursor = self._db.execute_sql("SELECT MAX(id), COUNT(*) FROM event")
        return tuple(cursor.fetchone())

    def changed(self) -> bool:
        """True when another connection committed since the previous call."""
        current = self._read()
        if current != self._last:
            self._last = current
            return True
        return False

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
