"""duban org import|export: the office's divisions and people as an xlsx file (one row a person).

    duban org import 文件.xlsx --db 目标 [--dry-run] [--operator 姓名]   导入处室与人员
    duban org export 文件.xlsx --db 目标                                 导出处室与人员

`add_parsers` registers the commands on the main parser; `run` carries one out. Refusals are
`CommandRefused` or `LedgerError` sentences, shown by `tui.cli.main`. An import into a
ledger that does not exist yet creates it and says so; a refused import (or a dry run)
leaves no new ledger behind. An export never creates a ledger.
"""

from __future__ import annotations

import sys


def add_parsers(commands, add_db, add_today) -> None:
    """Register `org import` and `org export`."""
    from tui.cli import _Parser

    org = commands.add_parser("org", help="处室与人员：import（从 xlsx 导入）、export（导出为 xlsx）",
                              description="处室与人员的导入导出（xlsx，每人一行；没有人员的处室单列一行，姓名为空）。\n"
                                          "列：处室、处室顺序、处室状态（在用/停用）、姓名、职务（经办人、副处长、处长、"
                                          "分管局领导、局长）、岗位、电话、分管处室（用、分隔）、状态（在任/停用）。")
    verbs = org.add_subparsers(dest="org_command", title="命令", metavar="命令", parser_class=_Parser)
    verbs.required = True
    importer = verbs.add_parser("import", help="从 xlsx 导入处室与人员（先整体检查，有错不写入）",
                                description="导入处室与人员。先逐行检查，任何一行有错都不写入；按处室名称和"
                                            "“姓名+处室”对应已有的处室和人员，再次导入同一文件不会重复新增。"
                                            "台账不存在时新建。")
    importer.add_argument("file", metavar="文件", help="处室与人员表：.xlsx（也可为 .csv）")
    add_db(importer)
    importer.add_argument("--dry-run", action="store_true", help="只检查并显示将要新增、更新的处室和人员，不写入")
    importer.add_argument("--operator", metavar="姓名", default=None, help="操作人，记入变更记录")
    exporter = verbs.add_parser("export", help="把处室与人员导出为 xlsx（可改后再导入）",
                                description="把处室与人员导出为 xlsx，每人一行，含已停用的处室和人员。")
    exporter.add_argument("file", metavar="文件", help="要写入的 .xlsx 文件")
    add_db(exporter)


class _DryRunDone(Exception):
    """Carries a dry run's result out of `_RemoveIfCreated`, so a ledger it created is removed."""

    def __init__(self, result) -> None:
        super().__init__("dry run")
        self.result = result


def run(args, today) -> int:
    from tui.cli import EXIT_OK

    if args.org_command == "import":
        return _import(args)
    if args.org_command == "export":
        return _export(args)
    return EXIT_OK  # pragma: no cover - argparse requires a verb


def _import(args) -> int:
    from store.db import open_database, parse_target
    from store.io import importer, org
    from tui.cli import EXIT_OK, _RemoveIfCreated, _resolve_operator, _resolve_target, _write

    operator = _resolve_operator(args.operator)
    table = importer.read_table(args.file)  # a missing or damaged file is refused before the ledger is touched
    target = _resolve_target(args, for_app=True)
    parsed = parse_target(target)
    new = parsed.kind == "sqlite" and parsed.path is not None and not parsed.path.exists()
    try:
        with _RemoveIfCreated(target):
            open_database(target)
            result = org.import_org_table(table, operator, dry_run=args.dry_run)
            if args.dry_run and new:
                raise _DryRunDone(result)
    except _DryRunDone as done:
        _write(sys.stdout, f"台账“{parsed.path}”还不存在；试导入未新建台账。\n{done.result.summary()}\n")
        return EXIT_OK
    head = f"台账“{parsed.path}”原先不存在，已新建。\n" if new else ""
    _write(sys.stdout, head + result.summary() + "\n")
    return EXIT_OK


def _export(args) -> int:
    from store.db import parse_target
    from store.io import org
    from tui.cli import EXIT_OK, _open_existing, _resolve_target, _write

    parsed = parse_target(_resolve_target(args))
    _open_existing(args)
    count = org.export_org_file(args.file, database_path=parsed.path if parsed.kind == "sqlite" else None)
    divisions, people = org.office_counts()
    _write(sys.stdout, f"已导出处室{divisions}个、人员{people}人（共{count}行）至“{args.file}”。\n")
    return EXIT_OK
