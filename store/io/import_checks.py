"""The checks of a 交办清单 before anything is written: every cell, every row, the whole file.

`check_rows` finds the header, then checks each data row exactly as the write step would:
the lengths are the write step's own (`store.actions.EDITABLE` for what 修改 may change,
`store.case_fields.LIMITS` for numbers, names, co-signers and units, the same limits
`create_case`, `ensure_proposer` and `ensure_session` enforce), the role and the shape of
the case (`check_case_shape`), the 交办 date (not in the future), the number as it will be
stored (第…号 taken off the way `create_case` does), and duplicates inside the file. Each
problem is "第N行「列名」：问题" (N as the spreadsheet shows it); every one is collected and
`refusal` turns them into one `ImportRefused` sentence showing the first `MAX_ERRORS_SHOWN`.
A row that passes can always be written: tests/store/test_import_checks.py proves each
limit against the write step itself.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from store import clock
from store.actions import EDITABLE, KIND_OF_BODY, MAX_NOTE, check_case_shape
from store.case_fields import LIMITS as CASE_LIMITS
from store.errors import LedgerError
from store.io.progress import Progress, Ticker

MAX_ERRORS_SHOWN = 50
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

SESSION_NAME_LIMIT = 100
"""`store.actions.ensure_session`'s limit on a 届次 name (a test holds the two together)."""

LIMITS = {
    "number": CASE_LIMITS["number"], "title": EDITABLE["title"], "summary": EDITABLE["summary"],
    "topic": EDITABLE["topic"], "lead_unit": EDITABLE["lead_unit"], "proposer": CASE_LIMITS["proposer_name"],
    "group": CASE_LIMITS["proposer_group"], "phone": CASE_LIMITS["proposer_phone"],
    "unit_title": CASE_LIMITS["proposer_unit_title"], "session": SESSION_NAME_LIMIT,
    "cosigners": MAX_NOTE, "co_units": MAX_NOTE,  # the whole cell; each name below
}
"""Each column's limit as the write step enforces it, in characters."""

NAME_LIMITS = {"cosigners": CASE_LIMITS["cosigner"], "co_units": CASE_LIMITS["unit"]}
"""The limit on each name of a list cell (one co-signer, one co-unit)."""

