"""What a database driver's error means for the office, in one Chinese sentence.

SQLite and PostgreSQL (psycopg2) report trouble in English; `describe(exc)` reads the error text
against one table (`DRIVER_ERRORS`: the words to look for, then a sentence saying what happened
and what to do) and falls back to a Chinese sentence that keeps the original text in 「」.

"cannot rollback - no transaction is active" is what SQLite says when it has already rolled the
transaction back itself (disk full, I/O error): the error that mattered is the first one, which
Python keeps as the rollback error's `__context__`, so that one is described instead. A nested
write (a savepoint) fails first with "no such savepoint", for the same reason.

Contention — another workstation holding the rows or the file — is told apart by
`is_contention(exc)` (PostgreSQL's SQLSTATE 40P01 deadlock, 40001 serialization failure, 55P03
lock timeout; SQLite's SQLITE_BUSY / SQLITE_LOCKED): store.actions.common.retrying runs such a
write again before giving up. PostgreSQL's codes are read before the text, so a localised
server (lc_messages) is described the same.
"""

from __future__ import annotations

import re

# (words any of which marks the error — matched on the lower-cased text; "*" stands for any
#  text on one line — , sentence)
DRIVER_ERRORS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("deadlock detected",),
     "与其他工作站同时修改同一批件而互相等待（死锁），本次未作任何修改；请稍后再保存。"),
    (("could not serialize access", "serialization failure"),
     "其他工作站刚改过同一批件，与本次修改冲突，本次未作任何修改；请刷新后再保存。"),
    (("lock timeout", "could not obtain lock", "lock_not_available"),
     "要修改的件正被其他工作站锁定，等待超时，本次未作任何修改；请稍后再保存。"),
    (("append-only",),
     "跟进记录和变更记录只能追加，不能修改或删除（台账的只增保护拒绝了这次改动）；要纠正，请记一条“更正”。"),
    (("database is locked", "locked"),
     "数据库正被其他工作站或程序占用（已锁定），本次未写入；请稍后再试。"),
    (("database is busy", "busy"),
     "数据库正忙（其他工作站正在写入），本次未写入；请稍后再试。"),
    (("disk is full", "database or disk is full", "no space left", "no space"),
     "磁盘已满，本次未写入；请清理数据库所在磁盘的空间后再试。"),
    (("disk i/o error", "i/o error", "input/output error"),
     "读写数据库文件时磁盘出错（可能是网络盘断开或磁盘故障），本次未写入；请检查磁盘或网络盘后再试。"),
    (("readonly", "read-only", "read only"),
     "数据库所在位置只读，无法写入；请检查文件和文件夹的写权限，或换到可写的位置。"),
    (("malformed", "not a database", "corrupt"),
     "数据库文件已损坏；请停止使用并从备份恢复（或联系管理员）。"),
    (("unable to open",),
     "无法打开数据库文件（文件夹不存在或没有权限）；请检查路径和权限。"),
    (("connection already closed", "server closed the connection unexpectedly",
      "connection not open", "terminating connection", "ssl connection has been closed",
      "connection has been closed", "lost connection"),
     "与数据库服务器的连接已断开，本次未写入；请检查网络后重新打开台账再试。"),
    (("duplicate key value violates unique constraint", "unique constraint failed"),
     "同一条记录刚被其他工作站登记过（例如同一届次的同一编号），本次未写入；请刷新后核对再试。"),
    (("must be owner of", "permission denied for"),
     "这个数据库账号权限不足，本次未写入；日常使用需对台账各表有 SELECT、INSERT、UPDATE 权限，"
     "升级台账结构须用表的所有者账号打开一次；请联系管理员。"),
    (("authentication failed", "password authentication", "no password supplied",
      "no pg_hba.conf entry", 'role "* does not exist'),
     "数据库服务器拒绝登录（用户名或密码不对，或本机未获准连接）；请核对数据库地址中的用户名和密码，或联系管理员。"),
    (('database "* does not exist',),
     "数据库服务器上没有这个数据库；请核对数据库地址中的库名，或请管理员先建库。"),
    (("could not connect", "connection refused", "could not translate host name",
      "timeout expired", "no route to host", "is the server running", "connection to server"),
     "无法连接数据库服务器（服务器未启动，或地址、端口、网络不对）；请检查服务器地址、端口和网络后再试，或联系管理员。"),
)

