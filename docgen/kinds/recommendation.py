"""单位推荐意见 / 主管单位推荐意见 (seed 002 附件2, 004 附件4, 001 五(三)): the signed, sealed recommendation.

The seeds name the document and the sentence it must contain (“本单位已对提供的申报材料逐一审核……同意推荐”)
without printing a model: the wording in the profiles is what a personnel office signs.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from docgen import rules
from docgen.errors import InvalidPayload
from docgen.kinds import Kind, Options
from docgen.kinds.common import (ID_BLANK, NAME_BLANK, BLANK, DATE_BLANK, LEVEL_BLANK, IdentifiedApplicant, Notice, Payload, Unit, UnitName,
                                 applicant_values, dated_before_notice_end, fill, limited, signoff_date)
from docgen.profiles import Profile

SLUG = "recommendation"
REVIEW_MAX = 600   # the most any review may be; what prints on the one page depends on the other fields
# measured (issue 21 point 3): with every other field at its limit (names 20, units 50), one page holds 284
# characters of review from the unit, 111 from the 主管单位 (its wording names both units more often)
REVIEW_SURE = 110
ONE_PAGE = (f"推荐意见须一页印完（盖章的信函跨页须加盖骑缝章）：单位审核意见与其他内容合计超过一页，请精简单位审核意见"
            f"（通常可写约280字；单位名称等栏目均取最长时，{REVIEW_SURE}字以内总能印下）")
ISSUERS = ("unit", "competent")
ISSUER_CHOICES = "“unit”（所在单位出具）或“competent”（主管单位出具）"
BLANK_REVIEW_LINES = 4    # blank form: room for the unit's own opinion of the applicant


def _issuer(value: Any, handler: ValidatorFunctionWrapHandler) -> str:
    """Accept unit or competent; name both choices when the value is missing or another word."""
    if value is None:
        raise PydanticCustomError("issuer", "出具单位为必填项，应为" + ISSUER_CHOICES)
    try:
        return handler(value)
    except ValueError:
        raise PydanticCustomError("issuer", "出具单位只能是" + ISSUER_CHOICES + "，填写的是“{value}”",
                                  {"value": str(value)}) from None


Issuer = Annotated[Literal["unit", "competent"], WrapValidator(_issuer)]


def _require_issuer(schema: dict[str, Any]) -> None:
    # `issuer` defaults to None only so that its missing-value message can list the choices
    schema["properties"]["issuer"].pop("default", None)
    schema["properties"]["issuer"].pop("anyOf", None)
    schema["properties"]["issuer"]["enum"] = list(ISSUERS)
    schema["properties"]["issuer"]["type"] = "string"
    schema.setdefault("required", []).insert(0, "issuer")




class CompetentUnit(Unit):
    """主管单位: its name is required only when it issues the recommendation (checked in build)."""

    name: UnitName | None = Field(None, title="主管单位名称", examples=["阿克苏地区档案局"])  # type: ignore[assignment]


class RecommendationPayload(Payload):
    """单位推荐意见 / 主管单位推荐意见的内容."""

    model_config = {**Payload.model_config, "json_schema_extra": _require_issuer}

    issuer: Issuer = Field(None, validate_default=True, title="出具单位",
                           description="unit：申报人所在单位出具（单位推荐意见）；competent：主管单位出具（主管单位推荐意见）")
    applicant: IdentifiedApplicant = Field(title="申报人")
    unit: Unit = Field(title="申报人所在单位")
    competent: CompetentUnit | None = Field(None, title="主管单位", description="出具单位为 competent 时必填名称")
    notice: Notice | None = Field(None, title="公示期", description="给出时写明公示起止日期及公示无异议")
    review: limited(REVIEW_MAX, paragraphs=True) | None = Field(None, title="单位审核意见",  # type: ignore[valid-type]
                                    description="对申报人思想政治、工作表现和业绩的评价，可分段（换行）；缺省时不印此段。"
                                                f"推荐意见须一页印完：可写的字数视其他栏目长短而定，通常约280字，"
                                                f"{REVIEW_SURE}字以内总能印下；超出一页时提示精简（422，指向本栏）")


def _check(payload: RecommendationPayload) -> None:
    """Require the 主管单位's name when it issues the recommendation (its seal is printed), and a date after the
    公示 it says ended without objection."""
    errors = []
    if payload.issuer == "competent" and not (payload.competent and payload.competent.name):
        errors.append({"pointer": "/competent/name",
                       "detail": "出具单位为主管单位（competent）时，主管单位名称为必填项，请填写"})
    if payload.notice:
        errors += dated_before_notice_end(payload.date, payload.notice, "推荐意见")
    if errors:
        raise InvalidPayload(errors)


def _paragraphs(text: str | None) -> list[str]:
    """Split a long text at its line breaks; nothing when it is empty (the paragraph is optional)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _context(values: dict, profile: Profile, issuer: str, *, remarks: list[str], lines: int, period: bool,
             date: str) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {
        "title": text("title" if issuer == "unit" else "title_competent"),
        "addressee": text("addressee"),
        "lead": text(f"lead_{issuer}"),
        "remarks": remarks,
        "lines": ["　"] * lines,
        "conclusion": [text(f"review_{issuer}")] + ([text(f"period_{issuer}")] if period else []),
        "signatures": text(f"signatures_{issuer}"),
        "date": date,
    }


def build(payload: RecommendationPayload, profile: Profile, options: Options) -> dict:
    """Build the context: who is recommended for which title, the review, the 公示 and who signs and seals."""
    _check(payload)
    issuer = payload.issuer
    person = applicant_values(payload.applicant, profile)   # not public: the committee reads the full ID number
    issuer_name = payload.unit.name if issuer == "unit" else payload.competent.name  # type: ignore[union-attr]
    values = {**person, "authority": profile.authority, "unit": payload.unit.name, "issuer_name": issuer_name,
              "blank": BLANK}
    if payload.notice:
        values |= {"start": rules.cn_date(payload.notice.start_date), "end": rules.cn_date(payload.notice.last_day),
                   "workdays": payload.notice.workdays}
    return _context(values, profile, issuer, remarks=_paragraphs(payload.review), lines=0,
                    period=payload.notice is not None, date=signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form by hand of the issuer the profile's notice asks for (seed 001 五(三), 004 附件4: the
    主管单位): its wording, lines for its opinion, the 公示 dates blank."""
    values = {key: BLANK for key in ("name", "gender", "ethnicity", "political_status", "id_number", "current_title",
                                     "series", "specialty", "unit", "issuer_name", "workdays")}
    values |= {"name": NAME_BLANK, "id_number": ID_BLANK}
    values |= {"level": LEVEL_BLANK, "authority": profile.authority, "blank": BLANK, "start": DATE_BLANK,
               "end": DATE_BLANK}
    issuer = profile.batch_defaults.get(SLUG, {}).get("issuer", "unit")
    return _context(values, profile, issuer, remarks=[], lines=BLANK_REVIEW_LINES, period=True,
                    date=signoff_date(None))


def _subject(payload: RecommendationPayload) -> str:
    return payload.applicant.name


KIND = Kind(slug=SLUG, title="推荐意见", model=RecommendationPayload, build=build, blank=blank,
            subject=_subject, seeds="002 附件2, 004 附件4, 001 五(三)", unit_fields=("competent",),
            issued_by_unit=True, one_page=("/review", ONE_PAGE))
