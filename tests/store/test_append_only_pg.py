"""Issue 11 on PostgreSQL: the same triggers refuse UPDATE, DELETE and TRUNCATE of 跟进记录 and
变更记录 through a raw connection; a ledger missing them is refused; a read-only open reads."""

from __future__ import annotations

import psycopg2
import pytest

from store import actions
from store.db import close_database, open_database, read_only_reason
from store.errors import DatabaseUnusable, LedgerReadOnly
from store.ledger_schema import feed_trigger_names, trigger_names
from store.office import add_division

from store_helpers import new_case


def _raw(url: str, statement: str):
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            rows = cursor.fetchall() if cursor.description else None
        connection.commit()
        return rows
    finally:
        connection.close()


def test_a_new_server_ledger_has_every_trigger(pg_ledger):
    rows = _raw(pg_ledger, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    assert {row[0] for row in rows} == trigger_names("postgresql") | feed_trigger_names()


@pytest.mark.parametrize("statement", [
    "UPDATE event SET note = '改过'",
    "DELETE FROM event",
    "TRUNCATE event CASCADE",
    "UPDATE change_record SET operator = 'x'",
    "DELETE FROM change_record",
    "TRUNCATE change_record",
])
def test_a_raw_connection_cannot_rewrite_the_timeline_on_the_server(pg_ledger, today, statement):
    case_id = new_case(number="1")
    actions.log_follow_up(case_id, "测试", kind="查办", note="原文")
    add_division("测试", "测试处")
    before = _raw(pg_ledger, "SELECT count(*), string_agg(note, '|' ORDER BY id) FROM event")
    changes = _raw(pg_ledger, "SELECT count(*), string_agg(operator, '|' ORDER BY id) FROM change_record")
    assert before[0][0] >= 2 and changes[0][0] == 1
    with pytest.raises(psycopg2.Error, match="append-only"):
        _raw(pg_ledger, statement)
    assert _raw(pg_ledger, "SELECT count(*), string_agg(note, '|' ORDER BY id) FROM event") == before
    assert _raw(pg_ledger, "SELECT count(*), string_agg(operator, '|' ORDER BY id) FROM change_record") == changes


def test_a_server_ledger_without_its_triggers_is_refused(pg_ledger):
    close_database()
    _raw(pg_ledger, "DROP TRIGGER event_no_delete ON event")
    with pytest.raises(DatabaseUnusable, match="不完整.*event_no_delete"):
        open_database(pg_ledger, create=False)
    tables = _raw(pg_ledger, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    assert "event_no_delete" not in {row[0] for row in tables}  # nothing re-created it


def test_a_server_ledger_without_its_event_table_is_refused(pg_ledger):
    close_database()
    _raw(pg_ledger, "DROP TABLE event CASCADE")
    with pytest.raises(DatabaseUnusable, match="不完整.*表 event"):
        open_database(pg_ledger, create=False, read_only=None)
    assert _raw(pg_ledger, "SELECT count(*) FROM pg_tables WHERE tablename = 'event'") == [(0,)]


def test_a_server_ledger_opened_read_only_reads_and_refuses_writes(pg_ledger, today):
    case_id = new_case(number="1")
    close_database()
    open_database(pg_ledger, create=False, read_only=True)
    assert "只读" in read_only_reason()
    with pytest.raises(LedgerReadOnly):
        actions.log_follow_up(case_id, "测试", kind="查办", note="不应写入")
    assert _raw(pg_ledger, "SELECT count(*) FROM event WHERE note = '不应写入'") == [(0,)]


def test_a_version_3_server_ledger_gets_its_triggers_from_the_migration(pg_ledger, today):
    """Schema 4's step on PostgreSQL: the triggers are added, every event kept."""
    case_id = new_case(number="1")
    actions.log_follow_up(case_id, "测试", kind="查办", note="升级前")
    close_database()
    for name in sorted(trigger_names("postgresql")):
        table = "change_record" if name.startswith("change_record") else "event"
        _raw(pg_ledger, f'DROP TRIGGER {name} ON "{table}"')
    from store.db import SCHEMA_VERSION
    from store.migrations import STEP_5_COLUMNS

    for column, _definition in STEP_5_COLUMNS:  # what schema 5 adds, so that its step runs on the server too
        _raw(pg_ledger, f'ALTER TABLE "case" DROP COLUMN {column}')
    for name in sorted(feed_trigger_names()):  # and schema 6
        _raw(pg_ledger, f'DROP TRIGGER {name} ON "{name.split("_feed")[0]}"')
    for table in ("event", "change_record"):
        _raw(pg_ledger, f'ALTER TABLE "{table}" DROP COLUMN db_user')
    _raw(pg_ledger, "UPDATE duban_meta SET value = '3' WHERE key = 'schema_version'")
    events = _raw(pg_ledger, "SELECT id, kind, note FROM event ORDER BY id")
    open_database(pg_ledger, create=False)
    assert _raw(pg_ledger, "SELECT value FROM duban_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert _raw(pg_ledger, 'SELECT units_expected, form_sent_on, is_typical FROM "case"') == [(0, None, False)]
    assert {row[0] for row in _raw(pg_ledger, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")} \
        == trigger_names("postgresql") | feed_trigger_names()
    assert _raw(pg_ledger, "SELECT count(*), count(db_user) FROM event") == [(len(events), 0)]  # not made up
    assert _raw(pg_ledger, "SELECT id, kind, note FROM event ORDER BY id") == events
