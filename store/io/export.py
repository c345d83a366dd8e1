"""导出台账: the ledger as CSV or JSON, one row a case, with the ledger's Chinese headers.

CSV is written as UTF-8 with a byte-order mark when it goes to a file (so that Excel opens
Chinese text correctly) and as plain UTF-8 to a pipe; JSON is a list of objects keyed by the
same headers, `ensure_ascii=False`. Text is exported as stored; the only change is the CSV
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
from dataclasses import dataclass
from pathlib import Path

from peewee import JOIN

from store import clock

from store.db import SQLITE_HEADER
from store.errors import LedgerError
from store.models import URGE_LEVELS
from store.office_calendar import ESTIMATED_MARK, ESTIMATED_NOTE
from store.queries import LedgerRow, _all_rules, ledger_rows
from store.rules import DEFAULT_RULES

FORMATS = ("csv", "json", "xlsx")

COLUMNS: tuple[tuple[str, Callable[[LedgerRow], object]], ...] = (
    ("届次", lambda r: r.session),
    ("编号", lambda r: r.number),
    ("标题", lambda r: r.title),
    ("领衔", lambda r: r.lead_proposer),
    ("办理方式", lambda r: r.role_label),  # 会办 on a 政协 case (stored as 汇办)
    ("处室", lambda r: r.division),
    ("责任人", lambda r: r.owner),
    ("状态", lambda r: r.status),
    ("下一期限(事项)", lambda r: r.next_milestone),
    ("下一期限(日期)", lambda r: r.next_due),
    ("剩余天数", lambda r: r.days_left),
    ("倒计时", lambda r: r.countdown),
    ("最近跟进", lambda r: r.last_followup_on),
    ("催办次数", lambda r: r.urge_count),
    ("催办级别", lambda r: URGE_LEVELS.get(r.urge_level, "") if r.urge_level else ""),
    ("是否滞后", lambda r: r.stale),
    ("是否逾期", lambda r: r.overdue),
    ("期限是否推算", lambda r: r.estimated),  # see store.office_calendar.ESTIMATED_NOTE
)
"""The exported columns: header and how to read it from a `LedgerRow`."""

HEADERS = tuple(header for header, _ in COLUMNS)

# A cell starting with one of these is read as a formula by Excel, WPS and LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ledger_records(*, session_id: int | None = None, today: dt.date | None = None) -> list[dict]:
    """The ledger (or one session of it) as plain dicts: header → value (dates ISO, flags bool)."""
    records = []
    for row in ledger_rows(session_id=session_id, today=today, order="number"):
        record = {}
        for header, read in COLUMNS:
            value = read(row)
            if isinstance(value, dt.date):
                value = value.isoformat()
            record[header] = value
        records.append(record)
    return records


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


def to_csv(records: Iterable[dict], *, lineterminator: str = "\r\n") -> str:
    """CSV text with a header row; commas, quotes and newlines in cells are quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow(HEADERS)
    for record in records:
        writer.writerow([_csv_cell(record.get(header)) for header in HEADERS])
    return buffer.getvalue()


def to_json(records: Iterable[dict]) -> str:
    """A JSON list of objects keyed by the Chinese headers, human-readable (not \\u-escaped)."""
    return json.dumps(list(records), ensure_ascii=False, indent=2) + "\n"


def render(fmt: str, records: list[dict], *, to_file: bool) -> str:
    """The export text in `fmt` (csv/json); CSV for a file ends lines with CRLF."""
    if fmt == "csv":
        return to_csv(records, lineterminator="\r\n" if to_file else "\n")
    if fmt == "json":
        return to_json(records)
    raise LedgerError(f"不支持的导出格式“{fmt}”，可选：{'、'.join(FORMATS)}。")


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
    if path.is_file():
        try:
            with path.open("rb") as handle:
                if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                    raise LedgerError(f"“{path}”是一个数据库文件，导出结果不能覆盖它，请换一个文件名。")
        except OSError:
            pass  # unreadable: writing will say why
    return path


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


# ------------------------------------------------------------------------------- XLSX

XLSX_SHEET = "台账"
DUE_SOON_DAYS = 7
_FILLS = {"overdue": "FFC7CE", "soon": "FFEB9C", "done": "D9D9D9"}  # red, amber, grey
_STATE_WORDS = {"overdue": "已逾期", "soon": "即将到期", "done": "已办结"}


