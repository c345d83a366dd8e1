"""处室与人员: the office's own divisions and people, entered and kept by the office (the
people's writes are in store/office_people.py and re-exported here).

Every write takes the operator, checks its input first and then, in one write transaction,
changes the rows and appends one `ChangeRecord` (area 处室 or 人员) holding what it was
before and after. Nothing is deleted: a division or a person that leaves is retired
(停用, `retired_on`), leaves the pickers and stays on old cases and events under its name;
`restore_*` brings it back. A refusal is a `LedgerError` sentence and writes nothing.

Division names are unique (compared without surrounding spaces, letters in any case);
a person is known by name within a division (分管局领导 and 局长 may have none).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import fn

from store import clock
from store.actions import _operator, _transaction
from store.actions.common import retrying
from store.changes import record_change
from store.errors import LedgerError
from store.models import PERSON_TITLES, Case, Division, Person
from store.office_views import DivisionView, OfficeTree, PersonView, _ordered, office_tree  # noqa: F401 (re-exported)

MAX_DIVISION_NAME = 50
MAX_PERSON_NAME = 30
MAX_POST = 100
MAX_PHONE = 40
MAX_NOTE = 500
MAX_SORT_ORDER = 999_999
SORT_STEP = 10

LEADER_TITLES = ("分管局领导", "局长")
"""Titles that may stand outside any division and may supervise divisions (分管)."""

_UNSET = object()


@dataclass(frozen=True)
class Saved:
    """What a write did: the row's id, a sentence to show, and whether anything changed."""

    id: int
    message: str
    changed: bool = True


# ----------------------------------------------------------------------------- checks


def _clean(value, what: str, *, limit: int, required: bool = True) -> str:
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).strip()
    if required and not text:
        raise LedgerError(f"请填写{what}。")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise LedgerError(f"{what}含有控制字符或不可见字符，请重新输入。")
    if len(text) > limit:
        raise LedgerError(f"{what}过长（{len(text)}字），最多{limit}字。")
    return text


def _note(value) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise LedgerError("说明含有空字符（\\x00），请删除后重试。")
    if len(text) > MAX_NOTE:
        raise LedgerError(f"说明过长（{len(text)}字），最多{MAX_NOTE}字。")
    return text


def name_key(name: str) -> str:
    """How two names are compared: without surrounding spaces, letters in any case."""
    return unicodedata.normalize("NFKC", name or "").strip().casefold()


def _phone(value) -> str:
    phone = _clean(value, "电话", limit=MAX_PHONE, required=False)
    if phone and not any(ch.isdigit() for ch in phone):
        raise LedgerError(f"电话“{phone}”中没有数字，请检查。")
    return phone


def _title(value) -> str:
    title = "" if value is None else str(value).strip()
    if title not in PERSON_TITLES:
        shown = f"“{title}”" if title else ""
        raise LedgerError(f"职务{shown}无效，应为：{'、'.join(PERSON_TITLES)}。")
    return title


def _sort_order(value) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise LedgerError(f"处室顺序“{value}”不是整数。")
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise LedgerError(f"处室顺序“{value}”不是整数。") from None
    if not 0 <= number <= MAX_SORT_ORDER:
        raise LedgerError(f"处室顺序应在0到{MAX_SORT_ORDER}之间，收到的是{number}。")
    return number


def _division(division_id) -> Division:
    division = Division.get_or_none(Division.id == division_id) if division_id is not None else None
    if division is None:
        raise LedgerError("找不到该处室，可能已被其他工作站更改，请刷新。")
    return division


def _person(person_id) -> Person:
    person = Person.get_or_none(Person.id == person_id) if person_id is not None else None
    if person is None:
        raise LedgerError("找不到该人员，可能已被其他工作站更改，请刷新。")
    return person


def _same_name_division(name: str, exclude: int | None = None) -> Division | None:
    key = name_key(name)
    for division in Division.select():
        if division.id != exclude and name_key(division.name) == key:
            return division
    return None


