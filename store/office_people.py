"""人员: the office's people — added, moved, renamed, retired and restored, and which divisions
each 分管局领导 supervises. Like store/office.py's divisions: input checked first, then one write
transaction that changes the rows and appends a `ChangeRecord` (area 人员) with before and after;
nothing is deleted. Callers import these from store.office.
"""

from __future__ import annotations

from collections.abc import Iterable

from store import clock
from store.actions import _operator, _transaction
from store.actions.common import retrying
from store.changes import record_change
from store.errors import LedgerError
from store.models import Case, Division, Person
from store.office_views import _ordered
from store.office import (
    _UNSET, LEADER_TITLES, MAX_PERSON_NAME, MAX_POST, Saved, _check_unique_person, _clean,
    _division_names, _note, _person, _person_state, _phone, _placement, _title,
)


@retrying
def add_person(operator: str, name: str, *, division_id: int | None, title: str, post: str = "",
               phone: str = "", note: str = "") -> Saved:
    """新增人员: name, division (none only for 分管局领导/局长), title, post and phone."""
    operator = _operator(operator)
    name = _clean(name, "姓名", limit=MAX_PERSON_NAME)
    title = _title(title)
    post = _clean(post, "岗位", limit=MAX_POST, required=False)
    phone = _phone(phone)
    note = _note(note)
    with _transaction():
        division = _placement(title, division_id)
        _check_unique_person(name, division.id if division else None)
        person = Person.create(name=name, division=division, title=title, post=post, phone=phone, supervises=[])
        record_change(operator, "人员", name, "新增", note=note, before={}, after=_person_state(person))
    where = f"{division.name}" if division else "局领导"
    return Saved(person.id, f"已新增人员“{name}”（{where}·{title}）。")


@retrying
def update_person(operator: str, person_id: int, *, name=_UNSET, division_id=_UNSET, title=_UNSET, post=_UNSET,
                  phone=_UNSET, note: str = "") -> Saved:
    """修改人员 (改名、调动、职务、岗位、电话): only the fields given change; one change record.

    A person who stops being a leader (分管局领导/局长) stops supervising divisions.
    """
    operator = _operator(operator)
    given = {}
    if name is not _UNSET:
        given["name"] = _clean(name, "姓名", limit=MAX_PERSON_NAME)
    if title is not _UNSET:
        given["title"] = _title(title)
    if post is not _UNSET:
        given["post"] = _clean(post, "岗位", limit=MAX_POST, required=False)
    if phone is not _UNSET:
        given["phone"] = _phone(phone)
    note = _note(note)
    with _transaction():
        person = _person(person_id)
        if person.retired_on is not None:
            raise LedgerError(f"“{person.name}”已停用，不能修改；如已回到本局，请先恢复。")
        before = _person_state(person)
        new_title = given.get("title", person.title)
        new_division = person.division_id if division_id is _UNSET else division_id
        if new_division != person.division_id or new_title != person.title:
            division = _placement(new_title, new_division)
            new_division = division.id if division else None
        new_name = given.get("name", person.name)
        if new_name != person.name or new_division != person.division_id:
            _check_unique_person(new_name, new_division, exclude=person.id)
        for field, value in given.items():
            setattr(person, field, value)
        person.division = new_division
        if new_title not in LEADER_TITLES:
            person.supervises = []
        after = _person_state(person)
        changed = {k for k in before if before[k] != after[k]}
        if not changed:
            return Saved(person.id, f"“{person.name}”没有改动。", changed=False)
        person.save()
        action = "调动" if "division_id" in changed else "改名" if changed == {"name"} else "修改"
        keys = changed | ({"division"} if "division_id" in changed else set())
        record_change(operator, "人员", person.name, action, note=note,
                      before={k: before[k] for k in keys}, after={k: after[k] for k in keys})
    if action == "调动":
        return Saved(person.id, f"“{person.name}”已调至{after['division'] or '局领导'}。")
    return Saved(person.id, f"已保存“{person.name}”的修改。")


