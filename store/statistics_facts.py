"""The statistics facts of a case: what it adds to the figures whatever the day (issue 14).

Read with raw tuple queries (`cases`, `events`: only the columns the figures look at; JSON decoded
only for the events that carry what the figures read, and only that part of it), then
`case_fact` turns one case and its standing events into its contribution to the figures — the
same rules `store.statistics` counted with (`history_of`, `answer_due`, `milestones`,
`_forms_of`), only without the day. `store.statistics_keeper` adds the facts up.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import namedtuple

from peewee import SQL, fn
from peewee import Case as When

from store.co_units import expected_units
from store.figures import stored_date
from store.form_figures import FORM_EVENT_KINDS, _forms_of
from store.models import EVALUATIONS, Case, Event
from store.rules import milestones, sign_due, unit_opinion_due
from store.statistics import (
    ANSWERING_ROLES,
    EVALUATION_MILESTONES,
    FACE_TO_FACE,
    answer_due,
    history_of,
)
from store.weekly_marks import REVIEW_KEY

EVENT_KINDS = ("评价", "答复", "更正", "沟通", *FORM_EVENT_KINDS)
_AFTER_READ = ("evaluation", "evaluated_on", "rehandle_replied_on", "form_due", "form_returned_on")
_DECODED = frozenset(("评价", "答复", "更正", "送征询表"))  # the kinds whose `data` the figures read
_CASE_FIELDS = (
    "id", "session_id", "role", "status", "topic", "assigned_on", "signed_on", "extended_due", "extension_late",
    "opinion_sent_on", "replied_on", "result_class", "disclosure", "evaluation", "evaluated_on", "first_evaluation",
    "first_evaluated_on", "rehandle_started_on", "rehandle_replied_on", "disclosed_on", "review_due", "reviewed_on",
    "closed_on", "co_units", "unit_progress", "units_expected", "form_sent_on", "form_due", "form_returned_on",
    "evaluation_work", "next_due", "next_milestone", "leader_led", "leader_id", "division_id", "owner_id", "post",
    "reply_early_reason", "units_received", "lead_unit", "is_typical",
)
_DATES = frozenset(("assigned_on", "signed_on", "extended_due", "opinion_sent_on", "replied_on", "evaluated_on",
                    "first_evaluated_on", "rehandle_started_on", "rehandle_replied_on", "disclosed_on", "review_due",
                    "reviewed_on", "closed_on", "form_sent_on", "form_due", "form_returned_on", "next_due"))


_CaseRow = namedtuple("_CaseRow", _CASE_FIELDS)
"""The columns of one case the figures read (what `history_of`, `milestones` … look at)."""


_CO_UNITS, _PROGRESS, _LATE, _LED, _TYPICAL = (_CASE_FIELDS.index(name) for name in (
    "co_units", "unit_progress", "extension_late", "leader_led", "is_typical"))


class _EventView:
    """A standing event as the figures read it."""

    __slots__ = ("case_id", "data", "kind", "method", "on_date", "stage")

    def __init__(self, case_id, kind, on_date, data, method, stage):
        self.case_id, self.kind, self.on_date, self.data, self.method, self.stage = (
            case_id, kind, on_date, data, method, stage)


_UNKNOWN = object()


class Dates:
    """ISO text (SQLite) or dates (PostgreSQL) as dates, one object for each distinct day."""

    def __init__(self):
        self._known: dict = {}

    def known(self) -> dict:
        """The days met so far, by their stored value (None among them): look up before calling."""
        self._known[None] = None
        return self._known

    def __call__(self, value):
        if value is None:
            return None
        known = self._known.get(value)
        if known is None:
            if isinstance(value, str):
                known = stored_date(value)
            elif isinstance(value, dt.datetime):
                known = value.date()
            else:
                known = dt.date(value.year, value.month, value.day)
            self._known[value] = known
        return known


def decoded(value, empty):
    if value is None:
        return empty
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def cases(where, dates: Dates):
    columns = [getattr(Case, name.removesuffix("_id") if name.endswith("_id") else name) for name in _CASE_FIELDS]
    columns[_CO_UNITS] = columns[_PROGRESS] = SQL("NULL")  # read below, only where a milestone reads them
    query = Case.select(*columns).order_by(Case.id)
    if where is not None:
        query = query.where(where)
    units = Case.select(Case.id, Case.co_units, Case.unit_progress).where(  # every 主办 case naming a co-unit
        (Case.role == "主办") & Case.co_units.is_null(False) & (Case.co_units != SQL("'[]'")))
    if where is not None:
        units = units.where(where)
    progress = {case_id: (decoded(co_units, []), decoded(unit_progress, {}))
                for case_id, co_units, unit_progress in Case._meta.database.execute(units)}
    indexes = [i for i, name in enumerate(_CASE_FIELDS) if name in _DATES]
    make, known, none = _CaseRow._make, dates.known(), ([], {})
    for row in Case._meta.database.execute(query):
        values = list(row)
        for i in indexes:
            value = values[i]
            day = known.get(value, _UNKNOWN)
            values[i] = dates(value) if day is _UNKNOWN else day
        values[_LATE], values[_LED], values[_TYPICAL] = bool(values[_LATE]), bool(values[_LED]), bool(values[_TYPICAL])
        values[_CO_UNITS], values[_PROGRESS] = progress.get(values[0], none)
        yield make(values)


_NO_DATA: dict = {}  # the data of an event whose data the figures never read (one shared, read-only)


def events(where, dates: Dates):
    """(case id, [its standing events as the figures read them]) in case id order, streamed: the
    keeper takes each case's events as it meets the case, so never holds the whole ledger's."""
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    query = (Event.select(Event.case, Event.kind, Event.on_date, Event.data, Event.method, Event.stage)
             .where((Event.kind << list(EVENT_KINDS)) & ~(Event.id << undone)))
    if where is not None:
        query = query.join(Case, on=(Event.case == Case.id)).where(where)
    current, views = None, []
    for case_id, kind, on_date, data, method, stage in Case._meta.database.execute(query.order_by(Event.case, Event.id)):
        if case_id != current:
            if views:
                yield current, views
            current, views = case_id, []
        data = _slim(decoded(data, {})) if kind in _DECODED else _NO_DATA
        views.append(_EventView(case_id, kind, dates(on_date), data, method, stage))
    if views:
        yield current, views


FOLLOW_UP_KINDS = ("查办", "询办", "催办")


def follow_ups(where) -> tuple[dict, dict]:
    """查办/询办/催办 still standing, counted in SQL: {case id: ((kind, count), …)}; and the weeks
    of the weekly checks, {case id: [week, …]} (a 查办 whose data names its week, in event order)."""
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    # `kind || ''`: not through the kind index (the whole ledger is read faster in one pass over the
    # table, a few cases through their own events)
    standing = (Event.kind.concat("") << list(FOLLOW_UP_KINDS)) & ~(Event.id << undone)
    if where is not None:
        standing &= Event.case << Case.select(Case.id).where(where)
    grouped = (Event.select(Event.case, *(fn.SUM(When(None, [(Event.kind == kind, 1)], 0)) for kind in FOLLOW_UP_KINDS))
               .where(standing).group_by(Event.case))
    checked = (Event.select(Event.case, Event.data)
               .where(standing & (Event.kind.concat("") == "查办") & Event.data.contains(REVIEW_KEY)).order_by(Event.id))
    counts: dict[int, tuple] = {}
    shared: dict = {}
    for case_id, *by_kind in Case._meta.database.execute(grouped):
        key = tuple(by_kind)
        pairs = shared.get(key)
        if pairs is None:
            pairs = shared[key] = tuple((kind, int(n)) for kind, n in zip(FOLLOW_UP_KINDS, key) if n)
        counts[case_id] = pairs
    weeks: dict[int, list] = {}
    for case_id, data in Case._meta.database.execute(checked):
        data = decoded(data, {})
        if isinstance(data, dict) and data.get(REVIEW_KEY):
            weeks.setdefault(case_id, []).append(str(data[REVIEW_KEY]))
    return counts, weeks


class Dues:
    """签收 and 答复 deadlines remembered: a whole ledger's cases share a few hundred 交办 days."""

    def __init__(self, calendar):
        self.calendar = calendar
        self._sign: dict = {}
        self._answer: dict = {}
        self._unit: dict = {}

    def sign(self, case, rules) -> dt.date:
        key = (case.assigned_on, id(rules))
        due = self._sign.get(key)
        if due is None:
            due = self._sign[key] = sign_due(case, rules, self.calendar)
        return due

    def unit(self, case, rules) -> dt.date:
        key = (case.assigned_on, id(rules))
        due = self._unit.get(key)
        if due is None:
            due = self._unit[key] = unit_opinion_due(case, rules, self.calendar)
        return due

    def answer(self, case, rules) -> dt.date:
        key = (case.role == "汇办", case.extension_late, case.assigned_on, case.extended_due, id(rules))
        due = self._answer.get(key)
        if due is None:
            due = self._answer[key] = answer_due(case, rules, self.calendar)
        return due


