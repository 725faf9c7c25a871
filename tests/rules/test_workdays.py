"""Tests for the working-day calendar."""
import datetime as dt

import pytest

from docgen.rules import RuleError, WorkCalendar, WorkdayCount, default_calendar, festival_estimates

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


def _missing(calendar, start, end):
    return [(f.name, f.estimate) for f in calendar.count(start, end).regional_missing]


def test_festival_estimates_match_the_official_days_we_have():
    # official Xinjiang days: 2022 肉孜节 5-03, 古尔邦节 7-10; 2023 4-22, 6-29; 2025 3-31, 6-06
    official = {2022: (D(2022, 5, 3), D(2022, 7, 10)), 2023: (D(2023, 4, 22), D(2023, 6, 29)),
                2025: (D(2025, 3, 31), D(2025, 6, 6))}
    for year, days in official.items():
        estimates = festival_estimates(year)
        assert [f.name for f in estimates] == ["肉孜节", "古尔邦节"]
        for festival, day in zip(estimates, days, strict=False):
            assert abs((festival.estimate - day).days) <= 1, (festival, day)


def test_festival_estimates_2024_and_2026():
    assert [(f.name, f.estimate) for f in festival_estimates(2024)] == [
        ("肉孜节", D(2024, 4, 10)), ("古尔邦节", D(2024, 6, 16))]
    assert [(f.name, f.estimate) for f in festival_estimates(2026)] == [
        ("肉孜节", D(2026, 3, 20)), ("古尔邦节", D(2026, 5, 27))]


def test_a_year_may_hold_a_festival_twice_and_beyond_the_tables_none():
    assert [f.name for f in festival_estimates(2030)] == ["肉孜节", "古尔邦节"]
    assert sum(f.name == "肉孜节" for f in festival_estimates(2000)) == 2   # 1 January and 27 December 2000
    assert [f.estimate for f in festival_estimates(2090)] == [None, None]


def test_only_periods_near_an_unknown_festival_warn():
    calendar = WorkCalendar()
    # 2024 has no official Xinjiang days in the tables: September is far from both festivals
    assert _missing(calendar, D(2024, 9, 2), D(2024, 9, 6)) == []
    # a 公示 from 14 June runs into 古尔邦节 (≈ 16 June)
    assert _missing(calendar, D(2024, 6, 14), D(2024, 6, 20)) == [("古尔邦节", D(2024, 6, 16))]
    # three days either side still warn, four do not
    assert _missing(calendar, D(2024, 4, 1), D(2024, 4, 7)) == [("肉孜节", D(2024, 4, 10))]
    assert _missing(calendar, D(2024, 4, 1), D(2024, 4, 6)) == []
    assert _missing(calendar, D(2024, 4, 13), D(2024, 4, 19)) == [("肉孜节", D(2024, 4, 10))]
    assert _missing(calendar, D(2024, 4, 14), D(2024, 4, 19)) == []
    # years with official days never warn
    assert _missing(calendar, D(2023, 6, 26), D(2023, 7, 3)) == []
    assert _missing(calendar, D(2026, 5, 25), D(2026, 5, 29)) == [("古尔邦节", D(2026, 5, 27))]


def test_an_uncovered_year_warns_as_such_not_twice():
    calendar = WorkCalendar()
    count = calendar.count(D(2030, 1, 28), D(2030, 2, 8))   # 肉孜节 2030 ≈ 5 February
    assert count.uncovered_years == (2030,) and count.regional_missing == ()


def test_a_table_with_the_year_silences_the_estimate(tmp_path):
    extra = tmp_path / "2024.toml"
    extra.write_text("[years.2024]\nholidays = [2024-06-17, 2024-06-18]\n", "utf-8")
    calendar = WorkCalendar(extra_files=[extra])
    assert _missing(calendar, D(2024, 6, 14), D(2024, 6, 20)) == []
    assert calendar.count(D(2024, 6, 14), D(2024, 6, 20)).days == 3   # 14, 19, 20
