"""工作日历: the office's entries in the working-day calendar, and what each year is made of.

The days of a year come from one of three places: the `holidays` package, which holds the
State Council notice (国务院办公厅关于部分节假日安排的通知) once it is out; the office, which
enters a year's days itself and confirms the year (办公室录入并确认); or, for a year nobody
has published or confirmed, an estimate from weekends and the fixed festivals (推算).

Every write (`set_day`, `confirm_year`) checks its input first, then in one transaction
changes the calendar, leaves a 变更记录 (area 日历) with before and after, and recomputes
every cached deadline (`store.deadlines.recompute_next_due`), so the ledger, the division
board, the weekly checklist and the case card agree at once. A wrong entry is put right by a
later one; nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from peewee import IntegrityError, fn

from store import clock
from store.actions.common import retrying
from store.changes import record_change
from store.errors import LedgerError
from store.models import CalendarDay, CalendarYear, Case, ChangeRecord

AREA = "日历"
SOURCE_PACKAGE = "内置节假日表（国务院通知）"
SOURCE_OFFICE = "办公室录入并确认"
SOURCE_ESTIMATED = "推算（未公布）"
WORKING, RESTING = "工作日", "休息日"
KIND_WORDS = {WORKING: True, RESTING: False}
"""How the office names the two kinds of day (and what `is_working` they mean)."""

ESTIMATED_MARK = "*"
"""Put after a date counted through an estimated year, wherever it is shown."""

ESTIMATED_NOTE = "标“*”的期限按周末和法定节日推算：所跨年份的节假日安排尚未公布或未经办公室确认，以正式安排为准。"
"""The one sentence that says why a date is marked."""

FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTE_LIMIT = 200


def kind_word(is_working: bool) -> str:
    return WORKING if is_working else RESTING


def marked(text: str, estimated: bool) -> str:
    """`text` with the estimated mark after it when the date was counted on an estimate."""
    return f"{text}{ESTIMATED_MARK}" if estimated else text


# ----------------------------------------------------------------------------- checks


def parse_kind(value) -> bool:
    """工作日 → True, 休息日 → False (a bool passes as it is); anything else is refused."""
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip()
    if word in KIND_WORDS:
        return KIND_WORDS[word]
    raise LedgerError(f"日子的类别“{word}”无效，应为：工作日、休息日。")


def parse_day(value) -> dt.date:
    """A calendar date, as typed (YYYY-MM-DD …) or given; within 2000–2100."""
    if isinstance(value, str):
        try:
            value = clock.parse_date(value)
        except ValueError as exc:
            raise LedgerError(str(exc)) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise LedgerError(f"日期“{value}”不是日期，请写成 YYYY-MM-DD。")
    day = dt.date(value.year, value.month, value.day)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise LedgerError(f"日期{day:%Y-%m-%d}不在{FIRST_YEAR}—{LAST_YEAR}年之间，请检查年份。")
    return day


def parse_year(value) -> int:
    """A year (2027, "2027", "2027年") within 2000–2100."""
    text = str(value if value is not None else "").strip().removesuffix("年")
    if isinstance(value, bool) or not text.isdigit() or len(text) != 4:
        raise LedgerError(f"年份“{value}”无效，请写四位数年份，例如 2027。")
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise LedgerError(f"年份{year}不在{FIRST_YEAR}—{LAST_YEAR}年之间，请检查。")
    return year


def _note(value) -> str:
    from store.actions import _text

    return _text(value, "说明", limit=NOTE_LIMIT).strip()


# ----------------------------------------------------------------------------- writes


@dataclass(frozen=True)
class CalendarChange:
    """What a calendar write did: the change record, and how many cases' deadlines moved."""

    change_id: int
    subject: str  # 2027-10-06 / 2027年
    action: str  # 设置 / 确认
    moved: int
    message: str


def _moved_sentence(moved: int) -> str:
    return f"{moved}件的下一期限随之改变。" if moved else "没有件的下一期限因此改变。"


