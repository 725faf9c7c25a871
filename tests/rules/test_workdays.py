"""Tests for the working-day calendar."""
import datetime as dt

import pytest

from docgen.rules import RuleError, WorkCalendar, WorkdayCount, default_calendar

D = dt.date


@pytest.fixture(scope="module")
def calendar():
    return WorkCalendar()


def test_2024_national_day_make_up_days(calendar):
    assert calendar.is_workday(D(2024, 9, 29))       # Sunday, 调休上班
    assert calendar.is_workday(D(2024, 10, 12))      # Saturday, 调休上班
    assert not any(calendar.is_workday(D(2024, 10, day)) for day in range(1, 8))
    assert calendar.is_workday(D(2024, 10, 8))


def test_notice_across_2024_national_day(calendar):
    # 27, 29, 30 September and 8, 9 October
    assert calendar.earliest_end(D(2024, 9, 27)) == (D(2024, 10, 9), ())
    assert calendar.count(D(2024, 9, 27), D(2024, 10, 9)) == WorkdayCount(5, ())
    assert calendar.count(D(2024, 9, 27), D(2024, 10, 8)).days == 4


def test_plain_week_2024(calendar):
    assert calendar.count(D(2024, 8, 28), D(2024, 9, 3)) == WorkdayCount(5, ())
    assert calendar.earliest_end(D(2024, 8, 28)) == (D(2024, 9, 3), ())


def test_counting_starts_at_the_next_working_day_when_start_is_a_holiday(calendar):
    # 2024-10-03 is inside the National Day holiday: 8, 9, 10, 11, 12 (Saturday, working)
    assert calendar.earliest_end(D(2024, 10, 3)) == (D(2024, 10, 12), ())
    assert calendar.earliest_end(D(2024, 10, 3), days=1) == (D(2024, 10, 8), ())


def test_2026_spring_festival_and_national_day(calendar):
    assert calendar.covered(2026)
    # 2026 春节: 15–23 February off, Saturday 14 and Saturday 28 February working
    assert calendar.is_workday(D(2026, 2, 14)) and calendar.is_workday(D(2026, 2, 28))
    assert calendar.count(D(2026, 2, 9), D(2026, 2, 27)) == WorkdayCount(10, ())
    assert calendar.earliest_end(D(2026, 2, 12)) == (D(2026, 2, 25), ())   # 12, 13, 14, 24, 25
    # 2026 国庆节: 1–7 October off, Sunday 20 September and Saturday 10 October working
    assert calendar.earliest_end(D(2026, 9, 30)) == (D(2026, 10, 12), ())  # 30, 8, 9, 10 (Saturday), 12
    assert calendar.count(D(2026, 9, 30), D(2026, 10, 9)).days == 3


def test_uncovered_year_counts_weekdays_and_says_so(calendar):
    assert not calendar.covered(2030)
    assert calendar.count(D(2030, 1, 1), D(2030, 1, 31)) == WorkdayCount(23, (2030,))
    # 2030-01-01 is a Tuesday: without data it counts as a working day
    assert calendar.earliest_end(D(2030, 1, 1)) == (D(2030, 1, 7), (2030,))


def test_period_spanning_into_an_uncovered_year(calendar):
    assert calendar.count(D(2026, 12, 28), D(2027, 1, 8)).uncovered_years == (2027,)
    assert calendar.count(D(2026, 12, 1), D(2026, 12, 31)).uncovered_years == ()


def test_empty_range_counts_zero(calendar):
    assert calendar.count(D(2024, 9, 3), D(2024, 9, 2)) == WorkdayCount(0, ())


def test_earliest_end_needs_a_positive_count(calendar):
    with pytest.raises(ValueError):
        calendar.earliest_end(D(2024, 9, 2), days=0)


