"""How the desk writes a share or a date in a figure: one rounding for every paper it signs.

Offices round 四舍五入 (half up), not Python's half to even (`round(6.25, 1) == 6.2`), so
every share the desk prints, exports or writes goes through `percent`, which counts with
`Decimal` and ROUND_HALF_UP to one decimal: 1/16 → "6.3%", 5/16 → "31.3%", 1/2 → "50%".
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NOTHING_TO_COUNT = "—"
"""What a share reads when there is nothing to divide by."""


def percent(part: int, whole: int, *, empty: str = NOTHING_TO_COUNT) -> str:
    """`part` of `whole` as a share, 四舍五入 to one decimal, a whole number without it
    (6.3%, 50%, 100%); `empty` (—) when `whole` is 0."""
    if not whole:
        return empty
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return f"{int(value)}%"
    return f"{value}%"


def ratio_text(part: int, whole: int) -> str:
    """The share with what it divides: 62.5%（5/8）; —（0/0） when there is nothing to count."""
    return f"{percent(part, whole)}（{part}/{whole}）"


def as_of(day: dt.date) -> str:
    """截至2023年9月19日 — the day a figure is counted to."""
    return f"截至{chinese_date(day)}"


def chinese_date(day: dt.date) -> str:
    """2023年9月19日."""
    return f"{day.year}年{day.month}月{day.day}日"


def stored_date(value) -> dt.date | None:
    """A date as the ledger may hold it — a date, an ISO text (JSON, SQLite), or nothing — as a date
    (None for nothing or for text that is not a date)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
