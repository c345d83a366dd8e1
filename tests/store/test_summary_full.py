"""The whole summary (工作总结, 四部分) on sz2023 and on copies altered to change each sentence.

Every figure the letter states is checked against a count made with plain SQL, and each
alteration (a face-to-face contact more, no leader-led case, a late reply, an outstanding form,
回头看 due, a typical case marked and unmarked) must change the wording it bears — and only
say what the data hold. An empty ledger gives a letter with 一、基本情况 only.
"""

from __future__ import annotations

import datetime as dt

import pytest

import fixtures
from store import actions, clock
from store.errors import LedgerError
from store.io.letter import HEADING, SUBHEADING, letter_text
from store.io.summary import summary_paragraph
from store.summary_figures import summary_figures
from store.io.summary_full import NO_TYPICAL_NOTE, full_summary, full_summary_text
from store.models import Case, Event
from store.statistics import session_statistics
from store_helpers import run_sql

SZ_TODAY = dt.date(2023, 9, 19)
OPERATOR = "王秘书"
STANDING = "e.id NOT IN (SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL)"


def sql(query: str, *params):
    return run_sql(query, params).fetchall()


def events(session_id: int, kind: str, extra: str = "") -> int:
    return sql(f'SELECT COUNT(*) FROM event e JOIN "case" c ON c.id = e.case_id WHERE c.session_id = ? '
               f"AND e.kind = ? AND {STANDING} {extra}", session_id, kind)[0][0]


def contacts(session_id: int, method: str) -> int:
    return events(session_id, "沟通", f"AND e.method = '{method}'")


def headings(letter) -> list[str]:
    return [block.text for block in letter.body if block.kind == HEADING]


def subheadings(letter) -> list[str]:
    return [block.text for block in letter.body if block.kind == SUBHEADING]


def case_id(number: str) -> int:
    return sql('SELECT id FROM "case" WHERE number = ?', number)[0][0]


def new_case(session_id: int, number: str, assigned: str, role: str = "主办") -> int:
    made = actions.create_case(OPERATOR, session=session_id, number=number, title=f"测试件{number}", role=role,
                               assigned_on=dt.date.fromisoformat(assigned), lead_unit="市政务服务数据管理局").case_id
    actions.sign_for(made, OPERATOR, on=dt.date.fromisoformat(assigned) + dt.timedelta(days=3))
    return made


@pytest.fixture
def sz2023(ledger):
    clock.fix_today(SZ_TODAY)
    fixtures.seed("sz2023")
    yield sql("SELECT id FROM session")[0][0]
    clock.fix_today(None)


