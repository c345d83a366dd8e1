"""征询意见表: the printable form the proposer fills in about how the case was handled.

`evaluation_form(case_id)` builds it as a `Letter` (store.io.letter): the title in the words of
the case's body (代表对建议办理情况征询意见表 / 委员对提案办理情况征询意见表); one table with the
case (届次, 编号, 标题, 领衔代表, the answering unit, 答复文号 and 答复日期 of the latest reply) and
the boxes to tick — 办理工作评价 and 办理结果评价, each 满意 / 基本满意 / 不满意 — then 意见和建议,
the signature and the date; a paragraph asking for the form back by its due date (when it was
sent, `Case.form_due`); 落款 the bureau (the case's lead unit on a 主办/承办 case) and the date.
Text is kept as stored; `save_form` saves it as .txt (`store.io.files.save_text`: control
characters made visible, nothing overwritten), the Word file is `store.io.docx_letter`'s.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from store import clock
from store.errors import LedgerError
from store.io.files import save_text
from store.io.letter import Letter, date_text, letter_text, paragraph, table
from store.io.notice import notice_filename_part
from store.models import EVALUATIONS, Case, Proposer, Session
from store.queries import case_label
from store.vocabulary import case_words

OWN_NAME = "本局"
"""The bureau when the case names no unit of its own (落款, 承办单位)."""
BOXES = "　".join(f"□{name}" for name in EVALUATIONS)
"""□满意　□基本满意　□不满意."""
BLANK_DATE = "　　　　年　　月　　日"
"""The date line the proposer fills in."""
NUMBER_ROW = "编号"


def form_title(body: str) -> str:
    """代表对建议办理情况征询意见表 / 委员对提案办理情况征询意见表 (代表委员对建议提案… for neither)."""
    from store.vocabulary import words

    said = words(body)
    return f"{said.proposer}对{said.case}办理情况征询意见表"


def _unit(case: Case) -> str:
    """The unit that answers: the case's lead unit when the bureau leads (主办/承办), else 本局."""
    if case.role in ("主办", "承办") and (case.lead_unit or "").strip():
        return case.lead_unit.strip()
    return OWN_NAME


def evaluation_form(case_id: int, *, today: dt.date | None = None) -> Letter:
    """The 征询意见表 of a case the bureau answered (主办/承办/分办), after its reply."""
    today = today or clock.today()
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        raise LedgerError(f"找不到编号为 {case_id} 的件，可能已被其他工作站更改，请刷新。")
    said = case_words(case)
    label = case_label(case)
    if case.role not in ("主办", "承办", "分办"):
        raise LedgerError(f"{label}是{said.contributing_case}，由主办单位答复{said.proposer}并征询意见，本局不送征询意见表。")
    replied_on = case.rehandle_replied_on or case.replied_on
    if replied_on is None:
        raise LedgerError(f"{label}尚未答复，答复后才有征询意见表可打印。")
    if case.status == "重新办理":
        raise LedgerError(f"{label}正在重新办理，重新答复后才有新的征询意见表可打印。")
    session = Session.get_by_id(case.session_id)
    proposer = Proposer.get_or_none(Proposer.id == case.lead_proposer_id) if case.lead_proposer_id else None
    unit = _unit(case)
    rows = [
        ("项目", "内容"),
        ("届次", session.name),
        (NUMBER_ROW, label),
        ("标题", case.title),
        (said.lead_proposer, proposer.name if proposer else ""),
        (f"承办单位（{OWN_NAME}）", unit + ("（分办）" if case.role == "分办" else "")),
        ("答复文号", case.reply_doc_no),
        ("答复日期", date_text(replied_on)),
        ("办理工作评价", BOXES),
        ("办理结果评价", BOXES),
        ("意见和建议", ""),
        (f"{said.proposer}签名", ""),
        ("日期", BLANK_DATE),
    ]
    # The form on the case is this reply's only when it went out on or after the reply it asks about:
    # after 不满意 and the new reply, the first form's dates belong to the first round.
    current = case.form_sent_on is not None and case.form_sent_on >= replied_on
    if current and case.form_due is not None:
        ask = f"请在评价栏内勾选，填写意见和建议并签名，于{date_text(case.form_due)}前"
    else:
        ask = "请在评价栏内勾选，填写意见和建议并签名后"
    body = (
        paragraph(f"为进一步做好{said.case}办理工作，现就《{case.title}》（{label}）的办理情况征求您的意见。"),
        table(rows),
        paragraph(f"{ask}将本表返回{unit}办公室。感谢您对我们工作的支持！"),
    )
    to = f"{proposer.name}{said.proposer}" if proposer else ""
    return Letter(title=form_title(session.body), body=body, to=to, signer=unit,
                  date=case.form_sent_on if current else today)


def form_stem(letter: Letter) -> str:
    """The file name without its suffix, shared by the .txt and the .docx: 征询意见表-第20230489号-YYYYMMDD."""
    number = next((row[1] for block in letter.body for row in block.rows if row and row[0] == NUMBER_ROW), "")
    day = letter.date or clock.today()
    return f"征询意见表-{notice_filename_part(number or '件')}-{day:%Y%m%d}"


def save_form(letter: Letter, folder) -> Path:
    """Save the form as 征询意见表-<编号>-<YYYYMMDD>.txt in `folder` (then -2, -3 …; nothing overwritten)."""
    return save_text(letter_text(letter), folder, form_stem(letter), what="征询意见表")
