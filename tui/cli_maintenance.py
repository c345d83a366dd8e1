"""duban backup|check: a consistent copy of the ledger, and a check that it is whole and true.

    duban backup --db 目标 --out 文件.db    备份台账（其他工作站可继续写入）
    duban check --db 目标                   检查台账（只读，不作任何改动）

Both open the ledger read-only (`open_database(…, read_only=True)`): a backup of an archive
on a read-only disk works, and neither command ever writes, migrates or creates a ledger.
`check` exits 0 when the ledger passes, 1 when it found anything wrong (a damaged or
incomplete file too: the opener refuses it, and `store.ledger_check.check_file` says what is
wrong), 2 for a refusal (no such ledger, not a ledger, bad arguments). The work is in
store/backup.py and store/ledger_check.py.
"""

from __future__ import annotations

import sys

EXIT_PROBLEMS = 1
"""`duban check` found something wrong."""


def add_parsers(commands, add_db, add_today) -> None:
    """Register `backup` and `check`."""
    backup = commands.add_parser(
        "backup", help="备份台账到一个新文件（其他工作站可继续写入）",
        description="把台账复制为一个一致的备份文件（SQLite 在线备份：其他工作站写入时也完整），"
                    "复制后以只读方式打开备份做完整性检查。不覆盖已有的文件；备份失败不留下半个文件。\n"
                    "PostgreSQL 台账请用 pg_dump 备份。建议每天下班前、每次导入清单和升级程序之前各备份一次，"
                    "并把备份另存到本机以外的地方。")
    add_db(backup)
    backup.add_argument("--out", metavar="文件", required=True,
                        help="备份文件的路径（须是新文件，所在文件夹须已存在），例如 台账备份-20261201.db")
    check = commands.add_parser(
        "check", help="检查台账：完整性、外键、版本号与跟进记录、缓存的期限和催办次数（只读）",
        description="检查台账，不作任何改动：SQLite 完整性与外键；表、列和只增保护（触发器）；数据结构版本；"
                    "每件的版本号等于其跟进记录条数；台账中记的下一期限等于按规则和日历重新计算的结果；"
                    "催办次数等于未撤销的催办记录。\n"
                    "退出码：0 检查通过，1 发现问题，2 无法检查（台账不存在、不是台账、参数有误）。")
    add_db(check)
    add_today(check)


def run(args, today) -> int:
    if args.command == "backup":
        return _backup(args)
    return _check(args)


def _existing_target(args) -> str:
    """The --db target; a missing SQLite file is refused (neither command creates a ledger)."""
    from tui.cli import _existing_target as existing

    return existing(args)


def _backup(args) -> int:
    from store.backup import backup_ledger, check_out, pg_dump_advice
    from store.db import open_database, parse_target
    from store.errors import LedgerError
    from tui.cli import EXIT_OK, _write

    target = _existing_target(args)
    parsed = parse_target(target)
    if parsed.kind != "sqlite":  # before trying to connect: pg_dump does this job
        raise LedgerError(pg_dump_advice(parsed.describe()))
    check_out(args.out, parsed.path)  # a bad --out is refused before the ledger is opened
    open_database(target, create=False, read_only=True)
    result = backup_ledger(args.out, progress=_progress_on(sys.stderr))
    _clear_progress(sys.stderr)
    _write(sys.stdout, result.summary() + "\n")
    return EXIT_OK


def _progress_on(stream):
    """A progress line on a terminal's stderr (nothing in a pipe or a log)."""
    if not getattr(stream, "isatty", lambda: False)():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\r正在备份…… {done * 100 // max(total, 1)}%")
        stream.flush()

    return show


def _clear_progress(stream) -> None:
    if getattr(stream, "isatty", lambda: False)():
        stream.write("\r\x1b[K")
        stream.flush()


def _check(args) -> int:
    from store.db import open_database, parse_target
    from store.errors import DatabaseUnusable
    from store.ledger_check import check_file, check_ledger
    from tui.cli import EXIT_OK, _write

    target = _existing_target(args)
    try:
        open_database(target, create=False, read_only=True)
    except DatabaseUnusable as refusal:
        parsed = parse_target(target)
        if parsed.kind != "sqlite":
            raise
        try:
            report = check_file(parsed.path)  # damaged or incomplete: say what is wrong
        except (DatabaseUnusable, OSError):
            raise refusal from None
        if report.ok:
            raise refusal  # refused for another reason (an older schema opened read-only …)
        _write(sys.stdout, "这本台账无法正常打开（其他命令和台账界面都会拒绝它，不作任何改动）；逐项检查如下。\n"
           + report.render() + "\n")
        return EXIT_PROBLEMS
    report = check_ledger()
    _write(sys.stdout, report.render() + "\n")
    return EXIT_OK if report.ok else EXIT_PROBLEMS
