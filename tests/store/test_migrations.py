"""Migrations: a ledger made by the previous version is brought up to date, with a backup
beside it, and nothing it held is lost."""

from __future__ import annotations

import sqlite3

from store import actions
from store.db import SCHEMA_VERSION, close_database, open_database
from store.models import Case, ChangeRecord, Division, Meta, Person

from store_helpers import new_case


def _drop_later_columns(raw) -> None:
    """Drop every column a migration after version 1 adds (store.ledger_schema.ADDED_BY_STEP)."""
    from store.ledger_schema import ADDED_BY_STEP

    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for step in sorted(ADDED_BY_STEP):
        for table, columns in ADDED_BY_STEP[step].get("columns", {}).items():
            if table not in tables:  # dropped whole by the caller
                continue
            for column in sorted(columns):
                raw.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')


def _make_version_1(path):
    """A ledger as schema version 1 left it: no org columns, no 变更记录 table."""
    open_database(path)
    division = actions.ensure_division("数据资源处")
    actions.ensure_person("周敏", division=division, title="经办人")
    new_case(number="1")
    close_database()
    raw = sqlite3.connect(path)
    _drop_later_columns(raw)
    raw.execute("DROP TABLE change_record")
    raw.execute("UPDATE duban_meta SET value = '1' WHERE key = 'schema_version'")
    raw.commit()
    raw.close()


def test_a_version_1_ledger_is_migrated_with_a_backup(tmp_path, today):
    path = tmp_path / "old.db"
    _make_version_1(path)
    db = open_database(path)
    try:
        assert Meta.get_by_id("schema_version").value == str(SCHEMA_VERSION)
        columns = {c.name for c in db.get_columns("person")}
        assert {"phone", "supervises", "retired_on"} <= columns
        assert "change_record" in db.get_tables()
        person = Person.get()
        assert (person.name, person.phone, person.supervises, person.retired_on) == ("周敏", "", [], None)
        assert Division.get().sort_order == 0
        assert Case.select().count() == 1
        assert ChangeRecord.select().count() == 0
        backup = db.duban_backup
        assert backup is not None and backup.exists() and backup.parent == tmp_path
    finally:
        close_database()
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT value FROM duban_meta WHERE key='schema_version'").fetchone()[0] == "1"
        assert copy.execute("SELECT count(*) FROM \"case\"").fetchone()[0] == 1
    finally:
        copy.close()


def test_the_migration_recomputes_the_cached_deadlines(tmp_path, today):
    """A v1 ledger's cache knows nothing of estimated years: after the migration it does."""
    import datetime as dt

    from store import clock
    from store.queries import load_calendar
    from store.rules import next_open

    path = tmp_path / "old.db"
    clock.fix_today(dt.date(2039, 12, 20))
    try:
        open_database(path)
        case_id = new_case(number="1", assigned_on=dt.date(2039, 12, 1))
        actions.sign_for(case_id, "测试", on=dt.date(2039, 12, 2))
        actions.reply(case_id, "测试", on=dt.date(2039, 12, 19), doc_no="深政数函〔2039〕1号", result_class="A")
        close_database()
        raw = sqlite3.connect(path)
        raw.execute("UPDATE \"case\" SET next_due = '2039-12-31'")  # a stale v1 cache
        raw.execute("DROP TABLE change_record")
        _drop_later_columns(raw)
        raw.execute("UPDATE duban_meta SET value = '1' WHERE key = 'schema_version'")
        raw.commit()
        raw.close()
        db = open_database(path)
        expected = next_open(Case.get_by_id(case_id), calendar=load_calendar())
        row = db.execute_sql('SELECT next_due, next_due_estimated FROM "case"').fetchone()
        assert str(row[0])[:10] == expected.due.isoformat() != "2039-12-31"
        assert bool(row[1]) is True and expected.estimated  # 2040 is nobody's known year
    finally:
        close_database()
        clock.fix_today(None)


def test_a_current_ledger_is_not_migrated_again(tmp_path, today):
    path = tmp_path / "new.db"
    open_database(path)
    close_database()
    db = open_database(path)
    try:
        assert db.duban_backup is None
        assert list(tmp_path.glob("*备份*")) == []
    finally:
        close_database()
