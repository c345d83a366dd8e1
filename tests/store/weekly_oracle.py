"""Test oracle: the weekly checklist as store/weekly.py computed it before issue 14 (verbatim
copy), to compare the fast checklist and review with."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from peewee import JOIN

from store import clock
from store.co_units import missing_units
from store.models import Case, Division, Session
from store.queries import DEFAULT_RULES, _all_rules, load_calendar
from store.rules import is_stale, milestone_countdown, milestones
from store.statistics import replied_without_contact
from store.vocabulary import milestone_label
from store.weekly import SOON_DAYS, _OWN_WORDS, ChecklistItem

from board_oracle import _unanswered_urges


def _reasons(case, today: dt.date, rules, calendar, unanswered: set[int], body: str = "") -> list[str]:
    reasons: list[str] = []
    for milestone in milestones(case, rules, calendar):
        if milestone.done:
            continue
        milestone = replace(milestone, label=milestone_label(milestone.label, body))  # 会办意见 on 政协 cases
        days = (milestone.due - today).days
        own = _OWN_WORDS.get(milestone.key)
        # 评价已逾期3个工作日 / 答复已逾期3天: the unit the ledger counts this milestone in.
        late = f"{milestone.label}已{milestone_countdown(milestone, today, calendar)}"
        if milestone.key == "units" and days < 0:  # name the co-units still out
            reasons.append(f"{late}（{'、'.join(missing_units(case))}未报）")
        elif milestone.key in ("evaluation", "reevaluation"):
            reasons.append(own)
            if days < 0:  # the proposer holds it: past its date it is to be chased, not the bureau's 逾期
                reasons.append(f"{'征询意见表' if getattr(case, 'form_sent_on', None) else milestone.label}"
                               f"超过收回期限{milestone_countdown(milestone, today, calendar).removeprefix('逾期')}，请催收")
        elif own:
            if days <= SOON_DAYS:
                reasons.append(own)
        elif days < 0:
            reasons.append(late)
        elif days == 0:
            reasons.append(f"{milestone.label}今日到期")
        elif days <= SOON_DAYS:
            reasons.append(f"{milestone.label}7日内到期")
    if case.rehandle_started_on is not None and case.rehandle_replied_on is None:
        reasons.append("重新办理中")
    if is_stale(case, today, rules):
        reasons.append("滞后")
    if case.id in unanswered:
        reasons.append("催办逾期未复")
    return list(dict.fromkeys(reasons))


def _items(today: dt.date, case_ids: list[int] | None = None) -> list[ChecklistItem]:
    """Checklist items of the open cases (or of `case_ids`, reasons or not). Six queries."""
    calendar = load_calendar()
    all_rules = _all_rules()
    scope = (Case.status != "已办结") & Case.closed_on.is_null()
    unanswered = _unanswered_urges(today, scope)
    silent = replied_without_contact(scope)
    query = Case.select(Case, Division.name.alias("division_name"), Session.body.alias("session_body")).join(
        Division, JOIN.LEFT_OUTER, on=(Case.division == Division.id)).switch(Case).join(
        Session, on=(Case.session == Session.id))
    query = query.where(Case.id << list(case_ids)) if case_ids is not None else query.where(scope)
    items = []
    for case in query.objects():
        open_case = case.status != "已办结" and case.closed_on is None
        rules = all_rules.get(case.session_id, DEFAULT_RULES)
        body = case.session_body or ""
        reasons = _reasons(case, today, rules, calendar, unanswered, body) if open_case else ["已办结"]
        if open_case and case.id in silent:
            reasons.append("已答复未沟通")
        if not reasons and case_ids is None:
            continue
        items.append(ChecklistItem(case.id, case.number, case.title, case.division_name or "", case.status,
                                   tuple(reasons), case.next_due, milestone_label(case.next_milestone or "", body),
                                   bool(case.next_due_estimated) and case.next_due is not None, body))
    return items


def _urgency(item: ChecklistItem):
    return (item.next_due or dt.date.max, -len(item.reasons), item.number, item.case_id)


def checklist(today: dt.date | None = None) -> list[ChecklistItem]:
    """This week's checklist: every open case with a reason to look at it, most urgent first."""
    return sorted(_items(today or clock.today()), key=_urgency)
