"""现实表现政治鉴定材料 (seed 000 (四)1): the unit's appraisal of the applicant, signed twice and sealed.

Seed 000 names its four parts — 思想政治表现、工作现实表现、工作态度、廉洁自律 — and who signs (主管领导 and
派驻纪检组组长, 按照管理权限) without printing a model: the wording in the profiles is docgen's own.
"""
from __future__ import annotations

from typing import Any

from pydantic import Field

from docgen import rules
from docgen.kinds import Kind, Options
from docgen.kinds.common import (ID_BLANK, NAME_BLANK, BLANK, Applicant, Payload, Unit, WorkUnitFilled, applicant_values, fill, limited,
                                 signoff_date)
from docgen.profiles import Profile
from docgen.rules.types import Ethnicity, Gender, IdNumber, PoliticalStatus

SLUG = "political-appraisal"
# seed 000 (四)1: the four parts, in its order; each is required (“无” would read as “has none”)
PARTS = ("political", "work", "attitude", "integrity")
PART_MAX = 150            # with all four at 150 and the longest unit the appraisal stays within two pages
BLANK_LINES = 2           # blank form: lines to write on under each part
SHORT_BLANK = "______"    # blank form: 性别, 族别, 政治面貌 are short words
MONTH_BLANK = "　　　　年　　月"


def _part(title: str, example: str) -> Any:
    return Field(title=title, examples=[example],
                 description=f"可分段（换行）；必填，最多{PART_MAX}字")


class AppraisalApplicant(Applicant):
    """被鉴定人: the appraisal opens with who they are."""

    gender: Gender = Field(title="性别", description=Applicant.model_fields["gender"].description)
    ethnicity: Ethnicity = Field(title="族别")
    political_status: PoliticalStatus = Field(title="政治面貌")
    id_number: IdNumber = Field(title="身份证号码", description=Applicant.model_fields["id_number"].description)
    work_unit: WorkUnitFilled = Field(title="工作单位", examples=["巴音郭楞蒙古自治州农业科学研究所"])


Part = limited(PART_MAX, required=True, paragraphs=True)


class PoliticalAppraisalPayload(Payload):
    """现实表现政治鉴定材料的内容."""

    applicant: AppraisalApplicant = Field(title="被鉴定人")
    unit: Unit = Field(title="出具鉴定的单位", description="按照管理权限出具鉴定并加盖公章的单位")
    political: Part = _part("思想政治表现", "坚决拥护中国共产党的领导，政治立场坚定。")  # type: ignore[valid-type]
    work: Part = _part("工作现实表现", "任现职以来主持州级科研项目1项，年度考核均为合格以上。")  # type: ignore[valid-type]
    attitude: Part = _part("工作态度", "爱岗敬业，工作认真负责。")  # type: ignore[valid-type]
    integrity: Part = _part("廉洁自律", "严格遵守廉洁自律各项规定，无违法违纪行为。")  # type: ignore[valid-type]


def _section(label: str, text: str, lines: int = 0) -> dict:
    """Return one part: its label, its first paragraph (after the label), further paragraphs, ruled lines."""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()] or [""]
    return {"label": label, "text": paragraphs[0], "more": paragraphs[1:], "lines": ["　"] * lines}


def _context(values: dict, profile: Profile, texts: dict[str, str], lines: int, date: str) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {"title": text("title"), "lead": text("lead"),
            "sections": [_section(text(f"{part}_label"), texts[part], lines) for part in PARTS],
            "closing": text("closing"), "signatures": text("signatures"), "date": date}


def build(payload: PoliticalAppraisalPayload, profile: Profile, options: Options) -> dict:
    """Build the context: who is appraised, the four parts in the seed's order, the two signers and the seal."""
    person = applicant_values(payload.applicant, profile)   # not public: the full ID number
    birth = rules.parse_id_number(payload.applicant.id_number).birth_date
    values = {**person, "birth": rules.cn_month(birth), "unit": payload.unit.name, "blank": BLANK}
    texts = {part: getattr(payload, part) for part in PARTS}
    return _context(values, profile, texts, 0, signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: the person's facts and the unit blank, lines to write on under each part."""
    values = {key: BLANK for key in ("name", "work_unit", "current_title", "unit", "blank")}
    values |= dict.fromkeys(("gender", "ethnicity", "political_status"), SHORT_BLANK)
    values |= {"name": NAME_BLANK, "birth": MONTH_BLANK, "id_number": ID_BLANK}
    return _context(values, profile, dict.fromkeys(PARTS, ""), BLANK_LINES, signoff_date(None))


KIND = Kind(slug=SLUG, title="现实表现政治鉴定材料", model=PoliticalAppraisalPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 (四)1", issued_by_unit=True)
