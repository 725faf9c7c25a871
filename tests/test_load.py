"""A bounded load on a real `docgen serve` answers every request; an overload answers clean 429s and recovers."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.test_serve_front import _free_port, _start

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _post(port: int, slug: str, query: str = "format=docx") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/documents/{slug}?{query}",
                                     data=(SAMPLES / f"{slug}.json").read_bytes(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_bounded_load_has_no_errors(tmp_path):
    port = _free_port()
    slugs = ["commitment", "notice-result", "integrity-certificate", "public-notice"] * 12     # 48 documents
    with _start(tmp_path, port, {"DOCGEN_WORKERS": "2", "DOCGEN_THREADS": "4"}):
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda slug: _post(port, slug), slugs))
        elapsed = time.monotonic() - started
    statuses = [status for status, _, _ in results]
    assert statuses == [200] * len(slugs), statuses
    assert len({headers["X-Document-Id"] for _, headers, _ in results}) == len(slugs)
    print(f"\nload: {len(slugs)} documents, 8 clients, {elapsed:.1f} s, {len(slugs) / elapsed:.1f}/s, 0 errors")


def test_overload_answers_429_and_recovers(tmp_path):
    port = _free_port()
    # one worker, one render slot, a short wait for it: most of a burst of 24 PDFs cannot be served at once
    with _start(tmp_path, port, {"DOCGEN_WORKERS": "1", "DOCGEN_THREADS": "2", "DOCGEN_RENDER_WAIT": "0.5",
                                 "DOCGEN_QUEUE_LIMIT": "4"}):
        with ThreadPoolExecutor(24) as pool:
            burst = [pool.submit(_post, port, "commitment", "format=pdf") for _ in range(24)]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
                assert resp.status == 200                      # alive during the burst
            results = [f.result() for f in burst]
        statuses = sorted(status for status, _, _ in results)
        assert set(statuses) <= {200, 429}, statuses
        refused = [(headers, body) for status, headers, body in results if status == 429]
        assert refused and statuses.count(200) >= 1, statuses
        for headers, body in refused:
            assert int(headers["Retry-After"]) >= 1 and headers["Content-Type"] == "application/problem+json"
            assert json.loads(body)["status"] == 429
        # full recovery: the same requests, one after another, all served
        assert [_post(port, "commitment", "format=pdf")[0] for _ in range(4)] == [200] * 4
    print(f"\noverload: 24 at once → {statuses.count(200)}×200, {len(refused)}×429; then 4/4 served")
