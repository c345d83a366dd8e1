"""处室与人员 in the store: every write and its 变更记录, refusals writing nothing, pickers, 分派."""

from __future__ import annotations

import pytest
from store_helpers import OPERATOR, new_case

from store import actions, office, queries
from store.errors import LedgerError
from store.models import ChangeRecord
from store_helpers import run_sql


def count(sql: str, *params) -> int:
    return run_sql(sql, params).fetchone()[0]


def tables() -> tuple:
    """Every row an office write could touch, read with plain SQL."""
    sql = run_sql
    return (
        sql("SELECT id, name, sort_order, retired_on FROM division ORDER BY id").fetchall(),
        sql("SELECT id, name, division_id, title, post, phone, supervises, retired_on FROM person ORDER BY id").fetchall(),
        count("SELECT COUNT(*) FROM change_record"),
        sql("SELECT id, division_id, owner_id, leader_id, version FROM \"case\" ORDER BY id").fetchall(),
        count("SELECT COUNT(*) FROM event"),
    )


def refused(call, *args, match: str, **kwargs) -> None:
    before = tables()
    with pytest.raises(LedgerError, match=match):
        call(*args, **kwargs)
    assert tables() == before


def last_change() -> ChangeRecord:
    return ChangeRecord.select().order_by(ChangeRecord.id.desc()).first()


@pytest.fixture
def org(ledger, today):
    data = office.add_division(OPERATOR, "数据资源处").id
    service = office.add_division(OPERATOR, "政务服务处").id
    zhou = office.add_person(OPERATOR, "周敏", division_id=data, title="经办人", post="建议提案办理岗",
                             phone="13812345678").id
    leader = office.add_person(OPERATOR, "陈局", division_id=None, title="分管局领导").id
    return {"data": data, "service": service, "zhou": zhou, "leader": leader}


def test_divisions_added_renamed_moved_retired_and_restored_each_leave_a_change_record(ledger, today):
    first = office.add_division(OPERATOR, "  综合处 ")
    assert count("SELECT COUNT(*) FROM division WHERE name = '综合处'") == 1
    change = last_change()
    assert (change.area, change.subject, change.action, change.operator) == ("处室", "综合处", "新增", OPERATOR)
    assert change.data["after"]["name"] == "综合处"
    second = office.add_division(OPERATOR, "数据资源处")
    assert [d.name for d in queries.divisions()] == ["综合处", "数据资源处"]  # office order, not by name

    office.rename_division(OPERATOR, second.id, "数据管理处", note="机构改革")
    change = last_change()
    assert (change.action, change.note, change.data["before"], change.data["after"]) == (
        "改名", "机构改革", {"name": "数据资源处"}, {"name": "数据管理处"})

    office.move_division(OPERATOR, second.id, -1)
    assert [d.name for d in queries.divisions()] == ["数据管理处", "综合处"]
    assert last_change().data == {"before": {"order": ["综合处", "数据管理处"]},
                                  "after": {"order": ["数据管理处", "综合处"]}}
    assert office.move_division(OPERATOR, second.id, -1).changed is False  # already first: nothing written
    office.reorder_division(OPERATOR, first.id, 5)
    assert [d.name for d in queries.divisions()] == ["综合处", "数据管理处"]
    assert last_change().data == {"before": {"sort_order": 20}, "after": {"sort_order": 5}}

    office.retire_division(OPERATOR, first.id, note="合并")
    assert count("SELECT COUNT(*) FROM division WHERE retired_on IS NOT NULL") == 1
    assert [d.name for d in queries.divisions()] == ["数据管理处"]
    assert [d.name for d in queries.divisions(include_retired=True)] == ["综合处", "数据管理处"]
    assert (last_change().action, last_change().data["after"]["retired_on"]) == ("停用", today.isoformat())
    office.restore_division(OPERATOR, first.id)
    assert last_change().action == "恢复"
    assert count("SELECT COUNT(*) FROM division WHERE retired_on IS NOT NULL") == 0
    assert count("SELECT COUNT(*) FROM change_record WHERE area = '处室'") == 7


