"""Issue 13, seeding on a real PostgreSQL server: the synthetic seed by COPY holds exactly the rows
the SQLite seed of the same size holds (plain SQL on both sides), the ledger keeps exactly the
indexes, foreign keys and triggers it had although the load builds them after the rows, a seed
that fails leaves nothing, and values COPY's plain text could misread are written escaped.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

import fixtures
from fixtures import synthetic, synthetic_write
from store.db import close_database, database, open_database

from pg_server import raw_sql as _raw

CASES = 300
DAY = dt.date(2024, 5, 20)
TABLES = ("session", "division", "person", "proposer", "case", "event")


def _plain(value):
    """One value as both engines' drivers can agree on: dates and times as ISO text, booleans as 0/1."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _columns(url: str, table: str) -> list[str]:
    rows = _raw(url, "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                     "AND table_name = %s AND column_name <> 'db_user' ORDER BY column_name", table)
    return [name for (name,) in rows]


def _sample_sql(table: str, columns: list[str]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f'SELECT {names} FROM "{table}" WHERE id % 7 = 1 ORDER BY id'


def _schema(url: str) -> dict:
    """What the integrity check and the planner see: indexes, constraints, triggers of the ledger."""
    return {
        "indexes": set(_raw(url, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")),
        "constraints": set(_raw(url, "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                     "WHERE connamespace = current_schema()::regnamespace")),
        "triggers": set(_raw(url, "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal")),
        # the foreign keys' own triggers take new names when a key is put back: their count and kinds
        "key triggers": sorted(_raw(url, "SELECT tgrelid::regclass::text, tgfoid::regproc::text FROM pg_trigger WHERE tgisinternal")),
    }


def test_the_seed_holds_the_same_rows_on_the_server_as_on_sqlite(pg_ledger, tmp_path):
    fixtures.seed("synthetic", cases=CASES, today=DAY)
    close_database()
    path = tmp_path / "same.db"
    open_database(path)
    try:
        fixtures.seed("synthetic", cases=CASES, today=DAY)
    finally:
        close_database()
        open_database(pg_ledger)
    lite = sqlite3.connect(path)
    try:
        for table in TABLES:
            (on_server,), = _raw(pg_ledger, f'SELECT COUNT(*) FROM "{table}"')
            (on_sqlite,), = lite.execute(f'SELECT COUNT(*) FROM "{table}"').fetchall()
            assert on_server == on_sqlite, table
            columns = _columns(pg_ledger, table)
            server_rows = [tuple(map(_plain, row)) for row in _raw(pg_ledger, _sample_sql(table, columns))]
            sqlite_rows = [tuple(map(_plain, row)) for row in lite.execute(_sample_sql(table, columns))]
            assert server_rows == sqlite_rows, table
            assert len(server_rows) >= on_server // 7
        (events,), = _raw(pg_ledger, "SELECT COUNT(*) FROM event")
        assert events > 8 * CASES
        # NULLs stay NULL and texts stay texts through COPY's plain text
        assert _raw(pg_ledger, "SELECT COUNT(*) FROM event WHERE undoes_id IS NULL") == [(events,)]
        (nulls,), = lite.execute("SELECT COUNT(*) FROM event WHERE respond_by IS NULL").fetchall()
        assert _raw(pg_ledger, "SELECT COUNT(*) FROM event WHERE respond_by IS NULL") == [(nulls,)]
        assert 0 < nulls < events
        # the login that seeded is each event's db_user (the server's default)
        assert _raw(pg_ledger, "SELECT DISTINCT db_user = current_user FROM event") == [(True,)]
    finally:
        lite.close()


def test_seeding_an_empty_server_ledger_keeps_its_indexes_keys_and_triggers(pg_ledger):
    before = _schema(pg_ledger)
    assert any(name == "event_kind_at" for _table, name, _definition in before["indexes"])
    assert any(name == "event_case_id_fkey" for _table, name, _definition in before["constraints"])
    fixtures.seed("synthetic", cases=CASES, today=DAY)
    assert _schema(pg_ledger) == before
    # the planner has figures for the new rows
    assert _raw(pg_ledger, "SELECT reltuples >= %s FROM pg_class WHERE relname = 'case'", CASES) == [(True,)]
    # a second seed adds to a ledger that has cases (indexes and keys kept in place) and still checks them
    fixtures.seed("synthetic", cases=50, today=DAY)
    assert _schema(pg_ledger) == before
    assert _raw(pg_ledger, 'SELECT COUNT(*), COUNT(DISTINCT (session_id, number)) FROM "case"') == [(CASES + 50, CASES + 50)]
    (orphans,), = _raw(pg_ledger, 'SELECT COUNT(*) FROM event e LEFT JOIN "case" c ON c.id = e.case_id WHERE c.id IS NULL')
    assert orphans == 0


def test_a_seed_that_fails_on_the_server_leaves_nothing(pg_ledger, monkeypatch):
    before = _schema(pg_ledger)
    monkeypatch.setattr(synthetic, "BATCH", 100)
    calls = []
    real_write = synthetic_write.Writer.write

    def failing_write(self, prepared):
        calls.append(self.copy_plain.split('"')[1])
        if calls.count("event") == 2:
            raise RuntimeError("停在第二批")
        real_write(self, prepared)

    monkeypatch.setattr(synthetic_write.Writer, "write", failing_write)
    with pytest.raises(RuntimeError, match="第二批"):
        fixtures.seed("synthetic", cases=CASES, today=DAY)
    assert calls[:4] == ["proposer", "case", "event", "case"]
    for table in ("proposer", "case", "event", "session"):
        assert _raw(pg_ledger, f'SELECT COUNT(*) FROM "{table}"') == [(0,)], table
    assert _schema(pg_ledger) == before
    monkeypatch.undo()
    fixtures.seed("synthetic", cases=20, today=DAY)  # and the ledger takes a seed afterwards
    assert _raw(pg_ledger, 'SELECT COUNT(*) FROM "case"') == [(20,)]


def test_texts_copy_could_misread_are_written_escaped(pg_ledger):
    writer = synthetic_write.Writer("proposer", ["id", "name", "kind", "group", "unit_title", "phone"])
    plain = [(1, "王伟", "代表", "福田代表团", "", "13800000000")]
    assert writer.prepare(plain)[0] == writer.copy_plain
    awkward = [(2, "None", "代表", "a\tb", "c\\d", "e\nf"), (3, "李娜", "委员", "\\.", "g\rh", "None")]
    prepared = writer.prepare(awkward)
    assert prepared[0] == writer.copy_escaped
    with database.obj.atomic():
        writer.write(writer.prepare(plain))
        writer.write(prepared)
    assert _raw(pg_ledger, 'SELECT id, name, "group", unit_title, phone FROM proposer ORDER BY id') == [
        (1, "王伟", "福田代表团", "", "13800000000"), (2, "None", "a\tb", "c\\d", "e\nf"),
        (3, "李娜", "\\.", "g\rh", "None")]
