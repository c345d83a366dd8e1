"""届次与期限规则: the sessions the bureau handles and each session's deadline rules.

A session's rules are Shenzhen's defaults (`store.rules.DEFAULT_RULES`) with the overrides
the office entered (`Session.rules`, only the rules that differ). Every change here is one
transaction with one 变更记录 (`store.changes.record_change`, area 规则 or 届次), and a rule
change recomputes the cached next deadline of the session's open cases in the same
transaction, so the ledger, the division board, the weekly checklist and the card agree at
once. Refusals are `LedgerError` sentences and write nothing.

`store.actions.ensure_session` stays the quiet find-or-create of the importer and fixtures;
the office creates and renames sessions here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from peewee import JOIN, fn

from store import clock
from store.actions import _operator, _text, _transaction
from store.actions.common import retrying
from store.changes import record_change
from store.deadlines import recompute_next_due
from store.errors import LedgerError
from store.models import BODIES, Case, Session
from store.rules import (
    DEFAULT_RULES,
    RULE_BOUNDS,
    RULE_LABELS,
    RuleSet,
    rule_key,
    rule_text,
    rule_value,
)

RULES_FROM = ("default", "previous")
"""Where a new session's rules come from: the defaults, or the latest session of its body."""

MIN_YEAR, MAX_YEAR = 2000, 2100


# ----------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class RuleView:
    """One rule of a session as the office reads it."""

    key: str
    label: str
    unit: str
    value: int | bool
    default: int | bool
    overridden: bool
    bounds: tuple[int, int] | None  # None: a 是/否 rule

    @property
    def value_text(self) -> str:
        return rule_text(self.key, self.value)

    @property
    def default_text(self) -> str:
        return rule_text(self.key, self.default)

    @property
    def is_yes_no(self) -> bool:
        return self.bounds is None

    @property
    def state(self) -> str:
        """默认 or 已修改."""
        return "已修改" if self.overridden else "默认"


@dataclass(frozen=True)
class SessionRules:
    """A session and every one of its rules, in the office's order."""

    session_id: int
    name: str
    body: str
    year: int
    assigned_on: dt.date | None
    rules: tuple[RuleView, ...]

    def rule(self, key: str) -> RuleView:
        return next(view for view in self.rules if view.key == key)


@dataclass(frozen=True)
class SessionOverview:
    """One line of the sessions list: name, body, year, 交办 date, cases, rules changed."""

    session_id: int
    name: str
    body: str
    year: int
    assigned_on: dt.date | None
    case_count: int
    overridden: int


def _overrides(session: Session) -> dict:
    """The session's stored overrides of known rules, each as its type."""
    stored = session.rules if isinstance(session.rules, dict) else {}
    rules = RuleSet.from_overrides(stored)
    return {key: getattr(rules, key) for key in stored if key in RULE_LABELS}


def session_rules_view(session_id: int) -> SessionRules:
    """The session's rules: label, value, default, whether changed, unit."""
    session = _session(session_id)
    overrides = _overrides(session)
    rules = RuleSet.from_overrides(overrides)
    views = tuple(
        RuleView(key, label, unit, getattr(rules, key), getattr(DEFAULT_RULES, key), key in overrides,
                 RULE_BOUNDS.get(key))
        for key, (label, unit) in RULE_LABELS.items()
    )
    return SessionRules(session.id, session.name, session.body, session.year, session.assigned_on, views)


def sessions_overview() -> list[SessionOverview]:
    """Every session, newest year first: name, body, year, 交办, cases, rules changed."""
    query = (
        Session.select(Session, fn.COUNT(Case.id).alias("case_count"))
        .join(Case, JOIN.LEFT_OUTER, on=(Case.session == Session.id))
        .group_by(Session.id)
        .order_by(Session.year.desc(), Session.id.desc())
    )
    return [
        SessionOverview(row.id, row.name, row.body, row.year, row.assigned_on, row.case_count, len(_overrides(row)))
        for row in query
    ]


# ---------------------------------------------------------------------------- checks


def _session(session_id) -> Session:
    try:
        key = int(session_id)
    except (TypeError, ValueError):
        raise LedgerError(f"届次编号“{session_id}”无效。") from None
    session = Session.get_or_none(Session.id == key)
    if session is None:
        raise LedgerError("找不到该届次，可能已被其他工作站更改，请刷新。")
    return session


def _name(value) -> str:
    name = _text(value, "届次名称", required=True, limit=100).strip()
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise LedgerError("届次名称含有控制字符或换行，请重新输入。")
    return name


def _name_fits_body(name: str, body: str) -> None:
    """A name that says 政协 belongs to a 政协 session, one that says 人大 to a 人大 one."""
    other = "人大" if body == "政协" else "政协"
    if other in name and body not in name:
        raise LedgerError(f"届次名称“{name}”含“{other}”，机构却是{body}，请检查名称或机构。")


def _unique(name: str, except_id: int | None = None) -> None:
    query = Session.select(Session.id).where(fn.LOWER(Session.name) == name.lower())
    if except_id is not None:
        query = query.where(Session.id != except_id)
    if query.exists():
        raise LedgerError(f"已有名为“{name}”的届次，届次名称不能重复。")


def _checked_changes(changes: dict) -> dict:
    if not isinstance(changes, dict) or not changes:
        raise LedgerError("没有要修改的规则。")
    checked = {}
    for name, value in changes.items():
        key = rule_key(name)
        checked[key] = rule_value(key, value)
    return checked


def _consistent(rules: RuleSet) -> None:
    if rules.max_reply_months < rules.reply_months:
        raise LedgerError(f"延期上限（{rules.max_reply_months}个月）不能短于答复期限（{rules.reply_months}个月）。")


