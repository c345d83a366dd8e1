"""duban 的命令行: open the desk, write a fixture, export the ledger, print the year's summary.

    duban [--db 目标] [--demo] [--today YYYY-MM-DD] [--operator 姓名]    打开台账
    duban seed --fixture 名称 --db 路径 [--cases N] [--today …]           写入示例数据
    duban export --db 目标 --format csv|json|xlsx [--out 文件] [--public]  导出台账
    duban import 文件.xlsx|文件.csv --db 目标 [--session 届次] [--dry-run]  导入交办清单
    duban report summary --db 目标 [--session 届次] [--full] [--format txt|docx] [--out 文件]  年度总结
    duban report weekly --db 目标 [--week YYYY-Www] [--format md|xlsx|docx] [--out 文件]   督办周报
    duban notice --division 处室 | --case 编号 --unit 单位 [--format txt|docx] [--out 文件]  催办通知
    duban form 编号 --db 目标 [--session 届次] [--format txt|docx] [--out 文件]            征询意见表
    duban org|calendar|rules|session|backup|check …    处室人员、日历、规则、届次、备份与检查

`report`, `notice` and `form` live in `tui.cli_report`; the office's settings in
`tui.cli_office`, `cli_calendar`, `cli_sessions` and `cli_maintenance`.
Only opening the desk imports Textual (lazily, `tui.app.run`); every command stays on the store. Every refusal is one Chinese sentence on stderr with exit code
2, and is made before anything is created or changed; an unexpected failure is one
sentence too (exit 1), with the traceback written to the user's log folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import re
import sys
import traceback
import unicodedata
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130

APP_NAME = "duban"
DEFAULT_OPERATOR = "办公室"
DEMO_KEEP = 5  # demo ledgers kept in the demo folder; older ones are removed


class CommandRefused(Exception):
    """A refusal the command line makes itself (bad argument); the message is shown as is."""


# ---------------------------------------------------------------------------- parsing


class _ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.+)", "缺少必需的参数：{0}。"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}。"),
    (r"argument (?:命令|报表): invalid choice: '?([^']*)'? \(choose from (.+)\)", "没有“{0}”这个命令，可用的有：{1}。"),
    (r"argument (\S+): invalid choice: '?([^']*)'? \(choose from (.+)\)", "{0} 的取值“{1}”无效，可选：{2}。"),
    (r"argument (\S+): invalid int value: '?([^']*)'?", "{0} 需要一个整数，收到的是“{1}”。"),
    (r"argument (\S+): invalid (\S+) value: '?([^']*)'?", "{0} 的取值“{2}”无效。"),
    (r"argument (\S+): expected one argument", "{0} 后面需要一个取值。"),
    (r"argument (\S+): not allowed with argument (\S+)", "{0} 不能与 {1} 同时使用。"),
    (r"argument (\S+): ignored explicit argument '?([^']*)'?", "{0} 不接受取值“{1}”。"),
    (r"ambiguous option: (\S+) could match (.+)", "选项 {0} 有歧义，可能是：{1}。"),
)


def _chinese_argparse_message(message: str) -> str:
    for pattern, template in _ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message.strip())
        if match:
            groups = [group.replace("'", "").replace(", ", "、") for group in match.groups()]
            return template.format(*groups)
    return f"命令行参数有误：{message}。"


class _Parser(argparse.ArgumentParser):
    """argparse, with Chinese headings and one-sentence Chinese errors (no usage dump)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "命令"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message):
        raise CommandRefused(f"{_chinese_argparse_message(message)}（运行 {self.prog} --help 查看用法）")


def _add_db(parser: argparse.ArgumentParser, *, required: bool = False, help_text: str | None = None) -> None:
    parser.add_argument(
        "--db", metavar="目标", default=argparse.SUPPRESS, required=required,
        help=help_text or "SQLite 文件路径或数据库地址（sqlite:///…、postgresql://…）；默认取环境变量 DUBAN_DB，"
                          "再默认为用户数据文件夹中的 ledger.db",
    )


