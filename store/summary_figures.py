"""The counts behind 二、主要做法 and 四、存在问题 of the year's summary (`store.io.summary_full`).

Each figure is counted from the ledger of one session as of one day (`today`): 局领导领办 cases
and their leaders, the divisions and people the cases went to, weekly checks (the weeks in which
a case of the session was checked: 查办 events that name their week — opening a week's list
checks nothing), 查办/询办/催办 and
沟通 events still standing (not undone), the co-units' opinions (the `Case` caches and
`unit_progress`), late co-unit opinions, 回头看 still to do and evaluation forms not yet back.
The on-time figures of 签收 and 答复 come from `store.statistics.session_statistics`.

What each case adds is kept, with the statistics, by `store.statistics_keeper.StatisticsKeeper`
(`store.statistics_facts.summary_fact`): a summary adds up the keeper's totals and reads only
what is small — the people (leaders are kept by id, so a renamed person is named anew at once)
and the few 典型案例. Divisions and owners are counted by id: a rename changes no figure.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from peewee import fn

from store import clock
from store.models import Case, Person, Session
from store.statistics import SessionStatistics, session_statistics

FOLLOW_UP_COUNTED = ("查办", "询办", "催办")


@dataclass(frozen=True)
class TypicalCase:
    """A case marked 典型案例, with what its reply says."""

    case_id: int
    number: str
    title: str
    role: str
    replied_on: dt.date | None
    doc_no: str
    result_class: str
    reply_summary: str
    note: str


@dataclass(frozen=True)
class SummaryFigures:
    """What the data say about one session's work, as of `today`."""

    stats: SessionStatistics
    cases: int
    leader_led: int = 0
    leaders: tuple[tuple[str, str, int], ...] = ()  # (name, title, cases led) of leader-led cases naming one
    in_scope: int = 0  # cases to be handled (not transferred, no re-assignment pending)
    assigned: int = 0  # … with a division and an owner
    assigned_with_post: int = 0  # … and a post (岗位)
    divisions: int = 0  # divisions the cases went to
    owners: int = 0  # people (责任人) the cases went to
    weekly_reviews: int = 0  # 每周检查 whose list held cases of the session
    weekly_checks: int = 0  # 查办 events of those checks (件次), standing
    follow_ups: dict[str, int] = field(default_factory=dict)  # 查办/询办/催办 events, standing
    contacts: int = 0
    contacts_by_method: dict[str, int] = field(default_factory=dict)
    contacts_by_stage: dict[str, int] = field(default_factory=dict)
    led_with_units: int = 0  # 主办 cases expecting co-units' opinions
    units_expected: int = 0  # co-unit opinions expected (家次)
    units_received: int = 0
    units_signed_off: int = 0  # 会签
    units_late: int = 0  # opinions received late or still out past their due date
    replied_early: int = 0  # replied before every opinion was in (with a reason)
    review_pending: int = 0  # 回头看 still to do (review_due set)
    review_due: int = 0  # … of which its date has come
    forms_sent: int = 0
    forms_out: int = 0  # 待收回: sent, not returned
    forms_out_overdue: int = 0  # … past the due-back date
    typical: tuple[TypicalCase, ...] = ()
    signer: str = ""  # the bureau, as the 主办/承办 cases name it

    @property
    def meetings(self) -> int:
        """座谈面商 contacts: the meetings held with the proposers."""
        return self.contacts_by_method.get("座谈面商", 0)

    @property
    def phone(self) -> int:
        return self.contacts_by_method.get("电话", 0)

    @property
    def sign_late(self) -> int:
        return self.stats.signed - self.stats.signed_on_time

    @property
    def reply_late(self) -> int:
        return self.stats.answered - self.stats.answered_on_time


def summary_figures(session_id: int, *, today: dt.date | None = None, keeper=None) -> SummaryFigures:
    """Every count of 二 and 四 for one session, from its cases and their standing events: the
    per-case facts kept by `keeper` (a built `store.statistics_keeper.StatisticsKeeper`; without
    one, a keeper of this session is built for this one read); names and 典型案例 read now."""
    from store.statistics_keeper import StatisticsKeeper

    today = today or clock.today()
    if keeper is None:
        keeper = StatisticsKeeper().build(session_id)
    stats = session_statistics(session_id, today=today, keeper=keeper)
    kept = keeper.summary(session_id, today)
    people = {pid: (name, title or "局领导") for pid, name, title in
              Person.select(Person.id, Person.name, Person.title).tuples()}
    leaders = Counter()
    for person_id, count in kept.leaders:
        if person_id in people:
            leaders[people[person_id]] += count
    typical = ()
    if kept.typical:
        typical = tuple(TypicalCase(c.id, c.number, c.title, c.role, c.replied_on, c.reply_doc_no, c.result_class,
                                    c.reply_summary, c.typical_note)
                        for c in Case.select().where(Case.id << list(kept.typical)).order_by(Case.number, Case.id))
    lead_units = kept.lead_units
    return SummaryFigures(
        stats=stats,
        cases=kept.cases,
        leader_led=kept.leader_led,
        leaders=tuple((name, title, count) for (name, title), count in
                      sorted(leaders.items(), key=lambda kv: (-kv[1], kv[0]))),
        in_scope=kept.in_scope,
        assigned=kept.assigned,
        assigned_with_post=kept.assigned_with_post,
        divisions=kept.divisions,
        owners=kept.owners,
        weekly_reviews=kept.weekly_reviews,  # a week counts when a case was checked in it, not when its list was opened
        weekly_checks=kept.weekly_checks,
        follow_ups={kind: kept.follow_ups.get(kind, 0) for kind in FOLLOW_UP_COUNTED},
        contacts=kept.follow_ups.get("沟通", 0),
        contacts_by_method=dict(stats.contacts_by_method),  # the same standing 沟通 of the session
        contacts_by_stage=dict(stats.contacts_by_stage),
        led_with_units=kept.led_with_units,
        units_expected=kept.units_expected,
        units_received=kept.units_received,
        units_signed_off=kept.units_signed_off,
        units_late=kept.units_late,
        replied_early=kept.replied_early,
        review_pending=kept.review_pending,
        review_due=kept.review_due,
        forms_sent=kept.forms_sent,
        forms_out=kept.forms_out,
        forms_out_overdue=kept.forms_out_overdue,
        typical=typical,
        signer=_most_of(lead_units) if lead_units else _most_named(None),
    )


def bureau_name(session_id: int | None) -> str:
    """The bureau as its 主办/承办 cases name it (the most frequent 主办单位): the session's
    cases first, else the whole ledger's; "" when no case names it."""
    if session_id is not None:
        name = _most_named(Case.session == session_id)
        if name:
            return name
    return _most_named(None)


def _most_named(scope) -> str:
    query = (Case.select(Case.lead_unit, fn.COUNT(Case.id)).where(Case.role << ["主办", "承办"])
             .group_by(Case.lead_unit))
    if scope is not None:
        query = query.where(scope)
    names = Counter()
    for unit, count in Case._meta.database.execute(query):  # grouped in SQL, merged once stripped
        if unit and unit.strip():
            names[unit.strip()] += count
    return _most_of(names)


def _most_of(names: dict) -> str:
    """The most frequent name (the first in order among the equally frequent); "" when none."""
    return min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0] if names else ""


def session_of(session_id: int) -> Session | None:
    return Session.get_or_none(Session.id == session_id)
