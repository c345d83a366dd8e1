"""What a whole ledger holds at each schema version, and the triggers that keep it append-only.

A ledger is refused, untouched, when it lacks a table, a column or an append-only trigger
that its recorded schema version must have (`missing_parts`): a read-only command must never
"repair" a ledger whose 跟进记录 table was dropped by re-creating it empty. Only a known
migration (store/migrations.py) adds anything, and `ADDED_BY_STEP` says what each one adds,
so that a version-1 ledger is expected to lack exactly what the later steps bring.

The change feed (schema 6, PostgreSQL): statement-level triggers announce every write on
`FEED_CHANNEL` (`feed_trigger_sql`), so that every desk learns of it at commit (store/feed.py).

Append-only: triggers refuse UPDATE and DELETE on `event` and `change_record` in the database
itself, on SQLite (also INSERT OR REPLACE of an existing row) and on PostgreSQL (also TRUNCATE), so that even a raw
connection cannot rewrite the timeline. A mistake is corrected by a later event.
"""

from __future__ import annotations

import sqlite3

APPEND_ONLY_TABLES = ("event", "change_record")

REFUSAL = "append-only: 督办台的跟进记录和变更记录只能追加，不能修改或删除"
"""The text the triggers raise; store/db_errors.py turns it into a sentence for the user."""

TABLE_WORDS = {
    "duban_meta": "台账信息", "session": "届次", "division": "处室", "person": "人员",
    "proposer": "代表委员", "case": "件", "event": "跟进记录", "calendar_day": "工作日历",
    "calendar_year": "日历年度", "weekly_review": "每周检查", "change_record": "变更记录",
}

ADDED_BY_STEP: dict[int, dict] = {
    2: {"tables": {"change_record", "weekly_review"},
        "columns": {"division": {"sort_order", "retired_on"}, "person": {"phone", "supervises", "retired_on"},
                    "case": {"next_due_estimated"}}},
    3: {"columns": {"case": {"first_evaluation", "first_evaluated_on", "extension_late"}}},
    4: {"triggers": True},
    5: {"columns": {"case": {"unit_progress", "units_expected", "units_received", "reply_early_reason", "own_part",
                             "form_sent_on", "form_sent_how", "form_holder", "form_due", "form_urge_count",
                             "form_returned_on", "evaluation_work", "is_typical", "typical_note"}}},
    6: {"columns": {"event": {"db_user"}, "change_record": {"db_user"}}, "feed": True},
}
"""What each migration step adds; a ledger at an earlier version is not expected to have it.
(`weekly_review` came during version 1 without a version change, so a version-1 ledger may
lack it; step 2 creates it when missing.)"""


def trigger_names(engine: str) -> set[str]:
    """The append-only triggers a current ledger has on `engine` ("sqlite" or "postgresql")."""
    kinds = ("update", "delete") + (("truncate",) if engine == "postgresql" else ("replace",))
    return {f"{table}_no_{kind}" for table in APPEND_ONLY_TABLES for kind in kinds}


FEED_CHANNEL = "duban_ledger"
"""The PostgreSQL channel every write announces itself on (store/feed.py listens)."""

FEED_CASE_WRITES = (("case", "insert"), ("case", "update"), ("event", "insert"))
"""Writes that name the cases they touch (an event is never updated: the append-only triggers)."""

FEED_TABLES = ("session", "division", "person", "proposer", "calendar_day", "calendar_year",
               "weekly_review", "change_record", "duban_meta")
"""Every other table: a write to one of them is announced by the table's name."""

FEED_PAYLOAD_LIMIT = 7900
"""Above this many characters of case ids (NOTIFY takes at most 8,000 bytes) the write is
announced as `all`: the desk reloads the whole ledger."""


def feed_trigger_names() -> set[str]:
    """The change-feed triggers a PostgreSQL ledger has from schema 6 on."""
    names = {f"{table}_feed_{kind}" for table, kind in FEED_CASE_WRITES}
    return names | {f"{table}_feed" for table in FEED_TABLES}


