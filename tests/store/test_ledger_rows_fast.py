"""The whole-ledger read and the CSV export, made fast for issue 14, still say what they said.

`ledger_rows` reads raw tuples, names the session, proposer, division and owner from their own
tables, and works out each distinct date's countdown once; `ledger_text("csv")` guards each
distinct cell once. Here the rows of an altered ledger (late, extended, 不满意 and re-handled, not
yet due, an evaluation form awaited, urged, closed, a 政协 case with co-units, a formula-like
title) are held against an oracle that works each row out case by case from the Peewee model
and the rules' own functions, at several office dates, and their figures against plain SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

import pytest

from store import actions
from store.io import export
from store.io.progress import Ticker
from store.models import Case, Session
from store.queries import ledger as ledger_module
from store.queries import ledger_rows
from store.queries.common import load_calendar
from store.rules import AWAITING_PROPOSER, DEFAULT_RULES, RuleSet, counts_working_days, due_countdown, is_stale
from store.rules import own_step_overdue
from store.vocabulary import milestone_label

from store_helpers import (
    CPPCC_SESSION,
    OPERATOR,
    assigned_case,
    d,
    division,
    new_case,
    replied_case,
    run_sql,
    session,
    signed_case,
)

FAST = {"evaluation_working_days": 5, "disclosure_working_days": 5, "stale_days": 3}
DAYS = ("2023-09-01", "2023-06-15", "2023-08-25", "2023-12-31", "2024-02-10")
"""Office dates the rows are read at: before and after the deadlines, over 春节 (working days)."""


def sql(query: str, *params):
    return run_sql(query, params).fetchall()


@pytest.fixture
def altered(ledger, today):
    """One case of each kind the ledger shows; their numbers by kind."""
    quick = session(rules=FAST)
    cppcc = session(CPPCC_SESSION, body="政协")
    owner = actions.ensure_person("刘科长", division=division())
    proposer = actions.ensure_proposer("-张三")  # a name a spreadsheet would read as a formula
    cases = {
        "late": new_case("0001", assigned_on=d("2023-08-01"), title="签收已逾期", lead_proposer=proposer),
        "not yet due": new_case("0002", assigned_on=d("2023-08-25"), title="签收未到期"),  # due 09-04
        "extended": assigned_case("0003", title="已延期"),
        "unsatisfied": replied_case("0004", title="不满意重办"),
        "form awaited": replied_case("0005", session_row=quick, replied_on=d("2023-08-18"), title="待评价"),
        "own step late": replied_case("0006", session_row=quick, replied_on=d("2023-08-18"), title="公开逾期"),
        "contributing": new_case("0007", role="汇办", session_row=cppcc, title="=HYPERLINK(\"x\")"),
        "co-units": assigned_case("0008", co_units=["市交通运输局", "市民政局"], title="+主办会办"),
        "urged": signed_case("0009", title="催办两次"),
        "closed": replied_case("0010", title="已办结"),
        "stale": assigned_case("0011", session_row=quick, title="无跟进"),
    }
    actions.extend(cases["extended"], OPERATOR, new_due=d("2023-11-01"), reason="复杂", approval="经交办机关同意")
    actions.record_evaluation(cases["unsatisfied"], OPERATOR, evaluation="不满意", on=d("2023-08-30"))
    actions.record_disclosure(cases["form awaited"], OPERATOR, decision="公开", on=d("2023-08-21"))
    actions.record_unit_opinion(cases["co-units"], OPERATOR, unit="市民政局", summary="同意", on=d("2023-07-01"))
    actions.assign(cases["urged"], OPERATOR, division=division(), owner=owner)
    actions.urge_division(cases["urged"], OPERATOR)
    actions.urge_division(cases["urged"], OPERATOR)
    actions.close(cases["closed"], OPERATOR)
    return cases


def oracle_rows(today: dt.date) -> dict[int, tuple]:
    """Each case's row worked out alone, from the model as Peewee reads it and the rules' functions."""
    calendar = load_calendar()
    rules = {row.id: RuleSet.from_overrides(row.rules) for row in Session.select()}
    found = {}
    for case in Case.select().order_by(Case.id):
        of_session = Session.get_by_id(case.session_id)
        label = milestone_label(case.next_milestone, of_session.body)
        due = case.next_due
        working = calendar.count_working_days(today, due) if due is not None and counts_working_days(label) else None
        if due is None:
            countdown = case.status if case.status in ("已办结", "已反馈") else "—"
        else:
            countdown = due_countdown(due, today, working_days=working is not None, calendar=calendar)
        days = None if due is None else (due - today).days
        session_rules = rules.get(case.session_id, DEFAULT_RULES)
        awaiting = (days is not None and days < 0 and label in AWAITING_PROPOSER
                    and not own_step_overdue(case, today, session_rules, calendar))
        progress = ""
        if case.units_expected and case.role in ("主办", "分办"):
            word = "分办答复" if case.role == "分办" else ("汇办意见" if of_session.body == "人大" else "会办意见")
            progress = f"{word} {case.units_received}/{case.units_expected}"
        found[case.id] = (
            case.id, case.version, of_session.name, case.number, case.title,
            case.lead_proposer.name if case.lead_proposer_id else "", case.role,
            case.division.name if case.division_id else "", case.owner.name if case.owner_id else "",
            case.status, label, due, days, working, countdown, case.last_followup_on, case.urge_count,
            case.urge_level, is_stale(case, today, session_rules), bool(case.next_due_estimated) and due is not None,
            of_session.body, progress, awaiting,
        )
    return found


def typed(values) -> list:
    """Values with their classes: True and 1, a date and its text, must not pass for each other."""
    return [(value.__class__, value) for value in values]


@pytest.mark.parametrize("day", DAYS)
def test_the_rows_equal_the_case_by_case_oracle(altered, day):
    today = d(day)
    oracle = oracle_rows(today)
    rows = ledger_rows(today=today)
    assert sorted(row.case_id for row in rows) == sorted(oracle) and len(oracle) == len(altered)
    for row in rows:
        assert typed(row) == typed(oracle[row.case_id]), row.number


def test_the_altered_cases_show_what_happened_to_them(altered, today):
    rows = {row.case_id: row for row in ledger_rows(today=today)}
    assert rows[altered["late"]].overdue and rows[altered["late"]].countdown.startswith("逾期")
    assert rows[altered["late"]].lead_proposer == "-张三"
    assert rows[altered["not yet due"]].days_left > 0 and not rows[altered["not yet due"]].overdue
    assert rows[altered["extended"]].next_due == d("2023-11-01")
    assert rows[altered["unsatisfied"]].status == "重新办理"
    assert (rows[altered["form awaited"]].awaiting_proposer, rows[altered["form awaited"]].overdue) == (True, False)
    assert rows[altered["form awaited"]].working_days_left is not None
    assert rows[altered["own step late"]].overdue and not rows[altered["own step late"]].awaiting_proposer
    assert (rows[altered["contributing"]].body, rows[altered["contributing"]].role_label) == ("政协", "会办")
    assert rows[altered["co-units"]].units_progress == "汇办意见 1/2"
    assert (rows[altered["urged"]].urge_count, rows[altered["urged"]].owner) == (2, "刘科长")
    assert rows[altered["closed"]].countdown == "已办结" and not rows[altered["closed"]].stale
    assert rows[altered["stale"]].last_followup_on == today and not rows[altered["stale"]].stale
    stale_on = {day: next(row.stale for row in ledger_rows(today=d(day)) if row.case_id == altered["stale"])
                for day in ("2023-09-03", "2023-09-04")}
    assert stale_on == {"2023-09-03": False, "2023-09-04": True}  # 3 days without a follow-up (the quick session)


@pytest.mark.parametrize("day", DAYS[:3])
def test_the_rows_figures_equal_plain_sql(altered, day):
    today = d(day)
    rows = ledger_rows(today=today)
    (count,), = sql('SELECT COUNT(*) FROM "case"')
    assert len(rows) == count == len(altered)
    held = {case_id: (due, urges, level, expected, received) for case_id, due, urges, level, expected, received
            in sql('SELECT id, next_due, urge_count, urge_level, units_expected, units_received FROM "case"')}
    urges = dict(sql('SELECT c.id, COUNT(e.id) FROM "case" c LEFT JOIN event e ON e.case_id = c.id AND e.kind = ? '
                     'AND e.id NOT IN (SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL) GROUP BY c.id', "催办"))
    for row in rows:
        due, urge_count, level, expected, received = held[row.case_id]
        assert row.next_due == (None if due is None else dt.date.fromisoformat(str(due)[:10]))
        assert row.days_left == (None if due is None else (row.next_due - today).days)
        assert row.urge_count == urge_count == urges[row.case_id] and row.urge_level == level
        assert row.units_progress == ("" if not expected else row.units_progress.split(" ")[0] + f" {received}/{expected}")
    (late,), = sql('SELECT COUNT(*) FROM "case" WHERE next_due < ?', today.isoformat())
    assert sum(row.days_left is not None and row.days_left < 0 for row in rows) == late
    order = [case_id for (case_id,) in sql('SELECT id FROM "case" ORDER BY CASE WHEN next_due IS NULL THEN 1 ELSE 0 END, '
                                           'next_due, number, id')]
    assert [row.case_id for row in rows] == order


def test_rows_named_from_whole_tables_equal_rows_named_by_id(altered, today, monkeypatch):
    """A read of more than `_FEW` rows names them from whole tables; a window, by the ids it holds."""
    by_id = {kind: ledger_rows(today=today, **kwargs) for kind, kwargs in
             (("whole", {}), ("window", {"limit": 4, "offset": 3}), ("search", {"search": "逾期"}),
              ("cases", {"case_ids": [altered["urged"], altered["late"]]}), ("division", {"order": "division"}))}
    monkeypatch.setattr(ledger_module, "_FEW", 2)
    for kind, kwargs in (("whole", {}), ("window", {"limit": 4, "offset": 3}), ("search", {"search": "逾期"}),
                         ("cases", {"case_ids": [altered["urged"], altered["late"]]}), ("division", {"order": "division"})):
        assert typed(map(tuple, ledger_rows(today=today, **kwargs))) == typed(map(tuple, by_id[kind])), kind
    assert by_id["window"] == by_id["whole"][3:7]
    assert {row.number for row in by_id["search"]} == {"0001", "0006"}


def _csv_by_cell(rows, lineterminator: str) -> str:
    """The CSV as one `_csv_cell` a value of each `COLUMNS` reader gives it, row by row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow(export.HEADERS)
    for row in rows:
        values = [read(row) for _, read in export.COLUMNS]
        writer.writerow([export._csv_cell(value.isoformat() if isinstance(value, dt.date) else value)
                         for value in values])
    return buffer.getvalue()


