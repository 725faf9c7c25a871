"""Document types and documents: list, schema, sample, blank form, and POST a payload to get the file."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from flask import Response, request, url_for
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from docgen import documents, profiles
from docgen.access import ownership
from docgen.api import access, heavy, services
from docgen.api.openapi import DOCUMENT_ID, WARNINGS, blueprint, file_answer, problems, schema_ref
from docgen.documents import MEDIA_TYPES, Rendered, Renderer
from docgen.errors import Problem
from docgen.kinds import KINDS, Kind
from docgen.limits import overload
from docgen.limits import payload as payload_limits

bp = blueprint("documents", __name__, url_prefix="/v1")


class TypePath(BaseModel):
    slug: str = Field(description="文书类型（slug），见 GET /v1/document-types", json_schema_extra={"example": "commitment"})


class TypeLinks(BaseModel):
    json_schema: str = Field(alias="schema", description="数据格式（JSON Schema）的地址")
    sample: str = Field(description="示例数据的地址")
    blank: str = Field(description="空白表的地址")
    render: str = Field(description="生成文书的地址（POST）")


class DocumentType(BaseModel):
    slug: str = Field(description="文书类型，用于各地址")
    title: str = Field(description="文书名称", examples=["个人承诺书"])
    formats: list[str] = Field(description="可生成的格式：pdf、docx，花名册另有 xlsx")
    seeds: str = Field(description="依据的通知附件")
    batch_when: list[str] = Field(description="批量生成时，只为在申报人条目中给出这些字段的申报人生成（如免除继续教育"
                                              "学习申请表只为给出 reason 的申报人生成）；空表示每位申报人都生成",
                                  examples=[["reason"]])
    links: TypeLinks


class ProfileName(BaseModel):
    id: str = Field(description="地区配置编号，用作 profile 参数", examples=["bazhou-2024"])
    name: str = Field(description="发文机关与年度")


class DocumentTypeList(BaseModel):
    document_types: list[DocumentType]
    profiles: list[ProfileName] = Field(description="可用的地区配置")

TYPES = Tag(name="document-types", description="文书类型：可生成的文书、其数据格式（JSON Schema）、示例与空白表")
DOCS = Tag(name="documents", description="生成文书：提交 JSON，取回 PDF 或 DOCX")


def _renderer() -> Renderer:
    return services().renderer


def _format(kind_formats: tuple[str, ...]) -> str:
    """Pick the output format from ?format=, else from Accept, else PDF."""
    fmt = request.args.get("format")
    if fmt is None:
        by_type = {MEDIA_TYPES[f]: f for f in kind_formats}
        best = request.accept_mimetypes.best_match(list(by_type)) if request.accept_mimetypes.provided else None
        fmt = by_type.get(best or "", "pdf")
    if fmt not in kind_formats:
        raise Problem(400, "格式参数不对", f"format 只能是 {' 或 '.join(kind_formats)}，收到“{fmt}”", slug="bad-format")
    return fmt


def file_response(rendered: Rendered, *, issued: bool = True) -> Response:
    """Answer a rendered file with a Chinese file name (RFC 6266 filename*) and, when issued, its id (a
    preview is not issued)."""
    issued = issued and not rendered.preview
    resp = Response(rendered.content, mimetype=rendered.media_type)
    suffix = "-preview" if rendered.preview else "" if issued else "-blank"
    ascii_name = f"{rendered.kind.slug}{suffix}.{rendered.format}"
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(rendered.filename, safe='')}")
    if issued:
        resp.headers["X-Document-Id"] = rendered.document_id
    if rendered.warnings:
        resp.headers["X-Docgen-Warnings"] = quote(json.dumps(_few(rendered.warnings), ensure_ascii=False))
    return resp


_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(name: str) -> str:
    """Return a download name without path separators or a leading dot (a unit “../x” must not name a path)."""
    return _UNSAFE_IN_NAMES.sub("_", name).lstrip(".") or "_"


def _few(warnings: list[str], limit: int = 10) -> list[str]:
    """Keep a header line short (clients refuse lines over 64 KB): the first warnings and how many more."""
    return warnings if len(warnings) <= limit else [*warnings[:limit], f"另有{len(warnings) - limit}条提示未列出"]


def complete_at() -> float | None:
    """Return when `docgen serve`'s front had this request whole (time.monotonic()), if it says."""
    try:
        return float(request.headers.get("X-Docgen-Complete-At", ""))
    except ValueError:
        return None


