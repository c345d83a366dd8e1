"""征询意见表: sending and chasing the evaluation form, its return with 办理工作 and 办理结果, the
figures (sent, returned, 待收回, past due) against plain SQL, 待收回 never counted as a late step
of the bureau's, and the printable form."""

from __future__ import annotations

import pytest

from store_helpers import (
    OPERATOR,
    assigned_case,
    case,
    d,
    last_event,
    new_case,
    office_date,
    refused,
    replied_case,
    session,
)

from store import actions
from store.form_figures import form_figure_lines
from store.io.evaluation_form import evaluation_form, form_stem, save_form
from store.io.letter import letter_text
from store.queries import case_card, load_calendar, rules_for
from store.rules import milestones
from store.statistics import session_statistics
from store.steps import steps_for
from store_helpers import run_sql

REPLIED = d("2023-08-20")  # replied_case's reply (a Sunday)


def sql(query: str, *params):
    return run_sql(query, params).fetchone()[0]


def standing(kind: str) -> int:
    """Events of `kind` not undone, counted in plain SQL."""
    return sql("SELECT COUNT(*) FROM event WHERE kind = ? AND id NOT IN "
               "(SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL)", kind)


def form_row(case_id: int) -> tuple:
    return run_sql(
        'SELECT form_sent_on, form_sent_how, form_holder, form_due, form_urge_count, form_returned_on, '
        'evaluation_work FROM "case" WHERE id = ?', (case_id,)).fetchone()


# ------------------------------------------------------------------------------ the actions


def test_send_form_records_the_form_and_its_due_date(ledger, today):
    case_id = replied_case()
    done = actions.send_form(case_id, OPERATOR, how="当面送达", holder="张代表", on="2023-08-21")
    # 2023-08-21 (Mon) + 20 working days, no holiday between: 2023-09-18.
    assert form_row(case_id) == ("2023-08-21", "当面送达", "张代表", "2023-09-18", 0, None, "")
    event = last_event(case_id)
    assert (event.kind, event.on_date, event.note) == ("送征询表", d("2023-08-21"), "张代表")
    assert event.data["after"]["form_due"] == "2023-09-18"
    assert "2023-09-18" in done.message and "当面送达" in done.message
    card = case_card(case_id)
    assert card.form is not None and card.form.state(today) == "待收回"
    assert steps_for(case(case_id))["form_chase"] is None


def test_the_evaluation_milestone_counts_from_the_form_by_its_rule_through_a_holiday(ledger, today):
    office_date("2023-10-10")
    six = session("市七届人大四次会议", rules={"form_return_working_days": 5})
    case_id = replied_case(session_row=six)
    actions.send_form(case_id, OPERATOR, how="电子", on="2023-09-25")
    # 09-26, 09-27, 09-28 work; 09-29…10-06 is the National Day holiday; 10-07 and 10-08 are 调休 working days.
    assert form_row(case_id)[3] == "2023-10-08"
    evaluation = next(m for m in milestones(case(case_id), rules_for(six.id), load_calendar()) if m.key == "evaluation")
    assert (evaluation.due, evaluation.working_days, evaluation.done) == (d("2023-10-08"), True, False)
    # the default rule (20 working days) from the same day goes on to 10-27
    other = replied_case("20230490")
    actions.send_form(other, OPERATOR, how="随答复", on="2023-09-25")
    assert form_row(other)[3] == "2023-10-27"


