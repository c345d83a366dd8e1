"""Today and now, as the office counts them.

Dates are Asia/Shanghai dates; instants are UTC. `fix_today` makes every deadline count
from a given day (`duban --today`, reviews of a past date, tests); `frozen_now` lets a
fixture write a believable history with past instants.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pendulum

OFFICE_TZ = "Asia/Shanghai"

_fixed_today: dt.date | None = None
_fixed_now: pendulum.DateTime | None = None


def today() -> dt.date:
    """The office's date: a fixture's frozen instant, else the fixed day, else today in Asia/Shanghai."""
    if _fixed_today is not None and _fixed_now is None:
        return _fixed_today
    current = _fixed_now.in_timezone(OFFICE_TZ) if _fixed_now is not None else pendulum.now(OFFICE_TZ)
    return dt.date(current.year, current.month, current.day)  # plain date: cheap arithmetic


def now() -> pendulum.DateTime:
    """The current instant in UTC (or the frozen one)."""
    if _fixed_now is not None:
        return _fixed_now
    return pendulum.now("UTC")


def office_now() -> pendulum.DateTime:
    """The current instant on the office's clock (Beijing time): what file names are stamped with."""
    return now().in_timezone(OFFICE_TZ)


def fix_today(day: dt.date | None) -> None:
    """Count every deadline from `day` (None: follow the real date again)."""
    global _fixed_today
    _fixed_today = None if day is None else dt.date(day.year, day.month, day.day)


def is_today_fixed() -> bool:
    return _fixed_today is not None


@contextlib.contextmanager
def frozen_now(instant: dt.datetime) -> Iterator[None]:
    """Record events as if at `instant` (a fixture's history); restores afterwards."""
    global _fixed_now
    previous = _fixed_now
    _fixed_now = pendulum.instance(instant).in_timezone("UTC")
    try:
        yield
    finally:
        _fixed_now = previous


def local_date_of(instant: dt.datetime) -> dt.date:
    """The Asia/Shanghai date of a UTC instant."""
    local = pendulum.instance(instant).in_timezone(OFFICE_TZ)
    return dt.date(local.year, local.month, local.day)


def parse_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD, 2023年9月28日).

    Raises ValueError with a Chinese message naming what was typed.
    """
    import re

    raw = (text or "").strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", raw) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", raw
    )
    if not match:
        raise ValueError(f"日期“{raw}”无法识别，请写成 YYYY-MM-DD，例如 2023-09-28。")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期“{raw}”不存在（{year}年没有{month}月{day}日），请检查。") from None


def start_of_local_day(day: dt.date) -> pendulum.DateTime:
    """The UTC instant at which `day` begins in Asia/Shanghai."""
    return pendulum.datetime(day.year, day.month, day.day, tz=OFFICE_TZ).in_timezone("UTC")
