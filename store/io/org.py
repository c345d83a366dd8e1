"""处室与人员 as an xlsx file: one row a person, a division with no people as a row of its own.

Columns: 处室, 处室顺序, 处室状态 (在用/停用), 姓名, 职务 (经办人 … 局长), 岗位, 电话,
分管处室 (for 分管局领导/局长, names joined by 、), 状态 (在任/停用). A row with an empty
姓名 names a division only; a leader with no division leaves 处室 empty.

An import is checked whole before anything is written, as the case list is
(`store.io.importer`): every problem is reported as "第N行「列名」：问题", and a file with any
problem writes nothing (`ImportRefused`). The rows are then applied in one transaction
through `store.office`, so each change leaves its 变更记录; a refusal of the office's own
rules (a division retired while a person stays in it …) is reported against its row and
the whole transaction is rolled back. People are matched by name within their division,
divisions by name: importing the same file twice changes nothing the second time.
`dry_run=True` does all of it and rolls back, so its counts are exactly what would happen.
People in the ledger whom the file does not list are left as they are (and counted).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from store import office
from store.actions import _transaction
from store.actions.common import retrying
from store.errors import LedgerError
from store.io.importer import ImportRefused, _cell_text, _normal, read_table
from store.models import PERSON_TITLES, Division, Person

MAX_ERRORS_SHOWN = 20
HEADER_SCAN_ROWS = 20
SHEET_TITLE = "处室与人员"

COLUMNS = ("处室", "处室顺序", "处室状态", "姓名", "职务", "岗位", "电话", "分管处室", "状态")
WIDTHS = (18, 10, 10, 12, 12, 20, 16, 30, 8)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "division": ("处室", "处室名称", "部门", "所在处室"),
    "sort_order": ("处室顺序", "顺序", "排序", "序号"),
    "division_state": ("处室状态",),
    "name": ("姓名", "人员", "人员姓名"),
    "title": ("职务", "职级"),
    "post": ("岗位",),
    "phone": ("电话", "联系电话", "手机", "办公电话"),
    "supervises": ("分管处室", "分管"),
    "state": ("状态", "人员状态", "在任状态"),
}
COLUMN_NAMES = {key: spellings[0] for key, spellings in HEADER_ALIASES.items()}
REQUIRED = ("division", "name", "title")
PERSON_STATES = {"在任": False, "": False, "停用": True, "已停用": True, "离任": True, "调离": True}
DIVISION_STATES = {"在用": False, "": False, "停用": True, "已停用": True, "撤销": True}
_SPLIT = re.compile(r"[、，,；;／/\n]+")
_ALIAS_INDEX = {_normal(s): key for key, spellings in HEADER_ALIASES.items() for s in spellings}


@dataclass(frozen=True)
class OrgRow:
    """One checked row: a person (or, with no name, a division only)."""

    line: int
    division: str
    sort_order: int | None
    division_retired: bool | None  # None: the file does not say
    name: str
    title: str
    post: str
    phone: str
    supervises: tuple[str, ...]
    retired: bool
    present: frozenset


@dataclass
class OrgImportResult:
    """What an org import did (or, dry run, would do)."""

    divisions_created: list[str] = field(default_factory=list)
    divisions_changed: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    people_changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changes(self) -> int:
        return (len(self.divisions_created) + len(self.divisions_changed) + len(self.people_created)
                + len(self.people_changed))

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        head = (f"{'试导入（未写入）：' if self.dry_run else ''}处室{verb}新增{len(self.divisions_created)}个、"
                f"{verb}更新{len(self.divisions_changed)}个；人员{verb}新增{len(self.people_created)}人、"
                f"{verb}更新{len(self.people_changed)}人；无变化{self.unchanged}项。")
        return "\n".join([head, *self.notes])


# ---------------------------------------------------------------------------- checking


def _find_header(table: list[list]) -> tuple[int, dict[str, int], list[str]]:
    for index, row in enumerate(table[:HEADER_SCAN_ROWS]):
        known = [(col, _ALIAS_INDEX.get(_normal(cell))) for col, cell in enumerate(row)]
        known = [(col, key) for col, key in known if key]
        if len({key for _, key in known}) < 2:
            continue
        columns: dict[str, int] = {}
        problems = []
        for col, key in known:
            if key in columns:
                problems.append(f"第{index + 1}行「{_cell_text(row[col])}」：与「{_cell_text(row[columns[key]])}」"
                                f"表示同一列（{COLUMN_NAMES[key]}），请删去一列")
            else:
                columns[key] = col
        for key in REQUIRED:
            if key not in columns:
                problems.append(f"第{index + 1}行：找不到「{COLUMN_NAMES[key]}」列"
                                f"（可写作：{'、'.join(HEADER_ALIASES[key][:3])}）")
        return index, columns, problems
    raise LedgerError(f"文件前{HEADER_SCAN_ROWS}行中找不到表头：表头应包含“处室”“姓名”“职务”等列。")


def check_rows(table: list[list]) -> tuple[list[OrgRow], list[str]]:
    """Every data row checked: (the good rows, the errors as "第N行「列名」：问题")."""
    header_index, columns, errors = _find_header(table)
    if any(key not in columns for key in REQUIRED):
        return [], errors
    header = table[header_index]
    names = {key: _cell_text(header[col]) for key, col in columns.items()}
    present = frozenset(columns)
    rows: list[OrgRow] = []
    people_seen: dict[tuple[str, str], int] = {}
    division_facts: dict[str, dict[str, tuple[object, int]]] = {}
    for index in range(header_index + 1, len(table)):
        raw, line = table[index], index + 1
        if all(_cell_text(value) == "" for value in raw):
            continue
        problems: list[str] = []

        def column(key: str) -> str:
            return names.get(key, COLUMN_NAMES[key])

        def text(key: str, limit: int) -> str:
            col = columns.get(key)
            value = unicodedata.normalize("NFC", _cell_text(raw[col] if col is not None and col < len(raw) else None))
            if any(unicodedata.category(ch).startswith("C") for ch in value if ch != "\n" or key != "supervises"):
                problems.append(f"第{line}行「{column(key)}」：含有控制字符或不可见字符")
            elif len(value) > limit:
                problems.append(f"第{line}行「{column(key)}」：过长（{len(value)}字），最多{limit}字")
            return value

        division = text("division", office.MAX_DIVISION_NAME)
        name = text("name", office.MAX_PERSON_NAME)
        title = text("title", 20)
        post = text("post", office.MAX_POST)
        phone = text("phone", office.MAX_PHONE)
        supervises_text = text("supervises", 2000)
        state_text = text("state", 10)
        division_state_text = text("division_state", 10)
        order_text = text("sort_order", 10)
        order = None
        if order_text:
            try:
                order = office._sort_order(order_text)
            except LedgerError:
                problems.append(f"第{line}行「{column('sort_order')}」：“{order_text}”不是0到{office.MAX_SORT_ORDER}之间的整数")
        if division_state_text not in DIVISION_STATES:
            problems.append(f"第{line}行「{column('division_state')}」：“{division_state_text}”应为在用或停用")
        if state_text not in PERSON_STATES:
            problems.append(f"第{line}行「{column('state')}」：“{state_text}”应为在任或停用")
        supervises = tuple(dict.fromkeys(part.strip() for part in _SPLIT.split(supervises_text) if part.strip()))
        if not name:
            if not division:
                problems.append(f"第{line}行「{column('name')}」：姓名和处室都为空（只列处室时请填写处室）")
            extra = [column(key) for key, value in (("title", title), ("post", post), ("phone", phone),
                                                   ("supervises", supervises_text)) if value]
            if extra:
                problems.append(f"第{line}行「{column('name')}」：填写了{'、'.join(extra)}，却没有姓名")
        else:
            if not title:
                problems.append(f"第{line}行「{column('title')}」：不能为空（应为{'、'.join(PERSON_TITLES)}）")
            elif title not in PERSON_TITLES:
                problems.append(f"第{line}行「{column('title')}」：“{title}”不是职务，应为{'、'.join(PERSON_TITLES)}")
            elif not division and title not in office.LEADER_TITLES:
                problems.append(f"第{line}行「{column('division')}」：{title}须属于一个处室，不能为空")
            if supervises and title in PERSON_TITLES and title not in office.LEADER_TITLES:
                problems.append(f"第{line}行「{column('supervises')}」：只有{'、'.join(office.LEADER_TITLES)}分管处室，"
                                f"{name}是{title}")
            if phone and not any(ch.isdigit() for ch in phone):
                problems.append(f"第{line}行「{column('phone')}」：“{phone}”中没有数字")
            key = (office.name_key(division), office.name_key(name))
            if key in people_seen:
                problems.append(f"第{line}行「{column('name')}」：{division or '局领导'}的“{name}”与第{people_seen[key]}行重复")
            else:
                people_seen[key] = line
        if division:
            facts = division_facts.setdefault(office.name_key(division), {})
            for what, value, given in (("sort_order", order, bool(order_text)),
                                       ("division_state", DIVISION_STATES.get(division_state_text),
                                        bool(division_state_text))):
                if not given or value is None:
                    continue
                if what in facts and facts[what][0] != value:
                    problems.append(f"第{line}行「{column(what)}」：与第{facts[what][1]}行写的“{division}”不一致")
                else:
                    facts.setdefault(what, (value, line))
        if problems:
            errors.extend(problems)
            continue
        rows.append(OrgRow(line, division, order, DIVISION_STATES[division_state_text] if division_state_text else None,
                           name, title, post, phone, supervises, PERSON_STATES[state_text], present))
    known = {office.name_key(row.division) for row in rows if row.division}
    in_ledger = {office.name_key(d.name) for d in Division.select(Division.name)}
    for row in rows:
        for wanted in row.supervises:
            if office.name_key(wanted) not in known | in_ledger:
                errors.append(f"第{row.line}行「{names.get('supervises', '分管处室')}」：没有名为“{wanted}”的处室"
                              "（文件和台账中都没有）")
    if not rows and not errors:
        errors.append(f"表头（第{header_index + 1}行）之下没有任何数据行")
    return rows, errors


# ----------------------------------------------------------------------------- writing


def import_org_file(path: str | Path, operator: str, *, dry_run: bool = False) -> OrgImportResult:
    """Import the office's divisions and people from `path`; refuse it whole on any problem."""
    return import_org_table(read_table(path), operator, dry_run=dry_run)


