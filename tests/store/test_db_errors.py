"""The driver-error table (store/db_errors.py, entry point store.db.describe_db_error).

Each entry is checked with the driver's own wording; SQLite's locked, read-only and disk-full
errors are produced for real, and the disk-full case checks that SQLite's failed rollback after
it ("cannot rollback - no transaction is active") does not hide the first error.
"""

from __future__ import annotations

import sqlite3

import peewee
import pytest

from store.db import describe_db_error

CASES = [
    ("database is locked", "已锁定"),
    ("database table is locked", "已锁定"),
    ("database is busy", "正忙"),
    ("database or disk is full", "磁盘已满"),
    ("disk I/O error", "磁盘出错"),
    ("attempt to write a readonly database", "只读"),
    ("database disk image is malformed", "已损坏"),
    ("file is not a database", "已损坏"),
    ("unable to open database file", "无法打开数据库文件"),
    ("connection already closed", "连接已断开"),
    ("server closed the connection unexpectedly\n\tThis probably means the server terminated"
     " abnormally", "连接已断开"),
    ('FATAL:  database "duban_x" does not exist', "没有这个数据库"),
    ('FATAL:  password authentication failed for user "duban"', "拒绝登录"),
    ('could not connect to server: Connection refused', "无法连接数据库服务器"),
    ("No module named 'psycopg2' (psycopg2 not found)", "psycopg2"),
    ('duplicate key value violates unique constraint "case_session_id_number"', "刚被其他工作站登记过"),
    ("UNIQUE constraint failed: case.session_id, case.number", "刚被其他工作站登记过"),
    ('permission denied for table "case"', "权限不足"),
    ('must be owner of table case', "所有者"),
]


@pytest.mark.parametrize("text", [
    "server closed the connection unexpectedly", "terminating connection due to administrator command",
    "could not connect to server: Connection refused", "connection already closed",
])
def test_a_lost_server_is_told_apart_from_other_errors(text):
    import psycopg2

    from store.db_errors import connection_lost

    assert connection_lost(psycopg2.OperationalError(text))
    assert not connection_lost(psycopg2.OperationalError("deadlock detected"))
    assert not connection_lost(sqlite3.OperationalError("unable to open database file"))
    assert not connection_lost(peewee.OperationalError("database is locked"))


@pytest.mark.parametrize(("driver_text", "words"), CASES)
def test_each_driver_error_reads_as_a_chinese_sentence(driver_text, words):
    sentence = describe_db_error(peewee.OperationalError(driver_text))
    assert words in sentence
    assert sentence.endswith("。")
    assert driver_text.split()[0] not in sentence or "psycopg2" in driver_text


def test_a_missing_table_is_not_read_as_a_missing_database():
    sentence = describe_db_error(peewee.ProgrammingError('relation "duban_case" does not exist'))
    assert "没有这个数据库" not in sentence
    assert "「relation \"duban_case\" does not exist」" in sentence


def test_an_unknown_error_keeps_the_original_in_corner_brackets_on_one_line():
    sentence = describe_db_error(peewee.OperationalError("weird\x1b]0;x\x07 thing\nhappened"))
    assert sentence.startswith("数据库出错")
    assert sentence.endswith("「weird ]0;x thing happened」")
    assert not any(not ch.isprintable() for ch in sentence)


def test_an_empty_error_names_its_class():
    assert "「OperationalError」" in describe_db_error(peewee.OperationalError())


def test_a_failed_rollback_alone_still_reads_as_chinese():
    sentence = describe_db_error(peewee.OperationalError("cannot rollback - no transaction is active"))
    assert "撤销" in sentence and "rollback" not in sentence


def test_real_sqlite_disk_full_keeps_the_first_error(tmp_path):
    db = peewee.SqliteDatabase(str(tmp_path / "full.db"))
    db.connect()
    db.execute_sql("create table t (x text)")
    db.execute_sql("pragma max_page_count = 3")
    with pytest.raises(peewee.DatabaseError) as caught:
        with db.atomic("IMMEDIATE"):
            for _ in range(200):
                db.execute_sql("insert into t values (?)", ("x" * 1000,))
    assert "rollback" in str(caught.value) or "full" in str(caught.value)
    assert describe_db_error(caught.value).startswith("磁盘已满")
    db.close()


def test_real_sqlite_locked_and_read_only(tmp_path):
    path = tmp_path / "a.db"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("create table t (x)")
    first.execute("begin immediate")
    second = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        second.execute("begin immediate")
    assert "已锁定" in describe_db_error(locked.value)
    first.execute("rollback")
    first.close()
    second.close()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as refused:
        read_only.execute("insert into t values (1)")
    assert "只读" in describe_db_error(refused.value)
    read_only.close()
