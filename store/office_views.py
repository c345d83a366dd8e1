"""处室与人员, read: the office as a tree of frozen views (divisions in order, people within).

`store.office` re-exports these; the office screen and the org export read the office here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.models import PERSON_TITLES, Division, Person


@dataclass(frozen=True)
class PersonView:
    """A member of staff as the office screen shows them."""

    id: int
    name: str
    division_id: int | None
    division: str
    title: str
    post: str
    phone: str
    supervises: tuple[int, ...]
    supervises_names: tuple[str, ...]
    retired_on: dt.date | None

    @property
    def retired(self) -> bool:
        return self.retired_on is not None


@dataclass(frozen=True)
class DivisionView:
    """A division with its people (current first, then retired), in the office's order."""

    id: int
    name: str
    sort_order: int
    retired_on: dt.date | None
    people: tuple[PersonView, ...]

    @property
    def retired(self) -> bool:
        return self.retired_on is not None


@dataclass(frozen=True)
class OfficeTree:
    """The whole office: divisions in order, and the leaders who belong to no division."""

    divisions: tuple[DivisionView, ...]
    leaders: tuple[PersonView, ...]

    @property
    def empty(self) -> bool:
        return not self.divisions and not self.leaders


def _ordered() -> list[Division]:
    return list(Division.select().order_by(Division.sort_order, Division.name, Division.id))


def office_tree(*, include_retired: bool = True) -> OfficeTree:
    """The office as the screen shows it: divisions in order, each with its people."""
    divisions = _ordered()
    names = {d.id: d.name for d in divisions}
    people = list(Person.select().order_by(Person.name, Person.id))

    def view(p: Person) -> PersonView:
        ids = tuple(int(i) for i in (p.supervises or []))
        return PersonView(p.id, p.name, p.division_id, names.get(p.division_id, ""), p.title or "", p.post or "",
                          p.phone or "", ids, tuple(names.get(i, f"#{i}") for i in ids), p.retired_on)

    title_rank = {title: i for i, title in enumerate(reversed(PERSON_TITLES))}
    by_division: dict[int | None, list[PersonView]] = {}
    for person in people:
        if include_retired or person.retired_on is None:
            by_division.setdefault(person.division_id, []).append(view(person))
    for members in by_division.values():
        members.sort(key=lambda p: (p.retired, title_rank.get(p.title, 99), p.name, p.id))
    shown = tuple(
        DivisionView(d.id, d.name, d.sort_order, d.retired_on, tuple(by_division.get(d.id, ())))
        for d in divisions if include_retired or d.retired_on is None
    )
    return OfficeTree(shown, tuple(by_division.get(None, ())))
