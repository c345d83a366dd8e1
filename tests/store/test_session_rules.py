"""Sessions and their deadline rules (store/session_rules.py, store/rules.py).

A rule change recomputes the cached deadlines in its own transaction: afterwards the ledger
row, the division board, the weekly checklist and the case card agree on every case's next
deadline, and each agrees with dates worked out by hand below (the 2023 calendar: National
Day 10-01…10-06 off, Saturday 10-07 a 调休 working day). Refusals write nothing, counted by
plain SQL; every write leaves a 变更记录 naming its operator.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from store_helpers import ASSIGNED, CPPCC_SESSION, NPC_SESSION, OPERATOR, d, division, new_case, replied_case, signed_case

from store import actions, queries, weekly
from store import session_rules as sr
from store.errors import LedgerError
from store.rules import DEFAULT_RULES, RULE_BOUNDS, RULE_LABELS, RuleSet, milestones, rule_key
from store_helpers import run_sql

TODAY = d("2023-09-01")


def sql(query: str, *params):
    return run_sql(query, params).fetchall()


def written() -> tuple:
    """Everything a session or rule change could write, read with plain SQL."""
    return (
        sql("SELECT id, name, body, year, assigned_on, rules FROM session ORDER BY id"),
        sql("SELECT COUNT(*) FROM change_record"),
        sql("SELECT id, next_due, next_milestone, next_due_estimated, version FROM \"case\" ORDER BY id"),
        sql("SELECT COUNT(*) FROM event"),
    )


def last_change() -> dict:
    operator, area, subject, action, data = sql(
        "SELECT operator, area, subject, action, data FROM change_record ORDER BY id DESC LIMIT 1")[0]
    return {"operator": operator, "area": area, "subject": subject, "action": action, **json.loads(data)}


def stored_rules(session_id: int) -> dict:
    return json.loads(sql("SELECT rules FROM session WHERE id = ?", session_id)[0][0])


@pytest.fixture
def office(ledger, today):
    """Two sessions made by the office; five open cases, each facing a different deadline."""
    npc = sr.create_session(OPERATOR, body="人大", name=NPC_SESSION, year=2023, assigned_on=ASSIGNED)
    cppcc = sr.create_session(OPERATOR, body="政协", name=CPPCC_SESSION, year=2023)
    npc_row = queries.Session.get_by_id(npc.session_id)
    cppcc_row = queries.Session.get_by_id(cppcc.session_id)
    ids = {
        # unsigned, 交办 Fri 08-25: 签收 due 08-25 + 10 days = Mon 09-04
        "unsigned": new_case("0001", assigned_on=d("2023-08-25"), session_row=npc_row),
        # signed, 交办 Sat 07-01: 答复 due 07-01 + 3 months = Sun 10-01 (National Day)
        "replying": signed_case("0002", assigned_on=d("2023-07-01"), signed_on=d("2023-07-03"), session_row=npc_row),
        # 汇办, 交办 06-01: 汇办意见 due 06-01 + 1 month = Sat 07-01 (overdue)
        "opinion": signed_case("0003", role="汇办", session_row=npc_row),
        # replied Sun 08-20: 评价 and 公开 due 20 working days later = Fri 09-15
        "replied": replied_case("0004", session_row=npc_row),
        # the other session, 交办 07-01: 答复 due Sun 10-01, whatever the NPC session's rules say
        "cppcc": signed_case("P001", kind="提案", assigned_on=d("2023-07-01"), signed_on=d("2023-07-03"),
                             session_row=cppcc_row),
    }
    for key in ("replying", "opinion", "cppcc"):
        actions.assign(ids[key], OPERATOR, division=division())
    return npc.session_id, cppcc.session_id, ids


DEFAULTS = {"unsigned": ("2023-09-04", "签收"), "replying": ("2023-10-01", "答复"),
            "opinion": ("2023-07-01", "汇办意见"), "replied": ("2023-09-15", "评价"), "cppcc": ("2023-10-01", "答复")}


def agree(ids: dict, expected: dict) -> None:
    """Ledger row, SQL cache, card, board drill-down, board counts and checklist: one date each."""
    want = {ids[key]: (d(day), label) for key, (day, label) in expected.items()}
    rows = {row.case_id: (row.next_due, row.next_milestone) for row in queries.ledger_rows(today=TODAY)}
    assert rows == want
    cached = {case_id: (dt.date.fromisoformat(due), label)
              for case_id, due, label in sql("SELECT id, next_due, next_milestone FROM \"case\"")}
    assert cached == want
    for case_id, (due, label) in want.items():
        card = queries.case_card(case_id, today=TODAY)
        open_ones = [m for m in card.milestones if m.done_on is None]
        nearest = min(open_ones, key=lambda m: m.due)
        assert (nearest.due, nearest.label) == (due, label), card.number
    drilled = {}
    for line in queries.division_board(today=TODAY):
        for row in queries.division_cases(line.division_id, today=TODAY):
            drilled[row.case_id] = (row.next_due, row.next_milestone)
        members = [case_id for (case_id,) in sql(
            "SELECT id FROM \"case\" WHERE " + ("division_id IS NULL" if line.division_id is None else
                                                 f"division_id = {int(line.division_id)}"))]
        def late_own_step(case_id):  # from the card: a step other than the proposer's evaluation 已逾期
            return any(m.state == "已逾期" and m.label not in ("评价", "再次评价")
                       for m in queries.case_card(case_id, today=TODAY).milestones)

        assert line.overdue == sum(1 for case_id in members if want[case_id][0] is not None
                                   and want[case_id][0] < TODAY and late_own_step(case_id))
        own = [(want[case_id][0] - TODAY).days for case_id in members if want[case_id][1] not in ("评价", "再次评价")]
        assert line.due_within_7 == sum(0 <= day <= 7 for day in own)  # a form due back is 待评价, not the division's
    assert drilled == want
    listed = {item.case_id: item.next_due for item in weekly.checklist(TODAY)}
    for case_id, due in listed.items():
        assert due == want[case_id][0]
    for case_id, (due, _label) in want.items():
        if (due - TODAY).days <= 7:
            assert case_id in listed


# ------------------------------------------------------------------- recomputation


def test_a_rule_change_moves_every_deadline_it_governs_and_every_view_agrees(office):
    npc, _cppcc, ids = office
    agree(ids, DEFAULTS)

    assert sr.set_session_rules(OPERATOR, npc, {"reply_months": 2}, note="交办机关通知") == 1
    agree(ids, DEFAULTS | {"replying": ("2023-09-01", "答复")})  # 07-01 + 2 months: today

    assert sr.set_session_rules(OPERATOR, npc, {"签收期限": "8"}) == 1  # by its Chinese label
    agree(ids, DEFAULTS | {"replying": ("2023-09-01", "答复"), "unsigned": ("2023-09-02", "签收")})  # a Saturday

    assert sr.set_session_rules(OPERATOR, npc, {"evaluation_working_days": 5}) == 1
    # Working days after Sun 08-20: 21, 22, 23, 24, 25 — 评价 on Fri 08-25, before 公开 on 09-15.
    expected = DEFAULTS | {"replying": ("2023-09-01", "答复"), "unsigned": ("2023-09-02", "签收"),
                           "replied": ("2023-08-25", "评价")}
    agree(ids, expected)
    assert stored_rules(npc) == {"reply_months": 2, "sign_days": 8, "evaluation_working_days": 5}


def test_rolling_to_the_next_working_day_moves_a_saturday_to_monday_and_keeps_tiaoxiu(office):
    npc, cppcc, ids = office
    sr.set_session_rules(OPERATOR, npc, {"sign_days": 8})
    assert sr.set_session_rules(OPERATOR, npc, {"roll_to_working_day": "是"}) == 3
    rolled = DEFAULTS | {
        "unsigned": ("2023-09-04", "签收"),  # Sat 09-02 → Mon 09-04
        "opinion": ("2023-07-03", "汇办意见"),  # Sat 07-01 → Mon 07-03
        "replying": ("2023-10-07", "答复"),  # Sun 10-01, holidays to 10-06 → Sat 10-07, a 调休 working day
    }
    agree(ids, rolled)  # the 政协 case still reads Sun 10-01: its session does not roll
    assert sr.reset_session_rule(OPERATOR, npc, "roll_to_working_day") == 3
    agree(ids, DEFAULTS | {"unsigned": ("2023-09-02", "签收")})
    assert sql("SELECT next_due_estimated FROM \"case\"") == [(0,)] * 5


def test_rolling_through_a_year_nobody_confirmed_marks_the_date_estimated(ledger, today):
    made = sr.create_session(OPERATOR, body="人大", name=NPC_SESSION, year=2023)
    case_id = new_case("0001", session_row=queries.Session.get_by_id(made.session_id))
    sr.set_session_rules(OPERATOR, made.session_id, {"roll_to_working_day": True, "sign_days": 60})
    assert sql("SELECT next_due, next_due_estimated FROM \"case\"") == [("2023-07-31", 0)]
    far = RuleSet.from_overrides({"roll_to_working_day": True})
    rows = [m for m in milestones(queries.Case.get_by_id(case_id), far) if m.key == "reply"]
    assert rows[0].due == d("2023-09-01") and not rows[0].estimated
    # 2031-02-01 is a Saturday in a year the holidays package does not know: estimated, with a sentence.
    late = type("C", (), dict(assigned_on=d("2030-11-01"), role="主办", signed_on=None, extended_due=None,
                              replied_on=None))()
    reply = [m for m in milestones(late, far) if m.key == "reply"][0]
    assert reply.due.weekday() < 5 and reply.due >= d("2031-02-01")
    assert reply.estimated and "2031年" in reply.warning


def test_a_rule_change_in_one_session_leaves_the_other_alone(office):
    npc, cppcc, ids = office
    before = sql("SELECT next_due FROM \"case\" WHERE id = ?", ids["replying"])
    assert sr.set_session_rules(OPERATOR, cppcc, {"reply_months": 2}) == 1
    agree(ids, DEFAULTS | {"cppcc": ("2023-09-01", "答复")})
    assert sql("SELECT next_due FROM \"case\" WHERE id = ?", ids["replying"]) == before


# ----------------------------------------------------------------------- records


def test_every_write_leaves_a_change_record_with_its_operator(ledger, today):
    made = sr.create_session("张处长", body="人大", name=NPC_SESSION, year=2023, assigned_on="2023-02-20")
    record = last_change()
    assert (record["operator"], record["area"], record["action"], record["subject"]) == (
        "张处长", "届次", "新增", NPC_SESSION)
    assert last_change()["after"]["assigned_on"] == "2023-02-20"
    sr.set_session_rules("李干事", made.session_id, {"reply_months": 2}, note="依据2023年交办函")
    record = last_change()
    assert (record["operator"], record["area"], record["action"]) == ("李干事", "规则", "修改")
    assert (record["before"], record["after"], record["moved"]) == ({"reply_months": 3}, {"reply_months": 2}, 0)
    assert sql("SELECT note FROM change_record ORDER BY id DESC LIMIT 1") == [("依据2023年交办函",)]
    sr.reset_session_rule("王秘书", made.session_id, "答复期限")
    record = last_change()
    assert (record["operator"], record["action"], record["before"], record["after"]) == (
        "王秘书", "恢复默认", {"reply_months": 2}, {"reply_months": 3})
    assert stored_rules(made.session_id) == {}
    sr.rename_session("赵科长", made.session_id, "市七届人大三次会议（更正）")
    record = last_change()
    assert (record["operator"], record["area"], record["action"]) == ("赵科长", "届次", "改名")
    assert (record["before"], record["after"]) == ({"name": NPC_SESSION}, {"name": "市七届人大三次会议（更正）"})
    assert sql("SELECT COUNT(*) FROM change_record") == [(4,)]
    assert sql("SELECT name FROM session") == [("市七届人大三次会议（更正）",)]


def test_a_value_equal_to_the_default_drops_the_override(ledger, today):
    made = sr.create_session(OPERATOR, body="人大", name=NPC_SESSION, year=2023)
    sr.set_session_rules(OPERATOR, made.session_id, {"stale_days": 14})
    assert stored_rules(made.session_id) == {"stale_days": 14}
    assert sr.session_rules_view(made.session_id).rule("stale_days").overridden
    sr.set_session_rules(OPERATOR, made.session_id, {"stale_days": 7})
    assert stored_rules(made.session_id) == {}
    assert not sr.session_rules_view(made.session_id).rule("stale_days").overridden


def test_a_new_session_copies_the_previous_sessions_rules_of_its_own_body(ledger, today):
    old = sr.create_session(OPERATOR, body="人大", name="市七届人大二次会议", year=2022)
    npc = sr.create_session(OPERATOR, body="人大", name=NPC_SESSION, year=2023)
    cppcc = sr.create_session(OPERATOR, body="政协", name=CPPCC_SESSION, year=2023)
    sr.set_session_rules(OPERATOR, npc.session_id, {"reply_months": 2, "roll_to_working_day": True})
    sr.set_session_rules(OPERATOR, old.session_id, {"sign_days": 5})
    sr.set_session_rules(OPERATOR, cppcc.session_id, {"stale_days": 10})
    made = sr.create_session(OPERATOR, body="人大", name="市七届人大四次会议", year=2024, rules_from="previous")
    assert made.rules_from == NPC_SESSION
    assert stored_rules(made.session_id) == {"reply_months": 2, "roll_to_working_day": True}
    assert last_change()["rules_from"] == NPC_SESSION
    fresh = sr.create_session(OPERATOR, body="政协", name="市政协七届四次会议", year=2024)
    assert stored_rules(fresh.session_id) == {}
    view = sr.session_rules_view(made.session_id)
    assert [rule.key for rule in view.rules] == list(RULE_LABELS)
    assert (view.rule("reply_months").value, view.rule("reply_months").overridden) == (2, True)
    assert view.rule("roll_to_working_day").value_text == "是"
    assert (view.rule("sign_days").value, view.rule("sign_days").overridden) == (10, False)


def test_the_sessions_overview_counts_cases_and_changed_rules(ledger, today):
    assert sr.sessions_overview() == []
    npc = sr.create_session(OPERATOR, body="人大", name=NPC_SESSION, year=2023, assigned_on="2023-06-01")
    sr.create_session(OPERATOR, body="人大", name="市七届人大四次会议", year=2024)
    row = queries.Session.get_by_id(npc.session_id)
    new_case("0001", session_row=row)
    new_case("0002", session_row=row)
    sr.set_session_rules(OPERATOR, npc.session_id, {"reply_months": 2, "sign_days": 5})
    lines = {line.name: line for line in sr.sessions_overview()}
    counts = dict(sql("SELECT s.name, COUNT(c.id) FROM session s LEFT JOIN \"case\" c ON c.session_id = s.id "
                      "GROUP BY s.id"))
    assert {name: line.case_count for name, line in lines.items()} == counts == {NPC_SESSION: 2, "市七届人大四次会议": 0}
    assert lines[NPC_SESSION].overridden == 2 and lines[NPC_SESSION].assigned_on == d("2023-06-01")
    assert [line.year for line in sr.sessions_overview()] == [2024, 2023]


# ---------------------------------------------------------------------- refusals


def refused(action, *args, word: str, **kwargs) -> None:
    before = written()
    with pytest.raises(LedgerError) as info:
        action(*args, **kwargs)
    assert word in str(info.value), str(info.value)
    assert written() == before, "a refused change wrote to the ledger"


def test_rule_changes_that_make_no_sense_are_refused_and_write_nothing(office):
    npc, _cppcc, _ids = office
    refused(sr.set_session_rules, OPERATOR, npc, {"no_such_rule": 3}, word="没有“no_such_rule”这条期限规则")
    refused(sr.set_session_rules, OPERATOR, npc, {"reply_months": 13}, word="应在1到12之间")
    refused(sr.set_session_rules, OPERATOR, npc, {"sign_days": 0}, word="签收期限应在1到60之间")
    refused(sr.set_session_rules, OPERATOR, npc, {"sign_days": "十"}, word="应为整数")
    refused(sr.set_session_rules, OPERATOR, npc, {"sign_days": "2.5"}, word="应为整数")
    refused(sr.set_session_rules, OPERATOR, npc, {"sign_days": True}, word="应为整数")
    refused(sr.set_session_rules, OPERATOR, npc, {"roll_to_working_day": "也许"}, word="应为“是”或“否”")
    refused(sr.set_session_rules, OPERATOR, npc, {"max_reply_months": 2}, word="不能短于答复期限")
    # Both at once, the second valid: still nothing written.
    refused(sr.set_session_rules, OPERATOR, npc, {"reply_months": 2, "sign_days": 99}, word="签收期限")
    refused(sr.set_session_rules, OPERATOR, npc, {"reply_months": 3}, word="已是该值")
    refused(sr.set_session_rules, OPERATOR, npc, {}, word="没有要修改的规则")
    refused(sr.set_session_rules, OPERATOR, 999, {"reply_months": 2}, word="找不到该届次")
    refused(sr.set_session_rules, "  ", npc, {"reply_months": 2}, word="操作人")
    refused(sr.reset_session_rule, OPERATOR, npc, "reply_months", word="已是默认值")
    refused(sr.reset_session_rule, OPERATOR, npc, "答复时限", word="没有“答复时限”这条期限规则")


def test_session_changes_that_make_no_sense_are_refused_and_write_nothing(office):
    npc, _cppcc, _ids = office
    refused(sr.create_session, OPERATOR, body="人大", name=NPC_SESSION, year=2024, word="已有名为")
    refused(sr.create_session, OPERATOR, body="人大", name=f"  {NPC_SESSION} ", year=2024, word="已有名为")
    refused(sr.create_session, OPERATOR, body="人大", name="市政协七届四次会议", year=2024, word="含“政协”，机构却是人大")
    refused(sr.create_session, OPERATOR, body="政协", name="市七届人大四次会议", year=2024, word="含“人大”，机构却是政协")
    refused(sr.create_session, OPERATOR, body="党委", name="某会议", year=2024, word="机构“党委”无效")
    refused(sr.create_session, OPERATOR, body="人大", name="", year=2024, word="请填写届次名称")
    refused(sr.create_session, OPERATOR, body="人大", name="市七届人大\n四次会议", year=2024, word="控制字符")
    refused(sr.create_session, OPERATOR, body="人大", name="市七届人大四次会议", year="明年", word="不是整数")
    refused(sr.create_session, OPERATOR, body="人大", name="市七届人大四次会议", year=1800, word="不在2000到2100之间")
    refused(sr.create_session, OPERATOR, body="人大", name="市七届人大四次会议", year=2024, assigned_on="2024-13-01",
            word="交办日期")
    refused(sr.create_session, OPERATOR, body="人大", name="市七届人大四次会议", year=2024, assigned_on="2030-01-01",
            word="相差太远")
    refused(sr.create_session, OPERATOR, body="人大", name="市七届人大四次会议", year=2024, rules_from="neighbour",
            word="规则来源")
    refused(sr.rename_session, OPERATOR, npc, CPPCC_SESSION, word="含“政协”")
    refused(sr.rename_session, OPERATOR, npc, NPC_SESSION, word="与原名称相同")
    refused(sr.rename_session, OPERATOR, npc, "   ", word="请填写届次名称")
    sr.create_session(OPERATOR, body="人大", name="市七届人大四次会议", year=2024)
    refused(sr.rename_session, OPERATOR, npc, "市七届人大四次会议", word="已有名为")


def test_copying_the_previous_session_needs_one_of_the_same_body(ledger, today):
    sr.create_session(OPERATOR, body="人大", name=NPC_SESSION, year=2023)
    refused(sr.create_session, OPERATOR, body="政协", name=CPPCC_SESSION, year=2023, rules_from="previous",
            word="还没有政协届次")


# ------------------------------------------------------------------ the rule table


def test_every_rule_has_a_label_a_unit_and_bounds_that_hold_its_default():
    names = [name for name in DEFAULT_RULES.as_dict()]
    assert list(RULE_LABELS) == names
    for name in names:
        label, unit = RULE_LABELS[name]
        assert label and unit and rule_key(label) == name == rule_key(name)
        if name != "roll_to_working_day":
            low, high = RULE_BOUNDS[name]
            assert low <= getattr(DEFAULT_RULES, name) <= high
    assert set(RULE_BOUNDS) == set(names) - {"roll_to_working_day"}


def test_overrides_are_converted_by_each_rules_type():
    rules = RuleSet.from_overrides({"roll_to_working_day": "否", "sign_days": "5", "stale_days": 9})
    assert (rules.roll_to_working_day, rules.sign_days, rules.stale_days) == (False, 5, 9)
    assert RuleSet.from_overrides({"roll_to_working_day": "是"}).roll_to_working_day is True
    assert RuleSet.from_overrides({"roll_to_working_day": 1}).roll_to_working_day is True
    with pytest.raises(LedgerError, match="应为整数"):
        RuleSet.from_overrides({"sign_days": "abc"})
    with pytest.raises(LedgerError, match="不能为负数"):
        RuleSet.from_overrides({"sign_days": -1})
    with pytest.raises(LedgerError, match="是”或“否"):
        RuleSet.from_overrides({"roll_to_working_day": 2})