@dataclass(frozen=True)
class ExportRow:
    """One case as the office's 台账 shows it (the XLSX export)."""

    session: str
    number: str
    kind: str
    title: str
    topic: str
    lead_proposer: str
    group: str
    unit_title: str
    phone: str
    cosigners: str
    role: str  # as the body names it: 会办 on a 政协 case
    lead_unit: str
    co_units: str
    division: str
    owner: str
    assigned_on: dt.date | None
    signed_on: dt.date | None
    reply_due: dt.date | None  # the extended due date when there is one
    replied_on: dt.date | None
    reply_doc_no: str
    result_class: str
    reply_summary: str
    evaluation: str
    disclosure: str
    status: str
    next_milestone: str
    next_due: dt.date | None
    days_left: int | None
    countdown: str
    urge_count: int
    last_followup_on: dt.date | None
    state: str  # overdue / soon / done / ""
    estimated: bool = False  # next_due counted through a year whose holidays nobody confirmed (推算)

    @property
    def state_words(self) -> str:
        return _STATE_WORDS.get(self.state, "")


def ledger_export_rows(*, session_id: int | None = None, today: dt.date | None = None) -> list[ExportRow]:
    """Every case (of one session) in number order, for the 台账: a fixed number of queries."""
    from store.models import Case, Proposer
    from store.rules import reply_due

    today = today or clock.today()
    rows = ledger_rows(session_id=session_id, today=today, order="number")
    query = (Case.select(Case, Proposer).join(Proposer, JOIN.LEFT_OUTER, on=(Case.lead_proposer == Proposer.id)))
    if session_id is not None:
        query = query.where(Case.session == session_id)
    cases = {case.id: case for case in query}
    all_rules = _all_rules()
    result = []
    for row in rows:
        case = cases.get(row.case_id)
        if case is None:  # written between the two reads
            continue
        proposer = case.lead_proposer if case.lead_proposer_id else None
        due = reply_due(case, all_rules.get(case.session_id, DEFAULT_RULES))
        if row.status == "已办结":
            state = "done"
        elif row.days_left is not None and row.days_left < 0:
            state = "overdue"
        elif row.days_left is not None and row.days_left <= DUE_SOON_DAYS:
            state = "soon"
        else:
            state = ""
        result.append(ExportRow(
            session=row.session, number=row.number, kind=case.kind, title=case.title, topic=case.topic,
            lead_proposer=proposer.name if proposer else "", group=proposer.group if proposer else "",
            unit_title=proposer.unit_title if proposer else "", phone=proposer.phone if proposer else "",
            cosigners="、".join(case.cosigners or ()), role=row.role_label, lead_unit=case.lead_unit,
            co_units="、".join(case.co_units or ()), division=row.division, owner=row.owner,
            assigned_on=case.assigned_on, signed_on=case.signed_on, reply_due=due if case.role != "汇办" else None,
            replied_on=case.rehandle_replied_on or case.replied_on, reply_doc_no=case.reply_doc_no,
            result_class=case.result_class, reply_summary=case.reply_summary, evaluation=case.evaluation,
            disclosure=case.disclosure, status=row.status, next_milestone=row.next_milestone,
            next_due=row.next_due, days_left=row.days_left, countdown=row.countdown, urge_count=row.urge_count,
            last_followup_on=row.last_followup_on, state=state, estimated=row.estimated,
        ))
    return result


