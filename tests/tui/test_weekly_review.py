"""Pilot tests: the weekly review (w) — stepping, marking checked, resuming after a restart."""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, TODAY, events, ready, wait_for

from store.weekly import week_of
from tui.app import DubanApp
from tui.screens.ledger import LedgerScreen
from tui.screens.weekly import WeeklyReviewScreen

WEEK = week_of(TODAY)


async def open_review(pilot) -> WeeklyReviewScreen:
    await ready(pilot)
    await pilot.press("w")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WeeklyReviewScreen)
                   and pilot.app.screen.review is not None and pilot.app.screen.card is not None
                   and pilot.app.screen.current_item is not None)
    return pilot.app.screen


def weekly_checks(case_id: int) -> list:
    return [e for e in events(case_id, "查办") if (e.data or {}).get("weekly_review") == WEEK]


async def test_w_steps_through_the_week_marks_checked_and_resumes_after_a_restart(desk):
    path, ids = desk
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        review = screen.review
        assert review.week == WEEK and review.total == 3
        assert review.case_ids[0] == ids["overdue"] and screen.current_item.case_id == ids["overdue"]
        assert "答复已逾期" in screen.current_item.reasons[0]
        assert review.items == ()  # the screen reads the list as ids, each case's reasons when it is current
        assert screen.progress_text == "0/3 已检查" and screen.index == 0
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.index == 1 and screen.card and screen.card.id == review.case_ids[1]
                       and screen.current_item is not None and screen.current_item.case_id == review.case_ids[1])
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.index == 0 and screen.card and screen.card.id == ids["overdue"])
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.progress_text == "1/3 已检查" and screen.index == 1)
        assert len(weekly_checks(ids["overdue"])) == 1
        title = screen.query_one("#weekly-title")
        assert "1/3 已检查" in str(title.render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LedgerScreen))
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert screen.progress_text == "1/3 已检查"
        assert screen.index == 1 and screen.current_case_id == screen.review.case_ids[1]
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.progress_text == "2/3 已检查" and screen.index == 2)
        assert len(weekly_checks(screen.review.case_ids[1])) == 1


async def test_r_saves_the_weekly_report(desk, tmp_path, monkeypatch):
    import tui.screens.notice as notice_screen

    monkeypatch.setattr(notice_screen, "notice_folder", lambda: tmp_path / "reports")
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: (tmp_path / "reports" / f"督办周报-{WEEK}.xlsx").exists())
        assert (tmp_path / "reports" / f"督办周报-{WEEK}.md").read_text(encoding="utf-8").startswith("# 督办周报")


def standing_checks() -> set[int]:
    """The week's checks not undone, counted in plain SQL."""
    from store.models import Event

    rows = Event._meta.database.execute_sql(
        "SELECT e.case_id, e.data FROM event e WHERE e.kind = '查办' AND NOT EXISTS "
        "(SELECT 1 FROM event u WHERE u.undoes_id = e.id)").fetchall()
    return {case_id for case_id, data in rows if f'"weekly_review": "{WEEK}"' in str(data)}


async def test_changes_from_elsewhere_show_and_the_desks_own_check_reads_the_list_once(desk, monkeypatch):
    """Another workstation's check and undo move the progress, a change to the current case shows
    on its card; the desk's own `space` reads the week's list no second time."""
    import store.weekly as weekly
    from store import actions

    path, ids = desk
    opened = []
    original = weekly.open_review
    monkeypatch.setattr(weekly, "open_review", lambda *a, **k: opened.append(a) or original(*a, **k))
    async with DubanApp(operator=OPERATOR).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        review = screen.review
        assert len(opened) == 1 and screen.current_case_id == ids["overdue"]
        other = review.case_ids[2]
        marked = actions.mark_reviewed(other, "李四", week=WEEK)  # another workstation checks the third
        await pilot.app.check_for_changes()
        await wait_for(pilot, lambda: screen.progress_text == "1/3 已检查")
        assert standing_checks() == {other} and screen.index == 0
        version = screen.card.version
        actions.log_follow_up(ids["overdue"], "李四", kind="备注", note="处室称下周答复")
        await pilot.app.check_for_changes()
        await wait_for(pilot, lambda: screen.card.version > version)
        assert "处室称下周答复" in str(screen.query_one("#weekly-events").render())
        assert screen.current_item.case_id == ids["overdue"] and "答复已逾期" in screen.current_item.reasons[0]
        await pilot.press("space")  # the desk's own check: the next unchecked, shown as read with the check
        await wait_for(pilot, lambda: screen.progress_text == "2/3 已检查" and screen.index == 1
                       and screen.card is not None and screen.card.id == review.case_ids[1])
        await pilot.pause(0.3)
        assert standing_checks() == {other, ids["overdue"]} and len(opened) == 1
        actions.undo(marked.event_id, "李四", reason="检查有误")
        await pilot.app.check_for_changes()
        await wait_for(pilot, lambda: screen.progress_text == "1/3 已检查")
        assert standing_checks() == {ids["overdue"]} and screen.index == 1 and len(opened) == 1
        title = str(screen.query_one("#weekly-title").render())
        assert "1/3 已检查" in title
