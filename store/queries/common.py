"""What every read shares: how a case is named, the working-day calendar, each session's rules, the sessions.

`load_calendar` keeps the calendar cached until the office's overrides change; `rules_for` and
`_all_rules` give a session's deadline rules (Shenzhen's defaults with its overrides).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, fn

from store.calendar import WorkCalendar
from store.models import CalendarDay, CalendarYear, Case, ChangeRecord, Session
from store.rules import DEFAULT_RULES, WORKING_DAY_LABELS, RuleSet


WORKING_DAY_MILESTONES = WORKING_DAY_LABELS  # the labels of the milestones counted in 工作日 (store/rules.py)


def case_label(case) -> str:
    """第20230489号 — how the office names a case."""
    return f"第{case.number}号"


def format_number(number: str) -> str:
    return f"第{number}号"


# ------------------------------------------------------------------ calendar and rules

def load_calendar() -> WorkCalendar:
    """The working-day calendar with the office's overrides (cached until they change).

    The cache is kept on the open database object itself: a global keyed by `id()` could hand
    one ledger's calendar to the next ledger opened (a closed object's id is reused).
    """
    database = Case._meta.database.obj
    working = fn.SUM(CalendarDay.is_working.cast("integer"))
    # The newest 日历 change too: one day switched each way leaves the count and sum unchanged.
    changed = ChangeRecord.select(fn.MAX(ChangeRecord.id)).where(ChangeRecord.area == "日历")
    key = (
        CalendarDay.select(fn.COUNT(CalendarDay.id), fn.MAX(CalendarDay.id), working, changed).tuples().first(),
        tuple(year for (year,) in CalendarYear.select(CalendarYear.year).tuples()),
    )
    cached = getattr(database, "_duban_calendar", None)
    if cached is None or cached[0] != key:
        overrides = {day: flag for day, flag in CalendarDay.select(CalendarDay.day, CalendarDay.is_working).tuples()}
        cached = (key, WorkCalendar(overrides, key[1]))
        database._duban_calendar = cached
    return cached[1]


def rules_for(session_id: int | None) -> RuleSet:
    """A session's deadline rules (Shenzhen's defaults with its overrides)."""
    if session_id is None:
        return DEFAULT_RULES
    overrides = Session.select(Session.rules).where(Session.id == session_id).scalar()
    return RuleSet.from_overrides(overrides if isinstance(overrides, dict) else None)


def _all_rules() -> dict[int, RuleSet]:
    return {sid: RuleSet.from_overrides(rules) for sid, rules in Session.select(Session.id, Session.rules).tuples()}


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionInfo:
    id: int
    body: str
    name: str
    year: int
    case_count: int


def sessions() -> list[SessionInfo]:
    """Every session with its number of cases, newest year first."""
    query = (
        Session.select(Session.id, Session.body, Session.name, Session.year, fn.COUNT(Case.id))
        .join(Case, JOIN.LEFT_OUTER)
        .group_by(Session.id)
        .order_by(Session.year.desc(), Session.id)
        .tuples()
    )
    return [SessionInfo(*row) for row in query]


def find_session(name_or_id) -> SessionInfo | None:
    for info in sessions():
        if str(name_or_id) in (info.name, str(info.id)):
            return info
    return None


def awaiting_only(case_ids, today) -> set[int]:
    """Of these cases (each with a deadline past due), those whose only steps past due are the
    proposer's evaluation (`store.rules.AWAITING_PROPOSER`): 待评价, not 逾期. Reads the cases whole,
    500 at a time; callers pass only the cases whose next deadline is an evaluation."""
    from store.rules import own_step_overdue

    ids = list(case_ids)
    if not ids:
        return set()
    calendar, rules, found = load_calendar(), _all_rules(), set()
    for start in range(0, len(ids), 500):
        for case in Case.select(*_MILESTONE_FIELDS).where(Case.id.in_(ids[start:start + 500])):
            if not own_step_overdue(case, today, rules.get(case.session_id, DEFAULT_RULES), calendar):
                found.add(case.id)
    return found


_MILESTONE_FIELDS = (
    Case.id, Case.session, Case.role, Case.status, Case.closed_on, Case.assigned_on, Case.signed_on,
    Case.opinion_sent_on, Case.co_units, Case.unit_progress, Case.units_expected, Case.extended_due,
    Case.replied_on, Case.first_evaluated_on, Case.rehandle_started_on, Case.evaluated_on, Case.evaluation,
    Case.form_sent_on, Case.form_due, Case.rehandle_replied_on, Case.disclosed_on, Case.review_due,
    Case.reviewed_on,
)
"""Every column `store.rules.milestones` and `own_step_overdue` read (not the case's texts)."""
