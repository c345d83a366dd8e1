"""Putting the record right: 修改 of a case's text fields, and 撤销 — an event taken back by a
later, compensating one (both stay on the timeline), with the follow-up caches rebuilt.
"""

from __future__ import annotations

import datetime as dt

from peewee import IntegrityError

from store import clock
from store.actions.common import (
    ACTIVITY_KINDS,
    CORRECTION_KINDS,
    NOT_FOLLOW_UP_KINDS,
    MAX_NOTE,
    MAX_TITLE,
    Recorded,
    _field_value,
    _load,
    _operator,
    _record,
    _text,
    _transaction,
    retrying,
)
from store.errors import LedgerError
from store.models import Case, Event
from store.queries import case_label
from store.vocabulary import case_words


EDITABLE = {"title": MAX_TITLE, "summary": MAX_NOTE, "topic": 100, "lead_unit": 200,
            "own_part": MAX_NOTE}  # own_part: 本局承办部分 of a 分办 case
EDITABLE_LABELS = {"title": "标题", "summary": "内容摘要", "topic": "主题", "lead_unit": "主办单位",
                   "own_part": "本局承办部分"}


@retrying
def edit_case(case_id: int, operator: str, *, expected_version: int | None = None, note: str = "",
              **values) -> Recorded:
    """修改: correct a case's text fields; the event keeps before and after."""
    operator = _operator(operator)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise LedgerError(f"不能直接修改：{'、'.join(sorted(unknown))}。")
    with _transaction():
        case = _load(case_id, expected_version)
        changes = {k: _text(v, "内容", required=k == "title", limit=EDITABLE[k]) for k, v in values.items()
                   if getattr(case, k) != v}
        if not changes:
            raise LedgerError("没有需要保存的修改。")
        return _record(case, operator, "修改", changes, note=_text(note, "备注"),
                       message=f"{case_label(case)}已修改")


@retrying
def undo(event_id: int, operator: str, *, reason: str = "", expected_version: int | None = None) -> Recorded:
    """撤销: take back an event with a later, compensating one; both stay on the timeline."""
    operator = _operator(operator)
    with _transaction():
        event = Event.get_or_none(Event.id == event_id)
        if event is None:
            raise LedgerError("找不到要撤销的记录。")
        if event.kind in ("交办", "撤销"):
            raise LedgerError(f"“{event.kind}”记录不能撤销。")
        if Event.select().where(Event.undoes == event.id).exists():
            raise LedgerError("这条记录已经撤销过了。")
        case = _load(event.case_id, expected_version)
        after = (event.data or {}).get("after", {})
        before = (event.data or {}).get("before", {})
        unit = (event.data or {}).get("unit")
        if unit and "unit_progress" in after:  # one unit's record: only that unit's entry is checked and put back
            after, before = _one_unit(case, unit, after, before)
        changed_since = [FIELD_WORDS.get(name, name) for name, value in after.items()
                         if _field_value(case, name) != value]
        if changed_since:
            raise LedgerError(f"这条{event.kind}记录之后，该件又有修改（{'、'.join(changed_since)}），"
                              "请先撤销后来的记录。")
        restore = {}
        for name, value in before.items():
            field = Case._meta.fields[name]
            if isinstance(value, str) and isinstance(field, type(Case.signed_on)):
                value = dt.date.fromisoformat(value)
            restore[name] = value
        if event.kind in CORRECTION_KINDS:
            from store.corrections import check_restored  # corrections builds on this package

            check_restored(case, event, restore)
        try:
            result = _record(case, operator, "撤销", restore, note=_text(reason, "撤销理由"), undoes=event.id,
                             extra={"undone_kind": event.kind},
                             message=f"已撤销{case_label(case)}的{case_words(case).milestone(event.kind)}记录")
        except IntegrityError:
            raise LedgerError(f"不能撤销这条{event.kind}记录：恢复后的内容与台账中的另一件冲突"
                              "（同一届次内编号不能重复），本次未作任何修改。") from None
        _recompute_activity(case)
        return result


FIELD_WORDS = {"unit_progress": "各单位意见和会签", "status": "状态", "form_due": "征询意见表收回期限"}
"""Names of fields in a refusal to undo, where the field's own name would mean nothing to the office."""


def _one_unit(case: Case, unit: str, after: dict, before: dict) -> tuple[dict, dict]:
    """An event about one co-unit (单位意见, 单位催办, 分办答复) stored the whole `unit_progress`: compare
    and restore only that unit's entry, so that a later record about another unit does not block the undo."""
    current = {name: dict(entry) for name, entry in (case.unit_progress or {}).items()}
    after, before = dict(after), dict(before)
    was = ((before.get("unit_progress") or {}).get(unit))
    now = ((after.get("unit_progress") or {}).get(unit))
    after["unit_progress"] = {**current, unit: now} if now is not None else current
    restored = {**current}
    if was is None:
        restored.pop(unit, None)
    else:
        restored[unit] = was
    before["unit_progress"] = restored
    return after, before


def _recompute_activity(case: Case) -> None:
    """Rebuild the follow-up caches from the events that still stand (after an undo, or a
    corrected 交办 date: the 交办 event counts on the case's `assigned_on`, its own date may be old)."""
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    standing = list(
        Event.select().where((Event.case == case.id) & (Event.kind != "撤销") & ~(Event.id << undone)).order_by(Event.id)
    )
    standing = [e for e in standing if e.kind not in NOT_FOLLOW_UP_KINDS]
    case.last_followup_on = max((case.assigned_on if e.kind == "交办" else e.on_date or clock.local_date_of(e.at)
                                 for e in standing), default=case.assigned_on)
    urges = [e for e in standing if e.kind == "催办"]
    case.urge_count = len(urges)
    case.urge_level = urges[-1].level if urges else 0
    activities = [e for e in standing if e.kind in ACTIVITY_KINDS]
    case.next_followup_on = activities[-1].next_followup_on if activities else None
    case.save(only=[Case.last_followup_on, Case.urge_count, Case.urge_level, Case.next_followup_on])
