"""One vocabulary per body: a 政协 case speaks of 提案, 委员, 会办, 会办意见, 委员评价 in every
message, card, row, notice, report, export and summary; a 人大 case of 建议, 代表, 汇办,
汇办意见, 代表评价. The role is stored as 汇办 either way (checked with plain SQL).

Each body's texts are scanned for the other body's words; the cases' titles, names and
units are chosen free of either body's words, so every hit is the desk's own wording.
"""

from __future__ import annotations

import pytest

from store import actions, entry, queries
from store.errors import LedgerError
from store.io.export import ledger_export_rows, ledger_records
from store.io.notice import urge_notice
from store.io.summary import summary_paragraph
from store.io.weekly_report import to_markdown, weekly_report
from store.statistics import session_statistics
from store.steps import refusal
from store.vocabulary import checked_role, milestone_label, role_label, stored_role, words
from store.weekly import checklist

from store_helpers import CPPCC_SESSION, NPC_SESSION, OPERATOR, d, division, office_date, session
from store_helpers import run_sql

BODIES = {
    # body: (session name, the body's own words, the other body's words)
    "政协": (CPPCC_SESSION, ("提案", "委员", "会办", "会办意见", "委员评价"), ("建议", "代表", "汇办")),
    "人大": (NPC_SESSION, ("建议", "代表", "汇办", "汇办意见", "代表评价"), ("提案", "委员", "会办")),
}
NEUTRAL_TITLE = "关于推进城市数字孪生底座的"  # neither 建议 nor 提案
LEAD_UNIT = "市发展改革委"


def stored_role_of(case_id: int) -> str:
    return run_sql('SELECT role FROM "case" WHERE id = ?', (case_id,)).fetchone()[0]


def clean(text: str, forbidden: tuple[str, ...]) -> None:
    hits = [word for word in forbidden if word in text]
    assert not hits, f"{hits} in: {text}"


@pytest.fixture(params=list(BODIES))
def desk(request, ledger, today):
    """One session of the body: a 汇办/会办 case given by its body's name (opinion sent), an open
    one whose opinion is overdue, and a 主办 case taken through reply, 不满意, re-reply, 满意, 公开."""
    body = request.param
    name, own, other = BODIES[body]
    row = session(name, body=body)
    contributing_name = words(body).contributing  # 会办 on 政协, 汇办 on 人大
    office_date("2023-06-01")
    messages: list[str] = []

    def case(number, role):
        result = actions.create_case(OPERATOR, session=row, number=number, title=NEUTRAL_TITLE, role=role,
                                     assigned_on=d("2023-06-01"), lead_unit=LEAD_UNIT)
        messages.append(result.message)
        messages.append(actions.sign_for(result.case_id, OPERATOR, on=d("2023-06-01")).message)
        actions.assign(result.case_id, OPERATOR, division=division())
        return result.case_id

    sent = case("0001", contributing_name)
    waiting = case("0002", contributing_name)
    lead = case("0003", "主办")
    office_date("2023-06-20")
    messages.append(actions.record_opinion_sent(sent, OPERATOR, summary="同意主办单位意见", on=d("2023-06-20")).message)
    office_date("2023-08-01")
    messages.append(actions.reply(lead, OPERATOR, on=d("2023-08-01"), doc_no="深政数函〔2023〕84号",
                                  result_class="A").message)
    messages.append(actions.record_evaluation(lead, OPERATOR, evaluation="不满意", on=d("2023-08-01")).message)
    messages.append(actions.reply(lead, OPERATOR, on=d("2023-08-01"), doc_no="深政数函〔2023〕90号",
                                  result_class="A").message)
    messages.append(actions.record_evaluation(lead, OPERATOR, evaluation="满意", on=d("2023-08-01")).message)
    messages.append(actions.record_disclosure(lead, OPERATOR, decision="公开", on=d("2023-08-01")).message)
    office_date("2023-09-01")
    return {"body": body, "session": row, "own": own, "other": other, "sent": sent, "waiting": waiting,
            "lead": lead, "messages": messages}


def test_the_contributing_role_is_stored_as_huiban_whatever_it_was_called(desk):
    for case_id in (desk["sent"], desk["waiting"]):
        assert stored_role_of(case_id) == "汇办"
    assert stored_role_of(desk["lead"]) == "主办"
    # 会办 given to a case of the other body is read as 汇办 too (the importer always has).
    other = "人大" if desk["body"] == "政协" else "政协"
    other_row = session(BODIES[other][0], body=other)
    given = "会办" if other == "人大" else "汇办"
    result = actions.create_case(OPERATOR, session=other_row, number="0009", title=NEUTRAL_TITLE, role=given,
                                 assigned_on=d("2023-08-01"), lead_unit=LEAD_UNIT)
    assert stored_role_of(result.case_id) == "汇办"


