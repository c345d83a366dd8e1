"""The urge notice (催办通知): the formal text the office sends a division — its cases, each
deadline and how late, the level, the respond-by date, who urges — and the file it is saved as."""

from __future__ import annotations

import codecs

import pytest
from playhouse.test_utils import count_queries

from store import actions
from store.errors import LedgerError
import store.io.files as files_module
from store.io.notice import NoticeCase, notice_filename_part, save_notice, urge_notice

from store_helpers import OPERATOR, d, division, new_case, office_date, replied_case, session

TODAY = d("2023-09-01")  # a Friday; three working days later is Wednesday 09-06


def handled(number: str, *, assigned_on: str = "2023-06-01", division_name: str = "数据资源处",
            title: str = "关于推进政务数据共享的建议", role: str = "主办", session_row=None) -> int:
    """A case assigned, signed for the same day and given to a division (reply due 3 months on)."""
    office_date(assigned_on)
    case_id = new_case(number, assigned_on=d(assigned_on), title=title, role=role, session_row=session_row)
    actions.sign_for(case_id, OPERATOR, on=d(assigned_on))
    actions.assign(case_id, OPERATOR, division=division(division_name))
    office_date(TODAY)
    return case_id


def urged_on(case_id: int, day: str, times: int = 1) -> None:
    office_date(day)
    for _ in range(times):
        actions.urge_division(case_id, OPERATOR)
    office_date(TODAY)


def resources() -> int:
    return division("数据资源处").id


@pytest.fixture
def two_late(ledger, today):
    """0001: reply due 08-01 (31 days late); 0002: reply due today."""
    late = handled("0001", assigned_on="2023-05-01", title="关于加快建设城市级数字孪生底座的建议")
    due = handled("0002", assigned_on="2023-06-01", title="关于推进政务数据共享的建议", role="分办")
    return late, due


def test_the_notice_reads_as_the_office_writes_it(two_late):
    actions.urge_cases(two_late, OPERATOR)
    notice = urge_notice(resources(), two_late, operator=OPERATOR)
    assert notice.text == (
        "催办通知\n"
        "\n"
        "数据资源处：\n"
        "\n"
        "经局办公室检查，你处承办的以下2件建议已超过办理期限或办理进度滞后，有关情况如下：\n"
        "\n"
        "一、第0001号《关于加快建设城市级数字孪生底座的建议》（主办），答复期限2023年8月1日，已逾期31天；\n"
        "二、第0002号《关于推进政务数据共享的建议》（分办），答复期限2023年9月1日，今日到期。\n"
        "\n"
        "现予催办。请你处高度重视，抓紧办理，并请于2023年9月6日前将办理进展书面反馈局办公室。\n"
        "\n"
        "局办公室\n"
        "联系人：王秘书\n"
        "2023年9月1日\n"
    )
    assert (notice.division, notice.division_id, notice.title) == ("数据资源处", resources(), "催办通知")
    assert (notice.respond_by, notice.level, notice.level_name) == (d("2023-09-06"), 1, "一次催办")
    assert (notice.operator, notice.dated) == (OPERATOR, TODAY)
    assert notice.cases == (
        NoticeCase("第0001号", "关于加快建设城市级数字孪生底座的建议", "答复", d("2023-08-01"), "已逾期31天", "一次催办"),
        NoticeCase("第0002号", "关于推进政务数据共享的建议", "答复", d("2023-09-01"), "今日到期", "一次催办"),
    )


def test_cases_are_listed_most_overdue_first(two_late):
    late, due = two_late
    notice = urge_notice(resources(), [due, late], operator=OPERATOR)
    assert [case.label for case in notice.cases] == ["第0001号", "第0002号"]


def test_a_case_not_yet_due_counts_the_days_left(ledger, today):
    case_id = handled("0003", assigned_on="2023-06-20")  # reply due 09-20
    notice = urge_notice(resources(), [case_id], operator=OPERATOR)
    assert "答复期限2023年9月20日，还剩19天。" in notice.text
    assert "以下1件建议办理进度滞后" in notice.text


def test_all_overdue_cases_are_said_to_be_past_their_deadline(ledger, today):
    case_id = handled("0001", assigned_on="2023-05-01")
    assert "以下1件建议已超过办理期限，" in urge_notice(resources(), [case_id], operator=OPERATOR).text


