"""Working days in mainland China (调休 included), the office's own corrections, and the
warning for a year whose holiday notice nobody has entered."""

from __future__ import annotations

import pytest

from store import actions
from store.calendar import WorkCalendar
from store.queries import load_calendar

from store_helpers import d

calendar = WorkCalendar()


# ------------------------------------------------------------- 2023's National Day


def test_thursday_before_national_day_plus_one_working_day_is_saturday_october_7():
    result = calendar.add_working_days(d("2023-09-28"), 1)
    assert result.day == d("2023-10-07")
    assert result.estimated is False
    assert result.warning == ""


@pytest.mark.parametrize("day", ["2023-09-29", "2023-10-01", "2023-10-02", "2023-10-06"])
def test_national_day_holidays_are_not_working_days(day):
    assert calendar.is_working_day(d(day)) is False


@pytest.mark.parametrize("day", ["2023-10-07", "2023-10-08"])
def test_the_moved_weekend_days_are_working_days(day):
    assert calendar.is_working_day(d(day)) is True


def test_an_ordinary_saturday_is_not_a_working_day():
    assert calendar.is_working_day(d("2023-09-02")) is False


def test_an_ordinary_monday_is_a_working_day():
    assert calendar.is_working_day(d("2023-09-04")) is True


def test_adding_working_days_over_a_weekend():
    assert calendar.add_working_days(d("2023-09-01"), 3).day == d("2023-09-06")


def test_adding_no_working_days_keeps_the_day():
    assert calendar.add_working_days(d("2023-09-02"), 0).day == d("2023-09-02")


def test_adding_a_negative_number_of_working_days_is_an_error():
    with pytest.raises(ValueError):
        calendar.add_working_days(d("2023-09-01"), -1)


def test_counting_working_days_across_national_day():
    # after 09-28: 10-07, 10-08 and 10-09 are the only working days up to 10-09
    assert calendar.count_working_days(d("2023-09-28"), d("2023-10-09")) == 3


def test_counting_backwards_is_negative():
    assert calendar.count_working_days(d("2023-10-09"), d("2023-09-28")) == -3


def test_counting_to_the_same_day_is_zero():
    assert calendar.count_working_days(d("2023-09-28"), d("2023-09-28")) == 0


def test_counting_and_adding_agree():
    end = calendar.add_working_days(d("2023-09-20"), 20).day
    assert calendar.count_working_days(d("2023-09-20"), end) == 20


# --------------------------------------------------------------- office overrides


def test_an_office_holiday_wins_over_the_state_calendar():
    office = WorkCalendar({d("2023-09-04"): False})
    assert office.is_working_day(d("2023-09-04")) is False
    assert office.add_working_days(d("2023-09-01"), 1).day == d("2023-09-05")


def test_an_office_working_day_wins_over_the_weekend():
    office = WorkCalendar({d("2023-09-02"): True})
    assert office.is_working_day(d("2023-09-02")) is True
    assert office.add_working_days(d("2023-09-01"), 1).day == d("2023-09-02")


def test_an_office_override_wins_over_a_state_moved_working_day():
    office = WorkCalendar({d("2023-10-07"): False})
    assert office.add_working_days(d("2023-09-28"), 1).day == d("2023-10-08")


def test_the_ledgers_overrides_reach_the_calendar(ledger):
    actions.set_calendar_day(d("2023-09-04"), False, "局机关停电检修")
    actions.set_calendar_day("2023-09-02", True, "补班")
    office = load_calendar()
    assert office.is_working_day(d("2023-09-04")) is False
    assert office.is_working_day(d("2023-09-02")) is True


def test_a_later_override_of_the_same_day_replaces_the_earlier(ledger):
    actions.set_calendar_day(d("2023-09-04"), False)
    assert load_calendar().is_working_day(d("2023-09-04")) is False
    actions.set_calendar_day(d("2023-09-04"), True)
    assert load_calendar().is_working_day(d("2023-09-04")) is True


def test_each_ledger_has_its_own_overrides(another_ledger):
    """Two ledgers with one override each, on different days, do not share a calendar."""
    from store.db import close_database, open_database

    try:
        open_database(another_ledger("a"))
        actions.set_calendar_day(d("2023-09-04"), False)
        assert load_calendar().is_working_day(d("2023-09-04")) is False
        close_database()

        open_database(another_ledger("b"))
        actions.set_calendar_day(d("2023-09-05"), False)
        office = load_calendar()
        assert office.is_working_day(d("2023-09-04")) is True
        assert office.is_working_day(d("2023-09-05")) is False
    finally:
        close_database()


# ----------------------------------------------------------------- unknown years


def test_a_known_year_is_not_an_estimate():
    assert calendar.knows_year(2023)
    assert calendar.add_working_days(d("2023-12-25"), 3).estimated is False


def test_a_year_the_calendar_does_not_know_is_an_estimate_and_says_which():
    result = calendar.add_working_days(d("2030-03-01"), 5)
    assert result.estimated is True
    assert result.unknown_years == (2030,)
    assert "2030年" in result.warning
    assert "推算" in result.warning


def test_counting_from_a_known_year_into_an_unknown_one_names_only_the_unknown_one():
    result = WorkCalendar(confirmed_years=[2029]).add_working_days(d("2029-12-28"), 5)
    assert result.day.year == 2030
    assert result.unknown_years == (2030,)
    assert "2030年" in result.warning
    assert "2029年" not in result.warning


def test_an_unknown_year_still_skips_weekends():
    # 2030-03-01 is a Friday: five working days later is Friday 2030-03-08
    assert calendar.add_working_days(d("2030-03-01"), 5).day == d("2030-03-08")


def test_confirming_the_year_removes_the_estimate():
    confirmed = WorkCalendar(confirmed_years=[2030])
    result = confirmed.add_working_days(d("2030-03-01"), 5)
    assert result.estimated is False
    assert result.warning == ""


def test_a_year_confirmed_in_the_ledger_is_known(ledger):
    assert load_calendar().knows_year(2030) is False
    actions.confirm_calendar_year(2030, "国务院办公厅通知已录入")
    assert load_calendar().knows_year(2030) is True
    assert load_calendar().add_working_days(d("2030-03-01"), 5).estimated is False


def test_the_holiday_tables_version_is_the_installed_packages():
    """Read from the package's dist-info folder's name (no import of importlib.metadata at start);
    the kept holiday tables and the ledger cache are keyed by it."""
    from importlib.metadata import version

    from store.calendar import holidays_version

    holidays_version.cache_clear()
    assert holidays_version() == version("holidays")