@pytest.mark.parametrize("name, match", [
    ("", "请填写处室名称"), ("   ", "请填写处室名称"), ("处" * 51, "过长"), ("综合\x1b[31m处", "控制字符"),
    ("数据资源处", "已有处室"), (" 数据资源处 ", "已有处室"),
])
def test_bad_or_duplicate_division_names_are_refused_and_write_nothing(org, name, match):
    refused(office.add_division, OPERATOR, name, match=match)


def test_a_name_differing_only_in_letter_case_is_a_duplicate(ledger, today):
    office.add_division(OPERATOR, "IT处")
    refused(office.add_division, OPERATOR, " it处", match="已有处室")


def test_a_division_with_current_people_cannot_be_retired(org):
    refused(office.retire_division, OPERATOR, org["data"], match="还有1名在任人员（周敏）")
    refused(office.rename_division, OPERATOR, org["data"], "政务服务处", match="已有处室")
    refused(office.add_division, "", "新处", match="操作人")


def test_people_added_updated_transferred_retired_restored_with_change_records(org, today):
    assert count("SELECT COUNT(*) FROM person") == 2
    added = ChangeRecord.select().where((ChangeRecord.area == "人员") & (ChangeRecord.action == "新增")).count()
    assert added == 2
    office.update_person(OPERATOR, org["zhou"], phone="13900000000", post="综合岗")
    change = last_change()
    assert (change.area, change.subject, change.action) == ("人员", "周敏", "修改")
    assert change.data["before"] == {"phone": "13812345678", "post": "建议提案办理岗"}
    assert change.data["after"] == {"phone": "13900000000", "post": "综合岗"}
    office.update_person(OPERATOR, org["zhou"], division_id=org["service"], note="轮岗")
    change = last_change()
    assert (change.action, change.note) == ("调动", "轮岗")
    assert change.data["before"]["division"] == "数据资源处" and change.data["after"]["division"] == "政务服务处"
    assert count("SELECT division_id FROM person WHERE id = ?", org["zhou"]) == org["service"]
    assert office.update_person(OPERATOR, org["zhou"], phone="13900000000").changed is False
    changes = count("SELECT COUNT(*) FROM change_record")
    office.retire_person(OPERATOR, org["zhou"], note="调离")
    assert count("SELECT COUNT(*) FROM person WHERE retired_on IS NOT NULL") == 1
    assert last_change().action == "停用"
    refused(office.update_person, OPERATOR, org["zhou"], post="x", match="已停用")
    refused(office.retire_person, OPERATOR, org["zhou"], match="已于")
    office.restore_person(OPERATOR, org["zhou"])
    assert last_change().action == "恢复"
    assert count("SELECT COUNT(*) FROM change_record") == changes + 2
    assert count("SELECT COUNT(*) FROM person WHERE retired_on IS NOT NULL") == 0


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "", "title": "经办人"}, "请填写姓名"),
    ({"name": "张\x07三", "title": "经办人"}, "控制字符"),
    ({"name": "张三", "title": "科长"}, "职务“科长”无效"),
    ({"name": "张三", "title": "经办人", "no_division": True}, "须属于一个处室"),
    ({"name": "周敏", "title": "处长"}, "已有“周敏”"),
    ({"name": "张三", "title": "经办人", "phone": "无"}, "没有数字"),
    ({"name": "张三", "title": "经办人", "post": "岗" * 101}, "岗位过长"),
])
def test_bad_people_are_refused_and_write_nothing(org, kwargs, match):
    kwargs = dict(kwargs)  # the parameter is shared by both engines' runs: pop from a copy
    division = None if kwargs.pop("no_division", False) else org["data"]
    name = kwargs.pop("name")
    refused(office.add_person, OPERATOR, name, division_id=division, match=match, **kwargs)


def test_nobody_is_put_into_a_retired_division(org):
    office.retire_division(OPERATOR, org["service"])
    refused(office.add_person, OPERATOR, "张三", division_id=org["service"], title="经办人", match="已停用")
    refused(office.update_person, OPERATOR, org["zhou"], division_id=org["service"], match="已停用")


