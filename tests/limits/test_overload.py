"""Bounded concurrency (429 with Retry-After when no slot frees) and a time limit on renders (503)."""
from __future__ import annotations

import threading
import time

import pytest

from docgen.documents import sample
from docgen.errors import Problem
from docgen.limits.overload import Gate


def test_full_gate_answers_429_with_retry_after():
    gate = Gate(slots=1, wait=0.2, time_limit=30)
    inside, release = threading.Event(), threading.Event()

    def hold():
        with gate.slot():
            inside.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(5)
    with pytest.raises(Problem) as refused, gate.slot():
        pass
    release.set()
    holder.join()
    assert refused.value.status == 429 and int(refused.value.headers["Retry-After"]) >= 1
    with gate.slot():          # and a freed slot serves again
        pass


def test_render_past_the_limit_is_stopped_with_503():
    gate = Gate(slots=1, wait=1, time_limit=0.3)
    started = time.monotonic()
    with pytest.raises(Problem) as stopped, gate.slot():
        while True:            # a runaway render: pure Python, never returns by itself
            sum(range(1000))
    assert stopped.value.status == 503 and "Retry-After" in stopped.value.headers
    assert time.monotonic() - started < 10
    with gate.slot():              # the slot was given back, and no stray exception follows
        time.sleep(0.05)


def test_api_render_over_the_time_limit_is_503_problem(app, client):
    app.extensions["docgen"].gate = Gate(slots=1, wait=1, time_limit=0.001)
    resp = client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert resp.headers["Retry-After"] and "已停止" in resp.json["detail"]
    app.extensions["docgen"].gate = Gate(slots=1, wait=1, time_limit=60)
    assert client.post("/v1/documents/commitment?format=docx", json=sample("commitment")).status_code == 200