def _slim(data) -> dict:
    """Only what `history_of` and `_forms_of` read of an event's data (the rest is dropped)."""
    if not isinstance(data, dict):
        return {}
    slim = {key: data[key] for key in ("corrects",) if key in data}
    after = data.get("after")
    if after:
        slim["after"] = {key: after[key] for key in _AFTER_READ if key in after} if isinstance(after, dict) else after
    return slim


def case_fact(case, events, rules, calendar, dues: Dues | None = None) -> tuple:
    """What one case adds to the figures, whatever the day: (session id, counted keys, dated keys
    (a key and the day after which it counts as past due), ordered keys (status, topic …))."""
    keys = ["received", f"role:{case.role}"]
    dated: list = []
    ordered = [("status", case.status)]
    if case.topic:
        ordered.append(("topic", case.topic))
    transferred = case.status == "已办结" and case.signed_on is None
    if transferred:
        keys.append("transferred")
    if case.status != "申请调整" and not transferred:
        keys.append("to_answer")
        if case.signed_on is not None:
            keys.append("signed")
            if case.signed_on <= dues.sign(case, rules):
                keys.append("signed_on_time")
        else:
            keys.append("unsigned")
            dated.append(("sign_due", dues.sign(case, rules)))
        done = case.opinion_sent_on if case.role == "汇办" else case.replied_on
        due = dues.answer(case, rules)
        if done is not None:
            keys.append("answered")
            if done <= due:
                keys.append("answered_on_time")
        else:
            dated.append(("answer_due", due))
        if case.role != "汇办" and case.extension_late:
            keys.append("extension_late")
    contacts = [e for e in events if e.kind == "沟通"]
    for event in contacts:
        keys += (f"method:{event.method}", f"stage:{event.stage}")
    if contacts:
        keys.append("contacted")
    history = steps = None
    if case.role in ANSWERING_ROLES and not transferred:
        keys.append("answering")
        others = [e for e in events if e.kind != "沟通"]
        history = history_of(case, others, rules, calendar)
        if history.verdicts:
            keys += ("evaluated", f"latest:{history.latest.evaluation}", f"first:{history.first.evaluation}")
            if history.ever_dissatisfied:
                keys.append("ever_dissatisfied")
                ordered.append(("after", history.outcome()))
            if history.first.evaluation == "不满意":
                keys.append("first_dissatisfied")
        for rehandling in history.rounds:
            keys.append("rounds")
            if rehandling.replied_on is not None:
                keys.append("round:按时" if rehandling.replied_on <= rehandling.due else "round:逾期")
            else:
                dated.append(("round_due", rehandling.due))
        if any(e.method in FACE_TO_FACE for e in contacts):
            keys.append("face_to_face")
        if case.replied_on is not None and not contacts:
            keys.append("replied_without_contact")
        for due, back in _forms_of(case, [e for e in others if e.kind in ("送征询表", "评价")]):
            keys.append("forms_sent")
            if back is not None:
                keys.append("forms_returned")
                if due is not None and back > due:
                    keys.append("forms_returned_late")
            else:
                keys.append("forms_outstanding")
                if due is not None:
                    dated.append(("form_due", due))
        keys += ["form_chase"] * sum(1 for e in events if e.kind == "催收征询表")
        if case.evaluation_work in EVALUATIONS and case.evaluated_on is not None:
            keys.append(f"work:{case.evaluation_work}")
    if case.role != "汇办" and case.replied_on is not None:
        keys += ("replied", f"class:{case.result_class}", f"disclosure:{case.disclosure}")
        if history is not None and case.status != "重新办理" and _awaiting(case, history):
            keys.append("awaiting")
            steps = steps or milestones(case, rules, calendar)
            chase = [m.due for m in steps if m.label in EVALUATION_MILESTONES and not m.done]
            if chase:
                dated.append(("awaiting_chase", min(chase)))
    if not (case.status == "已办结" or case.closed_on is not None or case.next_due is None):
        if case.next_milestone not in EVALUATION_MILESTONES:
            dated.append(("open_overdue", case.next_due))
        else:
            steps = steps or milestones(case, rules, calendar)
            own = [m.due for m in steps if not m.done and m.label not in EVALUATION_MILESTONES]
            if own:  # past due once both the next due date and a step of the bureau's own have passed
                dated.append(("open_overdue", max(case.next_due, min(own))))
    return case.session_id, tuple(sorted(keys)), tuple(sorted(dated)), tuple(ordered)


