"""Liveness, readiness, the OpenAPI document and the docs entry point."""
from __future__ import annotations

import tempfile

from flask import current_app, redirect
from flask_openapi3 import APIBlueprint, Tag

from docgen.kinds import KINDS
from docgen.render import fonts

bp = APIBlueprint("meta", __name__)
TAG = Tag(name="运维", description="存活与就绪检查、监控指标、本接口说明")


@bp.get("/healthz", tags=[TAG], summary="存活检查")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz", tags=[TAG], summary="就绪检查：字体、模板、存储可用")
def readyz():
    """Check what a render needs: official faces resolve to CJK fonts, templates exist, DATA_DIR is writable."""
    checks: dict[str, str] = {}
    renderer = current_app.extensions["docgen"]
    for face in fonts.OFFICIAL_FACES:
        family = fonts.resolve(face)
        ok = family is not None and any(k in family for k in ("Fandol", "Noto", "LXGW", face))
        checks[f"font:{face}"] = family if ok else f"missing ({family})"
    for kind in KINDS.values():
        for name in ("document.html", "docx.py"):
            path = renderer.templates_dir / kind.slug / name
            checks[f"template:{kind.slug}/{name}"] = "ok" if path.is_file() else "missing"
    try:
        with tempfile.NamedTemporaryFile(dir=current_app.config["DATA_DIR"]):
            pass
        checks["storage"] = "ok"
    except OSError as exc:
        checks["storage"] = f"not writable: {exc}"
    ready = all(v == "ok" or not v.startswith(("missing", "not")) for v in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


@bp.get("/openapi.json", tags=[TAG], summary="本接口说明（OpenAPI 3.1）")
def openapi_json():
    return current_app.api_doc


@bp.get("/docs", doc_ui=False)
def docs():
    return redirect("/docs/swagger")
