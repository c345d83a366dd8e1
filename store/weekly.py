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
from dataclasses import dataclass, field, replace
from functools import cached_property

from peewee import IntegrityError

from store import clock
from store.actions.common import retrying
from store.co_units import missing_units
from store.db import read_only_reason
from store.errors import LedgerError
from store.models import Case, WeeklyReview
from store.queries.board import _CHUNK, _case_rows, _stale_scope
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
from store.weekly_marks import (  # noqa: F401 - importable from here as before
    REVIEW_KEY,
    _existing,
    _file_identity,
    _listed_cases,
    _lists_memo,
    _marks_memo,
    _week_marks,
    case_checked,
    checked_cases,
    remember_marks,
)

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
SOON_DAYS = 7
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


def _reasons(case, today: dt.date, rules, calendar, unanswered: set[int], body: str = "", *,
             with_milestones: bool = True) -> list[str]:
    reasons: list[str] = []
    for milestone in milestones(case, rules, calendar) if with_milestones else ():
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


def _evaluation_may_be_open(case) -> bool:
    """Whether `milestones` may hold an 评价 or 再次评价 still open (a superset: those are 待评价 at any date)."""
    if case.role == "汇办" or case.replied_on is None:
        return False
    first_open = case.first_evaluated_on is None and case.rehandle_started_on is None and case.evaluated_on is None
    return first_open or case.rehandle_replied_on is not None


def _item(case, today, all_rules, calendar, unanswered, silent, *, listed: bool) -> ChecklistItem | None:
    open_case = case.status != "已办结" and case.closed_on is None
    rules = all_rules.get(case.session_id, DEFAULT_RULES)
    body = case.session_body or ""
    if open_case:
        # Only an open milestone due within SOON_DAYS, or an 评价 still open, gives a reason of its
        # own; every open milestone is due on or after the cached next deadline (Case.next_due).
        near = case.next_due is not None and (case.next_due - today).days <= SOON_DAYS
        reasons = _reasons(case, today, rules, calendar, unanswered, body,
                           with_milestones=near or _evaluation_may_be_open(case))
        if case.id in silent:
            reasons.append("已答复未沟通")
    else:
        reasons = ["已办结"]
    if not reasons and not listed:
        return None
    return ChecklistItem(case.id, case.number, case.title, case.division_name or "", case.status, tuple(reasons),
                         case.next_due, milestone_label(case.next_milestone or "", body),
                         bool(case.next_due_estimated) and case.next_due is not None, body)


def _items(today: dt.date, case_ids: list[int] | None = None) -> list[ChecklistItem]:
    """Checklist items of the open cases (or of `case_ids`, reasons or not).

    Without `case_ids`, SQL narrows the open cases to those that can have a reason: an open
    deadline within SOON_DAYS (`Case.next_due`, the first open one), an evaluation possibly
    open, re-handling under way, stale (`_stale_scope`), an urge unanswered, or replied with no
    contact; the others have none. With `case_ids`, only those cases are read."""
    calendar = load_calendar()
    all_rules = _all_rules()
    scope = (Case.status != "已办结") & Case.closed_on.is_null()
    if case_ids is not None:
        ids = list(dict.fromkeys(int(case_id) for case_id in case_ids))
        found = {}
        for start in range(0, len(ids), _CHUNK):
            part = Case.id << ids[start:start + _CHUNK]
            unanswered = _unanswered_urges(today, scope & part)
            silent = replied_without_contact(scope & part)
            for case in _case_rows(part):
                found[case.id] = _item(case, today, all_rules, calendar, unanswered, silent, listed=True)
        return [found[case_id] for case_id in ids if case_id in found]
    unanswered = _unanswered_urges(today, scope)
    silent = replied_without_contact(scope)
    soon = today + dt.timedelta(days=SOON_DAYS)
    may_have_reason = (
        (Case.next_due <= soon)
        | ((Case.role != "汇办") & Case.replied_on.is_null(False) & (
            (Case.first_evaluated_on.is_null() & Case.rehandle_started_on.is_null() & Case.evaluated_on.is_null())
            | Case.rehandle_replied_on.is_null(False)))
        | (Case.rehandle_started_on.is_null(False) & Case.rehandle_replied_on.is_null())
        | _stale_scope(today, all_rules)
    )
    items, seen = [], set()
    for case in _case_rows(scope & may_have_reason):
        seen.add(case.id)
        item = _item(case, today, all_rules, calendar, unanswered, silent, listed=False)
        if item is not None:
            items.append(item)
    rest = sorted((unanswered | silent) - seen)
    for start in range(0, len(rest), _CHUNK):
        for case in _case_rows(scope & (Case.id << rest[start:start + _CHUNK])):
            item = _item(case, today, all_rules, calendar, unanswered, silent, listed=False)
            if item is not None:
                items.append(item)
    return items


