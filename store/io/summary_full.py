"""工作总结: the whole year's summary in the bureau's four parts, as a `Letter`.

The parts follow the bureau's own 2023 summary (the seed): 一、基本情况 (`store.io.summary`'s
paragraphs, unchanged), 二、主要做法, 三、办理的典型案例和取得的主要成效, 四、存在的问题及下一步
改进措施. Every figure is counted from the ledger (`store.summary_figures`) and every sentence
says only what its figure bears: a sentence whose figure is nought is left out, a part with
nothing to say is left out, and what the office must still write itself (no typical case
marked yet) is said in the letter's notes, never invented in its body. 主送 follows the body
and level of the session (人大: 市人大办公厅、市政府督查室; 政协: 市政协提案委员会、市政府督查室);
落款 is the bureau as its 主办/承办 cases name it; the date is the day counted to.
"""

from __future__ import annotations

import datetime as dt

from store import clock
from store.errors import LedgerError
from store.figures import percent
from store.io.letter import Letter, heading, letter_text, paragraph, subheading
from store.io.summary import _level_of, summary_paragraph
from store.models import RESULT_CLASS_NAMES, Session
from store.queries.common import format_number
from store.summary_figures import SummaryFigures, TypicalCase, summary_figures
from store.vocabulary import Words, words

ORDINALS = "一二三四五六七八九十"
NO_TYPICAL_NOTE = "典型案例：尚未标记典型案例，总结中没有这一部分（在件的页面按 y 标记后再生成）"


def _ordinal(index: int) -> str:
    return ORDINALS[index] if index < len(ORDINALS) else str(index + 1)


def _join(pieces) -> str:
    return "、".join(piece for piece in pieces if piece)


def recipients(body: str, level: str) -> str:
    """主送 of the summary: the assigning office of the body and the government's 督查室."""
    if body == "政协":
        return f"{level}政协提案委员会、{level}政府督查室"
    return f"{level}人大办公厅、{level}政府督查室"


def full_summary(session_id: int, *, today: dt.date | None = None, keeper=None) -> Letter:
    """The session's whole summary (四部分) as a letter dated `today` (the ledger's day); its
    statistics from `keeper` (a built `store.statistics_keeper.StatisticsKeeper`) when given."""
    session = Session.get_or_none(Session.id == session_id)
    if session is None:
        raise LedgerError(f"找不到编号为 {session_id} 的届次，请刷新后再试。")
    today = today or clock.today()
    figures = summary_figures(session_id, today=today, keeper=keeper)
    level = _level_of(session.name)
    said = words(session.body, level=level)
    body = [paragraph(f"现将我局{session.year}年{said.people}{said.case}办理工作情况总结报送如下：")]
    body.append(heading("一、基本情况"))
    body.extend(paragraph(text) for text in summary_paragraph(figures.stats).split("\n") if text)
    parts = [("主要做法", _practice(figures, said)),
             (f"办理{said.case}的典型案例和取得的主要成效", _typical(figures, said)),
             ("存在的问题及下一步改进措施", _problems(figures, said))]
    number = 1
    for title, blocks in parts:
        if blocks:
            body.append(heading(f"{_ordinal(number)}、{title}"))
            body.extend(blocks)
            number += 1
    body.append(paragraph("专此函报。"))
    return Letter(
        title=f"关于报送{session.year}年{said.people}{said.case}办理工作总结的函",
        body=tuple(body),
        to=recipients(session.body, level),
        signer=figures.signer,
        date=today,
        drafting_notes=() if figures.typical else (NO_TYPICAL_NOTE,),
    )


def full_summary_text(session_id: int, *, today: dt.date | None = None) -> str:
    """The whole summary as plain text (`store.io.letter.letter_text`)."""
    return letter_text(full_summary(session_id, today=today))


def summary_letter(session_id: int | None, *, today: dt.date | None = None, keeper=None) -> Letter:
    """The summary the statistics screen shows: a session's whole summary, or (all sessions,
    `session_id` None) the 基本情况 of the whole ledger, which goes to no one as one letter."""
    if session_id is not None:
        return full_summary(session_id, today=today, keeper=keeper)
    from store.statistics import session_statistics

    today = today or clock.today()
    text = summary_paragraph(session_statistics(None, today=today, keeper=keeper))
    return Letter(title="全部届次建议提案办理工作基本情况",
                  body=(heading("一、基本情况"), *(paragraph(piece) for piece in text.split("\n") if piece)),
                  date=today)


