"""导出台账为 Excel: the office's 台账 as an .xlsx workbook — frozen header, column widths, dates
as dates, the countdown in words and coloured by its deadline (overdue red, due within 7 days
amber, closed grey), a public version without phones. `store.io.export` re-exports these
names, so callers keep importing them from there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from peewee import JOIN
from store import clock
from store.errors import LedgerError
from store.io.progress import Progress, Ticker
from store.office_calendar import ESTIMATED_MARK, ESTIMATED_NOTE
from store.queries import _all_rules, ledger_rows
from store.rules import DEFAULT_RULES
from store.io.export import _os_reason, _replace_atomically

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


def ledger_export_rows(*, session_id: int | None = None, today: dt.date | None = None,
                       progress: Progress | None = None) -> list[ExportRow]:
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
    ticker = Ticker(progress, len(rows), "读取")
    for done, row in enumerate(rows):
        ticker.tick(done)
        case = cases.get(row.case_id)
        if case is None:  # written between the two reads
            continue
        proposer = case.lead_proposer if case.lead_proposer_id else None
        due = reply_due(case, all_rules.get(case.session_id, DEFAULT_RULES))
        if row.status == "已办结":
            state = "done"
        elif row.overdue:
            state = "overdue"
        elif row.awaiting_proposer:  # the proposer's form not back: 待评价 in amber, never the red of 逾期
            state = "awaiting"
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
    ticker.finish()
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


def build_workbook(rows: Iterable[ExportRow], *, public: bool = False, title_note: str = "",
                   progress: Progress | None = None):
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
    ticker = Ticker(progress, len(rows := list(rows)), "导出")
    for count, row in enumerate(rows, start=1):
        ticker.tick(count - 1)
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
    ticker.finish()
    return workbook


def write_xlsx(path: Path, rows: Iterable[ExportRow], *, public: bool = False,
               progress: Progress | None = None) -> None:
    """Write the 台账 workbook beside `path` and rename it into place."""
    workbook = build_workbook(rows, public=public, title_note=f"台账{'（公开版）' if public else ''}", progress=progress)
    _replace_atomically(path, workbook.save)


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
