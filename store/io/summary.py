"""年度总结的“基本情况”: the paragraphs the office sends up, written from the ledger's figures.

The wording follows the bureau's own 2023 summary (the seed), but every figure is counted
from the data and every claim follows the figures: "均按时签收、按时答复" only when no case was
signed or answered late and none is still unanswered; "均评价为满意" only when every
evaluation received is 满意. A CPPCC session speaks of 提案 and 委员, and calls the
contributing role 会办. Roles with no case are left out of the "其中" list.
"""

from __future__ import annotations

import re
from pathlib import Path

from store.errors import LedgerError
from store.io.files import save_text
from store.io.notice import notice_filename_part
from store.models import RESULT_CLASS_NAMES
from store.queries import SessionStatistics

ROLE_ORDER = ("主办", "承办", "分办", "汇办")


class _Words:
    """The terms of one body: 人大 → 建议/代表, 政协 → 提案/委员."""

    def __init__(self, body: str, session_name: str) -> None:
        level = _level_of(session_name)
        if body == "政协":
            self.case, self.proposer = "提案", "委员"
            self.received = f"{level}政协委员提案"
            self.people = "政协委员"
            self.contributing = "会办"
        elif body == "人大":
            self.case, self.proposer = "建议", "代表"
            self.received = f"{level}人大代表建议件"
            self.people = "人大代表"
            self.contributing = "汇办"
        else:  # several sessions of both bodies counted together
            self.case, self.proposer = "建议提案", "代表委员"
            self.received = "人大代表建议和政协委员提案"
            self.people = "代表委员"
            self.contributing = "汇办（会办）"

    def role(self, role: str) -> str:
        return self.contributing if role == "汇办" else role


def _level_of(session_name: str) -> str:
    """市 from 市七届人大四次会议, 省 from 广东省十四届人大一次会议, 全国 from 全国人大…."""
    match = re.search(r"(全国|[省市区县州盟旗])(?=人大|政协|第?[一二三四五六七八九十百零〇\d]+届)", session_name or "")
    return match.group(1) if match else ""


def _percent(part: int, whole: int) -> str:
    """43.7% (one decimal, a whole number without it: 50%, 100%)."""
    value = round(part * 100 / whole, 1) if whole else 0.0
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def _join(pieces: list[str]) -> str:
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


def _handling_sentences(stats: SessionStatistics, words: _Words) -> str:
    """签收 and 答复: on time, late, still open — never "均按时" unless it is true."""
    adjusted = stats.by_status.get("申请调整", 0) + stats.transferred  # pending, or transferred (同意调整)
    unsigned = max(stats.received - stats.signed - adjusted, 0)
    signed_late = stats.signed - stats.signed_on_time
    answered_late = stats.answered - stats.answered_on_time
    pending = max(stats.to_answer - stats.answered, 0)
    sentences = []
    if adjusted:
        sentences.append(f"其中{adjusted}件已申请调整承办单位，不计入以下签收和答复情况。")
    if stats.to_answer == 0:
        return "".join(sentences)
    if not (unsigned or signed_late or answered_late or pending):
        everything = "全部" if not adjusted else "其余全部"
        sentences.append(f"截至目前，我局已对{everything}{words.case}做出书面答复，所有{words.case}均按时签收、按时答复。")
        return "".join(sentences)

    if not (unsigned or signed_late):
        signing = f"{stats.signed}件{words.case}全部按时签收"
    else:
        parts = [f"按时签收{stats.signed_on_time}件"]
        if signed_late:
            parts.append(f"逾期签收{signed_late}件")
        if unsigned:
            parts.append(f"尚未签收{unsigned}件")
        signing = "签收方面，" + _join(parts)
    if pending == 0:
        answering = f"已对全部{words.case}做出书面答复，其中按时答复{stats.answered_on_time}件"
        if answered_late:
            answering += f"、逾期答复{answered_late}件"
    elif stats.answered == 0:
        answering = f"{pending}件均尚未答复"
    else:
        answering = f"已书面答复{stats.answered}件（按时答复{stats.answered_on_time}件"
        answering += f"、逾期答复{answered_late}件）" if answered_late else "）"
        answering += f"，尚有{pending}件未答复"
    sentences.append(f"截至目前，{signing}；{answering}。")
    if stats.overdue_open:
        sentences.append(f"目前有{stats.overdue_open}件的办理环节已超过期限，需加紧督办。")
    return "".join(sentences)


def _contact_sentence(stats: SessionStatistics, words: _Words) -> str:
    if not stats.contacted:
        return ""
    text = f"办理过程中，我局就{stats.contacted}件{words.case}与{words.proposer}进行了沟通联系"
    if stats.face_to_face:
        text += (f"，其中通过上门拜访、座谈面商、共同调研等方式面对面沟通{stats.face_to_face}件，"
                 f"面商率{_percent(stats.face_to_face, stats.received)}")
    return text + "。"


def _evaluation_sentence(stats: SessionStatistics, words: _Words) -> str:
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
    satisfied = stats.by_evaluation.get("满意", 0)
    if satisfied == got:
        return text + f"{words.proposer}对办理结果均评价为满意。"
    parts = [f"{name}{stats.by_evaluation.get(name, 0)}件" for name in ("满意", "基本满意", "不满意")
             if stats.by_evaluation.get(name, 0)]
    text += f"其中{_join(parts)}"
    if stats.by_evaluation.get("不满意", 0):
        text += "；评价为不满意的已转入重新办理"
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
    words = _Words(stats.body, stats.session)
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
