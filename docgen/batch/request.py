"""What a batch asks for, and how one applicant's data becomes each document type's payload."""
from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, create_model, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from docgen.kinds import KINDS, Kind
from docgen.kinds.common import Name, Notice, Unit
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
        json_schema_extra={"propertyNames": {"pattern": "^[1-9][0-9]*$"}, "additionalProperties": {
            "type": "array", "items": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
                                       "minItems": 4, "maxItems": 4, "description": MASK_RULE}}})

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


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, (types.UnionType, types.GenericAlias)) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _declarations(part: str) -> dict[str, list[tuple[Kind, FieldInfo]]]:
    """Gather, field by field, how each document type declares an applicant's fields (`part` "applicant") or the
    fields of its own payload (`part` "payload": everything else of the per-applicant types)."""
    found: dict[str, list[tuple[Kind, FieldInfo]]] = {}
    for kind in KINDS.values():
        for name, info in kind.model.model_fields.items():
            inner = _model_in(info.annotation)
            if name in ("applicant", "applicants") and inner is not None:
                if part == "applicant":
                    for key, field in inner.model_fields.items():
                        found.setdefault(key, []).append((kind, field))
            elif part == "payload" and not kind.unit_level:
                found.setdefault(name, []).append((kind, info))
    return found


def _optional(annotation: Any) -> Any:
    """Return an annotation without its `| None`."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = tuple(a for a in args if a is not type(None))
        return rest[0] if len(rest) == 1 else typing.Union[rest]   # noqa: UP007 (a tuple of types)
    return annotation


def _merged(declared: list[tuple[Kind, FieldInfo]]) -> tuple[Any, FieldInfo]:
    """Merge the declarations of one field into one optional field: its type the union of theirs (checked by each
    document, where the error names the document and the applicant), its description saying who requires it."""
    variants: list[Any] = []
    for _, info in declared:
        typed = _optional(Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation)
        if typed not in variants:
            variants.append(typed)
    loose = next((info for _, info in declared if not info.is_required()), declared[0][1])
    needed = "、".join(dict.fromkeys(kind.title for kind, info in declared if info.is_required()))
    description = "；".join(filter(None, [loose.description, needed and f"生成{needed}时必填"])) or None
    optional: Any = typing.Union[(*variants, None)]   # noqa: UP007 (made of a list)
    field: Any = Field(None, title=loose.title, description=description, examples=loose.examples)
    return Annotated[optional, SkipValidation()], field


def _typed(part: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return the fields of a batch applicant (`part` "applicant") or of its payload, as create_model takes them."""
    return {name: _merged(declared) for name, declared in _declarations(part).items() if name not in skip}


if TYPE_CHECKING:   # to mypy, models of no declared fields; pydantic gets the fields made below
    BatchPayload = BaseModel
else:
    # an applicant's own fields of the documents that are theirs (political, achievements, reason…): every field of
    # every per-applicant document type; a key none declares is a 422 at its pointer
    BatchPayload = create_model("BatchPayload", __config__=ConfigDict(extra="forbid"), **_typed("payload"))


class BatchApplicantFields(BaseModel):
    """One applicant of a batch: the applicant fields of every document type, the roster columns, the scans."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name = Field(title="姓名", examples=["阿不都热合曼·买买提"])
    attachments: dict[str, list[Attachment]] = Field(
        default_factory=dict, title="附件说明",
        description="按材料编号（GET /v1/profiles/{id}/materials 中 upload 为 true 的 key）给出，与 multipart 中 "
                    "attachment:<申报人序号>:<材料编号> 各部分的先后一一对应，如 {\"id-card\": [{\"masks\": {\"1\": "
                    "[[0.1, 0.2, 0.5, 0.3]]}}]}")
    payload: BatchPayload = Field(default_factory=BatchPayload, title="各文书的其他内容",
                                  description="并入该申报人每份文书数据的字段，如 political、achievements、reason；"
                                              "只能是各文书数据中有的字段")


if TYPE_CHECKING:
    BatchApplicant = BatchApplicantFields
else:
    # the applicant fields the document types declare (gender, route, photo…), each typed as its documents type it
    BatchApplicant = create_model("BatchApplicant", __base__=BatchApplicantFields, __doc__=BatchApplicantFields.__doc__,
                                  **_typed("applicant", skip=("name",)))


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
    webhook_url: str | None = Field(None, title="回调地址", min_length=1, max_length=2000, description=(
        "批次结束（done、failed、cancelled）及其文件删除时，向此地址 POST 一条按 Standard Webhooks 签名的 JSON 事件"
        "（webhook-id、webhook-timestamp、webhook-signature），非 2xx 或超时按指数退避重试；主机须在服务的 "
        "DOCGEN_WEBHOOK_HOSTS 之内"), json_schema_extra={"format": "uri"})

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


def unknown_defaults(data: dict[str, Any], kinds: dict[str, Kind]) -> list[dict[str, str]]:
    """Name every document type of `dates` and `defaults`, and every key of `defaults`, that no document type
    declares: a typo such as `speciality` is an error, as it is in a single document, never silently dropped."""
    dates, defaults = data.get("dates"), data.get("defaults")
    errors = [{"pointer": f"/dates/{slug}", "detail": f"未知的文书类型“{slug}”，可用：{'、'.join(kinds)}"}
              for slug in (dates if isinstance(dates, dict) else {}) if slug not in kinds]
    for slug, values in (defaults if isinstance(defaults, dict) else {}).items():
        if slug not in kinds:
            errors.append({"pointer": f"/defaults/{slug}", "detail": f"未知的文书类型“{slug}”，可用：{'、'.join(kinds)}"})
            continue
        for key in sorted(set(values if isinstance(values, dict) else {}) - set(kinds[slug].model.model_fields)):
            errors.append({"pointer": f"/defaults/{slug}/{key}",
                           "detail": f"{kinds[slug].title}没有字段“{key}”，请核对拼写"})
    return errors


def given(model: BaseModel) -> dict[str, Any]:
    """Return the fields a request gave (not null), as it gave them."""
    return {key: getattr(model, key) for key in model.model_fields_set if getattr(model, key) is not None}


def applicant_fields(entry: BatchApplicant) -> dict:
    """Return the applicant's own fields (everything but the per-document payload)."""
    return {key: value for key, value in given(entry).items() if key not in ("payload", "attachments")}


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


def shared_fields(request: BatchRequest, profile_id: str) -> dict:
    """Return the fields every document of the batch shares."""
    shared = {"profile": profile_id, "unit": request.unit.model_dump(exclude_none=True), "date": request.date}
    if request.notice is not None:
        shared["notice"] = request.notice.model_dump(exclude_none=True)
    return {k: v for k, v in shared.items() if v is not None}
