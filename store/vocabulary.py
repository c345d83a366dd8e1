"""One vocabulary per body: a 人大 case speaks of 建议, 代表, 汇办; a 政协 case of 提案, 委员, 会办.

The ledger stores one set of values whatever the body: the contributing role is stored as
汇办 (and the event kind as 汇办意见) on 政协 cases too, so that every rule, query and figure
reads one value. The words change at the edges only: what a screen, a message, a notice, a
report or an export says comes from `words(body)`, and what a user types in is read back by
`stored_role` (会办, the 政协 name, and 协办 are stored as 汇办, on a case of either body:
the office uses them loosely and the importer has always read them so).

A text about cases of both bodies (the whole ledger, a mixed export) uses `words("")`:
建议提案, 代表委员, 汇办（会办）, or 代表/委员 in a heading.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTRIBUTING = "汇办"
"""The stored name of the contributing role, whatever the body."""

ROLE_ALIASES = {"会办": CONTRIBUTING, "协办": CONTRIBUTING}
"""Names a user or a list may give the contributing role, and the value stored for them."""


@dataclass(frozen=True)
class Words:
    """The terms one body uses (人大, 政协, or "" for texts about both)."""

    body: str
    case: str  # 建议 / 提案
    case_long: str  # 代表建议 / 委员提案
    proposer: str  # 代表 / 委员
    people: str  # 人大代表 / 政协委员
    proposers_group: str  # 代表团 / 界别
    cosigners: str  # 附议代表 / 联名委员
    contributing: str  # 汇办 / 会办 (the stored role is 汇办 for both)
    opinion: str  # 汇办意见 / 会办意见
    evaluation: str  # 代表评价 / 委员评价
    co_units: str  # 汇办单位 / 会办单位
    level: str = ""  # 市, 省 … (from the session's name), for `received`

    @property
    def lead_proposer(self) -> str:
        """领衔代表 / 领衔委员."""
        return f"领衔{self.proposer}"

    @property
    def contributing_case(self) -> str:
        """汇办件 / 会办件."""
        return f"{self.contributing}件"

    @property
    def received(self) -> str:
        """What the year's summary says the bureau received: 市人大代表建议件 / 市政协委员提案."""
        if self.body == "政协":
            return f"{self.level}政协委员提案"
        if self.body == "人大":
            return f"{self.level}人大代表建议件"
        return "人大代表建议和政协委员提案"

    def role(self, role: str) -> str:
        """The role as this body names it (汇办 → 会办 on 政协 cases)."""
        return self.contributing if role == CONTRIBUTING else role

    def roles(self) -> tuple[str, ...]:
        """The four roles as this body names them, in the office's order."""
        from store.models import ROLES

        return tuple(self.role(role) for role in ROLES)

    def milestone(self, label: str) -> str:
        """A milestone's or event kind's label as this body says it: 汇办意见 on a 人大 case, 会办意见 on a
        政协 case (the stored 汇办意见 of a contributing case, and the 会办意见 milestone of a 主办 case)."""
        return self.opinion if label in ("汇办意见", "会办意见") else label


_NPC = Words(body="人大", case="建议", case_long="代表建议", proposer="代表", people="人大代表",
             proposers_group="代表团", cosigners="附议代表", contributing="汇办", opinion="汇办意见",
             evaluation="代表评价", co_units="汇办单位")
_CPPCC = Words(body="政协", case="提案", case_long="委员提案", proposer="委员", people="政协委员",
               proposers_group="界别", cosigners="联名委员", contributing="会办", opinion="会办意见",
               evaluation="委员评价", co_units="会办单位")
_BOTH = Words(body="", case="建议提案", case_long="代表建议和委员提案", proposer="代表委员", people="代表委员",
              proposers_group="代表团/界别", cosigners="附议/联名", contributing="汇办（会办）",
              opinion="汇办（会办）意见", evaluation="代表/委员评价", co_units="会办/汇办单位")


def words(body: str | None, *, level: str = "") -> Words:
    """The words of a body: 人大, 政协, or anything else (several sessions) for both."""
    base = {"人大": _NPC, "政协": _CPPCC}.get(body or "", _BOTH)
    if level and base is not _BOTH:
        from dataclasses import replace

        return replace(base, level=level)
    return base


def role_label(role: str, body: str | None) -> str:
    """The role as the case's body names it: 汇办 on a 政协 case is 会办."""
    return words(body).role(role) if body in ("人大", "政协") else role


def milestone_label(label: str, body: str | None) -> str:
    """A milestone or event kind as the case's body names it: 汇办意见 on a 政协 case is 会办意见."""
    return words(body).milestone(label) if body in ("人大", "政协") else label


def stored_role(role) -> str:
    """The value stored for a role as entered: 会办 (the 政协 name) and 协办 are 汇办; others unchanged."""
    text = "" if role is None else str(role).strip()
    return ROLE_ALIASES.get(text, text)


def checked_role(role, body: str | None) -> str:
    """The stored value of a role as entered (会办 → 汇办), or a LedgerError naming the body's four roles."""
    from store.errors import LedgerError
    from store.models import ROLES

    value = stored_role(role)
    if value not in ROLES:
        raise LedgerError(f"办理方式“{role}”无效，应为：{'、'.join(words(body).roles() if body in ('人大', '政协') else ROLES)}。")
    return value


def body_of_session(session_id: int | None) -> str:
    """人大 or 政协: the body of a session (one indexed read; "" if there is none)."""
    if session_id is None:
        return ""
    from store.models import Session

    return Session.select(Session.body).where(Session.id == session_id).scalar() or ""


def body_of_case(case) -> str:
    """The body of a case (a `Case`, or anything with `session_id`), read from its session."""
    return body_of_session(getattr(case, "session_id", None))


def case_words(case) -> Words:
    """The words a message about this case uses (one read of its session's body)."""
    return words(body_of_case(case))
