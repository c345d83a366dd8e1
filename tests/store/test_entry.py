"""Cases entered and corrected by hand (store/entry.py, store/corrections.py): 录入 on an empty
ledger with the importer's checks, 修改 with before and after, 更正 of a reply or an evaluation — each a
single event, every refusal writing nothing (counted with plain SQL)."""

from __future__ import annotations

import pytest

from store import actions, corrections, entry
from store.errors import LedgerError
from store.models import Case, Event
from store.queries import case_card, ledger_rows, session_statistics

from store_helpers import (
    CPPCC_SESSION,
    OPERATOR,
    d,
    division,
    events,
    session,
)
from store_helpers import run_sql

DOC_NO = "深政数函〔2023〕84号"


def sql_count(table: str, where: str = "1=1", *params) -> int:
    return run_sql(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()[0]


def counts() -> tuple[int, int, int, int]:
    """case, event, proposer and session rows — counted independently of the models."""
    return tuple(sql_count(t) for t in ("\"case\"", "event", "proposer", "session"))


def rows_now() -> list:
    return list(run_sql('SELECT * FROM "case" ORDER BY id').fetchall())


EARLY = "会办单位已电话表示无不同意见"
"""The reason these tests give for replying before the co-unit's opinion is recorded."""


def enter(**change):
    values = dict(session_id=session().id, number="第20230901号", kind="建议", title="关于加快闭会期间建议办理的建议",
                  summary="摘要", topic="数字政府", proposer_name="陈代表", proposer_kind="代表",
                  proposer_group="福田代表团", proposer_unit_title="某公司 总经理", proposer_phone="13812345678",
                  cosigners=["李代表", "赵代表"], role="主办", lead_unit="市政务服务数据管理局",
                  co_units=["市发展改革委"], assigned_on="2023-08-01", note="闭会期间转来")
    values.update(change)
    return entry.enter_case(OPERATOR, **values)


def refused_entry(word: str, **change) -> None:
    session()  # the session exists before the counts are taken
    before, stored = counts(), rows_now()
    with pytest.raises(LedgerError) as info:
        enter(**change)
    assert word in str(info.value), str(info.value)
    assert counts() == before and rows_now() == stored


# ------------------------------------------------------------------------------ 录入


def test_a_case_entered_by_hand_on_an_empty_ledger(ledger, today):
    the_session = session()
    assert counts() == (0, 0, 0, 1)
    recorded = enter(session_id=the_session.id)
    assert counts() == (1, 1, 1, 1)
    stored = Case.get_by_id(recorded.case_id)
    assert (stored.number, stored.kind, stored.role, stored.assigned_on) == ("20230901", "建议", "主办", d("2023-08-01"))
    assert (stored.cosigners, stored.co_units) == (["李代表", "赵代表"], ["市发展改革委"])
    assert (stored.lead_proposer.name, stored.lead_proposer.group, stored.lead_proposer.phone) == (
        "陈代表", "福田代表团", "13812345678")
    assert [e.kind for e in events(recorded.case_id)] == ["交办"]
    assert events(recorded.case_id)[0].note == "闭会期间转来"
    assert stored.next_due == d("2023-08-11") and stored.next_milestone == "签收"
    assert [row.number for row in ledger_rows()] == ["20230901"]


def test_the_same_proposer_is_found_again(ledger, today):
    enter()
    enter(number="20230902", proposer_unit_title="", proposer_phone="")
    assert sql_count("proposer") == 1
    assert sql_count('"case"', "lead_proposer_id IS NOT NULL") == 2


@pytest.mark.parametrize("change, word", [
    ({"number": "20230901"}, "不能重复"),
    ({"kind": "提案"}, "只收建议"),
    ({"kind": "议案"}, "类型"),
    ({"role": "承办", "co_units": ["市发展改革委"]}, "承办件"),
    ({"role": "汇办", "lead_unit": ""}, "汇办件须填写主办单位"),
    ({"role": "牵头"}, "办理方式"),
    ({"proposer_kind": "委员"}, "代表"),
    ({"proposer_kind": "群众"}, "领衔人身份"),
    ({"assigned_on": "2023-02-30"}, "不存在"),
    ({"assigned_on": "明天"}, "无法识别"),
    ({"assigned_on": "2023-09-02"}, "晚于今天"),
    ({"assigned_on": ""}, "交办日期"),
    ({"title": "  "}, "请填写标题"),
    ({"title": "标" * 2001}, "过长"),
    ({"summary": "摘要\x00"}, "空字符"),
    ({"number": "2023\x1b[31m"}, "控制字符"),
    ({"proposer_name": "陈\n代表"}, "控制字符"),
    ({"proposer_name": ""}, "领衔人姓名"),
    ({"cosigners": ["李" * 51]}, "过长"),
    ({"session_id": 999}, "届次"),
])
def test_a_wrong_entry_writes_nothing(ledger, today, change, word):
    if change.get("number") == "20230901":
        enter()
    refused_entry(word, **change)


def test_a_proposal_belongs_to_a_cppcc_session(ledger, today):
    cppcc = session(CPPCC_SESSION, body="政协")
    refused_entry("只收提案", session_id=cppcc.id)
    recorded = enter(session_id=cppcc.id, kind="提案", proposer_kind="委员", proposer_group="经济界")
    assert Case.get_by_id(recorded.case_id).kind == "提案"


def test_the_importer_refuses_a_sole_case_with_co_units(ledger, today, tmp_path):
    from store.io import importer

    header = ["编号", "标题", "办理方式", "主办单位", "会办单位", "交办日期"]
    table = [header, ["1", "甲", "承办", "本局", "市发展改革委", "2023-03-20"], ["2", "乙", "会办", "", "", "2023-03-20"]]
    with pytest.raises(importer.ImportRefused) as info:
        importer.import_table(table, OPERATOR, session="市七届人大三次会议")
    assert any("第2行「会办单位」" in e and "承办" in e for e in info.value.errors)
    assert any("第3行「主办单位」" in e and "汇办" in e for e in info.value.errors)
    assert counts() == (0, 0, 0, 0)


# ------------------------------------------------------------------------------ 修改


def correct(case_id, **fields):
    return entry.correct_case(OPERATOR, case_id, expected_version=Case.get_by_id(case_id).version, **fields)


def refused_correction(case_id, word, **fields):
    before, stored = counts(), rows_now()
    with pytest.raises(LedgerError) as info:
        correct(case_id, **fields)
    assert word in str(info.value), str(info.value)
    assert counts() == before and rows_now() == stored


def test_a_correction_is_one_event_with_before_and_after(ledger, today):
    case_id = enter().case_id
    recorded = correct(case_id, title="关于闭会期间建议的建议", cosigners=["李代表"], note="核对原件")
    event = Event.get_by_id(recorded.event_id)
    assert (event.kind, event.note) == ("修改", "核对原件")
    assert event.data["before"] == {"title": "关于加快闭会期间建议办理的建议", "cosigners": ["李代表", "赵代表"]}
    assert event.data["after"] == {"title": "关于闭会期间建议的建议", "cosigners": ["李代表"]}
    assert sql_count("event", "case_id = ? AND kind = '修改'", case_id) == 1
    entry_ = case_card(case_id).timeline[0]
    assert ("标题", "关于加快闭会期间建议办理的建议", "关于闭会期间建议的建议") in entry_.changes
    assert ("附议/联名", "李代表、赵代表", "李代表") in entry_.changes


def test_a_correction_is_not_a_follow_up(ledger, today):
    """Putting the record right does not make an untouched case look worked on (滞后 stays)."""
    case_id = enter().case_id
    stale_before = next(r for r in ledger_rows(today=today) if r.case_id == case_id).stale
    correct(case_id, title="关于闭会期间建议的建议")
    raw = run_sql('SELECT last_followup_on FROM "case" WHERE id = ?', (case_id,)).fetchone()[0]
    assert str(raw)[:10] == "2023-08-01"  # the 交办 date, not today's correction
    assert stale_before and next(r for r in ledger_rows(today=today) if r.case_id == case_id).stale
    actions.undo(Event.select().where((Event.case == case_id) & (Event.kind == "修改")).get().id, OPERATOR)
    raw = run_sql('SELECT last_followup_on FROM "case" WHERE id = ?', (case_id,)).fetchone()[0]
    assert str(raw)[:10] == "2023-08-01"


def test_correcting_the_proposer_leaves_the_other_cases_alone(ledger, today):
    first = enter().case_id
    second = enter(number="20230902").case_id
    recorded = correct(first, proposer_name="陈代表", proposer_phone="13900000000")
    assert sql_count("proposer") == 2
    assert Case.get_by_id(second).lead_proposer.phone == "13812345678"
    assert Case.get_by_id(first).lead_proposer.phone == "13900000000"
    assert Event.get_by_id(recorded.event_id).data["after"]["lead_proposer"] != \
        Event.get_by_id(recorded.event_id).data["before"]["lead_proposer"]
    renamed = correct(first, proposer_name="陈红")
    changes = case_card(first).timeline[0].changes
    assert changes == (("领衔人", "陈代表（福田代表团） 某公司 总经理", "陈红（福田代表团） 某公司 总经理"),)
    actions.undo(renamed.event_id, OPERATOR)
    assert Case.get_by_id(first).lead_proposer.name == "陈代表"
    assert case_card(first).timeline[0].changes[0][1:] == ("陈红（福田代表团） 某公司 总经理", "陈代表（福田代表团） 某公司 总经理")


def test_a_corrected_assignment_date_moves_the_deadlines(ledger, today):
    case_id = enter(assigned_on="2023-06-01").case_id
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    # The co-unit's opinion (会办意见, 交办 + 1 month) comes before the reply (交办 + 3 months).
    assert (Case.get_by_id(case_id).next_due, Case.get_by_id(case_id).next_milestone) == (d("2023-07-01"), "会办意见")
    correct(case_id, assigned_on="2023-06-03")
    stored = Case.get_by_id(case_id)
    assert stored.next_due == d("2023-07-03") and stored.next_milestone == "会办意见"
    assert run_sql('SELECT next_due FROM "case" WHERE id = ?', (case_id,)).fetchone()[0] == "2023-07-03"
    assert [row.next_due for row in ledger_rows()] == [d("2023-07-03")]
    assert {m.key: m.due for m in case_card(case_id).milestones}["reply"] == d("2023-09-03")
    actions.record_unit_opinion(case_id, OPERATOR, unit="市发展改革委", summary="同意", on=d("2023-06-20"))
    stored = Case.get_by_id(case_id)
    assert stored.next_due == d("2023-09-03") and stored.next_milestone == "答复"


def test_an_assignment_date_after_a_step_is_refused(ledger, today):
    case_id = enter(assigned_on="2023-06-01").case_id
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    refused_correction(case_id, "晚于签收日期", assigned_on="2023-06-06")
    actions.log_follow_up(case_id, OPERATOR, kind="查办", on=d("2023-06-04"))
    refused_correction(case_id, "查办", assigned_on="2023-06-05")


def test_a_role_change_follows_the_cases_state(ledger, today):
    case_id = enter(assigned_on="2023-06-01").case_id
    refused_correction(case_id, "承办件", role="承办")
    correct(case_id, role="承办", co_units=[])
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    actions.reply(case_id, OPERATOR, early_reason=EARLY, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")
    refused_correction(case_id, "不能改为汇办", role="汇办")
    refused_correction(case_id, "没有需要保存的修改", title="关于加快闭会期间建议办理的建议")
    refused_correction(case_id, "不能重复", number=enter(number="77").case_id and "77")
    refused_correction(case_id, "只收建议", kind="提案")
    refused_correction(case_id, "不能直接修改", status="已办结")


# ------------------------------------------------------------------------------ 更正


def replied(result_class="A"):
    case_id = enter(assigned_on="2023-06-01").case_id
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    actions.assign(case_id, OPERATOR, division=division())
    actions.reply(case_id, OPERATOR, early_reason=EARLY, on=d("2023-08-20"), doc_no=DOC_NO, result_class=result_class)
    return case_id


def version(case_id):
    return Case.get_by_id(case_id).version


def test_a_corrected_class_changes_the_figures(ledger, today):
    case_id = replied("A")
    other = enter(number="2").case_id
    actions.sign_for(other, OPERATOR, on=d("2023-08-05"))
    actions.reply(other, OPERATOR, early_reason=EARLY, on=d("2023-08-20"), doc_no="2号", result_class="A")
    assert session_statistics(session().id).by_class["A"] == 2
    recorded = entry.correct_reply(OPERATOR, case_id, reason="类别录错", result_class="B",
                                   expected_version=version(case_id))
    stats = session_statistics(session().id)
    for k in "ABCD":
        assert stats.by_class[k] == sql_count('"case"', "result_class = ? AND replied_on IS NOT NULL", k)
    assert (stats.by_class["A"], stats.by_class["B"]) == (1, 1)
    stored = Case.get_by_id(case_id)
    assert stored.result_class == "B" and stored.review_due == d("2023-11-20")
    timeline = case_card(case_id).timeline
    assert [e.kind for e in timeline[:2]] == ["更正", "答复"] and timeline[1].undone_by is None
    assert timeline[0].note == "类别录错" and ("答复类别", "A", "B") in timeline[0].changes
    assert Event.get_by_id(recorded.event_id).data["corrected_event"] == timeline[1].id
    assert sql_count("event", "case_id = ? AND kind = '更正'", case_id) == 1


def test_a_corrected_reply_date_and_number(ledger, today):
    case_id = replied("B")
    assert Case.get_by_id(case_id).review_due == d("2023-11-20")
    entry.correct_reply(OPERATOR, case_id, reason="日期录错", on="2023-08-18", doc_no="深政数函〔2023〕85号",
                        expected_version=version(case_id))
    stored = Case.get_by_id(case_id)
    assert (stored.replied_on, stored.reply_doc_no, stored.review_due) == (
        d("2023-08-18"), "深政数函〔2023〕85号", d("2023-11-18"))
    entry.correct_reply(OPERATOR, case_id, reason="类别", result_class="A", expected_version=version(case_id))
    assert Case.get_by_id(case_id).review_due is None


@pytest.mark.parametrize("kwargs, word", [
    ({"on": "2023-06-04"}, "早于签收日期"),
    ({"on": "2023-09-02"}, "晚于今天"),
    ({"result_class": "E"}, "答复类别"),
    ({"result_class": "A"}, "没有需要更正的内容"),
    ({"reason": ""}, "更正理由"),
])
def test_a_wrong_reply_correction_writes_nothing(ledger, today, kwargs, word):
    case_id = replied("A")
    values = {"reason": "录错"} | kwargs
    before, stored = counts(), rows_now()
    with pytest.raises(LedgerError) as info:
        entry.correct_reply(OPERATOR, case_id, expected_version=version(case_id), **values)
    assert word in str(info.value)
    assert counts() == before and rows_now() == stored


def test_a_reply_date_past_its_evaluation_is_refused(ledger, today):
    case_id = replied("A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=d("2023-08-25"))
    with pytest.raises(LedgerError, match="晚于其后的评价日期"):
        entry.correct_reply(OPERATOR, case_id, reason="录错", on="2023-08-26", expected_version=version(case_id))


def test_a_satisfied_evaluation_corrected_to_dissatisfied_starts_rehandling(ledger, today):
    case_id = replied("A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=d("2023-08-25"))
    actions.close(case_id, OPERATOR, on=d("2023-08-28"))
    entry.correct_evaluation(OPERATOR, case_id, reason="表格看错", evaluation="不满意",
                             expected_version=version(case_id))
    stored = Case.get_by_id(case_id)
    assert (stored.status, stored.evaluation, stored.rehandle_started_on, stored.closed_on) == (
        "重新办理", "不满意", d("2023-08-25"), None)
    assert {m.key: m.due for m in case_card(case_id).milestones}["rehandle"] == d("2023-09-25")
    assert stored.next_due is not None  # open again: the ledger counts it down
    assert session_statistics(session().id).by_evaluation["不满意"] == sql_count('"case"', "evaluation = '不满意'") == 1
    # and back again: the case is closed as it was
    entry.correct_evaluation(OPERATOR, case_id, reason="又核对", evaluation="满意", expected_version=version(case_id))
    stored = Case.get_by_id(case_id)
    assert (stored.status, stored.evaluation, stored.rehandle_started_on, stored.closed_on) == (
        "已办结", "满意", None, d("2023-08-28"))


def test_a_dissatisfied_evaluation_corrected_ends_rehandling(ledger, today):
    case_id = replied("A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    entry.correct_evaluation(OPERATOR, case_id, reason="录错", on="2023-08-26", expected_version=version(case_id))
    assert Case.get_by_id(case_id).rehandle_started_on == d("2023-08-26")
    entry.correct_evaluation(OPERATOR, case_id, reason="录错", evaluation="基本满意", expected_version=version(case_id))
    stored = Case.get_by_id(case_id)
    assert (stored.status, stored.evaluation, stored.rehandle_started_on, stored.evaluated_on) == (
        "已答复", "基本满意", None, d("2023-08-26"))
    assert stored.next_milestone == "公开"
    kinds = [e.kind for e in case_card(case_id).timeline]
    assert kinds[:3] == ["更正", "更正", "评价"]


def test_after_a_new_reply_the_first_evaluation_is_put_right_by_undo(ledger, today):
    case_id = replied("A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    actions.reply(case_id, OPERATOR, early_reason=EARLY, on=d("2023-08-30"), doc_no="重新答复号", result_class="A")
    before, stored = counts(), rows_now()
    with pytest.raises(LedgerError, match="请先撤销"):
        entry.correct_evaluation(OPERATOR, case_id, reason="录错", evaluation="满意", expected_version=version(case_id))
    assert counts() == before and rows_now() == stored
    # the new reply itself can be corrected: its date stays after the 不满意
    with pytest.raises(LedgerError, match="早于不满意评价日期"):
        entry.correct_reply(OPERATOR, case_id, reason="录错", on="2023-08-24", expected_version=version(case_id))
    entry.correct_reply(OPERATOR, case_id, reason="录错", on="2023-08-29", expected_version=version(case_id))
    stored = Case.get_by_id(case_id)
    assert (stored.replied_on, stored.rehandle_replied_on) == (d("2023-08-20"), d("2023-08-29"))


def test_an_evaluation_before_its_reply_is_refused(ledger, today):
    case_id = replied("A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=d("2023-08-25"))
    with pytest.raises(LedgerError, match="早于答复日期"):
        entry.correct_evaluation(OPERATOR, case_id, reason="录错", on="2023-08-19", expected_version=version(case_id))


# ------------------------------------------------------------------- 撤销 of a correction


def last_followup(case_id) -> str:
    """The cached 最近跟进 date, read with plain SQL."""
    raw = run_sql('SELECT last_followup_on FROM "case" WHERE id = ?', (case_id,)).fetchone()[0]
    return str(raw)[:10]


def undo(event_id):
    case_id = Event.get_by_id(event_id).case_id
    return actions.undo(event_id, OPERATOR, reason="撤销", expected_version=version(case_id))


def refused_undo(event_id, *words) -> str:
    """An undo that must be refused with a Chinese sentence holding `words`, writing nothing."""
    before, stored = counts(), rows_now()
    with pytest.raises(LedgerError) as info:
        undo(event_id)
    message = str(info.value)
    assert message.startswith("不能撤销这条") and all(word in message for word in words), message
    assert "Error" not in message and "UNIQUE" not in message
    assert counts() == before and rows_now() == stored
    assert sql_count("event", "undoes_id = ?", event_id) == 0
    return message


def test_undoing_a_corrected_assignment_date_waits_for_the_later_sign_for(ledger, today):
    case_id = enter(assigned_on="2023-06-10").case_id
    fixed = correct(case_id, assigned_on="2023-06-01").event_id
    signed = actions.sign_for(case_id, OPERATOR, on=d("2023-06-05")).event_id
    refused_undo(fixed, "交办日期2023-06-10", "签收日期2023-06-05")
    undo(signed)
    undo(fixed)
    assert run_sql('SELECT assigned_on FROM "case" WHERE id = ?', (case_id,)).fetchone()[0] \
        == "2023-06-10"
    assert last_followup(case_id) == "2023-06-10"


def test_undoing_a_role_correction_checks_the_co_units_added_since(ledger, today):
    case_id = enter(assigned_on="2023-06-01", role="承办", co_units=[]).case_id
    to_lead = correct(case_id, role="主办").event_id
    with_units = correct(case_id, co_units=["市发展改革委"]).event_id
    refused_undo(to_lead, "承办件", "汇办单位")  # a 人大 case: its co-units are 汇办单位
    undo(with_units)
    undo(to_lead)
    assert run_sql('SELECT role, co_units FROM "case" WHERE id = ?', (case_id,)).fetchone() \
        == ("承办", "[]")


def test_undoing_a_role_correction_after_a_reply_is_refused(ledger, today):
    case_id = enter(assigned_on="2023-06-01", role="汇办", co_units=[]).case_id
    to_lead = correct(case_id, role="主办").event_id
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    actions.reply(case_id, OPERATOR, early_reason=EARLY, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")
    refused_undo(to_lead, "已答复", "汇办")
    assert sql_count('"case"', "id = ? AND role = '主办' AND replied_on IS NOT NULL", case_id) == 1


def test_undoing_a_corrected_number_another_case_now_holds_is_refused(ledger, today, monkeypatch):
    case_id = enter(number="3").case_id
    renumbered = correct(case_id, number="30").event_id
    enter(number="3", title="另一件")
    refused_undo(renumbered, "第3号", "不能重复")
    # a clash the check cannot see (another workstation, PostgreSQL) is a sentence too, not the driver's text
    monkeypatch.setattr(corrections, "check_restored", lambda *args: None)  # what undo asks
    refused_undo(renumbered, "编号不能重复")
    assert sql_count('"case"', "number = '3'") == 1 and sql_count('"case"', "number = '30'") == 1


def test_undoing_a_corrected_reply_date_after_its_evaluation_is_refused(ledger, today):
    case_id = enter(assigned_on="2023-06-01").case_id
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-05"))
    actions.reply(case_id, OPERATOR, early_reason=EARLY, on=d("2023-08-10"), doc_no=DOC_NO, result_class="A")
    fixed = entry.correct_reply(OPERATOR, case_id, reason="日期录错", on="2023-08-01",
                                expected_version=version(case_id)).event_id
    evaluated = actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=d("2023-08-05")).event_id
    refused_undo(fixed, "答复日期2023-08-10", "评价日期2023-08-05")
    undo(evaluated)
    undo(fixed)
    assert sql_count('"case"', "id = ? AND replied_on = '2023-08-10' AND evaluation = ''", case_id) == 1


def test_undoing_a_corrected_evaluation_date_keeps_it_before_the_later_steps(ledger, today):
    closed = replied("A")
    actions.record_evaluation(closed, OPERATOR, evaluation="满意", on=d("2023-08-28"))
    fixed = entry.correct_evaluation(OPERATOR, closed, reason="录错", on="2023-08-22",
                                     expected_version=version(closed)).event_id
    actions.close(closed, OPERATOR, on=d("2023-08-25"))
    refused_undo(fixed, "评价日期2023-08-28", "办结")
    # a 不满意 whose date was corrected: the new reply after it stands in the way of a later date…
    late = enter(number="2", assigned_on="2023-06-01").case_id
    actions.sign_for(late, OPERATOR, on=d("2023-06-05"))
    actions.reply(late, OPERATOR, early_reason=EARLY, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")
    actions.record_evaluation(late, OPERATOR, evaluation="不满意", on=d("2023-08-28"))
    fixed = entry.correct_evaluation(OPERATOR, late, reason="录错", on="2023-08-25",
                                     expected_version=version(late)).event_id
    actions.reply(late, OPERATOR, early_reason=EARLY, on=d("2023-08-27"), doc_no="重新答复号", result_class="A")
    refused_undo(fixed, "评价日期2023-08-28", "重新答复日期2023-08-27")
    # …but not of an earlier one
    early = enter(number="3", assigned_on="2023-06-01").case_id
    actions.sign_for(early, OPERATOR, on=d("2023-06-05"))
    actions.reply(early, OPERATOR, early_reason=EARLY, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")
    actions.record_evaluation(early, OPERATOR, evaluation="不满意", on=d("2023-08-25"))
    fixed = entry.correct_evaluation(OPERATOR, early, reason="录错", on="2023-08-24",
                                     expected_version=version(early)).event_id
    actions.reply(early, OPERATOR, early_reason=EARLY, on=d("2023-08-27"), doc_no="重新答复号", result_class="A")
    undo(fixed)
    assert run_sql(
        'SELECT evaluated_on, rehandle_started_on, rehandle_replied_on FROM "case" WHERE id = ?', (early,)
    ).fetchone() == ("2023-08-25", "2023-08-25", "2023-08-27")


def test_undoing_a_corrected_assignment_date_keeps_the_extension_within_the_cap(ledger, today):
    case_id = enter(assigned_on="2023-06-01").case_id
    fixed = correct(case_id, assigned_on="2023-06-14").event_id
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-20"))
    actions.extend(case_id, OPERATOR, new_due=d("2023-12-10"), reason="需会商", approval="经交办机关同意")
    refused_undo(fixed, "上限")


# ---------------------------------------------------- a corrected 交办 date and its caches


def test_a_corrected_assignment_date_is_the_first_follow_up(ledger, today):
    """滞后 counts from 交办: the corrected date, not the one first entered (nor today's correction)."""
    later = enter(assigned_on="2023-06-01").case_id
    fixed = correct(later, assigned_on="2023-06-20").event_id
    assert last_followup(later) == "2023-06-20"
    undo(fixed)
    assert last_followup(later) == "2023-06-01"
    earlier = enter(number="2", assigned_on="2023-06-20").case_id
    correct(earlier, assigned_on="2023-06-01")
    assert last_followup(earlier) == "2023-06-01"
    signed = enter(number="3", assigned_on="2023-06-01").case_id
    actions.sign_for(signed, OPERATOR, on=d("2023-06-25"))
    correct(signed, assigned_on="2023-06-20")
    assert last_followup(signed) == "2023-06-25"  # the later 签收 still counts
    assert {row.case_id: row.last_followup_on for row in ledger_rows()} == {
        later: d("2023-06-01"), earlier: d("2023-06-01"), signed: d("2023-06-25")}


def test_a_corrected_assignment_date_keeps_an_extension_later_than_the_plain_due_date(ledger, today):
    late = enter(assigned_on="2023-06-01").case_id
    actions.sign_for(late, OPERATOR, on=d("2023-06-30"))
    actions.extend(late, OPERATOR, new_due=d("2023-09-15"), reason="需会商", approval="经交办机关同意")
    refused_correction(late, "延期（至2023-09-15）", assigned_on="2023-06-30")  # due 09-30 without it
    case_id = enter(number="2", assigned_on="2023-06-01").case_id
    actions.sign_for(case_id, OPERATOR, on=d("2023-06-15"))
    actions.extend(case_id, OPERATOR, new_due=d("2023-09-15"), reason="需会商", approval="经交办机关同意")
    refused_correction(case_id, "答复期限本为2023-09-15", assigned_on="2023-06-15")  # no longer an extension
    correct(case_id, assigned_on="2023-06-14")
    assert sql_count('"case"', "id = ? AND assigned_on = '2023-06-14' AND extended_due = '2023-09-15'", case_id) == 1
