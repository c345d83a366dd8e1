"""The documents from the command line: `report summary [--full]`, `report weekly --format docx`,
`notice --division` / `notice --case --unit` and `form`, each as text and as a Word file;
the refusals (unknown division, case or unit, docx without --out) on a ledger and on an
empty one. Every file written is read back (python-docx for .docx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from store import actions
from store.db import close_database, open_database
from store.io.docx_letter import docx_texts

SESSION = "市七届人大四次会议"
TODAY = "2023-07-03"  # a Monday: the reply of 20230001 was due 2023-06-10, its co-units' opinions 2023-04-10
TITLE = "关于推进[red]政务数据共享的建议\x1b]2;x\x07"


@pytest.fixture
def documents_ledger(tmp_path) -> Path:
    """A 主办 case with two co-units, overdue at 数据资源处; a 承办 case answered (its form; its 评价 overdue);
    another division with no case."""
    path = tmp_path / "docs.db"
    open_database(path)
    try:
        session = actions.ensure_session(SESSION, body="人大", year=2023, assigned_on=dt.date(2023, 3, 10))
        resources = actions.ensure_division("数据资源处")
        actions.ensure_division("政务服务处")
        proposer = actions.ensure_proposer("李四", group="福田代表团", phone="13800138000")
        lead = actions.create_case("测试", session=session, number="20230001", title=TITLE, role="主办",
                                   assigned_on=dt.date(2023, 3, 10), lead_proposer=proposer,
                                   co_units=["市教育局", "市规划和自然资源局"])
        answered = actions.create_case("测试", session=session, number="20230002", title="关于优化政务服务的建议",
                                       role="承办", assigned_on=dt.date(2023, 3, 10), lead_proposer=proposer)
        for recorded in (lead, answered):
            actions.sign_for(recorded.case_id, "测试", on=dt.date(2023, 3, 14))
            actions.assign(recorded.case_id, "测试", division=resources)
        actions.reply(answered.case_id, "测试", on=dt.date(2023, 5, 20), doc_no="深政数函〔2023〕84号",
                      result_class="A", summary="已推进")
    finally:
        close_database()
    return path


def run(cli, ledger, *args):
    return cli(*args, "--db", ledger, "--today", TODAY)


def sql(ledger: Path, query: str):
    db = open_database(ledger)
    try:
        return db.execute_sql(query).fetchall()
    finally:
        close_database()


def ledger_state(ledger: Path):
    """Everything a reading command must leave as it was."""
    return (sql(ledger, "SELECT count(*) FROM event"), sql(ledger, 'SELECT id, version FROM "case" ORDER BY id'))


# ---------------------------------------------------------------------------- 催办通知


def test_notice_to_a_division_as_text_and_as_word_records_nothing(cli, documents_ledger, tmp_path):
    before = ledger_state(documents_ledger)
    shown = run(cli, documents_ledger, "notice", "--division", "数据资源处", "--operator", "王秘书")
    assert shown.code == 0, shown
    assert shown.out.startswith("催办通知\n\n数据资源处：")
    assert "第20230001号" in shown.out and "王秘书" in shown.out
    overdue = sql(documents_ledger, "SELECT number FROM \"case\" WHERE next_due < '2023-07-03' ORDER BY number")
    assert overdue == [("20230001",), ("20230002",)]  # the reply, and the answered case's 评价
    assert f"以下{len(overdue)}件建议" in shown.out and "二、第20230002号" in shown.out
    out = tmp_path / "通知.docx"
    saved = run(cli, documents_ledger, "notice", "--division", "数据资源处", "--format", "docx", "--out", out,
                "--operator", "王秘书")
    assert saved.code == 0, saved
    assert str(out) in saved.out
    texts = docx_texts(out)
    assert texts[:2] == ["催办通知", "数据资源处："]
    assert any(t.startswith("一、第20230001号《关于推进[red]政务数据共享的建议␛]2;x␇》") for t in texts)
    assert texts[-2:] == ["2023年7月3日", "联系人：王秘书"]
    plain = tmp_path / "通知.txt"
    assert run(cli, documents_ledger, "notice", "--division", "数据资源处", "--out", plain,
               "--operator", "王秘书").code == 0
    saved_text = plain.read_text(encoding="utf-8-sig")
    assert "\x1b" not in saved_text and "␛]2;x␇" in saved_text
    assert ledger_state(documents_ledger) == before  # a preview: no urge recorded


def test_unit_notice_for_a_co_unit(cli, documents_ledger, tmp_path):
    shown = run(cli, documents_ledger, "notice", "--case", "20230001", "--unit", "市教育局")
    assert shown.code == 0, shown
    assert "市教育局" in shown.out and "第20230001号" in shown.out
    out = tmp_path / "单位.docx"
    saved = run(cli, documents_ledger, "notice", "--case", "第20230001号", "--session", SESSION, "--unit", "市教育局",
                "--format", "docx", "--out", out)
    assert saved.code == 0, saved
    texts = docx_texts(out)
    assert any("第20230001号" in t for t in texts) and any("市教育局" in t for t in texts)


@pytest.mark.parametrize("args, words", [
    (("notice", "--division", "没有这个处"), "没有名为“没有这个处”的承办处室"),
    (("notice", "--division", "政务服务处"), "政务服务处没有在办的件"),
    (("notice", "--case", "20239999", "--unit", "市教育局"), "没有第20239999号"),
    (("notice", "--case", "20230001", "--unit", "市卫健委"), "“市卫健委”不是第20230001号的"),
    (("notice", "--case", "20230001"), "须用 --unit"),
    (("notice", "--division", "数据资源处", "--unit", "市教育局"), "--unit 与 --case 一起用"),
    (("notice", "--division", "数据资源处", "--format", "docx"), "docx 格式须用 --out"),
    (("notice", "--division", "数据资源处", "--format", "pdf"), "不支持的通知格式“pdf”"),
    (("form", "20239999"), "没有第20239999号"),
    (("form", "20230001"), "尚未答复"),
    (("form", "20230002", "--format", "docx"), "docx 格式须用 --out"),
    (("form", "20230002", "--session", "没有的届次"), "台账中没有届次“没有的届次”"),
    (("report", "summary", "--format", "docx", "--out", "x.docx"), "请加上 --full"),
    (("report", "weekly", "--format", "docx"), "docx 格式须用 --out"),
    (("report", "weekly", "--format", "pdf"), "不支持的周报格式“pdf”"),
])
def test_refusals_are_one_sentence_and_change_nothing(cli, documents_ledger, args, words):
    before = ledger_state(documents_ledger)
    result = run(cli, documents_ledger, *args)
    assert result.code == 2, result
    assert words in result.err and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert ledger_state(documents_ledger) == before


def test_docx_without_out_is_refused_before_the_ledger_is_opened(cli, tmp_path):
    missing = tmp_path / "没有.db"
    for args in (("notice", "--division", "数据资源处", "--format", "docx"), ("form", "1", "--format", "docx"),
                 ("report", "weekly", "--format", "docx"), ("report", "summary", "--full", "--format", "docx")):
        result = cli(*args, "--db", missing)
        assert result.code == 2 and "须用 --out" in result.err, result
    assert not missing.exists()


# ------------------------------------------------------------------------------ 征询意见表


def test_form_as_text_and_as_word(cli, documents_ledger, tmp_path):
    shown = run(cli, documents_ledger, "form", "20230002")
    assert shown.code == 0, shown
    assert "征询意见表" in shown.out and "第20230002号" in shown.out
    out = tmp_path / "表.docx"
    saved = run(cli, documents_ledger, "form", "20230002", "--format", "docx", "--out", out)
    assert saved.code == 0, saved
    texts = docx_texts(out)
    assert "征询意见表" in texts[0] and any("第20230002号" in t for t in texts)
    assert any("满意" in t for t in texts)


# ----------------------------------------------------------------------------- reports


def test_weekly_report_in_word(cli, documents_ledger, tmp_path):
    out = tmp_path / "周报.docx"
    result = run(cli, documents_ledger, "report", "weekly", "--week", "2023-W27", "--format", "docx", "--out", out)
    assert result.code == 0, result
    texts = docx_texts(out)
    assert texts[0].startswith("督办周报（2023-W27")
    (overdue,), = sql(documents_ledger, "SELECT count(*) FROM \"case\" WHERE next_due < '2023-07-03'")
    assert overdue == 2
    assert f"数据资源处\t2\t{overdue}\t0\t0" in texts  # two open cases, both overdue
    for fmt in ("md", "xlsx"):
        other = tmp_path / f"周报.{fmt}"
        assert run(cli, documents_ledger, "report", "weekly", "--week", "2023-W27", "--format", fmt,
                   "--out", other).code == 0
        assert other.stat().st_size > 0


def test_summary_without_full_is_as_before_and_full_writes_four_parts(cli, documents_ledger, tmp_path):
    basic = run(cli, documents_ledger, "report", "summary")
    assert basic.code == 0, basic
    assert "二、" not in basic.out
    full = run(cli, documents_ledger, "report", "summary", "--full")
    assert full.code == 0, full
    assert "一、基本情况" in full.out and len(full.out) > len(basic.out)
    out = tmp_path / "总结.docx"
    saved = run(cli, documents_ledger, "report", "summary", "--full", "--session", SESSION, "--format", "docx",
                "--out", out)
    assert saved.code == 0, saved
    texts = docx_texts(out)
    assert "一、基本情况" in texts
    plain = tmp_path / "总结.txt"
    assert run(cli, documents_ledger, "report", "summary", "--full", "--out", plain).code == 0
    assert "一、基本情况" in plain.read_text(encoding="utf-8-sig")


# --------------------------------------------------------------------------- empty ledger


@pytest.fixture
def empty_ledger(tmp_path) -> Path:
    path = tmp_path / "empty.db"
    open_database(path)
    close_database()
    return path


@pytest.mark.parametrize("args, words", [
    (("notice", "--division", "数据资源处"), "台账中还没有分派到处室的件"),
    (("notice", "--case", "1", "--unit", "市教育局"), "台账中没有第1号"),
    (("form", "1"), "台账中没有第1号"),
    (("report", "summary", "--full", "--format", "docx", "--out", "{tmp}/s.docx"), "还没有任何届次"),
])
def test_on_an_empty_ledger_each_document_says_why_not(cli, empty_ledger, tmp_path, args, words):
    result = run(cli, empty_ledger, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.code == 2, result
    assert words in result.err
    assert not (tmp_path / "s.docx").exists()


def test_on_an_empty_ledger_the_weekly_report_and_the_summary_still_write(cli, empty_ledger, tmp_path):
    out = tmp_path / "周报.docx"
    assert run(cli, empty_ledger, "report", "weekly", "--format", "docx", "--out", out).code == 0
    assert "下周没有到期或已逾期的事项。" in docx_texts(out)
    summary = run(cli, empty_ledger, "report", "summary", "--full")
    assert summary.code == 0 and "还没有任何届次" in summary.out