def json_body() -> object:
    """Parse the request body as JSON: 415 for another content type, 400 for malformed JSON."""
    if not request.mimetype or not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
        raise Problem(415, "内容类型不对", f"请以 Content-Type: application/json 提交 JSON，收到“{request.mimetype or '无'}”",
                      slug="unsupported-media-type")
    return payload_limits.parse(request.get_data(cache=False))


def _options(formats: Iterable[str]) -> list[dict[str, Any]]:
    """Describe the query options every file answer takes: format and profile."""
    return [
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(formats)},
         "description": "输出格式；缺省时按 Accept 头，再缺省为 pdf"},
        {"name": "profile", "in": "query", "schema": {"type": "string", "enum": [*profiles.ids(), ""]},
         "description": "地区配置（决定措辞、禁报年限、份数、附件序号）；也可在数据的 profile 字段给出；缺省或空值为 xinjiang"},
    ]


@bp.get("/document-types", tags=[TYPES], summary="列出可生成的文书类型", responses={200: DocumentTypeList},
        description="每种文书的类型（slug）、名称、可生成的格式、依据的通知附件及其数据格式、示例、空白表与生成的地址；"
                    "另列可用的地区配置。")
def list_types() -> dict[str, Any]:
    return {"document_types": [{
        "slug": kind.slug,
        "title": kind.title,
        "formats": list(kind.formats),
        "seeds": kind.seeds,
        "batch_when": list(kind.batch_when),
        "links": {
            "schema": url_for(".schema", slug=kind.slug),
            "sample": url_for(".sample", slug=kind.slug),
            "blank": url_for(".blank", slug=kind.slug),
            "render": f"/v1/documents/{kind.slug}",
        },
    } for kind in KINDS.values()], "profiles": [
        {"id": pid, "name": profiles.get(pid).name} for pid in profiles.ids()]}


@bp.get("/document-types/<slug>/schema", tags=[TYPES], summary="文书的数据格式（JSON Schema）",
        description="与本文档中该文书的请求体相同的 JSON Schema（2020-12），供表单或校验使用；字段说明写明类型之外的规则。",
        responses={
    200: {"description": "JSON Schema（2020-12），由数据模型生成", "content": {"application/json": {"schema": {
        "type": "object"}}}}, **problems(404)})
def schema(path: TypePath) -> dict[str, Any]:
    slug = path.slug
    return _renderer().kind(slug).model.model_json_schema()


@bp.get("/document-types/<slug>/sample", doc_ui=False)   # described once per type: each answers its own schema
def sample(path: TypePath) -> dict[str, Any]:
    slug = path.slug
    _renderer().kind(slug)
    return documents.sample(slug)


def _sample_view(slug: str) -> Callable[[], dict[str, Any]]:
    def view() -> dict[str, Any]:
        return documents.sample(slug)

    view.__name__ = f"sample_{slug.replace('-', '_')}"
    return view


for _kind in KINDS.values():
    bp.get(f"/document-types/{_kind.slug}/sample", tags=[TYPES], summary=f"{_kind.title}的示例数据",
           description=f"一份有效的{_kind.title}数据，可直接提交给 POST /v1/documents/{_kind.slug}。",
           responses={200: {"description": "示例数据", "content": {"application/json": {
               "schema": schema_ref(bp.components_schemas, _kind.model)}}}})(_sample_view(_kind.slug))


