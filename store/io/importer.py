"""导入交办清单: the assigning office's list (XLSX or CSV) into the ledger.

The list is read whole and every row is checked before anything is written. A file with
any error writes nothing: the refusal (`ImportRefused`) lists each problem as
"第N行「列名」：问题" (N is the row number as the spreadsheet shows it): besides each cell,
a 承办 row may not name co-units and a 汇办 row names its lead unit (when the list has a
主办单位 column), as a case entered by hand (`store.entry`). A good file is
written in one transaction: a number new to its session is 交办 through
`actions.create_case`; a number the session already has is never created twice — its
title, summary, category and lead unit are corrected through `actions.edit_case` (one 修改
event), and any other difference (办理方式, 交办日期, proposer, co-units …) is reported as
a "未更新" note, because those are changed on the case itself, not by a list.

`dry_run=True` does the same work inside a transaction that is rolled back, so the result
it reports is exactly what a real import would do, and nothing is written.

The session (届次) comes from `session` (the command line's `--session`) or, failing that,
from a 届次 column. A session the ledger does not have yet is created: 政协 when its name
says 政协, otherwise 人大; its year is that of its earliest 交办日期. The result says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from store import actions, clock
from store.errors import LedgerError
from store.models import Case, Proposer, Session

MAX_ERRORS_SHOWN = 20
HEADER_SCAN_ROWS = 20
MIN_KNOWN_HEADERS = 3

# field → the spellings seen in assigning offices' lists (compared without spaces and '*').
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("编号", "案号", "建议编号", "提案编号", "建议号", "提案号", "序号编号"),
    "title": ("标题", "案由", "题目", "建议标题", "提案标题", "建议题目", "提案题目"),
    "proposer": ("领衔代表", "领衔人", "提出人", "领衔委员", "代表姓名", "委员姓名", "领衔代表/委员", "第一提案人"),
    "group": ("代表团", "界别", "所属代表团", "代表团/界别"),
    "cosigners": ("附议代表", "附议人", "联名", "联名代表", "联名委员", "联名人", "附议"),
    "role": ("办理方式", "办理类型", "办理类别", "承办方式"),
    "lead_unit": ("主办单位", "主办单位名称"),
    "co_units": ("会办单位", "协办单位", "汇办单位", "分办单位"),
    "assigned_on": ("交办日期", "交办时间", "交办日"),
    "phone": ("联系电话", "电话", "手机", "联系方式"),
    "unit_title": ("单位及职务", "工作单位及职务", "单位职务"),
    "topic": ("类别", "内容类别", "分类", "内容分类"),
    "summary": ("内容摘要", "摘要", "主要内容"),
    "session": ("届次", "会议", "届次会议"),
}

COLUMN_NAMES = {name: spellings[0] for name, spellings in HEADER_ALIASES.items()}
"""The name an error uses for a column the file does not have."""

REQUIRED = ("number", "title", "role", "assigned_on")

ROLE_ALIASES = {"主办": "主办", "承办": "承办", "独办": "承办", "分办": "分办",
                "汇办": "汇办", "会办": "汇办", "协办": "汇办"}

EDITABLE_FIELDS = ("title", "summary", "topic", "lead_unit")
FIELD_NAMES = {"title": "标题", "summary": "内容摘要", "topic": "类别", "lead_unit": "主办单位",
               "role": "办理方式", "assigned_on": "交办日期", "proposer": "领衔代表", "co_units": "会办单位",
               "cosigners": "附议代表"}

_SPLIT = re.compile(r"[、，,；;／/\s]+")
_LIMITS = {"number": 40, "title": actions.MAX_TITLE, "summary": actions.MAX_NOTE, "topic": 100, "lead_unit": 200,
           "proposer": 50, "group": 100, "phone": 50, "unit_title": 200, "session": 100}


def _normal(header) -> str:
    text = unicodedata.normalize("NFKC", "" if header is None else str(header))
    return re.sub(r"[\s*＊:：]", "", text)


_ALIAS_INDEX = {_normal(spelling): name for name, spellings in HEADER_ALIASES.items() for spelling in spellings}


class ImportRefused(LedgerError):
    """The file has errors; nothing was written. `errors` lists every one."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class ImportRow:
    """One checked row of the list."""

    line: int
    session: str
    number: str
    title: str
    role: str
    assigned_on: dt.date
    proposer: str = ""
    group: str = ""
    phone: str = ""
    unit_title: str = ""
    cosigners: tuple[str, ...] = ()
    lead_unit: str = ""
    co_units: tuple[str, ...] = ()
    topic: str = ""
    summary: str = ""
    present: frozenset = frozenset()  # the fields the file has a column for


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sessions_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        head = f"{'试导入（未写入）：' if self.dry_run else ''}共{self.total}件，{verb}新增{len(self.created)}件、" \
               f"{verb}更新{len(self.updated)}件、无变化{len(self.unchanged)}件。"
        lines = [head]
        for name in self.sessions_created:
            lines.append(f"{verb}新建届次“{name}”。")
        lines.extend(self.notes)
        return "\n".join(lines)


