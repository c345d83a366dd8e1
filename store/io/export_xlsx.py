"""导出台账为 Excel: the office's 台账 as an .xlsx workbook — frozen header, column widths, dates
as dates, the countdown in words and coloured by its deadline (overdue red, due within 7 days
amber, closed grey), a public version without phones. `store.io.export` re-exports these
names, so callers keep importing them from there. The rows are read as raw tuples and written
by a streaming writer (store.io.xlsx_stream): 100,000 cases in seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from peewee import JOIN

from store import clock
from store.errors import LedgerError
from store.io.export import _os_reason, _replace_atomically
from store.io.progress import Progress, Ticker
from store.office_calendar import ESTIMATED_MARK, ESTIMATED_NOTE
from store.queries import _all_rules, ledger_rows
from store.rules import DEFAULT_RULES

XLSX_SHEET = "台账"
DUE_SOON_DAYS = 7
_FILLS = {"overdue": "FFC7CE", "soon": "FFEB9C", "awaiting": "FFEB9C", "done": "D9D9D9"}  # red, amber, grey
_STATE_WORDS = {"overdue": "已逾期", "soon": "即将到期", "awaiting": "待评价（征询意见表待收回）", "done": "已办结"}


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
    state: str  # overdue / soon / awaiting / done / ""
    estimated: bool = False  # next_due counted through a year whose holidays nobody confirmed (推算)

    @property
    def state_words(self) -> str:
        return _STATE_WORDS.get(self.state, "")

    @property
    def estimated_mark(self) -> str:
        """期限推算: the mark when next_due was counted through an unconfirmed year."""
        return ESTIMATED_MARK if self.estimated else ""


def ledger_export_rows(*, session_id: int | None = None, today: dt.date | None = None,
                       progress: Progress | None = None) -> list[ExportRow]:
    """Every case (of one session) in number order, for the 台账: a fixed number of queries.

    The 台账's own figures come from `ledger_rows`; the other columns from one more SELECT read
    as raw tuples (no model object a case: they cost most of a 100,000-case export).
    """
    from store.models import Case
    from store.rules import reply_due

    today = today or clock.today()
    rows = ledger_rows(session_id=session_id, today=today, order="number")
    cases = _case_columns(session_id)
    all_rules = _all_rules()
    dues: dict[tuple, dt.date] = {}  # reply_due reads only these three: the same answer for the same key
    names: dict[object, str] = {}  # a JSON list of names → "甲、乙"
    as_date = Case.assigned_on.python_value
    result = []
    ticker = Ticker(progress, len(rows), "读取")
    for done, row in enumerate(rows):
        ticker.tick(done)
        case = cases.pop(row.case_id, None)  # popped: the tuples go as the rows are made
        if case is None:  # written between the two reads
            continue
        (_, session, kind, title, topic, proposer_id, name, group, unit_title, phone, cosigners, role, lead_unit,
         co_units, assigned_on, signed_on, extended_due, replied_on, rehandle_replied_on, reply_doc_no, result_class,
         reply_summary, evaluation, disclosure) = case
        if proposer_id is None:
            name = group = unit_title = phone = ""
        assigned_on, extended_due = as_date(assigned_on), as_date(extended_due)
        due = None
        if role != "汇办":
            key = (session, assigned_on, extended_due)
            due = dues.get(key)
            if due is None:
                due = dues[key] = reply_due(_DueView(assigned_on, extended_due), all_rules.get(session, DEFAULT_RULES))
        replied = as_date(rehandle_replied_on) or as_date(replied_on)
        result.append(ExportRow(
            session=row.session, number=row.number, kind=kind, title=title, topic=topic,
            lead_proposer=name, group=group, unit_title=unit_title, phone=phone,
            cosigners=_names(names, cosigners), role=row.role_label, lead_unit=lead_unit,
            co_units=_names(names, co_units), division=row.division, owner=row.owner,
            assigned_on=assigned_on, signed_on=as_date(signed_on), reply_due=due,
            replied_on=replied, reply_doc_no=reply_doc_no,
            result_class=result_class, reply_summary=reply_summary, evaluation=evaluation,
            disclosure=disclosure, status=row.status, next_milestone=row.next_milestone,
            next_due=row.next_due, days_left=row.days_left, countdown=row.countdown, urge_count=row.urge_count,
            last_followup_on=row.last_followup_on, state=_state(row), estimated=row.estimated,
        ))
    ticker.finish()
    return result


def _state(row) -> str:
    if row.status == "已办结":
        return "done"
    if row.overdue:
        return "overdue"
    if row.awaiting_proposer:  # the proposer's form not back: 待评价 in amber, never the red of 逾期
        return "awaiting"
    if row.days_left is not None and row.days_left <= DUE_SOON_DAYS:
        return "soon"
    return ""


class _DueView:
    """What `store.rules.reply_due` reads of a case."""

    __slots__ = ("assigned_on", "extended_due")

    def __init__(self, assigned_on, extended_due):
        self.assigned_on, self.extended_due = assigned_on, extended_due


def _case_columns(session_id: int | None) -> dict[int, tuple]:
    """case id → the columns the 台账 shows beyond `ledger_rows`, as raw tuples (one SELECT)."""
    from store.models import Case, Proposer

    query = (Case.select(Case.id, Case.session, Case.kind, Case.title, Case.topic, Case.lead_proposer, Proposer.name,
                         Proposer.group, Proposer.unit_title, Proposer.phone, Case.cosigners, Case.role, Case.lead_unit,
                         Case.co_units, Case.assigned_on, Case.signed_on, Case.extended_due, Case.replied_on,
                         Case.rehandle_replied_on, Case.reply_doc_no, Case.result_class, Case.reply_summary,
                         Case.evaluation, Case.disclosure)
             .join(Proposer, JOIN.LEFT_OUTER, on=(Case.lead_proposer == Proposer.id)))
    if session_id is not None:
        query = query.where(Case.session == session_id)
    # The raw cursor: Peewee's model objects and per-field conversion cost seconds at 100,000 cases.
    return {values[0]: values for values in Case._meta.database.execute(query)}


def _names(seen: dict, stored) -> str:
    """A stored JSON list of names (a list already on PostgreSQL's json type) as "甲、乙"."""
    key = stored if isinstance(stored, (str, bytes)) or stored is None else None
    if key is not None and key in seen:
        return seen[key]
    from store.models import Case

    names = Case.cosigners.python_value(stored) if key is not None else stored
    text = "、".join(names or ())
    if key is not None:
        seen[key] = text
    return text


_XLSX_FIELDS: tuple[tuple[str, int, str, bool], ...] = (
    # header, width, the ExportRow attribute it shows, private (left out of the --public export)
    ("届次", 20, "session", False),
    ("编号", 12, "number", False),
    ("类型", 6, "kind", False),
    ("标题", 44, "title", False),
    ("内容类别", 10, "topic", False),
    ("领衔代表/委员", 12, "lead_proposer", False),
    ("代表团/界别", 14, "group", False),
    ("单位及职务", 20, "unit_title", False),
    ("联系电话", 14, "phone", True),
    ("附议/联名", 18, "cosigners", False),
    ("办理方式", 8, "role", False),
    ("主办单位", 20, "lead_unit", False),
    ("会办/汇办单位", 20, "co_units", False),
    ("承办处室", 14, "division", False),
    ("责任人", 8, "owner", False),
    ("交办日期", 11, "assigned_on", False),
    ("签收日期", 11, "signed_on", False),
    ("答复期限", 11, "reply_due", False),
    ("答复日期", 11, "replied_on", False),
    ("答复文号", 16, "reply_doc_no", False),
    ("答复类别", 8, "result_class", False),
    ("答复摘要", 30, "reply_summary", False),
    ("代表/委员评价", 9, "evaluation", False),
    ("是否公开", 9, "disclosure", False),
    ("状态", 9, "status", False),
    ("下一期限事项", 12, "next_milestone", False),
    ("下一期限", 11, "next_due", False),
    ("期限推算", 9, "estimated_mark", False),
    ("倒计时", 14, "countdown", False),
    ("期限状态", 9, "state_words", False),
    ("催办次数", 8, "urge_count", False),
    ("最近跟进", 11, "last_followup_on", False),
)

XLSX_COLUMNS: tuple[tuple[str, int, Callable[[ExportRow], object], bool], ...] = tuple(
    (header, width, attrgetter(field), private) for header, width, field, private in _XLSX_FIELDS)
"""The 台账 sheet's columns. `--public` drops the private ones (the proposer's phone)."""


def xlsx_columns(*, public: bool = False):
    return tuple(column for column in XLSX_COLUMNS if not (public and column[3]))


def _public_row(row: ExportRow) -> ExportRow:
    """The row as it may be disclosed: no phone; a reply summary only once the reply is 公开."""
    from dataclasses import replace

    return replace(row, phone="", reply_summary=row.reply_summary if row.disclosure == "公开" else "")


def _xlsx_text(value: str) -> str:
    """Text as a cell can hold it (see store.io.xlsx_stream.cell_text)."""
    from store.io.xlsx_stream import cell_text

    return cell_text(value)


def write_xlsx(path: Path, rows: Iterable[ExportRow], *, public: bool = False,
               progress: Progress | None = None) -> None:
    """Write the 台账 workbook beside `path` and rename it into place.

    One sheet: a bold header on light blue, frozen, with an autofilter over every row; column
    widths; dates as date cells (yyyy-mm-dd); text always text (`=SUM(A1)` is never a formula);
    the countdown and its state filled by the deadline's state. Streamed (see store.io.xlsx_stream):
    100,000 cases in a few seconds and little memory.
    """
    rows = rows if isinstance(rows, (list, tuple)) else list(rows)
    title = f"台账{'（公开版）' if public else ''}"
    _replace_atomically(path, lambda stream: _write_workbook(stream, rows, public=public, title_note=title,
                                                             progress=progress))


def _write_workbook(stream, rows, *, public: bool, title_note: str, progress: Progress | None) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from store.io.xlsx_stream import MARKER, SheetRows, save_with_rows

    columns = xlsx_columns(public=public)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(XLSX_SHEET)
    for index, (_, width, _, _) in enumerate(columns, start=1):  # widths and panes go before the first row
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(horizontal="center", vertical="center")
    estimated = any(row.estimated for row in rows)
    header = []
    for name, _, _, _ in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill, cell.alignment = bold, header_fill, centre
        if estimated and name == "期限推算":
            cell.comment = Comment(ESTIMATED_NOTE, "督办台")
        header.append(cell)
    sheet.append(header)
    sheet.append([MARKER])
    fills = {state: PatternFill("solid", fgColor=color) for state, color in _FILLS.items()}
    writer = SheetRows(sheet, len(columns),
                       fill_columns=[index for index, column in enumerate(columns) if column[0] in ("倒计时", "期限状态")])
    fields = {header: field for header, _, field, _ in _XLSX_FIELDS}
    values = attrgetter(*(fields[header] for header, _, _, _ in columns))  # one call a row: a tuple
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    workbook.properties.title = title_note
    ticker = Ticker(progress, len(rows), "导出")

    def lines():
        for count, row in enumerate(rows, start=1):
            ticker.tick(count - 1)
            if public:
                row = _public_row(row)
            yield writer.row(count + 1, values(row), fills[row.state] if row.state else None)
        ticker.finish()

    save_with_rows(workbook, stream, lines(), last_cell=f"{last}{len(rows) + 1}")


def documents_export_path(now: dt.datetime | None = None) -> Path:
    """Where the desk's `x` writes the 台账: 文档/督办台/台账-YYYYMMDD-HHMM.xlsx."""
    import platformdirs

    now = now or clock.office_now()  # Beijing time, as the records show
    folder = Path(platformdirs.user_documents_dir()) / "督办台"
    return folder / f"台账-{now:%Y%m%d-%H%M}.xlsx"


def export_xlsx_to_documents(*, session_id: int | None = None, today: dt.date | None = None,
                             public: bool = False, progress: Progress | None = None) -> tuple[Path, int]:
    """Write the 台账 XLSX into the user's documents folder; (path, number of cases)."""
    path = documents_export_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法创建文件夹“{path.parent}”：{_os_reason(exc)}。") from None
    rows = ledger_export_rows(session_id=session_id, today=today, progress=progress)
    write_xlsx(path, rows, public=public, progress=progress)
    return path, len(rows)