def test_send_form_refusals_write_nothing(ledger, today):
    waiting = assigned_case("20230001")
    refused(actions.send_form, waiting, OPERATOR, how="随答复", word="尚未答复")
    case_id = replied_case("20230002")
    refused(actions.send_form, case_id, OPERATOR, how="快递", word="送达方式")
    refused(actions.send_form, case_id, OPERATOR, how="随答复", on="2023-08-19", word="早于答复日期")
    refused(actions.send_form, case_id, OPERATOR, how="随答复", on="2023-09-02", word="晚于今天")
    refused(actions.send_form, case_id, OPERATOR, how="随答复", holder="张" * 101, word="持表人过长")
    refused(actions.send_form, case_id, "", how="随答复", word="操作人")
    contributing = new_case("20230003", role="汇办")
    refused(actions.send_form, contributing, OPERATOR, how="随答复", word="汇办件")
    actions.send_form(case_id, OPERATOR, how="随答复", on="2023-08-20")
    refused(actions.send_form, case_id, OPERATOR, how="电子", word="尚未收回")


def test_chase_form_counts_each_reminder(ledger, today):
    case_id = replied_case()
    refused(actions.chase_form, case_id, OPERATOR, word="尚未送出征询意见表")
    refused(actions.chase_form, assigned_case("20230002"), OPERATOR, word="尚未答复")
    actions.send_form(case_id, OPERATOR, how="随答复", on="2023-08-21")
    refused(actions.chase_form, case_id, OPERATOR, on="2023-08-20", word="早于征询意见表送出日期")
    first = actions.chase_form(case_id, OPERATOR, note="电话提醒", on="2023-08-28")
    second = actions.chase_form(case_id, OPERATOR)
    assert form_row(case_id)[4] == 2 == standing("催收征询表")
    assert "第2次" in second.message and "第1次" in first.message
    assert (last_event(case_id).kind, last_event(case_id).on_date) == ("催收征询表", today)
    assert case(case_id).urge_count == 0  # chasing the proposer is not an urge of the division


def test_the_form_comes_back_with_the_evaluation(ledger, today):
    case_id = replied_case()
    actions.send_form(case_id, OPERATOR, how="随答复", on="2023-08-21")
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", work="很好", word="办理工作")
    refused(actions.record_evaluation, case_id, OPERATOR, evaluation="满意", on="2023-08-20",
            word="早于征询意见表送出日期")
    done = actions.record_evaluation(case_id, OPERATOR, evaluation="满意", work="基本满意", on="2023-08-30")
    assert "办理工作基本满意" in done.message and "办理结果满意" in done.message
    row = form_row(case_id)
    assert (row[5], row[6]) == ("2023-08-30", "基本满意")
    assert case(case_id).evaluation == "满意"
    assert case_card(case_id).form.state(today) == "已收回"
    refused(actions.chase_form, case_id, OPERATOR, word="已于2023-08-30收回")
    refused(actions.send_form, case_id, OPERATOR, how="随答复", word="无需再送")


def test_an_evaluation_without_a_form_sent_is_still_recorded(ledger, today):
    case_id = replied_case()
    done = actions.record_evaluation(case_id, OPERATOR, evaluation="基本满意", on="2023-08-25")
    assert done.message == "第20230489号代表评价：基本满意"
    assert form_row(case_id)[0] is None and form_row(case_id)[5:] == ("2023-08-25", "")


def test_undo_restores_each_step(ledger, today):
    case_id = replied_case()
    sent = actions.send_form(case_id, OPERATOR, how="随答复", holder="联络员", on="2023-08-21")
    chased = actions.chase_form(case_id, OPERATOR, on="2023-08-28")
    back = actions.record_evaluation(case_id, OPERATOR, evaluation="满意", work="满意", on="2023-08-30")
    refused(actions.undo, sent.event_id, OPERATOR, word="请先撤销后来的记录")
    actions.undo(back.event_id, OPERATOR, reason="录错")
    assert form_row(case_id) == ("2023-08-21", "随答复", "联络员", "2023-09-18", 1, None, "")
    assert case(case_id).evaluation == ""
    actions.undo(chased.event_id, OPERATOR, reason="录错")
    assert form_row(case_id)[4] == 0
    actions.undo(sent.event_id, OPERATOR, reason="录错")
    assert form_row(case_id) == (None, "", "", None, 0, None, "")
    stats = session_statistics(session().id)
    assert (stats.forms.sent, stats.forms.outstanding, stats.forms.chases) == (0, 0, 0)
    assert standing("送征询表") == standing("催收征询表") == 0


