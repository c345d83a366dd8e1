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

from store import models, sqlite_file
from store.errors import DatabaseUnusable
from store.proxy import database  # bound here; callers import it from store.db as before

SCHEMA_VERSION = 6
"""The schema this code writes; recorded in `duban_meta` under `schema_version`."""

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a committed follow-up survives a power cut.
    "foreign_keys": 1,
    "busy_timeout": 8000,
    "cache_size": -4000,  # 4 MB a connection (the file stays in the system's cache): 32 MB cost 60 MB of RSS at 100,000 cases
}

SQLITE_READ_PRAGMAS = {
    "foreign_keys": 1,
    "busy_timeout": 8000,
    "cache_size": -4000,  # 4 MB a connection (the file stays in the system's cache): 32 MB cost 60 MB of RSS at 100,000 cases
    "query_only": 1,
}
"""A ledger opened read-only: no journal mode change (that is a write), and no writes at all."""

SQLITE_HEADER = sqlite_file.SQLITE_HEADER

PG_CONNECTION_DEFAULTS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 30000,
}
"""libpq options a server ledger gets unless its address sets them: a lost network is noticed in
about a minute (not the kernel's quarter of an hour), and a server that is down is given up on
after 5 s, so that no save or look hangs behind a dead connection."""


@dataclass(frozen=True)
class Target:
    """A parsed database target: SQLite with a file path, or a PostgreSQL URL."""

    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None
    url: str | None = None

    def describe(self) -> str:
        return str(self.path) if self.kind == "sqlite" else _hide_password(self.url or "")


def _hide_password(url: str) -> str:
    """The URL as it may be shown: a password, in the user part or as `?password=…`, as ***."""
    import re

    url = re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", url)
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


def _read_uri(db: Database, target: Target) -> str:
    """The read-only URI `open_database` worked out for this ledger (never re-read from the file
    while connected: see `sqlite_file.header_says_wal`)."""
    return getattr(db, "duban_read_uri", "") or f"{target.path.resolve().as_uri()}?mode=ro"


def verify_integrity(db: Database | None = None) -> None:
    """The check `open_database` deferred: raise DatabaseUnusable if damaged, else add missing indexes."""
    db = db or database.obj
    target: Target | None = getattr(db, "duban_target", None)
    if target is None or target.kind != "sqlite" or getattr(db, "duban_verified", True):
        return
    try:
        probe = sqlite3.connect(_read_uri(db, target), uri=True, timeout=8)
        try:
            sqlite_file.quick_check(probe, target.path)
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(f"数据库“{target.path}”已损坏或无法读取（{exc}）。") from None
    db.duban_verified = True
    ensure_indexes(db)


DEFER_CHECK_BYTES = 64 * 1024 * 1024
"""Above this size (about 25,000 cases) `verify=None` defers the integrity check."""


