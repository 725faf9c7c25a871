"""Working days in Xinjiang: the national calendar plus regional holidays and later years from TOML."""
from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import chinese_calendar
from hijridate import Gregorian, Hijri

from docgen.rules.errors import RuleError

_KEYS = {"holidays", "workdays", "complete", "source"}
# 肉孜节 is 1 Shawwal (10/1) and 古尔邦节 10 Dhu al-Hijjah (12/10) of the Islamic calendar
# (自治区人民政府令第174号); the 自治区 fixes the day each year after 中国伊斯兰教协会, which has fallen on
# the Umm al-Qura date or one day after it (2022, 2023, 2025)
_FESTIVALS = (("肉孜节", 10, 1), ("古尔邦节", 12, 10))
FESTIVAL_MARGIN = dt.timedelta(days=3)   # a period this close to an estimate may touch the days off


@dataclass(frozen=True)
class Festival:
    """A Xinjiang festival of one year estimated from the Islamic calendar (None: outside the tables)."""

    name: str
    year: int
    estimate: dt.date | None


@dataclass(frozen=True)
class WorkdayCount:
    """Working days in a period, the years no official calendar covers, and the Xinjiang festivals
    (肉孜节, 古尔邦节) that may fall in or next to it but whose official days are not in our tables
    (the count may then be one to three too high)."""

    days: int
    uncovered_years: tuple[int, ...] = ()
    regional_missing: tuple[Festival, ...] = field(default=(), compare=False)  # advice, not part of the count


@dataclass
class _Year:
    overrides: dict[dt.date, bool]   # date → is a working day
    complete: bool | None = None     # None: not said in this file


