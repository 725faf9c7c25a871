"""推荐单位公示结果 (seed 000 附件2, 003 附件2): the 公示 ended without objection; the unit recommends."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from docgen import rules
from docgen.errors import InvalidPayload
from docgen.kinds import Kind, Options
from docgen.kinds.common import (NAME_BLANK, BLANK, DATE_BLANK, LEVEL_BLANK, NOTICE_RULE, Applicant, Notice, Payload, Short,
                                 ShortFilled, Unit, dated_before_notice_end, fill, signoff_date)
from docgen.profiles import Profile
from docgen.rules.types import Date, Level

SLUG = "notice-result"
# the wording of a profile counts the period either in calendar days (seed 000 “公示××天”) or in working
# days (seed 003 “经公示××个工作日”); the placeholder it uses says which
COUNTS = {"{workdays}": ("workdays", "个工作日"), "{calendar_days}": ("calendar_days", "天")}


class ResultApplicant(Applicant):
    """申报人: what the result names."""

    series: ShortFilled = Field(title="系列", examples=["自然科学研究"])
    # seed 003 附件2 names no 专业: required where the profile's wording prints it (checked in build)
    specialty: Short | None = Field(None, title="专业", examples=["农业科学"],
                                    description="地区配置的措辞写明专业时必填（如巴州），塔城不印")  # seed 000 附件2; seed 003
    level: Level = Field(title="级别")


class EndedNotice(Notice):
    """公示期 that has ended: the result states both dates."""

    end_date: Date = Field(title="公示结束日期", description=NOTICE_RULE + "；成文日期不得早于此日")


class NoticeResultPayload(Payload):
    """推荐单位公示结果的内容."""

    applicant: ResultApplicant = Field(title="申报人")
    unit: Unit = Field(title="推荐单位")
    notice: EndedNotice = Field(title="公示期", description="已结束的公示期：起止日期都须给出")


def _counted(profile: Profile) -> tuple[str, str]:
    """Return which count of days the profile's wording prints, and its unit."""
    body = profile.text(SLUG, "body")
    for placeholder, counted in COUNTS.items():
        if placeholder in body:
            return counted
    return COUNTS["{calendar_days}"]


def _check(payload: NoticeResultPayload, profile: Profile) -> None:
    """Reject a `days` other than what the wording prints, a missing 专业 the wording prints, and a result dated
    before the 公示 ended."""
    notice = payload.notice
    errors = []
    if "{specialty}" in profile.text(SLUG, "body") and not payload.applicant.specialty:
        errors.append({"pointer": "/applicant/specialty", "detail": "专业为必填项，请填写"})
    attribute, unit = _counted(profile)
    days = getattr(notice, attribute)
    if notice.days is not None and notice.days != days:
        errors.append({"pointer": "/notice/days", "detail": (
            f"公示天数应为{days}（{rules.cn_date(notice.start_date)}至{rules.cn_date(notice.end_date)}"
            f"共{days}{unit}，{profile.name}按{unit}计），填写的是{notice.days}")})
    errors += dated_before_notice_end(payload.date, notice, "公示结果")
    if errors:
        raise InvalidPayload(errors)


def _context(values: dict, profile: Profile, date: str) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {"title": text("title"), "paragraphs": [text("body")], "signatures": text("signatures"), "date": date}


def build(payload: NoticeResultPayload, profile: Profile, options: Options) -> dict:
    """Build the context: who was posted, when, for how many days, and the unit that recommends."""
    _check(payload, profile)
    notice, person = payload.notice, payload.applicant
    values = {"name": person.name, "series": person.series, "specialty": person.specialty, "level": person.level,
              "unit": payload.unit.name, "blank": BLANK, "start": rules.cn_date(notice.start_date),
              "end": rules.cn_date(notice.end_date), "workdays": notice.workdays,
              "calendar_days": notice.calendar_days}
    return _context(values, profile, signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: names, dates and days left to write by hand."""
    values = {key: BLANK for key in ("name", "series", "specialty", "unit", "workdays", "calendar_days")}
    return _context({**values, "name": NAME_BLANK, "level": LEVEL_BLANK, "blank": BLANK, "start": DATE_BLANK, "end": DATE_BLANK}, profile,
                    signoff_date(None))


KIND = Kind(slug=SLUG, title="推荐单位公示结果", model=NoticeResultPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 附件2, 003 附件2", issued_by_unit=True)
