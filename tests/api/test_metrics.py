"""/metrics: protectable by a token; counts of every worker add up (multiprocess mode, real gunicorn), and
documents a batch issues count with those of single requests."""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest

from docgen.app import create_app
from docgen.documents import sample
from tests.services import http_json


def test_metrics_token(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "METRICS_TOKEN": "t0ken"})
    client = app.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer t0ken"})
    assert ok.status_code == 200 and b"docgen_http_requests" in ok.data
    described = client.get("/openapi.json").json
    assert described["paths"]["/metrics"]["get"]["security"] == [{"metricsToken": []}]
    assert described["components"]["securitySchemes"]["metricsToken"]["scheme"] == "bearer"
    assert "401" in described["paths"]["/metrics"]["get"]["responses"]
    open_metrics = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "open")}).test_client()
    assert open_metrics.get("/openapi.json").json["paths"]["/metrics"]["get"]["security"] == []


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`docgen serve` with two gunicorn workers and its embedded batch runner; yield its base URL."""
    from tests.test_serve_front import _free_port, _start

    port = _free_port()
    with _start(tmp_path_factory.mktemp("metrics"), port, {"DOCGEN_WORKERS": "2", "DOCGEN_BATCH_WORKERS": "1"}):
        yield f"http://127.0.0.1:{port}"


def _scrape(base: str) -> str:
    with urllib.request.urlopen(f"{base}/metrics", timeout=30) as resp:
        return resp.read().decode()


def _issued(text: str, kind: str, fmt: str) -> int:
    found = re.search(rf'docgen_documents_issued_total\{{format="{fmt}",kind="{kind}"\}} (\S+)', text)
    return int(float(found[1])) if found else 0


def test_metrics_sum_over_workers(served):
    """Two gunicorn workers: every request counted once, whichever worker answered and whichever scrapes."""
    for _ in range(12):
        with urllib.request.urlopen(f"{served}/v1/profiles", timeout=30) as resp:
            assert resp.status == 200
    scrapes = []
    for _ in range(4):
        found = re.search(r'docgen_http_requests_total\{endpoint="profiles\.[a-z_]+",status="200"\} (\d+)',
                          _scrape(served))
        scrapes.append(int(float(found[1])))
    assert scrapes == [12] * 4


def test_batch_documents_are_counted_when_their_items_complete(served):
    """A batch's documents (rendered by the embedded runner's own processes) count in the same counter, with
    the same labels, as a single document — once each, as the registry lists them."""
    request = urllib.request.Request(f"{served}/v1/documents/commitment?format=pdf", method="POST",
                                     data=json.dumps(sample("commitment")).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as resp:
        assert resp.status == 200
    before = _scrape(served)
    assert _issued(before, "commitment", "pdf") == 1 and _issued(before, "commitment", "docx") == 0
    batch = {**sample("batch"), "documents": ["commitment"], "formats": ["pdf", "docx"]}
    batch["applicants"] = batch["applicants"][:2]
    status, body, headers = http_json(f"{served}/v1/batches", batch, method="POST")
    assert status == 202, body
    deadline = time.monotonic() + 120
    while body["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, body
        time.sleep(0.3)
        _, body, _ = http_json(f"{served}{headers['Location']}")
    assert body["status"] == "done" and body["progress"] == {"done": 2, "total": 2}
    after = _scrape(served)
    assert _issued(after, "commitment", "pdf") == 1 + 2 and _issued(after, "commitment", "docx") == 2
