"""检查台账: is the ledger whole, and do its caches say what its events say? Reads only.

`check_ledger()` checks the open ledger inside one read transaction (a desk writing meanwhile
cannot make a case look half-recorded):

- the file: SQLite's `PRAGMA integrity_check` and `PRAGMA foreign_key_check`;
- the layout: every table and column its schema version must have, the append-only triggers
  (store/ledger_schema.py), and the schema version against this program's;
- the ledger's own invariants: each case's `version` equals the number of its events, and its
  events carry the versions 1…N (store/actions/common.py `_record` appends one event per
  version, from 0 at 交办); the cached next deadline (`next_due`, `next_milestone`,
  `next_due_estimated`) equals its recomputed value (store/deadlines.py `stale_next_due`);
  `urge_count` and `urge_level` equal the 催办 events not undone (store/actions/edits.py);
  `units_expected` and `units_received` equal the counts of the case's co-units and of their
  opinions (or separate replies) in `unit_progress` (store/co_units.py `unit_counts`).

`check_file(path)` makes the file and layout checks on a SQLite file the opener refuses (damaged
or incomplete), through a read-only connection, so that `duban check` can still say what is wrong.
Each finding is 错误 (the ledger is wrong) or 提醒 (worth knowing); `CheckReport.lines()` says it
in words, one line a finding, and ends with 检查通过 or 发现N处问题.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from store.errors import DatabaseUnusable
from store.ledger_schema import TABLE_WORDS, missing_parts
from store.proxy import database
from store.queries import case_label

ERROR = "错误"
NOTICE = "提醒"
SHOWN_PER_KIND = 20
"""Findings shown one by one per kind; the rest are counted in one line."""

CHECKS = ("完整性", "外键", "表和列", "只增保护", "数据结构版本", "版本号与跟进记录", "缓存的期限", "催办次数",
          "会办单位计数")


@dataclass(frozen=True)
class Finding:
    """One thing found: 错误 or 提醒, the kind of check, a sentence, the case when there is one."""

    severity: str
    kind: str
    text: str
    case_id: int | None = None


@dataclass(frozen=True)
class CheckReport:
    """What `check_ledger` found, with the ledger's size for the heading."""

    target: str
    cases: int | None
    events: int | None
    findings: tuple[Finding, ...] = ()
    checked: tuple[str, ...] = CHECKS
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self) -> bool:
        """No 错误 (提醒 alone leave the ledger sound)."""
        return not self.errors

    def lines(self) -> list[str]:
        """The report in words: a heading, one line a finding (at most `SHOWN_PER_KIND` of a
        kind, then a count), and the closing sentence."""
        size = "" if self.cases is None else f"，{self.cases} 件、{self.events} 条跟进记录"
        lines = [f"检查台账“{self.target}”{size}："]
        shown: dict[str, int] = defaultdict(int)
        hidden: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            if shown[finding.kind] < SHOWN_PER_KIND:
                shown[finding.kind] += 1
                lines.append(f"{finding.severity}：{finding.text}")
            else:
                hidden[finding.kind] += 1
        for kind, count in hidden.items():
            lines.append(f"……{kind}另有 {count} 处同类问题未逐条列出。")
        lines.append(self.closing())
        return lines

    def render(self) -> str:
        return "\n".join(self.lines())

    def closing(self) -> str:
        notices = len(self.findings) - len(self.errors)
        if self.ok:
            tail = f"（另有 {notices} 条提醒）" if notices else ""
            return f"检查通过：{'、'.join(self.checked)}均无问题{tail}。"
        counts = f"（错误 {len(self.errors)} 处" + (f"、提醒 {notices} 条）" if notices else "）")
        return f"发现 {len(self.findings)} 处问题{counts}；请先备份现有文件，再从最近一次检查通过的备份恢复或联系管理员。"


# ------------------------------------------------------------------------ the file and layout


def _structure(rows, engine: str, labels: dict[int, str] | None, current: int) -> list[Finding]:
    """Integrity, foreign keys, layout and schema version, read through `rows(sql)`."""
    findings: list[Finding] = []
    if engine == "sqlite":
        result = [row[0] for row in rows("PRAGMA integrity_check")]
        if result != ["ok"]:
            for line in result:
                findings.append(Finding(ERROR, "完整性", f"SQLite 完整性检查未通过：{line}"))
            return findings  # a damaged file: what follows would only repeat it
        for table, rowid, parent, _fk in rows("PRAGMA foreign_key_check"):
            findings.append(Finding(ERROR, "外键", _dangling(table, rowid, parent, labels)))
    else:
        findings.append(Finding(NOTICE, "完整性", "PostgreSQL 台账不做 SQLite 的文件完整性检查；外键由数据库自身保证，"
                                                "数据库文件的检查请由管理员用 PostgreSQL 的工具进行。"))
    tables, triggers = _layout(rows, engine)
    if "duban_meta" not in tables:
        findings.append(Finding(ERROR, "表和列", "缺少表 duban_meta（台账信息），不是完整的督办台台账。"))
        return findings
    stored = rows("SELECT value FROM duban_meta WHERE key='schema_version'")
    try:
        version = int(stored[0][0])
    except (IndexError, TypeError, ValueError):
        findings.append(Finding(ERROR, "数据结构版本", "台账信息中没有可识别的数据结构版本（schema_version）。"))
        return findings
    if version > current:
        findings.append(Finding(ERROR, "数据结构版本", f"数据结构版本为 {version}，比本程序（{current}）新，请先升级程序再检查。"))
        return findings
    if version < current:
        findings.append(Finding(NOTICE, "数据结构版本", f"数据结构版本为 {version}，本程序为 {current}："
                                                     "下次以可写方式打开时会先在旁边备份，再升级。"))
    for part in missing_parts(tables, triggers, version, engine):
        kind = "只增保护" if "触发器" in part else "表和列"
        findings.append(Finding(ERROR, kind, f"缺少{part}。"))
    return findings


