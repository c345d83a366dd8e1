"""Following a case up: 查办 / 询办 / 沟通 / 备注, the weekly check, and 催办 (one case, or
several in one step from the division board).

Every write here is `retrying`: one that met another workstation's locks (a deadlock, a busy
ledger) runs again, whole, a few times before it is refused in Chinese. `urge_cases` locks its
cases in id order, whatever order the caller gives, so two batch urges never wait on each other
in a circle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from store import clock
from store.actions.common import (
    Recorded,
    _choice,
    _date,
    _load,
    _operator,
    _planned,
    _record,
    _text,
    _transaction,
    retrying,
)
from store.errors import LedgerError
from store.models import CONTACT_METHODS, CONTACT_STAGES, FOLLOW_UP_KINDS, URGE_LEVELS, Case, Division
from store.queries import case_label, load_calendar, rules_for
from store.steps import refusal, require


KEEP_PLAN = "保留原计划"
"""`log_follow_up(next_followup_on=KEEP_PLAN)`, the default: the planned next follow-up is kept."""


@retrying
def log_follow_up(case_id: int, operator: str, *, kind: str, note: str = "", method: str = "", stage: str = "",
                  participants: str = "", next_followup_on=KEEP_PLAN, on=None,
                  expected_version: int | None = None) -> Recorded:
    """查办 / 询办 / 沟通 (with method and stage) / 备注, with the next planned follow-up.

    `next_followup_on`: a date plans the next follow-up; None or "" clears the plan; not given
    (KEEP_PLAN) keeps the case's plan when it is today or later (a plan already past is done).
    """
    operator = _operator(operator)
    _choice(kind, FOLLOW_UP_KINDS, "跟进类型")
    note = _text(note, "跟进内容", required=kind == "备注")
    if kind == "沟通":
        _choice(method, CONTACT_METHODS, "沟通方式")
        _choice(stage, CONTACT_STAGES, "沟通阶段")
    elif method or stage:
        raise LedgerError("只有“沟通”需要填写沟通方式和阶段。")
    keep = isinstance(next_followup_on, str) and next_followup_on == KEEP_PLAN
    planned = None if keep else _planned(next_followup_on, "下次跟进日期")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "contact" if kind == "沟通" else "follow_up")
        if keep and case.next_followup_on is not None and case.next_followup_on >= clock.today():
            planned = case.next_followup_on
        day = _date(on, "跟进日期", case=case)
        extra = {"participants": _text(participants, "参加人员", limit=500)} if participants else None
        return _record(case, operator, kind, {}, on_date=day, note=note, method=method, stage=stage,
                       next_followup_on=planned, extra=extra, message=f"已记录{kind}：{case_label(case)}")


@retrying
def mark_reviewed(case_id: int, operator: str, week: str, note: str = "",
                  expected_version: int | None = None) -> Recorded:
    """每周检查: mark a case checked in the week's review — a 查办 event naming the week.

    A planned follow-up still ahead is kept (a check does not replace the plan).
    """
    from store.weekly import REVIEW_KEY, case_checked, parse_week

    operator = _operator(operator)
    week = parse_week(week)
    note = _text(note, "检查情况")
    with _transaction():
        case = _load(case_id, expected_version)
        if case_checked(case.id, week):
            raise LedgerError(f"{case_label(case)}在{week}的每周检查中已经检查过了。")
        today = clock.today()
        planned = case.next_followup_on if case.next_followup_on and case.next_followup_on >= today else None
        return _record(case, operator, "查办", {}, note=note or f"每周检查（{week}）", next_followup_on=planned,
                       extra={REVIEW_KEY: week}, message=f"已检查：{case_label(case)}（{week}）")


def next_urge_level(case: Case) -> int:
    """一次催办, 二次催办, then 领导督办 (and stays there)."""
    return min((case.urge_level or 0) + 1, max(URGE_LEVELS))


@retrying
def urge_division(case_id: int, operator: str, *, note: str = "", respond_by=None, level: int | None = None,
                  division: Division | int | None = None, expected_version: int | None = None) -> Recorded:
    """催办: urge the responsible division, one level up, to answer by a date (default 3 working days)."""
    operator = _operator(operator)
    note = _text(note, "催办说明")
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "urge")
        division_id = division.id if isinstance(division, Division) else (division or case.division_id)
        level = next_urge_level(case) if level is None else int(level)
        if level not in URGE_LEVELS:
            raise LedgerError(f"催办级别“{level}”无效，应为：{'、'.join(URGE_LEVELS.values())}。")
        respond = _planned(respond_by, "反馈期限") if respond_by not in (None, "") else _default_respond_by(case)
        return _urge(case, operator, note=note, division_id=division_id, level=level, respond=respond)


def _default_respond_by(case: Case) -> dt.date:
    """Today plus the session's working days for an answer (3 by default)."""
    days = rules_for(case.session_id).urge_respond_working_days
    return load_calendar().add_working_days(clock.today(), days).day


def _urge(case: Case, operator: str, *, note: str, division_id: int, level: int, respond: dt.date) -> Recorded:
    name = Division.get_by_id(division_id).name
    return _record(case, operator, "催办", {}, note=note, target_division=division_id, level=level,
                   respond_by=respond, next_followup_on=respond,
                   message=f"已向{name}{URGE_LEVELS[level]}：{case_label(case)}，请于{respond:%m月%d日}前反馈")


@retrying
def urge_cases(case_ids: Iterable[int], operator: str, *, note: str = "", respond_by=None,
               division: Division | int | None = None) -> list[Recorded]:
    """催办 several cases in one step (the division board's `u`): one transaction, one 催办 event a case.

    Each case is urged at its own next level (一次催办, 二次催办, 领导督办) and asked to answer
    by `respond_by` (default: its session's 3 working days). With `division`, every case must
    still belong to that division (it may have been re-assigned since the board was read).
    If any case cannot be urged (store.steps: closed, pending re-assignment, unassigned) or is
    elsewhere, nothing is written and the message gives each case's reason.

    The cases are locked in id order (no deadlock between two batch urges over the same cases);
    they are urged, and returned, in the caller's order.
    """
    operator = _operator(operator)
    note = _text(note, "催办说明")
    ids = list(dict.fromkeys(int(case_id) for case_id in case_ids))
    if not ids:
        raise LedgerError("没有选中要催办的件，请先选择。")
    respond = _planned(respond_by, "反馈期限") if respond_by not in (None, "") else None
    division_id = division.id if isinstance(division, Division) else division
    target = Division.get_or_none(Division.id == division_id) if division_id is not None else None
    if division_id is not None and target is None:
        raise LedgerError("找不到要催办的处室，可能已被更改，请刷新。")
    with _transaction():
        locked = {case_id: _load(case_id, None) for case_id in sorted(ids)}  # lock order: by id
        cases = [locked[case_id] for case_id in ids]
        problems = [reason.rstrip("。") for reason in (refusal(case, "urge") for case in cases) if reason]
        elsewhere = [case_label(c) for c in cases if target is not None and refusal(c, "urge") is None
                     and c.division_id not in (None, target.id)]
        if elsewhere:
            problems.append(f"{'、'.join(elsewhere)}已不由{target.name}承办，请刷新后再催办")
        if problems:
            raise LedgerError("；".join(problems) + "。本次未催办任何件。")
        return [
            _urge(case, operator, note=note, division_id=case.division_id, level=next_urge_level(case),
                  respond=respond or _default_respond_by(case))
            for case in cases
        ]