def _day(value, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return clock.parse_date(value)
        except ValueError as exc:
            raise LedgerError(f"{what}：{exc}") from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise LedgerError(f"{what}“{value}”不是日期。")
    return dt.date(value.year, value.month, value.day)


def _year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise LedgerError(f"年份“{value}”不是整数，请写四位年份，例如 2027。") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise LedgerError(f"年份{year}不在{MIN_YEAR}到{MAX_YEAR}之间，请检查。")
    return year


# ---------------------------------------------------------------------------- writes


@retrying
def set_session_rules(operator: str, session_id: int, changes: dict, note: str = "") -> int:
    """Change some of a session's rules; return how many cases' deadlines moved.

    `changes` maps rule keys (or their Chinese labels) to new values. A value equal to the
    default removes the override. One 变更记录 (area 规则) holds every rule's before and after.
    """
    operator = _operator(operator)
    note = _text(note, "说明", limit=500)
    checked = _checked_changes(changes)
    with _transaction(changes_deadlines=True):
        session = _session(session_id)
        overrides = _overrides(session)
        current = RuleSet.from_overrides(overrides)
        before = {key: getattr(current, key) for key in checked}
        if before == checked:
            labels = "、".join(RULE_LABELS[key][0] for key in checked)
            raise LedgerError(f"{session.name}的{labels}已是该值，没有修改。")
        for key, value in checked.items():
            if value == getattr(DEFAULT_RULES, key):
                overrides.pop(key, None)
            else:
                overrides[key] = value
        _consistent(RuleSet.from_overrides(overrides))
        session.rules = overrides
        session.save()
        moved = recompute_next_due(session.id)
        record_change(operator, "规则", session.name, "修改", note=note, before=before, after=checked,
                      session_id=session.id, moved=moved)
    return moved


@retrying
def reset_session_rule(operator: str, session_id: int, rule: str, note: str = "") -> int:
    """恢复默认: one rule back to the default; return how many cases' deadlines moved."""
    operator = _operator(operator)
    note = _text(note, "说明", limit=500)
    key = rule_key(rule)
    with _transaction(changes_deadlines=True):
        session = _session(session_id)
        overrides = _overrides(session)
        label = RULE_LABELS[key][0]
        if key not in overrides:
            raise LedgerError(f"{session.name}的{label}已是默认值（{rule_text(key, getattr(DEFAULT_RULES, key))}），无需恢复。")
        before = {key: overrides.pop(key)}
        _consistent(RuleSet.from_overrides(overrides))
        session.rules = overrides
        session.save()
        moved = recompute_next_due(session.id)
        record_change(operator, "规则", session.name, "恢复默认", note=note, before=before,
                      after={key: getattr(DEFAULT_RULES, key)}, session_id=session.id, moved=moved)
    return moved


@dataclass(frozen=True)
class SessionMade:
    """A session just created, and where its rules came from (None: the defaults)."""

    session_id: int
    name: str
    rules_from: str | None
    rules: dict

    @property
    def message(self) -> str:
        source = f"沿用{self.rules_from}的规则" if self.rules_from else "使用默认规则"
        changed = f"（{len(self.rules)}条与默认不同）" if self.rules else ""
        return f"已新建届次“{self.name}”，{source}{changed}。"


def _previous(body: str) -> Session | None:
    """The latest session of the same body: the newest year, then the newest entered."""
    return (Session.select().where(Session.body == body)
            .order_by(Session.year.desc(), Session.id.desc()).first())


@retrying
def create_session(operator: str, *, body: str, name: str, year, assigned_on=None,
                   rules_from: str = "default", note: str = "") -> SessionMade:
    """新建届次: body (人大/政协), a unique name, the year, the usual 交办 date, and the rules
    copied from the defaults or from the previous session of the same body."""
    operator = _operator(operator)
    if body not in BODIES:
        raise LedgerError(f"机构“{body}”无效，应为：{'、'.join(BODIES)}。")
    name = _name(name)
    _name_fits_body(name, body)
    year = _year(year)
    assigned = _day(assigned_on, "交办日期")
    if assigned is not None and abs(assigned.year - year) > 1:
        raise LedgerError(f"交办日期{assigned:%Y-%m-%d}与届次年份{year}相差太远，请检查。")
    if rules_from not in RULES_FROM:
        raise LedgerError(f"规则来源“{rules_from}”无效，应为 default（默认规则）或 previous（沿用上一届次）。")
    note = _text(note, "说明", limit=500)
    with _transaction():
        _unique(name)
        source = None
        rules: dict = {}
        if rules_from == "previous":
            source = _previous(body)
            if source is None:
                raise LedgerError(f"台账中还没有{body}届次，无法沿用上一届次的规则；请选默认规则。")
            rules = _overrides(source)
        session = Session.create(body=body, name=name, year=year, assigned_on=assigned, rules=rules)
        record_change(operator, "届次", name, "新增", note=note, before={},
                      after={"body": body, "name": name, "year": year, "assigned_on": assigned, "rules": rules},
                      session_id=session.id, rules_from=source.name if source else "默认")
    return SessionMade(session.id, name, source.name if source else None, rules)


@retrying
def rename_session(operator: str, session_id: int, new_name: str, note: str = "") -> str:
    """改名: a session's new name (unique); returns the sentence to show."""
    operator = _operator(operator)
    name = _name(new_name)
    note = _text(note, "说明", limit=500)
    with _transaction():
        session = _session(session_id)
        old = session.name
        if name == old:
            raise LedgerError(f"新名称与原名称相同（{old}），没有修改。")
        _name_fits_body(name, session.body)
        _unique(name, except_id=session.id)
        session.name = name
        session.save()
        record_change(operator, "届次", name, "改名", note=note, before={"name": old}, after={"name": name},
                      session_id=session.id)
    return f"届次“{old}”已改名为“{name}”。"
