"""从事专业技术工作经历证明 (seed 000 (四)8, 002 四(五)5): the unit certifies when and where the applicant did what work.

Seed 000 asks for 具体起止时间和从事的相关工作; seed 002 for 从事现任专业工作年限的书面证明 (首次参评、直接申报中级).
Neither prints a model: the wording in the profiles is docgen's own. The periods are checked (in order, not
overlapping, none after the certificate's date) and their months summed once, a month two periods share counted once.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from docgen import rules
from docgen.errors import InvalidPayload
from docgen.kinds import Kind, Options
from docgen.kinds.common import ID_BLANK, NAME_BLANK, BLANK, Applicant, Payload, Unit, UnitName, fill, limited, signoff_date
from docgen.profiles import Profile
from docgen.rules.types import IdNumber, Month

SLUG = "work-history-certificate"
PERIODS_MAX = 8       # with 8 periods at every maximum the certificate stays within two pages
WORK_MAX = 30         # 从事的工作: a phrase (“棉花栽培与节水灌溉技术研究工作” is 15)
BLANK_PERIODS = 4     # blank form: periods to fill in by hand
MONTH_BLANK = "　　年　月"   # room for 2015 and 12 written by hand
SHORT_BLANK = "______"


class HistoryApplicant(Applicant):
    """申报人: the certificate names the person by name and ID number."""

    id_number: IdNumber = Field(title="身份证号码", description=Applicant.model_fields["id_number"].description)


class Period(BaseModel):
    """One period of professional work: from when to when (or 至今), where, doing what."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    start: Month = Field(title="起始年月")
    end: Month | None = Field(None, title="截止年月", description="YYYY-MM；缺省为“至今”，只有最后一段可以缺省")
    work_unit: UnitName = Field(title="工作单位", examples=["尉犁县农业技术推广站"])
    work: limited(WORK_MAX, required=True) = Field(  # type: ignore[valid-type]
        title="从事的专业技术工作", examples=["棉花栽培技术推广工作"], description="印为“在××单位从事××”")


class WorkHistoryPayload(Payload):
    """从事专业技术工作经历证明的内容."""

    applicant: HistoryApplicant = Field(title="申报人")
    unit: Unit = Field(title="出具证明的单位")
    periods: list[Period] = Field(title="工作经历", min_length=1, max_length=PERIODS_MAX,
                                  description="按时间先后排列，不得重叠（前一段的截止月与后一段的起始月可以相同），"
                                              "不得晚于成文日期（缺省时为今天）")


def _index(month: dt.date) -> int:
    """Number a month so that consecutive months differ by one."""
    return month.year * 12 + month.month - 1


def _later_than(what: str, month: dt.date, as_of: dt.date, dated: bool) -> str:
    limit = f"证明的成文日期{rules.cn_date(as_of)}" if dated else f"今天（{rules.cn_date(as_of)}）"
    return f"{what}{rules.cn_month(month)}晚于{limit}，经历证明只能写已有的经历，请核对"


def _check_period(at: str, period: Period, as_of: dt.date, dated: bool) -> list[dict]:
    """Check one period against itself and the certificate's date."""
    errors = []
    if _index(period.start) > _index(as_of):
        errors.append({"pointer": f"{at}/start", "detail": _later_than("起始年月", period.start, as_of, dated)})
    if period.end and _index(period.end) > _index(as_of):
        errors.append({"pointer": f"{at}/end", "detail": _later_than("截止年月", period.end, as_of, dated)})
    if period.end and period.end < period.start:
        errors.append({"pointer": f"{at}/end", "detail": (
            f"截止年月{rules.cn_month(period.end)}早于起始年月{rules.cn_month(period.start)}，请核对")})
    return errors


def _check_order(i: int, before: Period, period: Period) -> list[dict]:
    """Check that a period follows the one before it: later start, no overlap, only the last one 至今."""
    if before.end is None:
        return [{"pointer": f"/periods/{i - 1}/end",
                 "detail": f"第{i}段未填截止年月（至今），其后还有第{i + 1}段：只有最后一段可以至今，请填写截止年月"}]
    if period.start < before.start:
        return [{"pointer": f"/periods/{i}/start", "detail": (
            f"工作经历应按时间先后排列：第{i + 1}段起始年月{rules.cn_month(period.start)}"
            f"早于第{i}段的{rules.cn_month(before.start)}")}]
    if _index(period.start) < _index(before.end):
        return [{"pointer": f"/periods/{i}/start", "detail": (
            f"第{i + 1}段与第{i}段重叠：第{i}段至{rules.cn_month(before.end)}，"
            f"第{i + 1}段自{rules.cn_month(period.start)}起，请核对")}]
    return []


def _check(payload: WorkHistoryPayload, as_of: dt.date) -> None:
    """Refuse periods out of order, overlapping, or after the certificate's date — each at its field."""
    dated = payload.date is not None
    errors = [e for i, p in enumerate(payload.periods) for e in _check_period(f"/periods/{i}", p, as_of, dated)]
    for i in range(1, len(payload.periods)):
        errors += _check_order(i, payload.periods[i - 1], payload.periods[i])
    if errors:
        raise InvalidPayload(errors)


def _duration(months: int) -> str:
    """Write a number of months as 5年, 5年3个月 or 3个月."""
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest or not years else "")


def _months(periods: list[Period], as_of: dt.date) -> int:
    """Count the months the periods cover, both ends included, a month shared by two periods once."""
    covered: set[int] = set()
    for period in periods:
        covered.update(range(_index(period.start), _index(period.end or as_of) + 1))
    return len(covered)


def _context(values: dict, profile: Profile, periods: list[dict], date: str) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    lines = [fill(profile.text(SLUG, "period"), period) for period in periods]
    return {"title": text("title"), "paragraphs": [text("lead"), *lines, text("total"), text("closing")],
            "signatures": text("signatures"), "date": date}


def build(payload: WorkHistoryPayload, profile: Profile, options: Options) -> dict:
    """Build the context: who, each period in order (至今 for an open one), the time they add up to, the seal."""
    as_of = payload.date or dt.date.today()
    _check(payload, as_of)
    now = profile.text(SLUG, "until_now")
    periods = [{"start": rules.cn_month(p.start), "end": rules.cn_month(p.end) if p.end else now,
                "work_unit": p.work_unit, "work": p.work} for p in payload.periods]
    values = {"name": payload.applicant.name, "id_number": payload.applicant.id_number, "unit": payload.unit.name,
              "total": _duration(_months(payload.periods, as_of))}
    return _context(values, profile, periods, signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: the person, a few periods and the total to fill in by hand."""
    period = {"start": MONTH_BLANK, "end": MONTH_BLANK, "work_unit": BLANK, "work": SHORT_BLANK}
    values = {"name": NAME_BLANK, "id_number": ID_BLANK, "unit": BLANK, "total": f"{SHORT_BLANK}年{SHORT_BLANK}个月"}
    return _context(values, profile, [period] * BLANK_PERIODS, signoff_date(None))


KIND = Kind(slug=SLUG, title="从事专业技术工作经历证明", model=WorkHistoryPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 (四)8, 002 四(五)5", issued_by_unit=True)