def _placement(title: str, division_id) -> Division | None:
    """The division a person with `title` is put in: required unless a leader; never a retired one."""
    if division_id is None:
        if title not in LEADER_TITLES:
            raise LedgerError(f"{title}须属于一个处室，请选择处室（只有{'、'.join(LEADER_TITLES)}可以不属任何处室）。")
        return None
    division = _division(division_id)
    if division.retired_on is not None:
        raise LedgerError(f"处室“{division.name}”已停用，不能把人员放入；请先恢复该处室或另选处室。")
    return division


def _check_unique_person(name: str, division_id: int | None, exclude: int | None = None) -> None:
    key = name_key(name)
    query = Person.select().where(Person.division.is_null() if division_id is None else Person.division == division_id)
    for other in query:
        if other.id != exclude and name_key(other.name) == key:
            where = f"“{other.division.name}”" if division_id is not None else "局领导中"
            if other.retired_on is not None:
                raise LedgerError(f"{where}已有已停用的“{other.name}”：如是同一人，请恢复他（她），不要重复新增。")
            raise LedgerError(f"{where}已有“{other.name}”，同一处室内姓名不能重复。")


def _division_names(ids: Iterable[int]) -> list[str]:
    ids = list(ids)
    names = {d.id: d.name for d in Division.select(Division.id, Division.name).where(Division.id << ids)} if ids else {}
    return [names.get(i, f"#{i}") for i in ids]


def _person_state(person: Person) -> dict:
    division = person.division.name if person.division_id is not None else ""
    return {"name": person.name, "division": division, "division_id": person.division_id, "title": person.title,
            "post": person.post, "phone": person.phone, "supervises": list(person.supervises or [])}


# -------------------------------------------------------------------------- divisions


@retrying
def add_division(operator: str, name: str, *, sort_order: int | None = None, note: str = "") -> Saved:
    """新增处室: a new division, last in the office's order unless `sort_order` says where."""
    operator = _operator(operator)
    name = _clean(name, "处室名称", limit=MAX_DIVISION_NAME)
    order = None if sort_order is None else _sort_order(sort_order)
    note = _note(note)
    with _transaction():
        same = _same_name_division(name)
        if same is not None:
            if same.retired_on is not None:
                raise LedgerError(f"已有已停用的处室“{same.name}”：如是同一处室，请恢复它，不要重复新增。")
            raise LedgerError(f"已有处室“{same.name}”，处室名称不能重复。")
        if order is None:
            order = (Division.select(fn.MAX(Division.sort_order)).scalar() or 0) + SORT_STEP
        division = Division.create(name=name, sort_order=order)
        record_change(operator, "处室", name, "新增", note=note, before={}, after={"name": name, "sort_order": order})
    return Saved(division.id, f"已新增处室“{name}”。")


@retrying
def rename_division(operator: str, division_id: int, new_name: str, note: str = "") -> Saved:
    """改名: the division keeps its cases and people; old events show the name it has now."""
    operator = _operator(operator)
    new_name = _clean(new_name, "处室名称", limit=MAX_DIVISION_NAME)
    note = _note(note)
    with _transaction():
        division = _division(division_id)
        if division.name == new_name:
            return Saved(division.id, f"处室“{new_name}”的名称没有改动。", changed=False)
        same = _same_name_division(new_name, exclude=division.id)
        if same is not None:
            raise LedgerError(f"已有处室“{same.name}”{'（已停用）' if same.retired_on else ''}，处室名称不能重复。")
        old = division.name
        division.name = new_name
        division.save()
        record_change(operator, "处室", new_name, "改名", note=note, before={"name": old}, after={"name": new_name})
    return Saved(division.id, f"处室“{old}”已改名为“{new_name}”。")