def _refuse(errors: list[str]) -> None:
    shown = "；".join(errors[:MAX_ERRORS_SHOWN])
    more = f"；另有{len(errors) - MAX_ERRORS_SHOWN}处错误未列出" if len(errors) > MAX_ERRORS_SHOWN else ""
    raise ImportRefused(f"导入文件有{len(errors)}处错误，未写入任何内容：{shown}{more}。", errors)


@retrying
def import_org_table(table: list[list], operator: str, *, dry_run: bool = False) -> OrgImportResult:
    rows, errors = check_rows(table)
    if errors:
        _refuse(errors)
    result = OrgImportResult(dry_run=dry_run)
    errors = []
    with _transaction() as transaction:
        _apply(rows, operator, result, errors)
        if errors or dry_run:
            transaction.rollback()
    if errors:
        _refuse(errors)
    return result


def _attempt(errors: list[str], line: int, column: str, call, *args, **kwargs):
    """Run one office write; its refusal becomes this row's error (the transaction rolls back later)."""
    try:
        return call(*args, **kwargs)
    except LedgerError as exc:
        errors.append(f"第{line}行「{column}」：{exc.message.rstrip('。')}")
        return None


def _apply(rows: list[OrgRow], operator: str, result: OrgImportResult, errors: list[str]) -> None:
    divisions: dict[str, Division] = {office.name_key(d.name): d for d in Division.select()}
    first_line: dict[str, OrgRow] = {}
    for row in rows:
        if row.division:
            first_line.setdefault(office.name_key(row.division), row)
    # 1. divisions: created or restored first (people go into them), retired last.
    for key, row in first_line.items():
        order = next((r.sort_order for r in rows if office.name_key(r.division) == key and r.sort_order is not None), None)
        retire = next((r.division_retired for r in rows if office.name_key(r.division) == key
                       and r.division_retired is not None), None)
        division = divisions.get(key)
        if division is None:
            saved = _attempt(errors, row.line, "处室", office.add_division, operator, row.division, sort_order=order,
                             note="导入处室与人员")
            if saved is None:
                continue
            divisions[key] = Division.get_by_id(saved.id)
            result.divisions_created.append(row.division)
            continue
        changed = False
        if division.retired_on is not None and retire is False:
            changed |= bool(_attempt(errors, row.line, "处室状态", office.restore_division, operator, division.id,
                                     note="导入处室与人员"))
        if order is not None and order != division.sort_order:
            changed |= bool(_attempt(errors, row.line, "处室顺序", office.reorder_division, operator, division.id, order,
                                     note="导入处室与人员"))
        if changed:
            result.divisions_changed.append(division.name)
            divisions[key] = Division.get_by_id(division.id)
        elif not (retire and division.retired_on is None):
            result.unchanged += 1
    # 2. people, matched by name within their division.
    leaders: list[tuple[OrgRow, int]] = []
    listed: set[int] = set()
    for row in rows:
        if not row.name:
            continue
        division = divisions.get(office.name_key(row.division)) if row.division else None
        if row.division and division is None:
            continue  # its division was refused above
        division_id = division.id if division else None
        person = next((p for p in Person.select().where(
            Person.division.is_null() if division_id is None else Person.division == division_id)
            if office.name_key(p.name) == office.name_key(row.name)), None)
        if person is None:
            saved = _attempt(errors, row.line, "姓名", office.add_person, operator, row.name, division_id=division_id,
                             title=row.title, post=row.post, phone=row.phone, note="导入处室与人员")
            if saved is None:
                continue
            person_id = saved.id
            if row.retired:
                _attempt(errors, row.line, "状态", office.retire_person, operator, person_id, note="导入处室与人员")
            result.people_created.append(row.name)
            elsewhere = [p.division.name for p in Person.select().where(
                (Person.id != person_id) & Person.division.is_null(False)) if p.name == row.name]
            if elsewhere:
                result.notes.append(f"第{row.line}行：台账中另有同名的“{row.name}”（{'、'.join(elsewhere)}），"
                                    "已作为另一人新增；如是调动，请在处室与人员中修改并停用多出的一人。")
        else:
            person_id = person.id
            changed = False
            if person.retired_on is not None and not row.retired:
                changed |= bool(_attempt(errors, row.line, "状态", office.restore_person, operator, person.id,
                                         note="导入处室与人员"))
            fields = {key: getattr(row, key) for key in ("title", "post", "phone")
                      if key in row.present and getattr(row, key) != getattr(person, key)}
            if fields and not row.retired:
                saved = _attempt(errors, row.line, "职务" if "title" in fields else "岗位", office.update_person,
                                 operator, person.id, note="导入处室与人员", **fields)
                changed |= bool(saved and saved.changed)
            if row.retired and person.retired_on is None:
                changed |= bool(_attempt(errors, row.line, "状态", office.retire_person, operator, person.id,
                                         note="导入处室与人员"))
            if changed:
                result.people_changed.append(row.name)
            else:
                result.unchanged += 1
        listed.add(person_id)
        if "supervises" in row.present and row.title in office.LEADER_TITLES and not row.retired:
            leaders.append((row, person_id))
    # 3. supervision, by division name.
    for row, person_id in leaders:
        wanted = [divisions[office.name_key(n)].id for n in row.supervises if office.name_key(n) in divisions]
        had = list(Person.get_by_id(person_id).supervises or [])
        if set(wanted) != set(had):
            saved = _attempt(errors, row.line, "分管处室", office.set_supervision, operator, person_id, wanted,
                             note="导入处室与人员")
            if saved and saved.changed and row.name not in result.people_created + result.people_changed:
                result.people_changed.append(row.name)
                result.unchanged -= 1
    # 4. divisions the file retires, now that their people have left.
    for key, row in first_line.items():
        retire = next((r.division_retired for r in rows if office.name_key(r.division) == key
                       and r.division_retired is not None), None)
        division = divisions.get(key)
        if retire and division is not None and Division.get_by_id(division.id).retired_on is None:
            if _attempt(errors, row.line, "处室状态", office.retire_division, operator, division.id,
                        note="导入处室与人员"):
                if division.name not in result.divisions_created + result.divisions_changed:
                    result.divisions_changed.append(division.name)
    unlisted = Person.select().where(Person.retired_on.is_null() & Person.id.not_in(list(listed) or [0])).count()
    if unlisted:
        result.notes.append(f"台账中另有{unlisted}名在任人员未列在文件中，未作改动。")


