"""Finding what a document is about from what a person types (store.io.documents): a case
number in one session or several, a division by name, a case's documents."""

from __future__ import annotations

import pytest

from store.errors import LedgerError
from store.io import documents

from store_helpers import CPPCC_SESSION, d, division, new_case, office_date, session


def test_a_case_number_is_found_and_a_shared_one_needs_its_session(ledger):
    npc = session()
    cppcc = session(CPPCC_SESSION, body="政协")
    first = new_case("20230489")
    other = new_case("20230489", session_row=cppcc)
    alone = new_case("20230490")
    assert documents.case_by_number("20230490") == alone
    assert documents.case_by_number("第20230490号") == alone
    with pytest.raises(LedgerError, match="都有，请用 --session 指定届次"):
        documents.case_by_number("20230489")
    assert documents.case_by_number("20230489", npc.id) == first
    assert documents.case_by_number("20230489", cppcc.id) == other
    with pytest.raises(LedgerError, match="该届次中没有第20230490号"):
        documents.case_by_number("20230490", cppcc.id)
    with pytest.raises(LedgerError, match="请给出案件编号"):
        documents.case_by_number("  ")
    (count,), = ledger.execute_sql("SELECT count(*) FROM \"case\" WHERE number = '20230489'").fetchall()
    assert count == 2


def test_the_documents_of_a_case(ledger):
    lead = new_case("20230489", co_units=["市教育局", "市规划和自然资源局", "市教育局"])
    helping = new_case("20230490", role="汇办")
    assert [(doc.what, doc.unit) for doc in documents.case_documents(lead)] == [
        ("form", ""), ("unit_notice", "市教育局"), ("unit_notice", "市规划和自然资源局")]
    assert [doc.what for doc in documents.case_documents(helping)] == ["form"]
    with pytest.raises(LedgerError, match="找不到该件"):
        documents.case_documents(999)
    with pytest.raises(LedgerError, match="没有“别的”这种文书"):
        documents.case_letter(lead, "别的")


def test_a_division_notice_names_the_known_divisions_when_the_name_is_wrong(ledger, today):
    with pytest.raises(LedgerError, match="台账中还没有分派到处室的件"):
        documents.division_notice("数据资源处", operator="王秘书")
    division("政务服务处")
    with pytest.raises(LedgerError, match="政务服务处没有在办的件"):
        documents.division_notice("政务服务处", operator="王秘书")
    from store import actions

    office_date("2023-06-01")
    case_id = new_case("20230489", assigned_on=d("2023-06-01"))
    actions.sign_for(case_id, "王秘书", on=d("2023-06-01"))
    actions.assign(case_id, "王秘书", division=division("数据资源处"))
    with pytest.raises(LedgerError, match="数据资源处没有逾期或滞后的件"):
        documents.division_notice("数据资源处", operator="王秘书")
    with pytest.raises(LedgerError, match="现有承办处室：数据资源处"):
        documents.division_notice("数据处", operator="王秘书")
    office_date("2023-09-05")
    notice = documents.division_notice(" 数据资源处 ", operator="王秘书")
    assert [case.label for case in notice.cases] == ["第20230489号"]