@bp.get("/document-types/<slug>/blank", tags=[TYPES], summary="空白表（手写用）",
        description="该文书的空白表，按地区配置的措辞与份数，供手写填写；不登记、无文书编号。花名册另有 xlsx。",
        openapi_extensions={"parameters": _options(("pdf", "docx", "xlsx"))},
        responses={200: file_answer("空白表文件（不登记、无文书编号）", ("pdf", "docx", "xlsx"), WARNINGS),
                   **problems(400, 404, 406, 422, 503)})
def blank(path: TypePath) -> Response:
    slug = path.slug
    renderer = _renderer()
    kind = renderer.kind(slug)
    fmt = _format(kind.formats)
    copies = _copies()
    with services().gate.slot(complete_at()):
        rendered = renderer.blank(slug, fmt, request.args.get("profile"), copies=copies)
    return file_response(rendered, issued=False)


def _copies() -> int | None:
    """Read ?copies=N (1 to 5); absent: the profile's number."""
    raw = request.args.get("copies")
    if raw is None:
        return None
    if not re.fullmatch(r"[0-9]{1,2}", raw.strip()) or not 1 <= int(raw) <= documents.MAX_COPIES:
        raise Problem(400, "参数不对", f"copies（份数）应为1至{documents.MAX_COPIES}的整数，收到“{raw}”",
                      slug="bad-copies")
    return int(raw)


def flag(name: str, given: Mapping[str, str] | None = None) -> bool:
    """Read a boolean option ?name=true|false (also 1|0; absent: false) from the query or `given` (a form)."""
    raw = (request.args if given is None else given).get(name, "false").strip().lower()
    if raw not in ("true", "false", "1", "0"):
        raise Problem(400, "参数不对", f"{name} 只能是 true 或 false，收到“{raw}”", slug=f"bad-{name}")
    return raw in ("true", "1")


def _optional_flag(name: str) -> bool | None:
    """Read a boolean query option that defaults to the profile's choice (None when absent)."""
    return flag(name) if name in request.args else None


def _default_copies(renderer: Renderer, kind: Kind, payload: object) -> int:
    """Return the copies a request without ?copies= prints: its profile's (the 评审表: 一式2份 in bazhou-2024), as
    the render will; the most a request may ask for when its profile is unknown (the render refuses it)."""
    if not kind.copies:
        return 1
    named = request.args.get("profile") or (payload.get("profile") if isinstance(payload, dict) else None)
    try:
        return kind.copies(profiles.get(named if isinstance(named, str) else None))
    except profiles.UnknownProfile:
        return documents.MAX_COPIES


def _marks() -> documents.Marks:
    """Read ?seal=, ?sign=, ?pdfa= and ?qr= (the last two default to the profile's settings)."""
    return documents.Marks(seal=flag("seal"), sign=flag("sign"), pdfa=_optional_flag("pdfa"),
                           qr=_optional_flag("qr"))


def _render_view(slug: str) -> Callable[[], Response]:
    def view() -> Response:
        renderer = _renderer()
        kind = renderer.kind(slug)
        fmt = _format(kind.formats)
        copies, blind, preview, marks = _copies(), flag("blind"), flag("preview"), _marks()
        payload = json_body()
        here = services()
        heavy_work = overload.cost(payload, copies or _default_copies(renderer, kind, payload)) >= overload.HEAVY_COST
        if heavy_work and not (marks.seal or marks.sign):   # a unit's seal and signer stay in this process
            with here.heavy_gate.slot(complete_at()):   # WeasyPrint's lock here stays free for light renders
                rendered = heavy.render(here.settings, slug, payload, fmt, request.args.get("profile"), copies=copies,
                                        blind=blind, preview=preview, marks=marks)
        else:
            with here.gate.slot(complete_at()):
                rendered = here.renderer.render(slug, payload, fmt, request.args.get("profile"), copies=copies,
                                                blind=blind, preview=preview, marks=marks,
                                                credentials=access.credentials())
        if not preview:        # a preview is only rendered: no number, no registry row, no count
            # its record and, with a unit's key, its owner: one transaction (shared with other threads' records)
            here.issuer.issue([rendered], also=ownership("document", rendered.document_id, access.caller()))
        return file_response(rendered)

    view.__name__ = f"render_{slug.replace('-', '_')}"
    return view