@pytest.mark.parametrize("day", DAYS[:3])
def test_the_csv_export_equals_the_records_and_the_cell_by_cell_text(altered, day):
    today = d(day)
    for to_file, end in ((True, "\r\n"), (False, "\n")):
        text, count = export.ledger_text("csv", to_file=to_file, today=today)
        assert count == len(altered)
        assert text == export.to_csv(export.ledger_records(today=today), lineterminator=end)
        assert text == _csv_by_cell(ledger_rows(today=today, order="number"), end)
    lines = list(csv.reader(io.StringIO(text)))
    by_number = {line[1]: line for line in lines[1:]}
    assert by_number["0007"][2] == "'=HYPERLINK(\"x\")" and by_number["0008"][2] == "'+主办会办"
    assert by_number["0001"][3] == "'-张三" and by_number["0007"][4] == "会办"
    assert by_number["0009"][13:15] == ["2", "二次催办"]
    if today == d(DAYS[0]):
        assert by_number["0001"][16] == "是" and by_number["0005"][16] == "否"  # 待评价 is not 逾期


def test_the_csv_export_reports_progress_as_a_row_by_row_ticker(ledger, today):
    for i in range(230):  # more than 100 rows: the ticker reports every other one
        new_case(f"{i:04d}", title=f"第{i}件")
    told, expected = [], []
    export.ledger_text("csv", to_file=True, today=today, progress=lambda *call: told.append(call))
    ticker = Ticker(lambda *call: expected.append(call), 230, "导出")
    for done in range(1, 231):
        ticker.tick(done)
    ticker.finish()
    assert told == expected and told[-1] == (230, 230, "导出")


def test_an_empty_ledger_gives_no_rows_and_a_header_only_export(ledger, today, monkeypatch):
    assert ledger_rows(today=today) == [] and ledger_rows(today=today, limit=5) == []
    monkeypatch.setattr(ledger_module, "_FEW", 1)
    assert ledger_rows(today=today) == []
    assert export.ledger_text("csv", to_file=True, today=today) == (",".join(export.HEADERS) + "\r\n", 0)
    assert export.ledger_text("json", to_file=True, today=today) == ("[]\n", 0)


def test_a_csv_export_does_not_load_the_xlsx_writer_and_its_names_are_still_there():
    code = ("import sys; import store.io.export as e; assert 'store.io.export_xlsx' not in sys.modules; "
            "from store.io.export import write_xlsx; import store.io.export_xlsx as x; "
            "assert write_xlsx is x.write_xlsx and e.XLSX_SHEET == x.XLSX_SHEET")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError):
        export.no_such_name  # noqa: B018