def test_xinjiang_guerbang_2025_lengthens_a_notice(calendar):
    # national calendar: 3, 4, 5, 6, 9 June; 古尔邦节 takes 6, 9 and 10 June off in Xinjiang
    assert not calendar.is_workday(D(2025, 6, 6))
    assert calendar.count(D(2025, 6, 3), D(2025, 6, 9)) == WorkdayCount(3, ())
    assert calendar.earliest_end(D(2025, 6, 3)) == (D(2025, 6, 12), ())


def test_xinjiang_rouzi_2023_moves_to_friday(calendar):
    assert not calendar.is_workday(D(2023, 4, 21))
    assert calendar.count(D(2023, 4, 17), D(2023, 4, 21)).days == 4


def test_complete_extra_file_covers_2027(tmp_path):
    extra = tmp_path / "2027.toml"
    extra.write_text(
        '[years.2027]\ncomplete = true\n'
        'holidays = [2027-01-01, "2027-10-01"]\n'
        'workdays = [2027-01-09]   # Saturday\n', "utf-8")
    calendar = WorkCalendar(extra_files=[extra])
    assert calendar.covered(2027) and not WorkCalendar().covered(2027)
    assert not calendar.is_workday(D(2027, 1, 1))
    assert calendar.is_workday(D(2027, 1, 9))
    assert calendar.count(D(2027, 1, 1), D(2027, 1, 10)) == WorkdayCount(6, ())  # 4–8 and 9 January


def test_holidays_of_an_uncovered_year_still_count(tmp_path):
    extra = tmp_path / "partial.toml"
    extra.write_text("[years.2030]\nholidays = [2030-01-01]\n", "utf-8")
    calendar = WorkCalendar(extra_files=[extra])
    assert calendar.count(D(2030, 1, 1), D(2030, 1, 31)) == WorkdayCount(22, (2030,))


def test_later_file_wins(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text("[years.2024]\nholidays = [2024-09-03]\n", "utf-8")
    second.write_text("[years.2024]\nworkdays = [2024-09-03]\n", "utf-8")
    assert not WorkCalendar(extra_files=[first]).is_workday(D(2024, 9, 3))
    assert WorkCalendar(extra_files=[first, second]).is_workday(D(2024, 9, 3))
    # and a deployment can cancel a packaged Xinjiang holiday the same way
    cancel = tmp_path / "c.toml"
    cancel.write_text("[years.2025]\nworkdays = [2025-06-10]\n", "utf-8")
    assert WorkCalendar(extra_files=[cancel]).is_workday(D(2025, 6, 10))


@pytest.mark.parametrize("text, fragment", [
    ("[years.2027]\nholiday = [2027-01-01]\n", "holiday"),
    ("[years.2027]\nholidays = [2028-01-01]\n", "不在2027年"),
    ("[years.2027]\nholidays = [\"2027-02-30\"]\n", "不是有效日期"),
    ("[years.2027]\nholidays = [2027-01-01]\nworkdays = [2027-01-01]\n", "同时列为放假和上班"),
    ("[2027]\nholidays = []\n", "[years.YYYY]"),
    ("[years.2027\n", "格式错误"),
])
def test_bad_files_are_refused(tmp_path, text, fragment):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, "utf-8")
    with pytest.raises(RuleError) as info:
        WorkCalendar(extra_files=[bad])
    assert fragment in info.value.message and "bad.toml" in info.value.message


def test_missing_extra_file_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        WorkCalendar(extra_files=[tmp_path / "absent.toml"])


def test_default_calendar_is_shared():
    assert default_calendar() is default_calendar()
    assert default_calendar().covered(2024)


def test_years_without_xinjiang_festival_data_are_reported():
    calendar = WorkCalendar()
    assert calendar.count(dt.date(2023, 6, 26), dt.date(2023, 7, 3)).regional_missing == ()
    assert calendar.count(dt.date(2024, 6, 10), dt.date(2024, 6, 20)).regional_missing == (2024,)
    # an uncovered year is reported as such, not twice
    assert calendar.count(dt.date(2030, 3, 1), dt.date(2030, 3, 8)).regional_missing == ()
