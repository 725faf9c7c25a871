"""Liveness, readiness, the OpenAPI document and the docs entry point."""
from __future__ import annotations

import tempfile

from flask import current_app, redirect
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from docgen import errors
from docgen.api import problems, services
from docgen.api.openapi import PROBLEM_JSON, Answer, Problem, blueprint, schema_ref
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


@bp.get("/healthz", tags=[TAG], summary="存活检查", responses={200: Health})
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@bp.get("/readyz", tags=[TAG], summary="就绪检查：字体、模板、存储、数据库可用，批量生成进程在运行且排队未超时", responses={
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


@bp.get("/openapi.json", tags=[TAG], summary="本接口说明（OpenAPI 3.1）", responses={
    200: {"description": "OpenAPI 3.1 文档", "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi_json() -> Answer:
    return current_app.api_doc  # type: ignore[attr-defined]  # flask-openapi3's OpenAPI app


@bp.get("/docs", doc_ui=False)
def docs() -> Answer:
    return redirect("/docs/swagger")