def test_supervision_is_set_in_office_order_and_only_for_leaders(org):
    office.set_supervision(OPERATOR, org["leader"], [org["service"], org["data"], org["data"]])
    change = last_change()
    assert (change.area, change.action) == ("人员", "分管")
    assert change.data["after"] == {"supervises": [org["data"], org["service"]], "names": ["数据资源处", "政务服务处"]}
    assert run_sql("SELECT supervises FROM person WHERE id = ?",
                                    (org["leader"],)).fetchone()[0] == f"[{org['data']}, {org['service']}]"
    tree = office.office_tree()
    assert tree.leaders[0].supervises_names == ("数据资源处", "政务服务处")
    refused(office.set_supervision, OPERATOR, org["zhou"], [org["data"]], match="只有分管局领导、局长分管处室")
    refused(office.set_supervision, OPERATOR, org["leader"], [9999], match="已不存在")
    # a leader who becomes a 处长 stops supervising
    office.update_person(OPERATOR, org["leader"], title="处长", division_id=org["data"])
    assert run_sql("SELECT supervises FROM person WHERE id = ?",
                                    (org["leader"],)).fetchone()[0] == "[]"


def test_a_retired_person_leaves_the_pickers_but_stays_on_old_cases_and_events(org, today):
    case_id = new_case()
    actions.sign_for(case_id, OPERATOR)
    actions.assign(case_id, OPERATOR, division=org["data"], owner=org["zhou"], leader=org["leader"])
    office.retire_person(OPERATOR, org["zhou"])
    assert [p.name for p in queries.people()] == ["陈局"]
    assert {p.name for p in queries.people(include_retired=True)} == {"周敏", "陈局"}
    card = queries.case_card(case_id)
    assert card.owner == "周敏"
    assert count("SELECT COUNT(*) FROM event WHERE case_id = ? AND kind = '分派'", case_id) == 1
    tree = office.office_tree()
    zhou = next(p for d in tree.divisions for p in d.people if p.id == org["zhou"])
    assert zhou.retired and zhou.name == "周敏"
    assert [p.name for d in office.office_tree(include_retired=False).divisions for p in d.people] == []


def test_assign_refuses_a_retired_division_owner_or_leader(org, today):
    case_id = new_case()
    actions.sign_for(case_id, OPERATOR)
    office.retire_person(OPERATOR, org["zhou"])
    refused(actions.assign, case_id, OPERATOR, division=org["data"], owner=org["zhou"], match="责任人“周敏”已于")
    helper = office.add_person(OPERATOR, "李干事", division_id=org["service"], title="经办人").id
    office.retire_person(OPERATOR, org["leader"])
    refused(actions.assign, case_id, OPERATOR, division=org["service"], owner=helper, leader=org["leader"],
            match="分管领导“陈局”已于")
    office.retire_person(OPERATOR, helper)
    office.retire_division(OPERATOR, org["service"])
    refused(actions.assign, case_id, OPERATOR, division=org["service"], match="处室“政务服务处”已于")
    office.restore_person(OPERATOR, org["leader"])
    actions.assign(case_id, OPERATOR, division=org["data"], leader=org["leader"])  # current ones still work
    assert count("SELECT division_id FROM \"case\" WHERE id = ?", case_id) == org["data"]


def test_retiring_a_division_with_open_cases_says_to_reassign_them(org, today):
    case_id = new_case()
    actions.sign_for(case_id, OPERATOR)
    actions.assign(case_id, OPERATOR, division=org["service"])
    saved = office.retire_division(OPERATOR, org["service"])
    assert "仍有1件在办案件" in saved.message
    assert queries.case_card(case_id).division == "政务服务处"


def test_restoring_a_person_whose_division_is_retired_is_refused(org):
    office.retire_person(OPERATOR, org["zhou"])
    office.retire_division(OPERATOR, org["data"])
    refused(office.restore_person, OPERATOR, org["zhou"], match="请先恢复该处室")


def test_an_empty_ledger_has_an_empty_office(ledger, today):
    tree = office.office_tree()
    assert tree.empty and queries.divisions() == [] and queries.people() == []
    assert count("SELECT COUNT(*) FROM change_record") == 0
