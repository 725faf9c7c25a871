"""/readyz answers 503 naming what is missing (a font, a template, storage, the database, a live batch runner, a
queue that moves) as problem+json, with every check in its `checks` member."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
import time
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from docgen.app import create_app
from docgen.batch import local
from docgen.batch.store import Batch
from docgen.render import fonts

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))


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


def _process_app(tmp_path, **settings):
    """An app whose batches a runner process of its own runs (as under `docgen serve`)."""
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "BATCH_RUNNER": "process", **settings})


def test_a_runner_process_that_never_beat_or_went_silent_is_not_ready(tmp_path):
    app = _process_app(tmp_path)
    client = app.test_client()
    body = _not_ready(client.get("/readyz"))
    assert body["checks"]["batch-runner"] == "not running: no heartbeat yet" and "batch-runner" in body["detail"]
    beat = local.heartbeat_path(tmp_path)
    beat.write_text("12345")
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["batch-runner"].startswith("ok")
    assert ready.json["checks"]["batch-queue"] == "ok (oldest waiting 0 s)"
    silent = time.time() - local.HEARTBEAT_STALE - 5
    os.utime(beat, (silent, silent))
    body = _not_ready(client.get("/readyz"))
    assert body["checks"]["batch-runner"].startswith("not running: last heartbeat 3")


def test_a_batch_waiting_too_long_to_start_is_not_ready(tmp_path):
    app = _process_app(tmp_path, BATCH_MAX_WAIT=60)
    local.heartbeat_path(tmp_path).write_text("12345")
    client = app.test_client()
    assert client.post("/v1/batches", json=SAMPLE).status_code == 202
    assert client.get("/readyz").status_code == 200           # nobody runs it, but it has not waited long
    store = app.extensions["docgen"].store
    with Session(store.engine) as session, session.begin():
        session.execute(update(Batch).values(created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=125)))
    body = _not_ready(client.get("/readyz"))
    assert body["checks"]["batch-queue"].startswith("not keeping up: a batch has waited 12")
    assert body["detail"] == "不可用：batch-queue"


def test_the_runner_thread_is_watched(client, app):
    runner = app.extensions["docgen"].dispatch.runner
    assert client.get("/readyz").json["checks"]["batch-runner"] == "ok"
    runner._thread = threading.Thread(target=lambda: None)
    runner._thread.start()
    runner._thread.join()                                     # as if it had ended on an error
    body = _not_ready(client.get("/readyz"))
    assert body["checks"]["batch-runner"] == "not running: its thread ended"
    runner._thread = None