class WorkCalendar:
    """Tell working days from days off, from chinese-calendar and holiday tables (later files win)."""

    def __init__(self, extra_files: Sequence[Path] = ()):
        self._years: dict[int, _Year] = {}
        self._merge(_read_toml(resources.files("docgen.rules").joinpath("data/holidays.toml").read_text("utf-8"),
                               "docgen/rules/data/holidays.toml"))
        for path in extra_files:
            path = Path(path)
            self._merge(_read_toml(path.read_text("utf-8"), str(path)))

    def _merge(self, years: dict[int, _Year]) -> None:
        for year, table in years.items():
            known = self._years.setdefault(year, _Year({}))
            known.overrides.update(table.overrides)
            if table.complete is not None:
                known.complete = table.complete

    def covered(self, year: int) -> bool:
        """Tell whether official data defines `year`: chinese-calendar knows it or a complete table does."""
        table = self._years.get(year)
        return bool(table and table.complete) or _national_knows(year)

    def is_workday(self, d: dt.date) -> bool:
        """Tell whether `d` is a working day; an uncovered year falls back to Monday–Friday."""
        table = self._years.get(d.year)
        if table and d in table.overrides:
            return table.overrides[d]
        if (table is None or not table.complete) and _national_knows(d.year):
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5

    def count(self, start: dt.date, end: dt.date) -> WorkdayCount:
        """Count the working days from `start` to `end`, both included (0 when end < start)."""
        days = sum(1 for d in _days(start, end) if self.is_workday(d))
        return WorkdayCount(days, self._uncovered(start, end), self._festivals_unknown(start, end))

    def earliest_end(self, start: dt.date, days: int = 5) -> tuple[dt.date, tuple[int, ...]]:
        """Return the earliest end such that [start, end] holds `days` working days, and uncovered years.

        If `start` is a day off, counting begins at the next working day.
        """
        if days < 1:
            raise ValueError(f"days must be at least 1, not {days}")
        d, counted = start, 0
        while True:
            if self.is_workday(d):
                counted += 1
                if counted == days:
                    return d, self._uncovered(start, d)
            d += dt.timedelta(days=1)

    def _festivals_unknown(self, start: dt.date, end: dt.date) -> tuple[Festival, ...]:
        """Return the festivals within FESTIVAL_MARGIN of [start, end] in years whose official Xinjiang
        days are not in the tables (an estimate the Islamic calendar cannot give counts as close).

        A year no official calendar covers is left out: its warning already says only weekends count.
        """
        if start > end:
            return ()
        out = []
        for year in range(start.year - 1, end.year + 2):
            if year in self._years or not self.covered(year):
                continue
            for festival in festival_estimates(year):
                if festival.estimate is None:
                    near = start.year <= year <= end.year
                else:
                    near = start - FESTIVAL_MARGIN <= festival.estimate <= end + FESTIVAL_MARGIN
                if near:
                    out.append(festival)
        return tuple(out)

    def _uncovered(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        return tuple(y for y in range(start.year, end.year + 1) if start <= end and not self.covered(y))


@cache
def default_calendar() -> WorkCalendar:
    """Return the calendar built from the packaged data only (deployments construct their own)."""
    return WorkCalendar()


@cache
def festival_estimates(year: int) -> tuple[Festival, ...]:
    """Estimate the Gregorian dates of 肉孜节 and 古尔邦节 in `year` from the Umm al-Qura calendar.

    A Gregorian year holds each festival once or (every ~33 years) twice; outside the calendar's
    tables (1924–2077) the estimate is None.
    """
    try:
        first, last = Gregorian(year, 1, 1).to_hijri().year, Gregorian(year, 12, 31).to_hijri().year
    except OverflowError:
        return tuple(Festival(name, year, None) for name, _, _ in _FESTIVALS)
    out = []
    for name, month, day in _FESTIVALS:
        for hijri_year in range(first, last + 1):
            try:
                date = Hijri(hijri_year, month, day).to_gregorian()
            except OverflowError:
                continue
            if date.year == year:
                out.append(Festival(name, year, dt.date(date.year, date.month, date.day)))
    return tuple(sorted(out, key=lambda f: f.estimate or dt.date.min))


@cache
def _national_knows(year: int) -> bool:
    """Tell whether chinese-calendar has the national schedule of `year` (it raises otherwise)."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    for offset in range((end - start).days + 1):
        yield start + dt.timedelta(days=offset)


def _read_toml(text: str, name: str) -> dict[int, _Year]:
    """Parse a holiday table file, refusing anything that would be silently ignored."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"节假日文件{name}格式错误：{exc}") from None
    unknown = set(data) - {"years"}
    if unknown:
        raise RuleError(f"节假日文件{name}中有不认识的项：{'、'.join(sorted(unknown))}（应写在 [years.YYYY] 下）")
    years: dict[int, _Year] = {}
    for key, table in (data.get("years") or {}).items():
        if not (key.isdigit() and len(key) == 4) or not isinstance(table, dict):
            raise RuleError(f"节假日文件{name}中 [years.{key}] 不是有效的年份表")
        year = int(key)
        where = f"节假日文件{name} [years.{year}]"
        extra = set(table) - _KEYS
        if extra:
            raise RuleError(f"{where}中有不认识的项：{'、'.join(sorted(extra))}（只能是 holidays、workdays、complete、source）")
        complete = table.get("complete")
        if complete is not None and not isinstance(complete, bool):
            raise RuleError(f"{where}中 complete 应为 true 或 false")
        overrides: dict[dt.date, bool] = {}
        for key, is_workday in (("holidays", False), ("workdays", True)):
            for item in _dates(table.get(key, []), year, f"{where} {key}"):
                if overrides.get(item, is_workday) != is_workday:
                    raise RuleError(f"{where}中{item.isoformat()}同时列为放假和上班")
                overrides[item] = is_workday
        years[year] = _Year(overrides, complete)
    return years


def _dates(items: Any, year: int, where: str) -> list[dt.date]:
    """Read a list of TOML dates (or ISO date strings) that must all fall in `year`."""
    if not isinstance(items, list):
        raise RuleError(f"{where}应为日期列表，如 [2027-01-01]")
    out = []
    for item in items:
        if isinstance(item, str):
            try:
                item = dt.date.fromisoformat(item)
            except ValueError:
                raise RuleError(f"{where}中“{item}”不是有效日期（YYYY-MM-DD）") from None
        if isinstance(item, dt.datetime) or not isinstance(item, dt.date):
            raise RuleError(f"{where}中“{item}”不是日期（YYYY-MM-DD）")
        if item.year != year:
            raise RuleError(f"{where}中{item.isoformat()}不在{year}年")
        out.append(item)
    return out