def _add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", metavar="YYYY-MM-DD", default=argparse.SUPPRESS,
                        help="按该日计算所有期限和倒计时（回看某日、测试）")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=APP_NAME,
        description="督办台：局办公室督办人大代表建议、政协提案办理工作的键盘台账。\n"
                    "不带命令时打开台账界面。",
        epilog="示例：\n"
               "  duban --demo\n"
               "  duban seed --fixture sz2023 --db 示例.db\n"
               "  duban export --db 示例.db --format csv --out 台账.csv\n"
               "  duban report summary --db 示例.db --session 市七届人大四次会议",
    )
    _add_db(parser)
    parser.add_argument("--demo", action="store_true", help="新建一本演示台账（live 示例数据，日期围绕今天）并打开")
    parser.add_argument("--read-only", action="store_true", dest="read_only",
                        help="只读打开台账：只能查看、导出和出报告，不写入、不升级（例如查看归档的副本）；"
                             "无法写入的台账（只读文件、只读文件夹或光盘）不加此项也以只读方式打开")
    _add_today(parser)
    parser.add_argument("--operator", metavar="姓名", default=None,
                        help="操作人，记入每条跟进记录；默认取环境变量 DUBAN_OPERATOR，再取本机本用户上次填写的姓名；"
                             "都没有时，打开台账会询问一次并记住")
    commands = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=_Parser)

    seed = commands.add_parser("seed", help="写入示例数据：live、sz2023、synthetic",
                               description="把示例数据写入一本新的（或空的）台账。已有案件的台账不会写入。")
    seed.add_argument("--fixture", metavar="名称", required=True, help="示例数据：live、sz2023 或 synthetic")
    _add_db(seed, required=True, help_text="要写入的 SQLite 文件路径或数据库地址（文件不存在时新建）")
    seed.add_argument("--cases", metavar="N", type=int, default=None, help="synthetic 生成的件数（默认 1000）")
    _add_today(seed)

    export = commands.add_parser("export", help="导出台账，每件一行（csv、json 或 xlsx）",
                                 description="导出台账，每件一行，列名为中文。CSV 写入文件时带 BOM，Excel 可直接打开；"
                                             "以 = + - @ 开头的文本前加 ' 以防被当作公式。")
    _add_db(export)
    export.add_argument("--format", metavar="csv|json|xlsx", required=True,
                        help="导出格式：csv、json 或 xlsx（办公室台账格式，须用 --out 指定文件）")
    export.add_argument("--out", metavar="文件", default=None, help="写入该文件（默认或写 - 时输出到标准输出）")
    export.add_argument("--session", metavar="届次", default=None, help="只导出该届次的件（名称或编号）")
    export.add_argument("--public", action="store_true",
                        help="公开版：不含联系电话；未决定公开的答复不含答复摘要")
    _add_today(export)

    importer = commands.add_parser("import", help="导入交办清单（xlsx 或 csv）",
                                   description="导入交办机关的清单。先逐行检查，任何一行有错都不写入；"
                                               "再次导入同一清单时按编号更新，不会重复登记。")
    importer.add_argument("file", metavar="文件", help="交办清单：.xlsx 或 .csv（UTF-8 或 GBK）")
    _add_db(importer)
    importer.add_argument("--session", metavar="届次", default=None,
                          help="清单所属届次；台账中没有时新建（名称含“政协”为政协，否则为人大）。"
                               "不指定时取清单的“届次”列")
    importer.add_argument("--dry-run", action="store_true", help="只检查并显示将要新增、更新的件，不写入")
    importer.add_argument("--operator", metavar="姓名", default=None, help="操作人，记入交办记录")
    _add_today(importer)

    from tui import cli_calendar, cli_office, cli_report, cli_sessions

    cli_report.add_parsers(commands, _add_db, _add_today)
    cli_office.add_parsers(commands, _add_db, _add_today)
    cli_calendar.add_parsers(commands, _add_db, _add_today)
    cli_sessions.add_parsers(commands, _add_db, _add_today)
    from tui import cli_maintenance

    cli_maintenance.add_parsers(commands, _add_db, _add_today)
    return parser


# ----------------------------------------------------------------------------- helpers


def _say(message: str) -> None:
    """One line on stderr."""
    _write(sys.stderr, message.rstrip("\n") + "\n")


def _write(stream, text: str) -> None:
    """Write Chinese text; a stream whose encoding cannot hold it (ASCII, Latin-1) gets UTF-8 bytes.

    Every line the command line prints passes here. To a terminal, control characters in
    stored text (ESC, BEL, C1, bidi overrides) are made visible (`store.io.layout.for_terminal`)
    so they cannot retitle, clear or switch the terminal; to a file or a pipe the text goes
    as stored (an export keeps the data exactly, CSV its formula guard).
    """
    if _is_terminal(stream):
        from store.io.layout import for_terminal

        text = for_terminal(text)
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
        fits = True
    except (UnicodeEncodeError, LookupError):
        fits = False
    if fits or not hasattr(stream, "buffer"):
        stream.write(text)
    else:  # rather than \u escapes (stderr) or a UnicodeEncodeError (stdout)
        stream.flush()
        stream.buffer.write(text.encode("utf-8"))
    stream.flush()


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed, or not a file at all
        return False


