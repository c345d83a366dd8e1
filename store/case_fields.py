"""A case's own fields as the office types them, checked one by one: what 录入 (`store.entry`)
and 修改 (`store.corrections`) share — the importer's limits, numbers, name lists, the proposer
found or created, and whether a changed role or 交办 date still fits what was recorded since.

Every refusal is a `LedgerError` sentence.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from store.actions import KIND_OF_BODY, MAX_NOTE, MAX_TITLE, _choice, _date, _text
from store.errors import LedgerError
from store.models import Case, Event, Proposer, Session
from store.queries import case_label, rules_for
from store.rules import add_months
from store.vocabulary import case_words, checked_role, words


PROPOSER_KINDS = ("代表", "委员")
PROPOSER_OF_BODY = {"人大": "代表", "政协": "委员"}
LIMITS = {"number": 40, "title": MAX_TITLE, "summary": MAX_NOTE, "topic": 100, "lead_unit": 200, "unit": 200,
          "proposer_name": 50, "proposer_group": 100, "proposer_unit_title": 200, "proposer_phone": 50,
          "cosigner": 50}
"""The importer's limits (store/io/import_checks.py), by the names used here."""

CASE_FIELDS = ("number", "kind", "title", "summary", "topic", "cosigners", "role", "lead_unit", "co_units",
               "assigned_on")
PROPOSER_FIELDS = ("proposer_name", "proposer_group", "proposer_unit_title", "proposer_phone")
CORRECTABLE = CASE_FIELDS + PROPOSER_FIELDS


# ----------------------------------------------------------------------------- checks


def _line(value, what: str, limit: int, *, required: bool = False) -> str:
    """A one-line name or number: trimmed, no control characters (as the importer refuses them)."""
    text = _text(value, what, required=required, limit=limit).strip()
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise LedgerError(f"{what}含有控制字符（如换行、ESC），请删除后重试。")
    return unicodedata.normalize("NFC", text)


def _number(value) -> str:
    number = _line(value, "编号", LIMITS["number"], required=True)
    if number.startswith("第") and number.endswith("号"):
        number = number[1:-1].strip()
    if not number:
        raise LedgerError("请填写编号。")
    return number


def _names(values, what: str, limit: int) -> list[str]:
    if isinstance(values, str):
        raise LedgerError(f"{what}应为名单（每人/每个单位一项）。")
    names = [_line(value, what, limit) for value in (values or ())]
    return [name for name in names if name]


def _unique_number(session: Session, number: str, case_id: int | None = None) -> None:
    query = Case.select().where((Case.session == session.id) & (Case.number == number))
    if case_id is not None:
        query = query.where(Case.id != case_id)
    if query.exists():
        raise LedgerError(f"{session.name}已有第{number}号，编号在同一届次内不能重复。")


def _proposer_kind(body: str, kind: str) -> str:
    _choice(kind, PROPOSER_KINDS, "领衔人身份")
    expected = PROPOSER_OF_BODY.get(body)
    if expected and kind != expected:
        raise LedgerError(f"{body}届次的领衔人是{expected}，不是{kind}：请检查领衔人身份或届次。")
    return kind


def _find_proposer(name: str, kind: str, group: str, unit_title: str, phone: str, *, exact: bool) -> Proposer:
    """The proposer with these details, or a new one; an existing row is never changed
    (other cases point at it). Not `exact`: an empty unit or phone matches any."""
    query = Proposer.select().where((Proposer.name == name) & (Proposer.group == group) & (Proposer.kind == kind))
    candidates = list(query.order_by(Proposer.id))
    for candidate in candidates:
        if (candidate.unit_title, candidate.phone) == (unit_title, phone):
            return candidate
    if not exact:
        for candidate in candidates:
            if (not unit_title or candidate.unit_title == unit_title) and (not phone or candidate.phone == phone):
                return candidate
    return Proposer.create(name=name, kind=kind, group=group, unit_title=unit_title, phone=phone)


