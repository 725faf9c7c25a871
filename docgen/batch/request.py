"""What a batch asks for, and how one applicant's data becomes each document type's payload."""
from __future__ import annotations

import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from docgen.kinds import Kind
from docgen.kinds.common import Notice, Unit
from docgen.rules.types import Date

MASK_RULE = "[x0, y0, x1, y1]：左上角与右下角，按页面宽、高的比例（0～1）从页面左上角量起"


class CopyNote(BaseModel):
    """复印件加注: who copied the originals and when (seed 000 (四)10 “注明复印人、复印时间并加盖单位公章”)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    copier: str | None = Field(None, title="复印人", min_length=1, max_length=20)
    date: Date | None = Field(None, title="复印时间", description="YYYY-MM-DD")


class Attachment(BaseModel):
    """What goes with one uploaded scan (the multipart part attachment:<申报人序号>:<材料编号> of the same order)."""

    model_config = ConfigDict(extra="forbid")

    masks: dict[int, list[tuple[float, float, float, float]]] = Field(
        default_factory=dict, title="盲评遮盖区域",
        description="按页码（从1起）给出要遮盖的矩形，每个为 " + MASK_RULE + "；盲评版把这些区域烧入图像",
        json_schema_extra={"propertyNames": {"pattern": "^[1-9][0-9]*$"}})

    @field_validator("masks")
    @classmethod
    def _inside_the_page(cls, masks: dict[int, list[tuple[float, float, float, float]]]
                         ) -> dict[int, list[tuple[float, float, float, float]]]:
        """Refuse page numbers below 1 and rectangles that are empty or leave the page."""
        for page, rects in masks.items():
            if page < 1:
                raise PydanticCustomError("mask_page", "页码从1起，收到{page}", {"page": page})
            for x0, y0, x1, y1 in rects:
                if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
                    raise PydanticCustomError("mask_rect", "第{page}页的遮盖区域应为" + MASK_RULE + "，且x0<x1、y0<y1，"
                                              "收到[{rect}]", {"page": page, "rect": f"{x0}, {y0}, {x1}, {y1}"})
        return masks


class BatchApplicant(BaseModel):
    """One applicant: the applicant fields, the roster columns, and per-applicant payload fields."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    name: str = Field(title="姓名", min_length=1)
    payload: dict[str, Any] = Field(default_factory=dict, title="各文书的其他内容",
                                    description="并入该申报人每份文书数据的字段，如 political、achievements、reason")
    attachments: dict[str, list[Attachment]] = Field(
        default_factory=dict, title="附件说明",
        description="按材料编号（GET /v1/profiles/{id}/materials 中 upload 为 true 的 key）给出，与 multipart 中 "
                    "attachment:<申报人序号>:<材料编号> 各部分的先后一一对应，如 {\"id-card\": [{\"masks\": {\"1\": "
                    "[[0.1, 0.2, 0.5, 0.3]]}}]}")


class BatchRequest(BaseModel):
    """A unit's batch (CONTRACT.md: unit, profile, applicants, documents, formats)."""

    model_config = ConfigDict(extra="forbid")

    unit: Unit = Field(title="单位")
    profile: str | None = Field(None, title="地区配置")
    applicants: list[BatchApplicant] = Field(title="申报人员", min_length=1, max_length=2000)
    documents: list[str] | None = Field(None, title="文书类型", description="缺省为地区配置规定的全套")
    formats: list[Literal["pdf", "docx"]] = Field(default_factory=lambda: ["pdf", "docx"],  # type: ignore[arg-type]
                                                      title="格式")
    notice: Notice | None = Field(None, title="公示期", description="本单位统一的公示起止日期")
    date: Date | None = Field(None, title="成文日期")
    defaults: dict[str, dict[str, Any]] = Field(
        default_factory=dict, title="各文书的统一内容",
        description="按文书类型给出全体申报人共用的字段，如 {\"integrity-certificate\": {\"issuer\": \"…纪检组\"}}；"
                    "花名册自己的字段（年度、专业）也在此：{\"roster\": {\"year\": 2024, \"specialty\": \"农业科学\"}}")
    dates: dict[str, Date] = Field(
        default_factory=dict, title="各文书的成文日期",
        description="按文书类型给出，如 {\"notice-result\": \"2024-09-09\"}；缺省时公示取公示首日、公示结果取公示结束次日、"
                    "其他文书取 date")
    package: bool | None = Field(None, title="申报材料包", description=(
        "true：为每位申报人生成“申报材料.pdf”（目录在前，按通知所列顺序，每项一个书签）；缺省时生成全套文书"
        "（未给 documents）或附有扫描件的批次生成；地区配置不要求纸质材料时不生成"))
    copy_note: CopyNote | None = Field(None, title="复印件加注",
                                       description="扫描件中要求注明复印人、复印时间的材料，在页眉加注“复印件 与原件一致”及此二项")
    seal: list[str] = Field(default_factory=list, title="加盖单位印章的文书",
                            description="文书类型，如 [\"public-notice\", \"recommendation\"]：单位出具的文书加盖本单位电子印章，"
                                        "评审表（PDF）加骑缝章；印章由 docgen units seal 或 DOCGEN_SEAL_IMAGE 登记")
    sign: list[str] = Field(default_factory=list, title="加单位数字签名的文书",
                            description="文书类型：其 PDF 加本单位 PAdES 数字签名（证书由 docgen units certificate 登记）")
    pdfa: bool | None = Field(None, title="PDF/A", description="true：PDF 按 PDF/A-2b 生成（归档）；缺省按地区配置")
    blind: bool = Field(False, title="盲评版", description="true：另生成“申报材料（盲评）.pdf”，扫描件按 masks 遮盖，"
                                                        "文书用其盲评版")

    def marks(self) -> dict[str, Any] | None:
        """Return what the batch seals, signs and archives, as its row keeps it (None: nothing asked)."""
        if not (self.seal or self.sign or self.pdfa is not None):
            return None
        return {"seal": self.seal, "sign": self.sign, "pdfa": self.pdfa}


