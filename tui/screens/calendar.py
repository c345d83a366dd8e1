"""The working-day calendar (工作日历, `c` on the ledger): one year at a time.

Shows where the year's days come from (the holidays package, the office's own entries and
confirmation, or an estimate), its holidays and 调休 working days, and every day the office
entered with its note, who entered it and when. `s` sets a day, `y` confirms the year,
`[`/`]` (or ←/→) change the year. Each save is one store write that recomputes every
deadline; the desk then reloads the whole ledger at once and says how many deadlines moved.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header, Static

from store import office_calendar
from store.errors import LedgerError
from tui.widgets.footer import DeskFooter
from tui.messages import LedgerUpdated
from tui.text import visible

WEEKDAYS = "一二三四五六日"


def _load(year: int, today) -> tuple[office_calendar.CalendarYearView, tuple[int, ...]]:
    return office_calendar.calendar_year(year), office_calendar.years_in_use(today)


def holidays_text(view: office_calendar.CalendarYearView) -> Content:
    """The year's holidays (by festival) and its 调休 working days."""
    parts: list = [("节假日\n", "bold $text-primary")]
    if not view.holidays:
        parts.append(("  无\n", "$text-muted"))
    for group in view.holidays:
        parts.append((f"  {visible(group.name)}", "bold"))
        parts.append((f"　{group.span}", ""))
        parts.append(("　含办公室录入\n" if group.by_office else "\n", "$text-warning"))
    parts.append(("\n调休上班日（周末上班）\n", "bold $text-primary"))
    if not view.working_weekends:
        parts.append(("  无" + ("（推算的年份不含调休，须按通知录入）" if view.estimated else "") + "\n", "$text-muted"))
    for day in view.working_weekends:
        parts.append((f"  {day:%Y-%m-%d}（周{WEEKDAYS[day.weekday()]}）\n", ""))
    return Content.assemble(*parts)


def entries_text(view: office_calendar.CalendarYearView) -> Content:
    """The office's own entries of the year, with note, who and when; and the confirmation."""
    parts: list = [("办公室录入\n", "bold $text-primary")]
    if not view.office_entries:
        parts.append(("  本年尚无办公室录入的日子。按 s 设置某日。\n", "$text-muted"))
    for entry in view.office_entries:
        parts.append((f"  {entry.day:%Y-%m-%d}（周{WEEKDAYS[entry.day.weekday()]}）", "bold"))
        parts.append((f"　{entry.kind}", "$text-success" if entry.is_working else "$text-warning"))
        parts.append((f"　{visible(entry.operator) or '（未记录）'}　{entry.local_time}\n", "$text-muted"))
        parts.append((f"    {visible(entry.note) or '（无说明）'}\n", ""))
    parts.append(("\n确认\n", "bold $text-primary"))
    if view.confirmed is None:
        parts.append(("  本年尚未由办公室确认。按 y 确认本年。\n", "$text-muted"))
    else:
        parts.append((f"  {visible(view.confirmed.operator) or '（未记录）'}于{view.confirmed.local_time}确认", ""))
        parts.append((f"：{visible(view.confirmed.note)}\n" if view.confirmed.note else "\n", ""))
    return Content.assemble(*parts)