@retrying
def set_day(operator: str, day, kind, *, note: str = "") -> CalendarChange:
    """设置某日: make `day` a 工作日 or 休息日 for the office (a holiday, a 调休 working day,
    or a correction of an earlier entry); recorded and every deadline recomputed."""
    from store.actions import _operator, _transaction
    from store.calendar import WorkCalendar
    from store.deadlines import recompute_next_due

    operator = _operator(operator)
    day = parse_day(day)
    is_working = parse_kind(kind)
    note = _note(note)
    with _transaction(changes_deadlines=True):
        row = CalendarDay.get_or_none(CalendarDay.day == day)
        if row is not None:
            if bool(row.is_working) == is_working and (row.note or "") == note:
                raise LedgerError(f"{day:%Y-%m-%d}已登记为{kind_word(is_working)}（{row.note or '无说明'}），未作修改。")
            before = {"day": day, "kind": kind_word(row.is_working), "note": row.note or "", "entered": True}
            CalendarDay.update(is_working=is_working, note=note).where(CalendarDay.id == row.id).execute()
        else:
            official = WorkCalendar().is_working_day(day)
            before = {"day": day, "kind": kind_word(official), "note": "", "entered": False}
            try:
                CalendarDay.create(day=day, is_working=is_working, note=note)
            except IntegrityError:
                raise LedgerError(f"{day:%Y-%m-%d}刚被另一工作站录入，请刷新工作日历后再试。") from None
        after = {"day": day, "kind": kind_word(is_working), "note": note, "entered": True}
        record = record_change(operator, AREA, day.isoformat(), "设置", note=note, before=before, after=after)
        moved = recompute_next_due(calendar_change=True)
    message = f"已将{day:%Y-%m-%d}设为{kind_word(is_working)}。{_moved_sentence(moved)}"
    return CalendarChange(record.id, day.isoformat(), "设置", moved, message)


@retrying
def confirm_year(operator: str, year, *, note: str = "") -> CalendarChange:
    """确认本年: the office has entered the year's notice; its dates are no longer estimates."""
    from store.actions import _operator, _transaction
    from store.deadlines import recompute_next_due

    operator = _operator(operator)
    year = parse_year(year)
    note = _note(note)
    with _transaction(changes_deadlines=True):
        if CalendarYear.get_or_none(CalendarYear.year == year) is not None:
            raise LedgerError(f"{year}年已经确认过，无需再次确认；某日有误请用“设置某日”更正。")
        try:  # get-or-create, portable (no SQLite-only REPLACE)
            CalendarYear.create(year=year, note=note)
        except IntegrityError:
            raise LedgerError(f"{year}年刚被另一工作站确认，请刷新工作日历。") from None
        record = record_change(operator, AREA, f"{year}年", "确认", note=note,
                               before={"year": year, "confirmed": False}, after={"year": year, "confirmed": True})
        moved = recompute_next_due(calendar_change=True)
    message = f"已确认{year}年的节假日安排，该年的期限不再按推算标注。{_moved_sentence(moved)}"
    return CalendarChange(record.id, f"{year}年", "确认", moved, message)


# ------------------------------------------------------------------------------ reads


@dataclass(frozen=True)
class HolidayGroup:
    """A run of days off: 国庆节 10-01 … 10-07 (weekend days inside the run included)."""

    name: str
    days: tuple[dt.date, ...]
    by_office: bool  # at least one of its days was entered by the office

    @property
    def span(self) -> str:
        first, last = self.days[0], self.days[-1]
        if first == last:
            return f"{first:%m-%d}"
        return f"{first:%m-%d}至{last:%m-%d}（{len(self.days)}天）"


@dataclass(frozen=True)
class OfficeEntry:
    """One day the office entered, with the note, who entered it and when (from 变更记录)."""

    day: dt.date
    is_working: bool
    note: str
    operator: str  # "" when entered before changes were recorded
    at: dt.datetime | None  # UTC instant of the latest change

    @property
    def kind(self) -> str:
        return kind_word(self.is_working)

    @property
    def local_time(self) -> str:
        return f"{self.at.in_timezone(clock.OFFICE_TZ):%Y-%m-%d %H:%M}" if self.at is not None else "—"


@dataclass(frozen=True)
class YearConfirmation:
    note: str
    operator: str
    at: dt.datetime | None

    @property
    def local_time(self) -> str:
        return f"{self.at.in_timezone(clock.OFFICE_TZ):%Y-%m-%d %H:%M}" if self.at is not None else "—"


@dataclass(frozen=True)
class CalendarYearView:
    """One year of the working-day calendar, as the office checks it."""

    year: int
    source: str  # SOURCE_PACKAGE / SOURCE_OFFICE / SOURCE_ESTIMATED
    in_package: bool  # the holidays package holds the year's notice (with its 调休 days)
    confirmed: YearConfirmation | None
    holidays: tuple[HolidayGroup, ...]
    working_weekends: tuple[dt.date, ...]  # 调休上班: Saturdays and Sundays that are working days
    office_entries: tuple[OfficeEntry, ...]
    estimated_cases: int  # open cases whose next deadline in this year is marked estimated

    @property
    def estimated(self) -> bool:
        return self.source == SOURCE_ESTIMATED

    @property
    def warning(self) -> str:
        if not self.estimated:
            return ""
        return (f"{self.year}年的节假日安排尚未公布或未录入：该年只按周末和法定节日推算，调休不在其中，"
                f"跨入该年的期限标“{ESTIMATED_MARK}”。国务院通知公布后请逐日录入并确认本年。")


