"""导入交办清单: the assigning office's list (XLSX or CSV) into the ledger.

The list is read whole and every row is checked before anything is written
(`store.io.import_checks`: lengths, choices, dates, the case's shape, duplicates inside the
file — with the write step's own limits and rules). A file with any error writes nothing:
the refusal (`ImportRefused`) lists each problem as "第N行「列名」：问题" (N is the row
number as the spreadsheet shows it).

A good file is written in ONE transaction, with batched inserts and no savepoint per row, so
the write lock is held for seconds even for 50,000 rows. A number new to its session is 交办:
the case, its proposer (found by name and 代表团/界别, or created) and its 交办 event
("导入交办清单", the 交办 date as its business date), with the cached deadline counted as
`actions.create_case` counts it. A number the session already has is never created twice —
its title, summary, category and lead unit are corrected as `actions.edit_case` corrects
them (one 修改 event keeping before and after), and any other difference (办理方式,
交办日期, proposer, co-units …) is reported as a "未更新" note, because those are changed
on the case itself, not by a list.

`dry_run=True` checks and plans the same inside a transaction that is rolled back, so the
result it reports is exactly what a real import would do, and nothing is written.

Another workstation may change a case while the import runs. Before correcting cases the import
locks them in ascending id (`SELECT … FOR UPDATE` on PostgreSQL, as every write holding several
cases does) and reads them again; a case whose version moved since the import compared it —
or since the preview, when `seen_versions` (the preview's `ImportResult.seen_versions`) is
given — refuses the whole import with a `VersionConflict` naming the case: nothing is written,
nobody's change is overwritten, and the file is untouched. A whole import that met a deadlock or
a busy ledger is run again (`retrying`).

The session (届次) comes from `session` (the command line's `--session`) or, failing that,
from a 届次 column. A session the ledger does not have yet is created: 政协 when its name
says 政协, otherwise 人大; its year is that of its earliest 交办日期. The result says so.

`progress(done, total, phase)` (optional) hears 读取, 检查 and 写入 as they go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from peewee import SqliteDatabase

from store import actions, clock
from store.actions import KIND_OF_BODY, _field_value, _operator
from store.actions.common import retrying
from store.co_units import refresh_unit_counts
from store.db import database
from store.deadlines import apply_next_open
from store.errors import LedgerError, VersionConflict
from store.io.import_checks import (  # noqa: F401 - the names callers reach through this module
    COLUMN_NAMES,
    HEADER_ALIASES,
    MAX_ERRORS_SHOWN,
    REQUIRED,
    ROLE_ALIASES,
    ImportRefused,
    ImportRow,
    _cell_text,
    _normal,
    body_of_new_session,
    check_rows,
    parse_cell_date,
    refusal,
)
from store.io.import_read import read_table  # noqa: F401 - callers read files through this module
from store.io.progress import Progress, Ticker
from store.models import Case, Event, Proposer, Session
from store.queries import load_calendar, rules_for

EDITABLE_FIELDS = ("title", "summary", "topic", "lead_unit")
FIELD_NAMES = {"title": "标题", "summary": "内容摘要", "topic": "类别", "lead_unit": "主办单位",
               "role": "办理方式", "assigned_on": "交办日期", "proposer": "领衔代表", "co_units": "会办单位",
               "cosigners": "附议代表"}
NOTE = "导入交办清单"
"""The note on every event an import writes."""


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sessions_created: list[str] = field(default_factory=list)
    dry_run: bool = False
    seen_versions: dict[int, int] = field(default_factory=dict)
    """Case id → the version compared, for every case already in the ledger that the file names."""

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


# ----------------------------------------------------------------------------- writing


def import_file(path: str | Path, operator: str, *, session: str | None = None, dry_run: bool = False,
                today: dt.date | None = None, progress: Progress | None = None,
                seen_versions: dict[int, int] | None = None) -> ImportResult:
    """Import the list at `path`; refuse it whole (`ImportRefused`) if any row is wrong."""
    table = read_table(path, progress=progress)
    return import_table(table, operator, session=session, dry_run=dry_run, today=today, progress=progress,
                        seen_versions=seen_versions)


@retrying
def import_table(table: list[list], operator: str, *, session: str | None = None, dry_run: bool = False,
                 today: dt.date | None = None, progress: Progress | None = None,
                 seen_versions: dict[int, int] | None = None) -> ImportResult:
    """Check every row, then write them all in one transaction (or refuse the file whole).

    `seen_versions`: the preview's `ImportResult.seen_versions`; a case the import would correct
    that has changed since (or did not exist then) refuses the import (`VersionConflict`)."""
    operator = _operator(operator)
    session = (session or "").strip() or None
    bodies = dict(Session.select(Session.name, Session.body).tuples())
    rows, errors = check_rows(table, session=session, today=today, bodies=bodies, progress=progress)
    if errors:
        raise refusal(errors)
    result = ImportResult(dry_run=dry_run)
    with actions._transaction() as transaction:
        sessions = _sessions_for(rows, result, operator)
        plan = _Plan(rows, sessions, result)
        if dry_run:
            transaction.rollback()
        else:
            plan.write(operator, progress, seen_versions)
    return result


def _sessions_for(rows: list[ImportRow], result: ImportResult, operator: str) -> dict[str, Session]:
    """The sessions the rows name; one missing is created, with its 变更记录 (届次 新增)."""
    from store.changes import record_change

    first_day: dict[str, dt.date] = {}
    for row in rows:
        if row.session not in first_day or row.assigned_on < first_day[row.session]:
            first_day[row.session] = row.assigned_on
    found: dict[str, Session] = {}
    for name, first in first_day.items():
        existing = Session.get_or_none(Session.name == name)
        if existing is None:
            body = body_of_new_session(name)
            existing = actions.ensure_session(name, body=body, year=first.year, assigned_on=first)
            record_change(operator, "届次", name, "新增", note="导入交办清单时新建",
                          after={"body": body, "year": first.year, "assigned_on": first})
            result.sessions_created.append(f"{name}（{body}，{first.year}年）")
        found[name] = existing
    return found


class _Plan:
    """What the checked rows do to the ledger: which are new, which correct a case, which
    differ in what a list may not change — decided from one read of the cases they name."""

    def __init__(self, rows: list[ImportRow], sessions: dict[str, Session], result: ImportResult) -> None:
        self.rows = rows
        self.sessions = sessions
        self.existing: dict[tuple[int, str], Case] = {}
        for session in {s.id: s for s in sessions.values()}.values():
            numbers = {row.number for row in rows if sessions[row.session].id == session.id}
            ids = [case_id for case_id, number in Case.select(Case.id, Case.number)
                   .where(Case.session == session.id).tuples() if number in numbers]
            for start in range(0, len(ids), 500):
                for case in Case.select().where(Case.id.in_(ids[start:start + 500])):
                    self.existing[(session.id, case.number)] = case
                    result.seen_versions[case.id] = case.version
        proposer_ids = {case.lead_proposer_id for case in self.existing.values() if case.lead_proposer_id}
        self.proposer_names = _proposer_names(proposer_ids)
        self.steps: list[tuple[ImportRow, Case | None, dict]] = []  # (row, existing case, changes)
        for row in rows:
            case = self.existing.get((sessions[row.session].id, row.number))
            if case is None:
                self.steps.append((row, None, {}))
                result.created.append(row.number)
                continue
            changes = {name: getattr(row, name) for name in EDITABLE_FIELDS
                       if name in row.present and getattr(row, name) != getattr(case, name)}
            (result.updated if changes else result.unchanged).append(row.number)
            self.steps.append((row, case, changes))
            note = self._differences(row, case)
            if note:
                result.notes.append(note)

    def _differences(self, row: ImportRow, case: Case) -> str:
        differences = []
        if case.role != row.role:
            differences.append(f"办理方式（清单：{row.role}，台账：{case.role}）")
        if case.assigned_on != row.assigned_on:
            differences.append(f"交办日期（清单：{row.assigned_on:%Y-%m-%d}，台账：{case.assigned_on:%Y-%m-%d}）")
        if "proposer" in row.present:
            current = self.proposer_names.get(case.lead_proposer_id, "") if case.lead_proposer_id else ""
            if current != row.proposer:
                differences.append(f"领衔代表（清单：{row.proposer or '空'}，台账：{current or '空'}）")
        if "co_units" in row.present and tuple(case.co_units or ()) != row.co_units:
            differences.append("会办单位")
        if "cosigners" in row.present and tuple(case.cosigners or ()) != row.cosigners:
            differences.append("附议代表")
        if not differences:
            return ""
        return f"第{row.line}行 第{row.number}号：{'、'.join(differences)}与台账不同，未更新，请在该件上核对修改。"

    def write(self, operator: str, progress: Progress | None, seen_versions: dict[int, int] | None = None) -> None:
        """The new cases, the corrected ones and every event, in row order, batched.

        Progress counts rows: the cases' insert is the first half of the phase, the events the second."""
        self._lock_corrected(seen_versions)
        ticker = Ticker(progress, len(self.steps), "写入")
        half = len(self.steps) // 2
        calendar = load_calendar()
        rules = {s.id: rules_for(s.id) for s in self.sessions.values()}
        now, today = clock.now(), clock.today()
        new = [row for row, case, _ in self.steps if case is None]
        proposers = _proposers_for(new, self.sessions)
        cases = []
        for row in new:
            session = self.sessions[row.session]
            case = Case(session=session.id, number=row.number, kind=KIND_OF_BODY.get(session.body, "建议"),
                        title=row.title, summary=row.summary, topic=row.topic,
                        lead_proposer=proposers.get((row.proposer, row.group)) if row.proposer else None,
                        cosigners=list(row.cosigners), role=row.role, lead_unit=row.lead_unit,
                        co_units=list(row.co_units), assigned_on=row.assigned_on, status="待签收", version=1,
                        last_followup_on=row.assigned_on)
            refresh_unit_counts(case)  # the 会办意见 caches, as `_record` keeps them
            apply_next_open(case, rules[session.id], calendar)
            cases.append(case.__data__)
        _insert(Case, cases, lambda done: ticker.tick(done * half // len(cases)))
        ids = _case_ids(new, self.sessions)
        events = []
        for row, case, changes in self.steps:
            if case is None:
                events.append(Event(case=ids[(self.sessions[row.session].id, row.number)], at=now,
                                    on_date=row.assigned_on, operator=operator, kind="交办", note=NOTE, data={},
                                    version=1).__data__)
            elif changes:
                events.append(self._correct(case, changes, rules[case.session_id], calendar, operator, now,
                                            today))
        _insert(Event, events, lambda done: ticker.tick(half + done * (len(self.steps) - half) // len(events)))
        ticker.finish()

    def _lock_corrected(self, seen_versions: dict[int, int] | None) -> None:
        """Lock the cases this import corrects in ascending id (FOR UPDATE on PostgreSQL; SQLite's
        BEGIN IMMEDIATE holds the whole ledger), read them as committed, and refuse the import
        (`VersionConflict`, nothing written) if any changed since it was compared — or since the
        preview, for `seen_versions`. The fresh rows replace those compared, so the corrections
        and their cached deadlines start from what the ledger holds now."""
        compared = {case.id: case for _, case, changes in self.steps if case is not None and changes}
        if not compared:
            return
        ids = sorted(compared)
        fresh: dict[int, Case] = {}
        for start in range(0, len(ids), 500):
            query = Case.select().where(Case.id.in_(ids[start:start + 500])).order_by(Case.id)
            if not isinstance(database.obj, SqliteDatabase):
                query = query.for_update()
            fresh.update((case.id, case) for case in query)
        moved = []
        for case_id in ids:
            seen = compared[case_id].version if seen_versions is None else seen_versions.get(case_id)
            now = fresh.get(case_id)
            if seen is None or now is None or now.version != seen or now.version != compared[case_id].version:
                moved.append((compared[case_id], seen))
        if moved:
            raise _changed_meanwhile(moved)
        self.steps = [(row, fresh[case.id] if case is not None and changes else case, changes)
                      for row, case, changes in self.steps]

    @staticmethod
    def _correct(case: Case, changes: dict, rules, calendar, operator: str, now, today: dt.date) -> dict:
        """修改 as `actions.edit_case` records it: the fields, the version, the cached deadline."""
        before = {name: _field_value(case, name) for name in changes}
        for name, value in changes.items():
            setattr(case, name, value)
        after = {name: _field_value(case, name) for name in changes}
        case.version += 1
        apply_next_open(case, rules, calendar)
        case.save(only=[Case._meta.fields[name] for name in changes]
                  + [Case.version, Case.next_due, Case.next_milestone, Case.next_due_estimated])
        return Event(case=case.id, at=now, on_date=today, operator=operator, kind="修改", note=NOTE,
                     data={"before": before, "after": after}, version=case.version).__data__


def _changed_meanwhile(moved: list[tuple[Case, int | None]]) -> VersionConflict:
    """The refusal of an import whose cases changed under it: each case, and what was recorded
    on it since the version the import (or its preview) compared."""
    named, changes = [], []
    for case, seen in moved[:MAX_ERRORS_SHOWN]:
        since = (Event.select(Event.kind, Event.operator, Event.at)
                 .where((Event.case == case.id) & (Event.version > (seen or 0))).order_by(Event.id))
        said = [f"{e.at.in_timezone(clock.OFFICE_TZ):%m-%d %H:%M} {e.operator} {e.kind}" for e in since]
        if seen is None:
            said = ["预览之后才登记"] + said[-1:]
        changes.extend(f"第{case.number}号：{line}" for line in said)
        named.append(f"第{case.number}号（{'；'.join(said[-3:]) or '版本已变'}）")
    more = f"等{len(moved)}件" if len(moved) > MAX_ERRORS_SHOWN else ""
    return VersionConflict(
        f"导入未写入任何内容：{'、'.join(named)}{more}在核对之后已被其他工作站修改，为免覆盖别人的修改，"
        "整份清单都没有导入；您的文件未作改动，请重新导入，将按台账现状重新核对。",
        changes,
    )


def _proposer_names(ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    ids = sorted(ids)
    for start in range(0, len(ids), 500):
        names.update(Proposer.select(Proposer.id, Proposer.name).where(Proposer.id.in_(ids[start:start + 500]))
                     .tuples())
    return names


def _proposers_for(rows: list[ImportRow], sessions: dict[str, Session]) -> dict[tuple[str, str], int]:
    """(name, 代表团/界别) → proposer id, as `actions.ensure_proposer` finds or creates each:
    the earliest with that name and group, else a new one with the first row's details."""
    wanted: dict[tuple[str, str], ImportRow] = {}
    for row in rows:
        if row.proposer:
            wanted.setdefault((row.proposer, row.group), row)
    found = _proposer_ids(wanted)
    missing = [(key, row) for key, row in wanted.items() if key not in found]
    if missing:
        _insert(Proposer, [Proposer(name=name, group=group, phone=row.phone, unit_title=row.unit_title,
                                    kind="委员" if sessions[row.session].body == "政协" else "代表").__data__
                           for (name, group), row in missing], lambda done: None)
        found = _proposer_ids(wanted)
    return found


def _proposer_ids(wanted) -> dict[tuple[str, str], int]:
    names = sorted({name for name, _ in wanted})
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(names), 500):
        query = (Proposer.select(Proposer.id, Proposer.name, Proposer.group)
                 .where(Proposer.name.in_(names[start:start + 500])).order_by(Proposer.id).tuples())
        for proposer_id, name, group in query:
            if (name, group) in wanted:
                found.setdefault((name, group), proposer_id)
    return found


def _case_ids(rows: list[ImportRow], sessions: dict[str, Session]) -> dict[tuple[int, str], int]:
    ids: dict[tuple[int, str], int] = {}
    for session_id in {sessions[row.session].id for row in rows}:
        for number, case_id in Case.select(Case.number, Case.id).where(Case.session == session_id).tuples():
            ids[(session_id, number)] = case_id
    return ids


def _insert(model, rows: list[dict], tick) -> None:
    """Rows (dicts of one shape) inserted many a statement, within the database's limit of
    bound values. Peewee writes the statement once per chunk size; the values are converted by
    each field's own `db_value`, as peewee would (building the SQL anew for every chunk costs
    more than writing it)."""
    if not rows:
        return
    fields = [model._meta.fields[name] for name in rows[0]]
    size = max(1, min(1000, _variable_limit() // len(fields)))
    db = database.obj
    one, _ = model.insert_many([[rows[0][f.name] for f in fields]], fields=fields).sql()
    group = "(" + ", ".join([db.param] * len(fields)) + ")"
    if group not in one:  # pragma: no cover - a dialect that writes VALUES otherwise
        raise LedgerError("导入无法生成批量写入语句，未写入任何内容。")
    statements: dict[int, str] = {}
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        sql = statements.get(len(chunk))
        if sql is None:
            sql = statements[len(chunk)] = one.replace(group, ", ".join([group] * len(chunk)), 1)
        db.execute_sql(sql, [f.db_value(row[f.name]) for row in chunk for f in fields])
        tick(start + len(chunk))


def _variable_limit() -> int:
    db = database.obj
    if isinstance(db, SqliteDatabase):
        import sqlite3

        try:
            return db.connection().getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except (AttributeError, sqlite3.Error):  # Python before 3.11: SQLite's old default
            return 999
    return 30000
