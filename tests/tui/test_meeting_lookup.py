"""Lookup in a meeting (`:`): a number, a proposer or a title word shows the case's card."""

from __future__ import annotations

import datetime as dt

from desk_helpers import OPERATOR, SIZE, TODAY, ready, wait_for

from store import actions, clock
from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.screens.lookup import LookupScreen
from tui.screens.meeting_card import MeetingCardScreen


def card_text(screen: MeetingCardScreen) -> str:
    return "\n".join(str(widget.render()) for widget in screen.query("Static"))


async def look_up(pilot, query: str) -> MeetingCardScreen:
    app = pilot.app
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(app.screen, LookupScreen))
    await pilot.press(*query)
    await wait_for(pilot, lambda: bool(app.screen.hits))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, MeetingCardScreen) and app.screen.card is not None)
    await pilot.pause(0.1)
    return app.screen


async def back_to_ledger(pilot) -> None:
    app = pilot.app
    while not isinstance(app.screen, LedgerScreen):
        await pilot.press("escape")
        await pilot.pause(0.05)


async def test_colon_finds_by_number_proposer_and_title_word_and_shows_the_card(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        card = await look_up(pilot, "20260101")
        assert card.case_id == ids["overdue"]
        text = card_text(card)
        assert "第20260101号" in text and "关于推进公共数据开放共享的建议" in text
        assert "承办处室 数据资源处" in text and "责任人 周敏" in text and "分管领导 —" in text
        assert "逾期" in text  # the reply is past due: the countdown says so in words
        contact_day = TODAY - dt.timedelta(days=80)
        assert f"{contact_day:%Y-%m-%d}　办前·电话　电话联系代表，了解建议意图。" in text
        assert "尚未答复" in text
        await back_to_ledger(pilot)

        card = await look_up(pilot, "李秀英")
        assert card.case_id == ids["soon"]
        assert "政务服务处" in card_text(card) and "吴刚" in card_text(card)
        await back_to_ledger(pilot)

        card = await look_up(pilot, "信息安全")
        assert card.case_id == ids["unsigned"]
        text = card_text(card)
        assert "承办处室 未分派" in text and "尚无沟通记录" in text and "签收" in text
        # enter opens the full case; esc comes back to the card, then to the lookup.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.card is not None)
        assert pilot.app.screen.card.id == ids["unsigned"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MeetingCardScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LookupScreen))


async def test_the_card_shows_the_reply_its_class_and_the_evaluation(desk):
    path, ids = desk
    case = ids["soon"]
    with clock.frozen_now(clock.now()):
        actions.reply(case, OPERATOR, on=TODAY - dt.timedelta(days=3), doc_no="深政数函〔2026〕12号", result_class="B",
                      summary="已列入明年计划。", signed_by="局长")
        actions.record_evaluation(case, OPERATOR, evaluation="满意", on=TODAY - dt.timedelta(days=1))
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        text = card_text(await look_up(pilot, "第20260102号"))
        assert f"{TODAY - dt.timedelta(days=3):%Y-%m-%d}　深政数函〔2026〕12号　B类：正在解决或已列入计划解决" in text
        assert f"满意（{TODAY - dt.timedelta(days=1):%Y-%m-%d}）" in text


async def test_lookup_says_when_nothing_matches_and_arrows_pick_a_hit(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("colon")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LookupScreen))
        screen = pilot.app.screen
        await pilot.press(*"没有这件")
        await pilot.pause(0.1)
        assert not screen.hits and "没有找到" in str(screen.query_one("#lookup-status").render())
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.press(*"关于")
        await wait_for(pilot, lambda: len(screen.hits) == 3)
        await pilot.press("down", "down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MeetingCardScreen))
        assert pilot.app.screen.case_id == screen.hits[2].case_id
