"""The statistics kept in memory: each case's facts once, the figures of any day in microseconds.

`store.statistics.session_statistics` counts every figure from every case as of one day. Almost
all of what it looks at does not depend on that day: a case's deadlines, whether it was signed or
answered on time, its evaluation history, its contacts and forms. `StatisticsKeeper` reads those
facts once (`build`: raw tuple queries, only the columns needed, JSON decoded only for the events
that carry it), adds each case's contribution to a tally per session and one for all sessions,
and keeps, for every figure that does depend on the day (past due or not yet due), the sorted
deadlines: as of `today` such a figure is one bisection. `refresh(case_ids)` takes a few cases'
old contribution out and puts their new one in; `statistics(session_id, today)` gives the same
`SessionStatistics`, with the same values, as `session_statistics` counted the old way.

The keeper keeps the facts of the year's summary too (`summary(session_id, today)`, read by
`store.summary_figures`): people by id, looked up when read, so a rename needs no rebuild.
Rules and calendar are read at `build`: a change of either moves every deadline (co-units'
opinion dates among them), so build again. `facts()` and `adopt(facts, changed)` carry the facts
to the next start (the desk keeps them in the ledger cache with its rows).
The keeper is safe to share between threads (one lock); a `refresh` asked for while a `build`
is reading is applied again once the build is in.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass

from store.form_figures import FormFigures
from store.models import CONTACT_METHODS, CONTACT_STAGES, EVALUATIONS, Case, Session
from store.rules import DEFAULT_RULES
from store.statistics import SessionStatistics
from store.statistics_facts import Dates, Dues, case_fact, follow_ups, summary_fact
from store.statistics_facts import cases as read_cases
from store.statistics_facts import events as read_events


@dataclass(frozen=True)
class SummaryCounts:
    """What the keeper counts for the year's summary of one session (`StatisticsKeeper.summary`);
    people by id (`leaders`: (person id, cases led)): their names are looked up when read."""

    cases: int
    leader_led: int
    leaders: tuple[tuple[int, int], ...]
    in_scope: int
    assigned: int
    assigned_with_post: int
    divisions: int
    owners: int
    weekly_reviews: int
    weekly_checks: int
    follow_ups: dict[str, int]  # 查办/询办/催办/沟通 still standing
    led_with_units: int
    units_expected: int
    units_received: int
    units_signed_off: int
    units_late: int
    replied_early: int
    review_pending: int
    review_due: int
    forms_sent: int
    forms_out: int
    forms_out_overdue: int
    typical: tuple[int, ...]  # the ids of the 典型案例
    lead_units: dict[str, int]  # 主办单位 (stripped) of the 主办/承办 cases


class _Tally:
    """The sum of the facts of one session (or all): counts, sorted deadlines, keys in order of
    their first case (ties among the topics and statuses come out as the old count gave them)."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.dated: dict[str, list] = {}
        self.ordered: dict[str, dict] = {}  # name -> key -> [count, first case id]
        self.stale: set[str] = set()  # names whose first case ids must be found again

    def add(self, case_id: int, fact: tuple, sign: int) -> None:
        counts = self.counts
        for key in fact[1]:
            counts[key] = counts.get(key, 0) + sign
        for key, times in fact[4]:
            counts[key] = counts.get(key, 0) + sign * times
        for name, day in fact[2]:
            days = self.dated.setdefault(name, [])
            if sign > 0:
                insort(days, day)
            else:
                del days[bisect_left(days, day)]
        for name, key in fact[3]:
            keyed = self.ordered.setdefault(name, {})
            entry = keyed.get(key)
            if sign > 0:
                if entry is None:
                    keyed[key] = [1, case_id]
                else:
                    entry[0] += 1
                    entry[1] = min(entry[1], case_id)
            else:
                entry[0] -= 1
                if not entry[0]:
                    del keyed[key]
                elif entry[1] == case_id:
                    self.stale.add(name)

    def fill(self, items: list) -> _Tally:
        """Add (case id, fact) pairs, in id order, to an empty tally at once."""
        counts = self.counts
        for keys, times in Counter(fact[1] for _, fact in items).items():
            for key in keys:
                counts[key] = counts.get(key, 0) + times
        for pairs, times in Counter(fact[4] for _, fact in items).items():
            for key, each in pairs:
                counts[key] = counts.get(key, 0) + each * times
        for name_day in (d for _, fact in items for d in fact[2]):
            self.dated.setdefault(name_day[0], []).append(name_day[1])
        for days in self.dated.values():
            days.sort()
        ordered = self.ordered
        for case_id, fact in items:
            for name, key in fact[3]:
                keyed = ordered.get(name)
                if keyed is None:
                    keyed = ordered[name] = {}
                entry = keyed.get(key)
                if entry is None:
                    keyed[key] = [1, case_id]
                else:
                    entry[0] += 1
        return self

    @classmethod
    def merged(cls, parts: list[_Tally]) -> _Tally:
        """The tally of all sessions from the sessions' own (their cases do not overlap)."""
        whole = cls()
        for part in parts:
            for key, count in part.counts.items():
                whole.counts[key] = whole.counts.get(key, 0) + count
            for name, days in part.dated.items():
                whole.dated.setdefault(name, []).extend(days)
            for name, keyed in part.ordered.items():
                into = whole.ordered.setdefault(name, {})
                for key, (count, first) in keyed.items():
                    entry = into.get(key)
                    if entry is None:
                        into[key] = [count, first]
                    else:
                        entry[0] += count
                        entry[1] = min(entry[1], first)
        for days in whole.dated.values():
            days.sort()
        return whole

    def past(self, name: str, today: dt.date) -> int:
        """How many of the deadlines `name` are past on `today` (today > due)."""
        return bisect_left(self.dated.get(name, ()), today)

    def in_order(self, name: str) -> list[tuple]:
        """(key, count) in the order of each key's first case."""
        keyed = self.ordered.get(name, {})
        return [(key, entry[0]) for key, entry in sorted(keyed.items(), key=lambda kv: kv[1][1])]


