"""duban calendar show|set|confirm: read a year, enter a day, confirm a year from the command line."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from store import actions, clock
from store.db import close_database, open_database
from tests.cli.conftest import assert_refused


def replied_ledger(path: Path, *, replied: str = "2026-11-20") -> Path:
    """One case answered on `replied` (2026-11-20: 评价 due 2026-12-18), written as of 2026-12-10."""
    open_database(path)
    clock.fix_today(dt.date(2026, 12, 10))
    try:
        session = actions.ensure_session("市七届人大五次会议", body="人大", year=2026)
        division = actions.ensure_division("数据资源处")
        made = actions.create_case("测试", session=session, number="20260001", title="关于工作日的建议",
                                   role="主办", assigned_on=dt.date(2026, 9, 1))
        actions.sign_for(made.case_id, "测试", on=dt.date(2026, 9, 3))
        actions.assign(made.case_id, "测试", division=division)
        actions.reply(made.case_id, "测试", on=dt.date.fromisoformat(replied), doc_no="深政数函〔2026〕1号",
                      result_class="A")
    finally:
        clock.fix_today(None)
        close_database()
    return path


def rows(path, query):
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchall()


def test_set_creates_a_missing_ledger_says_so_and_records_the_change(cli, tmp_path):
    path = tmp_path / "新台账.db"
    result = cli("--operator", "王秘书", "calendar", "set", "2027-10-06", "休息日", "--note", "国庆节", "--db", path)
    assert result.code == 0, result
    assert "已新建" in result.out and "2027-10-06" in result.out and "没有件" in result.out
    assert rows(path, "SELECT day, is_working, note FROM calendar_day") == [("2027-10-06", 0, "国庆节")]
    assert rows(path, "SELECT operator, area, subject, action, note FROM change_record") == [
        ("王秘书", "日历", "2027-10-06", "设置", "国庆节")]
    again = cli("calendar", "set", "2027-10-07", "休息日", "--operator", "李干事", "--db", path)
    assert again.code == 0 and "已新建" not in again.out
    assert rows(path, "SELECT operator FROM change_record ORDER BY id") == [("王秘书",), ("李干事",)]


def test_set_says_how_many_deadlines_moved(cli, tmp_path):
    path = replied_ledger(tmp_path / "台账.db")
    result = cli("calendar", "set", "2026-12-15", "休息日", "--db", path, "--today", "2026-12-10")
    assert result.code == 0, result
    moved = rows(path, "SELECT COUNT(*) FROM \"case\" WHERE next_due = '2026-12-21'")[0][0]
    assert moved == 1 and "1件的下一期限随之改变" in result.out


def test_show_gives_source_holidays_moved_working_days_and_office_entries(cli, tmp_path):
    path = tmp_path / "台账.db"
    cli("calendar", "set", "2026-12-15", "休息日", "--note", "市里临时调整", "--operator", "王秘书", "--db", path)
    result = cli("calendar", "show", "2026", "--db", path)
    assert result.code == 0, result
    assert "来源：内置节假日表（国务院通知）" in result.out
    assert "国庆节　10-01至10-07（7天）" in result.out
    assert "09-20（周日）" in result.out  # 调休上班
    assert "2026-12-15　休息日　市里临时调整　王秘书" in result.out
    estimated = cli("calendar", "show", "2027", "--db", path)
    assert "推算（未公布）" in estimated.out and "注意：" in estimated.out


def test_confirm_marks_the_year_and_refuses_a_second_time(cli, tmp_path):
    path = replied_ledger(tmp_path / "台账.db", replied="2026-12-08")
    assert rows(path, 'SELECT next_due_estimated FROM "case"') == [(1,)]
    result = cli("calendar", "confirm", "2027", "--note", "国办发明电", "--db", path, "--today", "2026-12-10")
    assert result.code == 0, result
    assert "已确认2027年" in result.out and "1件" in result.out
    assert rows(path, 'SELECT next_due_estimated FROM "case"') == [(0,)]
    assert rows(path, "SELECT year, note FROM calendar_year") == [(2027, "国办发明电")]
    assert "办公室录入并确认" in cli("calendar", "show", "2027", "--db", path).out
    before = rows(path, "SELECT * FROM change_record")
    assert_refused(cli("calendar", "confirm", "2027", "--db", path), must_mention="已经确认过")
    assert rows(path, "SELECT * FROM change_record") == before


def test_bad_input_is_refused_before_anything_is_created(cli, tmp_path):
    path = tmp_path / "无.db"
    assert_refused(cli("calendar", "set", "2027-02-30", "休息日", "--db", path), must_mention="不存在")
    assert_refused(cli("calendar", "set", "2027-02-03", "放假", "--db", path), must_mention="工作日、休息日")
    assert_refused(cli("calendar", "confirm", "明年", "--db", path), must_mention="年份")
    assert_refused(cli("calendar", "show", "2027", "--db", path), must_mention="不存在")
    assert_refused(cli("calendar", "bogus", "--db", path))
    assert not path.exists()


def test_a_refusal_on_an_existing_ledger_writes_nothing(cli, tmp_path):
    path = replied_ledger(tmp_path / "台账.db")
    before = (rows(path, "SELECT * FROM calendar_day"), rows(path, "SELECT * FROM change_record"),
              rows(path, 'SELECT * FROM "case"'))
    assert_refused(cli("calendar", "set", "2026-12-15", "上班", "--db", path))
    assert_refused(cli("calendar", "set", "2026-12-15", "休息日", "--note", "长" * 201, "--db", path),
                   must_mention="过长")
    after = (rows(path, "SELECT * FROM calendar_day"), rows(path, "SELECT * FROM change_record"),
             rows(path, 'SELECT * FROM "case"'))
    assert after == before
