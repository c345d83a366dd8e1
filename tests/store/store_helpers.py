"""Helpers for the store tests: build a session, a division and a case in one line each,
move the office's date, and check that a refused action wrote nothing.

Every date here is frozen: the `today` fixture fixes the office date to 2023-09-01 and
`office_date` moves it; nothing depends on the real date.
"""

from __future__ import annotations

import datetime as dt

import pytest

from store import actions, clock
from store.errors import LedgerError
from store.models import CalendarDay, CalendarYear, Case, Event, Session

OPERATOR = "王秘书"
"""Who acts in the tests unless a test says otherwise."""

OTHER_OPERATOR = "李干事"
"""A second workstation's operator."""

ASSIGNED = dt.date(2023, 6, 1)
"""The usual 交办 date of a test case (a Thursday); today is 2023-09-01."""

NPC_SESSION = "市七届人大三次会议"
CPPCC_SESSION = "市政协七届三次会议"


def d(text: str) -> dt.date:
    """`d("2023-10-07")`: a date, readably."""
    return dt.date.fromisoformat(text)


def office_date(day: dt.date | str) -> dt.date:
    """Move the office's date (the `today` fixture puts it back after the test)."""
    day = d(day) if isinstance(day, str) else day
    clock.fix_today(day)
    return day


def session(name: str = NPC_SESSION, *, body: str = "人大", year: int = 2023, rules: dict | None = None) -> Session:
    return actions.ensure_session(name, body=body, year=year, rules=rules)


def division(name: str = "数据资源处"):
    return actions.ensure_division(name)


def new_case(number: str = "20230489", *, role: str = "主办", assigned_on: dt.date = ASSIGNED,
             title: str = "关于推进政务数据共享的建议", session_row: Session | None = None, **fields) -> int:
    """交办 a case (in the NPC session unless told) and return its id; a 汇办 case names its lead unit."""
    if role == "汇办":
        fields.setdefault("lead_unit", "市发展改革委")
    return actions.create_case(
        OPERATOR,
        session=session_row or session(),
        number=number,
        title=title,
        role=role,
        assigned_on=assigned_on,
        **fields,
    ).case_id


def signed_case(number: str = "20230489", *, role: str = "主办", signed_on: dt.date = d("2023-06-05"),
                **fields) -> int:
    """A case assigned on 2023-06-01 and signed for on 2023-06-05."""
    case_id = new_case(number, role=role, **fields)
    actions.sign_for(case_id, OPERATOR, on=signed_on)
    return case_id


def assigned_case(number: str = "20230489", *, role: str = "主办", **fields) -> int:
    """A signed case given to the 数据资源处."""
    case_id = signed_case(number, role=role, **fields)
    actions.assign(case_id, OPERATOR, division=division())
    return case_id


def replied_case(number: str = "20230489", *, result_class: str = "A", replied_on: dt.date = d("2023-08-20"),
                 **fields) -> int:
    """A signed and assigned case answered on 2023-08-20 (深政数函〔2023〕84号)."""
    case_id = assigned_case(number, **fields)
    actions.reply(case_id, OPERATOR, on=replied_on, doc_no="深政数函〔2023〕84号", result_class=result_class)
    return case_id


def case(case_id: int) -> Case:
    """The case as stored now."""
    return Case.get_by_id(case_id)


def events(case_id: int) -> list[Event]:
    """The case's timeline, oldest first."""
    return list(Event.select().where(Event.case == case_id).order_by(Event.id))


def last_event(case_id: int) -> Event:
    return events(case_id)[-1]


def snapshot() -> tuple:
    """Everything an action could write: every case row and the number of other rows."""
    return (
        [row for row in Case.select().order_by(Case.id).dicts()],
        Event.select().count(),
        Session.select().count(),
        CalendarDay.select().count(),
        CalendarYear.select().count(),
    )


def refused(action, *args, word: str, **kwargs) -> LedgerError:
    """Run an action that must be refused: a LedgerError whose message contains `word`,
    and nothing written (no event, no case changed, no version bumped)."""
    before = snapshot()
    with pytest.raises(LedgerError) as info:
        action(*args, **kwargs)
    message = str(info.value)
    assert word in message, f"expected “{word}” in: {message}"
    assert snapshot() == before, "a refused action wrote to the ledger"
    return info.value


class _Rows:
    """A cursor's rows as both engines' tests compare them: a date or timestamp the server
    returns as such is its ISO text, as SQLite stores it (values are otherwise untouched)."""

    def __init__(self, cursor) -> None:
        self._cursor = cursor

    @staticmethod
    def _row(row):
        if row is None:
            return None
        return tuple(value.isoformat(sep=" ") if isinstance(value, dt.datetime)
                     else value.isoformat() if isinstance(value, dt.date) else value for value in row)

    def fetchone(self):
        return self._row(self._cursor.fetchone())

    def fetchall(self):
        return [self._row(row) for row in self._cursor.fetchall()]

    def __iter__(self):
        return iter(self.fetchall())


def run_sql(query: str, params=()) -> _Rows:
    """Plain SQL on the bound ledger, on either engine: `?` placeholders (the SQLite style the
    tests are written in) become the driver's `%s` on PostgreSQL, and a literal `%` is escaped."""
    from store.db import database

    db = database.obj
    if db.param != "?":
        query = query.replace("%", "%%").replace("?", db.param)
    return _Rows(db.execute_sql(query, tuple(params)))
