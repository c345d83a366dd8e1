"""导入交办清单, checked whole before the first write and written in one transaction:

- every limit of the pre-check is the write step's own (a value at the limit is written, one
  more is refused by the check AND would have been refused by the write step);
- a bad last row (a co-signer one character too long) is refused before any write, with its row;
- every error is collected, the sentence shows the first 50 and how many more;
- the batched write leaves exactly what the row-by-row path (`create_case`/`edit_case`) left:
  the same cases, proposers, events and cached deadlines, compared table by table;
- one BEGIN IMMEDIATE, no savepoint per row; progress told phase by phase.
"""

from __future__ import annotations

import datetime as dt

import pytest

from store import actions, clock
from store.db import close_database, database, open_database
from store.io import importer
from store.io.import_checks import LIMITS, NAME_LIMITS, check_rows

from store_helpers import OPERATOR
from test_import import GOOD, HEADER, SESSION, write_csv, write_xlsx
from store_helpers import run_sql

FULL_HEADER = ["编号", "标题", "领衔代表", "代表团", "单位及职务", "联系电话", "附议代表", "办理方式", "主办单位",
               "会办单位", "类别", "内容摘要", "交办日期", "届次"]
COLUMN_OF = {"number": "编号", "title": "标题", "proposer": "领衔代表", "group": "代表团", "unit_title": "单位及职务",
             "phone": "联系电话", "cosigners": "附议代表", "lead_unit": "主办单位", "co_units": "会办单位",
             "topic": "类别", "summary": "内容摘要", "session": "届次"}


def row_of(**values) -> list:
    base = {"编号": "20230001", "标题": "关于甲的建议", "领衔代表": "张三", "代表团": "福田代表团", "单位及职务": "",
            "联系电话": "", "附议代表": "李四", "办理方式": "主办", "主办单位": "本局", "会办单位": "市发展改革委",
            "类别": "", "内容摘要": "", "交办日期": "2023-03-20", "届次": SESSION}
    base.update(values)
    return [base[name] for name in FULL_HEADER]


