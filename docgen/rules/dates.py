"""Dates written the Chinese way, in Arabic or Chinese numerals."""
from __future__ import annotations

import datetime as dt

import cn2an


def cn_date(d: dt.date) -> str:
    """Write a date as 2024年8月28日 (GB/T 9704-2012 §7.3.5: 月、日不编虚位)."""
    return f"{d.year}年{d.month}月{d.day}日"


BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")   # China keeps UTC+8 all year


def cn_datetime(moment: dt.datetime) -> str:
    """Write a moment as 2026年12月3日 16:46 in Beijing time (a naive moment is taken as UTC, as stored)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).astimezone(BEIJING)
    return f"{cn_date(local)} {local:%H:%M}"


def cn_month(d: dt.date) -> str:
    """Write the month of a date as 2024年8月."""
    return f"{d.year}年{d.month}月"


def cn_year_numerals(year: int) -> str:
    """Write a year digit by digit in Chinese numerals: 2024 → 二〇二四年."""
    if year < 0:
        raise ValueError(f"year must not be negative: {year}")
    # GB/T 9704-1999 §7.3.5.1: 成文时间用汉字，"零"写为"〇"
    return cn2an.an2cn(str(year), "direct").replace("零", "〇") + "年"


def cn_date_numerals(d: dt.date) -> str:
    """Write a date in Chinese numerals: 2024-08-28 → 二〇二四年八月二十八日."""
    return f"{cn_year_numerals(d.year)}{cn2an.an2cn(d.month, 'low')}月{cn2an.an2cn(d.day, 'low')}日"


def cn_number(n: int) -> str:
    """Write a whole number in Chinese numerals as prose does: 5 → 五, 12 → 十二 (年限, 天数)."""
    return cn2an.an2cn(int(n), "low")