def _parse_today(args) -> dt.date | None:
    text = getattr(args, "today", None)
    if text is None:
        return None
    from store.clock import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandRefused(f"--today 有误：{exc}") from None


def _resolve_operator(given: str | None, *, for_app: bool = False) -> str | None:
    """--operator, else $DUBAN_OPERATOR, else the name remembered for this login.

    With none of them the desk (`for_app`) gets None and asks; a command takes the login name.
    """
    if given is not None:
        return _check_operator(given, "--operator")
    env = os.environ.get("DUBAN_OPERATOR", "")
    if env.strip():
        return _check_operator(env, "环境变量 DUBAN_OPERATOR")
    from tui.settings import remembered_operator

    remembered = remembered_operator()
    if remembered or for_app:
        return remembered
    try:
        login = getpass.getuser().strip()
    except Exception:  # no login name (a container, a service account)
        login = ""
    try:
        return _check_operator(login, "登录名") if login else DEFAULT_OPERATOR
    except CommandRefused:
        return DEFAULT_OPERATOR


def _check_operator(name: str, where: str) -> str:
    name = name.strip()
    if not name:
        raise CommandRefused(f"{where} 给出的操作人姓名为空，请写上姓名。")
    if len(name) > 50:
        raise CommandRefused(f"{where} 给出的操作人姓名过长（{len(name)}字），最多50字。")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise CommandRefused(f"{where} 给出的操作人姓名含有控制字符，请重新输入。")
    return name


def _data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_target() -> Path:
    """The ledger used when neither --db nor $DUBAN_DB names one."""
    return _data_dir() / "ledger.db"


def _resolve_target(args, *, for_app: bool = False) -> str:
    explicit = getattr(args, "db", None)
    if explicit is not None:
        return explicit
    env = os.environ.get("DUBAN_DB", "")
    if env.strip():
        return env
    path = default_target()
    if for_app:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandRefused(f"无法创建数据文件夹“{path.parent}”：{exc.strerror or exc}。") from None
    return str(path)


class _RemoveIfCreated:
    """Undo the creation of a new SQLite ledger when the command that created it fails.

    A seed that stops halfway must not leave a half-written ledger behind: a file that did
    not exist is removed (with its -wal/-shm). (A zero-length file is refused before anything
    is written: it is not a ledger.)
    """

    def __init__(self, target: str) -> None:
        from store.db import parse_target

        self.path: Path | None = None
        self.existed = False
        try:
            parsed = parse_target(target)
        except Exception:
            return  # open_database will refuse it with its own sentence
        if parsed.kind == "sqlite" and parsed.path is not None:
            self.path = parsed.path
            self.existed = self.path.exists()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None or self.path is None or self.existed:
            return False
        from store.db import close_database

        close_database()
        try:
            if self.path.is_file():
                self.path.unlink()
        except OSError:
            pass
        for suffix in ("-wal", "-shm", "-journal"):
            extra = Path(f"{self.path}{suffix}")
            try:
                if extra.is_file():
                    extra.unlink()
            except OSError:
                pass
        return False


def _existing_target(args) -> str:
    """The ledger named by --db / $DUBAN_DB / the default; a missing SQLite file is refused."""
    from store.db import parse_target

    target = _resolve_target(args)
    parsed = parse_target(target)
    if parsed.kind == "sqlite" and parsed.path is not None and not parsed.path.exists():
        hint = "" if getattr(args, "db", None) is not None or os.environ.get("DUBAN_DB", "").strip() else \
            "（未指定 --db，也没有设置环境变量 DUBAN_DB，使用的是默认台账）"
        raise CommandRefused(f"台账数据库“{parsed.path}”不存在{hint}，请用 --db 指定已有的台账。")
    return target


def _open_existing(args, *, only_reads: bool = False) -> None:
    """Open the ledger named by --db / $DUBAN_DB / the default; never create one. `only_reads`: the
    command writes nothing (an export), so the whole-file integrity check (1 s at 100,000 cases) runs
    only below `store.db.DEFER_CHECK_BYTES`; a damaged page met on the way is still refused in Chinese."""
    from store.db import open_database

    target = _existing_target(args)
    # reading needs no write access: a read-only ledger (an archive copy, a CD) exports and reports too
    open_database(target, create=False, verify=None if only_reads else True,
                  read_only=True if getattr(args, "read_only", False) else None)


def _session_id(name: str | None) -> int | None:
    if name is None:
        return None
    from store.queries import find_session, sessions

    found = find_session(name.strip())
    if found is None:
        known = "、".join(info.name for info in sessions())
        raise CommandRefused(
            f"台账中没有届次“{name}”" + (f"，现有届次：{known}。" if known else "，台账中还没有任何届次。")
        )
    return found.id


