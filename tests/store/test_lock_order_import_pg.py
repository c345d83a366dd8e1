"""Issue 13 on PostgreSQL: a calendar or rule change (`recompute_next_due`) locks the open cases in
id order before reading them, so two of them and the desk's own writes never deadlock and no case
keeps a deadline counted on the old calendar; an import locks the cases it corrects in id order
and, if one changed since it compared it, refuses whole in Chinese — never half an import, never
someone else's change overwritten.

Every effect is read back through a psycopg2 connection of its own (plain SQL)."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest

from store import actions, office_calendar, session_rules
from store.deadlines import stale_next_due
from store.errors import VersionConflict
from store.io import importer

from pg_server import raw_sql as _raw
from store_helpers import NPC_SESSION, OPERATOR, OTHER_OPERATOR, assigned_case, replied_case
from test_lock_order_pg import _contention_spy, _holder, _in_thread, _lock, _waiting

HEADER = ["编号", "案由", "办理方式", "主办单位", "交办日期"]


def _row(number: str, title: str) -> list:
    return [number, title, "主办", "", "2023-06-01"]


def _counts(url: str) -> tuple:
    return tuple(_raw(url, f'SELECT COUNT(*) FROM "{table}"')[0][0]
                 for table in ("session", "case", "event", "proposer", "change_record"))


def _titles(url: str) -> list[tuple]:
    return _raw(url, 'SELECT number, title, version FROM "case" ORDER BY id')


def _locked_by_another(url: str, case_id: int) -> bool:
    other = psycopg2.connect(url)
    try:
        other.cursor().execute('SELECT id FROM "case" WHERE id = %s FOR UPDATE NOWAIT', (case_id,))
        return False
    except psycopg2.errors.LockNotAvailable:
        return True
    finally:
        other.close()


# ------------------------------------------------------------------- recompute_next_due


def test_a_calendar_change_locks_the_open_cases_in_id_order_before_reading(pg_ledger, today):
    low, middle, high = (replied_case(n, replied_on=dt.date(2023, 8, 28)) for n in ("0001", "0002", "0003"))
    connection, cursor = _holder(pg_ledger)
    try:
        _lock(cursor, middle)
        thread, outcome = _in_thread(office_calendar.set_day, OPERATOR, "2023-09-04", "休息日")
        assert _waiting(pg_ledger)
        assert _locked_by_another(pg_ledger, low)  # the lower id is held already …
        assert not _locked_by_another(pg_ledger, high)  # … the higher one not yet
        cursor.execute('UPDATE "case" SET summary = %s WHERE id = %s', ("另一工作站的摘要", middle))
        connection.commit()
        thread.join(15)
    finally:
        connection.close()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["value"].moved == 3
    assert _raw(pg_ledger, 'SELECT next_due, summary FROM "case" ORDER BY id') == [
        (dt.date(2023, 9, 26), ""), (dt.date(2023, 9, 26), "另一工作站的摘要"), (dt.date(2023, 9, 26), "")]


def test_two_recomputes_and_a_reply_meanwhile_neither_deadlock_nor_leave_a_stale_deadline(
        pg_ledger, today, monkeypatch):
    """A calendar change and a rule change at once, while a third desk replies to a case: the
    calendar change holds the calendar-and-rules lock (store.actions.common.DEADLINE_INPUTS_LOCK)
    and waits for a case another workstation holds; the rule change and the reply wait for it in
    turn, so the reply's deadline is counted on the new calendar and rules; nobody sees a
    deadlock or a driver error, and everything lands once the held case is let go."""
    seen = _contention_spy(monkeypatch)
    replied = [replied_case(n, replied_on=dt.date(2023, 8, 28)) for n in ("0001", "0002")]
    waiting_reply = assigned_case("0003")
    session_id = _raw(pg_ledger, "SELECT id FROM session")[0][0]
    connection, cursor = _holder(pg_ledger)
    try:
        _lock(cursor, replied[1])
        calendar, calendar_out = _in_thread(office_calendar.set_day, OPERATOR, "2023-09-04", "休息日")
        assert _waiting(pg_ledger)
        rules, rules_out = _in_thread(session_rules.set_session_rules, OTHER_OPERATOR, session_id,
                                      {"stale_days": 20})
        assert _waiting(pg_ledger, 2)
        reply, reply_out = _in_thread(actions.reply, waiting_reply, OTHER_OPERATOR, on="2023-08-28",
                                      doc_no="深政数函〔2023〕90号", result_class="A")
        assert _waiting(pg_ledger, 3)  # the reply waits too: its deadline depends on both changes
        connection.rollback()
        for thread in (calendar, rules, reply):
            thread.join(15)
    finally:
        connection.close()
    assert "error" not in calendar_out, calendar_out.get("error")
    assert "error" not in rules_out, rules_out.get("error")
    assert "error" not in reply_out, reply_out.get("error")
    assert reply_out["value"].version > 0
    assert seen == []
    assert stale_next_due() == []
    assert _raw(pg_ledger, 'SELECT next_due FROM "case" ORDER BY id') == [(dt.date(2023, 9, 26),)] * 3
    assert _raw(pg_ledger, "SELECT area, action FROM change_record ORDER BY area") == [("日历", "设置"), ("规则", "修改")]


# ------------------------------------------------------------------------------ imports


def _ledger_with_two_cases(url: str) -> tuple[int, int]:
    first, second = assigned_case("0001"), assigned_case("0002")
    return first, second


def test_an_import_waits_for_a_held_case_and_refuses_whole_if_it_was_changed(pg_ledger, today):
    first, second = _ledger_with_two_cases(pg_ledger)
    table = [HEADER, _row("0002", "清单更正的标题二"), _row("0001", "清单更正的标题一"), _row("0003", "清单新件")]
    before = _counts(pg_ledger)
    connection, cursor = _holder(pg_ledger)
    try:
        _lock(cursor, second)
        thread, outcome = _in_thread(importer.import_table, table, OPERATOR, session=NPC_SESSION)
        assert _waiting(pg_ledger)
        assert _locked_by_another(pg_ledger, first)  # it took the lower id first, whatever the rows' order
        cursor.execute('UPDATE "case" SET title = %s, version = version + 1 WHERE id = %s',
                       ("另一工作站改的标题", second))
        connection.commit()
        thread.join(15)
    finally:
        connection.close()
    error = outcome.get("error")
    assert isinstance(error, VersionConflict), error
    assert "第0002号" in error.message and "第0001号" not in error.message
    assert "未写入任何内容" in error.message and "您的文件未作改动" in error.message
    assert _counts(pg_ledger) == before
    assert [title for _, title, _ in _titles(pg_ledger)] == ["关于推进政务数据共享的建议", "另一工作站改的标题"]


def test_an_import_that_waited_for_a_case_left_as_it_was_lands_whole(pg_ledger, today):
    first, second = _ledger_with_two_cases(pg_ledger)
    table = [HEADER, _row("0002", "清单更正的标题二"), _row("0001", "清单更正的标题一"), _row("0003", "清单新件")]
    events = _counts(pg_ledger)[2]
    connection, cursor = _holder(pg_ledger)
    try:
        _lock(cursor, second)
        thread, outcome = _in_thread(importer.import_table, table, OPERATOR, session=NPC_SESSION)
        assert _waiting(pg_ledger)
        connection.rollback()
        thread.join(15)
    finally:
        connection.close()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["value"].updated == ["0002", "0001"] and outcome["value"].created == ["0003"]
    assert [(n, t) for n, t, _ in _titles(pg_ledger)] == [
        ("0001", "清单更正的标题一"), ("0002", "清单更正的标题二"), ("0003", "清单新件")]
    assert _counts(pg_ledger)[2] == events + 3  # two 修改 and one 交办


def test_a_case_changed_after_the_preview_refuses_the_import(pg_ledger, today):
    first, _ = _ledger_with_two_cases(pg_ledger)
    table = [HEADER, _row("0001", "清单更正的标题一"), _row("0003", "清单新件")]
    preview = importer.import_table(table, OPERATOR, session=NPC_SESSION, dry_run=True)
    assert preview.updated == ["0001"]
    desk, outcome = _in_thread(actions.edit_case, first, OTHER_OPERATOR, title="另一工作站改的标题")  # its own connection
    desk.join(10)
    assert "error" not in outcome, outcome.get("error")
    before = _counts(pg_ledger)
    with pytest.raises(VersionConflict) as refused:
        importer.import_table(table, OPERATOR, session=NPC_SESSION, seen_versions=preview.seen_versions)
    assert "第0001号" in refused.value.message and OTHER_OPERATOR in refused.value.message
    assert _counts(pg_ledger) == before
    assert _titles(pg_ledger)[0][1] == "另一工作站改的标题"


def test_two_imports_over_the_same_cases_in_opposite_orders_never_deadlock(pg_ledger, today, monkeypatch):
    """Each lands whole or refuses whole in Chinese; every case's versions stay one a change."""
    seen = _contention_spy(monkeypatch)
    first, second = _ledger_with_two_cases(pg_ledger)
    one = [HEADER, _row("0001", "甲站的标题一"), _row("0002", "甲站的标题二")]
    other = [HEADER, _row("0002", "乙站的标题二"), _row("0001", "乙站的标题一")]
    connection, cursor = _holder(pg_ledger)
    try:
        _lock(cursor, second)
        a, a_out = _in_thread(importer.import_table, one, OPERATOR, session=NPC_SESSION)
        assert _waiting(pg_ledger)
        b, b_out = _in_thread(importer.import_table, other, OTHER_OPERATOR, session=NPC_SESSION)
        assert _waiting(pg_ledger, 2)
        connection.rollback()
        a.join(15)
        b.join(15)
    finally:
        connection.close()
    assert "40P01" not in seen
    outcomes = [a_out, b_out]
    landed = [o for o in outcomes if "value" in o]
    refused = [o["error"] for o in outcomes if "error" in o]
    assert len(landed) >= 1 and all(isinstance(e, VersionConflict) for e in refused), refused
    titles = [t for _, t, _ in _titles(pg_ledger)]
    assert titles in (["甲站的标题一", "甲站的标题二"], ["乙站的标题一", "乙站的标题二"])  # never a mix
    assert _raw(pg_ledger, "SELECT case_id, version, COUNT(*) FROM event GROUP BY case_id, version "
                           "HAVING COUNT(*) > 1") == []
