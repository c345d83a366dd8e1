"""Deadline rules: which milestone of a case is due when, per session.

Shenzhen's defaults (domain.md): sign for within 10 days of 交办; reply within 3 calendar
months (extended with a reason to at most 6); a 汇办 opinion within 1 month; re-handle within
1 month of 不满意; chase the evaluation 20 working days after the reply; disclose within 20
working days of the reply; B/C promises reviewed (回头看) 3 months after the reply; a case with
no follow-up for 7 days is stale; an urge asks for an answer within 3 working days.
A session may override any of them (`Session.rules`).

Functions here take any object with the case's date attributes (a `Case` row or a plain
namespace), so the same rules serve actions, queries, fixtures and tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields

import pendulum

from store.calendar import WorkCalendar


@dataclass(frozen=True)
class RuleSet:
    """A session's deadline rules (defaults: Shenzhen's)."""

    sign_days: int = 10  # 签收: calendar days after 交办
    reply_months: int = 3  # 答复: calendar months after 交办
    max_reply_months: int = 6  # 延期 may not go past this
    opinion_months: int = 1  # 汇办意见: calendar months after 交办
    rehandle_months: int = 1  # 重新办理: months after 不满意
    evaluation_working_days: int = 20  # 评价: chase after the reply
    disclosure_working_days: int = 20  # 公开: decide after the reply
    review_months: int = 3  # 回头看 of B/C promises after the reply
    stale_days: int = 7  # no follow-up for this long: stale
    urge_respond_working_days: int = 3  # 催办: the division answers within

    @classmethod
    def from_overrides(cls, overrides: dict | None) -> "RuleSet":
        """Defaults with a session's overrides; unknown keys are ignored."""
        known = {field.name for field in fields(cls)}
        values = {key: int(value) for key, value in (overrides or {}).items() if key in known}
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_RULES = RuleSet()

DONE_ON_TIME = "按时完成"
DONE_LATE = "逾期完成"
OPEN = "未到期"
DUE_TODAY = "今日到期"
OVERDUE = "已逾期"


@dataclass(frozen=True)
class Milestone:
    """One deadline of a case: what, when due, when done, and how the rule counts."""

    key: str  # sign, opinion, reply, evaluation, rehandle, reevaluation, disclosure, review
    label: str  # 签收, 汇办意见, 答复 …
    due: dt.date
    done_on: dt.date | None = None
    working_days: bool = False  # the rule counts working days (工作日)
    estimated: bool = False  # counted through a year the calendar does not know
    warning: str = ""

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def state(self, today: dt.date) -> str:
        """按时完成, 逾期完成, 未到期, 今日到期 or 已逾期."""
        if self.done_on is not None:
            return DONE_ON_TIME if self.done_on <= self.due else DONE_LATE
        if today == self.due:
            return DUE_TODAY
        return OVERDUE if today > self.due else OPEN

    def days_left(self, today: dt.date) -> int:
        """Calendar days from today to the due date (negative: overdue)."""
        return (self.due - today).days


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end (Nov 30 + 3 months = Feb 28/29)."""
    result = pendulum.date(day.year, day.month, day.day).add(months=months)
    return dt.date(result.year, result.month, result.day)


def reply_due(case, rules: RuleSet = DEFAULT_RULES) -> dt.date:
    """答复期限: the extension if granted, else 交办 + the rule's months."""
    return case.extended_due or add_months(case.assigned_on, rules.reply_months)


def latest_extension(case, rules: RuleSet = DEFAULT_RULES) -> dt.date:
    """The furthest a reply may be extended to (交办 + 6 months by default)."""
    return add_months(case.assigned_on, rules.max_reply_months)


def milestones(case, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> list[Milestone]:
    """Every milestone the case has reached or faces, in the order of its life."""
    calendar = calendar or WorkCalendar()
    result = [Milestone("sign", "签收", case.assigned_on + dt.timedelta(days=rules.sign_days), case.signed_on)]
    if case.role == "汇办":
        result.append(
            Milestone("opinion", "汇办意见", add_months(case.assigned_on, rules.opinion_months), case.opinion_sent_on)
        )
        return result
    result.append(Milestone("reply", "答复", reply_due(case, rules), case.replied_on))
    if case.replied_on is None:
        return result

    def by_working_days(key, label, start, count, done_on):
        counted = calendar.add_working_days(start, count)
        return Milestone(key, label, counted.day, done_on, True, counted.estimated, counted.warning)

    first_evaluation = case.rehandle_started_on or case.evaluated_on
    result.append(
        by_working_days("evaluation", "评价", case.replied_on, rules.evaluation_working_days, first_evaluation)
    )
    if case.rehandle_started_on is not None:
        result.append(
            Milestone(
                "rehandle",
                "重办答复",
                add_months(case.rehandle_started_on, rules.rehandle_months),
                case.rehandle_replied_on,
            )
        )
        if case.rehandle_replied_on is not None:
            evaluated_again = (
                case.evaluated_on
                if case.evaluated_on and case.evaluated_on >= case.rehandle_replied_on and case.evaluation
                else None
            )
            result.append(
                by_working_days(
                    "reevaluation", "再次评价", case.rehandle_replied_on, rules.evaluation_working_days, evaluated_again
                )
            )
    result.append(
        by_working_days("disclosure", "公开", case.replied_on, rules.disclosure_working_days, case.disclosed_on)
    )
    if case.review_due is not None:
        result.append(Milestone("review", "回头看", case.review_due, None))
    elif case.reviewed_on is not None:
        result.append(Milestone("review", "回头看", case.reviewed_on, case.reviewed_on))
    return result


def next_open(case, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> Milestone | None:
    """The open milestone due first — what the ledger sorts by; None once closed."""
    if getattr(case, "closed_on", None) is not None or getattr(case, "status", "") == "已办结":
        return None
    open_ones = [m for m in milestones(case, rules, calendar) if not m.done]
    return min(open_ones, key=lambda m: m.due) if open_ones else None


def is_stale(case, today: dt.date, rules: RuleSet = DEFAULT_RULES) -> bool:
    """No follow-up for `stale_days` (or a planned follow-up date passed) on an open case."""
    if getattr(case, "closed_on", None) is not None or case.status in ("已办结", "已反馈"):
        return False
    if case.next_followup_on is not None and case.next_followup_on < today:
        return True
    last = case.last_followup_on or case.assigned_on
    return (today - last).days >= rules.stale_days


def countdown_text(due: dt.date | None, today: dt.date, *, done: bool = False, label: str = "",
                   working_days_left: int | None = None) -> str:
    """还剩N天 / 今日到期 / 逾期N天 (… 个工作日 when the rule counts working days)."""
    if done:
        return f"{label}已完成" if label else "已完成"
    if due is None:
        return "—"
    if working_days_left is not None:
        if due == today:
            return "今日到期"
        if working_days_left > 0 or due > today:
            return f"还剩{max(working_days_left, 0)}个工作日"
        # Over a weekend right after the due day no working day has passed yet: still 1.
        return f"逾期{max(-working_days_left, 1)}个工作日"
    days = (due - today).days
    if days > 0:
        return f"还剩{days}天"
    if days == 0:
        return "今日到期"
    return f"逾期{-days}天"


def milestone_countdown(milestone: Milestone, today: dt.date, calendar: WorkCalendar | None = None) -> str:
    """The countdown text of one milestone, in working days where its rule counts them."""
    if milestone.done:
        return f"{milestone.label}{milestone.state(today)}"
    working = None
    if milestone.working_days:
        working = (calendar or WorkCalendar()).count_working_days(today, milestone.due)
    return countdown_text(milestone.due, today, working_days_left=working)