def test_after_dissatisfied_and_the_new_reply_a_second_form_goes_out(ledger, today):
    case_id = replied_case()
    actions.send_form(case_id, OPERATOR, how="随答复", on="2023-08-21")
    actions.chase_form(case_id, OPERATOR, on="2023-08-22")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", work="不满意", on="2023-08-23")
    refused(actions.send_form, case_id, OPERATOR, how="随答复", word="正在重新办理")
    actions.reply(case_id, OPERATOR, on=d("2023-08-28"), doc_no="深政数函〔2023〕90号", result_class="A")
    refused(actions.send_form, case_id, OPERATOR, how="随答复", on="2023-08-27", word="早于重新答复日期")
    actions.send_form(case_id, OPERATOR, how="电子", on="2023-08-29")
    assert form_row(case_id)[:6] == ("2023-08-29", "电子", "", "2023-09-26", 0, None)
    # the second form's date written on it is the 再次评价 deadline; the first 评价 keeps its own
    due = {m.key: m for m in milestones(case(case_id), rules_for(session().id), load_calendar())}
    assert (due["reevaluation"].due, due["reevaluation"].done) == (d("2023-09-26"), False)
    assert (due["evaluation"].done_on, due["evaluation"].done) == (d("2023-08-23"), True)
    stats = session_statistics(session().id)
    assert (stats.forms.sent, stats.forms.returned, stats.forms.outstanding) == (2, 1, 1)
    assert stats.forms.sent == standing("送征询表")
    assert stats.forms.by_work["不满意"] == 1  # the latest form's 办理工作 stands until the next one
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", work="基本满意", on="2023-09-01")
    stats = session_statistics(session().id)
    assert (stats.forms.sent, stats.forms.returned, stats.forms.outstanding) == (2, 2, 0)
    assert stats.forms.by_work == {"满意": 0, "基本满意": 1, "不满意": 0}
    assert stats.after_rehandling == {"满意": 1}


# ------------------------------------------------------------------------------ the figures


def build_forms() -> dict[str, int]:
    """Five replied cases: no form; back on time; out; back late; 不满意 then a second form out."""
    office_date("2023-09-01")
    ids = {name: replied_case(f"2023050{n}") for n, name in enumerate(("none", "on_time", "out", "late", "again"))}
    for name in ("on_time", "out", "late", "again"):
        actions.send_form(ids[name], OPERATOR, how="随答复", on="2023-08-21")  # due 2023-09-18
    actions.record_evaluation(ids["on_time"], OPERATOR, evaluation="满意", work="满意", on="2023-08-30")
    actions.record_evaluation(ids["again"], OPERATOR, evaluation="不满意", work="基本满意", on="2023-08-25")
    actions.reply(ids["again"], OPERATOR, on=d("2023-08-28"), doc_no="深政数函〔2023〕91号", result_class="A")
    actions.send_form(ids["again"], OPERATOR, how="电子", on="2023-08-29")  # due 2023-09-26
    actions.chase_form(ids["out"], OPERATOR, on="2023-08-31")
    office_date("2023-09-20")
    actions.record_evaluation(ids["late"], OPERATOR, evaluation="基本满意", on="2023-09-20")
    return ids


def sql_figures(today: str) -> dict:
    outstanding = sql('SELECT COUNT(*) FROM "case" WHERE form_sent_on IS NOT NULL AND form_returned_on IS NULL')
    return {
        "sent": standing("送征询表"),
        "returned": standing("送征询表") - outstanding,
        "returned_late": sql('SELECT COUNT(*) FROM "case" WHERE form_returned_on > form_due'),
        "outstanding": outstanding,
        "outstanding_overdue": sql('SELECT COUNT(*) FROM "case" WHERE form_sent_on IS NOT NULL '
                                   'AND form_returned_on IS NULL AND form_due < ?', today),
        "chases": standing("催收征询表"),
        "work": {name: sql('SELECT COUNT(*) FROM "case" WHERE evaluation_work = ?', name)
                 for name in ("满意", "基本满意", "不满意")},
    }


