"""duban rules show|set and duban session list|create|rename: sessions and their deadline rules.

    duban rules show --db 目标 [--session 届次]
    duban rules set 规则 值 --db 目标 --session 届次 [--note 说明] [--operator 姓名]
    duban session list --db 目标
    duban session create 名称 --body 人大|政协 --year YYYY [--assigned-on YYYY-MM-DD]
                         [--rules-from default|previous] --db 目标
    duban session rename 旧名 新名 --db 目标

`add_parsers` registers the commands on the main parser; `run` carries one out. Refusals are
`CommandRefused` or `LedgerError` sentences, shown by `tui.cli.main`. A rule is named by its
key (reply_months) or its Chinese label (答复期限). Only `session create` makes a ledger that
does not exist yet (and says so); the others need an existing one.
"""

from __future__ import annotations

import argparse
import sys


def add_parsers(commands, add_db, add_today) -> None:
    """Register `rules show|set` and `session list|create|rename`."""
    from tui.cli import _Parser

    def add_operator(parser) -> None:
        parser.add_argument("--operator", metavar="姓名", default=argparse.SUPPRESS,
                            help="操作人，记入变更记录；默认取环境变量 DUBAN_OPERATOR，再默认为登录名")

    def add_note(parser) -> None:
        parser.add_argument("--note", metavar="说明", default="", help="修改的理由或依据，记入变更记录")

    rules = commands.add_parser("rules", help="届次的期限规则：show 查看、set 修改",
                                description="查看或修改一个届次的期限规则。修改后该届次所有在办件的期限立即重算。")
    rule_commands = rules.add_subparsers(dest="rules_command", title="命令", metavar="命令", parser_class=_Parser)
    rule_commands.required = True
    show = rule_commands.add_parser("show", help="列出期限规则（值、单位、默认或已修改）",
                                    description="列出届次的期限规则。不指定 --session 时列出每个届次。")
    add_db(show)
    show.add_argument("--session", metavar="届次", default=None, help="只列该届次（名称或编号）")
    set_ = rule_commands.add_parser("set", help="修改一条期限规则",
                                    description="修改一条期限规则，记入变更记录，并重算该届次在办件的期限。\n"
                                                "规则可写英文名或中文名，例如 reply_months 或 答复期限；"
                                                "顺延规则的值写 是 或 否。")
    set_.add_argument("rule", metavar="规则", help="规则名：英文名或中文名（运行 duban rules show 查看）")
    set_.add_argument("value", metavar="值", help="新的值：天数、月数、工作日数，或 是/否")
    add_db(set_)
    set_.add_argument("--session", metavar="届次", required=True, help="要修改的届次（名称或编号）")
    add_note(set_)
    add_operator(set_)
    add_today(set_)

    session = commands.add_parser("session", help="届次：list 列出、create 新建、rename 改名",
                                  description="列出、新建届次或给届次改名。")
    session_commands = session.add_subparsers(dest="session_command", title="命令", metavar="命令",
                                              parser_class=_Parser)
    session_commands.required = True
    listing = session_commands.add_parser("list", help="列出届次（机构、年份、交办日期、件数、已修改的规则）",
                                          description="列出台账中的届次，新的在前。")
    add_db(listing)
    create = session_commands.add_parser("create", help="新建届次",
                                         description="新建一个届次。台账不存在时新建台账。")
    create.add_argument("name", metavar="名称", help="届次名称，例如 市七届人大五次会议")
    create.add_argument("--body", metavar="人大|政协", required=True, help="机构：人大 或 政协")
    create.add_argument("--year", metavar="YYYY", required=True, help="年份")
    create.add_argument("--assigned-on", metavar="YYYY-MM-DD", default=None, help="该届次通常的交办日期")
    create.add_argument("--rules-from", metavar="default|previous", default="default",
                        help="期限规则取自 default（默认规则，缺省）或 previous（同一机构最近的届次）")
    add_db(create, help_text="SQLite 文件路径或数据库地址；文件不存在时新建台账")
    add_note(create)
    add_operator(create)
    rename = session_commands.add_parser("rename", help="届次改名", description="给届次改名（名称不能重复）。")
    rename.add_argument("old", metavar="旧名", help="现在的名称（或编号）")
    rename.add_argument("new", metavar="新名", help="新的名称")
    add_db(rename)
    add_note(rename)
    add_operator(rename)


def run(args, today) -> int:
    if args.command == "rules":
        return _show_rules(args) if args.rules_command == "show" else _set_rule(args)
    if args.session_command == "list":
        return _list_sessions(args)
    if args.session_command == "create":
        return _create_session(args)
    return _rename_session(args)


# ----------------------------------------------------------------------------- helpers


def _shown(text) -> str:
    """Stored text for the terminal: control characters made visible (kept as is in a pipe)."""
    text = "" if text is None else str(text)
    if not sys.stdout.isatty():
        return text
    from store.io.layout import show_controls

    return show_controls(text)  # the one gate (`_write` applies it again, harmlessly)