PSYCOPG_MISSING = "未安装 PostgreSQL 驱动（psycopg2），请先执行 pip install psycopg2-binary。"
_ROLLBACK_AFTER = "cannot rollback - no transaction is active"
_MASKING = (_ROLLBACK_AFTER, "no such savepoint")
"""What SQLite says when it rolled back by itself: the outer ROLLBACK, or a nested write's
ROLLBACK TO SAVEPOINT (the savepoint went with the transaction)."""


PG_CONTENTION = {
    "40P01": "deadlock detected",
    "40001": "could not serialize access",
    "55P03": "lock timeout",
}
"""PostgreSQL's SQLSTATEs for contention, and the words of DRIVER_ERRORS that describe each."""

SQLITE_BUSY, SQLITE_LOCKED = 5, 6
_SQLITE_CONTENTION_TEXT = ("database is locked", "database is busy", "database table is locked")


def _chain(exc: BaseException):
    """`exc`, the driver error peewee wraps (`orig`), and their causes, each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend([getattr(current, "orig", None), current.__cause__, current.__context__])


def pg_code(exc: BaseException) -> str | None:
    """The SQLSTATE psycopg2 gives for `exc` (or the error it wraps), if any."""
    for current in _chain(exc):
        code = getattr(current, "pgcode", None)
        if code:
            return code
    return None


def is_contention(exc: BaseException) -> bool:
    """Did the write fail only because another connection held what it needed (worth retrying)?"""
    for current in _chain(exc):
        if getattr(current, "pgcode", None) in PG_CONTENTION:
            return True
        code = getattr(current, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED):
            return True
        if type(current).__module__.startswith(("sqlite3", "peewee")) and any(
                words in str(current).lower() for words in _SQLITE_CONTENTION_TEXT):
            return True
    return False


_LOST_WORDS = ("connection already closed", "server closed the connection", "connection not open",
               "terminating connection", "ssl connection has been closed", "connection has been closed",
               "lost connection", "could not connect", "connection refused", "connection to server",
               "is the server running", "timeout expired", "no route to host", "could not receive data",
               "could not send data", "the database system is shutting down", "the database system is starting up")


def connection_lost(exc: BaseException) -> bool:
    """Did a PostgreSQL call fail because the connection to the server is gone or cannot be made
    (SQLSTATE class 08, 57P01–57P03, or psycopg2's words for it)? Never true for SQLite."""
    for current in _chain(exc):
        code = getattr(current, "pgcode", None) or ""
        if code.startswith("08") or code in ("57P01", "57P02", "57P03"):
            return True
        module = type(current).__module__
        if module.startswith("psycopg2") or (module.startswith("peewee") and "sqlite" not in str(current).lower()):
            if any(words in str(current).lower() for words in _LOST_WORDS):
                return True
    return False


def first_error(exc: BaseException) -> BaseException:
    """The error that caused `exc` when `exc` is only SQLite's failed rollback after it."""
    seen: set[int] = set()
    while any(words in str(exc).lower() for words in _MASKING) and id(exc) not in seen:
        seen.add(id(exc))
        earlier = exc.__cause__ or exc.__context__
        if earlier is None:
            break
        exc = earlier
    return exc


def describe(exc: BaseException) -> str:
    """One Chinese sentence for a driver error: what happened and what to do."""
    exc = first_error(exc)
    original = str(exc).strip() or exc.__class__.__name__
    text = original.lower()
    code = pg_code(exc)
    if code in PG_CONTENTION:
        text = PG_CONTENTION[code]
    if "psycopg" in text and ("not found" in text or "no module" in text):
        return PSYCOPG_MISSING
    if _ROLLBACK_AFTER in text:
        return "数据库已自行撤销本次写入（之前的错误未能取得），本次未写入；请稍后再试。"
    for words, sentence in DRIVER_ERRORS:
        if any(_matches(word, text) for word in words):
            return sentence
    return f"数据库出错，本次操作未完成；请稍后再试，仍不行请把原文告诉管理员：「{_one_line(original)}」"


def _matches(word: str, text: str) -> bool:
    if "*" not in word:
        return word in text
    return re.search(".*".join(re.escape(part) for part in word.split("*")), text) is not None


def _one_line(text: str) -> str:
    """The driver's text on one line, without control characters, at most 300 characters."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= 300 else flat[:299] + "…"