# ---------------------------------------------------------------------------- commands


def _command_open(args, today: dt.date | None, operator: str | None) -> int:
    from store.db import close_database, open_database

    if args.demo:
        if getattr(args, "db", None) is not None:
            raise CommandRefused("--demo 会新建一本演示台账，不能与 --db 同时使用。")
        if args.read_only:
            raise CommandRefused("--demo 会新建一本演示台账，不能与 --read-only 同时使用。")
        target = _make_demo(today)
    else:
        target = _resolve_target(args, for_app=True)
        # A large ledger's integrity check (it reads the whole file) runs after the first paint.
        # A ledger this user cannot write opens read-only (the desk says 只读); --read-only asks for it.
        open_database(target, verify=None, read_only=True if args.read_only else None)
    close_database()  # the proxy stays bound to the ledger; the app connects per thread itself

    from tui.app import run

    result = run(target=target, operator=operator)
    return result if isinstance(result, int) else EXIT_OK


def _make_demo(today: dt.date | None) -> str:
    """A fresh demo ledger (live fixture) in the user data folder's demo/; keeps the newest few."""
    import fixtures
    from store import clock
    from store.db import open_database

    folder = _data_dir() / "demo"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandRefused(f"无法创建演示台账文件夹“{folder}”：{exc.strerror or exc}。") from None
    stamp = clock.office_now().strftime("%Y%m%d-%H%M%S")  # Beijing time, as the records show
    path = folder / f"demo-{stamp}.db"
    counter = 1
    while path.exists():
        counter += 1
        path = folder / f"demo-{stamp}-{counter}.db"
    with _RemoveIfCreated(str(path)):
        open_database(path)
        fixtures.seed("live", today=today)
    _prune_demos(folder, keep=path)
    return str(path)


