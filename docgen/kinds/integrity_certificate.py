"""廉政情况证明 (seed 003 附件4): the 主管单位纪检部门 certifies the applicant's disciplinary record."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from docgen import rules
from docgen.errors import InvalidPayload
from docgen.kinds import Kind, Options
from docgen.kinds.common import NAME_BLANK, BLANK, Applicant, Filled, Payload, UnitName, WorkUnitFilled, fill, signoff_date
from docgen.profiles import Profile
from docgen.rules.types import Date

SLUG = "integrity-certificate"
PENALTY_SUFFIX = "处分"   # the wording prints “受到{penalty}处分”: 警告 and 警告处分 both mean 警告


def _penalty_name(value: str) -> str:
    """Drop a trailing 处分 (the wording adds it), keeping a name that is only 处分."""
    return value.removesuffix(PENALTY_SUFFIX).strip() or value


class IntegrityApplicant(Applicant):
    """申报人: the certificate names the person and the unit employing them."""

    work_unit: WorkUnitFilled = Field(title="工作单位", examples=["塔城地区人民医院"])


class Punishment(BaseModel):
    """党纪政纪处分: replaces “未受到党纪政纪处理” (seed 003 附件4, the clause in brackets)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: Date = Field(title="处分日期", description="受到处分的日期（YYYY-MM-DD）")
    reason: Filled = Field(title="处分原因", examples=["违反工作纪律"], description="印为“因××，受到××处分”")
    penalty: Annotated[Filled, AfterValidator(_penalty_name)] = Field(
        title="处分种类", examples=["警告"], description="如警告、记过、记大过；末尾的“处分”二字可省略")
    period: Filled = Field(title="影响期", examples=["6个月"], description="如6个月、1年")


class IntegrityPayload(Payload):
    """廉政情况证明的内容."""

    applicant: IntegrityApplicant = Field(title="申报人")
    punishment: Punishment | None = Field(None, title="处分情况", description="聘现职以来受到的党纪政纪处分；缺省为未受到处理")
    clues: bool = Field(False, title="有无问题线索反映",
                        description="有无政治纪律、党风廉政、计划生育方面的问题线索反映；缺省为无")
    issuer: UnitName = Field(title="出具单位（主管单位纪检部门）", examples=["塔城地区卫生健康委员会纪检组"])


def _check(payload: IntegrityPayload) -> None:
    """Reject a 处分 dated after the certificate that reports it."""
    if payload.punishment and payload.date and payload.punishment.date > payload.date:
        raise InvalidPayload([{"pointer": "/punishment/date", "detail": (
            f"处分日期{rules.cn_date(payload.punishment.date)}晚于证明的成文日期{rules.cn_date(payload.date)}，请核对")}])


def _context(values: dict, profile: Profile, record: str, clues: str, date: str) -> dict:
    def text(key: str) -> str:
        return fill(profile.text(SLUG, key), values)

    values = {**values, "record": text(record), "clues": text(clues)}
    return {"title": text("title"), "paragraphs": [text("body"), text("closing")], "signatures": text("signatures"),
            "date": date}


def build(payload: IntegrityPayload, profile: Profile, options: Options) -> dict:
    """Build the context: who, where employed, the record (clean or the 处分), the clues, and who seals it."""
    _check(payload)
    values = {"name": payload.applicant.name, "work_unit": payload.applicant.work_unit, "issuer_name": payload.issuer,
              "blank": BLANK}
    punishment = payload.punishment
    if punishment:
        values |= {"punished_on": rules.cn_date(punishment.date), "reason": punishment.reason,
                   "penalty": punishment.penalty, "period": punishment.period}
    return _context(values, profile, "record_punished" if punishment else "record_clean",
                    "clues_some" if payload.clues else "clues_none", signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: both records and 有（无） printed, to strike out by hand, as the seed prints it."""
    values = {"name": NAME_BLANK, "work_unit": BLANK, "blank": BLANK, "issuer_name": profile.text(SLUG, "issuer_hint")}
    return _context(values, profile, "record_blank", "clues_blank", signoff_date(None))


KIND = Kind(slug=SLUG, title="廉政情况证明", model=IntegrityPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="003 附件4", issued_by_unit=True, unit_fields=("issuer",))