def _awaiting(case, history) -> bool:
    latest_reply = case.rehandle_replied_on or case.replied_on
    latest = history.latest
    return not (latest is not None and (latest.on is None or latest.on >= latest_reply) and (
        latest.evaluation != "不满意" or not history.rounds or history.rounds[-1].replied_on is None))


def summary_fact(case, follow: tuple, weeks, contacts: int, rules, dues: Dues) -> tuple[tuple, tuple]:
    """What one case adds to the year's summary (`store.summary_figures`), whatever the day:
    (counted (key, times) pairs, dated keys). People and divisions by id (their names are looked
    up when the summary is read), the 查办/询办/催办 still standing (`follow`: (kind, count) pairs)
    and its standing 沟通 (`contacts`), its weekly checks' weeks, its co-units' opinions (as
    `store.co_units.unit_states` sees them), 回头看, forms, 典型案例, its 主办单位."""
    counted = [_ONE_CASE]
    add = counted.append
    dated: list = []
    if case.leader_led:
        add(_LEADER_LED)
        if case.leader_id is not None:
            add((f"leader:{case.leader_id}", 1))
    status = case.status
    transferred = status == "已办结" and case.signed_on is None
    if status != "申请调整" and not transferred:
        add(_IN_SCOPE)
        division, owner = case.division_id, case.owner_id
        if division is not None:
            add((f"division:{division}", 1))
        if owner is not None:
            add((f"owner:{owner}", 1))
            if division is not None:
                add(_ASSIGNED)
                if case.post.strip():
                    add(_ASSIGNED_POST)
    if weeks:
        for week in dict.fromkeys(weeks):
            add((f"week:{week}", weeks.count(week)))
    if case.co_units and case.role == "主办":
        names = expected_units(case)
        if names:
            _unit_facts(case, names, dues.unit(case, rules), add, dated)
    if case.review_due is not None and not transferred and case.role in ANSWERING_ROLES:
        add(_REVIEW_PENDING)
        dated.append(("review_on", case.review_due))
    if case.form_sent_on is not None:
        add(_FORM_SENT)
        if case.form_returned_on is None:
            add(_FORM_OUT)
            if case.form_due is not None:
                dated.append(("summary_form_due", case.form_due))
    if case.is_typical and case.role in ANSWERING_ROLES:
        add((f"typical:{case.id}", 1))
    if case.lead_unit and case.role in ("主办", "承办"):
        unit = case.lead_unit.strip()
        if unit:
            add((f"lead:{unit}", 1))
    for kind, count in follow:
        add((f"follow:{kind}", count))
    if contacts:
        add(("follow:沟通", contacts))
    return tuple(counted), tuple(dated)


