"""Snapshot: the office screen (处室与人员) with a few divisions and people, one retired."""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, wait_for

from store import clock, office
from tui.app import DubanApp
from tui.screens.office import OfficeScreen

SIZE = (160, 48)


def build_office() -> None:
    general = office.add_division(OPERATOR, "综合处").id
    data = office.add_division(OPERATOR, "数据资源处").id
    service = office.add_division(OPERATOR, "政务服务处").id
    office.add_division(OPERATOR, "信息安全处")
    office.add_person(OPERATOR, "张立", division_id=general, title="处长", phone="0755-88123456")
    office.add_person(OPERATOR, "李秀", division_id=general, title="经办人", post="建议提案办理岗", phone="13812345678")
    office.add_person(OPERATOR, "周敏", division_id=data, title="经办人", post="数据共享岗", phone="13987654321")
    gone = office.add_person(OPERATOR, "吴刚", division_id=service, title="经办人").id
    office.retire_person(OPERATOR, gone, note="调离")
    leader = office.add_person(OPERATOR, "陈局", division_id=None, title="分管局领导").id
    office.set_supervision(OPERATOR, leader, [general, data])
    office.add_person(OPERATOR, "王局", division_id=None, title="局长")


def test_office_screen(ledger, snap_compare):
    clock.fix_today(dt.date(2026, 11, 27))
    try:
        build_office()

        async def open_office(pilot) -> None:
            await wait_for(pilot, lambda: pilot.app.ledger.loaded)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, OfficeScreen) and pilot.app.screen.org)
            await pilot.pause(0.2)

        assert snap_compare(DubanApp(operator=OPERATOR), terminal_size=SIZE, run_before=open_office)
    finally:
        clock.fix_today(None)