def test_sz2023_has_four_parts_drafted_from_the_figures(sz2023):
    letter = full_summary(sz2023, today=SZ_TODAY)
    text = full_summary_text(sz2023, today=SZ_TODAY)
    assert letter.title == "关于报送2023年人大代表建议办理工作总结的函"
    assert letter.to == "市人大办公厅、市政府督查室" and "市人大办公厅、市政府督查室：" in text
    assert letter.signer == "市政务服务数据管理局" and letter.date == SZ_TODAY and "2023年9月19日" in text
    # 一、基本情况 is summary.py's paragraphs, unchanged
    basic = summary_paragraph(session_statistics(sz2023, today=SZ_TODAY)).split("\n")
    paragraphs = letter.paragraphs
    start = paragraphs.index("一、基本情况")
    assert paragraphs[start + 1:start + 1 + len(basic)] == basic
    # 二、主要做法
    (led,) = sql('SELECT COUNT(*) FROM "case" WHERE session_id = ? AND leader_led', sz2023)[0]
    names = sql('SELECT p.title, p.name FROM "case" c JOIN person p ON p.id = c.leader_id '
                "WHERE c.session_id = ? AND c.leader_led", sz2023)
    assert led == 1 and len(names) == 1
    assert f"局领导领办建议{led}件，由{names[0][0]}{names[0][1]}领办。" in text
    divisions, owners, cases = sql('SELECT COUNT(DISTINCT division_id), COUNT(DISTINCT owner_id), COUNT(*) '
                                   'FROM "case" WHERE session_id = ?', sz2023)[0]
    assert f"将{cases}件建议的办理责任逐件明确到部门、到岗、到人，分派到{divisions}个处室、{owners}名责任人" in text
    checks, asks, urges = (events(sz2023, kind) for kind in ("查办", "询办", "催办"))
    assert (checks, asks, urges) == (29, 9, 6)
    assert f"共查办{checks}次、询办{asks}次、催办{urges}次。" in text
    total = events(sz2023, "沟通")
    phone, visits, meetings = (contacts(sz2023, m) for m in ("电话", "上门拜访", "座谈面商"))
    assert (total, phone) == (27, 21)  # the figure
    assert f"与代表沟通联系{total}次（电话{phone}次、上门拜访{visits}次、座谈面商{meetings}次）" in text
    assert contacts(sz2023, "共同调研") == 0 and "共同调研0次" not in text  # none held: not named
    assert f"通过座谈面商与代表面对面研究办理工作{meetings}次。" in text
    assert "每周检查" not in text  # sz2023 holds no weekly check
    led_cases, expected, received = sql('SELECT COUNT(*), SUM(units_expected), SUM(units_received) FROM "case" '
                                        "WHERE session_id = ? AND role = '主办' AND units_expected > 0", sz2023)[0]
    if received:
        assert f"我局主办的{led_cases}件建议涉及汇办单位{expected}家次，已收到汇办意见{received}份" in text
    else:
        assert "已收到汇办意见" not in text
    # 三: nothing marked — left out, and said in the notes
    assert not any("典型案例" in h for h in headings(letter)) and letter.drafting_notes == (NO_TYPICAL_NOTE,)
    # 四 (numbered 三 when 三 is left out): the seed's own problem, with its figure
    assert headings(letter) == ["一、基本情况", "二、主要做法", "三、存在的问题及下一步改进措施"]
    assert f"与代表沟通多数是通过电话形式进行（沟通联系{total}次中电话{phone}次，占77.8%），面对面研究建议缺乏" in text
    (review,) = sql('SELECT COUNT(*) FROM "case" WHERE session_id = ? AND review_due IS NOT NULL', sz2023)[0]
    assert f"{review}件答复中承诺的事项尚在落实、有待回头看" in text and "已到回头看日期" not in text
    assert "逾期答复" not in text and "待收回" not in text


def test_more_face_to_face_contact_drops_the_phone_sentence(sz2023):
    target = case_id("20230692")
    for _ in range(16):  # 21 phone of 43: below half
        actions.log_follow_up(target, OPERATOR, kind="沟通", method="共同调研", stage="办中", note="现场调研")
    total, phone, research = events(sz2023, "沟通"), contacts(sz2023, "电话"), contacts(sz2023, "共同调研")
    assert (total, phone) == (43, 21) and phone * 2 < total
    text = full_summary_text(sz2023, today=SZ_TODAY)
    assert "多数是通过电话形式" not in text and "面对面研究建议缺乏" not in text
    assert f"与代表沟通联系{total}次（电话{phone}次、上门拜访2次、座谈面商4次、共同调研{research}次）" in text


def test_phone_at_exactly_half_is_not_most(sz2023):
    target = case_id("20230692")
    for _ in range(15):  # 21 of 42
        actions.log_follow_up(target, OPERATOR, kind="沟通", method="上门拜访", stage="办后", note="走访")
    assert contacts(sz2023, "电话") * 2 == events(sz2023, "沟通")
    assert "多数是通过电话形式" not in full_summary_text(sz2023, today=SZ_TODAY)


