"""The ledger cache (store/ledger_cache.py): rows kept between runs are used only while they are
still true of the ledger — the same day, no settings changed, every case as it saw it or brought
up to date from the events written since — and anything else (another day, a calendar change,
a case changed with no event, a damaged, foreign or hostile file) is a miss, never an error."""

from __future__ import annotations

import datetime as dt
import os
import pickle

import pytest

from desk_helpers import OPERATOR, TODAY, build_desk_ledger

from store import actions, clock, ledger_cache, queries
from store.db import database, open_database
from store.snapshot import LedgerSnapshot


@pytest.fixture
def kept(ledger):
    """Three cases on `TODAY`, their rows kept; (ids, the rows as kept)."""
    clock.fix_today(TODAY)
    ids = build_desk_ledger()
    rows = queries.ledger_rows(today=TODAY)
    snapshot = LedgerSnapshot(rows, TODAY)
    assert ledger_cache.save(snapshot.rows(), snapshot.texts, queries.latest_event_id(), _newest_change(), TODAY)
    yield ids, rows
    clock.fix_today(None)


def _newest_change() -> int:
    return database.obj.execute_sql("SELECT COALESCE(MAX(id), 0) FROM change_record").fetchone()[0]


def _files() -> list:
    folder = ledger_cache.cache_dir("ledgers")
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_rows_kept_come_back_as_they_were_with_their_marks(kept):
    _ids, rows = kept
    found = ledger_cache.load(TODAY)
    assert found is not None and not found.changed
    assert sorted(found.rows) == sorted(rows)
    assert found.newest_event == database.obj.execute_sql("SELECT MAX(id) FROM event").fetchone()[0]
    snapshot = LedgerSnapshot(found.rows, TODAY, in_deadline_order=True, texts=found.texts)
    fresh = LedgerSnapshot(rows, TODAY)
    assert snapshot.rows() == fresh.rows() and snapshot.texts == fresh.texts
    assert snapshot.session_summary(None) == fresh.session_summary(None)


def test_the_file_is_the_users_alone(kept):
    (path,) = _files()
    assert os.stat(path).st_mode & 0o077 == 0


def test_a_case_written_since_is_read_afresh(kept):
    ids, _rows = kept
    actions.urge_division(ids["soon"], OPERATOR, note="缓存之后催办")
    found = ledger_cache.load(TODAY)
    assert found is not None
    assert [row.case_id for row in found.changed] == [ids["soon"]]
    assert found.changed[0].urge_count == database.obj.execute_sql(
        'SELECT urge_count FROM "case" WHERE id = %s' % ids["soon"]).fetchone()[0] == 1
    assert found.newest_event == database.obj.execute_sql("SELECT MAX(id) FROM event").fetchone()[0]
    snapshot = LedgerSnapshot(found.rows, TODAY, in_deadline_order=True, texts=found.texts)
    snapshot.update(found.changed)
    assert snapshot.rows() == LedgerSnapshot(queries.ledger_rows(today=TODAY), TODAY).rows()


def test_another_day_is_a_miss(kept):
    assert ledger_cache.load(TODAY + dt.timedelta(days=1)) is None


def test_a_settings_change_is_a_miss(kept):
    actions.ensure_division("新设处室")  # a 变更记录, or at least a new row in the settings tables
    assert ledger_cache.load(TODAY) is None


def test_a_case_changed_with_no_event_is_a_miss(kept):
    ids, _rows = kept
    database.obj.execute_sql('UPDATE "case" SET version = version + 1 WHERE id = %s' % ids["overdue"])
    assert ledger_cache.load(TODAY) is None


def test_a_damaged_or_hostile_file_is_a_miss(kept):
    (path,) = _files()
    path.write_bytes(b"\x80\x05not a pickle at all")
    assert ledger_cache.load(TODAY) is None
    path.write_bytes(pickle.dumps(os.system))  # would run a command if unpickled freely
    assert ledger_cache.load(TODAY) is None


def test_rows_kept_for_another_ledger_are_not_used(kept, another_ledger):
    open_database(another_ledger("b"))
    clock.fix_today(TODAY)
    build_desk_ledger()
    assert ledger_cache.load(TODAY) is None


def test_nothing_is_kept_when_the_office_says_off_or_the_folder_is_unwritable(ledger, monkeypatch, tmp_path):
    rows = queries.ledger_rows(today=TODAY)
    monkeypatch.setenv("DUBAN_CACHE_DIR", "off")
    assert ledger_cache.save(rows, {}, 0, 0, TODAY) is False and ledger_cache.load(TODAY) is None
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("DUBAN_CACHE_DIR", str(blocked))
    assert ledger_cache.save(rows, {}, 0, 0, TODAY) is False


