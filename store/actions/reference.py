"""Reference data found or created quietly (the importer and the fixtures): sessions, divisions,
people, proposers; and the older callers' way to correct the calendar (`store.office_calendar`).
"""

from __future__ import annotations

import datetime as dt

from store.actions.common import _choice, _text, retrying
from store.models import BODIES, Division, Person, Proposer, Session


# ------------------------------------------------------------------- reference data


@retrying
def ensure_session(name: str, *, body: str, year: int, assigned_on: dt.date | None = None,
                   rules: dict | None = None) -> Session:
    """届次会议: find by name or create it."""
    name = _text(name, "届次名称", required=True, limit=100).strip()
    _choice(body, BODIES, "机构")
    session, created = Session.get_or_create(
        name=name, defaults={"body": body, "year": year, "assigned_on": assigned_on, "rules": rules or {}}
    )
    return session


@retrying
def ensure_division(name: str) -> Division:
    name = _text(name, "处室名称", required=True, limit=100).strip()
    return Division.get_or_create(name=name)[0]


@retrying
def ensure_person(name: str, *, division: Division | None = None, post: str = "", title: str = "") -> Person:
    name = _text(name, "姓名", required=True, limit=50).strip()
    person = Person.get_or_none((Person.name == name) & (Person.division == division))
    return person or Person.create(name=name, division=division, post=post, title=title)


@retrying
def ensure_proposer(name: str, *, kind: str = "代表", group: str = "", unit_title: str = "", phone: str = "") -> Proposer:
    name = _text(name, "代表/委员姓名", required=True, limit=50).strip()
    proposer = Proposer.get_or_none((Proposer.name == name) & (Proposer.group == group))
    return proposer or Proposer.create(name=name, kind=kind, group=group, unit_title=unit_title, phone=phone)


CALENDAR_OPERATOR = "办公室"
"""Who a calendar change is recorded for when an older caller names no operator."""


def set_calendar_day(day, is_working, note: str = "", *, operator: str = CALENDAR_OPERATOR):
    """The office's correction of one day (holiday or 调休 working day); later entries win.

    Kept for older callers: see `store.office_calendar.set_day` (change record, recompute).
    """
    from store.office_calendar import set_day

    return set_day(operator, day, is_working, note=note)


def confirm_calendar_year(year: int, note: str = "", *, operator: str = CALENDAR_OPERATOR):
    """Mark a year's holiday notice as entered, so its deadlines are no longer estimates.

    Kept for older callers: see `store.office_calendar.confirm_year`.
    """
    from store.office_calendar import confirm_year

    return confirm_year(operator, year, note=note)
