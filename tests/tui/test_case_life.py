"""Pilot tests: a case's whole life from the case screen, one key and one dialog a step.

A 主办 case goes 交办 → 签收 → 分派 → 沟通 → 答复 → 不满意 (重新办理) → 重新答复 → 满意 → 公开 →
回头看 → 办结; a 汇办 case goes 签收 → 分派 → 汇办意见 → 办结. Each step's effect is checked in
the database, not only on the screen.
"""

from __future__ import annotations

import datetime as dt

from case_helpers import case, open_case, save, step
from desk_helpers import OPERATOR, SIZE, TODAY, events, wait_for

from store import actions
from store.models import Case, Division, Person
from store.rules import add_months
from tui.app import DubanApp
from tui.dialogs.adjustment import AdjustmentDialog
from tui.dialogs.adjustment_result import AdjustmentResultDialog
from tui.dialogs.assign import AssignDialog
from tui.dialogs.close import CloseDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.contact import ContactDialog
from tui.dialogs.disclosure import DisclosureDialog
from tui.dialogs.evaluation import EvaluationDialog
from tui.dialogs.extend import ExtendDialog
from tui.dialogs.opinion import OpinionDialog
from tui.dialogs.reply import ReplyDialog
from tui.dialogs.review import ReviewDialog
from tui.dialogs.sign_for import SignForDialog
from tui.screens.case import CaseScreen


async def test_a_lead_case_from_assignment_to_closing_through_dissatisfaction(desk):
    path, ids = desk
    case_id = ids["unsigned"]
    data = Division.get(Division.name == "数据资源处")
    zhou = Person.get(Person.name == "周敏")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)

        # 签收: today's date is filled in.
        dialog = await step(pilot, "s", SignForDialog)
        assert dialog.query_one("#on").value == f"{TODAY:%Y-%m-%d}"
        await save(pilot, screen, "签收")
        assert (case(case_id).status, case(case_id).signed_on) == ("办理中", TODAY)
        # The footer follows: 签收 is done (dimmed), 分派 is next.
        assert not screen.active_bindings["s"].enabled and screen.active_bindings["p"].enabled

        # 分派: division, owner (who brings their post), leader-led and the key flag.
        dialog = await step(pilot, "p", AssignDialog)
        dialog.query_one("#division").value = data.id
        dialog.query_one("#owner").value = zhou.id
        dialog.query_one("#leader_led").value = True
        dialog.query_one("#is_key").value = True
        dialog.query_one("#post").value = "建议提案办理岗"
        await save(pilot, screen, "分派")
        row = case(case_id)
        assert (row.division_id, row.owner_id, row.post, row.leader_led, row.is_key, row.is_hot) == (
            data.id, zhou.id, "建议提案办理岗", True, True, False)
        assert "数据资源处" in str(screen.query_one("#fields").render())
        assert "处室 数据资源处，责任人 周敏，岗位 建议提案办理岗，标记 局领导领办、重点" in str(
            screen.query_one("#timeline").render())

        # 沟通: method and stage preset (电话, 办前), participants and what was said.
        dialog = await step(pilot, "c", ContactDialog)
        assert (dialog.query_one("#method").value, dialog.query_one("#stage").value) == ("电话", "办前")
        dialog.query_one("#stage").value = "办中"
        dialog.query_one("#method").value = "座谈面商"
        dialog.query_one("#participants").value = "王建国、周敏"
        dialog.query_one("#note").text = "座谈听取代表意见。"
        await save(pilot, screen, "沟通")
        contact = events(case_id, "沟通")[-1]
        assert (contact.method, contact.stage, contact.note, contact.operator) == ("座谈面商", "办中", "座谈听取代表意见。",
                                                                                   OPERATOR)
        assert contact.data["participants"] == "王建国、周敏"

        # 答复: document number and class B (a promise: 回头看 is scheduled).
        dialog = await step(pilot, "r", ReplyDialog)
        dialog.query_one("#doc_no").value = "深政数函〔2026〕12号"
        dialog.query_one("#result_class").value = "B"
        dialog.query_one("#summary").text = "已列入明年计划。"
        dialog.query_one("#signed_by").value = "张局长"
        await save(pilot, screen, "答复")
        row = case(case_id)
        assert (row.status, row.replied_on, row.reply_doc_no, row.result_class) == ("已答复", TODAY,
                                                                                     "深政数函〔2026〕12号", "B")
        assert row.review_due is not None

        # 评价 不满意: re-handling starts, with its own deadline.
        dialog = await step(pilot, "v", EvaluationDialog)
        dialog.query_one("#evaluation").value = "不满意"
        await pilot.pause(0.1)
        assert "重新办理" in str(dialog.query_one("#rehandle-note").render())
        await save(pilot, screen, "评价")
        row = case(case_id)
        assert (row.status, row.evaluation, row.rehandle_started_on) == ("重新办理", "不满意", TODAY)
        assert "重办答复" in [m.label for m in screen.card.milestones]

        # 答复 again: the dialog knows it is the new reply.
        dialog = await step(pilot, "r", ReplyDialog)
        assert dialog.heading.startswith("重新答复")
        assert dialog.query_one("#signed_by").value == "张局长"  # who signed the reply being redone
        dialog.query_one("#doc_no").value = "深政数函〔2026〕20号"
        dialog.query_one("#result_class").value = "A"
        await save(pilot, screen, "答复")
        row = case(case_id)
        assert (row.status, row.rehandle_replied_on, row.reply_doc_no, row.result_class) == (
            "已答复", TODAY, "深政数函〔2026〕20号", "A")

        # 评价 满意.
        dialog = await step(pilot, "v", EvaluationDialog)
        dialog.query_one("#evaluation").value = "满意"
        await save(pilot, screen, "评价")
        assert case(case_id).evaluation == "满意"

        # 公开 (the default).
        dialog = await step(pilot, "g", DisclosureDialog)
        assert dialog.query_one("#decision").value == "公开"
        await save(pilot, screen, "公开")
        assert (case(case_id).disclosure, case(case_id).disclosed_on) == ("公开", TODAY)

        # 办结 is refused while the B promise's 回头看 is open; 回头看 with no next date finishes it.
        await pilot.press("k")
        await pilot.pause(0.2)
        assert pilot.app.screen is screen
        assert any("回头看" in str(n.message) for n in pilot.app._notifications)
        dialog = await step(pilot, "b", ReviewDialog)
        dialog.query_one("#findings").text = "已落实。"
        await save(pilot, screen, "回头看")
        assert case(case_id).review_due is None

        dialog = await step(pilot, "k", CloseDialog)
        await save(pilot, screen, "办结")
        row = case(case_id)
        assert (row.status, row.closed_on) == ("已办结", TODAY)
        assert [e.kind for e in events(case_id)] == ["交办", "签收", "分派", "沟通", "答复", "评价", "答复", "评价",
                                                     "公开", "回头看", "办结"]
        assert {e.operator for e in events(case_id)} == {OPERATOR}
        # The ledger row follows.
        await wait_for(pilot, lambda: next(r for r in pilot.app.ledger.snapshot.rows() if r.case_id == case_id).status
                       == "已办结")


