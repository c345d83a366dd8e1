"""duban report|notice|form: the summary, the weekly report and the documents the office sends.

    duban report summary [--session 届次] [--full] [--format txt|docx] [--out 文件]  年度总结
    duban report weekly [--week YYYY-Www] [--format md|xlsx|docx] [--out 文件]     督办周报
    duban notice --division 处室 [--session 届次] [--format txt|docx] [--out 文件]   催办通知
    duban notice --case 编号 [--session 届次] --unit 单位 [--format …] [--out 文件]  单位催办函
    duban form 编号 [--session 届次] [--format txt|docx] [--out 文件]                征询意见表

`add_parsers` registers the commands on the main parser; `run` carries one out. All of them
read only: a 催办通知 here is the preview the division board shows with `n` (it records no
urge). Text goes to standard output unless --out names a file; a Word file (docx) and an
Excel file (xlsx) need --out. Refusals are `CommandRefused` or `LedgerError` sentences, made
before the ledger is opened where they can be, and shown by `tui.cli.main` (exit code 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TEXT_FORMATS = ("txt", "docx")
WEEKLY_FORMATS = ("md", "xlsx", "docx")


def add_parsers(commands, add_db, add_today) -> None:
    """Register `report summary|weekly`, `notice` and `form`."""
    report = commands.add_parser("report", help="报表：summary（年度总结）、weekly（督办周报）",
                                 description="生成报表。")
    kinds = report.add_subparsers(dest="report", title="报表", metavar="报表", parser_class=type(report))
    kinds.required = True
    summary = kinds.add_parser("summary", help="年度总结：“基本情况”段落，或 --full 写出全部四部分",
                               description="按台账数据写出年度总结，每个数字都来自台账。不带 --full 时只写“基本情况”段落；"
                                           "--full 写出一、基本情况，二、主要做法，三、典型案例，四、存在问题及下一步。"
                                           "不指定 --session 时，按年份从新到旧逐个届次输出（Word 文件须指定届次）。")
    add_db(summary)
    summary.add_argument("--session", metavar="届次", default=None, help="只写该届次（名称或编号）")
    summary.add_argument("--full", action="store_true", help="写出完整的工作总结（四部分）")
    summary.add_argument("--format", metavar="txt|docx", default="txt",
                         help="txt（默认，输出到标准输出）或 docx（Word 文件，须用 --out，仅用于 --full）")
    summary.add_argument("--out", metavar="文件", default=None, help="写入该文件（txt 默认输出到标准输出）")
    add_today(summary)

    weekly = kinds.add_parser("weekly", help="督办周报：本周检查、催办、答复、办结，下周风险，各处室",
                              description="督办周报（Markdown、Excel 或 Word）。不指定 --week 时为今天所在的周。")
    add_db(weekly)
    weekly.add_argument("--week", metavar="YYYY-Www", default=None, help="ISO 周，例如 2026-W48")
    weekly.add_argument("--format", metavar="md|xlsx|docx", default="md",
                        help="md（默认，输出到标准输出）、xlsx 或 docx（须用 --out）")
    weekly.add_argument("--out", metavar="文件", default=None, help="写入该文件（md 默认输出到标准输出）")
    add_today(weekly)

    notice = commands.add_parser("notice", help="催办通知（给处室）或单位催办函（给会办单位），只生成不记录",
                                 description="生成催办通知：--division 给一个处室，列出其逾期和滞后的在办件（同处室看板按 n，"
                                             "不记录催办）；--case 与 --unit 给主办件的一个会办单位，催收其意见。")
    add_db(notice)
    target = notice.add_mutually_exclusive_group(required=True)
    target.add_argument("--division", metavar="处室", default=None, help="承办处室名称")
    target.add_argument("--case", metavar="编号", default=None, help="主办件的编号（与 --unit 一起用）")
    notice.add_argument("--unit", metavar="单位", default=None, help="会办单位名称（与 --case 一起用）")
    notice.add_argument("--session", metavar="届次", default=None, help="届次（名称或编号）")
    notice.add_argument("--operator", metavar="姓名", default=argparse.SUPPRESS, help="联系人；默认同 duban --operator")
    _add_text_format(notice)
    add_today(notice)

    form = commands.add_parser("form", help="征询意见表：送代表/委员填写的办理情况征询意见表",
                               description="生成一件的征询意见表（办理工作、办理结果各满意/基本满意/不满意）。")
    form.add_argument("number", metavar="编号", help="案件编号，例如 20230489")
    add_db(form)
    form.add_argument("--session", metavar="届次", default=None, help="届次（名称或编号；编号在多个届次中都有时须指定）")
    _add_text_format(form)
    add_today(form)


def _add_text_format(parser) -> None:
    parser.add_argument("--format", metavar="txt|docx", default="txt",
                        help="txt（默认，输出到标准输出）或 docx（Word 文件，须用 --out）")
    parser.add_argument("--out", metavar="文件", default=None, help="写入该文件（txt 默认输出到标准输出）")


def run(args, today) -> int:
    from tui.cli import EXIT_OK

    if args.command == "notice":
        _notice(args, today)
    elif args.command == "form":
        _form(args, today)
    elif args.report == "weekly":
        _weekly(args, today)
    else:
        _summary(args, today)
    return EXIT_OK


# ---------------------------------------------------------------------------- helpers


def _out(text: str) -> None:
    from tui.cli import _write

    _write(sys.stdout, text)  # to a terminal, stored text has its control characters made visible


def _format(value: str, allowed: tuple[str, ...], what: str) -> str:
    from tui.cli import CommandRefused

    fmt = (value or "").strip().lower()
    if fmt not in allowed:
        raise CommandRefused(f"不支持的{what}格式“{value}”，请用 {'、'.join(allowed)}。")
    return fmt


def _out_path(args, fmt: str, example: str) -> Path | None:
    """--out checked before anything is opened; a file format (docx, xlsx) without it is refused."""
    from store.db import parse_target
    from store.io import export
    from tui.cli import CommandRefused, _resolve_target

    out = None
    if args.out is not None and args.out != "-":  # "-": standard output, as without --out
        parsed = parse_target(_resolve_target(args))
        out = export.check_out_path(args.out, database_path=parsed.path if parsed.kind == "sqlite" else None)
    if fmt in ("docx", "xlsx") and out is None:
        raise CommandRefused(f"{fmt} 格式须用 --out 指定要写入的文件，例如 --out {example}.{fmt}。")
    return out


def _save_text(path: Path, text: str) -> None:
    """A text document for people, as the desk saves one: BOM, Windows line ends, controls visible."""
    from store.errors import LedgerError
    from store.io.layout import show_controls

    try:
        with path.open("w", encoding="utf-8-sig", newline="\r\n") as handle:
            handle.write(show_controls(text.replace("\r\n", "\n"), single_line=False))
    except OSError as exc:
        raise LedgerError(f"无法写入“{path}”：{exc.strerror or exc}。") from None


def _deliver(letter, text: str, fmt: str, out: Path | None, what: str) -> None:
    """Standard output, a .txt or a .docx, and one line saying where it went."""
    if fmt == "docx":
        from store.io.docx_letter import save_docx

        save_docx(letter, out)
        _out(f"已写入{what}（Word）至“{out}”。\n")
    elif out is not None:
        _save_text(out, text)
        _out(f"已写入{what}至“{out}”。\n")
    else:
        _out(text)


def _session_id(args) -> int | None:
    from tui.cli import _session_id as find

    return find(args.session)


# --------------------------------------------------------------------------- commands


def _summary(args, today) -> None:
    from tui.cli import CommandRefused, _open_existing

    fmt = _format(args.format, TEXT_FORMATS, "总结")
    if fmt == "docx" and not args.full:
        raise CommandRefused("Word 文件（docx）用于完整的工作总结，请加上 --full。")
    out = _out_path(args, fmt, "工作总结")
    _open_existing(args)
    from store.queries import sessions

    session_id = _session_id(args)
    ids = [session_id] if session_id is not None else [info.id for info in sessions()]
    if not ids:
        if fmt == "docx":
            raise CommandRefused("台账中还没有任何届次，没有可写入Word文件的总结。")
        _out("台账中还没有任何届次，没有可总结的内容。\n")
        return
    if not args.full:
        from store.io.summary import summary_paragraph
        from store.queries import session_statistics

        text = "\n\n".join(summary_paragraph(session_statistics(sid, today=today)) for sid in ids) + "\n"
        _deliver(None, text, fmt, out, "基本情况")
        return
    from store.io.letter import letter_text
    from store.io.summary_full import full_summary
    from tui.cli import _write

    if fmt == "docx" and len(ids) > 1:
        raise CommandRefused("台账中有多个届次，Word 文件一次写一个届次的总结，请用 --session 指定届次。")
    letters = [full_summary(sid, today=today) for sid in ids]
    for note in dict.fromkeys(note for letter in letters for note in letter.drafting_notes):
        _write(sys.stderr, f"提示：{note}\n")  # for the office, not part of the document
    if fmt == "docx":
        _deliver(letters[0], "", fmt, out, "工作总结")
        return
    text = "\n\n".join(letter_text(letter).rstrip("\n") for letter in letters) + "\n"
    _deliver(None, text, fmt, out, "工作总结")


def _weekly(args, today) -> None:
    from store import clock
    from store.io import weekly_report
    from store.weekly import parse_week, week_of
    from tui.cli import _open_existing

    week = parse_week(args.week) if args.week is not None else week_of(today or clock.today())
    fmt = _format(args.format, WEEKLY_FORMATS, "周报")
    out = _out_path(args, fmt, "周报")
    _open_existing(args)
    report = weekly_report.weekly_report(week, today=today)
    if fmt == "xlsx":
        weekly_report.to_xlsx(report, out)
        _out(f"已写入{week}督办周报至“{out}”。\n")
    elif fmt == "docx":
        from store.io.docx_letter import save_docx

        save_docx(weekly_report.weekly_letter(report), out)
        _out(f"已写入{week}督办周报（Word）至“{out}”。\n")
    elif out is not None:
        out.write_text(weekly_report.to_markdown(report), encoding="utf-8")
        _out(f"已写入{week}督办周报至“{out}”。\n")
    else:
        _out(weekly_report.to_markdown(report))


def _notice(args, today) -> None:
    from tui.cli import CommandRefused, _open_existing, _resolve_operator

    fmt = _format(args.format, TEXT_FORMATS, "通知")
    if args.division is not None and args.unit is not None:
        raise CommandRefused("--unit 与 --case 一起用（单位催办函）；给处室的催办通知不用 --unit。")
    if args.case is not None and not (args.unit or "").strip():
        raise CommandRefused("单位催办函须用 --unit 指定会办单位。")
    if args.division is not None and not args.division.strip():
        raise CommandRefused("--division 给出的处室名称为空。")
    operator = _resolve_operator(getattr(args, "operator", None))
    out = _out_path(args, fmt, "催办通知")
    _open_existing(args)
    from store.io import documents

    session_id = _session_id(args)
    if args.division is not None:
        from store.io.notice import notice_letter

        notice = documents.division_notice(args.division, operator=operator, today=today, session_id=session_id)
        _deliver(notice_letter(notice), notice.text, fmt, out, f"给{notice.division}的催办通知")
        return
    from store.io.letter import letter_text

    case_id = documents.case_by_number(args.case, session_id)
    letter = documents.case_letter(case_id, documents.UNIT_NOTICE, unit=args.unit.strip(), today=today)
    _deliver(letter, letter_text(letter), fmt, out, f"给{args.unit.strip()}的单位催办函")


def _form(args, today) -> None:
    from tui.cli import _open_existing

    fmt = _format(args.format, TEXT_FORMATS, "征询意见表")
    out = _out_path(args, fmt, "征询意见表")
    _open_existing(args)
    from store.io import documents
    from store.io.letter import letter_text

    case_id = documents.case_by_number(args.number, _session_id(args))
    letter = documents.case_letter(case_id, documents.FORM, today=today)
    _deliver(letter, letter_text(letter), fmt, out, "征询意见表")