def test_no_leader_led_case_leaves_the_leadership_section_out(sz2023):
    run_sql('UPDATE "case" SET leader_led = FALSE')
    letter = full_summary(sz2023, today=SZ_TODAY)
    text = full_summary_text(sz2023, today=SZ_TODAY)
    assert "领办" not in text and "加强组织领导" not in text
    assert subheadings(letter)[0] == "（一）建立完整台账，明确工作责任"


def test_an_unassigned_case_withholds_the_every_case_claim(sz2023):
    new_case(sz2023, "20239905", "2023-08-01")  # signed, not assigned
    text = full_summary_text(sz2023, today=SZ_TODAY)
    (assigned,) = sql('SELECT COUNT(*) FROM "case" WHERE division_id IS NOT NULL AND owner_id IS NOT NULL')[0]
    assert "逐件明确" not in text and f"已将{assigned}件建议的办理责任分派到" in text


def test_a_late_reply_is_a_problem_with_a_next_step(sz2023):
    made = new_case(sz2023, "20239901", "2023-03-10")  # due 06-10
    actions.reply(made, OPERATOR, on=dt.date(2023, 7, 15), doc_no="测试〔2023〕1号", result_class="A")
    text = full_summary_text(sz2023, today=SZ_TODAY)
    problems = text.split("存在的问题及下一步改进措施")[1]
    assert "部分办理环节未按期限完成（逾期答复1件），办理时效有待提高" in problems
    assert "突出抓好时效" in problems.split("下一步")[1]


def test_a_reply_before_every_opinion_is_counted_with_the_late_opinions(sz2023):
    made = actions.create_case(OPERATOR, session=sz2023, number="20239902", title="测试件", role="主办",
                               assigned_on=dt.date(2023, 3, 10), lead_unit="市政务服务数据管理局",
                               co_units=["市公安局", "市交通运输局"]).case_id
    actions.sign_for(made, OPERATOR, on=dt.date(2023, 3, 13))
    actions.record_unit_opinion(made, OPERATOR, unit="市公安局", summary="同意", on=dt.date(2023, 4, 1))
    before = full_summary_text(sz2023, today=SZ_TODAY).split("存在的问题及下一步改进措施")[1]
    assert "未收齐时先行答复" not in before and "意见逾期1家次" in before  # 市交通运输局: due 04-10, still out
    actions.reply(made, OPERATOR, on=dt.date(2023, 5, 20), doc_no="测试〔2023〕2号", result_class="A",
                  early_reason="主要意见已收到，期限将至")
    early = sql('SELECT COUNT(*) FROM "case" WHERE reply_early_reason <> \'\' AND replied_on IS NOT NULL')[0][0]
    assert early == 1
    problems = full_summary_text(sz2023, today=SZ_TODAY).split("存在的问题及下一步改进措施")[1]
    # once answered, the opinion still out is not awaited any more: the early reply is what is said
    assert f"{early}件在汇办意见未收齐时先行答复" in problems and "意见逾期1家次" not in problems


def test_weekly_checks_are_the_weeks_a_case_was_checked_in(sz2023):
    from store.weekly import open_review, week_of

    week = week_of(SZ_TODAY)
    open_review(week, OPERATOR, today=SZ_TODAY)  # the list is fixed, nothing checked yet
    assert summary_figures(sz2023, today=SZ_TODAY).weekly_reviews == 0
    assert "每周检查" not in full_summary_text(sz2023, today=SZ_TODAY).split("二、主要做法")[1].split("三、")[0]
    actions.mark_reviewed(case_id("20230489"), OPERATOR, week, note="已检查")
    actions.mark_reviewed(case_id("20230215"), OPERATOR, week, note="已检查")
    checks = sql("SELECT COUNT(*) FROM event WHERE kind = '查办' AND data LIKE '%weekly_review%'")[0][0]
    assert checks == 2
    assert f"开展每周检查1次，检查{checks}件次" in full_summary_text(sz2023, today=SZ_TODAY)