def test_every_action_message_speaks_the_body(desk):
    from store.models import Event

    opinion = Event.get((Event.case == desk["sent"]) & (Event.kind == "汇办意见"))  # the stored kind
    undone = actions.undo(opinion.id, OPERATOR).message
    text = "\n".join(desk["messages"] + [undone])
    clean(text, desk["other"])
    said = words(desk["body"])
    assert undone == f"已撤销第0001号的{said.opinion}记录"
    assert f"{said.opinion}已报送{LEAD_UNIT}" in text
    assert f"{said.evaluation}：不满意，开始重新办理" in text and f"{said.evaluation}：满意" in text


def test_the_refusals_speak_the_body(desk):
    said = words(desk["body"])
    lead, sent = queries.case_card(desk["lead"]), queries.case_card(desk["sent"])
    from store.models import Case

    lead_row, sent_row = Case.get_by_id(desk["lead"]), Case.get_by_id(desk["sent"])
    sentences = [refusal(lead_row, "opinion"), refusal(sent_row, "reply"), refusal(sent_row, "evaluate"),
                 refusal(sent_row, "disclose"), refusal(sent_row, "extend"), refusal(sent_row, "review")]
    for call, kwargs in ((actions.record_opinion_sent, {"summary": "意见"}),):
        with pytest.raises(LedgerError) as info:
            call(desk["lead"], OPERATOR, **kwargs)
        sentences.append(str(info.value))
    with pytest.raises(LedgerError) as info:
        actions.record_evaluation(desk["sent"], OPERATOR, evaluation="满意")
    sentences.append(str(info.value))
    with pytest.raises(LedgerError) as info:
        actions.reply(desk["sent"], OPERATOR, doc_no="1号", result_class="A")
    sentences.append(str(info.value))
    with pytest.raises(LedgerError) as info:  # the role's name in the refusal of a wrong one
        actions.create_case(OPERATOR, session=desk["session"], number="0010", title=NEUTRAL_TITLE, role="独办",
                            assigned_on=d("2023-08-01"))
    sentences.append(str(info.value))
    with pytest.raises(LedgerError) as info:  # a contributing case names its lead unit
        actions.create_case(OPERATOR, session=desk["session"], number="0011", title=NEUTRAL_TITLE,
                            role=said.contributing, assigned_on=d("2023-08-01"))
    sentences.append(str(info.value))
    text = "\n".join(s for s in sentences if s)
    assert len([s for s in sentences if s]) == len(sentences)  # every one of them was refused
    clean(text, desk["other"])
    assert f"由本局答复{said.proposer}，不报送{said.opinion}" in text
    assert f"是{said.contributing}件，{said.proposer}评价的是主办单位的答复" in text
    assert f"应为：主办、承办、分办、{said.contributing}" in text
    assert f"{said.contributing}件须填写主办单位（本局向其报送{said.opinion}）" in text
    assert lead.session_body == sent.session_body == desk["body"]


def test_the_card_and_the_ledger_row_carry_the_body(desk):
    said = words(desk["body"])
    card = queries.case_card(desk["waiting"])
    assert card.session_body == desk["body"] and card.role == "汇办"  # stored value kept on the card
    assert role_label(card.role, card.session_body) == said.contributing
    labels = [m.label for m in card.milestones]
    assert labels == ["签收", said.opinion]
    clean(" ".join(labels + [m.countdown for m in card.milestones]), desk["other"])
    done = queries.case_card(desk["sent"])
    assert any(m.countdown == f"{said.opinion}按时完成" for m in done.milestones)
    rows = {row.case_id: row for row in queries.ledger_rows(session_id=desk["session"].id)}
    assert {row.body for row in rows.values()} == {desk["body"]}
    waiting = rows[desk["waiting"]]
    assert (waiting.role, waiting.role_label, waiting.next_milestone) == ("汇办", said.contributing, said.opinion)
    for row in rows.values():
        clean(" ".join((row.role_label, row.next_milestone, row.countdown)), desk["other"])