class StatisticsKeeper:
    """Every case's statistics facts in memory; the figures of a session (or all) as of any day."""

    def __init__(self):
        self._lock = threading.RLock()
        self._facts: dict[int, tuple] = {}
        self._tallies: dict[int | None, _Tally] = {None: _Tally()}
        self._rules: dict = {}
        self._calendar = None
        self._building = False
        self._asked: set[int] = set()
        self.generation = 0  # rises with every build and refresh
        self.adopted = False  # the facts came from an earlier run (`adopt`), not a `build`

    def build(self, session_id: int | None = None) -> StatisticsKeeper:
        """Read every case's facts (or one session's: a keeper for that session only) afresh."""
        from store.queries import _all_rules, load_calendar

        with self._lock:
            self._building, self._asked = True, set()
        try:
            rules, calendar = _all_rules(), load_calendar()
            where = None if session_id is None else (Case.session == session_id)
            facts, tallies = self._read(where, rules, calendar)
        finally:
            with self._lock:
                self._building = False
        with self._lock:
            self._facts, self._tallies, self._rules, self._calendar = facts, tallies, rules, calendar
            self.generation += 1
            self.adopted = False
            asked, self._asked = self._asked, set()
        if asked:
            self.refresh(asked)
        return self

    def adopt(self, facts: dict, changed=()) -> StatisticsKeeper:
        """Take every case's facts as kept from an earlier run (store/ledger_cache.py: true of the
        ledger as it was then), with the cases written since (`changed`) read afresh first: the
        keeper is built only once both are in. Facts that cannot be added up (a damaged file)
        mean a whole `build`; a read that fails leaves the keeper unbuilt (or built afresh)."""
        from store.queries import _all_rules, load_calendar

        rules, calendar = _all_rules(), load_calendar()
        ids = sorted({int(case_id) for case_id in changed})
        fresh = self._read(Case.id << ids, rules, calendar, into={})[0] if ids else {}
        try:
            merged = dict(facts)
            for case_id in ids:
                if case_id in fresh:
                    merged[case_id] = fresh[case_id]
                else:
                    merged.pop(case_id, None)
            tallies = _tallies_of(sorted(merged.items()))
        except Exception:  # noqa: BLE001 - not facts this code can count: read them all
            return self.build()
        with self._lock:
            self._facts, self._tallies, self._rules, self._calendar = merged, tallies, rules, calendar
            self.generation += 1
            self.adopted = True
        return self

    def facts(self) -> dict[int, tuple] | None:
        """A copy of every case's facts (to keep for the next start); None while being built or never built."""
        with self._lock:
            if self._building or self._calendar is None:
                return None
            return dict(self._facts)

    def _read(self, where, rules, calendar, into: dict | None = None):
        dates, dues = Dates(), Dues(calendar)
        follow, weeks = follow_ups(where)
        events = read_events(where, dates)  # in case order, as the cases are read: merged below
        pending = next(events, None)
        facts: dict[int, tuple] = {}
        shared: dict = {}  # one copy of each distinct value: facts repeat their parts across cases
        share, known = shared.setdefault, shared.get

        def once(parts: tuple) -> tuple:  # the kept copy of a tuple of tuples, its parts shared too
            kept = known(parts)
            if kept is None:
                kept = shared[parts] = tuple(share(part, part) for part in parts)
            return kept

        for case in read_cases(where, dates):
            case_rules = rules.get(case.session_id, DEFAULT_RULES)
            while pending is not None and pending[0] < case.id:  # events of a case not read (cannot be: a foreign key)
                pending = next(events, None)
            standing = ()
            if pending is not None and pending[0] == case.id:
                standing, pending = pending[1], next(events, None)
            session_id, keys, dated, ordered = case_fact(case, standing, case_rules, calendar, dues)
            contacts = sum(1 for e in standing if e.kind == "沟通")
            counted, summary_dated = summary_fact(case, follow.pop(case.id, ()), weeks.pop(case.id, ()), contacts,
                                                  case_rules, dues)
            if summary_dated:
                dated = tuple(sorted(dated + summary_dated))
            facts[case.id] = (session_id, share(keys, keys), once(dated), share(ordered, ordered), once(counted))
        if into is not None:
            return facts, None
        return facts, _tallies_of(facts.items())

    def refresh(self, case_ids) -> None:
        """Read again the facts of these cases (a write touched them); others stay as they are."""
        ids = sorted({int(i) for i in case_ids})
        if not ids:
            return
        with self._lock:
            if self._building:
                self._asked.update(ids)
            rules, calendar = self._rules, self._calendar
        if calendar is None:
            return  # never built: nothing to keep up to date
        fresh, _ = self._read(Case.id << ids, rules, calendar, into={})
        with self._lock:
            for case_id in ids:
                old, new = self._facts.get(case_id), fresh.get(case_id)
                if old == new:
                    continue
                for fact, sign in ((old, -1), (new, 1)):
                    if fact is not None:
                        self._tallies[None].add(case_id, fact, sign)
                        self._tallies.setdefault(fact[0], _Tally()).add(case_id, fact, sign)
                if new is None:
                    del self._facts[case_id]
                else:
                    self._facts[case_id] = new
            self.generation += 1

    def statistics(self, session_id: int | None, today: dt.date):
        """The figures of the session (None: all) as of `today`: what `session_statistics` gives."""
        session = Session.get_or_none(Session.id == session_id) if session_id is not None else None
        with self._lock:
            tally = self._tallies.get(session_id) or _Tally()
            self._find_first_cases(session_id, tally)
            return _figures(session, tally, today)

    def summary(self, session_id: int, today: dt.date) -> SummaryCounts:
        """The counts of the year's summary of the session as of `today` (`store.summary_figures`)."""
        with self._lock:
            tally = self._tallies.get(session_id) or _Tally()
            count = tally.counts.get
            by_prefix: dict[str, dict] = {}
            for key, times in tally.counts.items():
                if times and ":" in key:
                    prefix, _, rest = key.partition(":")
                    by_prefix.setdefault(prefix, {})[rest] = times
            return SummaryCounts(
                cases=count("cases", 0), leader_led=count("leader_led", 0),
                leaders=tuple((int(k), n) for k, n in by_prefix.get("leader", {}).items()),
                in_scope=count("in_scope", 0), assigned=count("assigned", 0),
                assigned_with_post=count("assigned_post", 0), divisions=len(by_prefix.get("division", ())),
                owners=len(by_prefix.get("owner", ())), weekly_reviews=len(by_prefix.get("week", ())),
                weekly_checks=sum(by_prefix.get("week", {}).values()),
                follow_ups=by_prefix.get("follow", {}), led_with_units=count("led", 0),
                units_expected=count("units_expected", 0), units_received=count("units_received", 0),
                units_signed_off=count("units_signed_off", 0),
                units_late=count("units_late", 0) + tally.past("unit_due", today),
                replied_early=count("replied_early", 0), review_pending=count("review_pending", 0),
                review_due=tally.past("review_on", today + dt.timedelta(days=1)),  # on or before today
                forms_sent=count("summary_forms_sent", 0), forms_out=count("summary_forms_out", 0),
                forms_out_overdue=tally.past("summary_form_due", today),
                typical=tuple(sorted(int(k) for k in by_prefix.get("typical", ()))),
                lead_units=by_prefix.get("lead", {}),
            )

    def _find_first_cases(self, session_id, tally: _Tally) -> None:
        for name in tally.stale:
            keyed = tally.ordered.get(name, {})
            for entry in keyed.values():
                entry[1] = None
            for case_id, fact in sorted(self._facts.items()):  # in id order: the first one seen is the first
                if session_id is not None and fact[0] != session_id:
                    continue
                for fact_name, key in fact[3]:
                    if fact_name == name and keyed[key][1] is None:
                        keyed[key][1] = case_id
        tally.stale.clear()