def _prune_demos(folder: Path, *, keep: Path) -> None:
    demos = sorted(folder.glob("demo-*.db"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in demos[DEMO_KEEP:]:
        if old == keep:
            continue
        for candidate in (old, Path(f"{old}-wal"), Path(f"{old}-shm")):
            try:
                candidate.unlink(missing_ok=True)
            except OSError:
                pass


def _command_seed(args, today: dt.date | None) -> int:
    import fixtures
    from store.db import open_database
    from store.models import Case

    name = args.fixture.strip()
    if name not in fixtures.FIXTURE_NAMES:
        raise CommandRefused(f"没有名为“{args.fixture}”的示例数据，可用的有：{'、'.join(fixtures.FIXTURE_NAMES)}。")
    if args.cases is not None:
        if name != "synthetic":
            raise CommandRefused(f"--cases 只用于 synthetic 示例数据，{name} 的件数是固定的。")
        if not 1 <= args.cases <= 1_000_000:
            raise CommandRefused(f"--cases 应为 1 到 1000000 之间的整数，收到的是 {args.cases}。")
    with _RemoveIfCreated(args.db):
        open_database(args.db)
        count = Case.select().count()
        if count:
            raise CommandRefused(f"台账“{args.db}”中已有{count}件，示例数据只写入新的或空的台账，以免混入真实台账。")
        message = fixtures.seed(name, today=today, cases=args.cases)
    _write(sys.stdout, f"{message}\n")
    return EXIT_OK


def _command_export(args, today: dt.date | None) -> int:
    from store.db import parse_target
    from store.io import export

    fmt = export.check_format(args.format)
    target = _resolve_target(args)
    out = None
    if args.out is not None and args.out != "-":  # "-": standard output, as without --out
        parsed = parse_target(target)
        out = export.check_out_path(args.out, database_path=parsed.path if parsed.kind == "sqlite" else None)
    from tui.cli_progress import terminal_progress

    if fmt == "xlsx":
        if out is None:
            raise CommandRefused("xlsx 格式须用 --out 指定要写入的文件，例如 --out 台账.xlsx。")
        _open_existing(args, only_reads=True)
        with terminal_progress() as progress:  # a line on stderr only when it is a terminal
            rows = export.ledger_export_rows(session_id=_session_id(args.session), today=today, progress=progress)
            export.write_xlsx(out, rows, public=args.public, progress=progress)
        _write(sys.stdout, f"已导出{len(rows)}件至“{out}”{'（公开版）' if args.public else ''}。\n")
        return EXIT_OK
    _open_existing(args, only_reads=True)
    with terminal_progress() as progress:
        text, count = export.ledger_text(fmt, to_file=out is not None, session_id=_session_id(args.session),
                                         today=today, progress=progress)
    if out is None:
        _write(sys.stdout, text)
    else:
        export.write_file(out, text, fmt)
        _write(sys.stdout, f"已导出{count}件至“{out}”。\n")
    return EXIT_OK


def _command_import(args, today: dt.date | None) -> int:
    from store.db import close_database, open_database, parse_target
    from store.io import importer
    from tui.cli_progress import terminal_progress

    operator = _resolve_operator(args.operator)
    with terminal_progress() as progress:  # a line on stderr only when it is a terminal, cleared before output
        table = importer.read_table(args.file, progress=progress)  # refused before the ledger is opened
        target = _resolve_target(args, for_app=True)
        parsed = parse_target(target)
        missing = parsed.kind == "sqlite" and parsed.path is not None and (
            not parsed.path.exists() or parsed.path.stat().st_size == 0)
        if missing and args.dry_run:  # a preview creates nothing: check the list against an empty ledger
            import tempfile

            with tempfile.TemporaryDirectory() as scratch:
                open_database(Path(scratch) / "preview.db")
                try:
                    result = importer.import_table(table, operator, session=args.session, dry_run=True,
                                                   today=today, progress=progress)
                finally:
                    close_database()
            text = f"台账“{parsed.path}”尚不存在，按一本新台账预览（未创建）。\n{result.summary()}\n"
        else:
            with _RemoveIfCreated(target):
                open_database(target)
                result = importer.import_table(table, operator, session=args.session, dry_run=args.dry_run,
                                               today=today, progress=progress)
            text = (f"已新建台账“{parsed.path}”。\n" if missing else "") + result.summary() + "\n"
    _write(sys.stdout, text)
    return EXIT_OK


# -------------------------------------------------------------------------------- main


def _run(argv: list[str] | None) -> int:
    from store import clock

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    today = _parse_today(args)
    if today is not None:
        clock.fix_today(today)
    if args.command == "seed":
        return _command_seed(args, today)
    if args.command == "export":
        return _command_export(args, today)
    if args.command in ("report", "notice", "form"):
        from tui import cli_report

        return cli_report.run(args, today)
    if args.command == "import":
        return _command_import(args, today)
    if args.command in ("org",):
        from tui import cli_office

        return cli_office.run(args, today)
    if args.command == "calendar":
        from tui import cli_calendar

        return cli_calendar.run(args, today)
    if args.command in ("rules", "session"):
        from tui import cli_sessions

        return cli_sessions.run(args, today)
    if args.command in ("backup", "check"):
        from tui import cli_maintenance

        return cli_maintenance.run(args, today)
    operator = _resolve_operator(args.operator, for_app=True)
    return _command_open(args, today, operator)


def _log_unexpected(exc: BaseException, argv) -> str | None:
    """Append the traceback to the user's log file; return its path (None if that failed too)."""
    try:
        import platformdirs

        from store import clock

        folder = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "duban.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {clock.office_now().isoformat(timespec='seconds')} duban {argv!r}\n")
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=handle)
        return str(path)
    except Exception:
        return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 2 refused, 1 failed, 130 interrupted)."""
    from store import clock
    from store.db import close_database, describe_db_error
    from store.errors import LedgerError

    previous_today = clock.today() if clock.is_today_fixed() else None
    if argv is None:
        argv = sys.argv[1:]
    try:
        return _run(list(argv))
    except (CommandRefused, LedgerError) as exc:
        _say(str(exc))
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _say("已中断。")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `duban export … | head`: the reader left; say nothing
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_FAILED
    except Exception as exc:
        import peewee

        where = _log_unexpected(exc, argv)
        if isinstance(exc, peewee.DatabaseError):
            reason = f"数据库出错：{describe_db_error(exc)}"
        elif isinstance(exc, OSError):
            reason = f"读写文件出错：{exc.strerror or exc}"
        else:
            reason = f"督办台遇到意外错误（{type(exc).__name__}：{exc}）"
        reason = " ".join(reason.split())
        tail = f"详细信息已写入 {where}。" if where else "（错误日志也无法写入。）"
        _say(f"{reason.rstrip('。')}，未能完成操作；{tail}")
        return EXIT_FAILED
    finally:
        from store.db import take_upgrade_note

        upgraded = take_upgrade_note()  # the desk shows it itself; a command says it on stderr
        if upgraded:
            _say(upgraded)
        close_database()
        clock.fix_today(previous_today)


if __name__ == "__main__":
    # `python -m tui.cli`: run the imported module's main, so that the command modules'
    # `from tui.cli import CommandRefused` is the very class this main catches
    from tui.cli import main as _main

    raise SystemExit(_main())