# ----------------------------------------------------------------------------- export


def export_rows() -> list[list]:
    """The office as rows under `COLUMNS`: each person a row; a division without people a row alone."""
    tree = office.office_tree(include_retired=True)
    rows: list[list] = []

    def person_row(division: str, order, division_state: str, p: office.PersonView) -> list:
        return [division, order, division_state, p.name, p.title, p.post, p.phone, "、".join(p.supervises_names),
                "停用" if p.retired else "在任"]

    for d in tree.divisions:
        state = "停用" if d.retired else "在用"
        if not d.people:
            rows.append([d.name, d.sort_order, state, "", "", "", "", "", ""])
        for p in d.people:
            rows.append(person_row(d.name, d.sort_order, state, p))
    for p in tree.leaders:
        rows.append(person_row("", "", "", p))
    return rows


def office_counts() -> tuple[int, int]:
    """(divisions, people) the ledger holds, retired ones included — what an export writes."""
    from store.models import Division, Person

    return Division.select().count(), Person.select().count()


def export_org_file(path: str | Path, *, database_path: Path | None = None) -> int:
    """Write the office to `path` (xlsx, beside and renamed into place); return the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from store.io import export

    path = export.check_out_path(path, database_path=database_path)
    if path.suffix.lower() != ".xlsx":
        raise LedgerError(f"“{path.name}”不是 .xlsx 文件名，处室与人员只导出为 Excel（.xlsx）。")
    rows = export_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for index, (header, width) in enumerate(zip(COLUMNS, WIDTHS), start=1):
        sheet.cell(row=1, column=index, value=header).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for line, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            if value == "" or value is None:
                continue
            cell = sheet.cell(row=line, column=index)
            if isinstance(value, int):
                cell.value = value
            else:
                cell.value = export._xlsx_text(str(value))
                cell.data_type = "s"  # a name starting with = stays text, never a formula
    sheet.freeze_panes = "A2"
    export._replace_atomically(path, workbook.save)
    return len(rows)
