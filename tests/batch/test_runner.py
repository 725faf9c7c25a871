"""The embedded runner survives its pool: a pool process killed mid-batch is replaced and the batch finishes; an
item whose process dies when it runs alone fails with a clear error; the runner beats its heartbeat file."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from docgen.app import create_app
from docgen.batch import local
from tests.helpers import many_applicants

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))


@pytest.fixture
def idle_app(tmp_path):
    """An app whose batches only the test's own runner runs, with a pool of two processes."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "BATCH_RUNNER": "none", "BATCH_WORKERS": 2})
    yield app
    local.shutdown_pool()
    app.extensions["docgen"].registry.engine.dispose()


def _submit(app, n: int) -> str:
    batch = {**SAMPLE, "applicants": many_applicants(n, SAMPLE["applicants"][1]), "documents": ["commitment"],
             "formats": ["pdf"]}
    resp = app.test_client().post("/v1/batches", json=batch)
    assert resp.status_code == 202, resp.json
    return resp.json["id"]


def _kill_one_pool_process_once_an_item_is_done(store, batch_id: str, killed: list[int]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pool = local._pool
        batch = store.get(batch_id)
        if pool is not None and batch is not None and batch.done >= 1 and pool._processes:
            pid = next(iter(pool._processes))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.05)


def test_a_killed_pool_process_is_replaced_and_the_batch_finishes(idle_app):
    here = idle_app.extensions["docgen"]
    batch_id = _submit(idle_app, 40)   # still running when the kill lands: a 承诺书 PDF takes a warm process ~5 ms
    killed: list[int] = []
    killer = threading.Thread(target=_kill_one_pool_process_once_an_item_is_done, args=(here.store, batch_id, killed))
    killer.start()
    status = local.LocalRunner(here).run_batch(batch_id)
    killer.join()
    assert killed, "no pool process was killed"
    batch = here.store.get(batch_id)
    assert status == "done" and batch.status == "done" and batch.errors == []
    assert (batch.done, batch.total) == (40, 40)
    assert local._pool is not None and killed[0] not in local._pool._processes   # a fresh pool


def _broken(item_id_future: dict) -> None:
    for future in item_id_future:
        future.set_exception(BrokenProcessPool("a process died"))


def test_an_item_whose_process_dies_alone_fails_with_a_clear_error(idle_app):
    here = idle_app.extensions["docgen"]
    batch_id = _submit(idle_app, 2)
    first, second = ((item_id, batch_id) for item_id in here.store.open_items(batch_id))   # as the pool holds them
    runner, flight = local.LocalRunner(here), local._Flight()
    flight.pool = ProcessPoolExecutor(max_workers=1)
    both = {Future(): first, Future(): second}
    flight.pending.update(both)
    _broken(both)
    runner._collect(batch_id, flight, set(both))
    assert flight.suspects == [first, second] and not flight.pending     # not failed: retried one at a time

    flight.suspects.clear()
    flight.retried.add(first[0])
    alone = {Future(): first}
    flight.pending.update(alone)
    _broken(alone)
    runner._collect(batch_id, flight, set(alone))
    item = here.store.item(first[0])
    assert item.status == "failed" and "进程意外退出" in item.errors[0]["detail"]
    assert item.errors[0]["pointer"] == "/applicants/0" and item.errors[0]["document"] == "commitment"
    assert here.store.item(second[0]).status == "pending"


def test_the_runner_beats_its_heartbeat_file(idle_app, tmp_path):
    here = idle_app.extensions["docgen"]
    assert local.heartbeat_age(tmp_path) is None
    runner = local.LocalRunner(here)
    runner.wake()
    deadline = time.monotonic() + 10
    while local.heartbeat_age(tmp_path) is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    runner.stop()
    assert local.heartbeat_age(tmp_path) < 5 and runner.alive()


def test_pool_processes_are_replaced_after_their_share_of_items(tmp_path, monkeypatch):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "BATCH_RUNNER": "none", "BATCH_WORKERS": 1})
    here = app.extensions["docgen"]
    local.shutdown_pool()
    monkeypatch.setattr(local, "TASKS_PER_PROCESS", 2)     # 1000 in service: a big batch's memory goes back
    batch_id = _submit(app, 4)
    assert local.LocalRunner(here).run_batch(batch_id) == "done"
    pids = {item.claim.split(":")[1] for item in here.store.items(batch_id)}
    assert len(pids) == 2                                   # two items a process, then a fresh one
    local.shutdown_pool()
    here.registry.engine.dispose()