def test_an_outstanding_form_is_named_and_its_overdue_part(sz2023):
    target = case_id("20230356")
    run_sql('UPDATE "case" SET form_sent_on = ?, form_due = ?, form_returned_on = NULL '
                             "WHERE id = ?", ("2023-07-01", "2023-07-28", target))
    (out,) = sql('SELECT COUNT(*) FROM "case" WHERE form_sent_on IS NOT NULL AND form_returned_on IS NULL')[0]
    text = full_summary_text(sz2023, today=SZ_TODAY)
    assert out == 1 and f"已送出的征询意见表中尚有{out}份待收回，其中1份已过收回期限" in text
    assert "及时催收征询意见表" in text
    run_sql('UPDATE "case" SET form_returned_on = ? WHERE id = ?', ("2023-08-01", target))
    assert "待收回" not in full_summary_text(sz2023, today=SZ_TODAY)


def test_review_due_is_said_when_its_date_has_come(sz2023):
    later = dt.date(2023, 11, 20)  # 20230738's 回头看 was planned for 2023-11-14
    text = full_summary_text(sz2023, today=later)
    assert "1件答复中承诺的事项尚在落实、有待回头看，其中1件已到回头看日期" in text
    assert "定期进行回头检查" in text
    run_sql('UPDATE "case" SET review_due = NULL')
    assert "回头看" not in full_summary_text(sz2023, today=later).split("二、主要做法")[1]


def test_a_typical_case_marked_and_unmarked(sz2023):
    target = case_id("20230489")
    case = Case.get_by_id(target)
    before = events(sz2023, "典型案例")
    done = actions.mark_typical(target, OPERATOR, note="探索出一条符合超大型城市特点的基层治理新路径",
                                expected_version=case.version)
    assert events(sz2023, "典型案例") == before + 1
    assert sql('SELECT is_typical, typical_note FROM "case" WHERE id = ?', target)[0][0] == 1
    letter = full_summary(sz2023, today=SZ_TODAY)
    assert headings(letter) == ["一、基本情况", "二、主要做法", "三、办理建议的典型案例和取得的主要成效",
                                "四、存在的问题及下一步改进措施"]
    assert f"（一）第20230489号{case.title}" in subheadings(letter) and not letter.drafting_notes
    paragraph = letter.paragraphs[letter.paragraphs.index(f"（一）第20230489号{case.title}") + 1]
    assert paragraph.startswith(case.reply_summary.strip())
    assert f"（{case.reply_doc_no}）" in paragraph and "答复类别为A类（已经解决或基本解决）" in paragraph
    assert paragraph.endswith("探索出一条符合超大型城市特点的基层治理新路径。")

    actions.mark_typical(case_id("20230215"), OPERATOR)  # a second: ordered by number
    assert [s for s in subheadings(full_summary(sz2023, today=SZ_TODAY)) if "第2023" in s][:2] == [
        f"（一）第20230215号{Case.get_by_id(case_id('20230215')).title}", f"（二）第20230489号{case.title}"]

    actions.mark_typical(target, OPERATOR, typical=False, note="另选")
    actions.mark_typical(case_id("20230215"), OPERATOR, typical=False)
    assert sql('SELECT COUNT(*) FROM "case" WHERE is_typical')[0][0] == 0
    letter = full_summary(sz2023, today=SZ_TODAY)
    assert letter.drafting_notes == (NO_TYPICAL_NOTE,) and not any("典型案例" in h for h in headings(letter))
    # the mark is taken back by undo too
    last = Event.select().where((Event.case == target) & (Event.kind == "典型案例")).order_by(Event.id.desc()).first()
    assert last.id > done.event_id
    actions.undo(last.id, OPERATOR, reason="仍作典型")
    assert sql('SELECT is_typical FROM "case" WHERE id = ?', target)[0][0] == 1