def summary_filename_part(letter: Letter) -> str:
    """工作总结 and the year for a file name: 2023年人大代表建议办理工作总结."""
    return letter.title.removeprefix("关于报送").removesuffix("的函")


# ------------------------------------------------------------------------- 二、主要做法


def _practice(f: SummaryFigures, said: Words) -> list:
    blocks = []
    sections = [("加强组织领导", _leadership(f, said)), ("建立完整台账，明确工作责任", _responsibility(f, said)),
                ("持续沟通协调，确保办理实效", _communication(f, said))]
    for title, text in [(title, text) for title, text in sections if text]:
        blocks.append(subheading(f"（{_ordinal(len(blocks) // 2)}）{title}"))
        blocks.append(paragraph(text))
    return blocks


def _leadership(f: SummaryFigures, said: Words) -> str:
    if not f.leader_led:
        return ""
    text = f"局领导领办{said.case}{f.leader_led}件"
    named = sum(count for _, _, count in f.leaders)
    if len(f.leaders) == 1 and named == f.leader_led:
        name, title, _ = f.leaders[0]
        return text + f"，由{title}{name}领办。"
    if f.leaders:
        text += "，其中" + _join(f"{title}{name}{count}件" for name, title, count in f.leaders)
        if named < f.leader_led:
            text += f"，另有{f.leader_led - named}件未登记领办领导"
    return text + "。"


def _responsibility(f: SummaryFigures, said: Words) -> str:
    sentences = []
    if f.assigned:
        if f.assigned == f.in_scope:
            reach = "到部门、到岗、到人" if f.assigned_with_post == f.assigned else "到部门、到人"
            sentences.append(f"按照涉及范围和业务内容，将{f.assigned}件{said.case}的办理责任逐件明确{reach}，"
                             f"分派到{f.divisions}个处室、{f.owners}名责任人跟进办理。")
        else:
            sentences.append(f"已将{f.assigned}件{said.case}的办理责任分派到{f.divisions}个处室、"
                             f"{f.owners}名责任人跟进办理。")
    counted = [f"查办{f.follow_ups.get('查办', 0)}次" if f.follow_ups.get("查办") else "",
               f"询办{f.follow_ups.get('询办', 0)}次" if f.follow_ups.get("询办") else "",
               f"催办{f.follow_ups.get('催办', 0)}次" if f.follow_ups.get("催办") else ""]
    if any(counted):
        sentences.append(f"局办公室对办理和答复落实情况进行跟踪督办，共{_join(counted)}。")
    if f.weekly_reviews:
        checks = f"，检查{f.weekly_checks}件次" if f.weekly_checks else ""
        sentences.append(f"开展每周检查{f.weekly_reviews}次{checks}，跟踪{said.case}办理落实情况。")
    return "".join(sentences)


def _communication(f: SummaryFigures, said: Words) -> str:
    sentences = []
    if f.contacts:
        methods = _join(f"{name}{count}次" for name, count in f.contacts_by_method.items() if count)
        text = f"办理过程中，与{said.proposer}沟通联系{f.contacts}次（{methods}）"
        stages = [f"{name}{count}次" for name, count in f.contacts_by_stage.items() if count]
        if stages:
            text += f"，其中{_join(stages)}"
        sentences.append(text + "。")
    if f.meetings:
        sentences.append(f"通过座谈面商与{said.proposer}面对面研究办理工作{f.meetings}次。")
    if f.units_received:
        text = (f"我局主办的{f.led_with_units}件{said.case}涉及{said.co_units}{f.units_expected}家次，"
                f"已收到{said.opinion}{f.units_received}份")
        if f.units_signed_off:
            text += f"，{f.units_signed_off}家次会签答复"
        sentences.append(text + "。")
    return "".join(sentences)


# ------------------------------------------------------------------------- 三、典型案例


def _typical(f: SummaryFigures, said: Words) -> list:
    blocks = []
    for index, case in enumerate(f.typical):
        blocks.append(subheading(f"（{_ordinal(index)}）{format_number(case.number)}{case.title}"))
        text = _typical_paragraph(case, said)
        if text:
            blocks.append(paragraph(text))
    return blocks


