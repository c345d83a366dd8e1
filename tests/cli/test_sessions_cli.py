"""duban rules show|set and duban session list|create|rename, in-process.

Effects are read back with plain SQL (sqlite3 on the file), refusals checked to be one
sentence with exit code 2 and nothing written.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.conftest import assert_refused, state_of
from tests.cli.helpers import small_ledger

SESSION = "市七届人大四次会议"


def sql(path: Path, query: str, *params):
    with sqlite3.connect(path) as connection:
        return connection.execute(query, params).fetchall()


def dump(path: Path) -> tuple:
    """What these commands could write, by plain SQL."""
    return (sql(path, "SELECT * FROM session ORDER BY id"), sql(path, "SELECT * FROM change_record ORDER BY id"),
            sql(path, 'SELECT id, next_due, next_milestone, version FROM "case" ORDER BY id'))


def test_rules_show_lists_every_rule_with_its_unit_and_state(cli, tmp_path):
    path = small_ledger(tmp_path / "t.db")
    result = cli("rules", "show", "--db", path)
    assert result.code == 0, result
    assert f"{SESSION}（人大，2023年，交办 2023-03-10）期限规则：" in result.out
    lines = [line.split() for line in result.out.splitlines()[1:]]
    from store.rules import RULE_LABELS

    assert len(lines) == len(RULE_LABELS) == 13
    assert lines[0] == ["签收期限", "10", "交办后天数", "默认"]
    assert lines[-1] == ["期限遇休息日顺延", "否", "是/否", "默认"]


def test_rules_set_by_chinese_label_moves_the_deadlines_and_records_who(cli, tmp_path):
    path = small_ledger(tmp_path / "t.db")
    before = sql(path, 'SELECT number, next_due FROM "case" ORDER BY number')
    assert before == [("20230001", "2023-06-10"), ("20230002", "2023-04-10"), ("20230003", "2023-06-10")]
    result = cli("rules", "set", "答复期限", "2", "--db", path, "--session", SESSION, "--note", "交办函要求",
                 "--operator", "张处长")
    assert result.code == 0, result
    assert result.out == f"{SESSION}：答复期限 3 → 2（交办后月数），2件的期限随之改变。\n"
    assert sql(path, 'SELECT number, next_due FROM "case" ORDER BY number') == [
        ("20230001", "2023-05-10"), ("20230002", "2023-04-10"), ("20230003", "2023-05-10")]
    assert json.loads(sql(path, "SELECT rules FROM session")[0][0]) == {"reply_months": 2}
    operator, area, note, data = sql(path, "SELECT operator, area, note, data FROM change_record")[-1]
    assert (operator, area, note) == ("张处长", "规则", "交办函要求")
    assert json.loads(data)["before"] == {"reply_months": 3}
    shown = cli("rules", "show", "--db", path, "--session", SESSION)
    assert "答复期限          2     交办后月数        已修改（默认 3）" in shown.out


def test_rules_set_roll_by_english_key_moves_a_saturday_to_monday(cli, tmp_path):
    path = small_ledger(tmp_path / "t.db")
    result = cli("rules", "set", "roll_to_working_day", "是", "--db", path, "--session", SESSION)
    assert result.code == 0, result
    assert "2件的期限随之改变" in result.out
    # 2023-06-10 is a Saturday: the reply is due on Monday 06-12.
    assert sql(path, 'SELECT next_due FROM "case" WHERE number = ?', "20230001") == [("2023-06-12",)]


def test_rules_set_refusals_write_nothing(cli, tmp_path):
    path = small_ledger(tmp_path / "t.db")
    untouched = state_of(path)
    for args, word in (
        (("答复时限", "2"), "没有“答复时限”这条期限规则"),
        (("reply_months", "13"), "应在1到12之间"),
        (("reply_months", "两"), "应为整数"),
        (("roll_to_working_day", "也许"), "是”或“否"),
        (("reply_months", "3"), "已是该值"),
    ):
        assert_refused(cli("rules", "set", *args, "--db", path, "--session", SESSION), must_mention=word)
    assert_refused(cli("rules", "set", "reply_months", "2", "--db", path, "--session", "没有这届"),
                   must_mention="台账中没有届次“没有这届”")
    assert_refused(cli("rules", "set", "reply_months", "2", "--db", path), must_mention="缺少必需的参数")
    assert state_of(path) == untouched
    missing = tmp_path / "missing.db"
    assert_refused(cli("rules", "set", "reply_months", "2", "--db", missing, "--session", SESSION),
                   must_mention="不存在")
    assert not missing.exists()


def test_session_create_makes_a_missing_ledger_and_says_so(cli, tmp_path):
    path = tmp_path / "新台账.db"
    result = cli("session", "create", "市七届人大五次会议", "--body", "人大", "--year", "2027",
                 "--assigned-on", "2027-02-20", "--db", path, "--operator", "王秘书")
    assert result.code == 0, result
    assert result.out == f"台账“{path}”不存在，已新建。\n已新建届次“市七届人大五次会议”，使用默认规则。\n"
    assert sql(path, "SELECT name, body, year, assigned_on, rules FROM session") == [
        ("市七届人大五次会议", "人大", 2027, "2027-02-20", "{}")]
    assert sql(path, "SELECT operator, area, action FROM change_record") == [("王秘书", "届次", "新增")]
    again = cli("session", "create", "市七届人大六次会议", "--body", "人大", "--year", "2028", "--db", path)
    assert again.code == 0 and "不存在" not in again.out


def test_session_create_from_previous_copies_its_rules(cli, tmp_path):
    path = small_ledger(tmp_path / "t.db")
    assert cli("rules", "set", "sign_days", "5", "--db", path, "--session", SESSION).code == 0
    result = cli("session", "create", "市七届人大五次会议", "--body", "人大", "--year", "2024",
                 "--rules-from", "previous", "--db", path)
    assert result.code == 0, result
    assert "沿用市七届人大四次会议的规则（1条与默认不同）" in result.out
    assert json.loads(sql(path, "SELECT rules FROM session WHERE name = ?", "市七届人大五次会议")[0][0]) == {"sign_days": 5}


def test_session_create_refusals_write_nothing_and_leave_no_new_ledger(cli, tmp_path):
    missing = tmp_path / "none.db"
    assert_refused(cli("session", "create", "市政协七届一次会议", "--body", "人大", "--year", "2023", "--db", missing),
                   must_mention="含“政协”，机构却是人大")
    assert_refused(cli("session", "create", "市政协七届一次会议", "--body", "政协", "--year", "2023",
                       "--rules-from", "previous", "--db", missing), must_mention="还没有政协届次")
    assert_refused(cli("session", "create", "市政协七届一次会议", "--body", "政协", "--year", "2023",
                       "--rules-from", "last", "--db", missing), must_mention="--rules-from")
    assert not missing.exists()
    path = small_ledger(tmp_path / "t.db")
    untouched = state_of(path)
    assert_refused(cli("session", "create", SESSION, "--body", "人大", "--year", "2023", "--db", path),
                   must_mention="已有名为")
    assert_refused(cli("session", "create", "市七届人大九次会议", "--body", "人大", "--year", "公元", "--db", path),
                   must_mention="不是整数")
    assert state_of(path) == untouched


def test_session_list_and_rename(cli, tmp_path):
    path = small_ledger(tmp_path / "t.db")
    listing = cli("session", "list", "--db", path)
    assert listing.code == 0
    assert listing.out.splitlines()[1].split() == [SESSION, "人大", "2023", "2023-03-10", "3", "0"]
    result = cli("session", "rename", SESSION, "市七届人大四次会议（更正）", "--db", path, "--operator", "李干事")
    assert result.code == 0, result
    assert result.out == f"届次“{SESSION}”已改名为“市七届人大四次会议（更正）”。\n"
    assert sql(path, "SELECT name FROM session") == [("市七届人大四次会议（更正）",)]
    assert sql(path, "SELECT operator, action FROM change_record") == [("李干事", "改名")]
    untouched = dump(path)
    assert_refused(cli("session", "rename", "市七届人大四次会议（更正）", "市政协四次会议", "--db", path),
                   must_mention="含“政协”")
    assert_refused(cli("session", "rename", "没有这届", "新名", "--db", path), must_mention="台账中没有届次")
    assert dump(path) == untouched


def test_an_empty_ledger_says_how_to_start(cli, tmp_path):
    path = tmp_path / "empty.db"
    from store.db import close_database, open_database

    open_database(path)
    close_database()
    for command in (("session", "list"), ("rules", "show")):
        result = cli(*command, "--db", path)
        assert result.code == 0
        assert "还没有任何届次" in result.out and "duban session create" in result.out
