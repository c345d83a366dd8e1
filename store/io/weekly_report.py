"""The weekly report (督办周报): what the week did, what is at risk next week, per division.

`weekly_report(week)` counts, among the events dated in the week (business dates, Monday to
Sunday) that still stand (not undone): cases checked in the week's review (每周检查 查办),
urges (催办), replies (答复) and closures (办结). At risk next week: every open milestone
already overdue or due by the end of the following week, counted from the office's date.
The division table gives each division's open and overdue cases now and its urges and
replies of the week. `to_markdown`, `to_xlsx` and `weekly_letter` (a Word file through
`store.io.docx_letter`) write it out; `save_report` saves all three side by side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from store import clock
from store.io.layout import show_controls
from store.io.letter import Letter, date_text, heading, paragraph, table
from store.models import Case, Division, Event, Session
from store.office_calendar import ESTIMATED_MARK, ESTIMATED_NOTE, marked
from store.queries import DEFAULT_RULES, OPEN_EXCLUDED, UNASSIGNED, _all_rules, format_number, load_calendar
from store.rules import AWAITING_PROPOSER, milestone_countdown, milestones, own_step_overdue
from store.vocabulary import milestone_label
from store.weekly import REVIEW_KEY, parse_week, week_days


@dataclass(frozen=True)
class RiskItem:
    """One open milestone overdue or due by the end of next week."""

    number: str
    title: str
    division: str
    milestone: str
    due: dt.date
    days_left: int
    estimated: bool = False  # counted through a year whose holidays nobody confirmed (推算)
    countdown: str = ""  # 逾期3天 / 今日到期 / 还剩2个工作日: in the unit the ledger counts it (rules.due_countdown)

    @property
    def due_text(self) -> str:
        """2027-01-08, with the estimated mark when the date was counted on an estimate."""
        return marked(f"{self.due:%Y-%m-%d}", self.estimated)

    @property
    def label(self) -> str:
        return format_number(self.number)


@dataclass(frozen=True)
class DivisionWeek:
    division: str
    open_cases: int
    overdue: int
    urged: int
    replied: int


@dataclass(frozen=True)
class WeeklyReport:
    week: str
    monday: dt.date
    sunday: dt.date
    as_of: dt.date
    checked: int
    urged: int
    replied: int
    closed: int
    at_risk: tuple[RiskItem, ...]
    divisions: tuple[DivisionWeek, ...]

    @property
    def overdue_now(self) -> int:
        """Cases with a step of the bureau's own past due (an evaluation form not back is 待评价)."""
        return len({item.number for item in self.at_risk
                    if item.days_left < 0 and item.milestone not in AWAITING_PROPOSER})


def weekly_report(week: str, *, today: dt.date | None = None) -> WeeklyReport:
    """The report of one ISO week; a fixed number of queries whatever the size of the ledger."""
    week = parse_week(week)
    today = today or clock.today()
    monday, sunday = week_days(week)
    horizon = sunday + dt.timedelta(days=7)
    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    events = (
        Event.select(Event.case, Event.kind, Event.data, Case.division)
        .join(Case, on=(Event.case == Case.id))
        .where(Event.kind.in_(["查办", "催办", "答复", "办结"]) & Event.on_date.between(monday, sunday)
               & ~(Event.id << undone))
        .tuples()
    )
    checked: set[int] = set()
    counts = {"催办": 0, "答复": 0, "办结": 0}
    by_division: dict[int | None, list[int]] = {}
    for case_id, kind, data, division_id in events:
        if kind == "查办":
            if (data or {}).get(REVIEW_KEY) == week:
                checked.add(case_id)
            continue
        counts[kind] += 1
        line = by_division.setdefault(division_id, [0, 0, 0, 0])
        if kind == "催办":
            line[2] += 1
        elif kind == "答复":
            line[3] += 1
    calendar = load_calendar()
    all_rules = _all_rules()
    names = dict(Division.select(Division.id, Division.name).tuples())
    bodies = dict(Session.select(Session.id, Session.body).tuples())  # 会办意见 on a 政协 case
    risks = []
    cases = Case.select().where((Case.status != "已办结") & Case.closed_on.is_null()).order_by(Case.id)
    for case in cases:
        if case.status not in OPEN_EXCLUDED:  # open as the ledger's summary bar counts it
            line = by_division.setdefault(case.division_id, [0, 0, 0, 0])
            line[0] += 1
            line[1] += case.next_due is not None and case.next_due < today and own_step_overdue(
                case, today, all_rules.get(case.session_id, DEFAULT_RULES), calendar)
        for milestone in milestones(case, all_rules.get(case.session_id, DEFAULT_RULES), calendar):
            if not milestone.done and milestone.due <= horizon:
                risks.append(RiskItem(case.number, case.title, names.get(case.division_id, UNASSIGNED),
                                      milestone_label(milestone.label, bodies.get(case.session_id)),
                                      milestone.due, (milestone.due - today).days,
                                      milestone.estimated, milestone_countdown(milestone, today, calendar)))
    risks.sort(key=lambda item: (item.due, item.number))
    table = sorted(
        (DivisionWeek(names.get(division_id, UNASSIGNED) if division_id else UNASSIGNED, *line)
         for division_id, line in by_division.items()),
        key=lambda line: (-line.overdue, line.division == UNASSIGNED, line.division),
    )
    return WeeklyReport(week, monday, sunday, today, len(checked), counts["催办"], counts["答复"], counts["办结"],
                        tuple(risks), tuple(table))


# ------------------------------------------------------------------------- Markdown

def _cell(text: str) -> str:
    """Stored text made safe for one Markdown table cell: controls made visible (␛, ⏎ …), | escaped."""
    return show_controls(str(text)).replace("\\", "\\\\").replace("|", "\\|")