def table_counts() -> tuple:
    sql = run_sql
    return tuple(sql(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
                 for name in ("session", "case", "event", "proposer", "change_record"))


# The write step's own refusal of one character too many, field by field (not our numbers).
def _write_step_refuses(field: str, value: str) -> None:
    session = actions.ensure_session("市测试届次", body="人大", year=2023)
    case = dict(session=session, number="1", title="标题", role="主办", assigned_on=dt.date(2023, 3, 20))
    calls = {
        "number": lambda: actions.create_case(OPERATOR, **{**case, "number": value}),
        "title": lambda: actions.create_case(OPERATOR, **{**case, "title": value}),
        "summary": lambda: actions.create_case(OPERATOR, **case, summary=value),
        "topic": lambda: actions.create_case(OPERATOR, **case, topic=value),
        "lead_unit": lambda: actions.create_case(OPERATOR, **case, lead_unit=value),
        "cosigners": lambda: actions.create_case(OPERATOR, **case, cosigners=[value]),
        "co_units": lambda: actions.create_case(OPERATOR, **case, co_units=[value]),
        "proposer": lambda: actions.ensure_proposer(value),
        "session": lambda: actions.ensure_session(value, body="人大", year=2023),
    }
    with pytest.raises(actions.LedgerError, match="过长"):
        calls[field]()


LIMITED = [("number", LIMITS["number"]), ("title", LIMITS["title"]), ("summary", LIMITS["summary"]),
           ("topic", LIMITS["topic"]), ("lead_unit", LIMITS["lead_unit"]), ("proposer", LIMITS["proposer"]),
           ("session", LIMITS["session"]), ("cosigners", NAME_LIMITS["cosigners"]),
           ("co_units", NAME_LIMITS["co_units"])]


@pytest.mark.parametrize("field, limit", LIMITED, ids=[name for name, _ in LIMITED])
def test_each_limit_is_the_write_steps_own(ledger, today, tmp_path, field, limit):
    column = COLUMN_OF[field]
    at_limit = "数" * limit
    result = importer.import_table([FULL_HEADER, row_of(**{column: at_limit})], OPERATOR)
    assert len(result.created) == 1  # the longest value the check lets through is written
    before = table_counts()

    too_long = "数" * (limit + 1)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_table([FULL_HEADER, row_of(**{"编号": "20230002", column: too_long})], OPERATOR)
    assert any(e.startswith(f"第2行「{column}」：") and "过长" in e for e in refused.value.errors), refused.value.errors
    assert table_counts() == before
    _write_step_refuses(field, too_long)  # … and the write step would have refused it too


def test_a_long_co_signer_on_the_last_row_is_refused_before_any_write(ledger, today, tmp_path, monkeypatch):
    limit = NAME_LIMITS["cosigners"]
    rows = [[i, f"2023{i:04d}", f"关于第{i}项的建议", "张三", "福田代表团", "李四、王五", "主办", "本局", "", "2023-03-20",
             ""] for i in range(1, 1001)]
    rows[-1][5] = "李四、" + "欧" * (limit + 1)
    path = write_xlsx(tmp_path / "清单.xlsx", rows)
    before = table_counts()

    def no_write():
        raise AssertionError("a write transaction was opened")

    monkeypatch.setattr(actions, "_transaction", no_write)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_file(path, OPERATOR, session=SESSION)

    last_line = 2 + len(rows)  # a title row, the header, then the rows
    assert refused.value.errors == [f"第{last_line}行「附议代表」：“{'欧' * 10}…”过长（{limit + 1}字），每项最多{limit}字"]
    assert f"第{last_line}行" in str(refused.value) and "未写入任何内容" in str(refused.value)
    assert table_counts() == before == (0, 0, 0, 0, 0)  # an empty ledger stays empty


def test_every_error_is_collected_and_the_sentence_shows_the_first_fifty(ledger, today):
    table = [FULL_HEADER] + [row_of(编号=f"{i}", 交办日期="2023-13-01") for i in range(1, 61)]
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_table(table, OPERATOR)
    assert len(refused.value.errors) == 60
    message = str(refused.value)
    assert "60处错误" in message and "第51行" in message and "第52行" not in message
    assert "另有10处错误未列出" in message
    assert table_counts() == (0, 0, 0, 0, 0)


def test_what_the_write_step_would_refuse_is_refused_with_its_row(ledger, today):
    table = [FULL_HEADER,
             row_of(编号="第号"),  # nothing left once 第…号 is taken off
             row_of(编号="20230002", 办理方式="承办"),  # 承办 with a co-unit
             row_of(编号="20230003", 交办日期="2023-09-02"),  # tomorrow
             row_of(编号="20230004", 会办单位="甲、" + "单" * (NAME_LIMITS["co_units"] + 1)),
             row_of(编号="20230005")]
    rows, errors = check_rows(table)
    assert [row.number for row in rows] == ["20230005"]
    assert [e.split("：")[0] for e in errors] == ["第2行「编号」", "第3行「会办单位」", "第4行「交办日期」", "第5行「会办单位」"]
    with pytest.raises(actions.LedgerError):
        actions._operator("")
    with pytest.raises(actions.LedgerError, match="操作人"):
        importer.import_table(table[:1] + table[-1:], "")  # the operator too, before anything
    assert table_counts() == (0, 0, 0, 0, 0)


# ----------------------------------------------------------------- the row-by-row path


def _old_import(table, operator, session):
    """What the importer wrote before: create_case / edit_case row by row (its `_import_row`)."""
    from store.models import Case, Proposer, Session

    rows, errors = check_rows(table, session=session)
    assert not errors
    with actions._transaction():
        sessions = importer._sessions_for(rows, importer.ImportResult(), operator)
        for row in rows:
            found = sessions[row.session]
            case = Case.get_or_none((Case.session == found.id) & (Case.number == row.number))
            if case is None:
                proposer = None
                if row.proposer:
                    proposer = actions.ensure_proposer(row.proposer, kind="委员" if found.body == "政协" else "代表",
                                                       group=row.group, unit_title=row.unit_title, phone=row.phone)
                actions.create_case(operator, session=found, number=row.number, title=row.title, role=row.role,
                                    assigned_on=row.assigned_on, lead_proposer=proposer, cosigners=row.cosigners,
                                    lead_unit=row.lead_unit, co_units=row.co_units, summary=row.summary,
                                    topic=row.topic, note="导入交办清单",
                                    require_lead_unit=bool(row.lead_unit) or row.role != "汇办")
                continue
            changes = {name: getattr(row, name) for name in importer.EDITABLE_FIELDS
                       if name in row.present and getattr(row, name) != getattr(case, name)}
            if changes:
                actions.edit_case(case.id, operator, note="导入交办清单", **changes)
    assert Proposer.select().count() >= 0 and Session.select().count() >= 1


def _tables() -> dict[str, list[tuple]]:
    sql = run_sql
    return {name: sql(f'SELECT * FROM "{name}" ORDER BY 1').fetchall()
            for name in ("session", "case", "event", "proposer", "change_record")}


FIRST = [[1, "第20230001号", "关于推进政务数据共享的建议", "张三", "福田代表团", "李四、王五", "主办", "市政务服务数据管理局",
          "市发展改革委", dt.datetime(2023, 3, 20), "13800000000"],
         [2, 20230002, "关于优化营商环境的建议", "赵六", "南山代表团", "", "会办", "市发展改革委", "", "2023年3月20日", ""],
         [3, "20230003", "关于智慧城市建设的建议", "张三", "福田代表团", "", "独办", "本局", "", 45005, "13900000000"],
         [4, "20230004", "关于城市更新的建议", "", "", "", "分办", "本局", "市住房建设局、市规划和自然资源局",
          "2023-05-04", ""]]


def test_the_batched_write_leaves_what_the_row_by_row_path_left(another_ledger, today):
    second = [list(row) for row in FIRST]
    second[0][2] = "关于加快推进政务数据共享的建议"  # a 修改
    second[1][6] = "主办"  # a difference only noted
    second += [[5, "20230005", "关于社区养老的建议", "孙七", "罗湖代表团", "周八", "主办", "本局", "", "2023-03-21", ""],
               [6, "20230006", "关于停车难的建议", "张三", "福田代表团", "", "承办", "本局", "", "2023-03-22", ""]]
    first_table = [["编号列表"], HEADER] + FIRST
    second_table = [HEADER] + second
    results, targets = [], {"old": another_ledger("old"), "new": another_ledger("new")}
    for name, write in (("old", _old_import), ("new", lambda t, o, s: importer.import_table(t, o, session=s))):
        open_database(targets[name])
        try:
            actions.ensure_proposer("张三", group="福田代表团", phone="13700000000")  # one already known
            with clock.frozen_now(dt.datetime(2023, 9, 1, 2, 0, tzinfo=dt.timezone.utc)):
                write(first_table, OPERATOR, SESSION)
            with clock.frozen_now(dt.datetime(2023, 9, 1, 3, 0, tzinfo=dt.timezone.utc)):
                write(second_table, OPERATOR, SESSION)
            results.append(_tables())
        finally:
            close_database()
    old, new = results
    assert len(new["case"]) == 6 and len(new["event"]) == 7 and len(new["proposer"]) == 3
    for table in old:
        assert new[table] == old[table], table
    # the cached deadlines are there, and equal to a recompute from scratch
    open_database(targets["new"])
    try:
        from store.deadlines import recompute_next_due

        with actions._transaction():
            assert recompute_next_due() == 0
        assert all(row[0] for row in run_sql('SELECT next_due FROM "case"').fetchall())
    finally:
        close_database()


@pytest.mark.sqlite_only("counts statements with sqlite3's trace callback")
def test_one_transaction_without_a_savepoint_per_row(ledger, today, tmp_path):
    rows = [[i, f"2023{i:04d}", f"关于第{i}项的建议", f"代表{i % 7}", "福田代表团", "", "主办", "本局", "", "2023-03-20", ""]
            for i in range(1, 301)]
    path = write_csv(tmp_path / "清单.csv", rows)
    statements: list[str] = []
    database.obj.connection().set_trace_callback(statements.append)
    try:
        result = importer.import_file(path, OPERATOR, session=SESSION)
    finally:
        database.obj.connection().set_trace_callback(None)
    assert len(result.created) == 300
    assert sum(s.upper().startswith("BEGIN") for s in statements) == 1
    savepoints = [s for s in statements if s.upper().startswith("SAVEPOINT")]
    assert len(savepoints) == 1  # the new session's get_or_create; none a row
    inserts = [s for s in statements if s.upper().startswith('INSERT INTO "CASE"')]
    assert 1 <= len(inserts) < 10  # batched, not one a row
    sql = run_sql
    assert sql('SELECT COUNT(*) FROM "case"').fetchone()[0] == 300
    assert sql("SELECT COUNT(*) FROM event WHERE kind = '交办' AND operator = ? AND on_date = '2023-03-20'",
               (OPERATOR,)).fetchone()[0] == 300
    assert sql("SELECT COUNT(*) FROM proposer").fetchone()[0] == 7


def test_progress_is_told_phase_by_phase(ledger, today, tmp_path):
    path = write_xlsx(tmp_path / "清单.xlsx", GOOD * 1 + [[4, "20230004", "关于丁的建议", "", "", "", "主办", "本局", "",
                                                          "2023-03-20", ""]])
    calls: list[tuple[int, int, str]] = []
    result = importer.import_file(path, OPERATOR, session=SESSION, progress=lambda *call: calls.append(call))
    phases = [phase for _, _, phase in calls]
    assert phases[0] == "读取" and "检查" in phases and phases[-1] == "写入"
    assert phases == sorted(phases, key=["读取", "检查", "写入"].index)  # one phase after another
    assert calls[-1] == (4, 4, "写入") and len(result.created) == 4
    for phase in ("读取", "检查", "写入"):
        done = [d for d, _, p in calls if p == phase]
        assert done == sorted(done)
