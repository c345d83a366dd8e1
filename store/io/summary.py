"""年度总结的“基本情况”: the paragraphs the office sends up, written from the ledger's figures.

The wording follows the bureau's own 2023 summary (the seed), but every figure is counted
from the data (`store.statistics`, as of its day: 截至…) and every claim follows the figures:
"均按时签收、按时答复" only when every case was signed and answered on time, none is still
open, no re-handling reply was late and no extension was recorded after its deadline;
"均评价为满意" only when every evaluation received is 满意 and no 不满意 was ever received (a
不满意 re-answered is told: 其中1件初次评价不满意，经重新办理后评价为满意). Rates state their
denominators' cases (按时答复率: on time over answered plus past due; 面商率: over the
主办/承办/分办 cases); shares are rounded 四舍五入 by `store.figures.percent`. A CPPCC session
speaks of 提案 and 委员, and calls the contributing role 会办. Roles with no case are left out
of the "其中" list.
"""

from __future__ import annotations

import re
from pathlib import Path

from store.errors import LedgerError
from store.io.files import save_text
from store.io.notice import notice_filename_part
from store.models import RESULT_CLASS_NAMES
from store.figures import as_of, percent
from store.statistics import SessionStatistics
from store.vocabulary import Words
from store.vocabulary import words as vocabulary

ROLE_ORDER = ("主办", "承办", "分办", "汇办")


_Words = Words
"""The terms of one body (`store.vocabulary.words`): 人大 → 建议/代表/汇办, 政协 → 提案/委员/会办."""


def _level_of(session_name: str) -> str:
    """市 from 市七届人大四次会议, 省 from 广东省十四届人大一次会议, 全国 from 全国人大…."""
    match = re.search(r"(全国|[省市区县州盟旗])(?=人大|政协|第?[一二三四五六七八九十百零〇\d]+届)", session_name or "")
    return match.group(1) if match else ""


def _percent(part: int, whole: int) -> str:
    """43.8% — 四舍五入 to one decimal (`store.figures.percent`, the desk's one rounding)."""
    return percent(part, whole, empty="0%")


def _join(pieces) -> str:
    return "、".join(pieces)


def _topics_sentence(stats: SessionStatistics, words: _Words) -> str:
    topics = [topic for topic in stats.topics if topic]
    if not topics:
        return ""
    if len(topics) == 1:
        return f"{words.case}内容均涉及{topics[0]}方面。"
    if len(topics) == 2:
        return f"{words.case}内容涉及{topics[0]}和{topics[1]}两个方面。"
    return f"{words.case}内容涵盖{_join(topics)}等多个方面。"


def _received_paragraph(stats: SessionStatistics, words: _Words) -> str:
    period = stats.session if stats.session.endswith("期间") else f"{stats.session}期间"
    if stats.session == "全部届次":
        period = "各届次会议期间"
    roles = [f"{words.role(role)}{stats.by_role.get(role, 0)}件" for role in ROLE_ORDER if stats.by_role.get(role, 0)]
    text = f"{period}，我局共接收办理{words.received}{stats.received}件"
    if len(roles) > 1:
        text += f"，其中{_join(roles)}。"
    elif roles:
        text += f"，均为{words.role(next(r for r in ROLE_ORDER if stats.by_role.get(r, 0)))}件。"
    else:
        text += "。"
    return text + _topics_sentence(stats, words)


def _as_of(stats: SessionStatistics) -> str:
    return as_of(stats.today) if stats.today else "截至目前"


def _signing(stats: SessionStatistics, words: _Words) -> str:
    """签收: on time, late, unsigned past due (the rate's denominator), not yet due apart."""
    if stats.signed == stats.signed_on_time and not stats.sign_overdue:
        text = f"{stats.signed}件{words.case}全部按时签收" if stats.signed else "尚无签收"
    else:
        parts = [f"按时签收{stats.signed_on_time}件"]
        if stats.signed > stats.signed_on_time:
            parts.append(f"逾期签收{stats.signed - stats.signed_on_time}件")
        if stats.sign_overdue:
            parts.append(f"逾期未签收{stats.sign_overdue}件")
        text = "签收方面，" + _join(parts) + f"，按时签收率{_percent(stats.signed_on_time, stats.sign_denominator)}"
    if stats.sign_pending:
        text += f"，另有{stats.sign_pending}件尚未签收、未到签收期限"
    return text


