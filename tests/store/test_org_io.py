"""处室与人员 xlsx: export -> import round trip, all-or-nothing with numbered errors, idempotence."""

from __future__ import annotations

import openpyxl
import pytest
from store_helpers import OPERATOR

from store import office
from store.db import close_database, open_database
from store.io import org
from store.io.importer import ImportRefused
from store_helpers import run_sql

HEADER = ["处室", "处室顺序", "姓名", "职务", "岗位", "电话", "分管处室", "状态"]
GOOD = [
    ["综合处", 10, "张三", "处长", "", "0755-88886666", None, "在任"],
    ["综合处", 10, "李四", "经办人", "建议提案办理岗", 13800001111, None, ""],
    ["数据资源处", 20, "周敏", "经办人", "", "", None, ""],
    ["数据资源处", 20, "吴刚", "经办人", "", "", None, "停用"],
    ["新设处", 30, None, None, None, None, None, None],
    [None, None, "王局", "分管局领导", "", "", "综合处、数据资源处", ""],
]


def write(path, rows, header=HEADER):
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def sql(query: str, *params):
    return run_sql(query, params).fetchall()


def counts() -> tuple[int, int, int]:
    return tuple(sql(f"SELECT COUNT(*) FROM {table}")[0][0] for table in ("division", "person", "change_record"))


def office_rows() -> list[tuple]:
    return sql("SELECT d.name, d.sort_order, d.retired_on IS NOT NULL, p.name, p.title, p.post, p.phone, "
               "p.supervises, p.retired_on IS NOT NULL FROM person p LEFT JOIN division d ON d.id = p.division_id "
               "ORDER BY p.name")


def test_a_good_file_creates_the_office_with_change_records(ledger, today, tmp_path):
    result = org.import_org_file(write(tmp_path / "org.xlsx", GOOD), OPERATOR)
    assert (len(result.divisions_created), len(result.people_created)) == (3, 5)
    assert sql("SELECT name, sort_order FROM division ORDER BY sort_order") == [
        ("综合处", 10), ("数据资源处", 20), ("新设处", 30)]
    assert sql("SELECT name FROM person WHERE retired_on IS NOT NULL") == [("吴刚",)]
    assert sql("SELECT phone FROM person WHERE name = '李四'") == [("13800001111",)]
    ids = dict(sql("SELECT name, id FROM division"))
    assert sql("SELECT supervises FROM person WHERE name = '王局'") == [(f"[{ids['综合处']}, {ids['数据资源处']}]",)]
    # 3 divisions + 5 people + 1 retirement + 1 supervision
    assert counts() == (3, 5, 10)
    assert sql("SELECT COUNT(*) FROM change_record WHERE operator = ? AND note = '导入处室与人员'", OPERATOR) == [(10,)]


def test_importing_the_same_file_again_changes_nothing(ledger, today, tmp_path):
    path = write(tmp_path / "org.xlsx", GOOD)
    org.import_org_file(path, OPERATOR)
    before = (counts(), office_rows())
    again = org.import_org_file(path, OPERATOR)
    assert again.changes == 0 and again.unchanged == 3 + 5
    assert (counts(), office_rows()) == before


def test_a_dry_run_counts_what_would_happen_and_writes_nothing(ledger, today, tmp_path):
    result = org.import_org_file(write(tmp_path / "org.xlsx", GOOD), OPERATOR, dry_run=True)
    assert result.dry_run and (len(result.divisions_created), len(result.people_created)) == (3, 5)
    assert "将新增3个" in result.summary()
    assert counts() == (0, 0, 0)


def test_export_then_import_into_an_empty_ledger_gives_the_same_office(another_ledger, today, tmp_path):
    org.import_org_file(write(tmp_path / "org.xlsx", GOOD), OPERATOR)
    office.retire_division(OPERATOR, sql("SELECT id FROM division WHERE name = '新设处'")[0][0])
    original = office_rows()
    divisions = sql("SELECT name, sort_order, retired_on IS NOT NULL FROM division ORDER BY name")
    out = tmp_path / "导出.xlsx"
    assert org.export_org_file(out) == 6  # five people and the division without people
    exported = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert exported[0] == org.COLUMNS
    assert ("新设处", 30, "停用", None, None, None, None, None, None) in exported
    close_database()
    open_database(another_ledger("second"))
    result = org.import_org_file(out, OPERATOR)
    assert (len(result.divisions_created), len(result.people_created)) == (3, 5)
    assert office_rows() == original
    assert sql("SELECT name, sort_order, retired_on IS NOT NULL FROM division ORDER BY name") == divisions
    assert org.import_org_file(out, OPERATOR).changes == 0