# ------------------------------------------------------------------------------ reading


def read_table(path: str | Path) -> list[list]:
    """The file's cells, row by row (XLSX: the first sheet; CSV: UTF-8 or GBK)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LedgerError(f"导入文件“{path}”不存在。")
    if path.is_dir():
        raise LedgerError(f"“{path}”是一个文件夹，请给出 .xlsx 或 .csv 文件。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xls":
        raise LedgerError(f"“{path.name}”是旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 后再导入。")
    raise LedgerError(f"“{path.name}”不是 .xlsx 或 .csv 文件，无法导入。")


def _read_xlsx(path: Path) -> list[list]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise LedgerError(f"“{path.name}”不是有效的 Excel（.xlsx）文件，可能已损坏（{type(exc).__name__}）。") from None
    except Exception as exc:  # openpyxl's InvalidFileException and friends
        raise LedgerError(f"“{path.name}”无法作为 Excel 文件读取（{type(exc).__name__}），请检查文件。") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise LedgerError(f"“{path.name}”中没有工作表。")
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except LedgerError:
        raise
    except Exception as exc:
        raise LedgerError(f"“{path.name}”的内容无法读取（{type(exc).__name__}），文件可能已损坏。") from None
    finally:
        workbook.close()


def _read_csv(path: Path) -> list[list]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise LedgerError(f"“{path.name}”的编码无法识别，请另存为 UTF-8 的 CSV。")
    if "\x00" in text:
        raise LedgerError(f"“{path.name}”含有空字符，不像是 CSV 文本文件。")
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


# ---------------------------------------------------------------------------- checking


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def parse_cell_date(value) -> dt.date:
    """A 交办日期 cell: a date cell, an Excel serial number, or text such as 2026年3月20日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # Excel's day count from 1899-12-30 (1954 … 2119)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise ValueError(f"“{_cell_text(value)}”不是日期")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$", "", text)  # a time after the date
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_cell_date(float(text))
    try:
        return clock.parse_date(text)
    except ValueError as exc:
        raise ValueError(str(exc).rstrip("。")) from None


def _find_header(table: list[list]) -> tuple[int, dict[str, int], list[str]]:
    """(index of the header row, field → column index, header problems)."""
    for index, row in enumerate(table[:HEADER_SCAN_ROWS]):
        known = [(col, _ALIAS_INDEX.get(_normal(cell))) for col, cell in enumerate(row)]
        known = [(col, name) for col, name in known if name]
        if len({name for _, name in known}) < MIN_KNOWN_HEADERS:
            continue
        columns: dict[str, int] = {}
        problems = []
        for col, name in known:
            if name in columns:
                problems.append(f"第{index + 1}行「{_cell_text(row[col])}」：与「{_cell_text(row[columns[name]])}」"
                                f"表示同一列（{COLUMN_NAMES[name]}），请删去一列")
            else:
                columns[name] = col
        return index, columns, problems
    raise LedgerError(
        f"文件前{HEADER_SCAN_ROWS}行中找不到表头：表头应至少包含“编号”“标题”“办理方式”“交办日期”等列中的{MIN_KNOWN_HEADERS}个。"
    )