def _answering(stats: SessionStatistics, words: _Words) -> str:
    """答复: on time, late, unanswered past due (the rate's denominator), not yet due apart."""
    opinions = f"（含{words.contributing}意见）" if stats.by_role.get("汇办") else ""
    late = stats.answered - stats.answered_on_time
    if stats.answered:
        text = f"答复方面，已书面答复{stats.answered}件{opinions}，其中按时答复{stats.answered_on_time}件"
        text += f"、逾期答复{late}件" if late else ""
    else:
        text = "答复方面，尚无书面答复"
    if stats.answer_overdue:
        text += f"，逾期未答复{stats.answer_overdue}件"
    if stats.answer_denominator:
        text += f"，按时答复率{_percent(stats.answered_on_time, stats.answer_denominator)}"
    if stats.extension_late:
        text += f"（其中{stats.extension_late}件延期在原答复期限届满后办理，按原期限计算）"
    if stats.answer_pending:
        text += f"；另有{stats.answer_pending}件尚未答复、未到答复期限"
    return text


def _rehandling(stats: SessionStatistics, words: _Words) -> str:
    """重新办理: each round after a 不满意 against its own deadline."""
    if not stats.rehandle_rounds:
        return ""
    parts = [f"{name}{count}件次" for name, count in (
        ("按时重新答复", stats.rehandle_on_time), ("逾期重新答复", stats.rehandle_late),
        ("逾期未重新答复", stats.rehandle_overdue), ("正在重新办理、未到期限", stats.rehandle_pending)) if count]
    return (f"{words.proposer}评价不满意后重新办理{stats.rehandle_rounds}件次，"
            + ("均按时重新答复" if stats.rehandle_on_time == stats.rehandle_rounds else "其中" + _join(parts)) + "。")


def _handling_sentences(stats: SessionStatistics, words: _Words) -> str:
    """签收, 答复 and 重新办理: on time, late, still open — never "均按时" unless every step was."""
    adjusted = stats.by_status.get("申请调整", 0) + stats.transferred  # pending, or transferred (同意调整)
    sentences = []
    if adjusted:
        sentences.append(f"其中{adjusted}件已申请调整承办单位，不计入以下签收和答复情况。")
    if stats.to_answer == 0:
        return "".join(sentences)
    if stats.all_on_time:
        everything = "全部" if not adjusted else "其余全部"
        sentences.append(f"{_as_of(stats)}，我局已对{everything}{words.case}做出书面答复，"
                         f"所有{words.case}均按时签收、按时答复。")
    else:
        sentences.append(f"{_as_of(stats)}，{_signing(stats, words)}；{_answering(stats, words)}。")
    sentences.append(_rehandling(stats, words))
    if stats.overdue_open:
        sentences.append(f"目前有{stats.overdue_open}件的办理环节已超过期限，需加紧督办。")
    return "".join(sentences)


def _contact_sentence(stats: SessionStatistics, words: _Words) -> str:
    if not stats.contacted:
        return ""
    text = f"办理过程中，我局就{stats.contacted}件{words.case}与{words.proposer}进行了沟通联系"
    methods = [f"{method}{count}次" for method, count in stats.contacts_by_method.items() if count]
    if methods:
        text += f"（{_join(methods)}）"
    if stats.face_to_face:
        text += (f"，其中通过上门拜访、座谈面商、共同调研等方式面对面沟通{stats.face_to_face}件，"
                 f"面商率{_percent(stats.face_to_face, stats.answering)}"
                 f"（以我局答复{words.proposer}的主办、承办、分办{words.case}{stats.answering}件计）")
    return text + "。"


