"""The weekly review (每周检查): the week's checklist, drawn from the deadline rules.

`checklist(today)` lists every open case that needs a look this week, most urgent first,
each once with all its reasons: a milestone overdue (答复已逾期3天) or due within 7 days
(签收7日内到期), stale (滞后), an urge unanswered past its respond-by date (催办逾期未复,
counted as the division board counts it), a reply awaiting evaluation (待评价), re-handling
under way (重新办理中), a B/C promise due for 回头看 (回头看到期), a disclosure due (公开到期),
a 主办/承办/分办 case replied with no contact with the proposer at all (已答复未沟通), a 主办
case not yet replied whose co-units' opinions are past due (会办意见已逾期3天（市公安局未报）).

A week's review keeps the list it started with (`WeeklyReview`), so that it is the same list
after a restart. Each case checked is a 查办 event naming the week (`actions.mark_reviewed`);
`review_progress` counts those that still stand (not undone).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from peewee import JOIN, IntegrityError

from store import clock
from store.actions.common import retrying
from store.co_units import missing_units
from store.db import read_only_reason
from store.errors import LedgerError
from store.models import Case, Division, Event, Session, WeeklyReview
from store.queries import (
    DEFAULT_RULES,
    _all_rules,
    _unanswered_urges,
    format_number,
    load_calendar,
)
from store.rules import is_stale, milestone_countdown, milestones
from store.statistics import replied_without_contact
from store.vocabulary import milestone_label

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
SOON_DAYS = 7
REVIEW_KEY = "weekly_review"
"""The key in a 查办 event's `data` naming the week it checked the case for."""

# Milestones that are reasons in their own words, whatever the date (待评价) or once near.
_OWN_WORDS = {"evaluation": "待评价", "reevaluation": "待评价", "review": "回头看到期", "disclosure": "公开到期"}


@dataclass(frozen=True)
class ChecklistItem:
    """One case on the week's checklist, with every reason it is there."""

    case_id: int
    number: str
    title: str
    division: str
    status: str
    reasons: tuple[str, ...]
    next_due: dt.date | None
    next_milestone: str = ""
    estimated: bool = False  # next_due counted through a year whose holidays nobody confirmed (推算)
    body: str = ""  # the session's body (人大 / 政协): the words the reasons speak (store.vocabulary)

    @property
    def label(self) -> str:
        return format_number(self.number)


# ------------------------------------------------------------------------------ weeks


def week_of(day: dt.date) -> str:
    """The ISO week (Monday first) of an office date: 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> str:
    """A week as typed (2026-W48, 2026w48) made canonical, or LedgerError with one sentence."""
    raw = (text or "").strip().upper().replace("W", "-W").replace("--", "-")
    match = WEEK_PATTERN.match(raw)
    if match:
        year, week = int(match[1]), int(match[2])
        try:
            dt.date.fromisocalendar(year, week, 1)
            return f"{year}-W{week:02d}"
        except ValueError:
            pass
    raise LedgerError(f"周次“{text}”无法识别，请写成 2026-W48 这样的 ISO 周（年-W周数）。")


def week_days(week: str) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of an ISO week."""
    week = parse_week(week)
    year, number = int(week[:4]), int(week[6:])
    monday = dt.date.fromisocalendar(year, number, 1)
    return monday, monday + dt.timedelta(days=6)


# -------------------------------------------------------------------------- checklist


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


# ----------------------------------------------------------------------------- review


@dataclass(frozen=True)
class Review:
    """A week's review as it stands: its fixed list, which are checked, where to resume."""

    week: str
    operator: str
    started_at: dt.datetime
    items: tuple[ChecklistItem, ...]
    checked: frozenset[int]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(item.case_id in self.checked for item in self.items)

    @property
    def progress(self) -> str:
        """12/31 已检查."""
        return f"{self.done}/{self.total} 已检查"

    def first_unchecked(self, start: int = 0) -> int | None:
        """The index of the first unchecked item at or after `start` (wrapping); None when all are."""
        count = len(self.items)
        for step in range(count):
            index = (start + step) % count
            if self.items[index].case_id not in self.checked:
                return index
        return None


def checked_cases(week: str) -> set[int]:
    """Cases checked for `week`: weekly-review 查办 events that still stand. One query."""
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    query = Event.select(Event.case, Event.data).where(
        (Event.kind == "查办") & Event.data.contains(f'"{REVIEW_KEY}": "{week}"') & ~(Event.id << undone))
    return {event.case_id for event in query if (event.data or {}).get(REVIEW_KEY) == week}


def review_progress(week: str) -> tuple[set[int], int]:
    """(the checked case ids of the week's list, how many the list holds); (set(), 0) before it starts."""
    week = parse_week(week)
    row = WeeklyReview.get_or_none(WeeklyReview.week == week)
    if row is None:
        return set(), 0
    ids = [int(case_id) for case_id in row.case_ids or []]
    return checked_cases(week) & set(ids), len(ids)


@retrying
def open_review(week: str, operator: str, *, today: dt.date | None = None) -> Review:
    """The week's review: started now with this week's checklist, or resumed with its stored list."""
    week = parse_week(week)
    today = today or clock.today()
    row = WeeklyReview.get_or_none(WeeklyReview.week == week)
    if row is None and read_only_reason():  # a read-only ledger: the list is shown, not kept
        ids = [item.case_id for item in checklist(today)]
        row = WeeklyReview(week=week, started_at=clock.now(), operator=operator, case_ids=ids)
    if row is None:
        from store.actions import _transaction

        ids = [item.case_id for item in checklist(today)]
        try:
            with _transaction():
                row = WeeklyReview.create(week=week, started_at=clock.now(), operator=operator, case_ids=ids)
        except IntegrityError:  # another workstation started it in the meantime: use theirs
            row = WeeklyReview.get(WeeklyReview.week == week)
    ids = [int(case_id) for case_id in row.case_ids or []]
    found = {item.case_id: item for item in _items(today, ids)}
    items = tuple(found[case_id] for case_id in ids if case_id in found)
    return Review(week, row.operator, row.started_at, items, frozenset(checked_cases(week)))
