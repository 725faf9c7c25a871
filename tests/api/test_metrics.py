"""/metrics: protectable by a token; counts of every worker add up (multiprocess mode, real gunicorn)."""
from __future__ import annotations

import re
import urllib.request

from docgen.app import create_app


def test_metrics_token(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "METRICS_TOKEN": "t0ken"})
    client = app.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer t0ken"})
    assert ok.status_code == 200 and b"docgen_http_requests" in ok.data


def test_metrics_sum_over_workers(tmp_path):
    """Two gunicorn workers: every request counted once, whichever worker answered and whichever scrapes."""
    from tests.test_serve_front import _free_port, _start

    port = _free_port()
    with _start(tmp_path, port, {"DOCGEN_WORKERS": "2"}):
        for _ in range(12):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/profiles", timeout=30) as resp:
                assert resp.status == 200
        scrapes = []
        for _ in range(4):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as resp:
                text = resp.read().decode()
            found = re.search(r'docgen_http_requests_total\{endpoint="profiles\.[a-z_]+",status="200"\} (\d+)', text)
            scrapes.append(int(float(found[1])))
        assert scrapes == [12] * 4
