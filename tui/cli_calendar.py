"""duban calendar show|set|confirm: the working-day calendar from the command line.

    duban calendar show 2027 [--db 目标]                                   看一年的日历
    duban calendar set 2027-10-06 休息日 [--note 说明] [--operator 姓名] --db 目标   设置某日
    duban calendar confirm 2027 [--note 说明] [--operator 姓名] --db 目标          确认本年

`add_parsers` registers the commands on the main parser; `run` carries one out. Refusals are
`CommandRefused` or `LedgerError` sentences, shown by `tui.cli.main`. The writing commands
check what was typed before the ledger is opened, create a ledger that does not exist yet
(and say so), and say how many cases' deadlines moved.
"""

from __future__ import annotations

import argparse
import sys

WEEKDAYS = "一二三四五六日"


def add_parsers(commands, add_db, add_today) -> None:
    """Register `calendar show|set|confirm`."""
    calendar = commands.add_parser(
        "calendar", help="工作日历：查看一年的节假日和调休，录入某日、确认一年",
        description="工作日历：各年的节假日和调休上班日从哪里来（内置节假日表、办公室录入或推算），"
                    "办公室录入某日为工作日或休息日，确认一年的安排。每次修改都记入变更记录，并重算所有期限。")
    kinds = calendar.add_subparsers(dest="calendar_command", title="命令", metavar="命令", parser_class=type(calendar))
    kinds.required = True
    show = kinds.add_parser("show", help="显示一年的来源、节假日、调休上班日和办公室录入",
                            description="显示一年的工作日历。")
    show.add_argument("year", metavar="年份", help="四位数年份，例如 2027")
    add_db(show)
    add_today(show)

    set_day = kinds.add_parser("set", help="把某日设为工作日或休息日（节假日、调休、更正）",
                               description="把某日设为工作日或休息日，记入变更记录，重算所有期限。台账不存在时新建。")
    set_day.add_argument("day", metavar="YYYY-MM-DD", help="日期")
    set_day.add_argument("kind", metavar="工作日|休息日", help="该日为工作日还是休息日")
    _add_writing_options(set_day, add_db, add_today)

    confirm = kinds.add_parser("confirm", help="确认一年的节假日安排已录入（该年期限不再标为推算）",
                               description="确认一年的节假日安排已按国务院通知录入，记入变更记录，重算所有期限。"
                                           "台账不存在时新建。")
    confirm.add_argument("year", metavar="年份", help="四位数年份，例如 2027")
    _add_writing_options(confirm, add_db, add_today)


def _add_writing_options(parser, add_db, add_today) -> None:
    parser.add_argument("--note", metavar="说明", default="", help="说明，例如 国办发明电〔2026〕X号")
    parser.add_argument("--operator", metavar="姓名", default=argparse.SUPPRESS,
                        help="操作人；默认同 duban --operator")
    add_db(parser, help_text="SQLite 文件路径或数据库地址；文件不存在时新建")
    add_today(parser)


def run(args, today) -> int:
    from tui.cli import EXIT_OK

    command = args.calendar_command
    if command == "show":
        _show(args, today)
    elif command == "set":
        _set(args)
    else:
        _confirm(args)
    return EXIT_OK


# ---------------------------------------------------------------------------- output


def _out(text: str) -> None:
    from tui.cli import _write

    _write(sys.stdout, text)  # to a terminal, stored notes have their control characters made visible


def _weekday(day) -> str:
    return f"{day:%m-%d}（周{WEEKDAYS[day.weekday()]}）"


def year_text(view) -> str:
    """The `calendar show` text of one year (`store.office_calendar.CalendarYearView`)."""
    lines = [f"{view.year}年工作日历", f"来源：{view.source}"]
    if view.estimated:
        lines.append(f"注意：{view.warning}")
    if view.confirmed is not None:
        who = view.confirmed.operator or "（未记录）"
        lines.append(f"确认：{who}于{view.confirmed.local_time}确认" +
                     (f"（{view.confirmed.note}）" if view.confirmed.note else ""))
    lines.append("节假日：" if view.holidays else "节假日：无")
    for group in view.holidays:
        lines.append(f"  {group.name}　{group.span}" + ("　含办公室录入" if group.by_office else ""))
    lines.append("调休上班日：" + ("、".join(_weekday(day) for day in view.working_weekends) or "无"))
    lines.append("办公室录入：" if view.office_entries else "办公室录入：无")
    for entry in view.office_entries:
        lines.append(f"  {entry.day:%Y-%m-%d}　{entry.kind}　{entry.note or '（无说明）'}　"
                     f"{entry.operator or '（未记录）'}　{entry.local_time}")
    if view.estimated_cases:
        lines.append(f"本年有{view.estimated_cases}件在办件的下一期限为推算（台账中标“*”）。")
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------------- commands


def _show(args, today) -> None:
    from store.office_calendar import calendar_year, parse_year
    from tui.cli import _open_existing

    year = parse_year(args.year)
    _open_existing(args)
    _out(year_text(calendar_year(year)))


def _open_for_writing(args) -> str:
    """Open the ledger (creating it if missing); '' or a sentence saying it was created."""
    from store.db import open_database, parse_target
    from tui.cli import _resolve_target

    target = _resolve_target(args, for_app=True)
    parsed = parse_target(target)
    missing = parsed.kind == "sqlite" and parsed.path is not None and not parsed.path.exists()
    open_database(target)
    return f"台账“{parsed.path}”原不存在，已新建。\n" if missing else ""


def _operator(args) -> str:
    from tui.cli import _resolve_operator

    return _resolve_operator(getattr(args, "operator", None))


def _set(args) -> None:
    from store import office_calendar
    from store.actions import _text
    from tui.cli import _RemoveIfCreated, _resolve_target

    day = office_calendar.parse_day(args.day)  # refused before anything is opened or created
    is_working = office_calendar.parse_kind(args.kind)
    _text(args.note, "说明", limit=office_calendar.NOTE_LIMIT)
    operator = _operator(args)
    with _RemoveIfCreated(_resolve_target(args, for_app=True)):
        created = _open_for_writing(args)
        change = office_calendar.set_day(operator, day, is_working, note=args.note)
    _out(created + change.message + "\n")


def _confirm(args) -> None:
    from store import office_calendar
    from store.actions import _text
    from tui.cli import _RemoveIfCreated, _resolve_target

    year = office_calendar.parse_year(args.year)
    _text(args.note, "说明", limit=office_calendar.NOTE_LIMIT)
    operator = _operator(args)
    with _RemoveIfCreated(_resolve_target(args, for_app=True)):
        created = _open_for_writing(args)
        change = office_calendar.confirm_year(operator, year, note=args.note)
    _out(created + change.message + "\n")