def _urgency(item: ChecklistItem):
    return (item.next_due or dt.date.max, -len(item.reasons), item.number, item.case_id)


def checklist(today: dt.date | None = None) -> list[ChecklistItem]:
    """This week's checklist: every open case with a reason to look at it, most urgent first."""
    return sorted(_items(today or clock.today()), key=_urgency)


# ----------------------------------------------------------------------------- review


@dataclass(frozen=True)
class Review:
    """A week's review as it stands: its fixed list, which are checked, where to resume.

    `case_ids` is the list (the cases still in the ledger, in the stored order); `items` holds
    their checklist items when they were read with it (`open_review(..., items=True)`), else
    nothing: a screen reads the current one with `review_item`."""

    week: str
    operator: str
    started_at: dt.datetime
    items: tuple[ChecklistItem, ...]
    checked: frozenset[int]
    case_ids: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.case_ids and self.items:
            object.__setattr__(self, "case_ids", tuple(item.case_id for item in self.items))

    @property
    def total(self) -> int:
        return len(self.case_ids)

    @cached_property
    def done(self) -> int:
        """How many of the list are checked (counted once: a review is never changed, only replaced)."""
        return sum(case_id in self.checked for case_id in self.case_ids)

    @cached_property
    def listed(self) -> frozenset[int]:
        """The list's case ids as a set (whether a changed case is on the list)."""
        return frozenset(self.case_ids)

    @property
    def progress(self) -> str:
        """12/31 已检查."""
        return f"{self.done}/{self.total} 已检查"

    def first_unchecked(self, start: int = 0) -> int | None:
        """The index of the first unchecked item at or after `start` (wrapping); None when all are."""
        count = len(self.case_ids)
        for step in range(count):
            index = (start + step) % count
            if self.case_ids[index] not in self.checked:
                return index
        return None


def review_progress(week: str) -> tuple[set[int], int]:
    """(the checked case ids of the week's list, how many the list holds); (set(), 0) before it starts."""
    week = parse_week(week)
    row = WeeklyReview.get_or_none(WeeklyReview.week == week)
    if row is None:
        return set(), 0
    ids = [int(case_id) for case_id in row.case_ids or []]
    return checked_cases(week) & set(ids), len(ids)


def review_item(case_id: int, today: dt.date | None = None) -> ChecklistItem | None:
    """One case of a review as the checklist shows it now (its reasons today); None if no such case."""
    found = _items(today or clock.today(), [case_id])
    return found[0] if found else None


@retrying
def open_review(week: str, operator: str, *, today: dt.date | None = None, items: bool = True) -> Review:
    """The week's review: started now with this week's checklist, or resumed with its stored list.

    `items=False`: the list and what is checked only, without reading each case's reasons (a
    started review then costs a few queries however long its list; `review_item` reads one)."""
    week = parse_week(week)
    today = today or clock.today()
    if not items:  # a review already started: its stamp, and its list as read before (`_listed_cases`)
        stamp = WeeklyReview.select(WeeklyReview.id, WeeklyReview.started_at, WeeklyReview.operator).where(
            WeeklyReview.week == week).tuples().first()
        if stamp is not None:
            case_ids = _listed_cases(week, stamp)
            return Review(week, stamp[2], stamp[1], (), frozenset(checked_cases(week)), case_ids)
    row = WeeklyReview.get_or_none(WeeklyReview.week == week)
    listed = None
    if row is None:
        listed = checklist(today)
        ids = [item.case_id for item in listed]
    if row is None and read_only_reason():  # a read-only ledger: the list is shown, not kept
        row = WeeklyReview(week=week, started_at=clock.now(), operator=operator, case_ids=ids)
    if row is None:
        from store.actions import _transaction

        try:
            with _transaction():
                row = WeeklyReview.create(week=week, started_at=clock.now(), operator=operator, case_ids=ids)
        except IntegrityError:  # another workstation started it in the meantime: use theirs
            row = WeeklyReview.get(WeeklyReview.week == week)
            listed = None
    ids = [int(case_id) for case_id in row.case_ids or []]
    checked = frozenset(checked_cases(week))
    if not items:
        case_ids = _existing(ids) if listed is None else tuple(ids)
        return Review(week, row.operator, row.started_at, (), checked, case_ids)
    found = {item.case_id: item for item in (listed if listed is not None else _items(today, ids))}
    return Review(week, row.operator, row.started_at, tuple(found[case_id] for case_id in ids if case_id in found),
                  checked, tuple(case_id for case_id in ids if case_id in found))