@retrying
def reorder_division(operator: str, division_id: int, sort_order: int, note: str = "") -> Saved:
    """调序: give a division its place in the office's order (smaller comes first)."""
    operator = _operator(operator)
    order = _sort_order(sort_order)
    note = _note(note)
    with _transaction():
        division = _division(division_id)
        if division.sort_order == order:
            return Saved(division.id, f"处室“{division.name}”的顺序没有改动。", changed=False)
        old = division.sort_order
        division.sort_order = order
        division.save()
        record_change(operator, "处室", division.name, "调序", note=note, before={"sort_order": old},
                      after={"sort_order": order})
    return Saved(division.id, f"处室“{division.name}”的顺序已改为{order}。")


@retrying
def move_division(operator: str, division_id: int, step: int, note: str = "") -> Saved:
    """上移/下移: swap a division with the nearest current one above (step -1) or below (+1).

    The whole order is renumbered 10, 20, 30 … in the same transaction; the change record
    holds the order of names before and after.
    """
    operator = _operator(operator)
    if step not in (-1, 1):
        raise LedgerError("只能上移或下移一位。")
    note = _note(note)
    with _transaction():
        division = _division(division_id)
        if division.retired_on is not None:
            raise LedgerError(f"处室“{division.name}”已停用，不能调整顺序；请先恢复。")
        ordered = _ordered()
        index = next(i for i, d in enumerate(ordered) if d.id == division.id)
        other = index + step
        while 0 <= other < len(ordered) and ordered[other].retired_on is not None:
            other += step
        if not 0 <= other < len(ordered):
            where = "最前" if step < 0 else "最后"
            return Saved(division.id, f"处室“{division.name}”已在{where}。", changed=False)
        before = [d.name for d in ordered]
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered, start=1):
            if row.sort_order != position * SORT_STEP:
                Division.update(sort_order=position * SORT_STEP).where(Division.id == row.id).execute()
        record_change(operator, "处室", division.name, "调序", note=note, before={"order": before},
                      after={"order": [d.name for d in ordered]})
    return Saved(division.id, f"处室“{division.name}”已{'上移' if step < 0 else '下移'}。")


@retrying
def retire_division(operator: str, division_id: int, note: str = "") -> Saved:
    """停用处室 (撤销/合并): refused while it still has current people; its cases keep its name."""
    operator = _operator(operator)
    note = _note(note)
    with _transaction():
        division = _division(division_id)
        if division.retired_on is not None:
            raise LedgerError(f"处室“{division.name}”已于{division.retired_on:%Y-%m-%d}停用。")
        current = [p.name for p in Person.select(Person.name).where(
            (Person.division == division.id) & Person.retired_on.is_null()).order_by(Person.name)]
        if current:
            shown = "、".join(current[:5]) + ("等" if len(current) > 5 else "")
            raise LedgerError(f"处室“{division.name}”还有{len(current)}名在任人员（{shown}），"
                              "请先把他们调到其他处室或停用，再停用处室。")
        day = clock.today()
        division.retired_on = day
        division.save()
        open_cases = Case.select().where((Case.division == division.id)
                                         & Case.status.not_in(("已办结", "已反馈"))).count()
        record_change(operator, "处室", division.name, "停用", note=note, before={"retired_on": None},
                      after={"retired_on": day})
    tail = f"仍有{open_cases}件在办案件分派在该处室，请重新分派。" if open_cases else ""
    return Saved(division.id, f"处室“{division.name}”已停用。{tail}")


@retrying
def restore_division(operator: str, division_id: int, note: str = "") -> Saved:
    """恢复处室: a retired division comes back to the pickers."""
    operator = _operator(operator)
    note = _note(note)
    with _transaction():
        division = _division(division_id)
        if division.retired_on is None:
            raise LedgerError(f"处室“{division.name}”在用，无需恢复。")
        old = division.retired_on
        division.retired_on = None
        division.save()
        record_change(operator, "处室", division.name, "恢复", note=note, before={"retired_on": old},
                      after={"retired_on": None})
    return Saved(division.id, f"处室“{division.name}”已恢复。")


# ----------------------------------------------------------------------------- people


# The people's writes live in store/office_people.py; callers keep importing them from here.
from store.office_people import add_person, restore_person, retire_person, set_supervision, update_person  # noqa: E402,F401