def test_an_empty_ledger_is_kept_and_found_empty(ledger):
    assert ledger_cache.save([], {}, 0, 0, TODAY)
    found = ledger_cache.load(TODAY)
    assert found is not None and found.rows == [] and found.changed == []
    clock.fix_today(TODAY)
    try:
        build_desk_ledger()  # the office enters its first cases: settings rows and events
    finally:
        clock.fix_today(None)
    assert ledger_cache.load(TODAY) is None


def test_only_the_ledgers_opened_last_are_kept(ledger, another_ledger):
    for name in range(ledger_cache.KEEP_LEDGERS + 3):
        open_database(another_ledger(f"l{name}"))
        assert ledger_cache.save([], {}, 0, 0, TODAY)
    assert len(_files()) == ledger_cache.KEEP_LEDGERS
    assert ledger_cache.load(TODAY) is not None  # the last one opened is among them


def test_large_ids_in_the_settings_tables_keep_the_cache_usable(ledger):
    """Ids far past 2,147 (a 4-byte product once overflowed on PostgreSQL): kept and found."""
    database.obj.execute_sql(
        "INSERT INTO proposer (id, name, kind, \"group\", unit_title, phone) VALUES (3000000, '王五', '代表', '', '', '')")
    assert ledger_cache.save([], {}, 0, 0, TODAY)
    assert ledger_cache.load(TODAY) is not None


def _change_record(record_id: int) -> None:
    database.obj.execute_sql(
        "INSERT INTO change_record (id, at, operator, area, subject, action, note, data) "
        f"VALUES ({record_id}, '2026-11-27 01:00:00', '测试员', '规则', '市七届人大五次会议', '设置', '', '{{}}')")


def test_a_change_record_committed_late_with_a_lower_id_is_a_miss(kept):
    """On PostgreSQL a change record may commit after one with a higher id: the newest id stays
    the same, their number does not."""
    _ids, rows = kept
    newest = _newest_change()
    _change_record(newest + 100)
    snapshot = LedgerSnapshot(rows, TODAY)
    assert ledger_cache.save(snapshot.rows(), snapshot.texts, queries.latest_event_id(), newest + 100, TODAY)
    assert ledger_cache.load(TODAY) is not None
    _change_record(newest + 50)  # the slower transaction's record, committed now
    assert _newest_change() == newest + 100
    assert ledger_cache.load(TODAY) is None


def test_the_summary_counts_kept_are_those_of_the_rows_brought_up_to_date(kept):
    ids, rows = kept
    snapshot = LedgerSnapshot(rows, TODAY)
    assert ledger_cache.save(snapshot.rows(), snapshot.texts, queries.latest_event_id(), _newest_change(), TODAY,
                             snapshot.counts())
    actions.sign_for(ids["unsigned"], OPERATOR, on=TODAY)  # 待签收 goes down by one
    found = ledger_cache.load(TODAY)
    assert found is not None and found.counts is not None
    again = LedgerSnapshot(found.rows, TODAY, in_deadline_order=True, texts=found.texts, counts=found.counts)
    again.update(found.changed)
    fresh = LedgerSnapshot(queries.ledger_rows(today=TODAY), TODAY)
    assert again.session_summary(None) == fresh.session_summary(None)
    (unsigned,), = database.obj.execute_sql("SELECT COUNT(*) FROM \"case\" WHERE status = '待签收'").fetchall()
    assert again.session_summary(None).awaiting_sign == unsigned


def test_the_cases_fingerprint_is_read_from_an_index_alone(kept):
    """Count, sum of versions and highest id: on SQLite a scan of the version index, not of the
    cases' rows with their texts (21 → 6 ms at 100,000 cases)."""
    from peewee import SqliteDatabase

    assert "case_version" in {index.name for index in database.obj.get_indexes("case")}  # both engines
    if isinstance(database.obj, SqliteDatabase):
        plan = database.obj.execute_sql('EXPLAIN QUERY PLAN SELECT COUNT(*), COALESCE(SUM(version), 0), '
                                        'COALESCE(MAX(id), 0) FROM "case"').fetchall()
        assert "COVERING INDEX case_version" in " ".join(str(step[-1]) for step in plan)
    assert ledger_cache._case_fingerprint() == tuple(database.obj.execute_sql(
        'SELECT COUNT(*), SUM(version), MAX(id) FROM "case"').fetchone())
