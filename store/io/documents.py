"""The documents the office sends, found by what the command line and the desk name them by.

Each document is a `Letter` built by its own module — 催办通知 (`store.io.notice`), 单位催办函
(`store.io.unit_notice`), 征询意见表 (`store.io.evaluation_form`), 督办周报
(`store.io.weekly_report`), 工作总结 (`store.io.summary_full`). This module finds what they are
about from a name a person types (a division, a case number in a session, a co-unit), and
saves a case's documents as .txt and .docx side by side (`store.io.docx_letter.save_letter`).
Reading only: making a document records nothing (a 催办通知 here is the preview the board
shows with `n`; urging is `actions.urge_cases`). Every refusal is a LedgerError sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from store import clock
from store.errors import LedgerError
from store.io.letter import Letter
from store.models import Case, Division, Session

FORM = "form"
UNIT_NOTICE = "unit_notice"


def case_by_number(number, session_id: int | None = None) -> int:
    """The id of case 第`number`号 (of the session, when given; a number two sessions share needs one)."""
    text = str(number or "").strip()
    if text.startswith("第") and text.endswith("号"):
        text = text[1:-1].strip()
    if not text:
        raise LedgerError("请给出案件编号，例如 20230489。")
    query = Case.select(Case.id, Session.name).join(Session, on=(Case.session == Session.id)).where(Case.number == text)
    if session_id is not None:
        query = query.where(Case.session == session_id)
    found = list(query.tuples())
    if not found:
        where = "该届次中" if session_id is not None else "台账中"
        raise LedgerError(f"{where}没有第{text}号。")
    if len(found) > 1:
        names = "、".join(name for _, name in found)
        raise LedgerError(f"第{text}号在{names}中都有，请用 --session 指定届次。")
    return found[0][0]


def division_notice(division: str, *, operator: str, today: dt.date | None = None,
                    session_id: int | None = None):
    """The 催办通知 to the named division over its cases that need urging (overdue or stale),
    as the division board makes it with `n`. Records no urge."""
    from store.io.notice import urge_notice
    from store.queries import division_board

    today = today or clock.today()
    name = str(division or "").strip()
    loads = [load for load in division_board(today=today, session_id=session_id) if load.division_id is not None]
    match = next((load for load in loads if load.division == name), None)
    if match is None and Division.select().where(Division.name == name).exists():
        raise LedgerError(f"{name}没有在办的件，无需催办通知。")
    if match is None:
        known = "、".join(load.division for load in loads)
        raise LedgerError(f"没有名为“{name}”的承办处室" + (f"，现有承办处室：{known}。" if known else "，台账中还没有分派到处室的件。"))
    if not match.to_urge:
        raise LedgerError(f"{name}没有逾期或滞后的件，无需催办通知。")
    return urge_notice(match.division_id, list(match.to_urge), operator=operator, today=today)


def case_letter(case_id: int, what: str, *, unit: str = "", today: dt.date | None = None) -> Letter:
    """A case's document: its 征询意见表 (`FORM`) or the 单位催办函 to one co-unit (`UNIT_NOTICE`)."""
    if what == FORM:
        from store.io.evaluation_form import evaluation_form

        return evaluation_form(case_id, today=today)
    if what == UNIT_NOTICE:
        from store.io.unit_notice import unit_urge_notice

        return unit_urge_notice(case_id, unit, today=today)
    raise LedgerError(f"没有“{what}”这种文书。")


@dataclass(frozen=True)
class CaseDocument:
    """One document a case can produce now: what, for which unit, and its name in words."""

    what: str
    unit: str
    label: str


def case_documents(case_id: int) -> list[CaseDocument]:
    """The case's 征询意见表, and a 单位催办函 for each co-unit whose opinion is still out (主办 only)."""
    from store.co_units import missing_units
    from store.vocabulary import case_words

    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        raise LedgerError("找不到该件，可能已被其他工作站更改，请刷新。")
    said = case_words(case)
    found = [CaseDocument(FORM, "", "征询意见表")]
    if case.role == "主办" and case.replied_on is None and case.status != "已办结":  # as `U` 单位催办 allows
        found.extend(CaseDocument(UNIT_NOTICE, unit, f"单位催办函：{unit}（催收{said.opinion}）")
                     for unit in missing_units(case))
    return found


def document_stem(what: str, letter: Letter) -> str:
    """The file name (without suffix) a case's document is saved under."""
    if what == UNIT_NOTICE:
        from store.io.unit_notice import unit_notice_stem

        return unit_notice_stem(letter)
    from store.io.evaluation_form import form_stem

    return form_stem(letter)


def save_case_document(case_id: int, what: str, folder, *, unit: str = "",
                       today: dt.date | None = None) -> tuple[Path, Path]:
    """Build a case's document and save it as .txt and .docx in `folder` (created when missing)."""
    from store.io.docx_letter import save_letter

    letter = case_letter(case_id, what, unit=unit, today=today)
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}。") from None
    what_name = "单位催办函" if what == UNIT_NOTICE else "征询意见表"
    return save_letter(letter, folder, document_stem(what, letter), what=what_name)