def figures(stats) -> dict:
    forms = stats.forms
    return {"sent": forms.sent, "returned": forms.returned, "returned_late": forms.returned_late,
            "outstanding": forms.outstanding, "outstanding_overdue": forms.outstanding_overdue,
            "chases": forms.chases, "work": forms.by_work}


def test_the_figures_agree_with_plain_sql_as_the_ledger_changes(ledger, today):
    ids = build_forms()
    stats = session_statistics(session().id, today=d("2023-09-20"))
    assert figures(stats) == sql_figures("2023-09-20")
    assert figures(stats) == {"sent": 5, "returned": 3, "returned_late": 1, "outstanding": 2,
                              "outstanding_overdue": 1, "chases": 1,
                              "work": {"满意": 1, "基本满意": 1, "不满意": 0}}
    # a week later the second form of "again" is past its due date (09-26) too
    later = session_statistics(session().id, today=d("2023-09-27"))
    assert figures(later) == sql_figures("2023-09-27") and later.forms.outstanding_overdue == 2
    # the late return taken back: that form is out again, and past due
    actions.undo(last_event(ids["late"]).id, OPERATOR, reason="录错")
    stats = session_statistics(session().id, today=d("2023-09-20"))
    assert figures(stats) == sql_figures("2023-09-20")
    assert (stats.forms.returned_late, stats.forms.outstanding, stats.forms.outstanding_overdue) == (0, 3, 2)
    # the figures are those of the session asked for
    assert session_statistics(session("市政协七届三次会议", body="政协").id).forms.sent == 0
    assert session_statistics(None, today=d("2023-09-20")).forms == stats.forms


def test_the_screen_lines_say_the_form_figures(ledger, today):
    build_forms()
    lines = form_figure_lines(session_statistics(session().id, today=d("2023-09-20")))
    assert lines[0] == "征询意见表　送出5份：已收回3份（逾期收回1份），待收回2份（已过收回期限1份）；催收1次"
    assert lines[1].startswith("　　办理工作评价：满意 1　基本满意 1　不满意 0；办理结果评价：")
    assert "（1件未填办理工作评价）" in lines[1]  # "late" came back with its result only
    assert lines[2] == "　　待收回的征询意见表等待代表返回，不计入逾期未办结"


def test_a_form_outstanding_is_never_a_late_step_of_the_bureaus(ledger, today):
    ids = build_forms()
    for case_id in ids.values():
        if case(case_id).status != "重新办理":
            actions.record_disclosure(case_id, OPERATOR, decision="公开", on="2023-09-20")
    office_date("2023-11-01")  # every form out is long past its due date
    stats = session_statistics(session().id)
    assert stats.forms.outstanding_overdue == 2 == sql_figures("2023-11-01")["outstanding_overdue"]
    assert {case(ids["out"]).next_milestone, case(ids["again"]).next_milestone} == {"评价", "再次评价"}
    assert stats.overdue_open == 0
    assert stats.awaiting_evaluation == 3  # "none", "out", "again": replied, no verdict on the latest reply
    # the control: a bureau step past due (公开 not decided) is counted
    open_step = replied_case("20230599")
    actions.send_form(open_step, OPERATOR, how="随答复", on="2023-09-01")
    assert session_statistics(session().id).overdue_open == 1


def test_an_empty_ledger_counts_no_forms(ledger, today):
    stats = session_statistics(None)
    assert sql('SELECT COUNT(*) FROM "case"') == 0 and standing("送征询表") == 0
    assert figures(stats) == {"sent": 0, "returned": 0, "returned_late": 0, "outstanding": 0,
                              "outstanding_overdue": 0, "chases": 0,
                              "work": {"满意": 0, "基本满意": 0, "不满意": 0}}
    assert form_figure_lines(stats)[0] == "征询意见表　送出0份：已收回0份（逾期收回0份），待收回0份（已过收回期限0份）；催收0次"
    assert len(form_figure_lines(stats)) == 2
    with pytest.raises(actions.LedgerError, match="找不到"):
        evaluation_form(1)


