"""The other units on a case (会办/汇办 of a 主办 case, the other units of a 分办 case), and where each stands.

On a 主办 case the bureau collects each co-unit's opinion (会办意见, also called 汇办意见) before
it writes the one reply, and the reply is signed off by them (会签). On a 分办 case every unit
answers its own part: the bureau records its own part (`Case.own_part`) and notes each other
unit's separate reply. Which units there are is `Case.co_units` (names, as assigned); where
each stands is `Case.unit_progress`, keyed by the unit's name:

    {"市公安局": {"received_on": "2026-03-02", "summary": "…", "urged": 1, "last_urged_on": "2026-02-27",
                 "signed_off_on": "2026-04-01"},
     …}

(分办: `replied_on`, `doc_no`, `summary`). Every change of it goes through `store.actions`
and is an event on the case's timeline, so an undo puts the previous state back. Two caches
(`units_expected`, `units_received`) let the ledger show 会办意见 2/3 for 100,000 cases with no
JSON read; `refresh_unit_counts` rewrites them, and `_record` calls it on every action.
These functions take any object with the case's attributes (a `Case` row or a namespace).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.figures import stored_date as _day

LEADING = "主办"
SPLIT = "分办"


def expected_units(case) -> list[str]:
    """The units whose opinion (主办) or separate reply (分办) the case expects, in the assigned order."""
    if getattr(case, "role", "") not in (LEADING, SPLIT):
        return []
    seen: list[str] = []
    for name in getattr(case, "co_units", None) or []:
        name = str(name).strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def unit_entry(case, name: str) -> dict:
    """The stored state of one unit (an empty dict when nothing is recorded yet)."""
    progress = getattr(case, "unit_progress", None) or {}
    entry = progress.get(name)
    return dict(entry) if isinstance(entry, dict) else {}


def received_on(case, name: str) -> dt.date | None:
    """When the unit's opinion (主办) or separate reply (分办) was received; None when still out."""
    entry = unit_entry(case, name)
    return _day(entry.get("replied_on") if getattr(case, "role", "") == SPLIT else entry.get("received_on"))


def unit_counts(case) -> tuple[int, int]:
    """(expected, received) for the case, read from its progress (not from the caches)."""
    names = expected_units(case)
    return len(names), sum(1 for name in names if received_on(case, name) is not None)


def refresh_unit_counts(case) -> None:
    """Rewrite the two caches on a `Case` row from its co-units and their progress."""
    case.units_expected, case.units_received = unit_counts(case)


def units_done_on(case) -> dt.date | None:
    """When a 主办 case's co-units' opinions were all in (the latest of them), or the reply's date
    when the bureau replied before they were (with its reason): the 会办意见 milestone is done then."""
    if getattr(case, "role", "") != LEADING:
        return None
    names = expected_units(case)
    if not names:
        return None
    days = [received_on(case, name) for name in names]
    replied = getattr(case, "replied_on", None)
    if all(day is not None for day in days):  # an opinion arriving after the reply does not reopen it
        return max(days) if replied is None else min(max(days), replied)
    return replied


def missing_units(case) -> list[str]:
    """The expected units whose opinion (or reply) is not in yet."""
    return [name for name in expected_units(case) if received_on(case, name) is None]


def progress_label(role: str, body: str = "") -> str:
    """What the progress is called: the co-units' opinions on a 主办 case in the body's word (汇办意见 on
    a 人大 case, 会办意见 on a 政协 case and when the body is not known), 分办答复 on a 分办 case."""
    if role == SPLIT:
        return "分办答复"
    return "汇办意见" if body == "人大" else "会办意见"


def progress_text(role: str, expected: int, received: int, body: str = "") -> str:
    """汇办意见 2/3 (人大), 会办意见 2/3 (政协) or 分办答复 1/2 from the caches; "" when the case expects no unit."""
    if not expected or role not in (LEADING, SPLIT):
        return ""
    return f"{progress_label(role, body)} {received}/{expected}"


@dataclass(frozen=True)
class UnitState:
    """One co-unit as the case screen shows it."""

    name: str
    role: str  # 主办 or 分办: what the case expects of the unit (an opinion, or its own reply)
    due: dt.date | None  # opinion due (主办); None on a 分办 case (each unit answers on its own)
    received_on: dt.date | None
    summary: str
    doc_no: str  # 分办: the unit's reply number
    urged: int
    last_urged_on: dt.date | None
    signed_off_on: dt.date | None  # 会签
    late: bool  # received after the due date, or still out after it while the case waits for it
    replied: bool = False  # the case has been answered: an opinion still out is no longer awaited

    @property
    def state(self) -> str:
        """已收到 / 逾期收到 / 逾期未报 / 待报送 / 未报送（已答复） (分办: 已答复 / 未答复)."""
        if self.role == SPLIT:
            return "已答复" if self.received_on else "未答复"
        if self.received_on is not None:
            return "逾期收到" if self.late else "已收到"
        if self.replied:
            return "未报送（已答复）"
        return "逾期未报" if self.late else "待报送"


def unit_states(case, today: dt.date, due: dt.date | None) -> list[UnitState]:
    """Every expected unit of the case with where it stands; `due` is the opinions' due date
    (`store.rules.unit_opinion_due`) on a 主办 case."""
    role = getattr(case, "role", "")
    replied = getattr(case, "replied_on", None) is not None
    result = []
    for name in expected_units(case):
        entry = unit_entry(case, name)
        got = received_on(case, name)
        unit_due = due if role == LEADING else None
        # Still out once the case is answered is not counted late: the reply no longer waits for it,
        # and a ledger kept before the desk recorded opinions (schema 5) holds none for its old cases.
        late = bool(unit_due and ((got is not None and got > unit_due)
                                  or (got is None and not replied and today > unit_due)))
        result.append(UnitState(
            name=name, role=role, due=unit_due, received_on=got, summary=str(entry.get("summary", "")),
            doc_no=str(entry.get("doc_no", "")), urged=int(entry.get("urged", 0) or 0),
            last_urged_on=_day(entry.get("last_urged_on")), signed_off_on=_day(entry.get("signed_off_on")),
            late=late, replied=replied,
        ))
    return result
