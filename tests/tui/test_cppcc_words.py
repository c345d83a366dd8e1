"""Pilot: a 政协 case speaks 政协 words on the desk — its row's role is 会办, its screen says
会办意见 and 委员评价 (not 汇办意见 or 代表评价), and the 会办意见 dialog saves a 汇办意见 event
(the stored kind) whose timeline entry reads 会办意见."""

from __future__ import annotations

import datetime as dt

from case_helpers import open_case, save, step
from desk_helpers import OPERATOR, SIZE, TODAY, at, events, move_to_case, wait_for

from store import actions, clock
from store.db import database
from tui.app import DubanApp
from tui.dialogs.opinion import OpinionDialog
from tui.screens.case import field_lines
from tui.screens.ledger import LedgerScreen
from tui.widgets.ledger_table import LedgerTable, cell_texts

TITLE = "关于推进城市数字孪生底座的提案"


def cppcc_cases() -> dict[str, int]:
    """Two 政协 cases beside the desk's three 人大 ones: a 会办 case signed, and a 主办 case
    replied and evaluated 满意."""
    assigned = TODAY - dt.timedelta(days=40)
    with clock.frozen_now(at(assigned, 9)):
        session = actions.ensure_session("市政协七届五次会议", body="政协", year=2026)
        data = actions.ensure_division("数据资源处")
        ids = {}
        for key, number, role in (("contributing", "20260201", "会办"), ("lead", "20260202", "主办")):
            made = actions.create_case(OPERATOR, session=session, number=number, title=TITLE, role=role,
                                       assigned_on=assigned, lead_unit="市发展改革委")
            actions.sign_for(made.case_id, OPERATOR, on=assigned)
            actions.assign(made.case_id, OPERATOR, division=data)
            ids[key] = made.case_id
    replied = assigned + dt.timedelta(days=10)
    with clock.frozen_now(at(replied, 10)):
        actions.reply(ids["lead"], OPERATOR, on=replied, doc_no="深政数函〔2026〕12号", result_class="A")
        actions.record_evaluation(ids["lead"], OPERATOR, evaluation="满意", on=replied)
    return ids


async def open_cppcc_case(pilot, case_id: int):
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded
                   and any(row.case_id == case_id for row in app.screen.query_one(LedgerTable).rows))
    table = app.screen.query_one(LedgerTable)
    row = next(row for row in table.rows if row.case_id == case_id)
    move_to_case(table, case_id)
    await pilot.press("enter")
    from tui.screens.case import CaseScreen

    await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
    return row, app.screen


def screen_text(screen) -> str:
    return "\n".join(str(widget.render()) for widget in screen.query("Static"))


async def test_a_cppcc_case_screen_says_huiban_opinion_and_member_evaluation(desk):
    ids = cppcc_cases()
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        row, screen = await open_cppcc_case(pilot, ids["lead"])
        assert cell_texts(row)["role"] == "主办"
        labels = [label for label, _ in field_lines(screen.card)]
        assert "委员评价" in labels and "代表评价" not in labels and "会办单位" in labels
        shown = screen_text(screen)
        assert "委员评价" in shown and "满意" in shown and "代表评价" not in shown
        await pilot.press("escape")

        row, screen = await open_cppcc_case(pilot, ids["contributing"])
        assert database.obj.execute_sql('SELECT role FROM "case" WHERE id = ?',
                                        (ids["contributing"],)).fetchone()[0] == "汇办"
        assert cell_texts(row)["role"] == "会办"  # the ledger's role column
        assert cell_texts(row)["deadline"].startswith("会办意见 ")
        shown = screen_text(screen)
        assert "会办意见" in shown and "汇办意见" not in shown and "办理方式" in shown
        assert ("办理方式", "会办") in field_lines(screen.card)
        # the footer and `?` speak the body's words too: h reads 会办意见, v's tooltip 委员评价
        keys = {b.binding.key: b.binding for b in screen.active_bindings.values()}
        assert keys["h"].description == "会办意见" and "汇办" not in (keys["h"].tooltip or "")
        assert "委员评价" in (keys["v"].tooltip or "") and "代表评价" not in (keys["v"].tooltip or "")

        dialog = await step(pilot, "h", OpinionDialog)
        assert dialog.heading == "报送会办意见"
        assert "会办意见摘要" in screen_text(dialog) and "汇办" not in screen_text(dialog)
        dialog.query_one("#summary").text = "同意主办单位意见"
        await save(pilot, screen, "汇办意见")
        assert [e.kind for e in events(ids["contributing"], "汇办意见")] == ["汇办意见"]
        shown = screen_text(screen)
        assert f"{OPERATOR}　会办意见" in shown and "汇办意见" not in shown
