"""The pickers of 分派: divisions and people in the office's order, current ones unless told.

(The office screen's own tree is `store.office_views`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN

from store.models import Division, Person


# ------------------------------------------------------------------ pickers (分派)


@dataclass(frozen=True)
class DivisionInfo:
    """处室, as a picker lists it."""

    id: int
    name: str
    retired: bool = False


@dataclass(frozen=True)
class PersonInfo:
    """A member of staff, as a picker lists them: name, division, post and title."""

    id: int
    name: str
    division_id: int | None
    division: str
    post: str
    title: str
    retired: bool = False


def divisions(*, include_retired: bool = False) -> list[DivisionInfo]:
    """The divisions in the office's order (sort_order, then name): current ones unless told."""
    query = Division.select(Division.id, Division.name, Division.retired_on)
    if not include_retired:
        query = query.where(Division.retired_on.is_null())
    query = query.order_by(Division.sort_order, Division.name, Division.id).tuples()
    return [DivisionInfo(did, name, retired is not None) for did, name, retired in query]


def people(*, include_retired: bool = False) -> list[PersonInfo]:
    """Staff by their division's order then name (those without a division last): current ones
    unless told (a retired person leaves the pickers, not the old cases)."""
    query = (
        Person.select(Person.id, Person.name, Person.division, Division.name, Person.post, Person.title,
                      Person.retired_on)
        .join(Division, JOIN.LEFT_OUTER, on=(Person.division == Division.id))
    )
    if not include_retired:
        query = query.where(Person.retired_on.is_null())
    query = query.order_by(Division.id.is_null(), Division.sort_order, Division.name, Person.name, Person.id).tuples()
    return [PersonInfo(pid, name, did, dname or "", post or "", title or "", retired is not None)
            for pid, name, did, dname, post, title, retired in query]