# ------------------------------------------------------------------------------ the printable form


def test_the_printable_form(ledger, today, tmp_path):
    proposer = actions.ensure_proposer("王大明", kind="代表")
    case_id = replied_case(lead_unit="市政务服务数据管理局", lead_proposer=proposer)
    letter = evaluation_form(case_id)
    assert letter.title == "代表对建议办理情况征询意见表"
    assert letter.to == "王大明代表" and letter.signer == "市政务服务数据管理局" and letter.date == today
    rows = dict(row for block in letter.body for row in block.rows)
    assert rows["届次"] == "市七届人大三次会议" and rows["编号"] == "第20230489号"
    assert rows["领衔代表"] == "王大明" and rows["承办单位（本局）"] == "市政务服务数据管理局"
    assert rows["答复文号"] == "深政数函〔2023〕84号" and rows["答复日期"] == "2023年8月20日"
    assert rows["办理工作评价"] == rows["办理结果评价"] == "□满意　□基本满意　□不满意"
    assert rows["意见和建议"] == "" and "代表签名" in rows and "日期" in rows
    assert "前将本表" not in letter_text(letter)  # not sent yet: no due date to ask for
    actions.send_form(case_id, OPERATOR, how="当面送达", on="2023-08-21")
    letter = evaluation_form(case_id)
    assert letter.date == d("2023-08-21")
    assert "于2023年9月18日前将本表返回市政务服务数据管理局办公室" in letter.paragraphs[-3]
    path = save_form(letter, tmp_path)
    assert path.name == "征询意见表-第20230489号-20230821.txt" == f"{form_stem(letter)}.txt"
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("代表对建议办理情况征询意见表")
    assert "办理工作评价    □满意　□基本满意　□不满意" in text  # the text file writes a tab as spaces
    assert save_form(letter, tmp_path).name == "征询意见表-第20230489号-20230821-2.txt"
    # 不满意, a new reply: the form printed for the second round carries none of the first form's dates
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", work="基本满意", on="2023-08-30")
    with pytest.raises(actions.LedgerError, match="正在重新办理"):  # no form to print until the new reply
        evaluation_form(case_id)
    actions.reply(case_id, OPERATOR, on=d("2023-08-31"), doc_no="深政数函〔2023〕95号", result_class="A")
    second = evaluation_form(case_id)
    rows = dict(row for block in second.body for row in block.rows)
    assert rows["答复日期"] == "2023年8月31日" and second.date == today
    assert "前将本表" not in letter_text(second) and "9月18日" not in letter_text(second)


def test_the_form_in_the_words_of_a_cppcc_case_and_its_refusals(ledger, today, tmp_path):
    cppcc = session("市政协七届三次会议", body="政协")
    case_id = replied_case("20230100", session_row=cppcc, title="关于\x1b]2;x\x07数据开放的提案")
    letter = evaluation_form(case_id)
    assert letter.title == "委员对提案办理情况征询意见表" and letter.signer == "本局"
    rows = dict(row for block in letter.body for row in block.rows)
    assert "委员签名" in rows and rows["领衔委员"] == "" and rows["标题"] == "关于\x1b]2;x\x07数据开放的提案"
    assert "\x1b" not in save_form(letter, tmp_path).read_text(encoding="utf-8-sig")
    with pytest.raises(actions.LedgerError, match="尚未答复"):
        evaluation_form(assigned_case("20230101", session_row=cppcc))
    with pytest.raises(actions.LedgerError, match="会办件"):
        evaluation_form(new_case("20230102", role="汇办", session_row=cppcc))

