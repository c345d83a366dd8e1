"""The division board (处室督办情况): one line a division — open, due within 7 days, overdue,
stale, urges unanswered past their respond-by date — counted as the ledger counts them, in a
fixed number of queries, with the drill-down into one division's cases."""

from __future__ import annotations

import pytest
from playhouse.test_utils import count_queries

from store import actions
from store.models import Event
from store.queries import DivisionLoad, division_board, division_cases, ledger_rows
from store.snapshot import LedgerSnapshot

from store_helpers import OPERATOR, d, division, new_case, office_date, session

TODAY = d("2023-09-01")
DOC_NO = "深政数函〔2023〕84号"


def handled(number: str, division_name: str, *, assigned_on: str, followed_on: str | None = None,
            role: str = "主办", session_row=None) -> int:
    """A case assigned, signed for and given to a division on `assigned_on`, checked on `followed_on`."""
    office_date(assigned_on)
    case_id = new_case(number, assigned_on=d(assigned_on), role=role, session_row=session_row)
    actions.sign_for(case_id, OPERATOR, on=d(assigned_on))
    actions.assign(case_id, OPERATOR, division=division(division_name))
    if followed_on:
        office_date(followed_on)
        actions.log_follow_up(case_id, OPERATOR, kind="查办", on=d(followed_on))
    office_date(TODAY)
    return case_id


def urge_on(case_id: int, day: str):
    office_date(day)
    recorded = actions.urge_division(case_id, OPERATOR)
    office_date(TODAY)
    return recorded


def check_on(case_id: int, recorded_on: str, *, dated: str | None = None):
    office_date(recorded_on)
    recorded = actions.log_follow_up(case_id, OPERATOR, kind="查办", on=d(dated or recorded_on))
    office_date(TODAY)
    return recorded


def closed(number: str, division_name: str) -> int:
    case_id = handled(number, division_name, assigned_on="2023-06-01")
    actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")
    actions.close(case_id, OPERATOR, on=d("2023-08-25"))
    return case_id


@pytest.fixture
def bureau(ledger, today):
    """Three divisions and two unassigned cases on 2023-09-01 (see each line's comment)."""
    ids = {}
    # 数据资源处
    ids["0001"] = handled("0001", "数据资源处", assigned_on="2023-05-01")  # reply due 08-01: overdue
    urge_on(ids["0001"], "2023-08-25")  # respond by 08-30, never answered: unanswered, stale
    ids["0002"] = handled("0002", "数据资源处", assigned_on="2023-06-05", followed_on="2023-08-31")  # due 09-05
    urge_on(ids["0002"], "2023-08-31")  # respond by 09-05: not yet due
    ids["0003"] = handled("0003", "数据资源处", assigned_on="2023-06-08", followed_on="2023-08-30")  # due 09-08
    actions.undo(urge_on(ids["0003"], "2023-08-25").event_id, OPERATOR)  # an undone urge counts for nothing
    ids["0004"] = handled("0004", "数据资源处", assigned_on="2023-06-20", followed_on="2023-08-20")  # due 09-20
    urge_on(ids["0004"], "2023-08-25")
    actions.undo(check_on(ids["0004"], "2023-08-28").event_id, OPERATOR)  # the answer was undone: stale again
    ids["0005"] = closed("0005", "数据资源处")
    # 政策法规处
    ids["0101"] = handled("0101", "政策法规处", assigned_on="2023-05-02")  # due 08-02: overdue
    urge_on(ids["0101"], "2023-08-25")
    check_on(ids["0101"], "2023-08-31")  # answered
    ids["0102"] = handled("0102", "政策法规处", assigned_on="2023-05-03")  # due 08-03: overdue
    urge_on(ids["0102"], "2023-08-25")
    check_on(ids["0102"], "2023-08-31", dated="2023-08-24")  # a check dated before the urge answers nothing
    ids["0103"] = handled("0103", "政策法规处", assigned_on="2023-06-01", role="汇办")
    actions.record_opinion_sent(ids["0103"], OPERATOR, summary="意见", on=d("2023-06-20"))  # 已反馈: not open
    # 电子政务处: only a closed case
    ids["0301"] = closed("0301", "电子政务处")
    # 未分派
    office_date("2023-08-30")
    ids["0201"] = new_case("0201", assigned_on=d("2023-08-30"))  # sign due 09-09
    office_date("2023-08-20")
    ids["0202"] = new_case("0202", assigned_on=d("2023-08-20"))  # sign due 08-30: overdue and stale
    office_date(TODAY)
    return ids


def line(board, name) -> DivisionLoad:
    return next(item for item in board if item.division == name)


def test_one_line_a_division_most_overdue_first(bureau):
    board = division_board()
    assert [item.division for item in board] == ["政策法规处", "数据资源处", "未分派", "电子政务处"]


def test_a_divisions_line_counts_its_open_cases(bureau):
    resources = line(division_board(), "数据资源处")
    assert resources == DivisionLoad(
        division_id=division("数据资源处").id, division="数据资源处", open_cases=4, due_within_7=2, overdue=1,
        stale=2, unanswered_urges=2, to_urge=(bureau["0001"], bureau["0004"]),
    )


