"""Tests for Chinese date formats."""
import datetime as dt

import pytest

from docgen.rules import cn_date, cn_date_numerals, cn_month, cn_year_numerals


def test_cn_date_has_no_zero_padding():
    assert cn_date(dt.date(2024, 8, 28)) == "2024年8月28日"
    assert cn_date(dt.date(2025, 1, 5)) == "2025年1月5日"


def test_cn_month():
    assert cn_month(dt.date(2024, 8, 28)) == "2024年8月"
    assert cn_month(dt.date(2024, 12, 1)) == "2024年12月"


@pytest.mark.parametrize("year, expected", [
    (2024, "二〇二四年"), (2000, "二〇〇〇年"), (2010, "二〇一〇年"), (1999, "一九九九年"),
])
def test_year_numerals_digit_by_digit_with_ling_circle(year, expected):
    assert cn_year_numerals(year) == expected


@pytest.mark.parametrize("day, expected", [
    (dt.date(2024, 8, 28), "二〇二四年八月二十八日"),
    (dt.date(2024, 10, 10), "二〇二四年十月十日"),
    (dt.date(2020, 12, 31), "二〇二〇年十二月三十一日"),
    (dt.date(2023, 1, 1), "二〇二三年一月一日"),
    (dt.date(2023, 11, 20), "二〇二三年十一月二十日"),
])
def test_date_numerals(day, expected):
    assert cn_date_numerals(day) == expected
