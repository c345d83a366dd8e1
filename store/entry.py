"""Cases entered by hand: 录入 a case that arrives on paper, and what the new-case form reads.

`enter_case` is 交办 for a case that is not on any list (闭会期间, a late transfer): every
field checked as the importer checks a row, the proposer found or created, one 交办 event.
Putting a case right afterwards (修改, 更正, and the checks before an undo of either) lives in
`store.corrections`; its functions stay importable from here.

Every refusal is a `LedgerError` sentence and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from store.actions import (
    KIND_OF_BODY,
    MAX_NOTE,
    MAX_TITLE,
    Recorded,
    _choice,
    _date,
    _operator,
    _text,
    _transaction,
    check_case_shape,
    create_case,
)
from store.actions.common import retrying
from store.errors import LedgerError
from store.models import Session
from store.vocabulary import checked_role, words

# 修改, 更正 and the checks before an undo live in store.corrections, the field checks they share
# with 录入 in store.case_fields: every name stays importable from here as before.
from store.case_fields import (  # noqa: F401
    CASE_FIELDS,
    CORRECTABLE,
    LIMITS,
    PROPOSER_FIELDS,
    PROPOSER_KINDS,
    PROPOSER_OF_BODY,
    _check_assigned_on,
    _check_role_change,
    _checked_fields,
    _find_proposer,
    _line,
    _missing_date,
    _names,
    _number,
    _proposer_kind,
    _unique_number,
)
from store.corrections import (  # noqa: F401
    _before_dissatisfied,
    _check_restored_dates,
    _check_restored_fields,
    _not_after_later_steps,
    _only_evaluation,
    _proposer_words,
    _reason,
    _standing,
    check_restored,
    correct_case,
    correct_evaluation,
    correct_reply,
)


# ------------------------------------------------------------------------------ 录入


@retrying
def enter_case(operator, *, session_id: int, number, kind: str, title, summary="", topic="", proposer_name,
               proposer_kind: str, proposer_group, proposer_unit_title="", proposer_phone="",
               cosigners: Iterable[str] = (), role: str, lead_unit="", co_units: Iterable[str] = (),
               assigned_on, note="") -> Recorded:
    """录入: a case that arrives on paper (闭会期间, a late transfer), checked like a list's row."""
    operator = _operator(operator)
    session = Session.get_or_none(Session.id == session_id) if session_id is not None else None
    if session is None:
        raise LedgerError("请选择届次（台账中还没有届次的，请先在“届次规则”中新建）。")
    number = _number(number)
    _choice(kind, tuple(KIND_OF_BODY.values()), "类型")
    if KIND_OF_BODY.get(session.body, kind) != kind:
        raise LedgerError(f"{session.body}的届次只收{KIND_OF_BODY[session.body]}，不能登记{kind}：请检查类型或届次。")
    title = _text(title, "标题", required=True, limit=MAX_TITLE)
    summary = _text(summary, "内容摘要", limit=MAX_NOTE)
    topic = _line(topic, "类别", LIMITS["topic"])
    name = _line(proposer_name, "领衔人姓名", LIMITS["proposer_name"], required=True)
    proposer_kind = _proposer_kind(session.body, proposer_kind)
    said = words(session.body)
    group = _line(proposer_group, said.proposers_group, LIMITS["proposer_group"])
    unit_title = _line(proposer_unit_title, "单位及职务", LIMITS["proposer_unit_title"])
    phone = _line(proposer_phone, "联系电话", LIMITS["proposer_phone"])
    cosigners = _names(cosigners, said.cosigners, LIMITS["cosigner"])
    role = checked_role(role, session.body)  # 会办, the 政协 name, is stored as 汇办
    lead_unit = _line(lead_unit, "主办单位", LIMITS["lead_unit"])
    co_units = _names(co_units, said.co_units, LIMITS["unit"])
    check_case_shape(session.body, kind, role, lead_unit, co_units)
    assigned = _date(assigned_on, "交办日期") if assigned_on not in (None, "") else None
    if assigned is None:
        raise LedgerError("请填写交办日期。")
    note = _text(note, "备注")
    with _transaction():
        _unique_number(session, number)
        proposer = _find_proposer(name, proposer_kind, group, unit_title, phone, exact=False)
        return create_case(operator, session=session.id, number=number, title=title, role=role,
                           assigned_on=assigned, kind=kind, lead_proposer=proposer.id, cosigners=cosigners,
                           lead_unit=lead_unit, co_units=co_units, summary=summary, topic=topic,
                           note=note or "手工录入", require_lead_unit=True)


# --------------------------------------------------------------------------- for the desk

_NAME_SPLIT = re.compile(r"[、，,；;\n]+")


def split_names(text: str) -> list[str]:
    """Co-signers or co-units as typed on one line, 、-separated (，,；; also accepted)."""
    return [part.strip() for part in _NAME_SPLIT.split(text or "") if part.strip()]


@dataclass(frozen=True)
class EntrySession:
    """A session as the new-case form offers it: its body decides the kind and the proposer."""

    id: int
    name: str
    body: str
    year: int
    assigned_on: dt.date | None

    @property
    def kind(self) -> str:
        return KIND_OF_BODY.get(self.body, "建议")

    @property
    def proposer_kind(self) -> str:
        return PROPOSER_OF_BODY.get(self.body, "代表")


def entry_sessions() -> list[EntrySession]:
    """Every session, newest year first, for the new-case form."""
    query = Session.select(Session.id, Session.name, Session.body, Session.year, Session.assigned_on).order_by(
        Session.year.desc(), Session.id)
    return [EntrySession(s.id, s.name, s.body, s.year, s.assigned_on) for s in query]
