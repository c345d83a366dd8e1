"""Issue 13 on SQLite, and the words for contention: a write that finds the ledger busy (another
connection holding BEGIN IMMEDIATE) is run again a few times, lands when the other lets go, and
is otherwise refused in Chinese with nothing written; deadlock, serialization failure and lock
timeout read as Chinese sentences, by PostgreSQL's SQLSTATE or by the driver's words."""

from __future__ import annotations

import sqlite3
import threading

import peewee
import pytest

from store import actions, db_errors
from store.actions import common
from store.actions.common import BUSY_REFUSAL, RETRIES
from store.db import database, describe_db_error
from store.errors import LedgerError

from store_helpers import OPERATOR, assigned_case


def _plain(path, statement: str):
    connection = sqlite3.connect(path)
    try:
        return connection.execute(statement).fetchall()
    finally:
        connection.close()


def _counting(monkeypatch) -> list[BaseException]:
    seen: list[BaseException] = []
    real = db_errors.is_contention

    def spy(exc):
        answer = real(exc)
        if answer:
            seen.append(exc)
        return answer

    monkeypatch.setattr(db_errors, "is_contention", spy)
    return seen


def _other_workstation(path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.fixture
def busy_ledger(ledger, tmp_path, today):
    """The test ledger with two cases, its own connection waiting only 30 ms for a lock."""
    ids = assigned_case("0001"), assigned_case("0002")
    database.obj.execute_sql("PRAGMA busy_timeout = 30")
    return tmp_path / "ledger.db", ids


def test_a_busy_ledger_is_retried_then_refused_in_chinese_with_nothing_written(busy_ledger, monkeypatch):
    path, ids = busy_ledger
    seen = _counting(monkeypatch)
    before = _plain(path, "SELECT id, version, urge_count FROM \"case\" ORDER BY id"), _plain(
        path, "SELECT COUNT(*) FROM event")
    holder = _other_workstation(path)
    try:
        with pytest.raises(LedgerError) as refused:
            actions.urge_cases(list(ids), OPERATOR, note="请加快")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(refused.value) == BUSY_REFUSAL
    assert "等待后仍未能保存" in BUSY_REFUSAL and "您填写的内容仍在" in BUSY_REFUSAL
    assert len(seen) == RETRIES + 1 == 4
    assert (_plain(path, "SELECT id, version, urge_count FROM \"case\" ORDER BY id"),
            _plain(path, "SELECT COUNT(*) FROM event")) == before
    assert not database.obj.in_transaction()
    recorded = actions.urge_cases(list(ids), OPERATOR)  # once the other lets go, the same write lands
    assert len(recorded) == 2 and _plain(path, "SELECT COUNT(*) FROM event WHERE kind = '催办'") == [(2,)]


def test_a_busy_ledger_that_frees_up_during_the_retries_lands_once(busy_ledger, monkeypatch):
    path, (first, second) = busy_ledger
    seen = _counting(monkeypatch)
    holder = _other_workstation(path)
    release = threading.Timer(0.15, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        recorded = actions.urge_division(first, OPERATOR, note="请尽快答复")
    finally:
        release.join()
        holder.close()
    assert 1 <= len(seen) <= RETRIES
    assert _plain(path, "SELECT case_id, note FROM event WHERE kind = '催办'") == [(first, "请尽快答复")]
    assert _plain(path, f"SELECT urge_count, version FROM \"case\" WHERE id = {first}") == [(1, recorded.version)]


def test_a_busy_sqlite_ledger_waits_its_busy_timeout_once_not_four_times(busy_ledger, monkeypatch):
    """With a long busy_timeout the first try has waited already: refused after it, no more."""
    path, ids = busy_ledger
    database.obj.execute_sql("PRAGMA busy_timeout = 300")
    monkeypatch.setattr(common, "RETRY_BUDGET", 0.2)
    seen = _counting(monkeypatch)
    holder = _other_workstation(path)
    try:
        with pytest.raises(LedgerError, match="等待后仍未能保存"):
            actions.urge_cases(list(ids), OPERATOR)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(seen) == 1


def test_a_refusal_of_the_office_is_not_retried(busy_ledger, monkeypatch):
    _, (first, _) = busy_ledger
    seen = _counting(monkeypatch)
    with pytest.raises(LedgerError, match="没有选中"):
        actions.urge_cases([], OPERATOR)
    with pytest.raises(LedgerError, match="找不到编号为 999 的件"):
        actions.urge_cases([first, 999], OPERATOR)
    assert seen == []


def test_inside_another_transaction_the_write_is_not_retried(busy_ledger, monkeypatch):
    """An outer transaction (an import applying rows) is lost with the failure: it is its caller's."""
    from store.actions import follow_up

    _, (first, _) = busy_ledger
    tries = []

    def locked(*args, **kwargs):
        tries.append(1)
        raise peewee.OperationalError("database is locked")

    monkeypatch.setattr(follow_up, "_urge", locked)
    with pytest.raises(peewee.OperationalError, match="database is locked"):
        with actions._transaction():
            actions.urge_division(first, OPERATOR)
    assert len(tries) == 1
    with pytest.raises(LedgerError, match="等待后仍未能保存"):  # on its own, the same write is retried
        actions.urge_division(first, OPERATOR)
    assert len(tries) == 1 + RETRIES + 1


# ------------------------------------------------------------------------- the words


class _PgError(Exception):
    def __init__(self, text: str, pgcode: str) -> None:
        super().__init__(text)
        self.pgcode = pgcode


@pytest.mark.parametrize(("code", "text", "words"), [
    ("40P01", "deadlock detected\nDETAIL: Process 1 waits for ShareLock on transaction 2", "死锁"),
    ("40001", "could not serialize access due to concurrent update", "与本次修改冲突"),
    ("55P03", "canceling statement due to lock timeout", "等待超时"),
    ("40P01", "检测到死锁", "死锁"),  # a server speaking Chinese (lc_messages): the code decides
])
def test_contention_on_postgresql_reads_in_chinese(code, text, words):
    wrapped = peewee.OperationalError(_PgError(text, code))  # as peewee wraps the driver's error
    for error in (_PgError(text, code), wrapped):
        said = describe_db_error(error)
        assert words in said and said.endswith("。") and "lock" not in said.lower()
        assert db_errors.is_contention(error)


@pytest.mark.parametrize("text", ["deadlock detected", "could not serialize access due to read/write dependencies",
                                  "canceling statement due to lock timeout"])
def test_contention_words_without_a_code_read_in_chinese(text):
    said = describe_db_error(peewee.OperationalError(text))
    assert "「" not in said and "本次未作任何修改" in said


def test_what_is_and_is_not_contention(tmp_path):
    path = tmp_path / "a.db"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("BEGIN IMMEDIATE")
    second = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        second.execute("BEGIN IMMEDIATE")
    first.execute("ROLLBACK")
    first.close()
    second.close()
    assert db_errors.is_contention(locked.value)
    assert db_errors.is_contention(peewee.OperationalError(locked.value))
    assert not db_errors.is_contention(peewee.OperationalError("database or disk is full"))
    assert not db_errors.is_contention(_PgError('duplicate key value violates unique constraint "x"', "23505"))
    assert not db_errors.is_contention(LedgerError("台账已锁定"))