def unmarkable(request: BatchRequest, kinds: dict[str, Kind]) -> list[dict[str, str]]:
    """Name every document the batch asks to seal or sign that is unknown or not the unit's to seal or sign (the
    applicant's own 承诺书 takes neither)."""
    errors = []
    for field, allowed in (("seal", lambda k: k.issued_by_unit or k.cross_page_seal),
                           ("sign", lambda k: k.issued_by_unit)):
        for i, slug in enumerate(getattr(request, field)):
            kind = kinds.get(slug)
            if kind is None or not allowed(kind):
                what = f"《{kind.title}》不是单位出具的文书" if kind else f"没有文书类型“{slug}”"
                errors.append({"pointer": f"/{field}/{i}", "detail": f"{what}，不能{'盖章' if field == 'seal' else '签名'}"})
    return errors


def unknown_fields(request: BatchRequest, kinds: dict[str, Kind]) -> list[dict[str, str]]:
    """Name every key of the batch that no document type declares: a typo such as `ethnicty` is an error,
    as it is in a single document, never silently dropped."""
    return _unknown_applicant_fields(request, kinds) + _unknown_defaults(request, kinds)


def _declared(kinds: dict[str, Kind]) -> tuple[set[str], set[str]]:
    """Return the keys an applicant may have and those a per-applicant payload may have, over every kind."""
    applicant_keys: set[str] = set()
    payload_keys: set[str] = set()
    for kind in kinds.values():
        for name, info in kind.model.model_fields.items():
            inner = _model_in(info.annotation)
            if name in ("applicant", "applicants") and inner is not None:
                applicant_keys |= set(inner.model_fields)
            elif not kind.unit_level:
                payload_keys.add(name)
    return applicant_keys, payload_keys


def _unknown_applicant_fields(request: BatchRequest, kinds: dict[str, Kind]) -> list[dict[str, str]]:
    applicant_keys, payload_keys = _declared(kinds)
    errors = []
    for i, entry in enumerate(request.applicants):
        for key in sorted(set(entry.model_extra or {}) - applicant_keys):
            errors.append({"pointer": f"/applicants/{i}/{key}",
                           "detail": f"{entry.name}：没有字段“{key}”，请核对拼写"})
        for key in sorted(set(entry.payload) - payload_keys):
            errors.append({"pointer": f"/applicants/{i}/payload/{key}",
                           "detail": f"{entry.name}：文书中没有字段“{key}”，请核对拼写"})
    return errors


def _unknown_defaults(request: BatchRequest, kinds: dict[str, Kind]) -> list[dict[str, str]]:
    errors = [{"pointer": f"/dates/{slug}", "detail": f"未知的文书类型“{slug}”，可用：{'、'.join(kinds)}"}
              for slug in request.dates if slug not in kinds]
    for slug, values in request.defaults.items():
        if slug not in kinds:
            errors.append({"pointer": f"/defaults/{slug}", "detail": f"未知的文书类型“{slug}”，可用：{'、'.join(kinds)}"})
            continue
        for key in sorted(set(values) - set(kinds[slug].model.model_fields)):
            errors.append({"pointer": f"/defaults/{slug}/{key}",
                           "detail": f"{kinds[slug].title}没有字段“{key}”，请核对拼写"})
    return errors


def applicant_fields(entry: BatchApplicant) -> dict:
    """Return the applicant's own fields (everything but the per-document payload)."""
    return entry.model_dump(exclude={"payload", "attachments"}, exclude_none=True)


def fit(model: type[BaseModel], data: dict) -> dict:
    """Keep only what `model` declares, recursing into nested models and lists of models.

    A batch carries the union of what all document types need; each type's payload model forbids
    unknown keys, so each gets exactly its own part.
    """
    out = {}
    for key, value in data.items():
        if key not in model.model_fields or value is None:
            continue
        inner = _model_in(model.model_fields[key].annotation)
        if inner is not None and isinstance(value, dict):
            value = fit(inner, value)
        elif inner is not None and isinstance(value, list):
            value = [fit(inner, v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, (types.UnionType, types.GenericAlias)) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def shared_fields(request: BatchRequest, profile_id: str) -> dict:
    """Return the fields every document of the batch shares."""
    shared = {"profile": profile_id, "unit": request.unit.model_dump(exclude_none=True), "date": request.date}
    if request.notice is not None:
        shared["notice"] = request.notice.model_dump(exclude_none=True)
    return {k: v for k, v in shared.items() if v is not None}
