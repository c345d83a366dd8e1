"""The counts behind 二、主要做法 and 四、存在问题 of the year's summary (`store.io.summary_full`).

Each figure is counted from the ledger of one session as of one day (`today`): 局领导领办 cases
and their leaders, the divisions and people the cases went to, weekly checks (the weeks in which
a case of the session was checked: 查办 events that name their week — opening a week's list
checks nothing), 查办/询办/催办 and
沟通 events still standing (not undone), the co-units' opinions (the `Case` caches and
`unit_progress`), late co-unit opinions, 回头看 still to do and evaluation forms not yet back.
The on-time figures of 签收 and 答复 come from `store.statistics.session_statistics`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from store import clock
from store.co_units import expected_units, unit_states
from store.models import CONTACT_METHODS, CONTACT_STAGES, Case, Person, Session
from store.rules import unit_opinion_due
from store.statistics import ANSWERING_ROLES, SessionStatistics, _standing_events, session_statistics
from store.weekly import REVIEW_KEY

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


def summary_figures(session_id: int, *, today: dt.date | None = None) -> SummaryFigures:
    """Every count of 二 and 四 for one session, from its cases and their standing events."""
    from store.queries import load_calendar, rules_for

    today = today or clock.today()
    stats = session_statistics(session_id, today=today)
    cases = list(Case.select().where(Case.session == session_id).order_by(Case.number))
    ids = {case.id for case in cases}
    people = {pid: (name, title or "局领导") for pid, name, title in
              Person.select(Person.id, Person.name, Person.title).tuples()}
    leaders = Counter(people[c.leader_id] for c in cases if c.leader_led and c.leader_id in people)
    transferred = {c.id for c in cases if c.status == "已办结" and c.signed_on is None}
    in_scope = [c for c in cases if c.status != "申请调整" and c.id not in transferred]
    assigned = [c for c in in_scope if c.division_id is not None and c.owner_id is not None]

    events = _standing_events(session_id, ("查办", "询办", "催办", "沟通"))
    contacts = [e for e in events if e.kind == "沟通"]
    weeks = {str(e.data.get(REVIEW_KEY)) for e in events
             if e.kind == "查办" and isinstance(e.data, dict) and e.data.get(REVIEW_KEY)}

    rules, calendar = rules_for(session_id), load_calendar()
    led = [c for c in cases if c.role == "主办" and expected_units(c)]
    states = [s for c in led for s in unit_states(c, today, unit_opinion_due(c, rules, calendar))]
    forms = [c for c in cases if c.form_sent_on is not None]
    out = [c for c in forms if c.form_returned_on is None]
    answering = [c for c in cases if c.role in ANSWERING_ROLES and c.id not in transferred]
    return SummaryFigures(
        stats=stats,
        cases=len(cases),
        leader_led=sum(1 for c in cases if c.leader_led),
        leaders=tuple((name, title, count) for (name, title), count in
                      sorted(leaders.items(), key=lambda kv: (-kv[1], kv[0]))),
        in_scope=len(in_scope),
        assigned=len(assigned),
        assigned_with_post=sum(1 for c in assigned if c.post.strip()),
        divisions=len({c.division_id for c in in_scope if c.division_id is not None}),
        owners=len({c.owner_id for c in in_scope if c.owner_id is not None}),
        weekly_reviews=len(weeks),  # a week counts when a case was checked in it, not when its list was opened
        weekly_checks=sum(1 for e in events if e.kind == "查办" and isinstance(e.data, dict)
                          and e.data.get(REVIEW_KEY)),
        follow_ups={kind: sum(1 for e in events if e.kind == kind) for kind in FOLLOW_UP_COUNTED},
        contacts=len(contacts),
        contacts_by_method={m: sum(1 for e in contacts if e.method == m) for m in CONTACT_METHODS},
        contacts_by_stage={s: sum(1 for e in contacts if e.stage == s) for s in CONTACT_STAGES},
        led_with_units=len(led),
        units_expected=sum(c.units_expected for c in led),
        units_received=sum(c.units_received for c in led),
        units_signed_off=sum(1 for s in states if s.signed_off_on is not None),
        units_late=sum(1 for s in states if s.late),
        replied_early=sum(1 for c in led if c.reply_early_reason.strip() and c.replied_on is not None),
        review_pending=sum(1 for c in answering if c.review_due is not None),
        review_due=sum(1 for c in answering if c.review_due is not None and c.review_due <= today),
        forms_sent=len(forms),
        forms_out=len(out),
        forms_out_overdue=sum(1 for c in out if c.form_due is not None and today > c.form_due),
        typical=tuple(TypicalCase(c.id, c.number, c.title, c.role, c.replied_on, c.reply_doc_no, c.result_class,
                                  c.reply_summary, c.typical_note)
                      for c in cases if c.is_typical and c.role in ANSWERING_ROLES),
        signer=bureau_name(session_id),
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
    query = Case.select(Case.lead_unit).where(Case.role << ["主办", "承办"])
    if scope is not None:
        query = query.where(scope)
    names = Counter(unit.strip() for (unit,) in query.tuples() if unit and unit.strip())
    return min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0] if names else ""


def session_of(session_id: int) -> Session | None:
    return Session.get_or_none(Session.id == session_id)
