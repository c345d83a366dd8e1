"""Statistics (`s`): the sz2023 year's figures on screen, the 同比 and the whole summary (四部分);
`c` copies and `ctrl+s` saves the summary."""

from __future__ import annotations

import datetime as dt

import pytest

from desk_helpers import OPERATOR, SIZE, wait_for

import fixtures
from store import clock
from store.db import close_database, open_database
from store.io.summary_full import full_summary, full_summary_text
from store.queries import session_statistics, sessions
from tui.app import DubanApp
from tui.screens.ledger import LedgerScreen
from tui.screens.statistics import StatisticsScreen, load_chart
from tui.widgets.ledger_table import LedgerTable

SZ_TODAY = dt.date(2023, 9, 19)
SZ_SESSION = "市七届人大四次会议"


@pytest.fixture
def sz2023(tmp_path):
    """A ledger holding the bureau's 2023 year (20 suggestions), today fixed in September 2023."""
    path = tmp_path / "sz2023.db"
    open_database(path)
    clock.fix_today(SZ_TODAY)
    fixtures.seed("sz2023")
    yield path
    clock.fix_today(None)
    close_database()


async def sz_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.ledger.loaded
                   and len(app.screen.query_one(LedgerTable).rows) == 20)


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_statistics_show_the_sz2023_figures_and_copy_and_save_the_summary(sz2023, tmp_path, monkeypatch):
    folder = tmp_path / "文档" / "督办台"
    monkeypatch.setattr("tui.screens.statistics.notice_folder", lambda: folder)
    expected = full_summary_text(sessions()[0].id, today=SZ_TODAY)
    letter = full_summary(sessions()[0].id, today=SZ_TODAY)
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await sz_ready(pilot)
        await pilot.press("right_square_bracket")  # the ledger's session: 市七届人大四次会议
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatisticsScreen) and pilot.app.screen.view)
        screen = pilot.app.screen
        assert screen.view.stats.session == SZ_SESSION
        figures = shown(screen, "#stats-figures")
        assert "接收　20件" in figures
        assert "主办 3　承办 2　分办 3　汇办 12" in figures
        assert "按时签收率　100%" in figures and "按时答复率　100%" in figures
        assert "需评价8件，已收到7件；最近一次评价：满意 7　基本满意 0　不满意 0" in figures
        assert "面商率　62.5%（面对面沟通5件 / 本局答复的主办、承办、分办8件）" in figures  # not 5/20
        assert "评价未返回（待评价）　1件" in figures and "逾期未办结" not in figures
        assert "截至2023年9月19日" in shown(screen, "#stats-title")
        assert "A类 4（50%）　B类 3（37.5%）　C类 1（12.5%）　D类 0（0%）" in figures
        chart = shown(screen, "#stats-chart")
        # its one open case waits for the proposer's evaluation: 待评价, not the division's 逾期
        assert "数据资源处" in chart and "█" not in chart and "在办   1　逾期   0" in chart
        summary = shown(screen, "#stats-summary")
        for piece in letter.paragraphs:  # every part of the store's letter, in order, nothing else
            assert piece in summary
            summary = summary[summary.index(piece) + len(piece):]
        summary = shown(screen, "#stats-summary")
        assert "均评价为满意" in summary and "二、主要做法" in summary and "沟通联系27次中电话21次" in summary
        assert "※ 典型案例：尚未标记典型案例" in summary
        assert screen.current_letter() == letter
        assert shown(screen, "#stats-compare") == "没有同一机关的上一届次，无法同比。"

        await pilot.press("c")
        assert pilot.app.clipboard == expected

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: folder.exists() and any(folder.iterdir()))
        saved = next(folder.iterdir())
        assert saved.name == f"2023年人大代表建议办理工作总结-{SZ_SESSION}-20230919.txt"
        assert saved.read_text(encoding="utf-8-sig").replace("\r\n", "\n") == expected

        # [ ] reach 全部届次 too; esc goes back to the ledger.
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.view.stats.session == "全部届次")
        assert "接收　20件" in shown(screen, "#stats-figures")
        assert "全部届次不作同比" in shown(screen, "#stats-compare")
        assert "一、基本情况" in shown(screen, "#stats-summary") and "二、主要做法" not in shown(screen, "#stats-summary")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))


def test_load_chart_draws_overdue_apart_and_always_names_the_numbers():
    from store.queries import DivisionLoad

    lines = load_chart([DivisionLoad(1, "甲处", 10, 0, 5, 0, 0), DivisionLoad(2, "乙处", 1, 0, 0, 0, 0),
                        DivisionLoad(None, "", 0, 0, 0, 0, 0)], width=20)
    assert lines[0].count("█") == 10 and lines[0].count("░") == 10 and "在办  10　逾期   5" in lines[0]
    assert lines[1].count("░") == 2 and "█" not in lines[1]
    assert lines[2].startswith("未分派") and "█" not in lines[2] and "░" not in lines[2]


def test_a_cppcc_sessions_figures_speak_its_words(ledger, today):
    """政协: the role line says 会办 and the reply rate counts 会办意见 (never 汇办)."""
    from store import actions
    from tui.screens.statistics import figure_lines

    session = actions.ensure_session("市政协七届四次会议", body="政协", year=2023)
    actions.create_case(OPERATOR, session=session, number="0101", title="关于数据开放的提案", role="会办",
                        assigned_on=dt.date(2023, 6, 1), lead_unit="市发展改革委")
    lines = "\n".join(figure_lines(session_statistics(session.id)))
    assert "会办 1" in lines and "含会办意见" in lines and "汇办" not in lines


async def test_statistics_compare_with_the_previous_session_of_the_body(sz2023):
    """同比: an earlier 人大 session is set beside sz2023's; an earlier 政协 one is not."""
    from store import actions
    from store.db import database

    earlier = actions.ensure_session("市七届人大三次会议", body="人大", year=2022)
    actions.ensure_session("市七届政协四次会议", body="政协", year=2022)
    actions.create_case(OPERATOR, session=earlier, number="20220001", title="去年的建议", role="主办",
                        assigned_on=dt.date(2022, 3, 1), lead_unit="市政务服务数据管理局")
    counts = [database.obj.execute_sql('SELECT COUNT(*) FROM "case" WHERE session_id = ?', (sid,)).fetchone()[0]
              for sid in (next(s.id for s in sessions() if s.name == SZ_SESSION), earlier.id)]
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen) and pilot.app.ledger.loaded)
        pilot.app.push_screen(StatisticsScreen(SZ_SESSION))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatisticsScreen) and pilot.app.screen.view)
        table = shown(pilot.app.screen, "#stats-compare").splitlines()
        assert "2023年 市七届人大四次会议" in table[0] and "2022年 市七届人大三次会议" in table[0]
        assert "政协" not in "\n".join(table)
        received = next(line for line in table if line.startswith("接收"))
        assert f"{counts[0]}件" in received and f"{counts[1]}件" in received
        assert received.endswith(f"+{counts[0] - counts[1]}件")