# ------------------------------------------------------------------------ levels


def test_before_urging_the_notice_speaks_of_the_next_urge(ledger, today):
    case_id = handled("0001", assigned_on="2023-05-01")
    urged_on(case_id, "2023-08-25")
    notice = urge_notice(resources(), [case_id], operator=OPERATOR)
    assert (notice.level, notice.level_name) == (2, "二次催办")
    assert "现予二次催办。" in notice.text


def test_after_urging_the_notice_speaks_of_the_urge_just_recorded(ledger, today):
    case_id = handled("0001", assigned_on="2023-05-01")
    urged_on(case_id, "2023-08-25")
    actions.urge_cases([case_id], OPERATOR)  # today: 二次催办
    notice = urge_notice(resources(), [case_id], operator=OPERATOR)
    assert (notice.level_name, notice.cases[0].level_name) == ("二次催办", "二次催办")


def test_leader_supervision_is_reported_to_the_bureau_leaders(ledger, today):
    case_id = handled("0001", assigned_on="2023-05-01")
    urged_on(case_id, "2023-08-25", times=2)
    notice = urge_notice(resources(), [case_id], operator=OPERATOR)
    assert notice.level_name == "领导督办"
    assert "现报请局领导督办。请你处主要负责同志亲自过问，抓紧办理" in notice.text


def test_cases_at_different_levels_state_the_highest_and_each_their_own(two_late):
    late, due = two_late
    urged_on(late, "2023-08-25")
    notice = urge_notice(resources(), two_late, operator=OPERATOR)
    assert "现予二次催办。" in notice.text
    assert "已逾期31天（本次为二次催办）；" in notice.text
    assert "今日到期（本次为一次催办）。" in notice.text


# ----------------------------------------------------------------------- respond-by


def test_a_given_respond_by_date_is_named(two_late):
    notice = urge_notice(resources(), two_late, operator=OPERATOR, respond_by="2023-09-04")
    assert notice.respond_by == d("2023-09-04")
    assert "请于2023年9月4日前将办理进展书面反馈局办公室。" in notice.text


def test_the_respond_by_of_todays_urges_is_named(two_late):
    actions.urge_cases(two_late, OPERATOR, respond_by=d("2023-09-05"))
    assert urge_notice(resources(), two_late, operator=OPERATOR).respond_by == d("2023-09-05")


def test_a_past_respond_by_is_refused(two_late):
    with pytest.raises(LedgerError, match="已经过去"):
        urge_notice(resources(), two_late, operator=OPERATOR, respond_by=d("2023-08-31"))


def test_an_unreadable_respond_by_is_refused(two_late):
    with pytest.raises(LedgerError, match="无法识别"):
        urge_notice(resources(), two_late, operator=OPERATOR, respond_by="下周三")


# ------------------------------------------------------------------ text as stored


@pytest.mark.parametrize("title", ["关于[/]的建议", "[@click=app.quit]q", "\x1b[2J清屏\x9b31m", "标" * 2000])
def test_titles_are_written_exactly_as_stored(ledger, today, title):
    case_id = handled("0001", title=title)
    notice = urge_notice(resources(), [case_id], operator=OPERATOR)
    assert f"第0001号《{title}》（主办）" in notice.text
    assert notice.cases[0].title == title


def test_a_cppcc_notice_speaks_of_proposals(ledger, today):
    cppcc = session("市政协七届三次会议", body="政协")
    case_id = handled("0101", session_row=cppcc)
    assert "以下1件提案" in urge_notice(resources(), [case_id], operator=OPERATOR).text


def test_suggestions_and_proposals_together(ledger, today):
    cppcc = session("市政协七届三次会议", body="政协")
    ids = [handled("0001"), handled("0101", session_row=cppcc)]
    assert "以下2件建议和提案" in urge_notice(resources(), ids, operator=OPERATOR).text


def test_the_operator_signs_the_notice(two_late):
    assert "局办公室\n联系人：李干事\n2023年9月1日\n" in urge_notice(resources(), two_late, operator=" 李干事 ").text


# ------------------------------------------------------------------------ refusals


def test_a_notice_to_no_division_is_refused(ledger, today):
    case_id = new_case("0201")
    with pytest.raises(LedgerError, match="未分派处室"):
        urge_notice(None, [case_id], operator=OPERATOR)