def to_markdown(report: WeeklyReport) -> str:
    lines = [
        f"# 督办周报（{report.week}，{report.monday:%Y年%m月%d日}至{report.sunday:%m月%d日}）",
        "",
        f"截至{report.as_of:%Y年%m月%d日}。",
        "",
        "## 本周工作",
        "",
        f"- 每周检查：{report.checked}件",
        f"- 催办：{report.urged}次",
        f"- 答复：{report.replied}件",
        f"- 办结：{report.closed}件",
        "",
        "## 下周风险",
        "",
    ]
    if report.at_risk:
        lines += ["| 编号 | 标题 | 处室 | 事项 | 期限 | 倒计时 |", "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {item.label} | {_cell(item.title)} | {_cell(item.division)} | {item.milestone} | "
                  f"{item.due_text} | {item.countdown} |" for item in report.at_risk]
        if any(item.estimated for item in report.at_risk):
            lines += ["", ESTIMATED_NOTE]
    else:
        lines.append("下周没有到期或已逾期的事项。")
    lines += ["", "## 各处室情况", "", "| 处室 | 在办 | 已逾期 | 本周催办 | 本周答复 |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {_cell(d.division)} | {d.open_cases} | {d.overdue} | {d.urged} | {d.replied} |"
              for d in report.divisions]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- XLSX


def _xlsx_text(value):
    """Text with control characters made visible (XLSX cannot hold most of them, and a reader
    should see them); never read as a formula (set as a string cell)."""
    if isinstance(value, str):
        return show_controls(value, single_line=False)
    return value


def _sheet(book, title: str, header: list[str], rows: list[list], *, first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    for row in [header, *rows]:
        sheet.append([_xlsx_text(value) for value in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=…" stays text, never a formula
    return sheet


def to_xlsx(report: WeeklyReport, path: str | Path) -> Path:
    """Write the report as an XLSX workbook of three sheets: 本周工作, 下周风险, 各处室."""
    from openpyxl import Workbook

    book = Workbook()
    _sheet(book, "本周工作", ["周次", "起", "止", "截至", "每周检查", "催办", "答复", "办结"],
           [[report.week, report.monday, report.sunday, report.as_of, report.checked, report.urged,
             report.replied, report.closed]], first=True)
    risks = _sheet(book, "下周风险", ["编号", "标题", "处室", "事项", "期限", "倒计时", "期限推算"],
                   [[item.label, item.title, item.division, item.milestone, item.due, item.countdown,
                     ESTIMATED_MARK if item.estimated else ""] for item in report.at_risk])
    if any(item.estimated for item in report.at_risk):
        from openpyxl.comments import Comment

        risks["G1"].comment = Comment(ESTIMATED_NOTE, "督办台")
    _sheet(book, "各处室", ["处室", "在办", "已逾期", "本周催办", "本周答复"],
           [[d.division, d.open_cases, d.overdue, d.urged, d.replied] for d in report.divisions])
    path = Path(path)
    book.save(path)
    return path


# ----------------------------------------------------------------------------- Word

RISK_HEADER = ("编号", "标题", "处室", "事项", "期限", "倒计时")
DIVISION_HEADER = ("处室", "在办", "已逾期", "本周催办", "本周答复")


def weekly_letter(report: WeeklyReport, *, signer: str = "局办公室") -> Letter:
    """The report as a Letter: its sections as headings, its lists as tables (for the Word file)."""
    body = [
        paragraph(f"截至{date_text(report.as_of)}。"),
        heading("一、本周工作"),
        paragraph(f"本周每周检查{report.checked}件，催办{report.urged}次，答复{report.replied}件，办结{report.closed}件。"),
        heading("二、下周风险"),
    ]
    if report.at_risk:
        body.append(table([RISK_HEADER, *((item.label, item.title, item.division, item.milestone, item.due_text,
                                           item.countdown) for item in report.at_risk)]))
        if any(item.estimated for item in report.at_risk):
            body.append(paragraph(ESTIMATED_NOTE))
    else:
        body.append(paragraph("下周没有到期或已逾期的事项。"))
    body.append(heading("三、各处室情况"))
    if report.divisions:
        body.append(table([DIVISION_HEADER, *((d.division, d.open_cases, d.overdue, d.urged, d.replied)
                                              for d in report.divisions)]))
    else:
        body.append(paragraph("台账中没有在办的件，本周也没有催办和答复。"))
    title = f"督办周报（{report.week}，{report.monday:%Y年%m月%d日}至{report.sunday:%m月%d日}）"
    return Letter(title, body=tuple(body), signer=signer, date=report.as_of)


def save_report(report: WeeklyReport, folder: str | Path) -> tuple[Path, Path, Path]:
    """Save 督办周报-<week>.md, .xlsx and .docx in `folder` (then -2, -3 …; nothing is overwritten)."""
    from store.errors import LedgerError
    from store.io.docx_letter import save_docx

    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1, 100):
            stem = f"督办周报-{report.week}" + ("" if n == 1 else f"-{n}")
            markdown, workbook, word = folder / f"{stem}.md", folder / f"{stem}.xlsx", folder / f"{stem}.docx"
            if not markdown.exists() and not workbook.exists() and not word.exists():
                markdown.write_text(to_markdown(report), encoding="utf-8")
                return markdown, to_xlsx(report, workbook), save_docx(weekly_letter(report), word)
    except OSError as exc:
        raise LedgerError(f"无法在“{folder}”保存周报：{exc.strerror or exc}。") from None
    raise LedgerError(f"“{folder}”中同名的周报已太多，请另选文件夹。")