@lru_cache(maxsize=32)
def _package_year(year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    """(holiday names in Chinese, weekend working days) the holidays package knows for `year`."""
    import holidays

    table = holidays.China(years=year, language="zh_CN")
    names = {day: str(name) for day, name in table.items() if day.year == year}
    workdays = frozenset(day for day in getattr(table, "weekend_workdays", ()) if day.year == year)
    return names, workdays


def _festival(name: str) -> str:
    """春节（补假） → 春节; 农历除夕 → 春节; 休息日（由…调休） → "" (named by its neighbours)."""
    if name.startswith("休息日"):
        return ""
    name = name.split("（")[0].strip()
    return "春节" if name in ("农历除夕", "除夕") else name


def _group(days_off: list[dt.date], names: dict[dt.date, str], office: dict[dt.date, OfficeEntry],
           is_working) -> tuple[HolidayGroup, ...]:
    runs: list[list[dt.date]] = []
    for day in days_off:
        if runs:
            gap = [runs[-1][-1] + dt.timedelta(days=n) for n in range(1, (day - runs[-1][-1]).days)]
            if len(gap) <= 3 and not any(is_working(between) for between in gap):
                runs[-1].extend(gap + [day])
                continue
        runs.append([day])
    groups = []
    for run in runs:
        festivals = Counter(_festival(names[day]) for day in run if day in names and _festival(names[day]))
        entered = [office[day] for day in run if day in office]
        if festivals:
            name = festivals.most_common(1)[0][0]
        else:
            name = next((entry.note for entry in entered if entry.note), "") or "办公室录入的休息日"
        groups.append(HolidayGroup(name, tuple(run), bool(entered)))
    return tuple(groups)


def _office_entries(year: int) -> dict[dt.date, OfficeEntry]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = list(CalendarDay.select().where(CalendarDay.day.between(start, end)).order_by(CalendarDay.day))
    subjects = [row.day.isoformat() for row in rows]
    latest: dict[str, ChangeRecord] = {}
    if subjects:
        query = (ChangeRecord.select().where((ChangeRecord.area == AREA) & (ChangeRecord.subject << subjects))
                 .order_by(ChangeRecord.id))
        latest = {record.subject: record for record in query}
    entries = {}
    for row in rows:
        record = latest.get(row.day.isoformat())
        entries[row.day] = OfficeEntry(row.day, bool(row.is_working), row.note or "",
                                       record.operator if record else "", record.at if record else None)
    return entries


def calendar_year(year) -> CalendarYearView:
    """A year's calendar: where its days come from, its holidays and 调休 days, the office's entries."""
    from store.queries import load_calendar

    year = parse_year(year)
    calendar = load_calendar()
    names, package_workdays = _package_year(year)
    in_package = bool(package_workdays)
    confirmed_row = CalendarYear.get_or_none(CalendarYear.year == year)
    confirmation = None
    if confirmed_row is not None:
        record = (ChangeRecord.select().where((ChangeRecord.area == AREA) & (ChangeRecord.subject == f"{year}年")
                                              & (ChangeRecord.action == "确认"))
                  .order_by(ChangeRecord.id.desc()).first())
        confirmation = YearConfirmation(confirmed_row.note or "", record.operator if record else "",
                                        record.at if record else None)
    source = SOURCE_OFFICE if confirmation else (SOURCE_PACKAGE if in_package else SOURCE_ESTIMATED)
    office = _office_entries(year)
    days_off, weekends = [], []
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = calendar.is_working_day(day)
        if not working and (day.weekday() < 5 or day in names or day in office):
            days_off.append(day)
        elif working and day.weekday() >= 5:
            weekends.append(day)
        day += dt.timedelta(days=1)
    estimated_cases = (Case.select(fn.COUNT(Case.id))
                       .where(Case.next_due_estimated & Case.next_due.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
                              & (Case.status != "已办结") & Case.closed_on.is_null())
                       .scalar() or 0)
    return CalendarYearView(year, source, in_package, confirmation,
                            _group(days_off, names, office, calendar.is_working_day), tuple(weekends),
                            tuple(office.values()), estimated_cases)


def years_in_use(today: dt.date | None = None) -> tuple[int, ...]:
    """The years the calendar matters for: this year ±1, the years of open cases' deadlines,
    and any year the office entered or confirmed."""
    today = today or clock.today()
    years = {today.year - 1, today.year, today.year + 1}
    low, high = (Case.select(fn.MIN(Case.next_due), fn.MAX(Case.next_due))
                 .where(Case.next_due.is_null(False)).tuples().first() or (None, None))
    if low is not None and high is not None:
        low, high = (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
                     for value in (low, high))
        years.update(range(max(low.year, FIRST_YEAR), min(high.year, LAST_YEAR) + 1))
    years.update(year for (year,) in CalendarYear.select(CalendarYear.year).tuples())
    for (value,) in CalendarDay.select(CalendarDay.day).tuples():
        years.add(value.year if isinstance(value, dt.date) else int(str(value)[:4]))
    return tuple(sorted(year for year in years if FIRST_YEAR <= year <= LAST_YEAR))
