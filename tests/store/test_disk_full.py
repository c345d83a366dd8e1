"""A full disk on every write the desk makes: 磁盘已满, and nothing written.

The disk is made full for real, without root: `PRAGMA max_page_count` is set to the ledger's
current size on the writing connection and the free room in its pages is filled with copies of
existing events and change records (raw INSERTs; the append-only triggers refuse only UPDATE and
DELETE), so the next write that needs a page gets SQLITE_FULL, and SQLite's own rollback makes
peewee's ROLLBACK fail with "cannot rollback - no transaction is active". Each write must then
fail with a sentence saying 磁盘已满, leave every table exactly as it was (read by plain SQL),
and succeed once there is room again.
"""

from __future__ import annotations

import sqlite3

import peewee
import pytest

from full_disk import fill_disk, make_room
from step_cases import ASSIGNED, OPERATOR, TODAY, attempt, build_cases, try_step
from store import actions, clock, corrections, entry, office, office_calendar, session_rules, weekly
from store.db import database, describe_db_error
from store.errors import LedgerError

pytestmark = pytest.mark.sqlite_only(reason="the full disk is SQLite's max_page_count on the ledger file")


def dump() -> dict[str, list[tuple]]:
    """Every row of every table, by plain SQL."""
    db = database.obj
    tables = [row[0] for row in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {table: db.execute_sql(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall() for table in tables}


def counts() -> tuple[int, int, int]:
    db = database.obj
    return tuple(db.execute_sql(sql).fetchone()[0] for sql in (
        "SELECT COUNT(*) FROM event", "SELECT COUNT(*) FROM change_record",
        'SELECT COALESCE(SUM(version), 0) FROM "case"'))


def sentence(exc: BaseException) -> str:
    return exc.message if isinstance(exc, LedgerError) else describe_db_error(exc)


@pytest.fixture
def walk(ledger):
    """Cases in every state, the office's divisions and people, a session rule changed, a retired division."""
    clock.fix_today(TODAY)
    ids = build_cases()
    data = actions.ensure_division("数据资源处")
    empty = office.add_division(OPERATOR, "政务服务处").id
    old = office.add_division(OPERATOR, "旧处室").id
    office.retire_division(OPERATOR, old)
    staff = office.add_person(OPERATOR, "周敏", division_id=data.id, title="经办人").id
    leader = office.add_person(OPERATOR, "陈局", division_id=None, title="分管局领导").id
    session_id = actions.ensure_session("市七届人大三次会议", body="人大", year=2023).id
    session_rules.set_session_rules(OPERATOR, session_id, {"stale_days": 20})
    office_calendar.set_day(OPERATOR, "2023-10-09", "休息日")
    context = {"ids": ids, "division": data.id, "retired": old, "empty": empty, "staff": staff, "leader": leader,
               "session": session_id}
    yield context
    clock.fix_today(None)


def possible(walk, step: str) -> int:
    """A case on which `step` can be taken now (tried and rolled back before the disk is full)."""
    return next(case_id for case_id in walk["ids"].values() if attempt(database, step, case_id) is None)


def _step(step):
    def prepare(walk):
        case_id = possible(walk, step)
        return lambda: try_step(step, case_id)
    return prepare


def _version(case_id: int) -> int:
    return database.obj.execute_sql('SELECT version FROM "case" WHERE id = ?', (case_id,)).fetchone()[0]


def _undo(walk):
    case_id = possible(walk, "follow_up")
    made = actions.log_follow_up(case_id, OPERATOR, kind="查办", note="查看进度")
    return lambda: actions.undo(made.event_id, OPERATOR, expected_version=made.version)


def _urge_marked(walk):
    ready = [case_id for case_id in walk["ids"].values() if attempt(database, "urge", case_id) is None][:2]
    return lambda: actions.urge_cases(ready, OPERATOR)


def _edit(walk):
    case_id = possible(walk, "follow_up")
    return lambda: actions.edit_case(case_id, OPERATOR, title="关于推进政务数据共享的建议（修改）",
                                     expected_version=_version(case_id))


def _correct_case(walk):
    case_id = possible(walk, "follow_up")
    return lambda: corrections.correct_case(OPERATOR, case_id, expected_version=_version(case_id),
                                            title="关于推进政务数据共享的建议（更正）", note="标题录错")


def _correct_reply(walk):
    case_id = walk["ids"][("已答复", "主办")]
    return lambda: corrections.correct_reply(OPERATOR, case_id, reason="文号录错", doc_no="深政数函〔2023〕85号",
                                             expected_version=_version(case_id))


def _correct_evaluation(walk):
    case_id = walk["ids"][("重新办理", "主办")]
    return lambda: corrections.correct_evaluation(OPERATOR, case_id, reason="评价录错", evaluation="满意",
                                                  expected_version=_version(case_id))


def _mark_reviewed(walk):
    case_id = possible(walk, "follow_up")
    return lambda: actions.mark_reviewed(case_id, OPERATOR, weekly.week_of(TODAY))


def _create_case(walk):
    return lambda: actions.create_case(OPERATOR, session=walk["session"], number="20239999", title="关于新件的建议",
                                       role="主办", assigned_on=ASSIGNED)


def _enter_case(walk):
    return lambda: entry.enter_case(OPERATOR, session_id=walk["session"], number="20239998", kind="建议",
                                    title="关于纸质交办的建议", proposer_name="王建国", proposer_kind="代表",
                                    proposer_group="福田代表团", role="主办", assigned_on=ASSIGNED)


WRITES = {
    **{f"step:{step}": _step(step) for step in (
        "follow_up", "contact", "urge", "sign", "adjust", "adjustment_result", "assign", "opinion", "extend",
        "reply", "evaluate", "disclose", "review", "close")},
    "batch urge": _urge_marked,
    "undo": _undo,
    "edit": _edit,
    "correct case": _correct_case,
    "correct reply": _correct_reply,
    "correct evaluation": _correct_evaluation,
    "weekly check": _mark_reviewed,
    "weekly review start": lambda walk: lambda: weekly.open_review(weekly.week_of(TODAY), OPERATOR, today=TODAY),
    "create case": _create_case,
    "enter case": _enter_case,
    "add division": lambda walk: lambda: office.add_division(OPERATOR, "新设处室"),
    "rename division": lambda walk: lambda: office.rename_division(OPERATOR, walk["division"], "数据管理处"),
    "move division": lambda walk: lambda: office.move_division(OPERATOR, walk["division"], 1),
    "retire division": lambda walk: lambda: office.retire_division(OPERATOR, walk["empty"]),
    "restore division": lambda walk: lambda: office.restore_division(OPERATOR, walk["retired"]),
    "add person": lambda walk: lambda: office.add_person(OPERATOR, "吴刚", division_id=walk["division"],
                                                         title="经办人", phone="13812345678"),
    "update person": lambda walk: lambda: office.update_person(OPERATOR, walk["staff"], post="督办岗"),
    "retire person": lambda walk: lambda: office.retire_person(OPERATOR, walk["staff"]),
    "supervision": lambda walk: lambda: office.set_supervision(OPERATOR, walk["leader"], [walk["division"]]),
    "calendar day": lambda walk: lambda: office_calendar.set_day(OPERATOR, "2023-10-10", "休息日"),
    "calendar year": lambda walk: lambda: office_calendar.confirm_year(OPERATOR, 2024),
    "new session": lambda walk: lambda: session_rules.create_session(OPERATOR, body="人大", name="市七届人大四次会议",
                                                                     year=2024),
    "rename session": lambda walk: lambda: session_rules.rename_session(OPERATOR, walk["session"], "市七届人大三次会议（改）"),
    "session rules": lambda walk: lambda: session_rules.set_session_rules(OPERATOR, walk["session"], {"sign_days": 7}),
    "reset session rule": lambda walk: lambda: session_rules.reset_session_rule(OPERATOR, walk["session"], "stale_days"),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_on_a_full_disk_says_disk_full_and_writes_nothing(walk, name):
    write = WRITES[name](walk)
    assert fill_disk() > 0
    before, before_counts = dump(), counts()
    with pytest.raises((LedgerError, peewee.DatabaseError)) as caught:
        write()
    said = sentence(caught.value)
    assert "磁盘已满" in said, said
    assert "rollback" not in said
    assert counts() == before_counts
    assert dump() == before, "a write refused on a full disk left something behind"
    assert database.obj.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    make_room()
    write()  # the same write, once there is room: it was the disk, not the input
    assert dump() != before


def test_a_full_disk_on_an_empty_ledger(ledger, today):
    """A brand-new ledger: the first division, person, session and calendar day all say 磁盘已满."""
    db = database.obj
    # an empty ledger has no rows to copy: fill its pages with change records of its own first
    division = office.add_division(OPERATOR, "数据资源处").id
    before_fill = counts()
    assert before_fill[1] == 1
    writes = [
        lambda: office.add_division(OPERATOR, "政务服务处"),
        lambda: office.add_person(OPERATOR, "周敏", division_id=division, title="经办人"),
        lambda: session_rules.create_session(OPERATOR, body="人大", name="市七届人大三次会议", year=2023),
        lambda: office_calendar.set_day(OPERATOR, "2023-10-10", "休息日"),
    ]
    fill_disk(db)
    before = dump()
    for write in writes:
        with pytest.raises((LedgerError, peewee.DatabaseError)) as caught:
            write()
        assert "磁盘已满" in sentence(caught.value)
        assert dump() == before
    make_room(db)
    for write in writes:
        write()
    assert counts()[1] == len(dump()["change_record"]) and len(dump()["change_record"]) >= len(before["change_record"]) + 4


def test_the_masked_rollback_is_what_sqlite_really_says(walk):
    """The raw error chain of a real full disk: the failed ROLLBACK on top, the SQLITE_FULL beneath."""
    write = _step("follow_up")(walk)
    fill_disk()
    with pytest.raises((LedgerError, peewee.DatabaseError)) as caught:
        write()
    chain, exc = [], caught.value
    while exc is not None and len(chain) < 10:
        chain.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    assert any("full" in text for text in chain), chain
    assert sentence(caught.value).startswith("磁盘已满")


@pytest.mark.parametrize("error", [peewee.OperationalError, sqlite3.OperationalError])
def test_an_io_error_reads_as_a_disk_error(error):
    said = describe_db_error(error("disk I/O error"))
    assert "磁盘出错" in said and "本次未写入" in said