def _evaluation_sentence(stats: SessionStatistics, words: _Words) -> str:
    """评价 by the latest received, and what became of every 不满意 — never "均满意" after one."""
    need = stats.needing_evaluation
    if not need:
        if stats.received:
            return f"本届{words.case}均为{words.contributing}件，由主办单位答复{words.proposer}并征求评价。"
        return ""
    got = stats.evaluations_received
    text = f"需要{words.people}进行评价的{words.case}共{need}件，"
    if not got:
        return text + "目前尚未收到评价。"
    text += f"目前已收到评价{got}件，"
    if stats.by_evaluation.get("满意", 0) == got and not stats.ever_dissatisfied:
        return text + f"{words.proposer}对办理结果均评价为满意。"
    text += _join([f"{name}{stats.by_evaluation[name]}件" for name in ("满意", "基本满意", "不满意")
                   if stats.by_evaluation.get(name, 0)])
    if stats.ever_dissatisfied:
        lead = "初次评价不满意" if stats.first_dissatisfied == stats.ever_dissatisfied else "曾评价为不满意"
        outcomes = stats.after_rehandling
        again = [(name, outcomes.get(name, 0)) for name in ("满意", "基本满意") if outcomes.get(name, 0)]
        pieces = []
        if again:
            if len(again) == 1 and again[0][1] == stats.ever_dissatisfied:
                pieces.append(f"经重新办理后评价为{again[0][0]}")
            else:
                pieces.append("经重新办理后评价为" + _join(f"{name}{count}件" for name, count in again))
        for name, said in (("待再次评价", "已重新答复、尚待再次评价"), ("重新办理中", "正在重新办理")):
            if outcomes.get(name):
                count = "" if outcomes[name] == stats.ever_dissatisfied else f"{outcomes[name]}件"
                pieces.append(count + said)
        text += f"；其中{stats.ever_dissatisfied}件{lead}，" + "，".join(pieces)
    return text + "。"


def _class_sentence(stats: SessionStatistics, words: _Words) -> str:
    replied = stats.replies_to_disclose
    if not replied:
        return ""
    parts = [
        f"{key}类（{RESULT_CLASS_NAMES[key]}）{stats.by_class.get(key, 0)}件，占{_percent(stats.by_class.get(key, 0), replied)}"
        for key in ("A", "B", "C", "D") if stats.by_class.get(key, 0)
    ]
    if not parts:
        return ""
    return f"从答复结果看，已答复的{replied}件主（承、分）办{words.case}中，{'；'.join(parts)}。"


def _disclosure_paragraph(stats: SessionStatistics, words: _Words) -> str:
    replied = stats.replies_to_disclose
    if not replied:
        return ""
    public = stats.disclosure.get("公开", 0)
    partial = stats.disclosure.get("部分公开", 0)
    withheld = stats.disclosure.get("不公开", 0)
    undecided = replied - public - partial - withheld
    if public or partial:
        text = (f"我局已对涉及公共利益、公共权益、社会关切及需要社会广泛知晓的{words.case}办理复文主动进行了公开，"
                f"共公开{public}件")
        if partial:
            text += f"、部分公开{partial}件"
    else:
        text = f"目前尚未公开{words.case}办理复文"
    if withheld:
        text += f"，{withheld}件经审查不予公开"
    if undecided:
        text += f"，尚有{undecided}件未作出公开决定"
    return text + "。"


def summary_paragraph(stats: SessionStatistics) -> str:
    """The 基本情况 of one session (or of all, when `stats.session` is 全部届次), as paragraphs.

    Paragraphs are separated by a newline; every figure comes from `stats`.
    """
    words = vocabulary(stats.body, level=_level_of(stats.session))
    if stats.received == 0:
        period = stats.session if stats.session.endswith("期间") else f"{stats.session}期间"
        return f"{period}，我局未接收{words.received.removesuffix('件')}。"
    paragraphs = [_received_paragraph(stats, words)]
    handling = _handling_sentences(stats, words) + _contact_sentence(stats, words)
    handling += _evaluation_sentence(stats, words) + _class_sentence(stats, words)
    if handling:
        paragraphs.append(handling)
    disclosure = _disclosure_paragraph(stats, words)
    if disclosure:
        paragraphs.append(disclosure)
    return "\n".join(paragraphs)


def save_summary(text: str, session: str, folder, dated) -> Path:
    """Save the paragraph as 基本情况-<届次>-<YYYYMMDD>.txt in `folder` (then -2, -3 …; nothing
    is overwritten), UTF-8 with a byte-order mark and Windows line ends, like the urge notice."""
    stem = f"基本情况-{notice_filename_part(session) or '全部届次'}-{dated:%Y%m%d}"
    return save_text(text if text.endswith("\n") else text + "\n", folder, stem, what="基本情况")