def open_database(target: str | os.PathLike | None, *, create: bool = True, verify: bool | None = True,
                  read_only: bool | None = False) -> Database:
    """Open (and when new, create) a ledger; bind every model to it and return it.

    Raises `DatabaseUnusable` with one sentence when the target cannot serve as a ledger;
    the target is then left untouched. The integrity check reads the whole file (0.8 s at
    100,000 cases): `verify=None` runs it only for files under `DEFER_CHECK_BYTES` and
    otherwise leaves it to the caller, who must run `verify_integrity` before any write.
    `db.duban_verified` says whether it ran.

    `read_only=False` refuses a ledger that cannot be written; `True` opens it read-only
    whatever the file allows (never writing, never migrating); `None` opens it for writing
    when it can and read-only otherwise. `read_only_reason()` then says why it cannot write.
    """
    parsed = parse_target(target)
    reason: str | None = None
    if parsed.kind == "sqlite":
        assert parsed.path is not None
        if verify is None:
            verify = not parsed.path.is_file() or parsed.path.stat().st_size < DEFER_CHECK_BYTES
        state = sqlite_file.inspect(parsed.path, verify=verify, current=SCHEMA_VERSION)
        is_new = state.is_new
        if is_new and (not create or read_only is True):
            raise DatabaseUnusable(f"数据库“{parsed.path}”不存在。")
        if state.unwritable and (read_only is False or is_new):
            raise DatabaseUnusable(f"{state.unwritable.rstrip('。')}。这项操作要写入台账，未作任何改动。")
        if read_only is True or state.unwritable:
            reason = state.unwritable or f"台账“{parsed.path}”以只读方式打开（--read-only），只能查看、导出和出报告，不能写入。"
            _refuse_old_read_only(state.version, parsed.describe())
            db: Database = SqliteDatabase(state.read_uri, uri=True, pragmas=SQLITE_READ_PRAGMAS, timeout=8)
        else:
            db = SqliteDatabase(str(parsed.path), pragmas=SQLITE_PRAGMAS, timeout=8)
    else:
        from playhouse.db_url import parse as parse_url

        try:
            options = parse_url(parsed.url)
        except Exception:
            raise DatabaseUnusable(f"无法识别数据库地址“{parsed.describe()}”。") from None
        for name, value in PG_CONNECTION_DEFAULTS.items():
            options.setdefault(name, value)  # what the address sets itself is kept
        if read_only is True:
            options["options"] = (options.get("options", "") + " -c default_transaction_read_only=on").strip()
            reason = f"台账“{parsed.describe()}”以只读方式打开（--read-only），只能查看、导出和出报告，不能写入。"
        db = PostgresqlDatabase(**options)
        is_new = None
    previous = database.obj
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        if parsed.kind == "postgresql":
            is_new = _check_server_ledger(db, parsed, reason is not None)
            if is_new and reason is not None:
                raise DatabaseUnusable(f"数据库“{parsed.describe()}”中还没有台账，只读方式无法新建。")
        if is_new:
            _create_ledger(db, parsed.kind)
        elif reason is None:
            from store.migrations import migrate_to_current, stored_version

            before = stored_version(db)
            db.duban_backup = migrate_to_current(  # type: ignore[attr-defined]
                db, SCHEMA_VERSION, parsed.path if parsed.kind == "sqlite" else None)
            if before < SCHEMA_VERSION:
                kept = (f"升级前的副本在“{db.duban_backup}”" if db.duban_backup is not None
                        else "PostgreSQL 台账的备份请用 pg_dump")
                db.duban_upgrade_note = (  # type: ignore[attr-defined]
                    f"台账已由数据结构版本 {before} 升级到 {SCHEMA_VERSION}（记录全部保留）；{kept}。")
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
    # The read-only URI is worked out once, before connecting: reading the file's header again while
    # connected would close a descriptor of the ledger, and POSIX then drops every lock SQLite holds
    # on it in this process — another process closing its connection would delete the WAL under us.
    db.duban_read_uri = state.read_uri if parsed.kind == "sqlite" else ""  # type: ignore[attr-defined]
    db.duban_verified = verify is not False  # type: ignore[attr-defined]
    db.duban_read_only = reason  # type: ignore[attr-defined]
    return db


def _refuse_old_read_only(version: int | None, where: str) -> None:
    if version is not None and version < SCHEMA_VERSION:
        raise DatabaseUnusable(
            f"台账“{where}”是旧版督办台的（数据结构版本 {version}，本程序为 {SCHEMA_VERSION}），只读打开时无法升级；"
            "请在可以写入的位置打开一次，程序会先备份再升级。")


def _check_server_ledger(db: Database, parsed: Target, read_only: bool) -> bool:
    """On PostgreSQL: is the database new (no tables), and is an existing one a whole ledger?"""
    from store.ledger_schema import database_layout, describe_missing, missing_parts

    if not db.table_exists("duban_meta"):
        if db.get_tables():
            raise DatabaseUnusable(f"“{parsed.describe()}”不是督办台台账数据库，未作任何改动。")
        return True
    row = models.Meta.get_or_none(models.Meta.key == "schema_version")
    version = sqlite_file.check_version(row.value if row else None, parsed.describe(), SCHEMA_VERSION)
    if read_only:
        _refuse_old_read_only(version, parsed.describe())
    tables, triggers = database_layout(db)
    missing = missing_parts(tables, triggers, version, "postgresql")
    if missing:
        raise DatabaseUnusable(describe_missing(parsed.describe(), missing))
    return False