def _tallies_of(items) -> dict[int | None, _Tally]:
    """The tally of each session and of all from (case id, fact) pairs in id order."""
    by_session: dict[int, list] = {}
    for item in items:
        by_session.setdefault(item[1][0], []).append(item)
    tallies: dict[int | None, _Tally] = {}
    for session_id, session_items in by_session.items():
        tallies[session_id] = _Tally().fill(session_items)
    tallies[None] = _Tally.merged(list(tallies.values()))
    return tallies


def _figures(session, tally: _Tally, today: dt.date) -> SessionStatistics:
    count = tally.counts.get
    sign_overdue, answer_overdue = tally.past("sign_due", today), tally.past("answer_due", today)
    round_overdue = tally.past("round_due", today)
    topics = tally.in_order("topic")
    return SessionStatistics(
        session=session.name if session else "全部届次",
        body=session.body if session else "",
        year=session.year if session else None,
        received=count("received", 0),
        by_role={role: count(f"role:{role}", 0) for role in ("主办", "承办", "分办", "汇办")},
        by_status=dict(tally.in_order("status")),
        signed=count("signed", 0),
        signed_on_time=count("signed_on_time", 0),
        answered=count("answered", 0),
        answered_on_time=count("answered_on_time", 0),
        to_answer=count("to_answer", 0),
        needing_evaluation=count("answering", 0),
        evaluations_received=count("evaluated", 0),
        by_evaluation={name: count(f"latest:{name}", 0) for name in EVALUATIONS},
        by_class={k: count(f"class:{k}", 0) for k in ("A", "B", "C", "D")},
        disclosure={k: count(f"disclosure:{k}", 0) for k in ("公开", "部分公开", "不公开")},
        replies_to_disclose=count("replied", 0),
        face_to_face=count("face_to_face", 0),
        contacted=count("contacted", 0),
        overdue_open=tally.past("open_overdue", today),
        topics=tuple(name for name, _ in sorted(topics, key=lambda kv: -kv[1])[:6]),
        transferred=count("transferred", 0),
        today=today,
        sign_overdue=sign_overdue,
        sign_pending=count("unsigned", 0) - sign_overdue,
        answer_overdue=answer_overdue,
        answer_pending=count("to_answer", 0) - count("answered", 0) - answer_overdue,
        extension_late=count("extension_late", 0),
        answering=count("answering", 0),
        first_by_evaluation={name: count(f"first:{name}", 0) for name in EVALUATIONS},
        ever_dissatisfied=count("ever_dissatisfied", 0),
        first_dissatisfied=count("first_dissatisfied", 0),
        after_rehandling=dict(tally.in_order("after")),
        rehandle_rounds=count("rounds", 0),
        rehandle_on_time=count("round:按时", 0),
        rehandle_late=count("round:逾期", 0),
        rehandle_overdue=round_overdue,
        rehandle_pending=len(tally.dated.get("round_due", ())) - round_overdue,
        awaiting_evaluation=count("awaiting", 0),
        awaiting_evaluation_overdue=tally.past("awaiting_chase", today),
        contacts_by_method={m: count(f"method:{m}", 0) for m in CONTACT_METHODS},
        contacts_by_stage={s: count(f"stage:{s}", 0) for s in CONTACT_STAGES},
        replied_without_contact=count("replied_without_contact", 0),
        forms=FormFigures(count("forms_sent", 0), count("forms_returned", 0), count("forms_returned_late", 0),
                          count("forms_outstanding", 0), tally.past("form_due", today), count("form_chase", 0),
                          {name: count(f"work:{name}", 0) for name in EVALUATIONS}),
    )
