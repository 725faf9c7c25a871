"""专业技术资格评审材料真实性保证书 (seed 003 附件5): the applicant's guarantee, with the unit leader's opinion.

In the seed's order: the guarantee, “（单位负责人签字并签署意见）” with room for the opinion, then 申报人（签名）
and the one date. Seed 003 三(3)2(1): the unit's 主要领导 signs the opinion and the unit seals it.
"""
from __future__ import annotations

from typing import Any

from pydantic import Field

from docgen import rules
from docgen.kinds import Kind, Options
from docgen.kinds.common import BLANK, Applicant, Payload, ShortFilled, Unit, fill, limited, signoff_date
from docgen.profiles import Profile

SLUG = "authenticity-guarantee"
OPINION_LINES = 3   # no opinion given: ruled lines for the 单位负责人 to write it by hand


class GuaranteeApplicant(Applicant):
    """申报人: the guarantee names the specialty and the title applied for."""

    specialty: ShortFilled = Field(title="专业", examples=["临床医学"])
    target_title: ShortFilled = Field(title="拟申报专业技术资格", examples=["主治医师"])


class GuaranteePayload(Payload):
    """专业技术资格评审材料真实性保证书的内容."""

    applicant: GuaranteeApplicant = Field(title="申报人")
    unit: Unit = Field(title="申报人所在单位")
    leader_opinion: limited(200, paragraphs=True) | None = Field(  # type: ignore[valid-type]
        None, title="单位负责人意见", examples=["情况属实，同意推荐。"],
        description="单位负责人签署的意见，可分段（换行）；缺省时留出横线由单位负责人手写")


def _years_in_words(years: int) -> str:
    """Write the ban years the way the seed does: 五年内, 三年内."""
    return rules.cn_number(years)


def _context(values: dict, profile: Profile, opinion: list[str], date: str) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {
        "title": text("title"),
        "paragraphs": [text("body")],
        "leader_label": text("leader_label"),
        "opinion": opinion,
        "lines": [] if opinion else ["　"] * OPINION_LINES,
        "signatures": text("signatures"),
        "date": date,
    }


def build(payload: GuaranteePayload, profile: Profile, options: Options) -> dict:
    """Build the context: the guarantee with the profile's ban years, the applicant's and the unit's sign-off."""
    values = {"specialty": payload.applicant.specialty, "target_title": payload.applicant.target_title,
              "unit": payload.unit.name, "ban_years_words": _years_in_words(profile.ban_years), "blank": BLANK}
    opinion = [line.strip() for line in (payload.leader_opinion or "").splitlines() if line.strip()]
    return _context(values, profile, opinion, signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: specialty, title, unit and both dates left to write by hand."""
    values = {"specialty": BLANK, "target_title": BLANK, "unit": BLANK,
              "ban_years_words": _years_in_words(profile.ban_years), "blank": BLANK}
    return _context(values, profile, [], signoff_date(None))


KIND = Kind(slug=SLUG, title="专业技术资格评审材料真实性保证书", model=GuaranteePayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="003 附件5", issued_by_unit=True)
