"""任现职以来个人业务技术总结 (seed 000 五(一)11, (四)7; 001 五(一)6; 003 三(三)2(3)): the applicant's own text.

The profile sets the length (000: 2000–3000 字; 003: 不少于2000字), whether the text may name the applicant or
the unit (003: “用‘本人’和‘本单位’替代”) and whether the 组织人事部门 signs it off (003: “已审核，情况属实”).
"""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from docgen.errors import InvalidPayload
from docgen.kinds import Kind, Options
from docgen.kinds.common import (NAME_BLANK, BLANK, DATE_BLANK, Applicant, Payload, WorkUnitFilled, fill, limited,
                                 signoff_date)
from docgen.profiles import Profile
from docgen.rules.types import Date

SLUG = "work-summary"
PARAGRAPH_MAX = 600       # characters of one paragraph (about 21 lines), the limit of every free text
PARAGRAPHS_MAX = 40
# the blank form: ruled lines to write on, with the sign-offs still on the first page (the 审核 block takes 6 lines;
# LibreOffice sets a ruled line a little taller than the PDF)
BLANK_LINES, REVIEW_LINES = 15, 6
_SPACE = re.compile(r"\s")


class SummaryApplicant(Applicant):
    """申报人: the name and unit sign the summary, or (seed 003) must not appear in it."""

    work_unit: WorkUnitFilled = Field(title="工作单位", examples=["巴音郭楞蒙古自治州农业科学研究所"])


class Review(BaseModel):
    """所在单位组织人事部门的审核 (seed 003 三(三)2(3): 签署“已审核，情况属实”意见，加盖公章，注落款日期)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    opinion: limited(60) | None = Field(  # type: ignore[valid-type]
        None, title="审核意见", description="缺省为地区配置的措辞，如“已审核，情况属实。”")
    date: Date | None = Field(None, title="审核日期", description="YYYY-MM-DD；缺省时留空待手写")


class SummaryPayload(Payload):
    """任现职以来个人业务技术总结的内容."""

    applicant: SummaryApplicant = Field(title="申报人")
    paragraphs: list[limited(PARAGRAPH_MAX, required=True, paragraphs=True)] = Field(  # type: ignore[valid-type]
        title="正文", min_length=1, max_length=PARAGRAPHS_MAX,
        description="本人撰写的总结，一项一段（段内换行也分段）；字数（不计空白）须符合地区配置，如 2000 至 3000 字；"
                    "塔城（tacheng-2023）不得出现本人姓名和工作单位，用“本人”和“本单位”替代")
    review: Review | None = Field(None, title="组织人事部门审核",
                                  description="给出时印审核意见、公章处和审核日期；地区配置要求审核时（塔城）总是印出")

    @field_validator("paragraphs", mode="before")
    @classmethod
    def _split_lines(cls, paragraphs: object) -> object:
        """Split each paragraph at its line breaks (text pasted from a word processor) before the length of each
        paragraph is checked."""
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            return paragraphs   # the list and item types report what is wrong
        return [line.strip() for p in paragraphs for line in p.splitlines() if line.strip()]


def characters(paragraphs: list[str]) -> int:
    """Count the characters of a text as its length rule does: every character but whitespace."""
    return sum(len(_SPACE.sub("", p)) for p in paragraphs)


def _length_errors(paragraphs: list[str], profile: Profile) -> list[dict]:
    """Find a text outside the profile's length (seed 000 五(一)11 2000-3000字; 003 不少于2000字)."""
    least, most = int(profile.text(SLUG, "min_chars")), int(profile.text(SLUG, "max_chars"))
    count = characters(paragraphs)
    if count >= least and (not most or count <= most):
        return []
    rule = f"应为{least}至{most}字" if most else f"应不少于{least}字"
    return [{"pointer": "/paragraphs", "detail": f"{profile.text(SLUG, 'title')}{rule}，现有{count}字（不计空白）"}]


def _named_errors(paragraphs: list[str], applicant: SummaryApplicant, profile: Profile) -> list[dict]:
    """Find the first place a text names the applicant or the unit where the profile forbids it (seed 003
    三(三)2(3))."""
    if not profile.text(SLUG, "anonymous"):
        return []
    for index, paragraph in enumerate(paragraphs):
        found = [(paragraph.find(text), what, text) for what, text in
                 (("本人姓名", applicant.name), ("工作单位", applicant.work_unit)) if text and text in paragraph]
        if found:
            at, what, text = min(found)
            return [{"pointer": f"/paragraphs/{index}", "detail": (
                f"正文第{index + 1}段第{at + 1}字起出现{what}“{text}”：工作总结中不要出现本人姓名和工作单位，"
                f"请用“本人”和“本单位”替代")}]
    return []


def _review(profile: Profile, review: Review | None, blank: bool) -> dict | None:
    """Return the 组织人事部门's sign-off, or None where neither the payload nor the profile asks for it."""
    if review is None and not profile.text(SLUG, "review_required"):
        return None
    opinion = (review.opinion if review else None) or ("" if blank else str(profile.text(SLUG, "review_opinion")))
    return {"label": profile.text(SLUG, "review_label"), "opinion": opinion,
            "signatures": fill(profile.text(SLUG, "review_signatures"), {"blank": BLANK}),
            "date": signoff_date(review.date if review else None)}


def build(payload: SummaryPayload, profile: Profile, options: Options) -> dict:
    """Build the context: the checked text, the applicant's sign-off and the unit's review."""
    errors = _length_errors(payload.paragraphs, profile) + _named_errors(payload.paragraphs, payload.applicant, profile)
    if errors:
        raise InvalidPayload(errors)
    values = {"name": payload.applicant.name, "blank": BLANK}
    return {"title": profile.text(SLUG, "title"), "paragraphs": payload.paragraphs[:-1], "lines": [],
            "closing": payload.paragraphs[-1:],
            "signatures": fill(profile.text(SLUG, "signatures"), values), "date": signoff_date(payload.date),
            "review": _review(profile, payload.review, blank=False),
            "person": {"name": payload.applicant.name, "work_unit": payload.applicant.work_unit}}


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: the title, lines to write on, and the sign-offs to fill by hand."""
    review = _review(profile, None, blank=True)
    lines = ["　"] * (BLANK_LINES - (REVIEW_LINES if review else 0))
    return {"title": profile.text(SLUG, "title"), "paragraphs": [], "lines": lines, "closing": [],
            "signatures": fill(profile.text(SLUG, "signatures"), {"name": NAME_BLANK, "blank": BLANK}),
            "date": DATE_BLANK, "review": review, "person": {}}


KIND = Kind(slug=SLUG, title="任现职以来个人业务技术总结", model=SummaryPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 五(一)11、(四)7；001 五(一)6；003 三(三)2(3)",
            blind_fields=("person.name", "person.work_unit"))
