"""Snapshots: the case screen in three states of a case's life, at a fixed size and date.

Awaiting sign-for (the footer offers 签收), in 重新办理 after 不满意 with an urge (the
re-handling deadline and the urge on the timeline), and closed.
"""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, SIZE, TODAY, at, wait_for

from store import actions, clock
from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen


def on(days_ago: int, hour: int = 10):
    """Record as if `days_ago` days before TODAY, at `hour` in the office."""
    return clock.frozen_now(at(TODAY - dt.timedelta(days=days_ago), hour))


def day(days_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_ago)


def rehandling(case_id: int) -> None:
    """Replied, found 不满意, re-handling under way, and the division urged."""
    with on(40):
        actions.reply(case_id, OPERATOR, on=day(40), doc_no="深政数函〔2026〕31号", result_class="C",
                      summary="受条件限制，暂时不能解决。", signed_by="张局长")
    with on(12, 15):
        actions.record_evaluation(case_id, "李四", evaluation="不满意", on=day(12), note="代表认为答复过于笼统。")
    with on(2, 9):
        actions.urge_division(case_id, OPERATOR, note="请抓紧重新办理。")


def closed(case_id: int) -> None:
    """Replied A, 满意, disclosed, closed."""
    with on(30):
        actions.reply(case_id, OPERATOR, on=day(30), doc_no="深政数函〔2026〕25号", result_class="A",
                      summary="已开放数据目录。", signed_by="张局长")
    with on(15, 11):
        actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=day(15))
    with on(14, 11):
        actions.record_disclosure(case_id, OPERATOR, decision="公开", on=day(14))
    with on(10, 16):
        actions.close(case_id, OPERATOR, on=day(10), note="按时办结。")


def open_at(case_id: int):
    async def run_before(pilot) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded)
        app.open_case(case_id)
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        await pilot.pause(0.3)

    return run_before


def test_case_awaiting_sign_for(desk, snap_compare):
    path, ids = desk
    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_at(ids["unsigned"]))


def test_case_rehandling_with_an_urge(desk, snap_compare):
    path, ids = desk
    rehandling(ids["soon"])
    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_at(ids["soon"]))


def test_case_closed(desk, snap_compare):
    path, ids = desk
    closed(ids["overdue"])
    assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_at(ids["overdue"]))