def check_rows(table: list[list], *, session: str | None = None, today: dt.date | None = None
               ) -> tuple[list[ImportRow], list[str]]:
    """Every data row checked: (the good rows, the errors as "第N行「列名」：问题")."""
    today = today or clock.today()
    header_index, columns, errors = _find_header(table)
    header = table[header_index]
    names = {name: _cell_text(header[col]) for name, col in columns.items()}
    required = list(REQUIRED) + ([] if session else ["session"])
    missing = [name for name in required if name not in columns]
    for name in missing:
        if name == "session":
            errors.append("文件中没有「届次」列，请用 --session 指明这份清单的届次")
        else:
            errors.append(f"第{header_index + 1}行：找不到「{COLUMN_NAMES[name]}」列"
                          f"（可写作：{'、'.join(HEADER_ALIASES[name][:4])}）")
    if missing:
        return [], errors
    present = frozenset(columns)
    rows: list[ImportRow] = []
    seen: dict[tuple[str, str], int] = {}
    for index in range(header_index + 1, len(table)):
        raw = table[index]
        line = index + 1

        def cell(name):
            col = columns.get(name)
            return raw[col] if col is not None and col < len(raw) else None

        if all(_cell_text(value) == "" for value in raw):
            continue
        problems: list[str] = []

        def text(name, *, required=False) -> str:
            value = _cell_text(cell(name))
            value = unicodedata.normalize("NFC", value)
            column = names.get(name, COLUMN_NAMES[name])
            if required and not value:
                problems.append(f"第{line}行「{column}」：不能为空")
            elif "\x00" in value or any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
                problems.append(f"第{line}行「{column}」：含有控制字符")
            elif len(value) > _LIMITS.get(name, 10000):
                problems.append(f"第{line}行「{column}」：过长（{len(value)}字），最多{_LIMITS[name]}字")
            return value

        number = text("number", required=True)
        if number.startswith("第") and number.endswith("号"):
            number = number[1:-1].strip()
        title = text("title", required=True)
        role_text = text("role", required=True)
        role = ROLE_ALIASES.get(role_text.replace("件", "").strip(), "")
        if role_text and not role:
            problems.append(f"第{line}行「{names['role']}」：“{role_text}”不是办理方式，"
                            f"应为主办、承办（独办）、分办或汇办（会办、协办）")
        session_name = session or text("session", required=True)
        assigned = None
        raw_date = cell("assigned_on")
        if _cell_text(raw_date) == "":
            problems.append(f"第{line}行「{names['assigned_on']}」：不能为空")
        else:
            try:
                assigned = parse_cell_date(raw_date)
            except ValueError as exc:
                problems.append(f"第{line}行「{names['assigned_on']}」：{exc}")
            else:
                if assigned > today:
                    problems.append(f"第{line}行「{names['assigned_on']}」：{assigned:%Y-%m-%d}晚于今天"
                                    f"（{today:%Y-%m-%d}），不能登记未来的交办")
        values = {name: text(name) for name in ("proposer", "group", "phone", "unit_title", "lead_unit",
                                                "topic", "summary")}
        cosigners = tuple(part for part in _SPLIT.split(text("cosigners")) if part)
        co_units = tuple(part for part in re.split(r"[、，,；;\n]+", text("co_units")) if part.strip())
        if role == "承办" and co_units:
            problems.append(f"第{line}行「{names.get('co_units', COLUMN_NAMES['co_units'])}」：承办件由本局独立办理，"
                            "不应有会办单位（请删去，或把办理方式改为主办）")
        if role == "汇办" and "lead_unit" in columns and not values["lead_unit"]:
            problems.append(f"第{line}行「{names['lead_unit']}」：汇办件须填写主办单位")
        if (values["phone"] or values["group"] or values["unit_title"]) and not values["proposer"] \
                and "proposer" in columns:
            problems.append(f"第{line}行「{names['proposer']}」：填写了代表的电话或单位，却没有领衔代表姓名")
        if number:
            key = (session_name, number)
            if key in seen:
                problems.append(f"第{line}行「{names['number']}」：编号{number}与第{seen[key]}行重复")
            else:
                seen[key] = line
        if problems:
            errors.extend(problems)
            continue
        rows.append(ImportRow(line=line, session=session_name, number=number, title=title, role=role,
                              assigned_on=assigned, cosigners=cosigners, co_units=tuple(u.strip() for u in co_units),
                              present=present, **values))
    if not rows and not errors:
        errors.append(f"表头（第{header_index + 1}行）之下没有任何数据行")
    return rows, errors


# ----------------------------------------------------------------------------- writing


