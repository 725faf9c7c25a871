"""/readyz answers 503 naming what is missing (a font, a template, storage, the database) as problem+json, with
every check in its `checks` member."""
from __future__ import annotations

import shutil

from docgen.app import create_app
from docgen.render import fonts


def test_ready_when_everything_is_there(client):
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json["checks"]["database"] == "ok"


def _not_ready(resp) -> dict:
    """Return the body of a 503 after checking it is a problem (RFC 9457) that keeps the checks."""
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    body = resp.json
    assert body["status"] == 503 and body["type"].endswith("/not-ready") and body["title"] == "服务未就绪"
    assert resp.headers["Retry-After"] == "30" and body["instance"] == "/readyz"
    return body


def test_missing_templates_not_ready(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "TEMPLATES_DIR": str(tmp_path / "none")})
    body = _not_ready(app.test_client().get("/readyz"))
    assert body["checks"]["template:commitment/document.html"] == "missing"
    assert body["checks"]["storage"] == "ok" and "template:commitment/document.html" in body["detail"]


def test_missing_storage_not_ready(tmp_path):
    data = tmp_path / "data"
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    shutil.rmtree(data)
    body = _not_ready(app.test_client().get("/readyz"))
    assert body["checks"]["storage"].startswith("not writable") and body["detail"] == "不可用：storage"


def test_missing_font_not_ready(client, monkeypatch):
    monkeypatch.setattr(fonts, "resolve", lambda face: None)
    body = _not_ready(client.get("/readyz"))
    assert any(v.startswith("missing") for k, v in body["checks"].items() if k.startswith("font:"))
    assert "font:" in body["detail"]


def test_not_ready_is_described_as_a_problem_with_checks(client):
    spec = client.get("/openapi.json").json
    answer = spec["paths"]["/readyz"]["get"]["responses"]["503"]["content"]
    assert list(answer) == ["application/problem+json"]
    schema = spec["components"]["schemas"][answer["application/problem+json"]["schema"]["$ref"].split("/")[-1]]
    assert {"type", "title", "status", "detail", "checks"} <= set(schema["properties"])
