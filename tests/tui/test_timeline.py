"""Pilot tests: the timeline as the audit trail — who and when on every entry, filters by
kind (`l`) and by operator (`o`), the filter said in words, `L` to see everything again."""

from __future__ import annotations

import datetime as dt

from case_helpers import open_case
from desk_helpers import OPERATOR, SIZE, TODAY, at, wait_for

from store import actions, clock
from tui.app import DubanApp


def timeline(screen) -> str:
    return str(screen.query_one("#timeline").render())


def filter_line(screen) -> str:
    return str(screen.query_one("#timeline-filter").render())


async def test_every_entry_names_who_and_when_and_filters_narrow_by_kind_and_operator(desk):
    path, ids = desk
    case_id = ids["overdue"]
    with clock.frozen_now(at(TODAY - dt.timedelta(days=3), 16)):
        actions.log_follow_up(case_id, "李四", kind="查办", note="查看进度", on=TODAY - dt.timedelta(days=3))
        actions.log_follow_up(case_id, "李四", kind="沟通", method="上门拜访", stage="办中", note="上门听取意见",
                              participants="王建国", on=TODAY - dt.timedelta(days=3))
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        everything = timeline(screen)
        # Who and when, on every entry (the office's local time).
        assert f"{TODAY - dt.timedelta(days=3):%Y-%m-%d} 16:00　李四　沟通" in everything
        assert "办中·上门拜访" in everything and "参加人员 王建国" in everything
        assert f"{TODAY - dt.timedelta(days=100):%Y-%m-%d} 09:00　{OPERATOR}　交办" in everything
        assert "类型：全部" in filter_line(screen) and "操作人：全部" in filter_line(screen)
        assert "共 6 条" in filter_line(screen)

        # l: one kind at a time, in the order of a case's life (交办, 签收, 分派, 沟通, 查办), then all.
        await pilot.press("l")
        assert "类型：交办" in filter_line(screen) and "显示 1/6 条" in filter_line(screen)
        await pilot.press("l", "l", "l")
        assert "类型：沟通" in filter_line(screen) and "显示 2/6 条" in filter_line(screen)
        shown = timeline(screen)
        assert "上门听取意见" in shown and "电话联系代表" in shown and "签收" not in shown and "查看进度" not in shown

        # o: one operator at a time, on top of the kind.
        await pilot.press("o")
        assert "操作人：李四" in filter_line(screen) and "显示 1/6 条" in filter_line(screen)
        assert "上门听取意见" in timeline(screen) and "电话联系代表" not in timeline(screen)

        # L: everything again; the filter survives a reload of the card meanwhile.
        await pilot.press("L")
        assert "类型：全部" in filter_line(screen) and "操作人：全部" in filter_line(screen)
        await pilot.press("o", "o")  # 李四, then 测试员
        assert "操作人：测试员" in filter_line(screen)
        version = screen.card.version
        await pilot.app.check_for_changes()
        actions.log_follow_up(case_id, "李四", kind="备注", note="新的备注")
        await pilot.app.check_for_changes()
        await wait_for(pilot, lambda: screen.card.version > version)
        assert "操作人：测试员" in filter_line(screen) and "新的备注" not in timeline(screen)
        await pilot.press("o")  # back to everyone
        assert "新的备注" in timeline(screen)


async def test_a_filter_that_matches_nothing_says_so(desk):
    path, ids = desk
    actions.log_follow_up(ids["unsigned"], "李四", kind="查办", note="查看签收情况")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, ids["unsigned"])
        assert "共 2 条" in filter_line(screen)
        await pilot.press("l", "o")  # 交办, by 李四: none
        assert "类型：交办" in filter_line(screen) and "操作人：李四" in filter_line(screen)
        assert "显示 0/2 条" in filter_line(screen)
        assert "没有符合筛选的记录" in timeline(screen)
        await pilot.press("L")
        assert "查看签收情况" in timeline(screen)
