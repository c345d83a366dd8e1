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


SQLITE_FILE = pytest.mark.sqlite_only("another connection holds the SQLite file's write lock")


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


@SQLITE_FILE
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


@SQLITE_FILE
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


@SQLITE_FILE
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


@SQLITE_FILE
def test_a_refusal_of_the_office_is_not_retried(busy_ledger, monkeypatch):
    _, (first, _) = busy_ledger
    seen = _counting(monkeypatch)
    with pytest.raises(LedgerError, match="没有选中"):
        actions.urge_cases([], OPERATOR)
    with pytest.raises(LedgerError, match="找不到编号为 999 的件"):
        actions.urge_cases([first, 999], OPERATOR)
    assert seen == []


@SQLITE_FILE
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


# ------------------------------------------------------------ every write of the store

from test_disk_full import WRITES, _step, walk  # noqa: E402,F401 - `walk`: cases in every state, the office

from store import weekly  # noqa: E402
from store.io import importer, org  # noqa: E402
from step_cases import ASSIGNED, TODAY, attempt  # noqa: E402

TABLES = ("case", "event", "change_record", "session", "division", "person", "proposer", "calendar_day",
          "calendar_year", "weekly_review")


def _sql(statement: str) -> list[tuple]:
    return [tuple(row) for row in database.obj.execute_sql(statement).fetchall()]


def _written() -> tuple:
    """What a write can leave, by plain SQL: every table's rows, the events by kind, the change
    records by area and action, and the sum of the cases' versions."""
    return (
        tuple(_sql(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in TABLES),
        _sql("SELECT kind, COUNT(*) FROM event GROUP BY kind ORDER BY kind"),
        _sql("SELECT area, action, COUNT(*) FROM change_record GROUP BY area, action ORDER BY area, action"),
        _sql('SELECT COALESCE(SUM(version), 0), COUNT(next_due) FROM "case"'),
    )


def _everything() -> dict[str, list[tuple]]:
    return {table: _sql(f'SELECT * FROM "{table}" ORDER BY 1') for table in TABLES}


def _co_unit_case(walk) -> int:
    case_id = actions.create_case(OPERATOR, session=walk["session"], number="20239901", title="关于会办件的建议",
                                  role="主办", assigned_on=ASSIGNED, co_units=["市公安局"]).case_id
    actions.sign_for(case_id, OPERATOR)
    actions.assign(case_id, OPERATOR, division=walk["division"])
    return case_id


def _unit_opinion(walk):
    case_id = _co_unit_case(walk)
    return lambda: actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意")


def _import_list(walk):
    number = _sql('SELECT number FROM "case" ORDER BY id')[0][0]
    table = [["编号", "案由", "办理方式", "主办单位", "交办日期"],
             [number, "关于推进政务数据共享的建议（清单更正）", "主办", "", "2023-06-01"],
             ["20239902", "关于清单新件的建议", "主办", "", "2023-06-01"]]
    return lambda: importer.import_table(table, OPERATOR, session="市七届人大三次会议", today=TODAY)


def _import_org(walk):
    table = [["处室", "处室顺序", "姓名", "职务", "岗位", "电话", "分管处室", "状态"],
             ["清单新设处", 90, "郑敏", "经办人", "", "", None, ""]]
    return lambda: org.import_org_table(table, OPERATOR)


def _urge_generator(walk):
    """A batch urge given its ids as a generator: a second attempt must see the same ids."""
    ready = [case_id for case_id in walk["ids"].values() if attempt(database, "urge", case_id) is None][:2]
    return lambda: actions.urge_cases((case_id for case_id in ready), OPERATOR)


EVERY_WRITE = {
    **WRITES,
    "unit opinion": _unit_opinion,
    "form send": _step("form_send"),
    "form chase": _step("form_chase"),
    "typical": _step("typical"),
    "ensure division": lambda walk: lambda: actions.ensure_division("清单处室"),
    "import list": _import_list,
    "import office": _import_org,
    "batch urge of a generator": _urge_generator,
}


def _failing_commits(monkeypatch, times: int) -> list[int]:
    """The next `times` commits fail as a PostgreSQL deadlock does (SQLSTATE 40P01), after every
    statement of the write has run: peewee rolls the transaction back and the error goes up."""
    db = database.obj
    real = db.commit
    failed: list[int] = []

    def commit():
        if len(failed) < times:
            failed.append(1)
            raise peewee.OperationalError(_PgError("deadlock detected", "40P01"))
        return real()

    monkeypatch.setattr(db, "commit", commit)
    monkeypatch.setattr(common, "RETRY_PAUSES", (0.0,))
    return failed


def test_every_write_meeting_contention_is_retried_whole_and_lands_once(walk, monkeypatch):
    """Each write of the store, in turn: under contention that never ends it is refused with
    BUSY_REFUSAL after RETRIES retries and nothing is written; when only its first commit fails
    it is run again and lands exactly what one plain run lands (a trial run inside a transaction
    rolled back gives the figures)."""
    import test_disk_full

    db = database.obj
    real_commit = db.commit
    monkeypatch.setattr(test_disk_full, "_version", lambda case_id: _sql(
        f'SELECT version FROM "case" WHERE id = {int(case_id)}')[0][0])  # its own is SQLite's `?`
    for name, prepare in EVERY_WRITE.items():
        write = prepare(walk)
        before, rows = _written(), _everything()
        with db.atomic() as trial:  # the write once, inside an outer transaction: not retried, then undone
            write()
            once = _written()
            trial.rollback()
        assert _written() == before and once != before, name

        failed = _failing_commits(monkeypatch, times=10)
        with pytest.raises(LedgerError) as refused:
            write()
        assert str(refused.value) == BUSY_REFUSAL, name
        assert len(failed) == RETRIES + 1, name
        assert _everything() == rows, f"{name}: a refused write left something behind"
        assert not db.in_transaction(), name

        monkeypatch.setattr(db, "commit", real_commit)
        failed = _failing_commits(monkeypatch, times=1)
        write()
        assert len(failed) == 1, name
        assert _written() == once, f"{name}: the retried write did not land exactly once"
        monkeypatch.setattr(db, "commit", real_commit)


def test_a_retried_write_on_an_empty_ledger_lands_once(ledger, today, monkeypatch):
    """The first division, session and calendar day of a new ledger, each after a failed commit."""
    from store import office, office_calendar, session_rules

    failed = _failing_commits(monkeypatch, times=3)
    office.add_division(OPERATOR, "数据资源处")
    session_rules.create_session(OPERATOR, body="人大", name="市七届人大三次会议", year=2023)
    office_calendar.set_day(OPERATOR, "2023-10-10", "休息日")
    assert len(failed) == 3
    assert _sql('SELECT COUNT(*) FROM division') == [(1,)]
    assert _sql('SELECT COUNT(*) FROM session') == [(1,)]
    assert _sql('SELECT COUNT(*) FROM calendar_day') == [(1,)]
    assert _sql("SELECT area, action FROM change_record ORDER BY id") == [("处室", "新增"), ("届次", "新增"),
                                                                         ("日历", "设置")]


def test_the_weekly_review_started_after_a_failed_commit_is_kept_once(walk, monkeypatch):
    failed = _failing_commits(monkeypatch, times=1)
    review = weekly.open_review(weekly.week_of(TODAY), OPERATOR, today=TODAY)
    assert len(failed) == 1 and review.operator == OPERATOR
    assert _sql("SELECT COUNT(*) FROM weekly_review") == [(1,)]
