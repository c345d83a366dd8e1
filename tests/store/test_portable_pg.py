"""Issue 13, portable SQL: the calendar's writes, the ledger's orders, the export, the statistics
and the synthetic seed give on a real PostgreSQL server exactly what they give on SQLite.

Each order ends in a unique key (the case id), so a window of the ledger (LIMIT/OFFSET) is the
slice of the whole on both engines; figures are read back through a connection of their own.
"""

from __future__ import annotations

import pytest

import fixtures
from store import actions, office_calendar
from store.db import close_database, open_database
from store.errors import LedgerError
from store.io.export import ledger_records, to_csv
from store.io.export_xlsx import ledger_export_rows
from store.models import Event
from store.queries import ledger_rows, session_statistics
from store.queries.ledger import _ORDERS

from pg_server import raw_sql as _raw
from store_helpers import OPERATOR

CASES = 300
WINDOW = 37  # not a divisor of CASES: the last window is short


def _ids(rows) -> list[int]:
    return [row.case_id for row in rows]


def _windows(order: str, today, total: int) -> list[int]:
    return [case_id for offset in range(0, total + WINDOW, WINDOW)
            for case_id in _ids(ledger_rows(order=order, today=today, limit=WINDOW, offset=offset))]


def _everything(today) -> dict:
    """What one seeded ledger shows: every order whole, the export, the statistics, the events."""
    return {
        "orders": {order: _ids(ledger_rows(order=order, today=today)) for order in _ORDERS},
        "csv": to_csv(ledger_records(today=today), lineterminator="\n"),
        "xlsx rows": ledger_export_rows(today=today),
        "statistics": session_statistics(today=today),
        "events": list(Event.select(Event.id, Event.case, Event.kind, Event.on_date, Event.version)
                       .order_by(Event.id).tuples()),
    }


# ----------------------------------------------------------------------------- calendar


def test_a_year_is_confirmed_once_on_the_server_and_a_second_time_is_refused(pg_ledger, today):
    change = actions.confirm_calendar_year(2027, "国办发明电〔2026〕7号已录入", operator=OPERATOR)
    assert _raw(pg_ledger, "SELECT year, note FROM calendar_year") == [(2027, "国办发明电〔2026〕7号已录入")]
    assert _raw(pg_ledger, "SELECT id, area, subject, action FROM change_record") == [
        (change.change_id, "日历", "2027年", "确认")]

    with pytest.raises(LedgerError, match="已经确认过"):
        actions.confirm_calendar_year(2027, "另一条说明", operator=OPERATOR)
    assert _raw(pg_ledger, "SELECT year, note FROM calendar_year") == [(2027, "国办发明电〔2026〕7号已录入")]
    assert _raw(pg_ledger, "SELECT COUNT(*) FROM change_record") == [(1,)]


def test_a_day_set_then_its_year_confirmed_on_the_server(pg_ledger, today):
    actions.set_calendar_day("2027-10-06", False, "国庆节", operator=OPERATOR)
    actions.set_calendar_day("2027-10-06", True, "调休上班", operator=OPERATOR)  # a later entry puts it right
    office_calendar.confirm_year(OPERATOR, "2027年", note="已核对")
    assert [(str(day), working, note) for day, working, note in
            _raw(pg_ledger, "SELECT day, is_working, note FROM calendar_day")] == [("2027-10-06", True, "调休上班")]
    assert _raw(pg_ledger, "SELECT year, note FROM calendar_year") == [(2027, "已核对")]
    assert _raw(pg_ledger, "SELECT subject, action FROM change_record ORDER BY id") == [
        ("2027-10-06", "设置"), ("2027-10-06", "设置"), ("2027年", "确认")]
    assert office_calendar.confirm_year(OPERATOR, 2028).moved == 0  # another year: no deadline of an empty ledger


# ------------------------------------------------------------------------------ orders


def test_every_window_of_the_ledger_is_the_slice_of_the_whole_on_the_server(pg_ledger, today):
    fixtures.seed("synthetic", cases=CASES, today=today)
    (count,), = _raw(pg_ledger, 'SELECT COUNT(*) FROM "case"')
    assert count == CASES
    # ties the unique key has to break: equal deadlines, one number in both sessions, one status
    (equal_due,), = _raw(pg_ledger, 'SELECT COUNT(*) FROM (SELECT next_due FROM "case" WHERE next_due IS NOT NULL '
                                    'GROUP BY next_due HAVING COUNT(*) > 1) AS tied')
    (equal_number,), = _raw(pg_ledger, 'SELECT COUNT(*) FROM (SELECT number FROM "case" GROUP BY number '
                                       'HAVING COUNT(*) > 1) AS tied')
    assert equal_due > 10 and equal_number > 10
    for order in _ORDERS:
        whole = _ids(ledger_rows(order=order, today=today))
        assert len(whole) == len(set(whole)) == CASES, order
        assert _windows(order, today, CASES) == whole, order
    by_number = [case_id for (case_id,) in _raw(pg_ledger, 'SELECT id FROM "case" ORDER BY number, id')]
    assert _ids(ledger_rows(order="number", today=today)) == by_number


def test_an_empty_ledger_orders_and_exports_nothing_on_the_server(pg_ledger, today):
    for order in _ORDERS:
        assert ledger_rows(order=order, today=today) == [] == _windows(order, today, 0)
    assert to_csv(ledger_records(today=today), lineterminator="\n").count("\n") == 1  # the header alone
    assert session_statistics(today=today).received == 0 == _raw(pg_ledger, 'SELECT COUNT(*) FROM "case"')[0][0]


def test_one_seed_reads_the_same_on_sqlite_and_on_the_server(pg_ledger, tmp_path, today):
    fixtures.seed("synthetic", cases=CASES, today=today)
    on_server = _everything(today)
    close_database()
    open_database(tmp_path / "same.db")
    try:
        fixtures.seed("synthetic", cases=CASES, today=today)
        on_sqlite = _everything(today)
    finally:
        close_database()
        open_database(pg_ledger)
    for what in on_server:
        assert on_server[what] == on_sqlite[what], what
    assert on_server["statistics"].received == CASES == len(on_server["orders"]["deadline"])
    assert on_server["csv"].count("\n") == CASES + 1
    assert len(on_server["events"]) == _raw(pg_ledger, "SELECT COUNT(*) FROM event")[0][0] > 8 * CASES


# ---------------------------------------------------------------------------- seeding


def test_synthetic_seeding_is_deterministic_on_the_server(pg_ledger, pg_server, today):
    account = fixtures.seed("synthetic", cases=CASES, today=today)
    first = _everything(today)
    assert "300件" in account
    other = pg_server.new_database()
    close_database()
    try:
        open_database(other)
        assert fixtures.seed("synthetic", cases=CASES, today=today) == account
        assert _everything(today) == first
        # the serials moved past the ids written in bulk: a case entered by hand takes the next id
        (cases, top_case), = _raw(other, 'SELECT COUNT(*), MAX(id) FROM "case"')
        (events, top_event), = _raw(other, "SELECT COUNT(*), MAX(id) FROM event")
        assert (cases, events) == (CASES, len(first["events"]))
        assert _raw(other, """SELECT last_value FROM pg_sequences WHERE sequencename = 'case_id_seq'""") == [(top_case,)]
        assert _raw(other, """SELECT last_value FROM pg_sequences WHERE sequencename = 'event_id_seq'""") == [
            (top_event,)]
    finally:
        close_database()
        pg_server.drop_database(other)
        open_database(pg_ledger)
