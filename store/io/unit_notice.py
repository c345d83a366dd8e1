"""单位催办通知: the letter asking a co-unit of a 主办 case for its opinion (关于商请反馈会办意见的函).

`unit_urge_notice(case_id, unit)` builds it as a `Letter` (store.io.letter) from the case:
which case (number and title), when it was assigned, when the unit's opinion was due
(`store.rules.unit_opinion_due`), how many times the unit has been chased, and the date to
answer by — that of today's 单位催办 when one was recorded (`actions.urge_unit`), else the
session's working days for an answer from today. `save_unit_notice` saves its text
(`store.io.files.save_text`: control characters made visible, nothing overwritten);
`save_unit_notice_files` saves the .txt and, from the same Letter, the .docx (store.io.docx_letter).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from store import clock
from store.co_units import expected_units, received_on, unit_entry
from store.errors import LedgerError
from store.io.files import save_text
from store.io.letter import Letter, date_text, letter_text, paragraph
from store.io.notice import notice_filename_part
from store.models import Case, Event
from store.queries import case_label, load_calendar, rules_for
from store.rules import unit_opinion_due
from store.vocabulary import case_words

OWN_NAME = "本局"
"""落款 when the case names no lead unit (the bureau itself leads a 主办 case)."""


def _respond_by(case: Case, unit: str, today: dt.date) -> dt.date:
    """Today's 单位催办 to the unit (still standing) sets the date; else today + the rule's working days."""
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    urges = (Event.select(Event.on_date, Event.respond_by, Event.data)
             .where((Event.case == case.id) & (Event.kind == "单位催办") & ~(Event.id << undone))
             .order_by(Event.id.desc()))
    for event in urges:
        if (event.data or {}).get("unit") == unit:
            if event.on_date == today and event.respond_by is not None:
                return event.respond_by
            break
    days = rules_for(case.session_id).urge_respond_working_days
    return load_calendar().add_working_days(today, days).day


def unit_urge_notice(case_id: int, unit: str, *, today: dt.date | None = None) -> Letter:
    """关于商请反馈会办意见的函 (汇办意见 on a 人大 case) to one co-unit whose opinion is still out."""
    today = today or clock.today()
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        raise LedgerError(f"找不到编号为 {case_id} 的件，可能已被其他工作站更改，请刷新。")
    said = case_words(case)
    label = case_label(case)
    if case.role != "主办":
        raise LedgerError(f"{label}是{said.role(case.role)}件，没有需要本局催收{said.opinion}的{said.co_units}。")
    name = str(unit or "").strip()
    names = expected_units(case)
    if name not in names:
        known = f"应为：{'、'.join(names)}" if names else f"该件没有{said.co_units}"
        raise LedgerError(f"“{name}”不是{label}的{said.co_units}，{known}。")
    got = received_on(case, name)
    if got is not None:
        raise LedgerError(f"{name}的{said.opinion}已于{got:%Y-%m-%d}收到，无需发催办函。")
    if case.replied_on is not None or case.status == "已办结":
        when = f"已于{case.replied_on:%Y-%m-%d}答复" if case.replied_on else "已办结"
        raise LedgerError(f"{label}{when}，无需再向{name}催收{said.opinion}。")
    rules = rules_for(case.session_id)
    due = unit_opinion_due(case, rules, load_calendar())
    respond = _respond_by(case, name, today)
    entry = unit_entry(case, name)
    urged = int(entry.get("urged", 0) or 0)
    signer = (case.lead_unit or "").strip() or OWN_NAME

    body = [paragraph(
        f"{said.case_long}{label}《{case.title}》于{date_text(case.assigned_on)}交办，由{signer}主办，"
        f"贵单位为{said.co_units}。按照办理要求，贵单位的{said.opinion}应于{date_text(due)}前反馈。")]
    if today > due:
        body.append(paragraph(f"截至{date_text(today)}，已逾期{(today - due).days}天，尚未收到贵单位的{said.opinion}。"))
    else:
        body.append(paragraph(f"截至{date_text(today)}，尚未收到贵单位的{said.opinion}。"))
    last = entry.get("last_urged_on")
    last_day = dt.date.fromisoformat(str(last)[:10]) if last else None
    if last_day == today:  # the urge recorded today is this letter itself, not an earlier one
        urged, last_day = urged - 1, None
    if urged > 0:
        since = f"（最近一次为{date_text(last_day)}）" if last_day else ""
        body.append(paragraph(f"此前已催办{urged}次{since}。"))
    body.append(paragraph(f"为按期答复{said.proposer}，请贵单位于{date_text(respond)}前将{said.opinion}反馈{signer}。"
                          "特此函商。"))
    return Letter(f"关于商请反馈{said.opinion}的函", body=tuple(body), to=name, signer=signer, date=today)


def unit_notice_text(letter: Letter) -> str:
    """The letter as the text file holds it (store.io.letter.letter_text)."""
    return letter_text(letter)


def save_unit_notice(letter: Letter, folder) -> Path:
    """Save the letter as 单位催办函-<单位>-<YYYYMMDD>.txt in `folder` (then -2, -3 …; nothing overwritten)."""
    return save_text(letter_text(letter), folder, unit_notice_stem(letter), what="单位催办函")


def save_unit_notice_files(letter: Letter, folder) -> tuple[Path, Path]:
    """Save the letter as .txt and .docx under one free name in `folder`; return both paths."""
    from store.io.docx_letter import save_letter

    return save_letter(letter, folder, unit_notice_stem(letter), what="单位催办函")


def unit_notice_stem(letter: Letter) -> str:
    """The file name without its suffix, shared by the .txt and the .docx."""
    day = letter.date or clock.today()
    return f"单位催办函-{notice_filename_part(letter.to or '单位')}-{day:%Y%m%d}"
