"""同比: a session's figures beside the previous session of the same body (人大 with 人大, 政协 with 政协).

The previous session is the latest one of the same body in an earlier year. Each row holds a
figure of `store.statistics.session_statistics` for both sessions, counted as of the same
day (`today`), and the difference: 件 for counts, 个百分点 for rates (each rate over its own
denominator, 四舍五入 by `store.figures.percent`; a rate with nothing to divide has no
difference). The on-time rates are those of the summary: 按时签收率 over signed plus unsigned
past due, 按时答复率 over answered plus unanswered past due; 满意率 is 满意 among the
evaluations received (by the latest of each case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from store import clock
from store.figures import NOTHING_TO_COUNT, percent
from store.models import RESULT_CLASS_NAMES, ROLES, Session
from store.statistics import SessionStatistics, session_statistics
from store.vocabulary import words


@dataclass(frozen=True)
class Figure:
    """One figure of one session: a count (`whole` is None) or a share `part`/`whole`."""

    part: int
    whole: int | None = None

    @property
    def is_rate(self) -> bool:
        return self.whole is not None

    @property
    def value(self) -> Decimal | None:
        """The count, or the share in per cent (四舍五入 to a tenth); None for a share of nothing."""
        if self.whole is None:
            return Decimal(self.part)
        if not self.whole:
            return None
        return (Decimal(self.part) * 100 / Decimal(self.whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def text(self) -> str:
        if self.whole is None:
            return f"{self.part}件"
        return f"{percent(self.part, self.whole)}（{self.part}/{self.whole}）"


@dataclass(frozen=True)
class CompareRow:
    """One line of the comparison: what, this session's figure, the previous one's, and the change."""

    label: str
    this: Figure
    previous: Figure

    @property
    def change(self) -> Decimal | None:
        """This minus previous (件, or 个百分点); None when either share has nothing to divide."""
        if self.this.value is None or self.previous.value is None:
            return None
        return self.this.value - self.previous.value

    @property
    def change_text(self) -> str:
        """+3件 / -1件 / 持平 / +12.5个百分点; — when it cannot be said."""
        change = self.change
        if change is None:
            return NOTHING_TO_COUNT
        if change == 0:
            return "持平"
        unit = "个百分点" if self.this.is_rate else "件"
        number = f"{change:+f}"
        if "." in number:
            number = number.rstrip("0").rstrip(".")
        return f"{number}{unit}"


@dataclass(frozen=True)
class Comparison:
    """A session and the previous one of its body, figure by figure."""

    session: str
    previous: str
    year: int
    previous_year: int
    today: dt.date
    rows: tuple[CompareRow, ...]

    def row(self, label: str) -> CompareRow:
        return next(row for row in self.rows if row.label == label)


def previous_session(session_id: int) -> Session | None:
    """The latest session of the same body in an earlier year (None when there is none)."""
    session = Session.get_or_none(Session.id == session_id)
    if session is None:
        return None
    return (Session.select()
            .where((Session.body == session.body) & (Session.year < session.year))
            .order_by(Session.year.desc(), Session.id.desc())
            .first())


def figures_of(stats: SessionStatistics) -> list[tuple[str, Figure]]:
    """The figures compared, in order, with their labels in the body's words."""
    said = words(stats.body)
    rows = [("接收", Figure(stats.received))]
    rows += [(said.role(role), Figure(stats.by_role.get(role, 0))) for role in ROLES]
    rows += [("按时签收率", Figure(stats.signed_on_time, stats.sign_denominator)),
             ("按时答复率", Figure(stats.answered_on_time, stats.answer_denominator))]
    rows += [(f"{key}类", Figure(stats.by_class.get(key, 0))) for key in RESULT_CLASS_NAMES]
    rows.append(("满意率", Figure(stats.by_evaluation.get("满意", 0), stats.evaluations_received)))
    return rows


def compare(session_id: int, *, today: dt.date | None = None, keeper=None) -> Comparison | None:
    """The session beside the previous one of its body, as of `today`; None when there is none.
    The figures come from `keeper` (a built `store.statistics_keeper.StatisticsKeeper`) when given."""
    session = Session.get_or_none(Session.id == session_id)
    previous = previous_session(session_id)
    if session is None or previous is None:
        return None
    today = today or clock.today()
    this = figures_of(session_statistics(session.id, today=today, keeper=keeper))
    before = dict(figures_of(session_statistics(previous.id, today=today, keeper=keeper)))
    return Comparison(session=session.name, previous=previous.name, year=session.year,
                      previous_year=previous.year, today=today,
                      rows=tuple(CompareRow(label, figure, before[label]) for label, figure in this))


def no_previous_sentence() -> str:
    """What the statistics screen says when there is nothing to compare with."""
    return "没有同一机关的上一届次，无法同比。"