def _pad(text: str, width: int) -> str:
    from rich.cells import cell_len  # rich is light; Textual is not imported here

    return text + " " * max(width - cell_len(text), 0)


def _operator(args) -> str:
    from tui.cli import _resolve_operator

    return _resolve_operator(getattr(args, "operator", None))


def _rules_text(view) -> str:
    head = f"{_shown(view.name)}（{view.body}，{view.year}年" + (
        f"，交办 {view.assigned_on:%Y-%m-%d}" if view.assigned_on else "") + "）期限规则："
    lines = [head]
    for rule in view.rules:
        state = "默认" if not rule.overridden else f"已修改（默认 {rule.default_text}）"
        lines.append(f"  {_pad(rule.label, 18)}{_pad(rule.value_text, 6)}{_pad(rule.unit, 18)}{state}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- commands


def _show_rules(args) -> int:
    from store.session_rules import session_rules_view, sessions_overview
    from tui.cli import EXIT_OK, _open_existing, _session_id, _write

    _open_existing(args)
    chosen = _session_id(args.session)
    ids = [chosen] if chosen is not None else [line.session_id for line in sessions_overview()]
    if not ids:
        _write(sys.stdout, "台账中还没有任何届次。用 duban session create 名称 --body 人大|政协 --year 年份 新建。\n")
        return EXIT_OK
    _write(sys.stdout, "\n\n".join(_rules_text(session_rules_view(sid)) for sid in ids) + "\n")
    return EXIT_OK


def _set_rule(args) -> int:
    from store.rules import rule_key
    from store.session_rules import session_rules_view, set_session_rules
    from tui.cli import EXIT_OK, _open_existing, _session_id, _write

    operator = _operator(args)
    key = rule_key(args.rule)  # an unknown rule is refused before the ledger is opened
    _open_existing(args)
    session_id = _session_id(args.session)
    before = session_rules_view(session_id).rule(key)
    moved = set_session_rules(operator, session_id, {key: args.value}, note=args.note)
    view = session_rules_view(session_id)
    after = view.rule(key)
    _write(sys.stdout, f"{_shown(view.name)}：{after.label} {before.value_text} → {after.value_text}"
                       f"（{after.unit}），{moved}件的期限随之改变。\n")
    return EXIT_OK


def _list_sessions(args) -> int:
    from store.session_rules import sessions_overview
    from tui.cli import EXIT_OK, _open_existing, _write

    _open_existing(args)
    lines = sessions_overview()
    if not lines:
        _write(sys.stdout, "台账中还没有任何届次。用 duban session create 名称 --body 人大|政协 --year 年份 新建。\n")
        return EXIT_OK
    from rich.cells import cell_len

    width = max(28, *(cell_len(_shown(line.name)) + 2 for line in lines))
    out = [f"{_pad('届次', width)}{_pad('机构', 6)}{_pad('年份', 6)}{_pad('交办日期', 12)}{_pad('件数', 8)}已修改规则"]
    for line in lines:
        day = f"{line.assigned_on:%Y-%m-%d}" if line.assigned_on else "—"
        out.append(f"{_pad(_shown(line.name), width)}{_pad(line.body, 6)}{_pad(str(line.year), 6)}{_pad(day, 12)}"
                   f"{_pad(str(line.case_count), 8)}{line.overridden}")
    _write(sys.stdout, "\n".join(out) + "\n")
    return EXIT_OK


def _create_session(args) -> int:
    from store.db import open_database, parse_target
    from store.session_rules import create_session
    from tui.cli import EXIT_OK, CommandRefused, _RemoveIfCreated, _resolve_target, _write

    operator = _operator(args)
    rules_from = (args.rules_from or "").strip().lower()
    if rules_from not in ("default", "previous"):
        raise CommandRefused(f"--rules-from 的取值“{args.rules_from}”无效，可选：default（默认规则）、previous（沿用上一届次）。")
    target = _resolve_target(args, for_app=True)
    parsed = parse_target(target)
    is_new = parsed.kind == "sqlite" and parsed.path is not None and not parsed.path.exists()
    with _RemoveIfCreated(target):
        open_database(target)
        made = create_session(operator, body=args.body.strip(), name=args.name, year=args.year,
                              assigned_on=args.assigned_on, rules_from=rules_from, note=args.note)
    if is_new:
        _write(sys.stdout, f"台账“{parsed.path}”不存在，已新建。\n")
    _write(sys.stdout, _shown(made.message) + "\n")
    return EXIT_OK


def _rename_session(args) -> int:
    from store.session_rules import rename_session
    from tui.cli import EXIT_OK, _open_existing, _session_id, _write

    operator = _operator(args)
    _open_existing(args)
    message = rename_session(operator, _session_id(args.old), args.new, note=args.note)
    _write(sys.stdout, _shown(message) + "\n")
    return EXIT_OK