def _layout(rows, engine: str) -> tuple[dict[str, set[str]], set[str]]:
    if engine == "sqlite":
        names = [row[0] for row in rows("SELECT name FROM sqlite_master WHERE type='table'")]
        tables = {name: {row[1] for row in rows(f"""PRAGMA table_info("{name.replace('"', '""')}")""")}
                  for name in names}
        return tables, {row[0] for row in rows("SELECT name FROM sqlite_master WHERE type='trigger'")}
    from store.ledger_schema import database_layout

    return database_layout(database.obj)


def _dangling(table: str, rowid, parent: str, labels: dict[int, str] | None) -> str:
    word, parent_word = TABLE_WORDS.get(table, table), TABLE_WORDS.get(parent, parent)
    if table == "case" and labels and rowid in labels:
        return f"{labels[rowid]}引用的{parent_word}（{parent}）不存在。"
    return f"{word}（{table}）第 {rowid} 行引用的{parent_word}（{parent}）不存在。"


def check_file(path) -> CheckReport:
    """File and layout checks of a SQLite ledger the opener refused (damaged or incomplete).

    Reads through a read-only connection and changes nothing; a file that is not a SQLite
    database at all is a `DatabaseUnusable` (there is nothing to check)."""
    from store.db import SCHEMA_VERSION
    from store.sqlite_file import SQLITE_HEADER, probe_uri

    path = Path(path)
    started = time.monotonic()
    with path.open("rb") as handle:  # no connection to it is open: the opener refused it
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise DatabaseUnusable(f"“{path}”不是 SQLite 数据库文件，不是台账，无从检查。")
    counts: list[int | None] = [None, None]
    uri = probe_uri(path)  # once, before connecting: re-reading the header later would drop the locks
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=8)
        try:
            def rows(sql):
                return connection.execute(sql).fetchall()

            tables = {row[0] for row in rows("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "duban_meta" not in tables:
                raise DatabaseUnusable(f"“{path}”是其他程序的 SQLite 数据库，不是督办台台账，无从检查。")
            connection.execute("BEGIN")
            labels = _labels_raw(rows, tables)
            findings = _structure(rows, "sqlite", labels, SCHEMA_VERSION)
            whole = not any(f.kind in ("完整性", "表和列") and f.severity == ERROR for f in findings)
            older = any(f.kind == "数据结构版本" for f in findings)  # older (a notice) or newer (an error)
            if whole:
                counts = [rows(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in ("case", "event")]
            if whole and not older:  # the invariants are read with this version's models
                findings += _invariants_of_file(uri, labels)
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        findings = [Finding(ERROR, "完整性", f"无法读取台账文件（{exc}）：文件已损坏。")]
    return CheckReport(str(path), counts[0], counts[1], tuple(findings), seconds=time.monotonic() - started)


def _invariants_of_file(uri: str, labels: dict[int, str]) -> list[Finding]:
    """The ledger's invariants on a file the opener refused but whose tables are whole (a
    dropped trigger): the models are bound to a read-only connection for the time of the
    check, then to whatever they were bound to before."""
    from peewee import SqliteDatabase

    previous = database.obj
    db = SqliteDatabase(uri, uri=True, pragmas={"query_only": 1, "busy_timeout": 8000}, timeout=8)
    database.initialize(db)
    try:
        with db.atomic():
            return _versions(labels) + _deadlines(labels) + _urges(labels) + _units(labels)
    finally:
        db.close()
        database.initialize(previous)


def _labels_raw(rows, tables) -> dict[int, str]:
    if "case" not in tables or "session" not in tables:
        return {}
    try:
        found = rows('SELECT c.id, c.number, s.name FROM "case" c LEFT JOIN session s ON s.id = c.session_id')
    except sqlite3.DatabaseError:
        return {}
    return {case_id: _label(number, session) for case_id, number, session in found}


def _label(number, session: str | None) -> str:
    return f"{session or '（届次不存在）'}{case_label(SimpleNamespace(number=number))}"


# ------------------------------------------------------------------------- the open ledger


def check_ledger() -> CheckReport:
    """Check the open ledger (see the module docstring); writes nothing."""
    from store.db import SCHEMA_VERSION

    db = database.obj
    target = getattr(db, "duban_target", None)
    engine = target.kind if target is not None else "sqlite"
    started = time.monotonic()

    def rows(sql):
        return db.execute_sql(sql).fetchall()

    with db.atomic():  # one snapshot for every figure below
        if engine == "postgresql":
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        labels = _labels()
        findings = _structure(rows, engine, labels, SCHEMA_VERSION)
        damaged = any(f.kind in ("完整性", "表和列") and f.severity == ERROR for f in findings)
        if not damaged:
            findings += _versions(labels) + _deadlines(labels) + _urges(labels) + _units(labels)
        cases, events = (rows(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in ("case", "event"))
    where = target.describe() if target is not None else "台账"
    return CheckReport(where, cases, events, tuple(findings), seconds=time.monotonic() - started)


def _labels() -> dict[int, str]:
    from peewee import JOIN

    from store.models import Case, Session

    query = Case.select(Case.id, Case.number, Session.name).join(Session, JOIN.LEFT_OUTER,
                                                                  on=(Case.session == Session.id))
    return {case_id: _label(number, session) for case_id, number, session in query.tuples()}


def _versions(labels: dict[int, str]) -> list[Finding]:
    """Each case's version is the number of its events, which carry the versions 1…N."""
    from peewee import JOIN, fn

    from store.models import Case, Event

    query = (Case.select(Case.id, Case.version, fn.COUNT(Event.id), fn.MAX(Event.version),
                         fn.COUNT(Event.version.distinct()))
             .join(Event, JOIN.LEFT_OUTER, on=(Event.case == Case.id)).group_by(Case.id, Case.version)
             .order_by(Case.id))
    findings = []
    for case_id, version, count, newest, distinct in query.tuples():
        if count == 0:
            text = f"{labels.get(case_id, case_id)}没有任何跟进记录（连交办记录也没有），版本号却为 {version}。"
        elif count != version:
            text = f"{labels.get(case_id, case_id)}的版本号为 {version}，但有 {count} 条跟进记录，两者应相等。"
        elif newest != version or distinct != count:
            text = f"{labels.get(case_id, case_id)}的跟进记录所记的版本号不是 1 至 {version} 各一条（最大为 {newest}）。"
        else:
            continue
        findings.append(Finding(ERROR, "版本号与跟进记录", text, case_id))
    return findings


def _deadlines(labels: dict[int, str]) -> list[Finding]:
    from store.deadlines import stale_next_due

    findings = []
    for case_id, cached, computed in stale_next_due():
        findings.append(Finding(ERROR, "缓存的期限",
                                f"{labels.get(case_id, case_id)}台账中记的下一期限为{_deadline(cached)}，"
                                f"按规则和日历重新计算应为{_deadline(computed)}。", case_id))
    return findings


def _deadline(values: tuple) -> str:
    due, label, estimated = values
    if due is None:
        return "“无”"
    return f"“{label or '期限'} {due:%Y-%m-%d}{'（按未确认的日历估算）' if estimated else ''}”"


def _urges(labels: dict[int, str]) -> list[Finding]:
    """urge_count: the 催办 events not undone; urge_level: the level of the newest of them."""
    from store.models import Case, Event

    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    standing: dict[int, list[int]] = defaultdict(list)
    query = (Event.select(Event.case, Event.level).where((Event.kind == "催办") & ~(Event.id << undone))
             .order_by(Event.id))
    for case_id, level in query.tuples():
        standing[case_id].append(level or 0)
    findings = []
    for case_id, count, level in Case.select(Case.id, Case.urge_count, Case.urge_level).order_by(Case.id).tuples():
        urges = standing.get(case_id, [])
        want_level = urges[-1] if urges else 0
        if count != len(urges):
            text = f"{labels.get(case_id, case_id)}记为催办 {count} 次，跟进记录中未撤销的催办为 {len(urges)} 次。"
        elif level != want_level:
            text = f"{labels.get(case_id, case_id)}记为催办级别 {level}，最近一次未撤销的催办为级别 {want_level}。"
        else:
            continue
        findings.append(Finding(ERROR, "催办次数", text, case_id))
    return findings


def _units(labels: dict[int, str]) -> list[Finding]:
    """The cached 会办意见 counts (units_expected, units_received) against the case's co-units and progress."""
    from store.co_units import progress_label, unit_counts
    from store.models import Case

    findings = []
    query = (Case.select(Case.id, Case.role, Case.co_units, Case.unit_progress, Case.units_expected,
                         Case.units_received).order_by(Case.id))
    for case in query:
        expected, received = unit_counts(case)
        if (case.units_expected, case.units_received) == (expected, received):
            continue
        what = progress_label(case.role)
        findings.append(Finding(ERROR, "会办单位计数",
                                f"{labels.get(case.id, case.id)}记为{what} {case.units_received}/{case.units_expected}，"
                                f"按单位和办理情况应为 {received}/{expected}。", case.id))
    return findings


__all__ = ["CHECKS", "CheckReport", "ERROR", "Finding", "NOTICE", "check_file", "check_ledger"]
