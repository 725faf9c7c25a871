"""所在单位性质证明 (seed 000 (四)2): the applicant's unit certifies what kind of body it is, and under whom.

Seed 000 names the document (原件1份) without printing a model: the wording in the profiles is docgen's own.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from docgen import rules
from docgen.errors import InvalidPayload
from docgen.kinds import Kind, Options
from docgen.kinds.common import ID_BLANK, NAME_BLANK, BLANK, Applicant, Payload, Unit, fill, signoff_date
from docgen.profiles import Profile
from docgen.rules.ids import uscc_category
from docgen.rules.types import Uscc

SLUG = "unit-nature-certificate"
# the natures a 职称 notice tells apart, and the first two characters of the USCC each is registered under
# (GB 32100-2015 附录A: 11 机关, 12 事业单位, 13 群众团体, 51–53 社会组织, 91 企业)
NATURES: dict[str, tuple[str, ...]] = {
    "机关": ("11",), "参照公务员法管理的事业单位": ("12", "13"), "事业单位": ("12",), "国有企业": ("91",),
    "民营企业": ("91",), "其他企业": ("91",), "社会团体": ("51",), "民办非企业单位": ("52",), "基金会": ("53",),
}
Nature = Literal["机关", "参照公务员法管理的事业单位", "事业单位", "国有企业", "民营企业", "其他企业", "社会团体",
                 "民办非企业单位", "基金会"]


class CertifyingUnit(Unit):
    """所在单位: it certifies itself, so its 统一社会信用代码 is required."""

    uscc: Uscc = Field(title="统一社会信用代码", description="18 位，含校验码（GB 32100）；前两位须与单位性质相符")


class UnitNaturePayload(Payload):
    """所在单位性质证明的内容."""

    applicant: Applicant = Field(title="申报人", description="证明为其出具：只印姓名")
    unit: CertifyingUnit = Field(title="所在单位")
    nature: Nature = Field(title="单位性质", examples=["事业单位"],
                           description="须与统一社会信用代码前两位的登记类别相符（11 机关，12 事业单位，91 企业……）")
    competent: Unit | None = Field(None, title="主管部门", description="只用名称；没有主管部门的单位不填，印为“无”")


def _check(payload: UnitNaturePayload) -> None:
    """Reject a nature the USCC's registration category contradicts (a 事业单位 holding a 91 code)."""
    code = payload.unit.uscc
    if code[:2] not in NATURES[payload.nature]:
        expected = "或".join(f"“{prefix}”" for prefix in NATURES[payload.nature])
        raise InvalidPayload([{"pointer": "/nature", "detail": (
            f"单位性质“{payload.nature}”与统一社会信用代码不符：代码前两位“{code[:2]}”表示{uscc_category(code)}，"
            f"{payload.nature}的代码以{expected}开头，请核对单位性质或代码")}])


def _context(values: dict, profile: Profile, date: str) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {"title": text("title"), "paragraphs": [text("body"), text("member"), text("closing")],
            "signatures": text("signatures"), "date": date}


def build(payload: UnitNaturePayload, profile: Profile, options: Options) -> dict:
    """Build the context: the unit, its code, its nature and 主管部门 (无 when it has none), who it is for."""
    _check(payload)
    values = {"name": payload.applicant.name, "unit": payload.unit.name, "uscc": payload.unit.uscc,
              "nature": payload.nature, "competent": rules.or_none(payload.competent and payload.competent.name)}
    return _context(values, profile, signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: the unit, its code, nature (with the choices as a hint) and 主管部门 blank."""
    values = {"name": NAME_BLANK, "unit": BLANK, "uscc": ID_BLANK, "competent": BLANK,
              "nature": BLANK + profile.text(SLUG, "nature_hint")}
    return _context(values, profile, signoff_date(None))


KIND = Kind(slug=SLUG, title="单位性质证明", model=UnitNaturePayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 (四)2", issued_by_unit=True)
