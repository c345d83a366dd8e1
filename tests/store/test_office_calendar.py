"""The office's calendar writes (store.office_calendar): each leaves a 变更记录 and recomputes
every cached deadline in the same transaction, so the ledger row, the division board, the
weekly checklist and the case card agree — checked against a recompute from plain SQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from store import actions, clock, office_calendar
from store.calendar import WorkCalendar
from store.errors import LedgerError
from store.io.export import ledger_records
from store.io.notice import urge_notice
from store.models import Case
from store.queries import case_card, division_board, ledger_rows, urge_targets
from store.rules import RuleSet, next_open
from store.weekly import checklist
from store_helpers import run_sql

OPERATOR = "王秘书"
TODAY = dt.date(2026, 12, 10)  # a Thursday; 2027's notice is not in the holidays package
HOLIDAY = dt.date(2026, 12, 15)  # a Tuesday inside the 20 working days after the replies


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def office(ledger):
    """Cases whose next deadlines count working days (评价/公开 after a reply), one into 2027."""
    clock.fix_today(TODAY)
    session = actions.ensure_session("市七届人大五次会议", body="人大", year=2026)
    other = actions.ensure_session("市政协七届五次会议", body="政协", year=2026,
                                   rules={"evaluation_working_days": 15, "disclosure_working_days": 25})
    data, service = actions.ensure_division("数据资源处"), actions.ensure_division("政务服务处")
    ids = {}

    def case(key, number, *, session_row=session, assigned=d("2026-09-01"), division=data, replied=None,
             role="主办", kind="建议", close=False):
        made = actions.create_case(OPERATOR, session=session_row, number=number, title=f"关于{key}的建议",
                                   role=role, assigned_on=assigned, kind=kind,
                                   lead_unit="市发展改革委" if role == "汇办" else "")
        ids[key] = made.case_id
        if division is None:
            return
        actions.sign_for(made.case_id, OPERATOR, on=assigned + dt.timedelta(days=2))
        actions.assign(made.case_id, OPERATOR, division=division)
        if replied:
            actions.reply(made.case_id, OPERATOR, on=replied, doc_no="深政数函〔2026〕1号",
                          result_class="A" if close else "B")
        if close:
            actions.close(made.case_id, OPERATOR, on=replied)

    case("into_2027", "20260001", replied=d("2026-12-08"))  # 评价 due early January 2027: estimated
    case("this_year", "20260002", replied=d("2026-11-20"), division=service)  # 评价 due 2026-12-18
    case("cppcc", "20260003", session_row=other, replied=d("2026-11-25"), kind="提案")  # 15 working days
    case("unsigned", "20260004", assigned=d("2026-12-05"), division=None)  # 签收: calendar days
    case("opinion", "20260005", role="汇办", division=service)  # 汇办意见: calendar months
    case("closed", "20260006", replied=d("2026-11-02"), close=True)
    yield ids
    clock.fix_today(None)


def sql(query: str, *params) -> list[tuple]:
    return list(run_sql(query, params).fetchall())


def _date(value) -> dt.date | None:
    return None if value is None else d(str(value)[:10])


def independent_next_due() -> dict[int, tuple]:
    """Every case's next deadline recomputed from plain SQL rows (not the store's caches)."""
    overrides = {_date(day): bool(flag) for day, flag in sql("SELECT day, is_working FROM calendar_day")}
    confirmed = [year for (year,) in sql("SELECT year FROM calendar_year")]
    calendar = WorkCalendar(overrides, confirmed)
    result = {}
    for case in Case.select():
        rules_text = sql("SELECT rules FROM session WHERE id = ?", case.session_id)[0][0]
        milestone = next_open(case, RuleSet.from_overrides(json.loads(rules_text or "{}")), calendar)
        result[case.id] = (milestone.due, milestone.label, milestone.estimated) if milestone else (None, "", False)
    return result


def cached() -> dict[int, tuple]:
    rows = sql('SELECT id, next_due, next_milestone, next_due_estimated FROM "case"')
    return {cid: (_date(due), label or "", bool(flag)) for cid, due, label, flag in rows}


def assert_everything_agrees() -> None:
    """Ledger row, board, weekly checklist and case card agree with a recompute, for every case."""
    expected = independent_next_due()
    assert cached() == expected
    rows = {row.case_id: row for row in ledger_rows(today=TODAY)}
    items = {item.case_id: item for item in checklist(TODAY)}
    assert set(rows) == set(expected)
    for case_id, (due, label, estimated) in expected.items():
        row = rows[case_id]
        assert (row.next_due, row.next_milestone, row.estimated) == (due, label, estimated)
        card = case_card(case_id, today=TODAY)
        open_ones = [m for m in card.milestones if m.done_on is None]
        if due is None:
            assert card.status == "已办结"
        else:
            nearest = min(open_ones, key=lambda m: m.due)
            assert (nearest.due, nearest.label, bool(nearest.warning)) == (due, label, estimated)
        if case_id in items:
            assert (items[case_id].next_due, items[case_id].estimated) == (due, estimated)
        if due is not None and (due - TODAY).days <= 7:  # due within a week: on the checklist
            assert case_id in items
    by_division: dict[int | None, list[int]] = {}
    for case_id, division_id, status in sql('SELECT id, division_id, status FROM "case"'):
        if status not in ("已办结", "已反馈"):
            by_division.setdefault(division_id, []).append(case_id)
    board = {load.division_id: load for load in division_board(today=TODAY)}
    for division_id, case_ids in by_division.items():
        dues = [expected[cid][0] for cid in case_ids if expected[cid][0] is not None]
        load = board[division_id]
        assert load.open_cases == len(case_ids)
        assert load.overdue == sum(1 for due in dues if due < TODAY)
        # 7日内到期 on the board: the division's own steps (a form due back is the proposer's: 待评价)
        own = [expected[cid][0] for cid in case_ids
               if expected[cid][0] is not None and expected[cid][1] not in ("评价", "再次评价")]
        assert load.due_within_7 == sum(1 for due in own if 0 <= (due - TODAY).days <= 7)
        assert load.estimated == sum(1 for cid in case_ids if expected[cid][2])


def calendar_rows() -> tuple:
    return (sql("SELECT * FROM calendar_day ORDER BY id"), sql("SELECT * FROM calendar_year ORDER BY year"),
            sql("SELECT * FROM change_record ORDER BY id"), sql('SELECT * FROM "case" ORDER BY id'))


# -------------------------------------------------------------------------- set a day


def test_setting_a_holiday_records_the_change_and_moves_every_deadline_it_touches(office):
    assert_everything_agrees()
    before = cached()
    change = office_calendar.set_day(OPERATOR, "2026-12-15", "休息日", note="市里临时调整")
    after = cached()
    moved = sum(1 for cid in before if before[cid][0] != after[cid][0])
    assert moved >= 2  # the two 人大 replies and the 政协 one count through 12-15
    # 20 working days after Friday 2026-11-20: Friday 12-18, one more (Monday 12-21) with 12-15 off
    assert (before[office["this_year"]][0], after[office["this_year"]][0]) == (d("2026-12-18"), d("2026-12-21"))
    assert after[office["unsigned"]] == before[office["unsigned"]]  # calendar days: unmoved
    assert change.moved == sum(1 for cid in before if before[cid] != after[cid])
    assert str(change.moved) in change.message
    records = sql("SELECT operator, area, subject, action, note, data FROM change_record")
    assert len(records) == 1
    operator, area, subject, action, note, data = records[0]
    assert (operator, area, subject, action, note) == (OPERATOR, "日历", "2026-12-15", "设置", "市里临时调整")
    data = json.loads(data)
    assert data["before"]["kind"] == "工作日" and data["after"]["kind"] == "休息日"
    assert sql("SELECT day, is_working, note FROM calendar_day") == [("2026-12-15", 0, "市里临时调整")]
    assert_everything_agrees()


def test_a_mistake_is_corrected_by_a_later_entry(office):
    before = cached()
    office_calendar.set_day(OPERATOR, HOLIDAY, "休息日", note="误录")
    corrected = office_calendar.set_day("李干事", HOLIDAY, "工作日", note="更正：照常上班")
    assert cached() == before  # back where it was
    assert corrected.moved == sum(1 for cid in before if before[cid][0] is not None
                                  and before[cid][0] >= HOLIDAY and cid != office["unsigned"]
                                  and cid != office["opinion"])
    records = sql("SELECT operator, data FROM change_record ORDER BY id")
    assert [r[0] for r in records] == [OPERATOR, "李干事"]
    assert json.loads(records[1][1])["before"]["kind"] == "休息日"
    assert sql("SELECT COUNT(*) FROM calendar_day") == [(1,)]
    view = office_calendar.calendar_year(2026)
    assert [(e.day, e.kind, e.note, e.operator) for e in view.office_entries] == [
        (HOLIDAY, "工作日", "更正：照常上班", "李干事")]
    assert_everything_agrees()


def test_a_working_saturday_moves_deadlines_earlier(office):
    before = cached()
    saturday = d("2026-12-12")
    office_calendar.set_day(OPERATOR, saturday, "工作日", note="调休上班")
    after = cached()
    assert after[office["this_year"]][0] == before[office["this_year"]][0] - dt.timedelta(days=1)
    assert saturday in office_calendar.calendar_year(2026).working_weekends
    assert_everything_agrees()


# ------------------------------------------------------------------------ confirm a year


def test_a_2027_deadline_is_marked_estimated_until_2027_is_confirmed(office):
    row = next(r for r in ledger_rows(today=TODAY) if r.case_id == office["into_2027"])
    assert row.next_due.year == 2027 and row.estimated is True
    estimated_before = sql('SELECT COUNT(*) FROM "case" WHERE next_due_estimated = TRUE')[0][0]
    assert estimated_before >= 1
    view = office_calendar.calendar_year(2027)
    assert view.estimated and view.source == office_calendar.SOURCE_ESTIMATED and "2027年" in view.warning
    assert view.estimated_cases == estimated_before
    record = next(r for r in ledger_records(today=TODAY) if r["编号"] == "20260001")
    assert record["期限是否推算"] is True
    target = urge_targets([office["into_2027"]], today=TODAY)[0]
    assert target.estimated is True
    division = Case.get_by_id(office["into_2027"]).division_id
    text = urge_notice(division, [office["into_2027"]], operator=OPERATOR, today=TODAY).text
    assert "*" in text and "推算" in text
    assert_everything_agrees()

    change = office_calendar.confirm_year(OPERATOR, 2027, note="国办发明电〔2026〕7号已录入")
    assert change.moved == estimated_before  # only the mark changes: same days, now confirmed
    assert sql('SELECT COUNT(*) FROM "case" WHERE next_due_estimated = TRUE') == [(0,)]
    row = next(r for r in ledger_rows(today=TODAY) if r.case_id == office["into_2027"])
    assert row.estimated is False
    assert urge_targets([office["into_2027"]], today=TODAY)[0].estimated is False
    assert "*" not in urge_notice(division, [office["into_2027"]], operator=OPERATOR, today=TODAY).text
    assert sql("SELECT year, note FROM calendar_year") == [(2027, "国办发明电〔2026〕7号已录入")]
    assert sql("SELECT area, subject, action, operator FROM change_record") == [("日历", "2027年", "确认", OPERATOR)]
    view = office_calendar.calendar_year(2027)
    assert view.source == office_calendar.SOURCE_OFFICE and not view.estimated and view.warning == ""
    assert view.confirmed.operator == OPERATOR
    assert_everything_agrees()


def test_the_old_store_actions_names_still_write_through_the_office_calendar(office):
    actions.set_calendar_day(HOLIDAY, False, "旧接口")
    actions.confirm_calendar_year(2027)
    assert sql("SELECT operator, action FROM change_record ORDER BY id") == [
        (actions.CALENDAR_OPERATOR, "设置"), (actions.CALENDAR_OPERATOR, "确认")]
    assert_everything_agrees()


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("call, word", [
    (lambda: office_calendar.set_day(OPERATOR, "2026-13-01", "休息日"), "不存在"),
    (lambda: office_calendar.set_day(OPERATOR, "十二月十五日", "休息日"), "无法识别"),
    (lambda: office_calendar.set_day(OPERATOR, "2026-12-15", "放假"), "工作日、休息日"),
    (lambda: office_calendar.set_day(OPERATOR, "2026-12-15", ""), "工作日、休息日"),
    (lambda: office_calendar.set_day(OPERATOR, "1999-12-15", "休息日"), "2000"),
    (lambda: office_calendar.set_day("", "2026-12-15", "休息日"), "操作人"),
    (lambda: office_calendar.set_day(OPERATOR, "2026-12-15", "休息日", note="x\x00"), "空字符"),
    (lambda: office_calendar.set_day(OPERATOR, "2026-12-15", "休息日", note="长" * 201), "过长"),
    (lambda: office_calendar.confirm_year(OPERATOR, "二〇二七"), "年份"),
    (lambda: office_calendar.confirm_year(OPERATOR, 1999), "2000"),
    (lambda: office_calendar.confirm_year("\x1b", 2027), "操作人"),
])
def test_a_refused_calendar_change_writes_nothing(office, call, word):
    before = calendar_rows()
    with pytest.raises(LedgerError) as info:
        call()
    assert word in str(info.value)
    assert calendar_rows() == before


def test_the_same_entry_twice_and_a_second_confirmation_are_refused(office):
    office_calendar.set_day(OPERATOR, HOLIDAY, "休息日", note="市里临时调整")
    office_calendar.confirm_year(OPERATOR, 2027)
    before = calendar_rows()
    with pytest.raises(LedgerError, match="未作修改"):
        office_calendar.set_day(OPERATOR, HOLIDAY, "休息日", note="市里临时调整")
    with pytest.raises(LedgerError, match="已经确认过"):
        office_calendar.confirm_year(OPERATOR, "2027年")
    assert calendar_rows() == before


# --------------------------------------------------------------------------- reading


def test_a_year_from_the_package_lists_its_festivals_and_moved_working_days(office):
    view = office_calendar.calendar_year(2026)
    assert view.source == office_calendar.SOURCE_PACKAGE and view.in_package and not view.estimated
    groups = {group.name: group for group in view.holidays}
    national = groups["国庆节"]
    assert (national.days[0], national.days[-1]) == (d("2026-10-01"), d("2026-10-07"))
    assert groups["春节"].days[0] == d("2026-02-16")
    assert d("2026-09-20") in view.working_weekends and d("2026-10-10") in view.working_weekends
    assert all(day.weekday() >= 5 for day in view.working_weekends)
    assert view.office_entries == ()


def test_an_office_rest_day_joins_the_festival_it_extends(office):
    office_calendar.set_day(OPERATOR, "2027-10-06", "休息日", note="国庆节")
    view = office_calendar.calendar_year(2027)
    national = next(group for group in view.holidays if group.name == "国庆节")
    assert national.days[-1] == d("2027-10-06") and national.by_office
    entry = view.office_entries[0]
    assert (entry.day, entry.kind, entry.note, entry.operator) == (d("2027-10-06"), "休息日", "国庆节", OPERATOR)
    assert entry.at is not None


def test_years_in_use_cover_this_year_and_every_cached_deadline(office):
    years = office_calendar.years_in_use(TODAY)
    assert {2025, 2026, 2027} <= set(years)
    (low, high), = sql('SELECT MIN(next_due), MAX(next_due) FROM "case"')
    assert set(range(_date(low).year, _date(high).year + 1)) <= set(years)


def test_on_an_empty_ledger_the_calendar_reads_and_writes(ledger, today):
    assert office_calendar.years_in_use(d("2026-12-01")) == (2025, 2026, 2027)
    assert office_calendar.calendar_year(2027).estimated
    change = office_calendar.set_day(OPERATOR, "2027-02-11", "休息日", note="春节")
    assert change.moved == 0 and "没有件" in change.message
    assert office_calendar.confirm_year(OPERATOR, 2027).moved == 0
    assert sql("SELECT COUNT(*) FROM change_record WHERE area = '日历'") == [(2,)]
    view = office_calendar.calendar_year(2027)
    assert view.source == office_calendar.SOURCE_OFFICE
    assert next(g for g in view.holidays if g.name == "春节").days[-1] == d("2027-02-11")