def _openapi_body(kind: Kind) -> dict[str, Any]:
    """Describe the kind's query options and payload (with its sample as the example)."""
    parameters = _options(kind.formats)
    if kind.copies:
        parameters.append({"name": "copies", "in": "query", "schema": {"type": "integer", "minimum": 1,
                           "maximum": documents.MAX_COPIES}, "description": "份数（每份补足偶数页，便于双面打印）；缺省按地区配置"})
    if kind.blind_fields:
        parameters.append({"name": "blind", "in": "query", "schema": {"type": "boolean", "default": False},
                           "description": "盲评版：遮盖姓名、单位、身份证号码和照片"})
    if kind.issued_by_unit:
        parameters += [
            {"name": "seal", "in": "query", "schema": {"type": "boolean", "default": False},
             "description": "加盖本单位电子印章（红色，居中下压署名和成文日期；印章图片由 docgen units seal 或 DOCGEN_SEAL_IMAGE 登记）"},
            {"name": "sign", "in": "query", "schema": {"type": "boolean", "default": False},
             "description": "本单位数字签名（PAdES，仅 PDF；证书由 docgen units certificate 或 DOCGEN_SIGNING_P12 登记），"
                            "同时加盖印章时印章即可见签名"}]
    parameters += [
        {"name": "pdfa", "in": "query", "schema": {"type": "boolean"},
         "description": "PDF/A-2b（归档用，仅 PDF）；缺省按地区配置 archive_pdfa"},
        {"name": "qr", "in": "query", "schema": {"type": "boolean"},
         "description": "页下白边印核验二维码；缺省按地区配置 qr_documents"}]
    parameters.append({"name": "preview", "in": "query", "schema": {"type": "boolean", "default": False},
                       "description": "预览稿：每页印浅灰色斜向“预览稿”字样，不出具、不登记、无文书编号（无 X-Document-Id）"
                                      "、无二维码，不计入出具数；核对无误后不带此参数再生成正式文书"})
    return {"parameters": parameters, "requestBody": {"required": True, "content": {"application/json": {
        "schema": schema_ref(bp.components_schemas, kind.model), "example": documents.sample(kind.slug)}}}}


def _responses(kind: Kind) -> dict[str | int, Any]:
    """Describe the file answer of a kind (linked to its verification) and its problems."""
    ok = file_answer(f"{kind.title}文件（preview=true 时为不出具的预览稿，无 X-Document-Id）", kind.formats,
                     {**DOCUMENT_ID, **WARNINGS})
    ok["links"] = {"verify": {"operationId": "verify_document", "description": "核验刚出具的这份文书",
                              "parameters": {"document_id": "$response.header.X-Document-Id"}}}
    return {200: ok, **problems(400, 413, 415, 422, 503)}


for _kind in KINDS.values():
    bp.post(f"/documents/{_kind.slug}", tags=[DOCS], summary=f"生成{_kind.title}", responses=_responses(_kind),
            description=f"提交{_kind.title}的数据（格式见 GET /v1/document-types/{_kind.slug}/schema），取回 "
                        f"{'、'.join(f.upper() for f in _kind.formats)} 文件；先完整检查，任何一处错误都以 422 逐项列出。"
                        "出具的文书登记编号（X-Document-Id），可凭二维码或文件核验。",
            openapi_extensions=_openapi_body(_kind))(_render_view(_kind.slug))


@bp.post("/documents/<slug>", doc_ui=False)  # not an operation: the types are the routes above
def render_unknown(path: TypePath) -> None:
    _renderer().kind(path.slug)  # raises the 404 problem listing the known types
