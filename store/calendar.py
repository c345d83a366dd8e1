"""Working days (工作日) in mainland China, with the office's own corrections.

The `holidays` package knows each year's State Council notice, including the weekend days
that become working days (调休); what it says of a year is kept in the cache folder
(store/cache_files.py) for that version of the package, so a desk need not import it again. A year whose notice it does not hold (the next year, before
the notice is out in late autumn) is counted from weekends and the fixed festivals only,
and every answer that touches such a year says so (`WorkdayResult.estimated`). The office
can enter a day itself (`CalendarDay`) and confirm a year (`CalendarYear`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def holidays_version() -> str:
    """The installed `holidays` package's version, read without importing it (0.3 s): from the
    name of its `holidays-VERSION.dist-info` folder beside the package (a look at one folder),
    else from `importlib.metadata` (18 ms, most of it importing that module)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("holidays")
        if spec is not None and spec.origin:
            folder = Path(spec.origin).parent.parent
            found = [item.name[len("holidays-"):-len(".dist-info")] for item in folder.glob("holidays-*.dist-info")]
            if len(found) == 1:
                return found[0]
    except (OSError, ValueError, ImportError):  # pragma: no cover - then ask importlib.metadata
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - a broken install: never share tables
        return ""


def _tables_file():
    from store.cache_files import cache_dir

    folder = cache_dir("holidays")
    return folder / f"china-{holidays_version()}.json" if folder is not None and holidays_version() else None


def _kept_tables() -> dict:
    """{year: [days off, weekend working days]} as ISO dates, kept by an earlier run of this
    version of `holidays` (importing the package and its countries costs about 0.3 s)."""
    path = _tables_file()
    try:
        kept = json.loads(path.read_text(encoding="utf-8")) if path is not None and path.is_file() else {}
        return kept if isinstance(kept, dict) else {}
    except (OSError, ValueError):
        return {}


def _keep_tables(kept: dict) -> None:
    from store.cache_files import write_private

    path = _tables_file()
    if path is None:
        return
    try:
        write_private(path, json.dumps(kept, sort_keys=True).encode())
    except OSError:
        pass  # a cache: the next run imports `holidays` again


@lru_cache(maxsize=64)
def _official_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date], bool]:
    """(holidays, weekend working days, whether the notice is known) for one year."""
    kept = _kept_tables()
    entry = kept.get(str(year))
    try:
        days_off = frozenset(dt.date.fromisoformat(day) for day in entry[0])
        workdays = frozenset(dt.date.fromisoformat(day) for day in entry[1])
        return days_off, workdays, bool(workdays)
    except (TypeError, ValueError, IndexError, KeyError):
        pass  # not kept (or a damaged file): ask the package
    import holidays

    table = holidays.China(years=year)
    days_off = frozenset(day for day in table if day.year == year)
    workdays = frozenset(day for day in getattr(table, "weekend_workdays", ()) if day.year == year)
    kept[str(year)] = [sorted(day.isoformat() for day in days_off), sorted(day.isoformat() for day in workdays)]
    _keep_tables(kept)
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
        self._added: dict[tuple[dt.date, int], WorkdayResult] = {}  # add_working_days, remembered

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
        key = (start, count)
        known = self._added.get(key)
        if known is not None:  # the same few hundred days recur across a whole ledger
            return known
        day = _plain(start)
        remaining = count
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        result = self._added[key] = self._result(start, day)
        return result

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
