"""Liveness, readiness, the OpenAPI document, the problem types it names and the docs entry point."""
from __future__ import annotations

import tempfile
from typing import Any

from flask import current_app, redirect
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from docgen import errors
from docgen.api import problems, services
from docgen.api.openapi import PROBLEM_JSON, Answer, Problem, blueprint, schema_ref
from docgen.api.openapi import problems as problem_answers
from docgen.batch import local
from docgen.kinds import KINDS
from docgen.render import fonts
from docgen.render.docx import builder_file

bp = blueprint("meta", __name__)
TAG = Tag(name="operations", description="运维：存活与就绪检查、监控指标、本接口说明")


class Health(BaseModel):
    status: str = Field(description="ok：进程在运行", examples=["ok"])


CHECKS = ("逐项检查（字体、模板、存储、数据库、批量生成进程 batch-runner 与最早排队批次的等待时间 batch-queue）："
          "ok 或找到的字体名为可用，missing/not … 为不可用")


class Readiness(BaseModel):
    status: str = Field(description="ready：可以生成文书", examples=["ready"])
    checks: dict[str, str] = Field(description=CHECKS)


class NotReadyProblem(Problem):
    """503 from /readyz: a problem whose `checks` extension member says what is missing."""

    checks: dict[str, str] = Field(description=CHECKS)


@bp.get("/healthz", tags=[TAG], summary="存活检查", responses={200: Health},
        description="进程在运行即回答 ok，不检查字体、模板与存储（见 /readyz）。")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@bp.get("/readyz", tags=[TAG], summary="就绪检查：字体、模板、存储、数据库可用，批量生成进程在运行且排队未超时",
        description="逐项检查生成文书所需：公文字体可用、各文书的模板在、数据目录可写、数据库可连接、批量生成进程在运行、"
                    "最早排队的批次等待未超时；任何一项不可用为 503，checks 逐项说明。", responses={
    200: Readiness, 503: {"description": "未就绪：detail 列出不可用的项，checks 为逐项检查", "content": {PROBLEM_JSON: {
        "schema": schema_ref(bp.components_schemas, NotReadyProblem)}}}})
def readyz() -> Answer:
    """Check what a render needs: official faces resolve to CJK fonts, templates exist, DATA_DIR is writable;
    and what batches need: a live runner, no batch waiting too long to start."""
    checks: dict[str, str] = {}
    here = services()
    for face in fonts.OFFICIAL_FACES:
        family = fonts.resolve(face)
        ok = family is not None and any(k in family for k in ("Fandol", "Noto", "LXGW", face))
        checks[f"font:{face}"] = family if ok and family else f"missing ({family})"
    for kind in KINDS.values():
        for name in ("document.html", builder_file(kind.slug)):
            path = here.renderer.templates_dir / kind.slug / name
            checks[f"template:{kind.slug}/{name}"] = "ok" if path.is_file() else "missing"
    try:
        with tempfile.NamedTemporaryFile(dir=here.settings.DATA_DIR):
            pass
        checks["storage"] = "ok"
    except OSError as exc:
        checks["storage"] = f"not writable: {exc}"
    try:
        with here.registry.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:   # any driver's error: the registry cannot be reached
        checks["database"] = f"not reachable: {type(exc).__name__}"
    else:
        checks.update(local.readiness(here))
    failed = [name for name, value in checks.items() if value.startswith(("missing", "not"))]
    if not failed:
        return {"status": "ready", "checks": checks}
    body, status, headers = problems.response(errors.Problem(
        503, "服务未就绪", f"不可用：{'、'.join(failed)}", slug="not-ready", headers={"Retry-After": "30"}))
    return {**body, "checks": checks}, status, headers   # RFC 9457 §3.2: an extension member


@bp.get("/openapi.json", tags=[TAG], summary="本接口说明（OpenAPI 3.1）",
        description="本文档：全部操作、数据格式、回答与错误类别；可用 openapi-python-client 等工具生成客户端。", responses={
    200: {"description": "OpenAPI 3.1 文档", "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi_json() -> Answer:
    return current_app.api_doc  # type: ignore[attr-defined]  # flask-openapi3's OpenAPI app


class ProblemTypeInfo(BaseModel):
    type: str = Field(description="错误类别的 URI，即错误回答中的 type", examples=[errors.PROBLEM_TYPE + "invalid-payload"])
    title: str = Field(description="中文标题", examples=["提交的内容有误，请按提示修改"])
    status: int = Field(description="此类错误的 HTTP 状态码", examples=[422])


class ProblemTypeList(BaseModel):
    problem_types: list[ProblemTypeInfo] = Field(description="程序可据以区分错误的全部类别")


class ProblemTypePath(BaseModel):
    slug: str = Field(description="错误类别（type 的最后一段）", json_schema_extra={"example": "invalid-payload"})


def _problem_type(slug: str) -> dict[str, Any]:
    status, title = errors.TYPES[slug]
    return {"type": errors.PROBLEM_TYPE + slug, "title": title, "status": status}


@bp.get("/problems", tags=[TAG], summary="全部错误类别及其中文标题", responses={200: ProblemTypeList},
        description="错误回答（application/problem+json）的 type 只会是这里列出的 URI 之一；程序据此区分错误。")
def problem_types() -> dict[str, Any]:
    return {"problem_types": [_problem_type(slug) for slug in errors.TYPES]}


@bp.get("/problems/<slug>", tags=[TAG], summary="一个错误类别：中文标题与状态码", responses={
    200: ProblemTypeInfo, **problem_answers(404)}, description="错误回答中的 type 即此地址（相对于本服务）。")
def problem_type(path: ProblemTypePath) -> dict[str, Any]:
    if path.slug not in errors.TYPES:
        raise errors.Problem(404, "没有这种错误类别", f"“{path.slug}”不是本服务的错误类别，全部类别见 /problems")
    return _problem_type(path.slug)


@bp.get("/docs", doc_ui=False)
def docs() -> Answer:
    return redirect("/docs/swagger")
