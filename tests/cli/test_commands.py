"""The command line in-process: seed, export, report summary, and opening the desk."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from pathlib import Path

import pytest

import fixtures
from store import clock
from store.db import close_database, open_database
from store.io.export import HEADERS
from store.models import Case, Session
from tests.cli.conftest import REPO, assert_refused, state_of
from tests.cli.helpers import TRICKY_TITLE, small_ledger


def cases_in(path: Path) -> list[Case]:
    open_database(path, create=False)
    try:
        return list(Case.select().order_by(Case.number))
    finally:
        close_database()


@pytest.fixture(scope="module")
def sz2023_template(tmp_path_factory) -> Path:
    """sz2023 seeded once for the module (seeding takes a second or two)."""
    from tui.cli import main

    path = tmp_path_factory.mktemp("template") / "sz2023.db"
    assert main(["seed", "--fixture", "sz2023", "--db", str(path)]) == 0
    return path


@pytest.fixture
def sz2023(sz2023_template, tmp_path) -> Path:
    """A private copy of the sz2023 ledger."""
    path = tmp_path / "sz2023.db"
    path.write_bytes(sz2023_template.read_bytes())
    return path


# ------------------------------------------------------------------------------- seed


def test_seed_sz2023(cli, tmp_path):
    path = tmp_path / "sz2023.db"
    result = cli("seed", "--fixture", "sz2023", "--db", path)
    assert result.code == 0, result
    assert result.err == ""
    assert "sz2023" in result.out and "20件" in result.out
    assert len(cases_in(path)) == 20


def test_seed_live_counts_around_the_given_day(cli, tmp_path):
    path = tmp_path / "live.db"
    result = cli("seed", "--fixture", "live", "--db", path, "--today", "2024-05-20")
    assert result.code == 0, result
    rows = cases_in(path)
    assert rows
    assert all(case.assigned_on <= dt.date(2024, 5, 20) for case in rows)
    assert max(case.assigned_on for case in rows) > dt.date(2023, 5, 20)
    assert not clock.is_today_fixed()  # main put the clock back


def test_seed_synthetic_with_cases(cli, tmp_path):
    path = tmp_path / "synthetic.db"
    result = cli("seed", "--fixture", "synthetic", "--db", path, "--cases", "50")
    assert result.code == 0, result
    assert len(cases_in(path)) == 50


def test_seed_into_a_zero_length_file_is_refused(cli, tmp_path):
    """Issue 11: a zero-length file is not a ledger; nothing is written into it."""
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    result = cli("seed", "--fixture", "sz2023", "--db", path)
    assert result.code == 2 and "空文件" in result.err
    assert path.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["empty.db"]


def test_seed_twice_is_refused_and_leaves_the_ledger(cli, sz2023):
    before = state_of(sz2023)
    assert_refused(cli("seed", "--fixture", "sz2023", "--db", sz2023), must_mention="已有20件")
    assert_refused(cli("seed", "--fixture", "live", "--db", sz2023), must_mention="已有20件")
    assert state_of(sz2023) == before


def test_a_seed_that_fails_halfway_leaves_no_file(cli, tmp_path, monkeypatch):
    from store import actions
    from store.errors import LedgerError

    def half_a_seed(name, *, today=None, cases=None):
        actions.ensure_session("半途会议", body="人大", year=2023)
        raise LedgerError("示例数据写到一半出错了。")

    monkeypatch.setattr(fixtures, "seed", half_a_seed)
    path = tmp_path / "half.db"
    assert_refused(cli("seed", "--fixture", "live", "--db", path), must_mention="一半")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == []


def test_an_unexpected_failure_is_one_sentence_and_logged(cli, tmp_path, monkeypatch, isolated):
    def broken_seed(name, *, today=None, cases=None):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(fixtures, "seed", broken_seed)
    path = tmp_path / "broken.db"
    result = cli("seed", "--fixture", "live", "--db", path)
    assert result.code == 1
    assert "Traceback" not in result.text
    assert len(result.err.strip().splitlines()) == 1
    assert "意外错误" in result.err and "RuntimeError" in result.err
    assert not path.exists()
    logs = list((isolated / "state").rglob("duban.log"))
    assert len(logs) == 1 and "RuntimeError: boom" in logs[0].read_text(encoding="utf-8")
    assert str(logs[0]) in result.err


# ----------------------------------------------------------------------------- export


def _numbers(path: Path) -> list[str]:
    return [case.number for case in cases_in(path)]


def test_export_csv_to_a_file(cli, sz2023, tmp_path):
    out = tmp_path / "台账.csv"
    before = state_of(sz2023)
    result = cli("export", "--db", sz2023, "--format", "csv", "--out", out, "--today", "2023-09-19")
    assert result.code == 0, result
    assert "20件" in result.out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as "this is UTF-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == HEADERS
    for header in ("届次", "编号", "标题", "领衔", "办理方式", "处室", "责任人", "状态", "下一期限(事项)",
                   "下一期限(日期)", "倒计时", "最近跟进", "催办次数", "是否滞后"):
        assert header in rows[0]
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert len(body) == 20
    assert sorted(row["编号"] for row in body) == sorted(_numbers(sz2023))
    assert {row["届次"] for row in body} == {"市七届人大四次会议"}
    assert sorted(row["办理方式"] for row in body).count("汇办") == 12
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}|", row["最近跟进"]) for row in body)
    assert state_of(sz2023) == before


def test_export_json_to_stdout(cli, sz2023):
    result = cli("export", "--db", sz2023, "--format", "json")
    assert result.code == 0, result
    records = json.loads(result.out)
    assert isinstance(records, list) and len(records) == 20
    assert all(tuple(record) == HEADERS for record in records)
    assert "\\u" not in result.out  # Chinese as Chinese
    assert any(record["编号"] == "20230489" for record in records)
    assert all(isinstance(record["催办次数"], int) and isinstance(record["是否滞后"], bool) for record in records)


def test_export_json_to_a_file_and_csv_to_stdout(cli, sz2023, tmp_path):
    out = tmp_path / "ledger.json"
    assert cli("export", "--db", sz2023, "--format", "JSON", "--out", out).code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 20
    result = cli("export", "--db", sz2023, "--format", "csv")
    assert result.code == 0
    assert not result.out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 20


def test_export_counts_as_of_today(cli, sz2023):
    early = json.loads(cli("export", "--db", sz2023, "--format", "json", "--today", "2023-03-20").out)
    late = json.loads(cli("export", "--db", sz2023, "--format", "json", "--today", "2023-09-19").out)
    assert [r["剩余天数"] for r in early] != [r["剩余天数"] for r in late]


def test_export_one_session(cli, tmp_path):
    path = tmp_path / "live.db"
    assert cli("seed", "--fixture", "live", "--db", path, "--today", "2024-05-20").code == 0
    everything = json.loads(cli("export", "--db", path, "--format", "json").out)
    sessions = sorted({record["届次"] for record in everything})
    assert len(sessions) >= 2
    one = json.loads(cli("export", "--db", path, "--format", "json", "--session", sessions[0]).out)
    assert one and {record["届次"] for record in one} == {sessions[0]}
    assert len(one) < len(everything)


def test_export_keeps_text_but_guards_formulas_in_csv_only(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    out = tmp_path / "out.csv"
    assert cli("export", "--db", ledger, "--format", "csv", "--out", out).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert len(rows) == 3
    assert rows[0]["标题"] == "'" + TRICKY_TITLE  # commas and newline survive; the formula is text
    assert rows[0]["领衔"] == "李四" and rows[0]["处室"] == "数据资源处" and rows[0]["责任人"] == "张三"
    assert "13800138000" not in out.read_text(encoding="utf-8-sig")  # phones are never exported
    records = json.loads(cli("export", "--db", ledger, "--format", "json").out)
    assert records[0]["标题"] == TRICKY_TITLE


def test_export_overwrites_an_earlier_export(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    out = tmp_path / "out.csv"
    out.write_text("old export\n", encoding="utf-8")
    assert cli("export", "--db", ledger, "--format", "csv", "--out", out).code == 0
    assert "old export" not in out.read_text(encoding="utf-8-sig")
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != "home")
    assert left == ["ledger.db", "out.csv"]  # no temporary file left behind


# ----------------------------------------------------------------------------- report


SZ2023_OPENING = ("市七届人大四次会议期间，我局共接收办理市人大代表建议件20件，"
                  "其中主办3件、承办2件、分办3件、汇办12件。")


def test_report_summary_of_sz2023(cli, sz2023):
    result = cli("report", "summary", "--db", sz2023, "--session", "市七届人大四次会议")
    assert result.code == 0, result
    text = result.out
    assert text.startswith(SZ2023_OPENING)
    assert "所有建议均按时签收、按时答复" in text
    assert "需要人大代表进行评价的建议共8件，目前已收到评价7件，代表对办理结果均评价为满意" in text
    open_database(sz2023, create=False)
    disclosed = Case.select().where(Case.disclosure == "公开").count()
    withheld = Case.select().where(Case.disclosure == "不公开").count()
    close_database()
    assert disclosed > 0
    assert f"共公开{disclosed}件" in text
    if withheld:
        assert f"{withheld}件经审查不予公开" in text
    assert re.search(r"A类（已经解决或基本解决）\d+件，占[\d.]+%", text)


def test_report_summary_follows_a_late_case_and_a_lesser_evaluation(cli, sz2023):
    open_database(sz2023, create=False)
    late = Case.select().where(Case.role == "汇办").order_by(Case.number).first()
    Case.update(signed_on=late.assigned_on + dt.timedelta(days=15)).where(Case.id == late.id).execute()
    answered_late = Case.select().where(Case.role == "主办").order_by(Case.number).first()
    Case.update(replied_on=answered_late.assigned_on + dt.timedelta(days=120)).where(
        Case.id == answered_late.id).execute()
    lesser = Case.select().where(Case.evaluation == "满意").order_by(Case.number).first()
    Case.update(evaluation="基本满意").where(Case.id == lesser.id).execute()
    close_database()

    text = cli("report", "summary", "--db", sz2023).out
    assert text.startswith(SZ2023_OPENING)
    assert "均按时" not in text
    assert "均评价为满意" not in text
    assert "按时签收19件、逾期签收1件" in text
    assert "按时答复19件、逾期答复1件" in text
    assert "目前已收到评价7件，满意6件、基本满意1件" in text


def test_report_summary_says_what_is_not_yet_answered(cli, sz2023):
    open_database(sz2023, create=False)
    pending = Case.select().where(Case.role == "承办").order_by(Case.number).first()
    Case.update(replied_on=None, status="办理中", evaluation="").where(Case.id == pending.id).execute()
    close_database()
    text = cli("report", "summary", "--db", sz2023, "--today", "2023-09-19").out
    assert "均按时" not in text
    assert "已书面答复19件（含汇办意见），其中按时答复19件，逾期未答复1件，按时答复率95%" in text  # 19 / (19 + 1)


def test_report_summary_of_every_session_newest_first(cli, tmp_path):
    path = tmp_path / "live.db"
    assert cli("seed", "--fixture", "live", "--db", path).code == 0
    open_database(path, create=False)
    names = [s.name for s in Session.select().order_by(Session.year.desc(), Session.id)]
    close_database()
    text = cli("report", "summary", "--db", path).out
    paragraphs = text.strip().split("\n\n")
    assert len(paragraphs) == len(names)
    assert [p.split("期间")[0] for p in paragraphs] == names
    only = cli("report", "summary", "--db", path, "--session", names[-1]).out
    assert only.strip() == paragraphs[-1]


def test_report_of_an_empty_ledger(cli, tmp_path):
    path = tmp_path / "empty.db"
    open_database(path)
    close_database()
    result = cli("report", "summary", "--db", path)
    assert result.code == 0 and "还没有任何届次" in result.out


def test_report_is_read_only(cli, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    before = state_of(ledger)
    result = cli("report", "summary", "--db", f"sqlite:///{ledger}")
    assert result.code == 0, result
    assert "共接收办理市人大代表建议件3件" in result.out
    assert "均按时" not in result.out  # signed on time, but none answered
    assert state_of(ledger) == before


# -------------------------------------------------------------------------- the desk


def test_open_passes_target_and_operator_to_the_app(cli, fake_app, tmp_path):
    ledger = small_ledger(tmp_path / "ledger.db")
    result = cli("--db", ledger, "--operator", "王五", "--today", "2023-09-19")
    assert result.code == 0, result
    assert fake_app == [{"target": str(ledger), "operator": "王五", "today": dt.date(2023, 9, 19), "fixed": True}]
    assert not clock.is_today_fixed()


def test_open_takes_db_and_operator_from_the_environment(cli, fake_app, tmp_path, monkeypatch):
    ledger = small_ledger(tmp_path / "ledger.db")
    monkeypatch.setenv("DUBAN_DB", str(ledger))
    monkeypatch.setenv("DUBAN_OPERATOR", "赵六")
    assert cli().code == 0
    assert fake_app[-1]["target"] == str(ledger) and fake_app[-1]["operator"] == "赵六"
    assert fake_app[-1]["fixed"] is False
    assert cli("--operator", "钱七").code == 0
    assert fake_app[-1]["operator"] == "钱七"


def test_open_asks_for_the_operator_once_and_then_remembers(cli, fake_app, tmp_path, isolated):
    from tui.settings import remember_operator, settings_path

    ledger = small_ledger(tmp_path / "ledger.db")
    assert cli("--db", ledger).code == 0
    assert fake_app[-1]["operator"] is None  # the desk asks
    path = remember_operator("孙八")
    assert path == settings_path() and str(path).startswith(str(isolated))
    assert cli("--db", ledger).code == 0
    assert fake_app[-1]["operator"] == "孙八"
    assert cli("--db", ledger, "--operator", "钱七").code == 0
    assert fake_app[-1]["operator"] == "钱七"  # the option still wins


def test_a_damaged_settings_file_is_as_if_new(cli, fake_app, tmp_path):
    from tui.settings import settings_path

    ledger = small_ledger(tmp_path / "ledger.db")
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text('{"operator": "\u001b]2;x\u0007"', encoding="utf-8")
    assert cli("--db", ledger).code == 0
    assert fake_app[-1]["operator"] is None
    settings_path().write_text('{"operator": "\u001b]2;x\u0007"}', encoding="utf-8")
    assert cli("--db", ledger).code == 0
    assert fake_app[-1]["operator"] is None  # a name with control characters is not taken


def test_commands_default_to_the_login_name(tmp_path, monkeypatch):
    import getpass

    from tui.cli import _resolve_operator

    monkeypatch.setattr(getpass, "getuser", lambda: "clerk")
    assert _resolve_operator(None) == "clerk"

    def no_login():
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", no_login)
    assert _resolve_operator(None) == "办公室"


def test_open_creates_the_default_ledger_in_the_user_data_folder(cli, fake_app, isolated):
    assert not (isolated / "data").exists()
    assert cli().code == 0
    default = isolated / "data" / "duban" / "ledger.db"
    assert default.is_file()
    assert fake_app[-1]["target"] == str(default)
    # the other commands read that same ledger
    result = cli("report", "summary")
    assert result.code == 0 and "还没有任何届次" in result.out


def test_demo_opens_a_fresh_seeded_ledger(cli, fake_app, isolated, monkeypatch):
    import tui.cli

    monkeypatch.setattr(tui.cli, "DEMO_KEEP", 1)
    for _ in range(2):
        assert cli("--demo", "--today", "2024-05-20").code == 0
    targets = [Path(call["target"]) for call in fake_app]
    assert len(set(targets)) == 2
    folder = isolated / "data" / "duban" / "demo"
    assert all(t.parent == folder for t in targets)
    assert sorted(folder.glob("demo-*.db")) == sorted(targets[1:])  # the oldest was pruned
    rows = cases_in(targets[-1])
    assert rows and max(case.assigned_on for case in rows) <= dt.date(2024, 5, 20)


def test_a_crash_in_the_app_is_one_sentence(cli, fake_app, tmp_path, monkeypatch, isolated):
    ledger = small_ledger(tmp_path / "ledger.db")

    def crash(*, target, operator):
        raise ValueError("the screen fell over")

    monkeypatch.setattr(sys.modules["tui.app"], "run", crash)
    result = cli("--db", ledger)
    assert result.code == 1
    assert "Traceback" not in result.text and len(result.err.strip().splitlines()) == 1
    assert "ValueError" in result.err and "duban.log" in result.err


def test_an_app_return_code_is_passed_on(cli, fake_app, tmp_path, monkeypatch):
    ledger = small_ledger(tmp_path / "ledger.db")
    monkeypatch.setattr(sys.modules["tui.app"], "run", lambda *, target, operator: 3)
    assert cli("--db", ledger).code == 3


@pytest.mark.parametrize("args", [["--help"], ["seed", "--help"], ["export", "-h"], ["report", "summary", "--help"]])
def test_help_is_chinese(cli, args):
    result = cli(*args)
    assert result.code == 0
    assert "用法：" in result.out and "显示本帮助并退出" in result.out


def test_a_command_that_upgrades_an_old_ledger_says_so_and_where_the_copy_is(cli, tmp_path):
    """Issue 11: the upgrade is never silent; the old file is kept beside the ledger."""
    import shutil
    import sqlite3

    path = tmp_path / "old.db"
    shutil.copyfile(REPO / "tests" / "ledgers" / "schema-v2.db", path)
    result = cli("export", "--db", path, "--format", "csv")
    assert result.code == 0
    copies = sorted(tmp_path.glob("old.db.v2-备份-*.db"))
    assert len(copies) == 1
    assert "由数据结构版本 2 升级到" in result.err and copies[0].name in result.err
    with sqlite3.connect(copies[0]) as raw:
        assert raw.execute("SELECT value FROM duban_meta").fetchone() == ("2",)
    again = cli("export", "--db", path, "--format", "csv")
    assert again.code == 0 and again.err == ""