async def test_a_contributing_case_to_its_opinion_sent_and_closed(desk):
    path, ids = desk
    session = Case.get_by_id(ids["overdue"]).session_id
    made = actions.create_case(OPERATOR, session=session, number="20260200", title="关于数据跨部门共享的建议",
                               role="汇办", assigned_on=TODAY - dt.timedelta(days=6), lead_unit="市发展改革委")
    case_id = made.case_id
    service = Division.get(Division.name == "政务服务处")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.ledger.loaded)  # four cases here: not `ready`
        pilot.app.open_case(case_id)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        screen = pilot.app.screen
        # The footer fits the role: 汇办意见, not 答复 or 评价.
        footer = {key: b.binding for key, b in screen.active_bindings.items()}
        assert footer["h"].action == "step('opinion')" and footer["h"].show
        assert footer["r"].action == "refused('reply')" and not footer["r"].show
        assert footer["v"].action == "refused('evaluate')"

        await step(pilot, "s", SignForDialog)
        await save(pilot, screen, "签收")
        dialog = await step(pilot, "p", AssignDialog)
        dialog.query_one("#division").value = service.id
        await save(pilot, screen, "分派")
        dialog = await step(pilot, "h", OpinionDialog)
        assert "市发展改革委" in str(dialog.query_one("#facts").render())
        await pilot.press(*"建议将电子证照纳入共享目录")
        await save(pilot, screen, "汇办意见")
        row = case(case_id)
        assert (row.status, row.opinion_sent_on) == ("已反馈", TODAY)
        assert events(case_id, "汇办意见")[-1].note == "建议将电子证照纳入共享目录"

        # 答复 does not fit a 汇办 case: pressed anyway, it says why.
        await pilot.press("r")
        await pilot.pause(0.2)
        assert pilot.app.screen is screen
        assert any("由主办单位答复" in str(n.message) for n in pilot.app._notifications)

        await step(pilot, "k", CloseDialog)
        await save(pilot, screen, "办结")
        assert case(case_id).status == "已办结"
        assert [e.kind for e in events(case_id)] == ["交办", "签收", "分派", "汇办意见", "办结"]