def test_a_file_with_errors_is_refused_whole_with_numbered_errors(ledger, today, tmp_path):
    office.add_division(OPERATOR, "已有处")
    before = counts()
    rows = [
        ["综合处", 10, "张三", "科长", "", "", None, ""],  # line 2: not a title
        ["", None, "李四", "经办人", "", "", None, ""],  # line 3: a 经办人 without a division
        ["综合处", 20, "王五", "经办人", "", "", None, "休假"],  # line 4: order differs from line 2; bad state
        ["综合处", 10, "张三", "处长", "", "", None, ""],  # line 5: the same person again
        [None, None, "赵局", "分管局领导", "", "", "无此处", ""],  # line 6: unknown division
        ["数据处", None, "钱\u202e七", "经办人", "", "", None, ""],  # line 7: control character
        ["综合处", 10, "孙八", "经办人", "", "", "综合处", ""],  # line 8: 经办人 supervise nothing
        ["好处", 40, "周九", "经办人", "", "", None, ""],  # a good row: not written either
    ]
    with pytest.raises(ImportRefused) as refused:
        org.import_org_file(write(tmp_path / "bad.xlsx", rows), OPERATOR)
    errors = refused.value.errors
    assert "第2行「职务」：“科长”不是职务，应为经办人、副处长、处长、分管局领导、局长" in errors
    assert "第3行「处室」：经办人须属于一个处室，不能为空" in errors
    assert "第4行「处室顺序」：与第2行写的“综合处”不一致" in errors
    assert "第4行「状态」：“休假”应为在任或停用" in errors
    assert "第5行「姓名」：综合处的“张三”与第2行重复" in errors
    assert "第6行「分管处室」：没有名为“无此处”的处室（文件和台账中都没有）" in errors
    assert "第7行「姓名」：含有控制字符或不可见字符" in errors
    assert "第8行「分管处室」：只有分管局领导、局长分管处室，孙八是经办人" in errors
    assert len(errors) == 8
    assert "导入文件有8处错误，未写入任何内容" in refused.value.message
    assert counts() == before


def test_a_rule_of_the_office_refused_during_writing_rolls_back_everything(ledger, today, tmp_path):
    data = office.add_division(OPERATOR, "数据资源处").id
    office.add_person(OPERATOR, "周敏", division_id=data, title="经办人")
    before = (counts(), office_rows())
    rows = [["新处", 10, "甲", "经办人", "", "", None, ""],
            ["数据资源处", 20, None, None, None, None, None, None]]
    header = ["处室", "处室顺序", "姓名", "职务", "岗位", "电话", "分管处室", "状态"]
    # 数据资源处 marked 停用 while 周敏 (not in the file) still works there
    rows[1] = ["数据资源处", 20, None, None, None, None, None, None, "停用"]
    with pytest.raises(ImportRefused) as refused:
        org.import_org_file(write(tmp_path / "retire.xlsx", rows, header + ["处室状态"]), OPERATOR)
    assert refused.value.errors == ["第3行「处室状态」：处室“数据资源处”还有1名在任人员（周敏），"
                                    "请先把他们调到其他处室或停用，再停用处室"]
    assert (counts(), office_rows()) == before


def test_a_changed_file_updates_people_matched_by_name_and_division(ledger, today, tmp_path):
    org.import_org_file(write(tmp_path / "org.xlsx", GOOD), OPERATOR)
    changed = [list(row) for row in GOOD]
    changed[1][4] = "综合岗"  # 李四's post
    changed[3][7] = "在任"  # 吴刚 back
    result = org.import_org_file(write(tmp_path / "org2.xlsx", changed), OPERATOR)
    assert sorted(result.people_changed) == ["吴刚", "李四"] and not result.people_created
    assert sql("SELECT post FROM person WHERE name = '李四'") == [("综合岗",)]
    assert sql("SELECT COUNT(*) FROM person WHERE retired_on IS NOT NULL") == [(0,)]


def test_a_file_without_the_needed_columns_is_refused(ledger, today, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        org.import_org_file(write(tmp_path / "cols.xlsx", [["张三", "经办人"]], ["姓名", "岗位"]), OPERATOR)
    assert "第1行：找不到「处室」列（可写作：处室、处室名称、部门）" in refused.value.errors
    assert counts() == (0, 0, 0)


def test_exporting_an_empty_office_writes_only_the_header(ledger, today, tmp_path):
    out = tmp_path / "空.xlsx"
    assert org.export_org_file(out) == 0
    assert list(openpyxl.load_workbook(out).active.iter_rows(values_only=True)) == [org.COLUMNS]
