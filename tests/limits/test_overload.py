"""Bounded concurrency (429 with Retry-After when no slot frees) and a time limit on renders (503)."""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from pathlib import Path

import pytest

from docgen.api import heavy
from docgen.app import create_app
from docgen.documents import sample
from docgen.errors import Problem
from docgen.limits import overload
from docgen.limits.overload import Gate
from docgen.render.merge import page_count
from tests.helpers import pdf_text


@contextlib.contextmanager
def held(gate: Gate):
    """Hold the gate's one slot on another thread for the duration of the block."""
    inside, release = threading.Event(), threading.Event()

    def hold():
        with gate.slot():
            inside.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join()


def test_full_gate_answers_429_with_retry_after():
    gate = Gate(slots=1, wait=0.2, time_limit=30)
    with held(gate), pytest.raises(Problem) as refused, gate.slot():
        pass
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


def test_renders_are_watched_by_one_thread_not_one_each():
    gate = Gate(slots=2, wait=1, time_limit=30)
    with gate.slot():           # the process's watchdog starts with its first render
        pass
    before = threading.active_count()
    for _ in range(20):
        with gate.slot():
            assert threading.active_count() == before


def test_of_two_renders_at_once_only_the_one_past_its_limit_stops():
    short, long = Gate(slots=1, wait=1, time_limit=0.3), Gate(slots=1, wait=1, time_limit=30)
    outcome: list[str] = []

    def patient() -> None:
        with long.slot():
            time.sleep(1.0)
            outcome.append("finished")

    other = threading.Thread(target=patient)
    other.start()
    with pytest.raises(Problem) as stopped, short.slot():
        while True:
            sum(range(1000))
    other.join(10)
    assert stopped.value.status == 503 and outcome == ["finished"]


def test_api_render_over_the_time_limit_is_503_problem(app, client):
    # first a render in time: the validators' data (stdnum's loc.dat) is read once per process, and a stop landing
    # in that read would leave its file unclosed (a ResourceWarning, an error under pytest) before any 503
    assert client.post("/v1/documents/commitment?format=pdf", json=sample("commitment")).status_code == 200
    app.extensions["docgen"].gate = Gate(slots=1, wait=1, time_limit=0.001)
    # a render that surely outlasts 1 ms (a one-page letter, written directly, may finish before the timer fires)
    resp = client.post("/v1/documents/evaluation-form?format=pdf&copies=1", json=sample("evaluation-form"))
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert resp.headers["Retry-After"] and "已停止" in resp.json["detail"]
    app.extensions["docgen"].gate = Gate(slots=1, wait=1, time_limit=60)
    assert client.post("/v1/documents/commitment?format=docx", json=sample("commitment")).status_code == 200


# heavy work (issue 24): estimated from the payload, done in a helper process with its own gate and limits

def _roster(n: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from roster import payload

    return payload(n)


def test_cost_tells_a_long_roster_and_copies_from_a_one_page_document():
    assert overload.cost(sample("commitment")) < overload.HEAVY_COST
    assert overload.cost(sample("roster")) < overload.HEAVY_COST            # 7 rows
    assert overload.cost(_roster(2000)) >= overload.HEAVY_COST * 50
    assert overload.cost(sample("evaluation-form"), copies=3) >= overload.HEAVY_COST


def test_a_2_copy_evaluation_form_renders_here_and_3_copies_in_the_helper(client):
    heavy.shutdown()
    payload = {**sample("evaluation-form"), "profile": "bazhou-2024"}       # 一式2份: a light render
    resp = client.post("/v1/documents/evaluation-form?format=pdf", json=payload)
    assert resp.status_code == 200 and heavy._pool is None                # not costed as 5 copies
    assert page_count(resp.data) == 8                                     # two copies of 4 pages
    resp = client.post("/v1/documents/evaluation-form?format=pdf&copies=3", json=payload)
    assert resp.status_code == 200 and heavy._pool is not None            # three copies: heavy
    heavy.shutdown()


def test_time_queued_counts_against_the_wait():
    gate = Gate(slots=1, wait=5, time_limit=30)
    with held(gate):
        started = time.monotonic()
        with pytest.raises(Problem) as refused, gate.slot(since=time.monotonic() - 4.9):
            pass
    assert refused.value.status == 429 and time.monotonic() - started < 1   # 4.9 s of the 5 already spent


def test_a_long_roster_renders_in_the_helper_process(client, app):
    heavy.shutdown()
    resp = client.post("/v1/documents/roster?format=pdf", json=_roster(60))
    assert resp.status_code == 200 and resp.headers["X-Document-Id"]
    assert heavy._pool is not None and len(heavy._pool._processes) == 1      # it went there
    assert "申报人员花名册" in pdf_text(resp.data).replace(" ", "")
    assert client.get(f"/v1/verify/{resp.headers['X-Document-Id']}").status_code == 200   # issued here
    bad = client.post("/v1/documents/roster?format=pdf", json={**_roster(60), "applicants": [{"name": ""}] * 40})
    assert bad.status_code == 422 and bad.json["errors"][0]["pointer"].startswith("/applicants/")
    heavy.shutdown()


def test_heavy_work_past_the_time_limit_is_stopped_with_503(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "RENDER_TIME_LIMIT": 1.5})
    heavy.shutdown()
    started = time.monotonic()
    resp = app.test_client().post("/v1/documents/roster?format=pdf", json=_roster(2000))
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json" and "已停止" in resp.json["detail"]
    assert time.monotonic() - started < 10 and heavy._pool is None           # the helper was killed
    app.extensions["docgen"].close()


def test_a_big_batch_is_checked_in_the_helper_process_and_its_errors_point_at_the_rows(tmp_path):
    import json

    from tests.helpers import many_applicants

    batch = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))
    applicants = many_applicants(40, batch["applicants"][1])
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "BATCH_RUNNER": "none"})
    client = app.test_client()
    heavy.shutdown()
    bad = client.post("/v1/batches", json={**batch, "documents": ["commitment"],
                                           "applicants": [*applicants[:35], {**applicants[35], "gender": "外星"}]})
    assert heavy._pool is not None                                    # checked there
    assert bad.status_code == 422 and any(e["pointer"] == "/applicants/35/gender" for e in bad.json["errors"])
    good = client.post("/v1/batches", json={**batch, "documents": ["commitment"], "applicants": applicants})
    assert good.status_code == 202 and good.json["progress"]["total"] == 40
    heavy.shutdown()
    app.extensions["docgen"].close()


def test_the_helper_process_ends_when_its_parent_is_killed():
    import os
    import signal
    import subprocess

    script = ("import time\nfrom docgen.api import heavy\npool = heavy._shared_pool()\n"
              "pool.submit(abs, 1).result()\nprint(next(iter(pool._processes)), flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    helper = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)                    # a gunicorn worker killed with -9
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(helper, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(helper, signal.SIGKILL)
    raise AssertionError("the helper outlived its parent")
