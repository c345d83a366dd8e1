"""同比: a session beside the previous one of the same body; 政协 is never compared with 人大."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from store import actions, clock
from store.session_compare import compare, previous_session
from store_helpers import run_sql

TODAY = dt.date(2023, 9, 19)
OPERATOR = "王秘书"


def case(session_id: int, number: str, assigned: str, *, reply_on: str | None = None, result: str = "A") -> int:
    made = actions.create_case(OPERATOR, session=session_id, number=number, title=f"测试件{number}", role="主办",
                               assigned_on=dt.date.fromisoformat(assigned), lead_unit="市政务服务数据管理局").case_id
    actions.sign_for(made, OPERATOR, on=dt.date.fromisoformat(assigned) + dt.timedelta(days=3))
    if reply_on:
        actions.reply(made, OPERATOR, on=dt.date.fromisoformat(reply_on), doc_no=f"测试〔{number}〕号",
                      result_class=result)
    return made


@pytest.fixture
def sessions(ledger):
    clock.fix_today(TODAY)
    npc21 = actions.ensure_session("市七届人大二次会议", body="人大", year=2021).id
    npc22 = actions.ensure_session("市七届人大三次会议", body="人大", year=2022).id
    npc23 = actions.ensure_session("市七届人大四次会议", body="人大", year=2023).id
    cppcc22 = actions.ensure_session("市七届政协三次会议", body="政协", year=2022).id
    cppcc23 = actions.ensure_session("市七届政协四次会议", body="政协", year=2023).id
    case(npc22, "20220001", "2022-03-01", reply_on="2022-05-20")  # on time
    case(npc22, "20220002", "2022-03-01", reply_on="2022-07-01", result="B")  # late (due 06-01)
    case(npc23, "20230001", "2023-03-01", reply_on="2023-05-20")
    case(npc23, "20230002", "2023-03-01", reply_on="2023-05-25")
    case(npc23, "20230003", "2023-03-01", reply_on="2023-05-26", result="B")
    case(cppcc22, "20229001", "2022-03-01")
    yield {"npc21": npc21, "npc22": npc22, "npc23": npc23, "cppcc22": cppcc22, "cppcc23": cppcc23}
    clock.fix_today(None)


def count(sql: str, *params) -> int:
    return run_sql(sql, params).fetchone()[0]


def test_the_previous_session_is_the_latest_earlier_one_of_the_body(sessions):
    assert previous_session(sessions["npc23"]).id == sessions["npc22"]  # not 2021, not 政协 2022
    assert previous_session(sessions["npc22"]).id == sessions["npc21"]
    assert previous_session(sessions["cppcc23"]).id == sessions["cppcc22"]
    assert previous_session(sessions["npc21"]) is None and previous_session(sessions["cppcc22"]) is None
    assert compare(sessions["cppcc22"], today=TODAY) is None and compare(9999, today=TODAY) is None


def test_two_sessions_of_one_body_side_by_side(sessions):
    result = compare(sessions["npc23"], today=TODAY)
    assert (result.session, result.previous) == ("市七届人大四次会议", "市七届人大三次会议")
    received = [count('SELECT COUNT(*) FROM "case" WHERE session_id = ?', sessions[s]) for s in ("npc23", "npc22")]
    assert received == [3, 2]
    row = result.row("接收")
    assert (row.this.part, row.previous.part, row.change_text) == (3, 2, "+1件")
    assert result.row("主办").change_text == "+1件" and result.row("汇办").change_text == "持平"
    on_time = [sum(1 for replied, assigned in run_sql('SELECT replied_on, assigned_on FROM "case" WHERE '
                                                      "session_id = ?", (sessions[s],)).fetchall()
                   if replied and replied <= pendulum.Date.fromisoformat(assigned).add(months=3).isoformat())
               for s in ("npc23", "npc22")]  # three months on, counted outside SQL (no portable date math)
    assert on_time == [3, 1]
    reply = result.row("按时答复率")
    assert (reply.this.text, reply.previous.text, reply.change_text) == ("100%（3/3）", "50%（1/2）", "+50个百分点")
    assert result.row("按时签收率").change_text == "持平"
    assert (result.row("A类").this.part, result.row("A类").previous.part) == (2, 1)
    assert result.row("B类").change_text == "持平"
    satisfied = result.row("满意率")  # no evaluation in either: nothing to divide
    assert satisfied.this.text == "—（0/0）" and satisfied.change_text == "—"


def test_satisfaction_compares_shares_of_evaluations(sessions):
    for number, verdict in (("20230001", "满意"), ("20230002", "基本满意"), ("20230003", "满意")):
        target = count('SELECT id FROM "case" WHERE number = ?', number)
        actions.record_evaluation(target, OPERATOR, evaluation=verdict, on=dt.date(2023, 6, 10))
    target = count('SELECT id FROM "case" WHERE number = ?', "20220001")
    actions.record_evaluation(target, OPERATOR, evaluation="满意", on=dt.date(2022, 6, 10))
    row = compare(sessions["npc23"], today=TODAY).row("满意率")
    assert (row.this.text, row.previous.text, row.change_text) == ("66.7%（2/3）", "100%（1/1）", "-33.3个百分点")