_ONE_CASE, _LEADER_LED, _IN_SCOPE, _ASSIGNED, _ASSIGNED_POST, _REVIEW_PENDING, _FORM_SENT, _FORM_OUT = (
    (key, 1) for key in ("cases", "leader_led", "in_scope", "assigned", "assigned_post", "review_pending",
                         "summary_forms_sent", "summary_forms_out"))


def _unit_facts(case, names: list, due: dt.date, add, dated: list) -> None:
    """A 主办 case's co-units: what `unit_states(case, today, due)` gives, but for the day (an
    opinion still out while the case waits for it is late once the day is past `due`)."""
    add(("led", 1))
    if case.units_expected:
        add(("units_expected", case.units_expected))
    if case.units_received:
        add(("units_received", case.units_received))
    progress = case.unit_progress or {}
    replied = case.replied_on is not None
    signed_off = late = 0
    for name in names:
        entry = progress.get(name)
        if not isinstance(entry, dict):
            entry = {}
        got = stored_date(entry.get("received_on"))
        if stored_date(entry.get("signed_off_on")) is not None:
            signed_off += 1
        if got is not None:
            late += got > due
        elif not replied:
            dated.append(("unit_due", due))
    if signed_off:
        add(("units_signed_off", signed_off))
    if late:
        add(("units_late", late))
    if case.replied_on is not None and case.reply_early_reason.strip():
        add(("replied_early", 1))