def import_file(path: str | Path, operator: str, *, session: str | None = None, dry_run: bool = False,
                today: dt.date | None = None) -> ImportResult:
    """Import the list at `path`; refuse it whole (`ImportRefused`) if any row is wrong."""
    table = read_table(path)
    return import_table(table, operator, session=session, dry_run=dry_run, today=today)


def import_table(table: list[list], operator: str, *, session: str | None = None, dry_run: bool = False,
                 today: dt.date | None = None) -> ImportResult:
    session = (session or "").strip() or None
    rows, errors = check_rows(table, session=session, today=today)
    if errors:
        shown = "；".join(errors[:MAX_ERRORS_SHOWN])
        more = f"；另有{len(errors) - MAX_ERRORS_SHOWN}处错误未列出" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise ImportRefused(f"导入文件有{len(errors)}处错误，未写入任何内容：{shown}{more}。", errors)
    result = ImportResult(dry_run=dry_run)
    with actions._transaction() as transaction:
        sessions = _sessions_for(rows, result, operator)
        for row in rows:
            _import_row(row, sessions[row.session], operator, result)
        if dry_run:
            transaction.rollback()
    return result


def _sessions_for(rows: list[ImportRow], result: ImportResult, operator: str) -> dict[str, Session]:
    """The sessions the rows name; one missing is created, with its 变更记录 (届次 新增)."""
    from store.changes import record_change

    found: dict[str, Session] = {}
    for row in rows:
        if row.session in found:
            continue
        existing = Session.get_or_none(Session.name == row.session)
        if existing is None:
            first = min(r.assigned_on for r in rows if r.session == row.session)
            body = "政协" if "政协" in row.session else "人大"
            existing = actions.ensure_session(row.session, body=body, year=first.year, assigned_on=first)
            record_change(operator, "届次", row.session, "新增", note="导入交办清单时新建",
                          after={"body": body, "year": first.year, "assigned_on": first})
            result.sessions_created.append(f"{row.session}（{body}，{first.year}年）")
        found[row.session] = existing
    return found


def _import_row(row: ImportRow, session: Session, operator: str, result: ImportResult) -> None:
    label = f"第{row.number}号"
    case = Case.get_or_none((Case.session == session.id) & (Case.number == row.number))
    if case is None:
        proposer = None
        if row.proposer:
            proposer = actions.ensure_proposer(row.proposer, kind="委员" if session.body == "政协" else "代表",
                                               group=row.group, unit_title=row.unit_title, phone=row.phone)
        actions.create_case(operator, session=session, number=row.number, title=row.title, role=row.role,
                            assigned_on=row.assigned_on, lead_proposer=proposer, cosigners=row.cosigners,
                            lead_unit=row.lead_unit, co_units=row.co_units, summary=row.summary, topic=row.topic,
                            note="导入交办清单",
                            # a list with no 主办单位 column at all cannot name it: the row is
                            # checked above when the column exists, and the case asks for it later
                            require_lead_unit=bool(row.lead_unit) or row.role != "汇办")
        result.created.append(row.number)
        return
    changes = {name: getattr(row, name) for name in EDITABLE_FIELDS
               if name in row.present and getattr(row, name) != getattr(case, name)}
    if changes:
        actions.edit_case(case.id, operator, note="导入交办清单", **changes)
        result.updated.append(row.number)
    else:
        result.unchanged.append(row.number)
    differences = []
    if case.role != row.role:
        differences.append(f"办理方式（清单：{row.role}，台账：{case.role}）")
    if case.assigned_on != row.assigned_on:
        differences.append(f"交办日期（清单：{row.assigned_on:%Y-%m-%d}，台账：{case.assigned_on:%Y-%m-%d}）")
    if "proposer" in row.present:
        current = Proposer.get_or_none(Proposer.id == case.lead_proposer_id) if case.lead_proposer_id else None
        if (current.name if current else "") != row.proposer:
            differences.append(f"领衔代表（清单：{row.proposer or '空'}，台账：{current.name if current else '空'}）")
    if "co_units" in row.present and tuple(case.co_units or ()) != row.co_units:
        differences.append("会办单位")
    if "cosigners" in row.present and tuple(case.cosigners or ()) != row.cosigners:
        differences.append("附议代表")
    if differences:
        result.notes.append(f"第{row.line}行 {label}：{'、'.join(differences)}与台账不同，未更新，请在该件上核对修改。")
