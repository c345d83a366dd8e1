"""Pilot tests: the rules of the road on the case screen, and two workstations on one case.

A step out of order is refused with a sentence saying why and what comes first, and
nothing is written; a wrong field is marked and the dialog keeps what was typed; a case
changed at another workstation since the dialog opened is not overwritten.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from case_helpers import open_case, step
from desk_helpers import OPERATOR, SIZE, TODAY, events, wait_for

from store import actions
from store.models import Case, Division, Person
from tui.app import DubanApp
from tui.dialogs.reply import ReplyDialog
from tui.screens.case import CaseScreen



def error_text(dialog) -> str:
    return str(dialog.query_one("#dialog-error").render())


def said(pilot, words: str) -> bool:
    return any(words in str(n.message) for n in pilot.app._notifications)


@pytest.mark.parametrize(
    ("case_key", "key", "words"),
    [
        ("unsigned", "r", "尚未签收，请先签收再答复"),  # 答复 before 签收
        ("unsigned", "p", "尚未签收，请先签收再分派"),  # 分派 before 签收
        ("soon", "v", "尚未答复，请先答复再登记评价"),  # 评价 before 答复
        ("soon", "k", "尚未答复，不能办结"),  # 办结 before 答复
        ("soon", "g", "答复后才能决定是否公开"),  # 公开 before 答复
        ("soon", "h", "由本局答复代表，不报送汇办意见"),  # 汇办意见 on a 主办 case
        ("soon", "s", "无需再次签收"),  # 签收 twice
    ],
)
async def test_a_step_out_of_order_is_refused_with_its_reason_and_writes_nothing(desk, case_key, key, words):
    path, ids = desk
    case_id = ids[case_key]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        before = [(e.id, e.kind) for e in events(case_id)]
        version = Case.get_by_id(case_id).version
        await pilot.press(key)
        await wait_for(pilot, lambda: said(pilot, words))
        assert pilot.app.screen is screen  # no dialog to fill in for nothing
        assert [(e.id, e.kind) for e in events(case_id)] == before
        assert Case.get_by_id(case_id).version == version


async def reply_dialog(pilot, case_id: int) -> ReplyDialog:
    await open_case(pilot, case_id)
    return await step(pilot, "r", ReplyDialog)


async def test_a_reply_needs_a_document_number_and_a_class(desk):
    path, ids = desk
    case_id = ids["soon"]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await reply_dialog(pilot, case_id)
        before = len(events(case_id))
        dialog.query_one("#summary").text = "已经解决。"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert pilot.app.screen is dialog
        assert dialog.query_one("#doc_no").has_class("-invalid")
        assert "答复文号" in error_text(dialog)
        dialog.query_one("#doc_no").value = "深政数函〔2026〕7号"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert pilot.app.screen is dialog
        assert dialog.query_one("#result_class").has_class("-invalid")
        assert not dialog.query_one("#doc_no").has_class("-invalid")
        assert "答复类别" in error_text(dialog)
        assert dialog.query_one("#summary").text == "已经解决。"  # what was typed is kept
        assert len(events(case_id)) == before and Case.get_by_id(case_id).replied_on is None


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        ("before", "早于交办日期"),
        ("future", "晚于今天"),
        ("not a date", "无法识别"),
    ],
)
async def test_a_date_before_assignment_or_in_the_future_is_refused_on_its_field(desk, offset, words):
    path, ids = desk
    case_id = ids["soon"]
    assigned = Case.get_by_id(case_id).assigned_on
    typed = {"before": f"{assigned - dt.timedelta(days=1):%Y-%m-%d}", "future": f"{TODAY + dt.timedelta(days=1):%Y-%m-%d}",
             "not a date": "明天"}[offset]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await reply_dialog(pilot, case_id)
        before = len(events(case_id))
        dialog.query_one("#doc_no").value = "深政数函〔2026〕7号"
        dialog.query_one("#result_class").value = "A"
        dialog.query_one("#on").value = typed
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert pilot.app.screen is dialog
        assert dialog.query_one("#on").has_class("-invalid")
        assert words in error_text(dialog)
        assert dialog.query_one("#doc_no").value == "深政数函〔2026〕7号"
        assert len(events(case_id)) == before


async def test_the_stores_refusal_is_shown_on_the_field_it_names(desk):
    """A rule the screen leaves to the store: a reply dated before the case was signed for."""
    path, ids = desk
    case_id = ids["soon"]
    row = Case.get_by_id(case_id)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        dialog = await reply_dialog(pilot, case_id)
        before = len(events(case_id))
        dialog.query_one("#doc_no").value = "深政数函〔2026〕7号"
        dialog.query_one("#result_class").value = "A"
        dialog.query_one("#on").value = f"{row.signed_on - dt.timedelta(days=1):%Y-%m-%d}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "早于签收日期" in error_text(dialog))
        assert pilot.app.screen is dialog
        assert dialog.query_one("#on").has_class("-invalid")
        assert len(events(case_id)) == before


@pytest.mark.parametrize("desk", ["sqlite", "pg"], indirect=True)
async def test_the_second_workstation_is_told_what_changed_and_nothing_is_overwritten(desk):
    path, ids = desk
    case_id = ids["soon"]
    data = Division.get(Division.name == "数据资源处")
    zhou = Person.get(Person.name == "周敏")
    original_division = Case.get_by_id(case_id).division_id
    async with DubanApp(operator=OPERATOR, refresh_seconds=60).run_test(size=SIZE) as pilot:
        dialog = await reply_dialog(pilot, case_id)
        dialog.query_one("#doc_no").value = "深政数函〔2026〕9号"
        dialog.query_one("#result_class").value = "A"
        dialog.query_one("#summary").text = "已经解决。"

        def other_workstation() -> None:
            # Its own connection, its own operator: re-assigns the case meanwhile.
            actions.assign(case_id, "另一工作站", division=data, owner=zhou)

        await asyncio.to_thread(other_workstation)
        before = [e.id for e in events(case_id)]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "已在别处被修改" in error_text(dialog))
        message = error_text(dialog)
        assert "另一工作站" in message and "分派" in message and "未作任何修改" in message
        assert pilot.app.screen is dialog
        assert [e.id for e in events(case_id)] == before
        row = Case.get_by_id(case_id)
        assert row.replied_on is None and (row.division_id, row.owner_id) == (data.id, zhou.id)
        assert original_division != data.id
        # The user's fields are all still there …
        assert (dialog.query_one("#doc_no").value, dialog.query_one("#result_class").value,
                dialog.query_one("#summary").text) == ("深政数函〔2026〕9号", "A", "已经解决。")
        # … and having read what changed, a second ctrl+s saves knowingly, over the new version.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen))
        row = Case.get_by_id(case_id)
        assert (row.reply_doc_no, row.division_id) == ("深政数函〔2026〕9号", data.id)
        assert [e.kind for e in events(case_id)][-2:] == ["分派", "答复"]