def test_an_answered_urge_and_an_answer_dated_before_the_urge(bureau):
    legal = line(division_board(), "政策法规处")
    assert (legal.open_cases, legal.due_within_7, legal.overdue, legal.stale, legal.unanswered_urges) == (2, 0, 2, 1, 1)
    assert legal.to_urge == (bureau["0101"], bureau["0102"])


def test_the_unassigned_line_has_nothing_to_urge(bureau):
    unassigned = line(division_board(), "未分派")
    assert unassigned == DivisionLoad(None, "未分派", 2, 0, 1, 1, 0, ())


def test_a_division_with_only_closed_cases_shows_zeros(bureau):
    assert line(division_board(), "电子政务处") == DivisionLoad(division("电子政务处").id, "电子政务处", 0, 0, 0, 0, 0, ())


def test_the_board_adds_up_to_the_ledgers_summary_bar(bureau):
    board = division_board()
    summary = LedgerSnapshot(ledger_rows(today=TODAY), TODAY).summary(ledger_rows(today=TODAY))
    assert sum(item.open_cases for item in board) == summary.open_cases
    assert sum(item.due_within_7 for item in board) == summary.due_within_7
    assert sum(item.overdue for item in board) == summary.overdue
    assert sum(item.stale for item in board) == summary.stale


def test_the_board_counts_from_the_day_it_is_given(bureau):
    resources = line(division_board(today=d("2023-09-06")), "数据资源处")
    # 0002 (due 09-05) is now overdue and its urge (respond by 09-05) unanswered
    assert (resources.overdue, resources.unanswered_urges) == (2, 3)


def test_urging_the_divisions_cases_from_the_board(bureau):
    to_urge = line(division_board(), "数据资源处").to_urge
    actions.urge_cases(to_urge, OPERATOR, division=division("数据资源处"))
    resources = line(division_board(), "数据资源处")
    # urged today with 3 working days to answer: no longer stale, nothing unanswered, still overdue
    assert (resources.overdue, resources.stale, resources.unanswered_urges) == (1, 0, 0)
    assert resources.to_urge == (bureau["0001"],)


def test_the_board_of_one_session(bureau):
    cppcc = session("市政协七届三次会议", body="政协")
    handled("0001", "信息安全处", assigned_on="2023-05-01", session_row=cppcc)
    assert [item.division for item in division_board(session_id=cppcc.id)] == ["信息安全处"]
    assert "信息安全处" not in [item.division for item in division_board(session_id=session().id)]
    assert len(division_board()) == 5


def test_an_empty_ledger_has_an_empty_board(ledger, today):
    assert division_board() == []


def test_the_board_takes_the_same_number_of_queries_for_few_and_many_cases(bureau):
    from store.queries.board import _division_board

    _division_board(TODAY, None)  # the calendar and the like are warm
    with count_queries() as few:
        _division_board(TODAY, None)
    office_date("2023-06-01")
    for i in range(40):
        case_id = new_case(f"9{i:03d}", assigned_on=d("2023-06-01"))
        actions.sign_for(case_id, OPERATOR, on=d("2023-06-01"))
        actions.assign(case_id, OPERATOR, division=division(f"第{i % 7}处"))
        actions.urge_division(case_id, OPERATOR)
    office_date(TODAY)
    with count_queries() as many:
        board = _division_board(TODAY, None)
    assert len(board) == 11 and Event.select().count() > 150
    assert few.count == many.count <= 5


def test_a_board_read_again_with_nothing_committed_is_remembered_and_a_write_is_seen(bureau, ledger):
    board = division_board()
    with count_queries() as again:
        assert division_board() == board
    from peewee import SqliteDatabase

    expected = 0 if isinstance(ledger, SqliteDatabase) else few_queries()
    assert again.count == expected  # SQLite: remembered until anything is committed
    resources = line(board, "数据资源处")
    actions.urge_division(resources.to_urge[0], OPERATOR)
    after = line(division_board(), "数据资源处")
    assert after != resources and after.to_urge == resources.to_urge  # the urge counted at once


def few_queries() -> int:
    from store.queries.board import _division_board

    with count_queries() as counted:
        _division_board(TODAY, None)
    return counted.count


# ------------------------------------------------------------------------ drill-down


def test_a_divisions_open_cases_most_urgent_first(bureau):
    rows = division_cases(division("数据资源处").id)
    assert [row.number for row in rows] == ["0001", "0002", "0003", "0004"]
    assert all(row.division == "数据资源处" for row in rows)


def test_a_divisions_cases_with_the_closed_ones(bureau):
    rows = division_cases(division("数据资源处").id, include_closed=True)
    assert [row.number for row in rows] == ["0001", "0002", "0003", "0004", "0005"]


def test_the_unassigned_cases(bureau):
    assert [row.number for row in division_cases(None)] == ["0202", "0201"]


def test_a_drill_down_takes_a_fixed_number_of_queries(bureau):
    resources = division("数据资源处").id
    division_cases(resources)
    with count_queries() as counted:
        division_cases(resources)
    assert counted.count <= 4  # the rows, the rules and the calendar's two
