"""推荐单位公示 (seed 000 附件1, 002 附件1, 003 附件1): the unit posts who it recommends, for objections."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from docgen import rules
from docgen.kinds import Kind, Options
from docgen.kinds.common import (BLANK, ID_BLANK, NAME_BLANK, DATE_BLANK, LEVEL_BLANK, Filled, IdentifiedApplicant, Notice, Payload, Unit,
                                 applicant_values, fill, limited, signoff_date)
from docgen.profiles import Profile

SLUG = "public-notice"
# the blank form: room to write by hand, at the body's pitch of 10.2 mm (≈ 20 handwritten 字 a line), on two pages
# (the 23 lines two pages leave beside the seed's text, two kept free so LibreOffice's DOCX stays on two):
# 思想政治条件 ~100 字 (~60 typical), 业绩成果 ~320 字 (130–150 typical, seed 000 附件1 “简要描述近五年的…”)
POLITICAL_LINES = 5
ACHIEVEMENT_LINES = 16
POLITICAL_MAX = 200       # ~60 is typical; with every field at its limit the 公示 takes three pages (tests/layout)
ACHIEVEMENTS_MAX = 500    # 130–150 is typical and stays on one page


class NoticeUnit(Unit):
    """推荐单位: the 监督 sentence names where objections go."""

    office: Filled = Field(title="受理异议的办公室", examples=["人事科"])
    phone: Filled = Field(title="监督电话", examples=["0996-2024393"])


class PublicNoticePayload(Payload):
    """推荐单位公示的内容."""

    applicant: IdentifiedApplicant = Field(title="申报人")
    unit: NoticeUnit = Field(title="推荐单位")
    notice: Notice = Field(title="公示期",
                           description="不少于5个工作日（按自治区放假安排计算）；只给开始日期时自动算出结束日期")
    # required: the seed template asks for both, and “无” on a public notice reads as “has none”
    political: limited(POLITICAL_MAX, required=True, paragraphs=True) = Field(  # type: ignore[valid-type]
        title="思想政治条件", description=f"思想政治表现、职业操守和从业行为；必填，最多{POLITICAL_MAX}字")
    achievements: limited(ACHIEVEMENTS_MAX, required=True, paragraphs=True) = Field(  # type: ignore[valid-type]
        title="业绩成果",
        description=f"近年来的实践能力和业绩成果及本人的实际贡献；可分段（换行）；必填，最多{ACHIEVEMENTS_MAX}字")


def _paragraphs(text: str | None) -> list[str]:
    """Split a long text at its line breaks; 无 when it is empty."""
    parts = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return parts or [rules.or_none(None)]


def _section(label: str, paragraphs: list[str], lines: int = 0) -> dict:
    return {"label": label, "text": paragraphs[0], "more": paragraphs[1:], "lines": ["　"] * lines}


def _context(values: dict, profile: Profile, political: dict, achievements: dict, date: str) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {
        "title": text("title"),
        "lead": text("lead"),
        "sections": [
            _section(text("basic_label"), [text("basic")]),
            {**political, "label": text("political_label")},
            {**achievements, "label": text("achievements_label")},
        ],
        "period": text("period"),
        "contact": text("contact"),
        "signatures": text("signatures"),
        "date": date,
    }


def build(payload: PublicNoticePayload, profile: Profile, options: Options) -> dict:
    """Build the context: the applicant (ID masked where the profile says so), the period, the unit."""
    person = applicant_values(payload.applicant, profile, public=True)
    unit = payload.unit
    values = {**person, "unit": unit.name, "office": unit.office, "phone": unit.phone, "blank": BLANK,
              "start": rules.cn_date(payload.notice.start_date), "end": rules.cn_date(payload.notice.last_day)}
    return _context(values, profile, _section("", _paragraphs(payload.political)),
                    _section("", _paragraphs(payload.achievements)), signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: the seed's hints under each heading, and lines to write on."""
    values = {key: BLANK for key in ("name", "gender", "ethnicity", "political_status", "id_number",
                                     "current_title", "series", "specialty", "unit", "office", "phone")}
    values |= {"name": NAME_BLANK, "id_number": ID_BLANK, "level": LEVEL_BLANK, "blank": BLANK,
               "start": DATE_BLANK, "end": DATE_BLANK}
    return _context(values, profile, _section("", [profile.text(SLUG, "political_hint")], POLITICAL_LINES),
                    _section("", [profile.text(SLUG, "achievements_hint")], ACHIEVEMENT_LINES), signoff_date(None))


KIND = Kind(slug=SLUG, title="推荐单位公示", model=PublicNoticePayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 附件1, 002 附件1, 003 附件1", issued_by_unit=True)
