"""导出台账: the ledger as CSV or JSON, one row a case, with the ledger's Chinese headers.

CSV is written as UTF-8 with a byte-order mark when it goes to a file (so that Excel opens
Chinese text correctly) and as plain UTF-8 to a pipe; JSON is a list of objects keyed by the
same headers, `ensure_ascii=False`. The writers tell an optional `progress` (store.io.progress). Text is exported as stored; the only change is the CSV
guard against formula injection (see `_csv_cell`). A file is written beside its final name
and renamed into place, so a failed export never leaves half a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from itertools import islice
from operator import attrgetter
from pathlib import Path

from store.db import SQLITE_HEADER
from store.errors import LedgerError
from store.io.progress import Progress, Ticker
from store.models import URGE_LEVELS
from store.queries import LedgerRow, ledger_rows
from store.vocabulary import role_label

FORMATS = ("csv", "json", "xlsx")

COLUMNS: tuple[tuple[str, Callable[[LedgerRow], object]], ...] = (
    ("届次", attrgetter("session")),
    ("编号", attrgetter("number")),
    ("标题", attrgetter("title")),
    ("领衔", attrgetter("lead_proposer")),
    ("办理方式", attrgetter("role_label")),  # 会办 on a 政协 case (stored as 汇办)
    ("处室", attrgetter("division")),
    ("责任人", attrgetter("owner")),
    ("状态", attrgetter("status")),
    ("下一期限(事项)", attrgetter("next_milestone")),
    ("下一期限(日期)", attrgetter("next_due")),
    ("剩余天数", attrgetter("days_left")),
    ("倒计时", attrgetter("countdown")),
    ("最近跟进", attrgetter("last_followup_on")),
    ("催办次数", attrgetter("urge_count")),
    ("催办级别", lambda r: URGE_LEVELS.get(r.urge_level, "") if r.urge_level else ""),
    ("是否滞后", attrgetter("stale")),
    ("是否逾期", attrgetter("overdue")),
    ("期限是否推算", attrgetter("estimated")),  # see store.office_calendar.ESTIMATED_NOTE
)
"""The exported columns: header and how to read it from a `LedgerRow`."""

HEADERS = tuple(header for header, _ in COLUMNS)

# A cell starting with one of these is read as a formula by Excel, WPS and LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ledger_records(*, session_id: int | None = None, today: dt.date | None = None,
                   progress: Progress | None = None) -> list[dict]:
    """The ledger (or one session of it) as plain dicts: header → value (dates ISO, flags bool)."""
    rows = ledger_rows(session_id=session_id, today=today, order="number")
    ticker = Ticker(progress, len(rows), "读取")
    readers = [read for _, read in COLUMNS]
    records = []
    for done, row in enumerate(rows):
        ticker.tick(done)
        records.append(dict(zip(HEADERS, [_plain(read(row)) for read in readers])))
    ticker.finish()
    return records


def _plain(value):
    """A date as its ISO text; anything else as it is."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _csv_cell(value) -> str:
    """One CSV cell. Text that a spreadsheet would run as a formula gets a leading '.

    A title such as `=HYPERLINK(…)` or `-2+3` typed by a proposer or an operator must not
    become a live formula when the office opens the file in Excel or WPS (CSV injection);
    the apostrophe is the spreadsheet's own "this is text" mark. Only CSV is guarded: JSON
    readers do not evaluate cells, so JSON carries the text exactly as stored. Numbers
    (a negative day count) are numbers, not text, and are left alone.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _csv_cells(values) -> list:
    """`_csv_cell` of each value, the common kinds inline (1.8 million cells at 100,000 cases).

    What the csv module is handed writes as `_csv_cell` would have it: "" for None, str() of an int.
    """
    cells = []
    for value in values:
        kind = value.__class__
        if kind is str:
            cells.append("'" + value if value.startswith(_FORMULA_STARTS) else value)
        elif value is None or kind is int:
            cells.append(value)
        elif kind is bool:
            cells.append("是" if value else "否")
        elif kind is dt.date:  # straight from a LedgerRow: the ISO day, as the records carry it
            cells.append(value.isoformat())
        else:
            cells.append(_csv_cell(value))
    return cells


def to_csv(records: Iterable[dict], *, lineterminator: str = "\r\n", progress: Progress | None = None) -> str:
    """CSV text with a header row; commas, quotes and newlines in cells are quoted."""
    records = records if isinstance(records, list) else list(records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow(HEADERS)
    ticker = Ticker(progress, len(records), "导出")
    for done, record in enumerate(records, start=1):
        writer.writerow(_csv_cells(map(record.get, HEADERS)))
        ticker.tick(done)
    return buffer.getvalue()


def to_json(records: Iterable[dict], *, progress: Progress | None = None) -> str:
    """A JSON list of objects keyed by the Chinese headers, human-readable (not \\u-escaped)."""
    text = json.dumps(records := list(records), ensure_ascii=False, indent=2) + "\n"
    Ticker(progress, len(records), "导出").finish()
    return text


def render(fmt: str, records: list[dict], *, to_file: bool, progress: Progress | None = None) -> str:
    """The export text in `fmt` (csv/json); CSV for a file ends lines with CRLF."""
    if fmt == "csv":
        return to_csv(records, lineterminator="\r\n" if to_file else "\n", progress=progress)
    if fmt == "json":
        return to_json(records, progress=progress)
    raise LedgerError(f"不支持的导出格式“{fmt}”，可选：{'、'.join(FORMATS)}。")


def ledger_text(fmt: str, *, to_file: bool, session_id: int | None = None, today: dt.date | None = None,
                progress: Progress | None = None) -> tuple[str, int]:
    """The ledger exported as `render` writes it, and how many cases it holds.

    CSV goes from the ledger's rows to the text without the dicts of `ledger_records` in between
    (the same text, a second less at 100,000 cases); JSON is `render` of `ledger_records`.
    """
    if fmt != "csv":
        records = ledger_records(session_id=session_id, today=today, progress=progress)
        return render(fmt, records, to_file=to_file, progress=progress), len(records)
    rows = ledger_rows(session_id=session_id, today=today, order="number")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if to_file else "\n")
    writer.writerow(HEADERS)
    ticker = Ticker(progress, len(rows), "导出")
    # Ticker reports at every `step` rows and at the end: writing a step's rows at a time and
    # telling it the step's last row gives the same reports as telling it every row.
    lines = _csv_lines(rows)
    for start in range(0, len(rows), ticker.step):
        writer.writerows(islice(lines, ticker.step))
        ticker.tick(min(start + ticker.step, len(rows)))
    ticker.finish()
    return buffer.getvalue(), len(rows)


class _Cells(dict):
    """value -> its CSV cell (`_csv_cells`), worked out at the first sight of each value."""

    def __init__(self, value_of=None):
        super().__init__()
        self.value_of = value_of

    def __missing__(self, value):
        cell = self[value] = _cell(value if self.value_of is None else self.value_of(value))
        return cell


_YES_NO = {True: "是", False: "否"}


def _cell(value):
    """`_csv_cells` of one value (a value of a kind the ledger's rows do not usually hold)."""
    return _csv_cells([value])[0]


def _urge_level_name(level) -> str:
    return URGE_LEVELS.get(level, "") if level else ""


def _csv_lines(rows: Iterable[LedgerRow]):
    """The CSV cells of `COLUMNS` for each row, as `_csv_cells` of the columns' values gives them.

    1.8 million cells at 100,000 cases, most of them one of a few hundred values (a session, a
    division, a status, a day, a countdown): each distinct value of those columns is guarded once
    and remembered for the export (`_Cells`); only the case's own texts (number, title) are looked
    at row by row. tests/store/test_ledger_rows_fast.py holds it to `COLUMNS` and `_csv_cells`."""
    sessions, proposers, divisions, owners, statuses, milestones, dues, countdowns, followups = (
        _Cells() for _ in range(9))
    roles = _Cells(lambda key: role_label(*key))
    levels = _Cells(_urge_level_name)
    starts, yes_no = _FORMULA_STARTS, _YES_NO
    for (_case_id, _version, session, number, title, proposer, role, division, owner, status, milestone, due,
         days, _working, countdown, followup, urges, level, stale, estimated, body, _units, awaiting) in rows:
        overdue = days is not None and days < 0 and not awaiting
        yield (
            sessions[session],
            ("'" + number if number.startswith(starts) else number) if number.__class__ is str else _cell(number),
            ("'" + title if title.startswith(starts) else title) if title.__class__ is str else _cell(title),
            proposers[proposer], roles[(role, body)], divisions[division], owners[owner], statuses[status],
            milestones[milestone], dues[due], days if days is None or days.__class__ is int else _cell(days),
            countdowns[countdown], followups[followup],
            urges if urges is None or urges.__class__ is int else _cell(urges), levels[level],
            yes_no[stale] if stale.__class__ is bool else _cell(stale),
            yes_no[overdue] if overdue.__class__ is bool else _cell(overdue),
            yes_no[estimated] if estimated.__class__ is bool else _cell(estimated),
        )


def check_format(fmt: str | None) -> str:
    """The format name in lower case, or a refusal naming the ones we write."""
    name = (fmt or "").strip().lower()
    if name not in FORMATS:
        raise LedgerError(f"不支持的导出格式“{fmt}”，可选：{'、'.join(FORMATS)}。")
    return name


def check_out_path(out: str | os.PathLike, *, database_path: Path | None = None) -> Path:
    """Refuse an output file we cannot or must not write, before anything is opened."""
    text = str(out).strip()
    if not text:
        raise LedgerError("--out 没有给出文件名。")
    path = Path(text).expanduser()
    if path.is_dir():
        raise LedgerError(f"导出目标“{path}”是一个文件夹，请给出文件名，例如 {path / '台账.csv'}。")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise LedgerError(f"无法导出到“{path}”：文件夹“{parent}”不存在。")
    if database_path is not None and path.exists() and _same_file(path, database_path):
        raise LedgerError(f"导出目标“{path}”就是台账数据库本身，不能覆盖，请换一个文件名。")
    if database_path is not None and _companion_of(path, database_path):
        # decided by name, without opening it: closing a descriptor of it would drop SQLite's locks
        raise LedgerError(f"导出目标“{path}”是台账数据库的附属文件（SQLite 的日志或共享内存文件），"
                          "覆盖它会损坏台账，请换一个文件名。")
    if path.is_file():
        try:
            with path.open("rb") as handle:
                if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                    raise LedgerError(f"“{path}”是一个数据库文件，导出结果不能覆盖它，请换一个文件名。")
        except OSError:
            pass  # unreadable: writing will say why
    return path


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a ledger while it is in use."""


def _companion_of(path: Path, database_path: Path) -> bool:
    """Whether `path` names the ledger's -wal, -shm or -journal file (by name; nothing is opened)."""
    try:
        target, ledger = path.resolve(), database_path.resolve()
    except OSError:
        return False
    return any(target == ledger.with_name(ledger.name + suffix) for suffix in SQLITE_COMPANIONS)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def write_file(path: Path, text: str, fmt: str) -> None:
    """Write the export beside `path` and rename it into place (CSV with a BOM for Excel)."""
    data = text.encode("utf-8-sig" if fmt == "csv" else "utf-8")
    _replace_atomically(path, lambda stream: stream.write(data))


def _replace_atomically(path: Path, write) -> None:
    """Call `write(binary stream)` on a temporary file beside `path`, then rename it into place.

    An existing file keeps its permissions; a new one is an ordinary 0644 file. On failure
    the temporary file is removed and the old file, if any, is left as it was.
    """
    parent = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise LedgerError(f"无法写入“{path}”：{_os_reason(exc)}。") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.chmod(temporary, (path.stat().st_mode & 0o777) if path.exists() else 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise LedgerError(f"无法写入“{path}”：{_os_reason(exc)}。") from None


def _os_reason(exc: OSError) -> str:
    import errno

    reasons = {
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "该位置只读",
        errno.ENOSPC: "磁盘已满",
        errno.ENOENT: "文件夹不存在或不可写",
        errno.EISDIR: "这是一个文件夹",
    }
    return reasons.get(exc.errno, exc.strerror or str(exc))


# The XLSX export lives in store/io/export_xlsx.py; its names are re-exported here, imported at
# their first use: a CSV or JSON export does not load the XLSX writer (nor what it imports).
_XLSX_NAMES = frozenset({
    "_FILLS", "_STATE_WORDS", "DUE_SOON_DAYS", "XLSX_COLUMNS", "XLSX_SHEET", "ExportRow", "_public_row",
    "_xlsx_text", "documents_export_path", "export_xlsx_to_documents", "ledger_export_rows", "write_xlsx",
    "xlsx_columns",
})


def __getattr__(name: str):
    if name in _XLSX_NAMES:
        from store.io import export_xlsx

        value = globals()[name] = getattr(export_xlsx, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
