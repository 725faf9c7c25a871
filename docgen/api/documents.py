"""Document types and documents: list, schema, sample, blank form, and POST a payload to get the file."""
from __future__ import annotations

import json
import re
from urllib.parse import quote

from flask import Response, current_app, request, url_for
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from docgen import documents, profiles
from docgen.api.openapi import schema_ref
from docgen.documents import MEDIA_TYPES, Rendered, Renderer
from docgen.errors import Problem
from docgen.kinds import KINDS
from docgen.limits import payload as payload_limits

bp = APIBlueprint("documents", __name__, url_prefix="/v1")


class TypePath(BaseModel):
    slug: str = Field(description="文书类型，如 commitment")

TYPES = Tag(name="文书类型", description="可生成的文书、其数据格式（JSON Schema）、示例与空白表")
DOCS = Tag(name="生成文书", description="提交 JSON，取回 PDF 或 DOCX")


def _renderer() -> Renderer:
    return current_app.extensions["docgen"]


def _format(kind_formats: tuple[str, ...]) -> str:
    """Pick the output format from ?format=, else from Accept, else PDF."""
    fmt = request.args.get("format")
    if fmt is None:
        by_type = {MEDIA_TYPES[f]: f for f in kind_formats}
        best = request.accept_mimetypes.best_match(list(by_type)) if request.accept_mimetypes.provided else None
        fmt = by_type.get(best, "pdf")
    if fmt not in kind_formats:
        raise Problem(400, "格式参数不对", f"format 只能是 {' 或 '.join(kind_formats)}，收到“{fmt}”", slug="bad-format")
    return fmt


def file_response(rendered: Rendered, *, issued: bool = True) -> Response:
    """Answer a rendered file with a Chinese file name (RFC 6266 filename*); record it when it is issued."""
    resp = Response(rendered.content, mimetype=rendered.media_type)
    ascii_name = f"{rendered.kind.slug}{'' if issued else '-blank'}.{rendered.format}"
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(rendered.filename)}")
    if issued:
        current_app.extensions["registry"].record_rendered(rendered)
        resp.headers["X-Document-Id"] = rendered.document_id
        current_app.extensions["metrics"]["documents"].labels(rendered.kind.slug, rendered.format).inc()
    if rendered.warnings:
        resp.headers["X-Docgen-Warnings"] = quote(json.dumps(rendered.warnings, ensure_ascii=False))
    return resp


def json_body() -> object:
    """Parse the request body as JSON: 415 for another content type, 400 for malformed JSON."""
    if not request.mimetype or not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
        raise Problem(415, "内容类型不对", f"请以 Content-Type: application/json 提交 JSON，收到“{request.mimetype or '无'}”",
                      slug="unsupported-media-type")
    return payload_limits.parse(request.get_data(cache=False))


@bp.get("/document-types", tags=[TYPES], summary="列出可生成的文书类型")
def list_types():
    return {"document_types": [{
        "slug": kind.slug,
        "title": kind.title,
        "formats": list(kind.formats),
        "seeds": kind.seeds,
        "links": {
            "schema": url_for(".schema", slug=kind.slug),
            "sample": url_for(".sample", slug=kind.slug),
            "blank": url_for(".blank", slug=kind.slug),
            "render": f"/v1/documents/{kind.slug}",
        },
    } for kind in KINDS.values()], "profiles": [
        {"id": pid, "name": profiles.get(pid).name} for pid in profiles.ids()]}


@bp.get("/document-types/<slug>/schema", tags=[TYPES], summary="文书的数据格式（JSON Schema）")
def schema(path: TypePath):
    slug = path.slug
    return _renderer().kind(slug).model.model_json_schema()


@bp.get("/document-types/<slug>/sample", tags=[TYPES], summary="一份有效的示例数据")
def sample(path: TypePath):
    slug = path.slug
    _renderer().kind(slug)
    return documents.sample(slug)


@bp.get("/document-types/<slug>/blank", tags=[TYPES], summary="空白表（手写用），?format=pdf|docx&profile=")
def blank(path: TypePath):
    slug = path.slug
    renderer = _renderer()
    kind = renderer.kind(slug)
    rendered = renderer.blank(slug, _format(kind.formats), request.args.get("profile"))
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


def _blind() -> bool:
    """Read ?blind=true|false (the 盲评 copy: name, unit, ID number and photo masked)."""
    raw = request.args.get("blind", "false").strip().lower()
    if raw not in ("true", "false", "1", "0"):
        raise Problem(400, "参数不对", f"blind 只能是 true 或 false，收到“{raw}”", slug="bad-blind")
    return raw in ("true", "1")


def _render_view(slug: str):
    def view():
        renderer = _renderer()
        kind = renderer.kind(slug)
        fmt = _format(kind.formats)
        copies, blind = _copies(), _blind()
        rendered = renderer.render(slug, json_body(), fmt, request.args.get("profile"), copies=copies, blind=blind)
        return file_response(rendered)

    view.__name__ = f"render_{slug.replace('-', '_')}"
    return view


def _openapi_body(kind) -> dict:
    """Describe the kind's payload and its files in the OpenAPI document, generated from the pydantic model."""
    parameters = [
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(kind.formats)},
         "description": "输出格式；缺省时看 Accept，再缺省为 pdf"},
        {"name": "profile", "in": "query", "schema": {"type": "string", "enum": profiles.ids()},
         "description": "地区配置；也可在数据的 profile 字段给出"},
    ]
    if kind.copies:
        parameters.append({"name": "copies", "in": "query", "schema": {"type": "integer", "minimum": 1,
                           "maximum": documents.MAX_COPIES}, "description": "份数（每份补足双面页数）；缺省按地区配置"})
    if kind.blind_fields:
        parameters.append({"name": "blind", "in": "query", "schema": {"type": "boolean", "default": False},
                           "description": "盲评版：遮盖姓名、单位、身份证号码和照片"})
    return {
        "parameters": parameters,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": schema_ref(bp.components_schemas, kind.model)}}},
        "responses": {
            "200": {"description": f"{kind.title}文件", "content": {MEDIA_TYPES[f]: {} for f in kind.formats}},
            "400": {"description": "JSON 格式错误"}, "415": {"description": "内容类型不是 JSON"},
            "413": {"description": "请求体过大"}, "422": {"description": "数据有误：errors 列出每个字段"},
        },
    }


for _kind in KINDS.values():
    bp.post(f"/documents/{_kind.slug}", tags=[DOCS], summary=f"生成{_kind.title}",
            openapi_extensions=_openapi_body(_kind))(_render_view(_kind.slug))


@bp.post("/documents/<slug>", tags=[DOCS], summary="未知文书类型：404")
def render_unknown(path: TypePath):
    _renderer().kind(path.slug)  # raises the 404 problem listing the known types
