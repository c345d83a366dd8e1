"""The desk tests' small ledger, built through the store's actions with fixed instants."""

from __future__ import annotations

import datetime as dt

import pendulum

from store.models import Event
from tui.screens.ledger import LedgerScreen
from tui.widgets.ledger_table import LedgerTable
from store import actions, clock
from store.db import close_database, open_database

TODAY = dt.date(2026, 11, 27)
SIZE = (160, 48)
OPERATOR = "测试员"


def at(day: dt.date, hour: int = 10) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, hour, 0, tz=clock.OFFICE_TZ)


def build_desk_ledger() -> dict[str, int]:
    """Three cases in one session: one overdue, one due soon, one not yet signed for."""
    ids: dict[str, int] = {}
    with clock.frozen_now(at(TODAY - dt.timedelta(days=100), 9)):
        session = actions.ensure_session("市七届人大五次会议", body="人大", year=2026, assigned_on=TODAY - dt.timedelta(days=100))
        data = actions.ensure_division("数据资源处")
        service = actions.ensure_division("政务服务处")
        owner = actions.ensure_person("周敏", division=data, title="经办人")
        owner2 = actions.ensure_person("吴刚", division=service, title="经办人")
        wang = actions.ensure_proposer("王建国", group="福田代表团", phone="13812345678")
        li = actions.ensure_proposer("李秀英", group="南山代表团", phone="13987654321")
    specs = [
        ("overdue", "20260101", "关于推进公共数据开放共享的建议", wang, data, owner, 100),
        ("soon", "20260102", "关于优化一网通办服务体验的建议", li, service, owner2, 88),
        ("unsigned", "20260103", "关于加强政务信息安全保护的建议", wang, None, None, 5),
    ]
    for key, number, title, proposer, division, person, age in specs:
        assigned = TODAY - dt.timedelta(days=age)
        with clock.frozen_now(at(assigned, 9)):
            made = actions.create_case(OPERATOR, session=session, number=number, title=title, role="主办",
                                       assigned_on=assigned, lead_proposer=proposer, cosigners=["陈红", "刘洋"],
                                       lead_unit="市政务服务数据管理局")
        ids[key] = made.case_id
        if division is None:
            continue
        with clock.frozen_now(at(assigned + dt.timedelta(days=2), 10)):
            actions.sign_for(made.case_id, OPERATOR, on=assigned + dt.timedelta(days=2))
            actions.assign(made.case_id, OPERATOR, division=division, owner=person)
        with clock.frozen_now(at(assigned + dt.timedelta(days=20), 15)):
            actions.log_follow_up(made.case_id, OPERATOR, kind="沟通", method="电话", stage="办前",
                                  note="电话联系代表，了解建议意图。", on=assigned + dt.timedelta(days=20))
    return ids


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    """Pause until `condition()` holds (the desk loads and saves off the UI thread)."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
        waited += 0.05


async def ready(pilot) -> LedgerTable:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded
                   and len(app.screen.query_one(LedgerTable).rows) == 3)
    return app.screen.query_one(LedgerTable)


def events(case_id: int, kind: str | None = None) -> list[Event]:
    query = Event.select().where(Event.case == case_id)
    if kind:
        query = query.where(Event.kind == kind)
    return list(query.order_by(Event.id))


def move_to_case(table: LedgerTable, case_id: int) -> None:
    table.move_to(next(i for i, row in enumerate(table.rows) if row.case_id == case_id))