XLSX_COLUMNS: tuple[tuple[str, int, Callable[[ExportRow], object], bool], ...] = (
    # header, width, reader, private (left out of the --public export)
    ("届次", 20, lambda r: r.session, False),
    ("编号", 12, lambda r: r.number, False),
    ("类型", 6, lambda r: r.kind, False),
    ("标题", 44, lambda r: r.title, False),
    ("内容类别", 10, lambda r: r.topic, False),
    ("领衔代表/委员", 12, lambda r: r.lead_proposer, False),
    ("代表团/界别", 14, lambda r: r.group, False),
    ("单位及职务", 20, lambda r: r.unit_title, False),
    ("联系电话", 14, lambda r: r.phone, True),
    ("附议/联名", 18, lambda r: r.cosigners, False),
    ("办理方式", 8, lambda r: r.role, False),
    ("主办单位", 20, lambda r: r.lead_unit, False),
    ("会办/汇办单位", 20, lambda r: r.co_units, False),
    ("承办处室", 14, lambda r: r.division, False),
    ("责任人", 8, lambda r: r.owner, False),
    ("交办日期", 11, lambda r: r.assigned_on, False),
    ("签收日期", 11, lambda r: r.signed_on, False),
    ("答复期限", 11, lambda r: r.reply_due, False),
    ("答复日期", 11, lambda r: r.replied_on, False),
    ("答复文号", 16, lambda r: r.reply_doc_no, False),
    ("答复类别", 8, lambda r: r.result_class, False),
    ("答复摘要", 30, lambda r: r.reply_summary, False),
    ("代表/委员评价", 9, lambda r: r.evaluation, False),
    ("是否公开", 9, lambda r: r.disclosure, False),
    ("状态", 9, lambda r: r.status, False),
    ("下一期限事项", 12, lambda r: r.next_milestone, False),
    ("下一期限", 11, lambda r: r.next_due, False),
    ("期限推算", 9, lambda r: ESTIMATED_MARK if r.estimated else "", False),
    ("倒计时", 14, lambda r: r.countdown, False),
    ("期限状态", 9, lambda r: r.state_words, False),
    ("催办次数", 8, lambda r: r.urge_count, False),
    ("最近跟进", 11, lambda r: r.last_followup_on, False),
)
"""The 台账 sheet's columns. `--public` drops the private ones (the proposer's phone)."""


def xlsx_columns(*, public: bool = False):
    return tuple(column for column in XLSX_COLUMNS if not (public and column[3]))


def _public_row(row: ExportRow) -> ExportRow:
    """The row as it may be disclosed: no phone; a reply summary only once the reply is 公开."""
    from dataclasses import replace

    return replace(row, phone="", reply_summary=row.reply_summary if row.disclosure == "公开" else "")


def _xlsx_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def build_workbook(rows: Iterable[ExportRow], *, public: bool = False, title_note: str = ""):
    """The 台账 workbook: frozen header, widths, autofilter, date cells, countdown filled by state."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = xlsx_columns(public=public)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = XLSX_SHEET
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, (header, width, _, _) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    fills = {state: PatternFill("solid", fgColor=color) for state, color in _FILLS.items()}
    state_columns = {index for index, column in enumerate(columns, start=1) if column[0] in ("倒计时", "期限状态")}
    count = 0
    estimated = False
    for count, row in enumerate(rows, start=1):
        estimated = estimated or row.estimated
        if public:
            row = _public_row(row)
        line = count + 1
        for index, (_, _, read, _) in enumerate(columns, start=1):
            value = read(row)
            cell = sheet.cell(row=line, column=index)
            if isinstance(value, dt.date):
                cell.value = dt.date(value.year, value.month, value.day)
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.value = value
            elif value is None or value == "":
                continue
            else:
                cell.value = _xlsx_text(str(value))
                cell.data_type = "s"  # text that starts with = stays text, never a formula
            if index in state_columns and row.state:
                cell.fill = fills[row.state]
    if estimated:
        from openpyxl.comments import Comment

        header = next(index for index, column in enumerate(columns, start=1) if column[0] == "期限推算")
        sheet.cell(row=1, column=header).comment = Comment(ESTIMATED_NOTE, "督办台")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(count + 1, 1)}"
    if title_note:
        workbook.properties.title = title_note
    return workbook


def write_xlsx(path: Path, rows: Iterable[ExportRow], *, public: bool = False) -> None:
    """Write the 台账 workbook beside `path` and rename it into place."""
    workbook = build_workbook(rows, public=public, title_note="台账（公开版）" if public else "台账")
    _replace_atomically(path, workbook.save)


def documents_export_path(now: dt.datetime | None = None) -> Path:
    """Where the desk's `x` writes the 台账: 文档/督办台/台账-YYYYMMDD-HHMM.xlsx."""
    import platformdirs

    now = now or clock.office_now()  # Beijing time, as the records show
    folder = Path(platformdirs.user_documents_dir()) / "督办台"
    return folder / f"台账-{now:%Y%m%d-%H%M}.xlsx"


def export_xlsx_to_documents(*, session_id: int | None = None, today: dt.date | None = None,
                             public: bool = False) -> tuple[Path, int]:
    """Write the 台账 XLSX into the user's documents folder; (path, number of cases)."""
    path = documents_export_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法创建文件夹“{path.parent}”：{_os_reason(exc)}。") from None
    rows = ledger_export_rows(session_id=session_id, today=today)
    write_xlsx(path, rows, public=public)
    return path, len(rows)
