"""The other units on a case: each co-unit's opinion on a 主办 case (单位意见), chasing a unit
whose opinion is still out (单位催办), and each other unit's separate reply on a 分办 case
(分办答复). Where each unit stands is `Case.unit_progress` (store.co_units); every change
goes through `_record`'s changes (a fresh dict, never the case's own), so `undo` puts the
previous state and the cached counts back.

Chasing an outside unit is not the bureau's own 催办: it leaves `urge_count`/`urge_level`
(which count the urges of the bureau's divisions) alone.
"""

from __future__ import annotations

from store.actions.common import (
    Recorded,
    _date,
    _load,
    _not_before,
    _operator,
    _planned,
    _record,
    _text,
    _transaction,
    retrying,
)
from store.co_units import expected_units, received_on, unit_entry
from store.errors import LedgerError
from store.models import Case
from store.queries import case_label
from store.steps import require
from store.vocabulary import case_words


def _unit(case: Case, unit) -> str:
    """The unit's name as assigned on the case; refused with the names the case expects."""
    name = str(unit or "").strip()
    names = expected_units(case)
    if not name:
        raise LedgerError(f"请选择单位：{case_label(case)}的单位有{'、'.join(names)}。")
    if name not in names:
        raise LedgerError(f"“{name}”不是{case_label(case)}的{case_words(case).co_units}，"
                          f"应为：{'、'.join(names)}。")
    return name


def _with_entry(case: Case, name: str, **values) -> dict:
    """A copy of the case's `unit_progress` with one unit's entry updated."""
    progress = {key: dict(value) if isinstance(value, dict) else value
                for key, value in (case.unit_progress or {}).items()}
    entry = unit_entry(case, name)
    entry.update(values)
    progress[name] = entry
    return progress


def _received_day(case: Case, on, what: str):
    day = _date(on, what, case=case)
    _not_before(day, what, case.signed_on, "签收日期", "签收", "记录单位意见")
    return day


@retrying
def record_unit_opinion(case_id: int, operator: str, *, unit: str, summary: str, on=None,
                        expected_version: int | None = None) -> Recorded:
    """单位意见: a co-unit's opinion (会办/汇办意见) received on a 主办 case, with its summary.

    A second opinion from the same unit replaces the first (a new event; the message says 已更新)."""
    operator = _operator(operator)
    summary = _text(summary, "意见摘要", required=True)
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "unit_opinion")
        if case.role != "主办":
            raise LedgerError(f"{case_label(case)}是{case_words(case).role(case.role)}件，"
                              "各单位分别答复，请记录分办答复。")
        name = _unit(case, unit)
        day = _received_day(case, on, "收到意见日期")
        again = received_on(case, name) is not None
        progress = _with_entry(case, name, received_on=day.isoformat(), summary=summary)
        message = f"{case_label(case)}：{name}的{case_words(case).opinion}已{'更新' if again else '收到'}"
        return _record(case, operator, "单位意见", {"unit_progress": progress}, on_date=day, note=summary,
                       extra={"unit": name, "replaces": again}, message=message)


@retrying
def record_split_reply(case_id: int, operator: str, *, unit: str, on=None, doc_no: str = "", summary: str = "",
                       expected_version: int | None = None) -> Recorded:
    """分办答复: another unit's own reply to its part of a 分办 case (date, number, summary).

    A second one from the same unit replaces the first (the message says 已更新)."""
    operator = _operator(operator)
    doc_no = _text(doc_no, "答复文号", limit=100).strip()
    summary = _text(summary, "答复摘要")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "unit_opinion")
        if case.role != "分办":
            raise LedgerError(f"{case_label(case)}是{case_words(case).role(case.role)}件，"
                              "不是分办件，请记录单位意见。")
        name = _unit(case, unit)
        day = _date(on, "单位答复日期", case=case)
        _not_before(day, "单位答复日期", case.signed_on, "签收日期", "签收", "记录分办答复")
        again = received_on(case, name) is not None
        progress = _with_entry(case, name, replied_on=day.isoformat(), doc_no=doc_no, summary=summary)
        message = f"{case_label(case)}：{name}的分办答复已{'更新' if again else '记录'}"
        return _record(case, operator, "分办答复", {"unit_progress": progress}, on_date=day,
                       note=summary, extra={"unit": name, "doc_no": doc_no, "replaces": again}, message=message)