class CalendarScreen(Screen):
    """One year of the working-day calendar; esc returns to the ledger."""

    CSS_PATH = "calendar.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="calendar.back", tooltip="返回台账"),
        Binding("s", "set_day", "设置某日", id="calendar.set_day",
                tooltip="把某日设为工作日或休息日（节假日、调休上班、更正以前的录入），附说明"),
        Binding("y", "confirm_year", "确认本年", id="calendar.confirm_year",
                tooltip="确认本年的节假日安排已按国务院通知录入：本年的期限不再标为推算"),
        Binding("left_square_bracket", "year(-1)", "上一年", key_display="[", id="calendar.previous_year",
                tooltip="看上一年"),
        Binding("right_square_bracket", "year(1)", "下一年", key_display="]", id="calendar.next_year",
                tooltip="看下一年"),
        Binding("left", "year(-1)", "上一年", show=False, id="calendar.previous_year_arrow", tooltip="看上一年"),
        Binding("right", "year(1)", "下一年", show=False, id="calendar.next_year_arrow", tooltip="看下一年"),
    ]

    def __init__(self, year: int | None = None) -> None:
        super().__init__()
        self.year = year
        self.view: office_calendar.CalendarYearView | None = None
        self.years: tuple[int, ...] = ()
        self.last_message = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("工作日历　正在载入…"), id="calendar-title")
        yield Static(Content(""), id="calendar-source")
        with Horizontal(id="calendar-body"):
            with VerticalScroll(id="calendar-holidays"):
                yield Static(id="calendar-holiday-list")
            with VerticalScroll(id="calendar-entries"):
                yield Static(id="calendar-entry-list")
        yield Static(Content(""), id="calendar-result")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.year = self.year or self.app.ledger.today.year
        self.sub_title = "工作日历"
        self.load()

    @work(exclusive=True, group="calendar")
    async def load(self) -> None:
        year = self.year
        try:
            view, years = await self.app.gateway.call(_load, year, self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法读取工作日历")
            return
        if not self.is_attached or year != self.year:
            return
        self.view, self.years = view, years
        try:
            self.show()
        except NoMatches:
            pass

    def show(self) -> None:
        view = self.view
        if view is None:
            return
        years = "　".join(f"[{y}]" if y == view.year else str(y) for y in self.years)
        self.query_one("#calendar-title", Static).update(Content.assemble(
            (f"工作日历　{view.year}年", "bold"), (f"　　台账涉及的年份：{years}", "$text-muted")))
        source: list = [("来源：", "$text-muted"), (view.source, "bold")]
        if view.in_package and view.confirmed is not None:
            source.append(("（内置节假日表中亦有本年通知）", "$text-muted"))
        if view.estimated:
            source += [("\n", ""), (view.warning, "bold $text-warning")]
            if view.estimated_cases:
                source.append((f"本年有{view.estimated_cases}件在办件的下一期限为推算。", "bold $text-warning"))
        self.query_one("#calendar-source", Static).update(Content.assemble(*source))
        self.query_one("#calendar-holiday-list", Static).update(holidays_text(view))
        self.query_one("#calendar-entry-list", Static).update(entries_text(view))
        self.query_one("#calendar-result", Static).update(
            Content(self.last_message or "s 设置某日　y 确认本年　[ ] 换年份　esc 返回"))

    # ------------------------------------------------------------------ keys

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_year(self, step: int) -> None:
        year = (self.year or self.app.ledger.today.year) + step
        if not office_calendar.FIRST_YEAR <= year <= office_calendar.LAST_YEAR:
            return
        self.year = year
        self.last_message = ""
        self.load()

    async def _saved(self, change: office_calendar.CalendarChange, year: int) -> None:
        self.last_message = change.message
        self.app.say(change.message, title="工作日历")
        self.year = year
        await self.app.after_write()  # a change record: the whole ledger reloads now
        self.load()

    def action_set_day(self) -> None:
        from tui.dialogs.calendar_day import CalendarDayDialog

        async def submit(values):
            change = await self.app.gateway.call(office_calendar.set_day, self.app.operator, values["day"],
                                                 values["kind"], note=values["note"])
            await self._saved(change, values["day"].year)
            return change

        self.app.push_screen(CalendarDayDialog(year=self.year, submit=submit))

    def action_confirm_year(self) -> None:
        from tui.dialogs.calendar_year import CalendarYearDialog

        view = self.view
        if view is None or view.year != self.year:
            return
        if view.confirmed is not None:
            self.app.say(f"{view.year}年已经确认过；某日有误请按 s 更正。", title="无需确认")
            return
        entered = len(view.office_entries)
        facts = (f"确认后，{view.year}年的期限不再标为推算，所有期限随之重算。\n"
                 f"现在的来源：{view.source}；办公室已录入本年{entered}天。\n"
                 + ("请先按国务院通知逐日录入节假日和调休上班日（s 设置某日），再确认。" if view.estimated and not entered
                    else "请核对左侧的节假日和调休上班日与通知一致。"))

        async def submit(values):
            change = await self.app.gateway.call(office_calendar.confirm_year, self.app.operator, values["year"],
                                                 note=values["note"])
            await self._saved(change, values["year"])
            return change

        self.app.push_screen(CalendarYearDialog(year=view.year, facts=facts, submit=submit))

    @on(LedgerUpdated)
    def ledger_updated(self) -> None:
        self.load()
