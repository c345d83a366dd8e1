"""Working days (工作日) in mainland China, with the office's own corrections.

The `holidays` package knows each year's State Council notice, including the weekend days
that become working days (调休). A year whose notice it does not hold (the next year, before
the notice is out in late autumn) is counted from weekends and the fixed festivals only,
and every answer that touches such a year says so (`WorkdayResult.estimated`). The office
can enter a day itself (`CalendarDay`) and confirm a year (`CalendarYear`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _official_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date], bool]:
    """(holidays, weekend working days, whether the notice is known) for one year."""
    table = holidays.China(years=year)
    days_off = frozenset(day for day in table if day.year == year)
    workdays = frozenset(day for day in getattr(table, "weekend_workdays", ()) if day.year == year)
    return days_off, workdays, bool(workdays)


def prepare(years: Iterable[int]) -> None:
    """Load the holiday tables of `years` now (importing them costs ~0.1 s the first time)."""
    for year in years:
        _official_year(year)


@dataclass(frozen=True)
class WorkdayResult:
    """A date reached by counting working days, and whether the count had to guess."""

    day: dt.date
    estimated: bool
    unknown_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        """A sentence for the user when the count used a year nobody has confirmed."""
        if not self.estimated:
            return ""
        years = "、".join(f"{year}年" for year in self.unknown_years)
        return f"{years}的节假日安排尚未公布或未录入，此日期按周末和法定节日推算，请核对。"


class WorkCalendar:
    """Mainland China's working days, corrected by the office's overrides."""

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        confirmed_years: Iterable[int] = (),
    ) -> None:
        self._overrides = {_plain(day): bool(flag) for day, flag in (overrides or {}).items()}
        self._confirmed = frozenset(confirmed_years)
        self._years: dict[int, list[int]] = {}

    def knows_year(self, year: int) -> bool:
        """True when the year's notice is in `holidays` or the office confirmed the year."""
        return year in self._confirmed or _official_year(year)[2]

    def is_working_day(self, day: dt.date) -> bool:
        day = _plain(day)
        if day in self._overrides:
            return self._overrides[day]
        days_off, workdays, _known = _official_year(day.year)
        if day in workdays:
            return True
        if day in days_off:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, count: int) -> WorkdayResult:
        """The day `count` working days after `start` (start itself not counted).

        Thursday 2023-09-28 plus one working day is Saturday 2023-10-07 (调休).
        """
        if count < 0:
            raise ValueError("count must not be negative")
        day = _plain(start)
        remaining = count
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return self._result(start, day)

    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative when end < start."""
        start, end = _plain(start), _plain(end)
        if end < start:
            return -self.count_working_days(end, start)
        counts = self._year_counts(start.year)
        total = -counts[start.timetuple().tm_yday - 1]
        for year in range(start.year, end.year):
            total += self._year_counts(year)[-1]
        return total + self._year_counts(end.year)[end.timetuple().tm_yday - 1]

    def _year_counts(self, year: int) -> list[int]:
        """Running count of working days through each day of `year` (cached per year)."""
        counts = self._years.get(year)
        if counts is None:
            running, counts = 0, []
            day = dt.date(year, 1, 1)
            while day.year == year:
                running += self.is_working_day(day)
                counts.append(running)
                day += dt.timedelta(days=1)
            self._years[year] = counts
        return counts

    def unknown_years(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        low, high = sorted((_plain(start).year, _plain(end).year))
        return tuple(year for year in range(low, high + 1) if not self.knows_year(year))

    def _result(self, start: dt.date, day: dt.date) -> WorkdayResult:
        unknown = self.unknown_years(start, day)
        return WorkdayResult(day=day, estimated=bool(unknown), unknown_years=unknown)


def _plain(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        day = day.date()
    return dt.date(day.year, day.month, day.day)
