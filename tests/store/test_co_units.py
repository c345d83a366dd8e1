"""The other units on a case, in the store: each co-unit's opinion on a 主办 case (单位意见), chasing
one (单位催办), the reply's 会签 and its reason when it comes before every opinion, each other
unit's own reply on a 分办 case (分办答复), and where the desk shows them (the ledger's and the
board's 会办意见 2/3, the weekly checklist, the 单位催办 letter, `duban check`, the fixtures).
Every figure is checked against plain SQL on the ledger file.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

import fixtures
from store import actions, clock
from store.co_units import missing_units, unit_states
from store.db import close_database, open_database
from store.errors import LedgerError
from store.io.unit_notice import save_unit_notice, save_unit_notice_files, unit_urge_notice
from store.ledger_check import check_ledger
from store.models import Case, Event
from store.queries import case_card, division_cases, ledger_rows, load_calendar, rules_for
from store.rules import milestones, unit_opinion_due
from store.steps import steps_for
from store.weekly import checklist

from store_helpers import (
    CPPCC_SESSION,
    OPERATOR,
    assigned_case,
    case,
    d,
    division,
    last_event,
    new_case,
    office_date,
    refused,
    session,
)
from store_helpers import run_sql

UNITS = ["市公安局", "市交通运输局"]
DOC_NO = "深政数函〔2023〕84号"


def sql(query: str, *params):
    return run_sql(query, params).fetchall()


def stored_counts(case_id: int) -> tuple[int, int]:
    return tuple(sql('SELECT units_expected, units_received FROM "case" WHERE id = ?', case_id)[0])


def stored_progress(case_id: int) -> dict:
    return json.loads(sql('SELECT unit_progress FROM "case" WHERE id = ?', case_id)[0][0])


def leading(number: str = "20230489", units=UNITS, **fields) -> int:
    """A 主办 case with co-units, assigned 2023-06-01, signed 2023-06-05 and given to a division."""
    return assigned_case(number, co_units=list(units), **fields)


# ------------------------------------------------------------------------ 单位意见


def test_an_opinion_is_recorded_on_an_empty_ledger(ledger, today):
    case_id = leading()
    assert stored_counts(case_id) == (2, 0)  # set at 交办 already
    recorded = actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意答复口径", on=d("2023-06-20"))
    assert recorded.message == "第20230489号：市公安局的汇办意见已收到"
    assert stored_counts(case_id) == (2, 1)
    assert stored_progress(case_id) == {"市公安局": {"received_on": "2023-06-20", "summary": "同意答复口径"}}
    event = last_event(case_id)
    assert (event.kind, event.on_date, event.note, event.data["unit"]) == ("单位意见", d("2023-06-20"), "同意答复口径", "市公安局")
    assert event.data["before"] == {"unit_progress": {}}
    assert sql("SELECT COUNT(*) FROM event WHERE kind = '单位意见'") == [(1,)]
    assert missing_units(case(case_id)) == ["市交通运输局"]


def test_a_second_opinion_from_the_same_unit_replaces_the_first(ledger, today):
    case_id = leading()
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="初步意见", on=d("2023-06-20"))
    again = actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="正式意见", on=d("2023-06-25"))
    assert "已更新" in again.message
    assert stored_counts(case_id) == (2, 1)
    assert stored_progress(case_id)["市公安局"] == {"received_on": "2023-06-25", "summary": "正式意见"}
    assert sql("SELECT COUNT(*) FROM event WHERE kind = '单位意见' AND case_id = ?", case_id) == [(2,)]


def test_opinions_are_refused_with_a_sentence_and_nothing_written(ledger, today):
    case_id = leading()
    refused(actions.record_unit_opinion, case_id, OPERATOR, unit="市教育局", summary="x",
            word="应为：市公安局、市交通运输局")
    refused(actions.record_unit_opinion, case_id, OPERATOR, unit="市公安局", summary="  ", word="请填写意见摘要")
    refused(actions.record_unit_opinion, case_id, OPERATOR, unit="市公安局", summary="x", on=d("2023-06-03"),
            word="早于签收日期")
    refused(actions.record_unit_opinion, case_id, OPERATOR, unit="市公安局", summary="x", on=d("2023-09-02"),
            word="晚于今天")
    unsigned = new_case("20230490", co_units=UNITS)
    refused(actions.record_unit_opinion, unsigned, OPERATOR, unit="市公安局", summary="x", word="尚未签收")
    sole = assigned_case("20230491", role="承办")
    refused(actions.record_unit_opinion, sole, OPERATOR, unit="市公安局", summary="x", word="承办件")
    alone = leading("20230492", units=[])
    refused(actions.record_unit_opinion, alone, OPERATOR, unit="市公安局", summary="x", word="没有汇办单位")
    split = assigned_case("20230493", role="分办", co_units=["市民政局"])
    refused(actions.record_unit_opinion, split, OPERATOR, unit="市民政局", summary="x", word="请记录分办答复")
    refused(actions.record_split_reply, case_id, OPERATOR, unit="市公安局", word="不是分办件")


def test_undo_puts_the_progress_and_the_caches_back(ledger, today):
    case_id = leading()
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    second = actions.record_unit_opinion(case_id, OPERATOR, unit="市交通运输局", summary="无意见", on=d("2023-06-22"))
    assert stored_counts(case_id) == (2, 2)
    actions.undo(second.event_id, OPERATOR, reason="录错了")
    assert stored_counts(case_id) == (2, 1)
    assert set(stored_progress(case_id)) == {"市公安局"}
    assert missing_units(case(case_id)) == ["市交通运输局"]


def test_one_units_record_is_undone_after_records_about_another_unit(ledger, today):
    case_id = leading()
    first = actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    actions.urge_unit(case_id, OPERATOR, unit="市交通运输局", note="请尽快报送")
    actions.undo(first.event_id, OPERATOR, reason="误录")
    progress = stored_progress(case_id)
    assert "市公安局" not in progress and progress["市交通运输局"]["urged"] == 1
    assert stored_counts(case_id) == (2, 0)
    # the same unit changed since: refused in the office's words, nothing written
    again = actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="修改后的意见", on=d("2023-06-21"))
    events = run_sql("SELECT COUNT(*) FROM event").fetchone()[0]
    with pytest.raises(LedgerError, match="各单位意见和会签") as refusal:
        actions.undo(again.event_id, OPERATOR, reason="误录")
    assert "unit_progress" not in refusal.value.message
    assert run_sql("SELECT COUNT(*) FROM event").fetchone()[0] == events


# ------------------------------------------------------------------------ 单位催办


def test_urging_a_unit_is_not_the_bureaus_own_urge(ledger, today):
    case_id = leading()
    first = actions.urge_unit(case_id, OPERATOR, unit="市交通运输局", note="请尽快反馈")
    event = Event.get_by_id(first.event_id)
    want = load_calendar().add_working_days(today, rules_for(case(case_id).session_id).urge_respond_working_days).day
    assert (event.kind, event.respond_by, event.note, event.data["unit"]) == ("单位催办", want, "请尽快反馈", "市交通运输局")
    assert "第1次" in first.message
    office_date("2023-09-04")
    actions.urge_unit(case_id, OPERATOR, unit="市交通运输局", respond_by=d("2023-09-08"))
    entry = stored_progress(case_id)["市交通运输局"]
    assert (entry["urged"], entry["last_urged_on"]) == (2, "2023-09-04")
    assert sql('SELECT urge_count, urge_level FROM "case" WHERE id = ?', case_id) == [(0, 0)]
    assert sql("SELECT COUNT(*) FROM event WHERE kind = '单位催办'") == [(2,)]
    assert sql("SELECT COUNT(*) FROM event WHERE kind = '催办'") == [(0,)]
    assert stored_counts(case_id) == (2, 0)  # chasing is not receiving


def test_urging_a_unit_is_refused_when_it_cannot_be(ledger, today):
    case_id = leading()
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    refused(actions.urge_unit, case_id, OPERATOR, unit="市公安局", word="已于2023-06-20收到")
    refused(actions.urge_unit, case_id, OPERATOR, unit="市教育局", word="应为：市公安局、市交通运输局")
    refused(actions.urge_unit, case_id, OPERATOR, unit="市交通运输局", respond_by=d("2023-08-01"), word="已经过去")
    actions.record_unit_opinion(case_id, OPERATOR, unit="市交通运输局", summary="同意", on=d("2023-06-21"))
    refused(actions.urge_unit, case_id, OPERATOR, unit="市交通运输局", word="均已收到")
    split = assigned_case("20230493", role="分办", co_units=["市民政局"])
    refused(actions.urge_unit, split, OPERATOR, unit="市民政局", word="分办件")
    replied = leading("20230494")
    actions.reply(replied, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A", early_reason="时间紧")
    refused(actions.urge_unit, replied, OPERATOR, unit="市公安局", word="已于2023-08-20答复")


# ------------------------------------------------------------------- 答复: 会签 and 提前答复


def test_a_reply_before_every_opinion_needs_its_reason(ledger, today):
    case_id = leading()
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    error = refused(actions.reply, case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A",
                    word="尚未收到市交通运输局的汇办意见")
    assert "市公安局" not in str(error)
    recorded = actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A",
                             early_reason="答复期限将至，已电话征得市交通运输局同意")
    assert "已记录提前答复理由" in recorded.message
    assert sql('SELECT reply_early_reason, replied_on FROM "case" WHERE id = ?', case_id) == [
        ("答复期限将至，已电话征得市交通运输局同意", "2023-08-20")]
    event = Event.get_by_id(recorded.event_id)
    assert event.note == "答复期限将至，已电话征得市交通运输局同意"
    assert event.data["missing_units"] == ["市交通运输局"]
    assert case_card(case_id).reply_early_reason == "答复期限将至，已电话征得市交通运输局同意"


def test_the_reply_records_who_signed_it_off(ledger, today):
    case_id = leading()
    for unit, day in zip(UNITS, ("2023-06-20", "2023-06-28")):
        actions.record_unit_opinion(case_id, OPERATOR, unit=unit, summary="同意", on=d(day))
    refused(actions.reply, case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A",
            countersigned=["市教育局"], word="会签单位“市教育局”不是")
    recorded = actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A",
                             countersigned=["市公安局"])
    assert "市公安局已会签" in recorded.message
    progress = stored_progress(case_id)
    assert progress["市公安局"]["signed_off_on"] == "2023-08-20"
    assert "signed_off_on" not in progress["市交通运输局"]
    assert sql('SELECT reply_early_reason FROM "case" WHERE id = ?', case_id) == [("",)]  # none was needed
    states = {state.name: state for state in case_card(case_id).units}
    assert states["市公安局"].signed_off_on == d("2023-08-20") and states["市交通运输局"].signed_off_on is None
    actions.undo(recorded.event_id, OPERATOR)
    assert "signed_off_on" not in stored_progress(case_id)["市公安局"]


def test_countersigning_fits_only_a_leading_case(ledger, today):
    split = assigned_case("20230493", role="分办", co_units=["市民政局"])
    refused(actions.reply, split, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A",
            countersigned=["市民政局"], word="会签只用于主办件")
    sole = assigned_case("20230491", role="承办")
    actions.reply(sole, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")  # no unit, no reason asked
    assert sql('SELECT status FROM "case" WHERE id = ?', sole) == [("已答复",)]


def test_a_new_reply_after_dissatisfaction_follows_the_same_rules(ledger, today):
    case_id = leading()
    actions.reply(case_id, OPERATOR, on=d("2023-08-10"), doc_no=DOC_NO, result_class="A", early_reason="期限将至")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=d("2023-08-15"))
    refused(actions.reply, case_id, OPERATOR, on=d("2023-08-30"), doc_no="2号", result_class="A",
            word="尚未收到市公安局、市交通运输局的汇办意见")
    for unit in UNITS:
        actions.record_unit_opinion(case_id, OPERATOR, unit=unit, summary="补充意见", on=d("2023-08-20"))
    actions.reply(case_id, OPERATOR, on=d("2023-08-30"), doc_no="2号", result_class="A", countersigned=UNITS)
    assert sql('SELECT rehandle_replied_on FROM "case" WHERE id = ?', case_id) == [("2023-08-30",)]
    assert all(entry["signed_off_on"] == "2023-08-30" for entry in stored_progress(case_id).values())


# ----------------------------------------------------------------------- the milestone


def test_the_opinions_milestone_is_done_when_all_are_in_or_at_the_reply(ledger, today):
    case_id = leading()
    rules, calendar = rules_for(case(case_id).session_id), load_calendar()
    due = unit_opinion_due(case(case_id), rules, calendar)
    assert due == d("2023-07-01")  # 交办 2023-06-01 + 1 month (not moved off the Saturday by default)

    def units_milestone():
        return next(m for m in milestones(case(case_id), rules, calendar) if m.key == "units")

    assert units_milestone().done_on is None and units_milestone().label == "会办意见"
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    actions.record_unit_opinion(case_id, OPERATOR, unit="市交通运输局", summary="同意", on=d("2023-07-10"))
    assert units_milestone().done_on == d("2023-07-10")  # the latest of them
    states = {s.name: s.state for s in unit_states(case(case_id), today, due)}
    assert states == {"市公安局": "已收到", "市交通运输局": "逾期收到"}
    other = leading("20230495")
    actions.reply(other, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A", early_reason="期限将至")
    done = next(m for m in milestones(case(other), rules, calendar) if m.key == "units")
    assert done.done_on == d("2023-08-20")
    pending = {s.name: s.state for s in unit_states(case(other), today, due)}
    # answered before they came: no longer awaited, so not counted late
    assert pending == {"市公安局": "未报送（已答复）", "市交通运输局": "未报送（已答复）"}
    assert not any(s.late for s in unit_states(case(other), today, due))
    # opinions that arrive after the early reply do not reopen the milestone nor move its date
    actions.record_unit_opinion(other, OPERATOR, unit="市公安局", summary="补报", on=d("2023-08-25"))
    actions.record_unit_opinion(other, OPERATOR, unit="市交通运输局", summary="补报", on=d("2023-08-26"))
    done = next(m for m in milestones(case(other), rules, calendar) if m.key == "units")
    assert done.done_on == d("2023-08-20")


def test_an_overdue_opinion_is_on_the_weekly_checklist_naming_the_units(ledger, today):
    office_date("2023-06-26")
    case_id = leading()
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    item = next(i for i in checklist(d("2023-06-26")) if i.case_id == case_id)
    assert "汇办意见7日内到期" in item.reasons
    later = next(i for i in checklist(d("2023-07-06")) if i.case_id == case_id)
    assert "汇办意见已逾期5天（市交通运输局未报）" in later.reasons
    office_date("2023-07-06")
    actions.record_unit_opinion(case_id, OPERATOR, unit="市交通运输局", summary="同意", on=d("2023-07-06"))
    after = [i for i in checklist(d("2023-07-06")) if i.case_id == case_id]
    assert not after or not any("汇办意见" in reason for reason in after[0].reasons)


# ------------------------------------------------------------------------ 分办答复


def test_a_split_case_notes_each_other_units_reply(ledger, today):
    case_id = assigned_case("20230493", role="分办", co_units=["市民政局", "市公安局"])
    recorded = actions.record_split_reply(case_id, OPERATOR, unit="市民政局", on=d("2023-08-01"),
                                          doc_no="深民函〔2023〕5号", summary="已答复代表")
    assert "分办答复已记录" in recorded.message
    assert stored_counts(case_id) == (2, 1)
    assert stored_progress(case_id)["市民政局"] == {"replied_on": "2023-08-01", "doc_no": "深民函〔2023〕5号",
                                                   "summary": "已答复代表"}
    assert last_event(case_id).kind == "分办答复"
    row = next(r for r in ledger_rows() if r.case_id == case_id)
    assert row.units_progress == "分办答复 1/2"
    states = {s.name: s.state for s in case_card(case_id).units}
    assert states == {"市民政局": "已答复", "市公安局": "未答复"}
    # The bureau replies its own part without waiting for the others.
    actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A")
    edited = actions.edit_case(case_id, OPERATOR, own_part="负责政务数据共享部分")
    assert sql('SELECT own_part FROM "case" WHERE id = ?', case_id) == [("负责政务数据共享部分",)]
    assert Event.get_by_id(edited.event_id).data["after"] == {"own_part": "负责政务数据共享部分"}


# --------------------------------------------------------------- the ledger and the board


def test_the_ledger_and_the_board_show_the_progress_from_the_caches(ledger, today):
    first = leading()
    second = leading("20230496", units=["市民政局"])
    sole = assigned_case("20230491", role="承办")
    actions.record_unit_opinion(first, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    expected = {case_id: f"汇办意见 {received}/{total}" if total else ""
                for case_id, total, received in sql('SELECT id, units_expected, units_received FROM "case"')}
    assert expected == {first: "汇办意见 1/2", second: "汇办意见 0/1", sole: ""}
    assert {row.case_id: row.units_progress for row in ledger_rows()} == expected
    board = {row.case_id: row.units_progress for row in division_cases(division().id)}
    assert board == expected


def test_the_steps_say_when_the_units_can_be_recorded_and_chased(ledger, today):
    case_id = leading()
    answer = steps_for(case(case_id))
    assert answer["unit_opinion"] is None and answer["unit_urge"] is None
    unsigned = new_case("20230490", co_units=UNITS)
    assert "尚未签收" in steps_for(case(unsigned))["unit_opinion"]
    sole = assigned_case("20230491", role="承办")
    assert "承办件" in steps_for(case(sole))["unit_urge"]
    assert case_card(case_id).steps["unit_opinion"] is None


# --------------------------------------------------------------------- 单位催办 letter


def test_the_unit_notice_asks_for_the_opinion(ledger, today, tmp_path):
    cppcc = session(CPPCC_SESSION, body="政协")
    case_id = leading(session_row=cppcc, title="关于推进公共数据开放的提案", kind="提案", lead_unit="市政务服务数据管理局")
    actions.urge_unit(case_id, OPERATOR, unit="市公安局", respond_by=d("2023-09-06"))
    letter = unit_urge_notice(case_id, "市公安局", today=today)
    assert letter.title == "关于商请反馈会办意见的函"
    assert letter.to == "市公安局" and letter.signer == "市政务服务数据管理局" and letter.date == today
    text = "\n".join(letter.paragraphs)
    for piece in ("第20230489号", "关于推进公共数据开放的提案", "2023年6月1日交办", "应于2023年7月1日前反馈",
                  "已逾期62天", "2023年9月6日前"):
        assert piece in text, piece
    assert "此前已催办" not in text  # the urge recorded today is this letter itself
    later = d("2023-09-04")
    text = "\n".join(unit_urge_notice(case_id, "市公安局", today=later).paragraphs)
    assert "此前已催办1次（最近一次为2023年9月1日）" in text
    path = save_unit_notice(letter, tmp_path)
    assert path.name == "单位催办函-市公安局-20230901.txt"
    assert "关于商请反馈会办意见的函" in path.read_text(encoding="utf-8-sig")
    text_file, word_file = save_unit_notice_files(letter, tmp_path)
    assert text_file.name == "单位催办函-市公安局-20230901-2.txt" and word_file.suffix == ".docx"
    from store.io.docx_letter import docx_texts

    assert docx_texts(word_file) == letter.paragraphs and "关于商请反馈会办意见的函" in docx_texts(word_file)
    npc = leading("20230497")
    assert unit_urge_notice(npc, "市公安局", today=today).title == "关于商请反馈汇办意见的函"
    actions.record_unit_opinion(npc, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    with pytest.raises(Exception, match="无需发催办函"):
        unit_urge_notice(npc, "市公安局", today=today)
    with pytest.raises(Exception, match="不是第20230497号的汇办单位"):
        unit_urge_notice(npc, "市教育局", today=today)
    # answered: no letter chases an opinion the reply no longer waits for (as `U` refuses)
    actions.reply(npc, OPERATOR, on=d("2023-08-20"), doc_no=DOC_NO, result_class="A", early_reason="期限将至")
    with pytest.raises(LedgerError, match="无需再向市交通运输局催收汇办意见"):
        unit_urge_notice(npc, "市交通运输局", today=today)
    from store.io.documents import case_documents

    assert [doc.unit for doc in case_documents(npc)] == [""]  # the form only, no 单位催办函
    open_case = leading("20230498")
    assert [doc.unit for doc in case_documents(open_case)] == ["", "市公安局", "市交通运输局"]


# ------------------------------------------------------------------ check, migration, fixtures


def test_duban_check_finds_counts_that_disagree_with_the_progress(ledger, today):
    case_id = leading()
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    assert [f for f in check_ledger().findings if f.kind == "会办单位计数"] == []
    run_sql('UPDATE "case" SET units_received = 2 WHERE id = ?', (case_id,))
    found = [f for f in check_ledger().findings if f.kind == "会办单位计数"]
    assert len(found) == 1 and "1/2" in found[0].text and found[0].case_id == case_id


def test_a_version_4_ledger_is_migrated_with_its_counts(tmp_path, today):
    path = tmp_path / "v4.db"
    shutil.copy(Path(__file__).parent.parent / "ledgers" / "schema-v4.db", path)
    raw = sqlite3.connect(path)
    want = {case_id: (len(set(json.loads(units))) if role in ("主办", "分办") else 0)
            for case_id, role, units in raw.execute('SELECT id, role, co_units FROM "case"')}
    raw.close()
    assert any(want.values())
    open_database(path)
    try:
        got = dict(sql('SELECT id, units_expected FROM "case"'))
        assert got == want
        assert sql('SELECT COUNT(*) FROM "case" WHERE units_received != 0') == [(0,)]
        assert [f for f in check_ledger().findings if f.kind == "会办单位计数"] == []
        # answered before the desk recorded opinions: nothing is said late that the ledger never held
        from store.io.summary_full import full_summary_text
        from store.summary_figures import summary_figures

        replied = sql('SELECT COUNT(*) FROM "case" WHERE role = \'主办\' AND units_expected > 0 '
                      'AND replied_on IS NOT NULL')[0][0]
        assert replied > 0
        from store.rules import add_months

        for (session_id,) in sql("SELECT id FROM session"):
            rows = sql('SELECT assigned_on, units_expected FROM "case" WHERE session_id = ? AND role = \'主办\' '
                       'AND units_expected > 0 AND replied_on IS NULL', session_id)
            # none received yet: every unit of an unanswered case past its month (交办 + 1 month) is late
            late = sum(units for assigned, units in rows if today > add_months(d(str(assigned)[:10]), 1))
            figures = summary_figures(session_id, today=today)
            assert figures.units_late == late
            if not late:
                assert "意见逾期" not in full_summary_text(session_id, today=today)
    finally:
        close_database()


def test_the_live_demo_has_its_co_units_and_a_case_for_the_tour(ledger):
    day = dt.date(2024, 5, 20)
    clock.fix_today(day)
    try:
        fixtures.seed("live")
        rules_of = {}
        open_late = []
        tour = []
        for row in Case.select().where(Case.role == "主办"):
            rules = rules_of.setdefault(row.session_id, rules_for(row.session_id))
            due = unit_opinion_due(row, rules, load_calendar())
            missing = missing_units(row)
            if missing and row.replied_on is None and day > due:
                open_late.append(row.number)
            if row.signed_on and row.division_id and len(missing) == 2 == row.units_expected and day <= due:
                tour.append(row.number)
        assert open_late == []  # no false 逾期未报
        assert tour  # a signed, assigned case with two co-units, nothing in, not yet due
        kinds = dict(sql("SELECT kind, COUNT(*) FROM event WHERE kind IN ('单位意见', '单位催办', '分办答复') GROUP BY kind"))
        assert kinds["单位意见"] >= 20 and kinds["单位催办"] >= 1 and kinds["分办答复"] >= 1
        assert [f for f in check_ledger().findings if f.severity == "错误"] == []
    finally:
        clock.fix_today(None)


def test_sz2023_has_every_opinion_in_before_its_reply(ledger):
    fixtures.seed("sz2023")
    for row in Case.select().where(Case.role.in_(("主办", "分办"))):
        assert row.units_expected and row.units_received == row.units_expected, row.number
        assert missing_units(row) == []
    late = sql("""SELECT COUNT(*) FROM event e JOIN "case" c ON c.id = e.case_id
                  WHERE e.kind = '单位意见' AND (e.on_date > c.replied_on OR e.on_date < c.signed_on)""")
    assert late == [(0,)]
    assert [f for f in check_ledger().findings if f.severity == "错误"] == []
