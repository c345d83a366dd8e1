"""The summary bar's figures kept by `LedgerSnapshot.update` (store/snapshot.py) — each changed row
takes its old part out and puts its new one in — equal a count made afresh after any changes:
rows closed and reopened, moved between sessions, turned overdue, awaiting a form, added, removed."""

from __future__ import annotations

import datetime as dt
import random

from store.queries import LedgerRow
from store.snapshot import LedgerSnapshot

TODAY = dt.date(2026, 11, 27)
SESSIONS = ("市七届人大五次会议", "市政协七届五次会议", "")
STATUSES = ("待签收", "申请调整", "办理中", "已答复", "已反馈", "已办结", "重新办理")
MILESTONES = ("签收", "答复", "评价", "再次评价", "公开", "")


def _row(rng: random.Random, case_id: int, version: int = 1) -> LedgerRow:
    days = rng.choice([None, -30, -1, 0, 3, 7, 8, 40])
    due = None if days is None else TODAY + dt.timedelta(days=days)
    milestone = rng.choice(MILESTONES)
    return LedgerRow(
        case_id, version, rng.choice(SESSIONS), f"2026{case_id:04d}", f"标题{case_id}", "王建国", "主办",
        rng.choice(["数据资源处", ""]), "", rng.choice(STATUSES), milestone, due, days, None, "", None,
        rng.randint(0, 3), 0, rng.random() < 0.3, rng.random() < 0.2, "人大", "",
        days is not None and days < 0 and milestone in ("评价", "再次评价") and rng.random() < 0.7)


def _recount(snapshot: LedgerSnapshot, session):
    rows = [r for r in snapshot.rows() if session is None or r.session == session]
    return snapshot.summary(rows)


def _by_hand(rows, session):
    """The open-case and overdue figures counted plainly, apart from the snapshot's code."""
    mine = [r for r in rows if (session is None or r.session == session) and r.status not in ("已办结", "已反馈")]
    return len(mine), sum(1 for r in mine if r.days_left is not None and r.days_left < 0 and not r.awaiting_proposer)


def test_kept_figures_equal_a_fresh_count_after_every_change():
    rng = random.Random(20261201)
    rows = [_row(rng, case_id) for case_id in range(1, 401)]
    snapshot = LedgerSnapshot(rows, TODAY).prepare()
    current = {row.case_id: row for row in rows}
    for step in range(60):
        changed = [_row(rng, rng.randint(1, 460), version=step + 2) for _ in range(rng.randint(1, 8))]
        removed = [rng.randint(1, 460) for _ in range(rng.randint(0, 2))] if step % 5 == 0 else []
        removed = [case_id for case_id in removed if case_id not in {r.case_id for r in changed}]
        snapshot.update(changed, removed=removed)
        current.update({row.case_id: row for row in changed})
        for case_id in removed:
            current.pop(case_id, None)
        for session in (None, *SESSIONS):
            kept = snapshot.session_summary(session)
            assert kept == _recount(snapshot, session), (step, session)
            assert (kept.open_cases, kept.overdue) == _by_hand(current.values(), session), (step, session)


def test_an_empty_snapshot_counts_nothing_then_its_first_row():
    snapshot = LedgerSnapshot([], TODAY)
    assert snapshot.session_summary(None) == snapshot.session_summary("市七届人大五次会议") == snapshot.summary([])
    row = _row(random.Random(1), 1)._replace(status="办理中", days_left=-2, next_due=TODAY - dt.timedelta(days=2),
                                            next_milestone="答复", awaiting_proposer=False, session=SESSIONS[0])
    snapshot.update([row])
    assert snapshot.session_summary(None).open_cases == 1 and snapshot.session_summary(None).overdue == 1
    assert snapshot.session_summary(SESSIONS[0]).overdue == 1 and snapshot.session_summary(SESSIONS[1]).open_cases == 0