async def test_z_on_the_case_screen_undoes_a_step(desk):
    path, ids = desk
    case_id = ids["unsigned"]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        await step(pilot, "s", SignForDialog)
        await save(pilot, screen, "签收")
        assert case(case_id).status == "办理中"
        await step(pilot, "z", ConfirmDialog)
        assert "签收" in str(pilot.app.screen.query_one("#question").render())
        await save(pilot, screen, "撤销")
        row = case(case_id)
        assert (row.status, row.signed_on) == ("待签收", None)
        sign, undo = events(case_id)[-2:]
        assert (sign.kind, undo.kind, undo.undoes_id) == ("签收", "撤销", sign.id)
        # The undone step stays on the timeline, marked; the case can be signed for again.
        assert "（已撤销）" in str(screen.query_one("#timeline").render())
        await step(pilot, "s", SignForDialog)
        await save(pilot, screen, "签收")
        assert case(case_id).status == "办理中"


async def test_esc_closes_a_step_dialog_and_writes_nothing(desk):
    path, ids = desk
    case_id = ids["soon"]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        before = len(events(case_id))
        dialog = await step(pilot, "r", ReplyDialog)
        dialog.query_one("#doc_no").value = "深政数函〔2026〕1号"
        dialog.query_one("#result_class").value = "A"
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        assert len(events(case_id)) == before
        assert case(case_id).replied_on is None


async def test_a_case_not_ours_asks_for_adjustment_and_is_signed_for_when_refused(desk):
    path, ids = desk
    case_id = ids["unsigned"]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        dialog = await step(pilot, "t", AdjustmentDialog)
        await pilot.press("ctrl+s")  # the reason is required
        await pilot.pause(0.2)
        assert dialog.query_one("#reason").has_class("-invalid")
        dialog.query_one("#reason").text = "属市交通运输局职责。"
        await save(pilot, screen, "申请调整")
        assert case(case_id).status == "申请调整"
        dialog = await step(pilot, "a", AdjustmentResultDialog)
        assert "属市交通运输局职责" in str(dialog.query_one("#facts").render())
        dialog.query_one("#approved").value = False
        await save(pilot, screen, "申请调整")
        assert case(case_id).status == "待签收"
        await step(pilot, "s", SignForDialog)
        await save(pilot, screen, "签收")
        assert [e.kind for e in events(case_id)] == ["交办", "申请调整", "申请调整", "签收"]


async def test_an_extension_needs_a_reason_and_approval_and_stops_at_the_limit(desk):
    path, ids = desk
    case_id = ids["soon"]
    assigned = Case.get_by_id(case_id).assigned_on
    limit = add_months(assigned, 6)  # 2027-02-28: the month's end
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, case_id)
        dialog = await step(pilot, "e", ExtendDialog)
        assert dialog.query_one("#new_due").value == f"{limit:%Y-%m-%d}"  # the latest allowed, by default
        dialog.query_one("#reason").text = "涉及多部门协调。"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert dialog.query_one("#approval").has_class("-invalid")
        dialog.query_one("#approval").value = "经交办机关同意"
        dialog.query_one("#new_due").value = f"{limit + dt.timedelta(days=1):%Y-%m-%d}"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert dialog.query_one("#new_due").has_class("-invalid")
        assert "最迟" in str(dialog.query_one("#dialog-error").render())
        dialog.query_one("#new_due").value = f"{limit:%Y-%m-%d}"
        await save(pilot, screen, "延期")
        assert case(case_id).extended_due == limit
        assert events(case_id, "延期")[-1].data["approval"] == "经交办机关同意"