def test_a_case_of_another_division_is_refused(two_late):
    other = handled("0009", division_name="政策法规处")
    with pytest.raises(LedgerError, match="第0009号不由数据资源处承办"):
        urge_notice(resources(), [*two_late, other], operator=OPERATOR)


def test_a_closed_case_is_refused(ledger, today):
    case_id = replied_case("0005")
    actions.close(case_id, OPERATOR)
    with pytest.raises(LedgerError, match="第0005号已办结，不列入催办通知"):
        urge_notice(resources(), [case_id], operator=OPERATOR)


def test_a_notice_of_no_cases_is_refused(ledger, today):
    division()
    with pytest.raises(LedgerError, match="没有要写入催办通知的件"):
        urge_notice(resources(), [], operator=OPERATOR)


@pytest.mark.parametrize("operator, word", [("", "催办人"), ("王\x1b[31m秘书", "控制字符")])
def test_a_bad_operator_is_refused(two_late, operator, word):
    with pytest.raises(LedgerError, match=word):
        urge_notice(resources(), two_late, operator=operator)


def test_the_notice_takes_the_same_number_of_queries_for_few_and_many_cases(ledger, today):
    ids = [handled(f"{i:04d}") for i in range(2)]
    urge_notice(resources(), ids, operator=OPERATOR)
    with count_queries() as few:
        urge_notice(resources(), ids, operator=OPERATOR)
    ids += [handled(f"{i:04d}") for i in range(2, 25)]
    with count_queries() as many:
        notice = urge_notice(resources(), ids, operator=OPERATOR)
    assert len(notice.cases) == 25 and "二十五、第0024号" in notice.text
    assert few.count == many.count <= 6


# -------------------------------------------------------------------------- saving


def test_the_notice_is_saved_under_the_divisions_name_and_date(two_late, tmp_path):
    notice = urge_notice(resources(), two_late, operator=OPERATOR)
    path = save_notice(notice, tmp_path)
    assert path == tmp_path / "催办通知-数据资源处-20230901.txt"
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw
    assert path.read_text(encoding="utf-8-sig") == notice.text


def test_saving_again_does_not_overwrite(two_late, tmp_path):
    notice = urge_notice(resources(), two_late, operator=OPERATOR)
    first = save_notice(notice, tmp_path)
    first.write_text("已修改", encoding="utf-8")
    names = [save_notice(notice, tmp_path).name for _ in range(2)]
    assert names == ["催办通知-数据资源处-20230901-2.txt", "催办通知-数据资源处-20230901-3.txt"]
    assert first.read_text(encoding="utf-8") == "已修改"


def test_a_division_name_is_made_safe_for_a_file_name(ledger, today, tmp_path):
    case_id = handled("0001", division_name="数据/资源:处*\x1b")
    notice = urge_notice(division("数据/资源:处*\x1b").id, [case_id], operator=OPERATOR)
    assert save_notice(notice, tmp_path).name == "催办通知-数据_资源_处-20230901.txt"


@pytest.mark.parametrize("name, safe", [("数据资源处", "数据资源处"), ("..", "处室"), ("a|b?c", "a_b_c"), ("  ", "处室")])
def test_filename_parts(name, safe):
    assert notice_filename_part(name) == safe


def test_a_folder_that_does_not_exist_is_refused(two_late, tmp_path):
    notice = urge_notice(resources(), two_late, operator=OPERATOR)
    with pytest.raises(LedgerError, match="不存在"):
        save_notice(notice, tmp_path / "没有这个文件夹")


def test_a_file_is_not_a_folder(two_late, tmp_path):
    notice = urge_notice(resources(), two_late, operator=OPERATOR)
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(LedgerError, match="不是文件夹"):
        save_notice(notice, tmp_path / "a.txt")


def test_a_folder_without_write_permission_is_refused(two_late, tmp_path, monkeypatch):
    notice = urge_notice(resources(), two_late, operator=OPERATOR)
    folder = tmp_path / "只读"
    folder.mkdir()
    monkeypatch.setattr(files_module.os, "access", lambda path, mode: False)  # root ignores chmod
    with pytest.raises(LedgerError, match="没有写入权限"):
        save_notice(notice, folder)
    assert list(folder.iterdir()) == []