def test_marking_a_case_typical_is_not_a_follow_up(sz2023):
    """Staleness reads the last follow-up: a mark for the year's summary (and its undo) moves nothing."""
    target = case_id("20230489")
    followed = sql('SELECT last_followup_on FROM "case" WHERE id = ?', target)[0][0]
    marked = actions.mark_typical(target, OPERATOR)
    assert sql('SELECT last_followup_on FROM "case" WHERE id = ?', target)[0][0] == followed
    actions.undo(marked.event_id, OPERATOR, reason="标错了")
    assert sql('SELECT last_followup_on FROM "case" WHERE id = ?', target)[0][0] == followed


def test_mark_typical_refusals_write_nothing(sz2023):
    count = sql("SELECT COUNT(*) FROM event")[0][0]
    for number, typical, sentence in (("20230105", True, "汇办件"), ("20230489", False, "没有标记为典型案例")):
        with pytest.raises(LedgerError, match=sentence):
            actions.mark_typical(case_id(number), OPERATOR, typical=typical)
    unanswered = new_case(sz2023, "20239906", "2023-08-01")
    count = sql("SELECT COUNT(*) FROM event")[0][0]
    with pytest.raises(LedgerError, match="尚未答复，答复后才能标记为典型案例"):
        actions.mark_typical(unanswered, OPERATOR)
    actions.mark_typical(case_id("20230489"), OPERATOR, note="说明")
    with pytest.raises(LedgerError, match="已标记为典型案例"):
        actions.mark_typical(case_id("20230489"), OPERATOR, note="说明")
    with pytest.raises(LedgerError, match="操作人"):
        actions.mark_typical(case_id("20230489"), " ", note="新说明")
    assert sql("SELECT COUNT(*) FROM event")[0][0] == count + 1


def test_a_typical_case_with_no_reply_summary_says_only_what_is_held(sz2023):
    made = new_case(sz2023, "20239907", "2023-05-10")
    actions.reply(made, OPERATOR, on=dt.date(2023, 7, 1), doc_no="测试〔2023〕7号", result_class="C")
    actions.mark_typical(made, OPERATOR)
    letter = full_summary(sz2023, today=SZ_TODAY)
    index = letter.paragraphs.index("（一）第20239907号测试件20239907")
    assert letter.paragraphs[index + 1] == ("我局已于2023年7月1日书面答复（测试〔2023〕7号），"
                                            "答复类别为C类（因条件限制或其他原因暂时不能解决）。")


def test_an_empty_session_says_only_what_is_true(ledger):
    clock.fix_today(SZ_TODAY)
    try:
        session = actions.ensure_session("市七届人大四次会议", body="人大", year=2023)
        letter = full_summary(session.id, today=SZ_TODAY)
        assert headings(letter) == ["一、基本情况"]
        assert letter.paragraphs == [
            "关于报送2023年人大代表建议办理工作总结的函", "市人大办公厅、市政府督查室：",
            "现将我局2023年人大代表建议办理工作情况总结报送如下：", "一、基本情况",
            "市七届人大四次会议期间，我局未接收市人大代表建议。", "专此函报。", "2023年9月19日"]
        assert letter.drafting_notes == (NO_TYPICAL_NOTE,)  # for the office, not in the letter
        assert NO_TYPICAL_NOTE not in letter_text(letter)
        assert letter.signer == ""  # no 主办/承办 case names the bureau
        with pytest.raises(LedgerError, match="找不到"):
            full_summary(session.id + 1, today=SZ_TODAY)
    finally:
        clock.fix_today(None)


def test_a_cppcc_session_is_addressed_to_its_committee(ledger):
    clock.fix_today(SZ_TODAY)
    try:
        session = actions.ensure_session("市七届政协二次会议", body="政协", year=2023)
        letter = full_summary(session.id, today=SZ_TODAY)
        assert letter.title == "关于报送2023年政协委员提案办理工作总结的函"
        assert letter.to == "市政协提案委员会、市政府督查室"
    finally:
        clock.fix_today(None)