_SPLIT = re.compile(r"[、，,；;／/\s]+")
_UNIT_SPLIT = re.compile(r"[、，,；;\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode's Cc, but for tab and newline


def _normal(header) -> str:
    text = unicodedata.normalize("NFKC", "" if header is None else str(header))
    return re.sub(r"[\s*＊:：]", "", text)


_ALIAS_INDEX = {_normal(spelling): name for name, spellings in HEADER_ALIASES.items() for spelling in spellings}


class ImportRefused(LedgerError):
    """The file has errors; nothing was written. `errors` lists every one."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


def refusal(errors: list[str]) -> ImportRefused:
    """Every error in `errors`, the first MAX_ERRORS_SHOWN in the sentence and how many more."""
    shown = "；".join(errors[:MAX_ERRORS_SHOWN])
    more = f"；另有{len(errors) - MAX_ERRORS_SHOWN}处错误未列出" if len(errors) > MAX_ERRORS_SHOWN else ""
    return ImportRefused(f"导入文件有{len(errors)}处错误，未写入任何内容：{shown}{more}。", errors)


@dataclass(frozen=True)
class ImportRow:
    """One checked row of the list, its values as they will be stored."""

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


def stored_number(text: str) -> str:
    """The number as `create_case` stores it: 第…号 taken off, spaces trimmed (twice, as the
    list's cell and then the write step each take it off once)."""
    for _ in range(2):
        text = text.strip()
        if text.startswith("第") and text.endswith("号"):
            text = text[1:-1].strip()
    return text


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


def body_of_new_session(name: str) -> str:
    """The body of a session the list names and the ledger lacks: 政协 when its name says so."""
    return "政协" if "政协" in name else "人大"


def check_rows(table: list[list], *, session: str | None = None, today: dt.date | None = None,
               bodies: dict[str, str] | None = None, progress: Progress | None = None
               ) -> tuple[list[ImportRow], list[str]]:
    """Every data row checked: (the good rows, the errors as "第N行「列名」：问题").

    `bodies` maps the ledger's session names to 人大/政协 (a session not in it is new:
    `body_of_new_session`), so the case's shape is checked as its session will have it.
    """
    today = min(today or clock.today(), clock.today())  # the write step refuses a date after clock.today()
    bodies = bodies or {}
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
    if session and len(session) > SESSION_NAME_LIMIT:
        errors.append(f"届次名称过长（{len(session)}字），最多{SESSION_NAME_LIMIT}字")
    if missing:
        return [], errors
    present = frozenset(columns)
    rows: list[ImportRow] = []
    seen: dict[tuple[str, str], int] = {}
    ticker = Ticker(progress, len(table) - header_index - 1, "检查")
    for index in range(header_index + 1, len(table)):
        ticker.tick(index - header_index)
        row = _check_row(table[index], index + 1, columns, names, session, today, bodies, present, seen, errors)
        if row is not None:
            rows.append(row)
    ticker.finish()
    if not rows and not errors:
        errors.append(f"表头（第{header_index + 1}行）之下没有任何数据行")
    return rows, errors


def _check_row(raw: list, line: int, columns: dict[str, int], names: dict[str, str], session: str | None,
               today: dt.date, bodies: dict[str, str], present: frozenset, seen: dict, errors: list[str]
               ) -> ImportRow | None:
    """One data row checked; its problems appended to `errors` (None then, or for a blank row)."""
    if all(_cell_text(value) == "" for value in raw):
        return None
    problems: list[str] = []

    def cell(name):
        col = columns.get(name)
        return raw[col] if col is not None and col < len(raw) else None

    def column(name) -> str:
        return names.get(name, COLUMN_NAMES[name])

    def text(name, *, required=False) -> str:
        value = unicodedata.normalize("NFC", _cell_text(cell(name)))
        if required and not value:
            problems.append(f"第{line}行「{column(name)}」：不能为空")
        elif _CONTROL.search(value):
            problems.append(f"第{line}行「{column(name)}」：含有控制字符")
        elif len(value) > LIMITS.get(name, MAX_NOTE):  # 办理方式 and 交办日期 are checked as a choice, a date
            problems.append(f"第{line}行「{column(name)}」：过长（{len(value)}字），最多{LIMITS[name]}字")
        return value

    def listed(name, pattern) -> tuple[str, ...]:
        parts = tuple(part.strip() for part in pattern.split(text(name)) if part.strip())
        limit = NAME_LIMITS[name]
        for part in parts:
            if len(part) > limit:
                problems.append(f"第{line}行「{column(name)}」：“{part[:10]}…”过长（{len(part)}字），每项最多{limit}字")
        return parts

    raw_number = text("number", required=True)
    number = stored_number(raw_number)
    if raw_number and not number:
        problems.append(f"第{line}行「{column('number')}」：“{raw_number}”去掉“第”“号”后为空")
    title = text("title", required=True)
    role_text = text("role", required=True)
    role = ROLE_ALIASES.get(role_text.replace("件", "").strip(), "")
    if role_text and not role:
        problems.append(f"第{line}行「{column('role')}」：“{role_text}”不是办理方式，"
                        f"应为主办、承办（独办）、分办或汇办（会办、协办）")
    session_name = (session or text("session", required=True)).strip()
    assigned = None
    raw_date = cell("assigned_on")
    if _cell_text(raw_date) == "":
        problems.append(f"第{line}行「{column('assigned_on')}」：不能为空")
    else:
        try:
            assigned = parse_cell_date(raw_date)
        except ValueError as exc:
            problems.append(f"第{line}行「{column('assigned_on')}」：{exc}")
        else:
            if assigned > today:
                problems.append(f"第{line}行「{column('assigned_on')}」：{assigned:%Y-%m-%d}晚于今天"
                                f"（{today:%Y-%m-%d}），不能登记未来的交办")
    values = {name: text(name) for name in ("proposer", "group", "phone", "unit_title", "lead_unit", "topic",
                                            "summary")}
    cosigners = listed("cosigners", _SPLIT)
    co_units = listed("co_units", _UNIT_SPLIT)
    if role == "承办" and co_units:
        problems.append(f"第{line}行「{column('co_units')}」：承办件由本局独立办理，"
                        "不应有会办单位（请删去，或把办理方式改为主办）")
    if role == "汇办" and "lead_unit" in columns and not values["lead_unit"]:
        problems.append(f"第{line}行「{column('lead_unit')}」：汇办件须填写主办单位")
    if (values["phone"] or values["group"] or values["unit_title"]) and not values["proposer"] \
            and "proposer" in columns:
        problems.append(f"第{line}行「{column('proposer')}」：填写了代表的电话或单位，却没有领衔代表姓名")
    if role and not problems and session_name:
        body = bodies.get(session_name) or body_of_new_session(session_name)
        try:  # the write step's own rule of shapes, as the case's session will have it
            check_case_shape(body, KIND_OF_BODY[body], role, values["lead_unit"], co_units,
                             require_lead_unit=bool(values["lead_unit"]) or role != "汇办")
        except LedgerError as exc:
            problems.append(f"第{line}行「{column('role')}」：{exc.message.rstrip('。')}")
    if number:
        key = (session_name, number)
        if key in seen:
            problems.append(f"第{line}行「{column('number')}」：编号{number}与第{seen[key]}行重复")
        else:
            seen[key] = line
    if problems:
        errors.extend(problems)
        return None
    return ImportRow(line=line, session=session_name, number=number, title=title, role=role, assigned_on=assigned,
                     cosigners=cosigners, co_units=co_units, present=present, **values)
