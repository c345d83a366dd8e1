"""What every write shares: the checks of typed input (`_text`, `_operator`, `_choice`, `_date`,
`_planned`), the write transaction (`_transaction`, BEGIN IMMEDIATE on SQLite), running a whole
write again when another workstation held what it needed (`retrying`), loading a case at the
version the user saw (`_load`), and `_record`, which changes the case, bumps its version,
refreshes its cached deadline and appends the `Event`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from peewee import SqliteDatabase

from store import clock
from store.co_units import refresh_unit_counts  # the 会办意见 caches, rewritten with every event
from store.db import database
from store.errors import CommitUncertain, LedgerError, LedgerReadOnly, VersionConflict
from store.models import Case, Division, Event, Person, Proposer, Session
from store.queries import case_label, load_calendar, rules_for


MAX_TITLE = 2000
MAX_NOTE = 10000
ACTIVITY_KINDS = ("查办", "询办", "沟通", "催办")  # a new one replaces the planned next follow-up
CORRECTION_KINDS = ("修改", "更正")  # putting the record right is not a follow-up: staleness ignores it
NOT_FOLLOW_UP_KINDS = CORRECTION_KINDS + ("典型案例",)  # nor is marking a case for the year's summary


@dataclass(frozen=True)
class Recorded:
    """What an action wrote: the case, its new version, the event, and a sentence to show."""

    case_id: int
    event_id: int
    version: int
    message: str


# ----------------------------------------------------------------------------- checks


def _text(value, what: str, *, required: bool = False, limit: int = MAX_NOTE) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise LedgerError(f"{what}含有空字符（\\x00），无法保存，请删除后重试。")
    if required and not text.strip():
        raise LedgerError(f"请填写{what}。")
    if len(text) > limit:
        raise LedgerError(f"{what}过长（{len(text)}字），最多{limit}字。")
    return text


def _operator(value) -> str:
    name = _text(value, "操作人", required=True, limit=50).strip()
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise LedgerError("操作人姓名含有控制字符，请重新输入。")
    return name


def _choice(value, choices: Iterable[str], what: str) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise LedgerError(f"{what}“{value}”无效，应为：{'、'.join(choices)}。")
    return value


def _date(value, what: str, *, case: Case | None = None, allow_future: bool = False) -> dt.date:
    """A business date: parsed, not before 交办, not in the future (unless planned)."""
    if value is None or value == "":
        return clock.today()
    if isinstance(value, str):
        try:
            value = clock.parse_date(value)
        except ValueError as exc:
            raise LedgerError(f"{what}：{exc}") from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise LedgerError(f"{what}“{value}”不是日期。")
    value = dt.date(value.year, value.month, value.day)
    if case is not None and value < case.assigned_on:
        raise LedgerError(f"{what}{value:%Y-%m-%d}早于交办日期{case.assigned_on:%Y-%m-%d}，请检查。")
    if not allow_future and value > clock.today():
        raise LedgerError(f"{what}{value:%Y-%m-%d}晚于今天（{clock.today():%Y-%m-%d}），不能记录未来发生的事。")
    return value


def _not_before(day: dt.date, what: str, prior: dt.date | None, prior_what: str, first: str, then: str) -> None:
    """Refuse a business date earlier than the step it follows, naming both dates."""
    if prior is not None and day < prior:
        raise LedgerError(f"{what}{day:%Y-%m-%d}早于{prior_what}{prior:%Y-%m-%d}：应先{first}、后{then}，请检查日期。")


def _planned(value, what: str) -> dt.date | None:
    """A planned date (next follow-up, respond-by): optional, not in the past."""
    if value is None or value == "":
        return None
    day = _date(value, what, allow_future=True)
    if day < clock.today():
        raise LedgerError(f"{what}{day:%Y-%m-%d}已经过去，请选择今天或以后的日期。")
    return day


# ------------------------------------------------------------------------ transactions


COMMIT_UNCERTAIN = ("与数据库服务器的连接在提交时断开：这次保存可能已经写入，也可能没有。已填写的内容仍在；"
                    "连上后请先看这件的跟进记录，没有这一条再保存。")

DEADLINE_INPUTS_LOCK = 20_231_489
"""PostgreSQL advisory lock key for "the calendar and the rules": every write holds it shared, a
calendar or rule change holds it alone (`_transaction(changes_deadlines=True)`)."""


@contextlib.contextmanager
def _transaction(*, changes_deadlines: bool = False):
    """The write transaction; refused with `LedgerReadOnly` before it starts when the ledger
    cannot be written (store.db.read_only_reason).

    On PostgreSQL the outermost write first takes `DEADLINE_INPUTS_LOCK`: shared by every write
    (each computes its case's cached deadline from the calendar and rules it reads), exclusive
    for a write that changes them and recomputes every open case. So no case — a new one above
    all, which the recompute cannot lock in advance — is saved with a deadline counted on a
    calendar another workstation is replacing at that moment; and since every write takes this
    lock before any row, it adds no deadlock. SQLite's BEGIN IMMEDIATE holds the whole file.

    A connection lost after the body ran — at COMMIT, whose answer never came — may or may not
    have written: that is `CommitUncertain`, which says so, instead of "nothing was saved"."""
    from store.db import read_only_reason

    db = database.obj
    reason = read_only_reason(db)
    if reason:
        raise LedgerReadOnly(reason)
    if isinstance(db, SqliteDatabase):
        with db.atomic("IMMEDIATE") as transaction:
            yield transaction
        return
    from store import db_errors

    outermost = not db.in_transaction()
    written = False
    try:
        with db.atomic() as transaction:
            if outermost or changes_deadlines:  # nested: the exclusive lock is taken all the same
                take = "pg_advisory_xact_lock" if changes_deadlines else "pg_advisory_xact_lock_shared"
                db.execute_sql(f"SELECT {take}(%s)", (DEADLINE_INPUTS_LOCK,))
            yield transaction
            written = outermost  # the body is done: what fails now fails at COMMIT
    except Exception as exc:
        if written and db_errors.connection_lost(exc):
            raise CommitUncertain(COMMIT_UNCERTAIN) from exc
        raise


RETRIES = 3
"""How many times `retrying` runs a write again after contention, before refusing it."""

RETRY_PAUSES = (0.05, 0.2, 0.5)
"""Seconds to wait before each retry (growing, so that the other writer can finish)."""

RETRY_BUDGET = 5.0
"""Seconds after which no retry starts: SQLite has already waited its busy_timeout (8 s) inside a
single try, so a busy SQLite ledger is refused after that wait instead of four of them."""

BUSY_REFUSAL = ("台账正忙：其他工作站正在修改同样的件，等待后仍未能保存，本次未作任何修改，"
                "您填写的内容仍在，请稍后再保存。")


def retrying(write):
    """Run the whole write again — checks, `_transaction` and all — when it failed only because
    another connection held what it needed (store.db_errors.is_contention: a PostgreSQL
    deadlock, serialization failure or lock timeout; SQLite busy after its busy_timeout), up to
    `RETRIES` times with growing pauses while less than `RETRY_BUDGET` has passed, then refuse it
    with `BUSY_REFUSAL`.

    A failed attempt has written nothing (its transaction was rolled back), so running it again
    cannot write twice. Called inside another transaction (an import applying rows) the write is
    not retried here: the outer transaction is lost with it, so the error goes to the outer caller.
    An argument that can be read only once (a generator of case ids) is read into a tuple first,
    so that a second attempt sees the same ids, not an exhausted iterator.
    """
    from store import db_errors

    @functools.wraps(write)
    def run(*args, **kwargs):
        args = tuple(tuple(value) if isinstance(value, Iterator) else value for value in args)
        kwargs = {name: tuple(value) if isinstance(value, Iterator) else value for name, value in kwargs.items()}
        attempt, started = 0, time.monotonic()
        while True:
            db = database.obj
            if db is None or db.in_transaction():
                return write(*args, **kwargs)
            try:
                return write(*args, **kwargs)
            except LedgerError:
                raise
            except Exception as exc:  # noqa: BLE001 - only contention is retried, the rest re-raised
                if not db_errors.is_contention(exc):
                    raise
                if attempt >= RETRIES or time.monotonic() - started > RETRY_BUDGET:
                    raise LedgerError(BUSY_REFUSAL) from exc
            time.sleep(RETRY_PAUSES[min(attempt, len(RETRY_PAUSES) - 1)])
            attempt += 1

    return run


def _load(case_id: int, expected_version: int | None) -> Case:
    query = Case.select().where(Case.id == case_id)
    if not isinstance(database.obj, SqliteDatabase):
        query = query.for_update()
    case = query.first()
    if case is None:
        raise LedgerError(f"找不到编号为 {case_id} 的件，可能已被其他工作站更改，请刷新。")
    if expected_version is not None and case.version != expected_version:
        since = (
            Event.select(Event.kind, Event.operator, Event.at)
            .where((Event.case == case.id) & (Event.version > expected_version))
            .order_by(Event.id)
        )
        changes = [f"{e.at.in_timezone(clock.OFFICE_TZ):%m-%d %H:%M} {e.operator} {e.kind}" for e in since]
        raise VersionConflict(
            f"{case_label(case)}已在别处被修改（{'；'.join(changes) or '版本已变'}），"
            "您看到的是旧内容，本次未作任何修改。请刷新后再试。",
            changes,
        )
    return case


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Division, Person, Proposer, Session)):
        return value.id
    return value


def _field_value(case: Case, name: str):
    """A field's stored value (foreign keys as ids) for before/after records."""
    field = Case._meta.fields[name]
    if hasattr(field, "rel_model"):
        return getattr(case, field.column_name)
    return _jsonable(getattr(case, name))


def _refresh_next_due(case: Case) -> None:
    from store.deadlines import apply_next_open

    apply_next_open(case, rules_for(case.session_id), load_calendar())


def _record(
    case: Case,
    operator: str,
    kind: str,
    changes: dict,
    *,
    on_date: dt.date | None = None,
    note: str = "",
    message: str,
    extra: dict | None = None,
    **event_fields,
) -> Recorded:
    before = {name: _field_value(case, name) for name in changes}
    for name, value in changes.items():
        setattr(case, name, value)
    after = {name: _field_value(case, name) for name in changes}
    on_date = on_date or clock.today()
    if kind not in NOT_FOLLOW_UP_KINDS and (case.last_followup_on is None or on_date > case.last_followup_on):
        case.last_followup_on = on_date
    if kind in ACTIVITY_KINDS:
        case.next_followup_on = event_fields.get("next_followup_on")
    if kind == "催办":
        case.urge_count += 1
        case.urge_level = event_fields["level"]
    case.version += 1
    refresh_unit_counts(case)
    _refresh_next_due(case)
    case.save()
    data = {"before": before, "after": after} if changes else {}
    if extra:
        data.update(extra)
    event = Event.create(
        case=case.id,
        at=clock.now(),
        on_date=on_date,
        operator=operator,
        kind=kind,
        note=note,
        data=data,
        version=case.version,
        **event_fields,
    )
    return Recorded(case.id, event.id, case.version, message)
