"""An import re-reads the cases it corrects after locking them: a case whose version moved since
the import compared it (or since the preview, with `seen_versions`) refuses the whole import in
Chinese, names the case, writes nothing and overwrites nobody. On both engines (`ledger`)."""

from __future__ import annotations

import pytest

from store import actions
from store.db import database
from store.errors import VersionConflict
from store.io import importer

from store_helpers import NPC_SESSION, OPERATOR, OTHER_OPERATOR, assigned_case

HEADER = ["编号", "案由", "办理方式", "主办单位", "交办日期"]
TABLE = [HEADER, ["0002", "清单更正的标题二", "主办", "", "2023-06-01"],
         ["0001", "清单更正的标题一", "主办", "", "2023-06-01"], ["0003", "清单新件", "主办", "", "2023-06-01"]]


def _sql(statement: str) -> list[tuple]:
    return [tuple(row) for row in database.obj.execute_sql(statement).fetchall()]


def _everything() -> list:
    return [_sql(f'SELECT * FROM "{table}" ORDER BY id') for table in ("session", "case", "event", "proposer")]


def test_a_case_changed_between_the_check_and_the_lock_refuses_the_import_whole(ledger, today, monkeypatch):
    first, second = assigned_case("0001"), assigned_case("0002")
    before = _everything()
    real = importer._Plan._lock_corrected

    def changed_meanwhile(plan, seen):  # another workstation's 修改 lands after the plan compared the case
        database.obj.execute_sql(f'UPDATE "case" SET title = \'另一工作站改的标题\', version = version + 1 '
                                 f"WHERE id = {second}")
        return real(plan, seen)

    monkeypatch.setattr(importer._Plan, "_lock_corrected", changed_meanwhile)
    with pytest.raises(VersionConflict) as refused:
        importer.import_table(TABLE, OPERATOR, session=NPC_SESSION)
    said = refused.value.message
    assert said.startswith("导入未写入任何内容：第0002号") and "第0001号" not in said
    assert "整份清单都没有导入" in said and "您的文件未作改动" in said
    assert _everything() == before
    monkeypatch.setattr(importer._Plan, "_lock_corrected", real)
    result = importer.import_table(TABLE, OPERATOR, session=NPC_SESSION)  # nothing in between: it lands
    assert result.updated == ["0002", "0001"] and result.created == ["0003"]
    assert _sql('SELECT number, title, version FROM "case" ORDER BY id') == [
        ("0001", "清单更正的标题一", 4), ("0002", "清单更正的标题二", 4), ("0003", "清单新件", 1)]
    assert _sql(f"SELECT COUNT(*) FROM event WHERE kind = '修改' AND case_id IN ({first}, {second})") == [(2,)]


def test_the_preview_s_versions_refuse_an_import_over_a_case_changed_since(ledger, today):
    first = assigned_case("0001")
    preview = importer.import_table(TABLE, OPERATOR, session=NPC_SESSION, dry_run=True)
    assert preview.updated == ["0001"] and preview.seen_versions == {first: 3}
    actions.edit_case(first, OTHER_OPERATOR, title="另一工作站改的标题")  # after the preview
    assigned_case("0002")  # a case the preview would have created, entered at another desk meanwhile
    before = _everything()
    with pytest.raises(VersionConflict) as refused:
        importer.import_table(TABLE, OPERATOR, session=NPC_SESSION, seen_versions=preview.seen_versions)
    said = refused.value.message
    assert "第0001号" in said and OTHER_OPERATOR in said and "修改" in said
    assert "第0002号（预览之后才登记" in said
    assert _everything() == before
    assert _sql(f'SELECT title FROM "case" WHERE id = {first}') == [("另一工作站改的标题",)]


def test_an_import_into_an_empty_ledger_has_nothing_to_recheck(ledger, today):
    result = importer.import_table(TABLE, OPERATOR, session=NPC_SESSION, seen_versions={})
    assert result.created == ["0002", "0001", "0003"] and result.seen_versions == {}
    assert _sql('SELECT COUNT(*) FROM "case"') == [(3,)] and _sql("SELECT COUNT(*) FROM event") == [(3,)]