def feed_trigger_sql() -> list[str]:
    """PostgreSQL only: statement-level triggers that NOTIFY `FEED_CHANNEL` inside every writing
    statement — `c:<case ids>` for cases and events (from the statement's transition table),
    `t:<table>` for every other table. NOTIFY is delivered at commit, in commit order, and not at
    all on rollback; identical notices in one transaction are delivered once. Idempotent."""
    statements = [
        "CREATE OR REPLACE FUNCTION duban_feed_cases() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE ids text; BEGIN "
        "IF TG_TABLE_NAME = 'event' THEN SELECT string_agg(DISTINCT case_id::text, ',') INTO ids FROM feed_rows; "
        "ELSE SELECT string_agg(DISTINCT id::text, ',') INTO ids FROM feed_rows; END IF; "
        f"IF ids IS NOT NULL THEN IF length(ids) > {FEED_PAYLOAD_LIMIT} THEN PERFORM pg_notify('{FEED_CHANNEL}', 'all'); "
        f"ELSE PERFORM pg_notify('{FEED_CHANNEL}', 'c:' || ids); END IF; END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION duban_feed_table() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{FEED_CHANNEL}', 't:' || TG_TABLE_NAME); RETURN NULL; END $$",
    ]
    for table, kind in FEED_CASE_WRITES:
        statements.append(f'DROP TRIGGER IF EXISTS {table}_feed_{kind} ON "{table}"')
        statements.append(f'CREATE TRIGGER {table}_feed_{kind} AFTER {kind.upper()} ON "{table}" '
                          "REFERENCING NEW TABLE AS feed_rows FOR EACH STATEMENT EXECUTE FUNCTION duban_feed_cases()")
    for table in FEED_TABLES:
        statements.append(f'DROP TRIGGER IF EXISTS {table}_feed ON "{table}"')
        statements.append(f'CREATE TRIGGER {table}_feed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                          "FOR EACH STATEMENT EXECUTE FUNCTION duban_feed_table()")
    return statements


def db_user_sql() -> list[str]:
    """PostgreSQL only: each new event and change record keeps the login that wrote it."""
    return [f'ALTER TABLE "{table}" ALTER COLUMN db_user SET DEFAULT current_user'
            for table in APPEND_ONLY_TABLES]


def trigger_sql(engine: str) -> list[str]:
    """The statements that create the append-only triggers (idempotent on both engines). They hold
    no `%`: the drivers would read it as a parameter mark."""
    if engine == "sqlite":
        # INSERT OR REPLACE deletes the old row without firing a DELETE trigger (recursive_triggers
        # is off by default): an insert that names an id already there is refused as well.
        return [
            f'CREATE TRIGGER IF NOT EXISTS {table}_no_{kind} BEFORE {kind.upper()} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            for table in APPEND_ONLY_TABLES for kind in ("update", "delete")
        ] + [
            f'CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON "{table}" '
            f'WHEN EXISTS (SELECT 1 FROM "{table}" WHERE id = NEW.id) '
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            for table in APPEND_ONLY_TABLES
        ]
    statements = [
        "CREATE OR REPLACE FUNCTION duban_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION USING MESSAGE = '{REFUSAL}（' || TG_TABLE_NAME || '）'; END $$",
    ]
    for table in APPEND_ONLY_TABLES:
        for kind, each in (("update", "ROW"), ("delete", "ROW"), ("truncate", "STATEMENT")):
            statements.append(f'DROP TRIGGER IF EXISTS {table}_no_{kind} ON "{table}"')
            statements.append(f'CREATE TRIGGER {table}_no_{kind} BEFORE {kind.upper()} ON "{table}" '
                              f"FOR EACH {each} EXECUTE FUNCTION duban_append_only()")
    return statements


def expected_layout(version: int) -> tuple[dict[str, set[str]], bool]:
    """The tables (with their columns) a ledger at `version` must have, and whether it must
    have the append-only triggers."""
    from store.models import ALL_MODELS

    tables = {model._meta.table_name: {field.column_name for field in model._meta.sorted_fields}
              for model in ALL_MODELS}
    triggers = True
    for step, added in ADDED_BY_STEP.items():
        if step <= version:
            continue
        for table in added.get("tables", ()):
            tables.pop(table, None)
        for table, columns in added.get("columns", {}).items():
            if table in tables:
                tables[table] -= columns
        if added.get("triggers"):
            triggers = False
    return tables, triggers


def missing_parts(tables: dict[str, set[str]], triggers: set[str], version: int, engine: str) -> list[str]:
    """What the ledger lacks for its version, in words (empty: it is whole)."""
    want, want_triggers = expected_layout(version)
    missing: list[str] = []
    for table, columns in want.items():
        word = TABLE_WORDS.get(table, table)
        if table not in tables:
            missing.append(f"表 {table}（{word}）")
            continue
        for column in sorted(columns - tables[table]):
            missing.append(f"列 {table}.{column}（{word}）")
    if want_triggers:
        for name in sorted(trigger_names(engine) - triggers):
            missing.append(f"只增保护 {name}（触发器）")
    if engine == "postgresql" and version >= 6:
        for name in sorted(feed_trigger_names() - triggers):
            missing.append(f"变动通知 {name}（触发器）")
    return missing


def sqlite_layout(connection: sqlite3.Connection) -> tuple[dict[str, set[str]], set[str]]:
    """Tables with their columns, and trigger names, read from an open SQLite connection."""
    tables: dict[str, set[str]] = {}
    names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for name in names:
        quoted = name.replace('"', '""')
        tables[name] = {row[1] for row in connection.execute(f'PRAGMA table_info("{quoted}")')}
    triggers = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    return tables, triggers


def database_layout(db) -> tuple[dict[str, set[str]], set[str]]:
    """The same, read through a peewee database (used on PostgreSQL)."""
    tables = {name: {column.name for column in db.get_columns(name)} for name in db.get_tables()}
    if db.__class__.__name__.startswith("Sqlite"):
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall()
    else:
        rows = db.execute_sql(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace").fetchall()
    return tables, {row[0] for row in rows}


def describe_missing(where: str, missing: list[str]) -> str:
    """The refusal sentence for an incomplete ledger."""
    shown = "、".join(missing[:8]) + (f" 等{len(missing)}处" if len(missing) > 8 else "")
    return (f"台账“{where}”不完整：缺少{shown}，未作任何改动。"
            "可能被其他程序改动过；请用 duban check 检查，并从备份恢复。")
