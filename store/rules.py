"""Deadline rules: which milestone of a case is due when, per session.

Shenzhen's defaults (domain.md): sign for within 10 days of 交办; reply within 3 calendar
months (extended with a reason to at most 6); a 汇办 opinion within 1 month; re-handle within
1 month of 不满意; chase the evaluation 20 working days after the reply; disclose within 20
working days of the reply; B/C promises reviewed (回头看) 3 months after the reply; a case with
no follow-up for 7 days is stale; an urge asks for an answer within 3 working days.
A deadline that falls on a rest day stays there unless the session says it moves to the next
working day (`roll_to_working_day`, off by default). A session may override any of them
(`Session.rules`); `RULE_LABELS` and `RULE_BOUNDS` say what each rule is called in the office
and what values make sense, and `rule_value` checks one.

Functions here take any object with the case's date attributes (a `Case` row or a plain
namespace), so the same rules serve actions, queries, fixtures and tests.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, fields

import pendulum

from store.calendar import WorkCalendar, WorkdayResult
from store.errors import LedgerError


@dataclass(frozen=True)
class RuleSet:
    """A session's deadline rules (defaults: Shenzhen's)."""

    sign_days: int = 10  # 签收: calendar days after 交办
    reply_months: int = 3  # 答复: calendar months after 交办
    max_reply_months: int = 6  # 延期 may not go past this
    opinion_months: int = 1  # 汇办意见: calendar months after 交办
    unit_opinion_months: int = 1  # 会办单位意见 (a 主办 case's co-units): calendar months after 交办
    rehandle_months: int = 1  # 重新办理: months after 不满意
    evaluation_working_days: int = 20  # 评价: chase after the reply
    form_return_working_days: int = 20  # 征询意见表: due back, working days after it is sent
    disclosure_working_days: int = 20  # 公开: decide after the reply
    review_months: int = 3  # 回头看 of B/C promises after the reply
    stale_days: int = 7  # no follow-up for this long: stale
    urge_respond_working_days: int = 3  # 催办: the division answers within
    roll_to_working_day: bool = False  # 顺延: a deadline on a rest day moves to the next working day

    @classmethod
    def from_overrides(cls, overrides: dict | None) -> "RuleSet":
        """Defaults with a session's overrides, each converted by its rule's type.

        Unknown keys are ignored (a newer desk's rule on an older one); a value that is not
        of its rule's kind ("abc" for days, "maybe" for 是/否) is refused with LedgerError.
        """
        known = {field.name for field in fields(cls)}
        values = {key: convert_rule(key, value) for key, value in (overrides or {}).items() if key in known}
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)


RULE_LABELS: dict[str, tuple[str, str]] = {
    "sign_days": ("签收期限", "交办后天数"),
    "reply_months": ("答复期限", "交办后月数"),
    "max_reply_months": ("延期上限", "交办后月数"),
    "opinion_months": ("汇办意见期限", "交办后月数"),
    "unit_opinion_months": ("会办单位意见期限", "交办后月数"),
    "rehandle_months": ("重新办理期限", "不满意后月数"),
    "evaluation_working_days": ("评价催收", "答复后工作日数"),
    "form_return_working_days": ("征询意见表收回期限", "送出后工作日数"),
    "disclosure_working_days": ("公开决定期限", "答复后工作日数"),
    "review_months": ("回头看", "答复后月数"),
    "stale_days": ("滞后天数", "无跟进天数"),
    "urge_respond_working_days": ("催办回复期限", "催办后工作日数"),
    "roll_to_working_day": ("期限遇休息日顺延", "是/否"),
}
"""Each rule's name in the office (期限规则) and its unit, in the order the office reads them."""

RULE_BOUNDS: dict[str, tuple[int, int]] = {
    "sign_days": (1, 60),
    "reply_months": (1, 12),
    "max_reply_months": (1, 24),
    "opinion_months": (1, 12),
    "unit_opinion_months": (1, 12),
    "rehandle_months": (1, 12),
    "evaluation_working_days": (1, 120),
    "form_return_working_days": (1, 120),
    "disclosure_working_days": (1, 120),
    "review_months": (1, 24),
    "stale_days": (1, 90),
    "urge_respond_working_days": (1, 30),
}
"""The values that make sense for each counted rule (both ends included)."""

_YES = ("是", "true", "yes", "y", "on", "1", "顺延")
_NO = ("否", "false", "no", "n", "off", "0", "不顺延")


def _is_bool_rule(name: str) -> bool:
    return {field.name: field.type for field in fields(RuleSet)}[name] in (bool, "bool")


def rule_key(text) -> str:
    """The rule's key from its key or its Chinese label (签收期限 → sign_days); LedgerError if neither."""
    name = str(text or "").strip()
    if name in RULE_LABELS:
        return name
    for key, (label, _unit) in RULE_LABELS.items():
        if name == label:
            return key
    known = "、".join(label for label, _unit in RULE_LABELS.values())
    raise LedgerError(f"没有“{name}”这条期限规则，可用的有：{known}。")


def convert_rule(name: str, value) -> int | bool:
    """A stored or typed value of one rule as its type (days and months: int; 顺延: bool)."""
    label = RULE_LABELS.get(name, (name, ""))[0]
    if _is_bool_rule(name):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise LedgerError(f"{label}应为“是”或“否”，收到的是“{value}”。")
    if isinstance(value, bool):
        raise LedgerError(f"{label}应为整数，收到的是“{value}”。")
    text = str(value).strip()
    if not isinstance(value, int) and not re.fullmatch(r"[+-]?[0-9]+", text):
        raise LedgerError(f"{label}应为整数，收到的是“{value}”。")
    number = int(value) if isinstance(value, int) else int(text)
    if number < 0:
        raise LedgerError(f"{label}不能为负数，收到的是{number}。")
    return number


def rule_value(name: str, value) -> int | bool:
    """One rule's value, converted and within its bounds; LedgerError with the reason if not."""
    converted = convert_rule(name, value)
    bounds = RULE_BOUNDS.get(name)
    if bounds is not None and not bounds[0] <= converted <= bounds[1]:
        label, unit = RULE_LABELS[name]
        raise LedgerError(f"{label}应在{bounds[0]}到{bounds[1]}之间（单位：{unit}），收到的是{converted}。")
    return converted


def rule_text(name: str, value) -> str:
    """A rule's value as the office reads it: 10, 3, 是/否."""
    if _is_bool_rule(name):
        return "是" if value else "否"
    return str(value)


DEFAULT_RULES = RuleSet()

DONE_ON_TIME = "按时完成"
DONE_LATE = "逾期完成"
OPEN = "未到期"
DUE_TODAY = "今日到期"
OVERDUE = "已逾期"


@dataclass(frozen=True)
class Milestone:
    """One deadline of a case: what, when due, when done, and how the rule counts."""

    key: str  # sign, opinion, units, reply, evaluation, rehandle, reevaluation, disclosure, review
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


def roll_forward(day: dt.date, calendar: WorkCalendar) -> WorkdayResult:
    """顺延: `day` if it is a working day, else the next working day; estimated when a year
    the roll looked at is not confirmed."""
    rolled = day
    for _ in range(400):  # a year of rest days is a broken calendar, not a reason to hang
        if calendar.is_working_day(rolled):
            break
        rolled += dt.timedelta(days=1)
    unknown = calendar.unknown_years(day, rolled)
    return WorkdayResult(day=rolled, estimated=bool(unknown), unknown_years=unknown)


def _rolled(day: dt.date, rules: RuleSet, calendar: WorkCalendar | None) -> dt.date:
    return roll_forward(day, calendar or WorkCalendar()).day if rules.roll_to_working_day else day


def sign_due(case, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> dt.date:
    """签收期限: 交办 + the rule's days (moved past rest days when the session says so)."""
    return _rolled(case.assigned_on + dt.timedelta(days=rules.sign_days), rules, calendar)


def opinion_due(case, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> dt.date:
    """汇办意见期限: 交办 + the rule's months (moved past rest days when the session says so)."""
    return _rolled(add_months(case.assigned_on, rules.opinion_months), rules, calendar)


def unit_opinion_due(case, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> dt.date:
    """When a 主办 case's co-units owe their opinions (会办/汇办意见): 交办 + 1 month by default."""
    return _rolled(add_months(case.assigned_on, rules.unit_opinion_months), rules, calendar)


def reply_due(case, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> dt.date:
    """答复期限: the extension if granted, else 交办 + the rule's months (moved past rest days
    when the session says so)."""
    return _rolled(case.extended_due or add_months(case.assigned_on, rules.reply_months), rules, calendar)


def latest_extension(case, rules: RuleSet = DEFAULT_RULES) -> dt.date:
    """The furthest a reply may be extended to (交办 + 6 months by default)."""
    return add_months(case.assigned_on, rules.max_reply_months)


def milestones(case, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> list[Milestone]:
    """Every milestone the case has reached or faces, in the order of its life."""
    calendar = calendar or WorkCalendar()

    def by_date(key, label, due, done_on):
        if not rules.roll_to_working_day:
            return Milestone(key, label, due, done_on)
        rolled = roll_forward(due, calendar)
        return Milestone(key, label, rolled.day, done_on, False, rolled.estimated, rolled.warning)

    result = [by_date("sign", "签收", case.assigned_on + dt.timedelta(days=rules.sign_days), case.signed_on)]
    if case.role == "汇办":
        result.append(by_date("opinion", "汇办意见", add_months(case.assigned_on, rules.opinion_months),
                              case.opinion_sent_on))
        return result
    from store.co_units import units_done_on

    if case.role == "主办" and getattr(case, "units_expected", 0):
        result.append(by_date("units", "会办意见", add_months(case.assigned_on, rules.unit_opinion_months),
                              units_done_on(case)))
    result.append(by_date("reply", "答复", case.extended_due or add_months(case.assigned_on, rules.reply_months),
                          case.replied_on))
    if case.replied_on is None:
        return result

    def by_working_days(key, label, start, count, done_on):
        counted = calendar.add_working_days(start, count)
        return Milestone(key, label, counted.day, done_on, True, counted.estimated, counted.warning)

    # The first 评价 keeps its own date through re-handling (a second 不满意 moves rehandle_started_on).
    first_evaluation = getattr(case, "first_evaluated_on", None) or case.rehandle_started_on or case.evaluated_on
    form_sent_on = getattr(case, "form_sent_on", None)
    form_due = getattr(case, "form_due", None)
    rehandle_replied_on = getattr(case, "rehandle_replied_on", None)
    first_form = form_sent_on is not None and (rehandle_replied_on is None or form_sent_on < rehandle_replied_on)
    if first_form:  # the form is out: due back on the date written on it (征询意见表收回期限)
        result.append(Milestone("evaluation", "评价", form_due, first_evaluation, True) if form_due else
                      by_working_days("evaluation", "评价", form_sent_on, rules.form_return_working_days,
                                      first_evaluation))
    else:
        result.append(
            by_working_days("evaluation", "评价", case.replied_on, rules.evaluation_working_days, first_evaluation)
        )
    if case.rehandle_started_on is not None:
        result.append(
            by_date(
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
            if form_sent_on is not None and form_sent_on >= case.rehandle_replied_on and form_due:
                # a second form went out after the new reply: due back on the date written on it
                result.append(Milestone("reevaluation", "再次评价", form_due, evaluated_again, True))
            else:
                result.append(by_working_days("reevaluation", "再次评价", case.rehandle_replied_on,
                                              rules.evaluation_working_days, evaluated_again))
    result.append(
        by_working_days("disclosure", "公开", case.replied_on, rules.disclosure_working_days, case.disclosed_on)
    )
    if case.review_due is not None:
        result.append(by_date("review", "回头看", case.review_due, None))
    elif case.reviewed_on is not None:
        result.append(Milestone("review", "回头看", case.reviewed_on, case.reviewed_on))
    return result


AWAITING_PROPOSER = ("评价", "再次评价")
"""Milestones the proposer holds (the evaluation form, 待收回), not a step of the bureau's own: a
case whose only step past due is one of them is 待评价, never 逾期 (逾期未办结)."""


def own_step_overdue(case, today: dt.date, rules: RuleSet = DEFAULT_RULES, calendar: WorkCalendar | None = None) -> bool:
    """Whether a step of the bureau's own (anything but the proposer's evaluation) is open past its due date."""
    if getattr(case, "closed_on", None) is not None or getattr(case, "status", "") == "已办结":
        return False
    return any(not m.done and m.due < today and m.label not in AWAITING_PROPOSER
               for m in milestones(case, rules, calendar))


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


WORKING_DAY_KEYS = frozenset({"evaluation", "reevaluation", "disclosure"})
"""The milestones whose rules count working days (评价, 再次评价, 公开: `by_working_days` above)."""
WORKING_DAY_LABELS = frozenset({"评价", "再次评价", "公开"})
"""Their labels, as Case.next_milestone stores them (no body renames them)."""


def counts_working_days(milestone: str) -> bool:
    """Whether a milestone (its key or its label) counts down in 工作日 rather than 天."""
    return milestone in WORKING_DAY_KEYS or milestone in WORKING_DAY_LABELS


def due_countdown(due: dt.date | None, today: dt.date, *, working_days: bool,
                  calendar: WorkCalendar | None = None) -> str:
    """The one countdown of a deadline, in the unit its milestone counts: 还剩N个工作日 /
    逾期N个工作日 for a working-day milestone, 还剩N天 / 逾期N天 otherwise, 今日到期 on the day.
    Every place that counts down (ledger, card, weekly checklist and report, urge notice,
    exports) says it with this function."""
    if due is None:
        return countdown_text(None, today)
    working = (calendar or WorkCalendar()).count_working_days(today, due) if working_days else None
    return countdown_text(due, today, working_days_left=working)


def milestone_countdown(milestone: Milestone, today: dt.date, calendar: WorkCalendar | None = None) -> str:
    """The countdown text of one milestone, in working days where its rule counts them."""
    if milestone.done:
        return f"{milestone.label}{milestone.state(today)}"
    return due_countdown(milestone.due, today, working_days=milestone.working_days, calendar=calendar)