@retrying
def retire_person(operator: str, person_id: int, note: str = "") -> Saved:
    """停用人员 (离任、调离): leaves the pickers; old cases and events keep the name."""
    operator = _operator(operator)
    note = _note(note)
    with _transaction():
        person = _person(person_id)
        if person.retired_on is not None:
            raise LedgerError(f"“{person.name}”已于{person.retired_on:%Y-%m-%d}停用。")
        day = clock.today()
        person.retired_on = day
        person.save()
        record_change(operator, "人员", person.name, "停用", note=note, before={"retired_on": None},
                      after={"retired_on": day})
        open_scope = Case.status.not_in(("已办结", "已反馈"))
        owned = Case.select().where((Case.owner == person.id) & open_scope).count()
        led = Case.select().where((Case.leader == person.id) & open_scope).count()
    tail = "".join((f"仍是{owned}件在办案件的责任人" if owned else "",
                    ("，" if owned and led else "") + (f"仍是{led}件在办案件的分管领导" if led else "")))
    return Saved(person.id, f"“{person.name}”已停用。" + (f"{tail}，请重新分派。" if tail else ""))


@retrying
def restore_person(operator: str, person_id: int, note: str = "") -> Saved:
    """恢复人员: back in the pickers, in the same division (which must be in use)."""
    operator = _operator(operator)
    note = _note(note)
    with _transaction():
        person = _person(person_id)
        if person.retired_on is None:
            raise LedgerError(f"“{person.name}”在任，无需恢复。")
        if person.division_id is not None and person.division.retired_on is not None:
            raise LedgerError(f"“{person.name}”所在的处室“{person.division.name}”已停用：请先恢复该处室。")
        _check_unique_person(person.name, person.division_id, exclude=person.id)
        old = person.retired_on
        person.retired_on = None
        person.save()
        record_change(operator, "人员", person.name, "恢复", note=note, before={"retired_on": old},
                      after={"retired_on": None})
    return Saved(person.id, f"“{person.name}”已恢复。")


@retrying
def set_supervision(operator: str, leader_id: int, division_ids: Iterable[int], note: str = "") -> Saved:
    """分管: the divisions a 分管局领导 (or 局长) supervises, kept in the office's order."""
    operator = _operator(operator)
    wanted = []
    for value in division_ids:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise LedgerError(f"处室“{value}”无效。") from None
        if number not in wanted:
            wanted.append(number)
    note = _note(note)
    with _transaction():
        leader = _person(leader_id)
        if leader.retired_on is not None:
            raise LedgerError(f"“{leader.name}”已停用，不能设置分管处室。")
        if leader.title not in LEADER_TITLES:
            raise LedgerError(f"“{leader.name}”的职务是{leader.title or '（未填）'}，只有{'、'.join(LEADER_TITLES)}分管处室。")
        had = list(leader.supervises or [])
        rows = {d.id: d for d in Division.select().where(Division.id << wanted)} if wanted else {}
        for number in wanted:
            division = rows.get(number)
            if division is None:
                raise LedgerError("所选处室中有一个已不存在，请刷新后重选。")
            if division.retired_on is not None and number not in had:
                raise LedgerError(f"处室“{division.name}”已停用，不能设为分管处室。")
        order = {d.id: i for i, d in enumerate(_ordered())}
        wanted.sort(key=lambda i: order.get(i, 0))
        if wanted == had:
            return Saved(leader.id, f"“{leader.name}”的分管处室没有改动。", changed=False)
        leader.supervises = wanted
        leader.save()
        record_change(operator, "人员", leader.name, "分管", note=note,
                      before={"supervises": had, "names": _division_names(had)},
                      after={"supervises": wanted, "names": _division_names(wanted)})
    names = "、".join(_division_names(wanted)) or "（无）"
    return Saved(leader.id, f"“{leader.name}”分管：{names}。")
