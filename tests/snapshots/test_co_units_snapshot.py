"""Snapshot: the case screen of a 主办 case with two co-units, at a fixed size and date.

One unit's opinion is in (late), the other is out and has been chased twice; the 会办单位
section lists both with their state, due date, chases and the opinion, under the progress
(会办意见 1/2), and the timeline names each unit.
"""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, SIZE, TODAY, at
from test_case_states import open_at

from store import actions, clock
from store.models import Session
from tui.app import DubanApp


def on(days_ago: int, hour: int = 10):
    """Record as if `days_ago` days before TODAY, at `hour` in the office."""
    return clock.frozen_now(at(TODAY - dt.timedelta(days=days_ago), hour))


def day(days_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_ago)


def co_unit_case() -> int:
    """交办 40 days ago with 市公安局 and 市交通运输局; one opinion in, the other chased twice."""
    session = Session.get().id
    with on(40, 9):
        case_id = actions.create_case(OPERATOR, session=session, number="20260104",
                                      title="关于完善智慧交通数据共享的建议", role="主办", assigned_on=day(40),
                                      lead_unit="市政务服务数据管理局", co_units=["市公安局", "市交通运输局"]).case_id
    with on(38):
        actions.sign_for(case_id, OPERATOR, on=day(38))
    with on(6, 11):
        actions.urge_unit(case_id, OPERATOR, unit="市交通运输局", note="请尽快报送会办意见")
    with on(3, 15):
        actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", on=day(3),
                                    summary="同意开放路况数据接口，建议分批对接，并按数据安全要求做好脱敏处理。")
    with on(1, 9):
        actions.urge_unit(case_id, OPERATOR, unit="市交通运输局", note="第二次催办")
    return case_id


def test_case_with_two_co_units(desk, snap_compare):
    case_id = co_unit_case()
    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_at(case_id))
