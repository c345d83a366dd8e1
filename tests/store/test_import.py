"""导入交办清单: a good list, a list with errors (nothing written), the same list twice, dry runs."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from store.io import importer
from store.models import Case, Event, Proposer, Session

from store_helpers import OPERATOR
from store_helpers import run_sql

SESSION = "市七届人大三次会议"
HEADER = ["序号", "编号", "案由", "领衔代表", "代表团", "附议代表", "办理方式", "主办单位", "会办单位", "交办日期", "联系电话"]
GOOD = [
    [1, "第20230001号", "关于推进政务数据共享的建议", "张三", "福田代表团", "李四、王五", "主办", "市政务服务数据管理局",
     "市发展改革委", dt.datetime(2023, 3, 20), "13800000000"],
    [2, 20230002, "关于优化营商环境的建议", "赵六", "南山代表团", "", "会办", "市发展改革委", "市政务服务数据管理局",
     "2023年3月20日", ""],
    [3, "20230003", "关于智慧城市建设的建议", "", "", "", "独办", "市政务服务数据管理局", "", 45005, ""],
]


def write_xlsx(path, rows, *, header=HEADER, title="市七届人大三次会议代表建议交办清单"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path, rows, *, header=HEADER, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else (v.strftime("%Y/%m/%d") if isinstance(v, dt.datetime) else v)
                             for v in row])
    return path


def counts():
    return Session.select().count(), Case.select().count(), Event.select().count(), Proposer.select().count()


def test_a_good_list_creates_its_cases_and_the_session(ledger, today, tmp_path):
    path = write_xlsx(tmp_path / "清单.xlsx", GOOD)

    result = importer.import_file(path, OPERATOR, session=SESSION)

    assert result.created == ["20230001", "20230002", "20230003"]
    assert result.sessions_created and SESSION in result.sessions_created[0]
    session = Session.get(Session.name == SESSION)
    assert (session.body, session.year) == ("人大", 2023)

    assert run_sql("SELECT operator, area, subject, action FROM change_record").fetchall() == [
        (OPERATOR, "届次", SESSION, "新增")]  # the new session leaves its 变更记录
    first = Case.get(Case.number == "20230001")
    assert first.role == "主办" and first.assigned_on == dt.date(2023, 3, 20)
    assert first.cosigners == ["李四", "王五"] and first.co_units == ["市发展改革委"]
    assert first.lead_proposer.name == "张三" and first.lead_proposer.phone == "13800000000"
    assert first.lead_proposer.group == "福田代表团"
    assert Case.get(Case.number == "20230002").role == "汇办"
    third = Case.get(Case.number == "20230003")
    assert third.role == "承办" and third.assigned_on == dt.date(2023, 3, 20)  # Excel serial 45005
    assert Event.select().where(Event.kind == "交办").count() == 3


def test_a_gbk_csv_with_other_spellings_is_read(ledger, today, tmp_path):
    header = ["提案编号", "题目", "领衔委员", "界别", "联名", "办理类型", "主办单位", "协办单位", "交办时间"]
    rows = [["1", "关于A的提案", "钱七", "经济界", "孙八", "协办", "市商务局", "", dt.datetime(2023, 4, 1)]]
    path = write_csv(tmp_path / "清单.csv", rows, header=header, encoding="gbk")

    result = importer.import_file(path, OPERATOR, session="市政协七届三次会议")

    case = Case.get(Case.number == "1")
    assert result.created == ["1"] and case.role == "汇办" and case.kind == "提案"
    assert case.session.body == "政协" and case.assigned_on == dt.date(2023, 4, 1)


def test_a_list_with_errors_writes_nothing_and_names_each_error(ledger, today, tmp_path):
    rows = GOOD + [
        [4, "20230001", "重复编号", "", "", "", "主办", "", "", "2023-03-20", ""],
        [5, "", "", "", "", "", "帮办", "", "", "2023-13-01", ""],
        [6, "20230006", "未来交办", "", "", "", "主办", "", "", "2023-12-01", ""],
    ]
    path = write_xlsx(tmp_path / "清单.xlsx", rows)
    before = counts()

    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_file(path, OPERATOR, session=SESSION)

    assert counts() == before
    errors = refused.value.errors
    assert "第6行「编号」：编号20230001与第3行重复" in errors
    assert "第7行「编号」：不能为空" in errors
    assert "第7行「案由」：不能为空" in errors
    assert any(e.startswith("第7行「办理方式」：“帮办”") for e in errors)
    assert any(e.startswith("第7行「交办日期」：") for e in errors)
    assert any(e.startswith("第8行「交办日期」：2023-12-01晚于今天") for e in errors)
    assert len(errors) == 6
    assert "未写入任何内容" in str(refused.value) and "6处错误" in str(refused.value)


def test_missing_columns_are_named(ledger, today, tmp_path):
    path = write_xlsx(tmp_path / "清单.xlsx", [["1", "标题", "张三"]], header=["编号", "标题", "领衔代表"], title="")
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_file(path, OPERATOR, session=SESSION)
    assert any("找不到「办理方式」列" in e for e in refused.value.errors)
    assert any("找不到「交办日期」列" in e for e in refused.value.errors)


def test_a_file_without_a_header_is_refused(ledger, today, tmp_path):
    path = write_xlsx(tmp_path / "清单.xlsx", [["a", "b", "c"]], header=["甲", "乙", "丙"], title="")
    with pytest.raises(importer.LedgerError, match="找不到表头"):
        importer.import_file(path, OPERATOR, session=SESSION)


def test_importing_the_same_list_twice_never_duplicates(ledger, today, tmp_path):
    path = write_xlsx(tmp_path / "清单.xlsx", GOOD)
    importer.import_file(path, OPERATOR, session=SESSION)
    before = counts()

    again = importer.import_file(path, OPERATOR, session=SESSION)

    assert again.created == [] and again.updated == []
    assert again.unchanged == ["20230001", "20230002", "20230003"]
    assert not again.notes and not again.sessions_created
    assert counts() == before


def test_a_changed_title_updates_the_case_with_a_修改_event(ledger, today, tmp_path):
    importer.import_file(write_xlsx(tmp_path / "a.xlsx", GOOD), OPERATOR, session=SESSION)
    changed = [list(row) for row in GOOD]
    changed[0][2] = "关于加快推进政务数据共享的建议"
    changed[1][6] = "主办"  # a role change is reported, not applied

    result = importer.import_file(write_xlsx(tmp_path / "b.xlsx", changed), OPERATOR, session=SESSION)

    assert result.updated == ["20230001"] and Case.select().count() == 3
    case = Case.get(Case.number == "20230001")
    assert case.title == "关于加快推进政务数据共享的建议"
    event = Event.select().where((Event.case == case.id) & (Event.kind == "修改")).get()
    assert event.data["before"]["title"] == "关于推进政务数据共享的建议"
    assert Case.get(Case.number == "20230002").role == "汇办"
    assert any("20230002" in note and "办理方式" in note and "未更新" in note for note in result.notes)


def test_a_dry_run_reports_the_same_and_writes_nothing(ledger, today, tmp_path):
    path = write_xlsx(tmp_path / "清单.xlsx", GOOD)
    before = counts()

    preview = importer.import_file(path, OPERATOR, session=SESSION, dry_run=True)

    assert counts() == before
    assert preview.created == ["20230001", "20230002", "20230003"] and preview.sessions_created
    assert "试导入" in preview.summary()
    real = importer.import_file(path, OPERATOR, session=SESSION)
    assert real.created == preview.created


def test_the_session_may_come_from_a_column(ledger, today, tmp_path):
    header = ["届次", "编号", "标题", "办理方式", "交办日期"]
    rows = [[SESSION, "1", "甲", "主办", "2023-03-20"], ["市政协七届三次会议", "1", "乙", "会办", "2023-03-21"]]
    result = importer.import_file(write_xlsx(tmp_path / "清单.xlsx", rows, header=header, title=""), OPERATOR)
    assert len(result.created) == 2 and len(result.sessions_created) == 2
    assert Case.select().count() == 2


def test_without_a_session_the_list_is_refused(ledger, today, tmp_path):
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_file(write_xlsx(tmp_path / "清单.xlsx", GOOD), OPERATOR)
    assert any("--session" in e for e in refused.value.errors)


@pytest.mark.parametrize("value, expected", [
    ("2026-03-20", dt.date(2026, 3, 20)), ("2026/3/20", dt.date(2026, 3, 20)),
    ("2026年3月20日", dt.date(2026, 3, 20)), (46101, dt.date(2026, 3, 20)),
    (dt.datetime(2026, 3, 20, 0, 0), dt.date(2026, 3, 20)), ("2026-03-20 00:00:00", dt.date(2026, 3, 20)),
])
def test_dates_in_the_forms_lists_use(value, expected):
    assert importer.parse_cell_date(value) == expected


def test_unreadable_files_are_refused(tmp_path):
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(importer.LedgerError, match="不是有效的 Excel"):
        importer.read_table(broken)
    with pytest.raises(importer.LedgerError, match="不存在"):
        importer.read_table(tmp_path / "无.xlsx")
    other = tmp_path / "清单.txt"
    other.write_text("x")
    with pytest.raises(importer.LedgerError, match="不是 .xlsx 或 .csv"):
        importer.read_table(other)
