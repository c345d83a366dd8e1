"""第一次使用: what an office that starts from nothing has set up so far.

The ledger's first screen shows these steps (import the list, the office's divisions and
people, this year's calendar, a session, a case by hand) with a tick for each one done, so
that a new ledger points somewhere instead of showing an empty table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store import clock
from store.models import Case, Division, Person, Session


@dataclass(frozen=True)
class SetupProgress:
    """Counts of what a new ledger holds, and whether this year's calendar is known."""

    cases: int
    sessions: int
    divisions: int
    people: int
    year: int
    calendar_known: bool
    next_year_known: bool = True

    @property
    def empty(self) -> bool:
        return self.cases == 0


def setup_progress(today: dt.date | None = None) -> SetupProgress:
    from store.queries import load_calendar

    today = today or clock.today()
    return SetupProgress(
        cases=Case.select().count(),
        sessions=Session.select().count(),
        divisions=Division.select().where(Division.retired_on.is_null(True)).count(),
        people=Person.select().where(Person.retired_on.is_null(True)).count(),
        year=today.year,
        calendar_known=load_calendar().knows_year(today.year),
        next_year_known=load_calendar().knows_year(today.year + 1),
    )