def _typical_paragraph(case: TypicalCase, said: Words) -> str:
    text = case.reply_summary.strip()
    if text and text[-1] not in "。！？；":
        text += "。"
    facts = []
    if case.replied_on is not None:
        facts.append(f"我局已于{case.replied_on.year}年{case.replied_on.month}月{case.replied_on.day}日书面答复"
                     + (f"（{case.doc_no}）" if case.doc_no else ""))
    if case.result_class in RESULT_CLASS_NAMES:
        facts.append(f"答复类别为{case.result_class}类（{RESULT_CLASS_NAMES[case.result_class]}）")
    text += "，".join(facts) + "。" if facts else ""
    note = case.note.strip()
    if note and note[-1] not in "。！？；":
        note += "。"
    return text + note


# -------------------------------------------------------------- 四、存在的问题及下一步


def _problems(f: SummaryFigures, said: Words) -> list:
    found: list[tuple[str, str]] = []  # (problem, next step)
    stats = f.stats
    if f.contacts and f.phone * 2 > f.contacts:
        found.append((f"与{said.proposer}沟通多数是通过电话形式进行（沟通联系{f.contacts}次中电话{f.phone}次，"
                      f"占{percent(f.phone, f.contacts)}），面对面研究{said.case}缺乏",
                      f"继续健全完善办理机制，办理前走访{said.proposer}、办理中及时汇报进度、办理后认真征求意见，"
                      f"多采用上门拜访、座谈面商、共同调研等面对面方式研究{said.case}"))
    if stats.replied_without_contact:
        found.append((f"{stats.replied_without_contact}件已答复的主（承、分）办{said.case}没有与{said.proposer}"
                      "沟通联系的记录",
                      f"答复前后主动与{said.proposer}沟通，征询对办理答复的意见"))
    late = [f"逾期签收{f.sign_late}件" if f.sign_late else "",
            f"逾期未签收{stats.sign_overdue}件" if stats.sign_overdue else "",
            f"逾期答复{f.reply_late}件" if f.reply_late else "",
            f"逾期未答复{stats.answer_overdue}件" if stats.answer_overdue else "",
            f"逾期重新答复{stats.rehandle_late + stats.rehandle_overdue}件次"
            if stats.rehandle_late + stats.rehandle_overdue else ""]
    if any(late):
        found.append((f"部分办理环节未按期限完成（{_join(late)}），办理时效有待提高",
                      "突出抓好时效，严格按期限签收、答复，对临近期限的件加强跟踪督办和催办"))
    if f.units_late or f.replied_early:
        early = f"，{f.replied_early}件在{said.opinion}未收齐时先行答复" if f.replied_early else ""
        late_units = f"{said.co_units}意见逾期{f.units_late}家次" if f.units_late else ""
        found.append(((late_units + early).lstrip("，"),
                      f"认真做好与相关单位、部门的沟通工作，及时催报{said.opinion}，形成合力，推动{said.case}办结"))
    if f.review_pending:
        due = f"，其中{f.review_due}件已到回头看日期" if f.review_due else ""
        found.append((f"{f.review_pending}件答复中承诺的事项尚在落实、有待回头看{due}",
                      f"定期进行回头检查，及时发现问题，督促解决完善；对正在落实当中的{said.case}，进一步明确责任，"
                      "加强跟踪督办，确保办理质量"))
    if f.forms_out:
        overdue = f"，其中{f.forms_out_overdue}份已过收回期限" if f.forms_out_overdue else ""
        found.append((f"已送出的征询意见表中尚有{f.forms_out}份待收回{overdue}",
                      f"及时催收征询意见表，认真听取{said.proposer}对办理工作和办理结果的评价"))
    if not found:
        return []
    problems = "；".join(f"{_ordinal(i)}是{problem}" for i, (problem, _) in enumerate(found))
    steps = "；".join(f"{_ordinal(i)}是{step}" for i, (_, step) in enumerate(found))
    return [paragraph(f"从办理情况看，{said.case}办理工作还存在以下问题：{problems}。"),
            paragraph(f"下一步，我们将：{steps}。")]