def _create_ledger(db: Database, engine: str) -> None:
    """A new ledger: every table, the append-only triggers (and on PostgreSQL the change feed's
    triggers and the `db_user` defaults) and the schema version, at once."""
    from store.ledger_schema import db_user_sql, feed_trigger_sql, trigger_sql

    with db.atomic():
        db.create_tables(models.ALL_MODELS)
        for statement in trigger_sql(engine) + (db_user_sql() + feed_trigger_sql() if engine == "postgresql" else []):
            db.execute_sql(statement)
        models.Meta.create(key="schema_version", value=str(SCHEMA_VERSION))


def take_upgrade_note(db: Database | None = None) -> str | None:
    """Once: the sentence saying the ledger was just upgraded and where its old copy is."""
    db = db or database.obj
    note = getattr(db, "duban_upgrade_note", None) if db is not None else None
    if note:
        db.duban_upgrade_note = None  # type: ignore[attr-defined]
    return note


def read_only_reason(db: Database | None = None) -> str | None:
    """Why the ledger cannot be written, in one sentence; None when it can.

    Besides a ledger opened read-only, this notices a SQLite file made read-only while it is
    open (a write through the open file would still succeed, and nobody would be told) and a
    disk that filled up (`sqlite_file.FULL_BELOW`); SQLite's own "disk full" is still read
    by store/db_errors.py when a write runs out of room below that mark."""
    db = db or database.obj
    if db is None:
        return None
    fixed = getattr(db, "duban_read_only", None)
    if fixed:
        return fixed
    target: Target | None = getattr(db, "duban_target", None)
    if target is not None and target.kind == "sqlite" and target.path is not None:
        if not writable(target.path):
            return (f"台账文件“{target.path}”已变为只读（权限被改，或磁盘被设为只读），本次未写入；"
                    "已填写的内容仍在，请恢复写权限后再保存，或重新打开台账。")
        return sqlite_file.disk_full_reason(target.path, writing=True)
    return None


def writable(path: Path) -> bool:
    """Whether the process may write the ledger file now (a stat, cheap enough for every write)."""
    return os.access(path, os.W_OK)


def describe_db_error(exc: BaseException) -> str:
    """A Chinese sentence for a driver error: what happened and what to do (store/db_errors.py)."""
    from store.db_errors import describe

    return describe(exc)


def ensure_indexes(db: Database | None = None) -> None:
    """Add any index declared since this ledger was made (CREATE INDEX IF NOT EXISTS).

    Only indexes: a missing table or column is refused when the ledger is opened, and only a
    migration adds one. Nothing is done on a ledger that cannot be written."""
    db = db or database.obj
    if read_only_reason(db):
        return
    missing = [model for model in models.ALL_MODELS if _missing_indexes(db, model)]
    if missing:
        with db.atomic():
            for model in missing:
                model._schema.create_indexes(safe=True)


def _missing_indexes(db: Database, model) -> bool:
    """True when the model declares an index the ledger does not have yet."""
    existing = {index.name for index in db.get_indexes(model._meta.table_name)}
    return any(index._name not in existing for index in model._meta.fields_to_index())


def close_database() -> None:
    """Close this thread's connection to the current database, if any."""
    if database.obj is not None and not database.is_closed():
        database.close()


def shrink_cache() -> None:
    """Let this thread's connection give back the pages it keeps in memory (SQLite's page cache,
    up to `cache_size` a connection; `PRAGMA shrink_memory`), after a call that read much of the
    ledger: the file stays in the system's cache, so the next read costs little more. Nothing on PostgreSQL
    (the server keeps its own). Best effort: a closed or lost connection is left as it is."""
    db = database.obj
    if db is None or database.is_closed() or not isinstance(db, SqliteDatabase):
        return
    try:
        db.execute_sql("PRAGMA shrink_memory")
    except Exception:  # noqa: BLE001 - memory hygiene only: never an error for the user
        pass