def test_the_notice_the_checklist_and_the_weekly_report_speak_the_body(desk):
    said = words(desk["body"])
    notice = urge_notice(division().id, [desk["waiting"]], operator=OPERATOR)
    clean(notice.text, desk["other"])
    assert f"（{said.contributing}），{said.opinion}期限" in notice.text
    assert f"以下1件{said.case}" in notice.text
    items = {item.case_id: item for item in checklist()}
    waiting = items[desk["waiting"]]
    assert waiting.body == desk["body"] and waiting.next_milestone == said.opinion
    assert waiting.reasons[0] == f"{said.opinion}已逾期62天"  # due 2023-07-01, today 2023-09-01
    clean(" ".join(r for item in items.values() for r in item.reasons), desk["other"])
    office_date("2023-06-26")  # the week before the opinion is due: it is at risk
    report = to_markdown(weekly_report("2023-W26"))
    clean(report, desk["other"])
    assert f"| {said.opinion} |" in report


def test_the_exports_speak_the_body(desk):
    said = words(desk["body"])
    rows = {row.number: row for row in ledger_export_rows(session_id=desk["session"].id)}
    assert rows["0002"].role == said.contributing and rows["0002"].next_milestone == said.opinion
    for row in rows.values():
        clean(" ".join(str(value) for value in (row.role, row.next_milestone, row.countdown, row.kind)),
              desk["other"])
    records = {record["编号"]: record for record in ledger_records(session_id=desk["session"].id)}
    assert records["0001"]["办理方式"] == said.contributing
    for record in records.values():
        clean(" ".join(str(value) for key, value in record.items() if key not in ("标题", "届次")), desk["other"])


def test_the_summary_speaks_the_body(desk):
    text = summary_paragraph(session_statistics(desk["session"].id))
    clean(text.replace(desk["session"].name, ""), desk["other"])
    said = words(desk["body"])
    assert f"{said.contributing}2件" in text and said.case in text


def test_enter_and_correct_accept_the_cppcc_name_of_the_role(ledger, today):
    row = session(CPPCC_SESSION, body="政协")
    recorded = entry.enter_case(OPERATOR, session_id=row.id, number="0100", kind="提案", title=NEUTRAL_TITLE,
                                proposer_name="陈某", proposer_kind="委员", proposer_group="经济界", role="会办",
                                lead_unit=LEAD_UNIT, assigned_on="2023-08-01")
    assert stored_role_of(recorded.case_id) == "汇办"
    case_id = entry.enter_case(OPERATOR, session_id=row.id, number="0101", kind="提案", title=NEUTRAL_TITLE,
                               proposer_name="陈某", proposer_kind="委员", proposer_group="经济界", role="主办",
                               lead_unit=LEAD_UNIT, assigned_on="2023-08-01").case_id
    entry.correct_case(OPERATOR, case_id, expected_version=None, role="会办")
    assert stored_role_of(case_id) == "汇办"
    with pytest.raises(LedgerError) as info:
        entry.correct_case(OPERATOR, case_id, expected_version=None, role="会办", lead_unit="")
    assert "会办件须填写主办单位（本局向其报送会办意见）" in str(info.value)
    assert stored_role_of(case_id) == "汇办"


def test_the_vocabulary_itself():
    assert words("政协").opinion == "会办意见" and words("人大").evaluation == "代表评价"
    assert words("").contributing == "汇办（会办）" and words(None).case == "建议提案"
    assert words("政协", level="市").received == "市政协委员提案"
    assert role_label("汇办", "政协") == "会办" and role_label("汇办", "人大") == "汇办"
    assert role_label("主办", "政协") == "主办"
    assert milestone_label("汇办意见", "政协") == "会办意见" and milestone_label("答复", "政协") == "答复"
    # a 主办 case's co-units' opinions (stored milestone 会办意见) in each body's word
    assert milestone_label("会办意见", "人大") == "汇办意见" and milestone_label("会办意见", "政协") == "会办意见"
    from store.co_units import progress_text

    assert progress_text("主办", 3, 1, "人大") == "汇办意见 1/3" and progress_text("主办", 3, 1, "政协") == "会办意见 1/3"
    assert progress_text("分办", 2, 0, "人大") == "分办答复 0/2" and progress_text("承办", 0, 0, "人大") == ""
    assert stored_role(" 会办 ") == "汇办" and stored_role("协办") == "汇办" and stored_role("主办") == "主办"
    assert checked_role("会办", "人大") == "汇办"
    with pytest.raises(LedgerError, match="应为：主办、承办、分办、会办"):
        checked_role("独办", "政协")