@retrying
def urge_unit(case_id: int, operator: str, *, unit: str, note: str = "", respond_by=None,
              expected_version: int | None = None) -> Recorded:
    """单位催办: chase a co-unit whose opinion is still out, to answer by a date (default: the
    session's working days for an answer, as for 催办). Not the bureau's own 催办 count."""
    from store import clock
    from store.actions.follow_up import _default_respond_by

    operator = _operator(operator)
    note = _text(note, "催办说明")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "unit_urge")
        name = _unit(case, unit)
        got = received_on(case, name)
        if got is not None:
            raise LedgerError(f"{name}的意见已于{got:%Y-%m-%d}收到，无需催办。")
        respond = _planned(respond_by, "反馈期限") if respond_by not in (None, "") else _default_respond_by(case)
        today = clock.today()
        entry = unit_entry(case, name)
        urged = int(entry.get("urged", 0) or 0) + 1
        progress = _with_entry(case, name, urged=urged, last_urged_on=today.isoformat())
        return _record(case, operator, "单位催办", {"unit_progress": progress}, on_date=today, note=note,
                       respond_by=respond, extra={"unit": name, "urged": urged},
                       message=f"已向{name}催办意见（第{urged}次）：{case_label(case)}，"
                               f"请于{respond:%m月%d日}前反馈")


def reply_terms(case: Case, day, countersigned, early_reason: str) -> tuple[dict, dict, str]:
    """What a reply (答复, or 重新答复) does about the co-units: (changes, event extra, message tail).

    A 主办 case replied while some co-unit's opinion is still out needs `early_reason` (refused
    naming the units otherwise); the reason is kept in `Case.reply_early_reason`. `countersigned`
    names the units that signed the reply off (会签): each must be one of the case's co-units,
    and gets the reply's date as its `signed_off_on`."""
    said = case_words(case)
    names = [str(name).strip() for name in (countersigned or ()) if str(name).strip()]
    names = list(dict.fromkeys(names))
    expected = expected_units(case)
    if names and case.role != "主办":
        raise LedgerError(f"{case_label(case)}是{said.role(case.role)}件，会签只用于主办件的{said.co_units}。")
    unknown = [name for name in names if name not in expected]
    if unknown:
        known = f"应为：{'、'.join(expected)}" if expected else f"该件没有{said.co_units}"
        raise LedgerError(f"会签单位“{'、'.join(unknown)}”不是{case_label(case)}的{said.co_units}，{known}。")
    missing = [name for name in expected if received_on(case, name) is None] if case.role == "主办" else []
    reason = (early_reason or "").strip()
    if missing and not reason:
        raise LedgerError(f"{case_label(case)}尚未收到{'、'.join(missing)}的{said.opinion}：请先记录各单位意见再答复；"
                          "确需提前答复的，请写明提前答复的理由。")
    changes: dict = {}
    extra: dict = {}
    tail = ""
    if names:
        progress = {key: dict(value) if isinstance(value, dict) else value
                    for key, value in (case.unit_progress or {}).items()}
        for name in names:
            progress[name] = {**unit_entry(case, name), "signed_off_on": day.isoformat()}
        changes["unit_progress"] = progress
        extra["countersigned"] = names
        tail += f"，{'、'.join(names)}已会签"
    if missing:
        changes["reply_early_reason"] = reason
        extra.update({"early_reason": reason, "missing_units": missing})
        tail += f"；未收齐{said.opinion}（{'、'.join(missing)}），已记录提前答复理由"
    return changes, extra, tail