def _checked_fields(fields: dict, body: str = "") -> dict:
    """The corrected values, checked one by one (only those given), named in the body's words."""
    said = words(body)
    checks = {
        "number": _number,
        "kind": lambda v: _choice(v, tuple(KIND_OF_BODY.values()), "类型"),
        "title": lambda v: _text(v, "标题", required=True, limit=MAX_TITLE),
        "summary": lambda v: _text(v, "内容摘要", limit=MAX_NOTE),
        "topic": lambda v: _line(v, "类别", LIMITS["topic"]),
        "cosigners": lambda v: _names(v, said.cosigners if body else "附议/联名人", LIMITS["cosigner"]),
        "role": lambda v: checked_role(v, body),  # 会办, the 政协 name, is stored as 汇办
        "lead_unit": lambda v: _line(v, "主办单位", LIMITS["lead_unit"]),
        "co_units": lambda v: _names(v, said.co_units, LIMITS["unit"]),
        "assigned_on": lambda v: _date(v, "交办日期") if v not in (None, "") else _missing_date(),
        "proposer_name": lambda v: _line(v, "领衔人姓名", LIMITS["proposer_name"], required=True),
        "proposer_group": lambda v: _line(v, said.proposers_group if body else "代表团或界别", LIMITS["proposer_group"]),
        "proposer_unit_title": lambda v: _line(v, "单位及职务", LIMITS["proposer_unit_title"]),
        "proposer_phone": lambda v: _line(v, "联系电话", LIMITS["proposer_phone"]),
    }
    return {name: checks[name](value) for name, value in fields.items()}


def _missing_date():
    raise LedgerError("请填写交办日期。")


def _check_role_change(case: Case, role: str) -> None:
    """A role may change only while nothing recorded depends on it."""
    if role == case.role:
        return
    label = case_label(case)
    said = case_words(case)
    if role == "汇办" and (case.replied_on or case.extended_due or case.evaluation or case.disclosure
                          or case.review_due or case.reviewed_on):
        done = "已答复" if case.replied_on else "已延期"
        raise LedgerError(f"{label}{done}，不能改为{said.contributing}（{said.contributing_case}不答复{said.proposer}）："
                          "如确属误录，请先撤销答复或延期，再修改办理方式。")
    if case.role == "汇办" and case.opinion_sent_on is not None:
        raise LedgerError(f"{label}已报送{said.opinion}，不能改为{role}：如确属误录，请先撤销{said.opinion}，再修改办理方式。")


def _check_assigned_on(case: Case, day: dt.date) -> None:
    """A corrected 交办 date: not after 签收 nor after any step recorded on the case, and an
    approved extension still later than the plain reply date and within the cap."""
    label = case_label(case)
    if case.signed_on is not None and day > case.signed_on:
        raise LedgerError(f"交办日期{day:%Y-%m-%d}晚于签收日期{case.signed_on:%Y-%m-%d}：应先交办、后签收，请检查日期。")
    undone = Event.select(Event.undoes).where((Event.case == case.id) & Event.undoes.is_null(False))
    later = (
        Event.select(Event.kind, Event.on_date)
        .where((Event.case == case.id) & Event.on_date.is_null(False) & (Event.on_date < day)
               & Event.kind.not_in(("交办", "修改", "更正", "撤销")) & ~(Event.id << undone))
        .order_by(Event.on_date, Event.id)
        .first()
    )
    if later is not None:
        raise LedgerError(f"交办日期{day:%Y-%m-%d}晚于{label}已记录的{later.kind}（{later.on_date:%Y-%m-%d}）："
                          "应先交办、后办理，请检查日期。")
    if case.extended_due is not None:
        rules = rules_for(case.session_id)
        limit = add_months(day, rules.max_reply_months)
        if case.extended_due > limit:
            raise LedgerError(f"按交办日期{day:%Y-%m-%d}，已批准的延期（至{case.extended_due:%Y-%m-%d}）将超过"
                              f"交办后{rules.max_reply_months}个月的上限，请先撤销延期或检查日期。")
        plain = add_months(day, rules.reply_months)
        if case.extended_due <= plain:
            raise LedgerError(f"按交办日期{day:%Y-%m-%d}，答复期限本为{plain:%Y-%m-%d}，已批准的延期"
                              f"（至{case.extended_due:%Y-%m-%d}）将不晚于它，不再是延期：请先撤销延期或检查日期。")
