"""Batches on Celery + Redis with real processes (no eager mode): a real redis-server, real `docgen worker`
processes in their own working folders, killed with SIGKILL mid-batch; and the whole-region topology on
PostgreSQL with `docgen serve` and two workers sharing only the database and the artifact store."""
from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from docgen.app import create_app
from tests import services
from tests.helpers import many_applicants

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))
LEASE = 5   # seconds before a vanished worker's item is redone (also Redis' visibility timeout)


@pytest.fixture
def redis():
    if not services.have_redis():
        pytest.skip("redis-server is not installed")
    server = services.start_redis()
    yield server
    server.stop()


def _worker(env: dict, folder: Path):
    return services.docgen(["worker", "--concurrency", "1"], env, folder, folder.with_suffix(".log"))


def _kill(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except Exception:
            _kill(process)


def _until(get, done, seconds, what):
    deadline = time.monotonic() + seconds
    while not done(value := get()):
        assert time.monotonic() < deadline, f"{what}: {value}"
        time.sleep(0.2)
    return value


def _check_archive(archive: zipfile.ZipFile, names_expected: set[str], verify, issued_ids: set[str]) -> None:
    """Every expected file once, each matching its manifest entry, each verifiable; nothing else issued."""
    names = archive.namelist()
    assert len(names) == len(set(names))
    assert set(names) - {"manifest.json"} == names_expected
    manifest = json.loads(archive.read("manifest.json"))["files"]
    assert {m["path"] for m in manifest} == names_expected
    for entry in manifest:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
        info = verify(entry["document_id"], archive.read(entry["path"]))   # the file presented proves it
        assert info["content_matches"] and info["sha256"] == entry["sha256"], entry
    assert issued_ids == {m["document_id"] for m in manifest}


def _submit_commitments(tmp_path: Path, redis, n: int):
    """Submit a batch of n 承诺书 (PDF) through the app, with no worker yet; return the app, its configuration,
    the batch and its Location."""
    config = {"DATA_DIR": str(tmp_path / "data"), "BROKER_URL": redis.url, "BATCH_LEASE_SECONDS": str(LEASE),
              "SECRET_KEY": "celery-test"}
    app = create_app({"TESTING": True, **config})
    batch = {**SAMPLE, "applicants": many_applicants(n, SAMPLE["applicants"][1]), "documents": ["commitment"],
             "formats": ["pdf"]}
    resp = app.test_client().post("/v1/batches", json=batch)
    assert resp.status_code == 202, resp.json
    return app, config, batch, resp.headers["Location"]


def test_batch_waits_for_a_worker_and_survives_one_killed(tmp_path, redis):
    n = 80      # enough that the first worker is still at it when killed: a 承诺书 takes a worker tens of ms
    app, config, batch, location = _submit_commitments(tmp_path, redis, n)
    client = app.test_client()
    time.sleep(3)
    assert client.get(location).json["status"] == "queued"     # the API only enqueues: no worker, no progress
    assert client.get(location).json["progress"]["done"] == 0

    env = {f"DOCGEN_{k}": v for k, v in config.items()}
    first = _worker(env, tmp_path / "worker-a")
    try:
        _until(lambda: client.get(location).json, lambda s: s["progress"]["done"] >= 2, 120, "first worker")
        _kill(first)
        assert client.get(location).json["status"] == "running"
        second = _worker(env, tmp_path / "worker-b")
        try:
            status = _until(lambda: client.get(location).json, lambda s: s["status"] in ("done", "failed"), 180,
                            "second worker")
        finally:
            _stop(second)
    finally:
        _kill(first)
    assert status["status"] == "done" and status["progress"] == {"done": n, "total": n}, status
    with client.get(status["links"]["archive"]) as resp:
        archive = zipfile.ZipFile(io.BytesIO(resp.data))
    expected = {f"files/{i + 1:02d}-{a['name']}/附件3-个人承诺书.pdf" for i, a in enumerate(batch["applicants"])}
    engine = app.extensions["docgen"].registry.engine
    with engine.connect() as db:
        issued = {r[0] for r in db.execute(text("SELECT id FROM issued_documents WHERE batch_id = :b"),
                                           {"b": status["id"]})}
    def present(document_id, content):
        return client.post(f"/v1/verify/{document_id}", data=content, headers={"Accept": "application/json"},
                           content_type="application/octet-stream").json

    _check_archive(archive, expected, present, issued)
    engine.dispose()


def test_messages_lost_by_the_broker_are_sent_again(tmp_path, redis):
    """The database is the record of what remains: with every queued message gone from Redis (what a worker
    killed between taking a message and noting it as unacknowledged leaves behind), a worker finishes the batch
    all the same, each item once."""
    import redis as redis_client

    from docgen.batch.tasks import QUEUE

    n = 4
    app, config, batch, location = _submit_commitments(tmp_path, redis, n)
    client = app.test_client()
    broker = redis_client.Redis.from_url(redis.url)
    assert broker.llen(QUEUE) == n
    broker.delete(QUEUE)
    broker.close()
    worker = _worker({f"DOCGEN_{k}": v for k, v in config.items()}, tmp_path / "worker")
    try:
        status = _until(lambda: client.get(location).json, lambda s: s["status"] in ("done", "failed"), 120,
                        "lost messages")
    finally:
        _stop(worker)
    assert status["status"] == "done" and status["progress"] == {"done": n, "total": n}, status
    assert "re-sent 4 items" in (tmp_path / "worker.log").read_text("utf-8")
    with client.get(status["links"]["archive"]) as resp:
        names = zipfile.ZipFile(io.BytesIO(resp.data)).namelist()
    assert sorted(names) == sorted([f"files/{i + 1:02d}-{a['name']}/附件3-个人承诺书.pdf"
                                    for i, a in enumerate(batch["applicants"])] + ["manifest.json"])
    app.extensions["docgen"].registry.engine.dispose()


def test_cli_batch_hands_the_work_to_celery_workers(tmp_path, redis):
    """`docgen batch` with a broker only submits and follows: a worker renders, the command writes the files."""
    config = {"DOCGEN_DATA_DIR": str(tmp_path / "data"), "DOCGEN_BROKER_URL": redis.url,
              "DOCGEN_BATCH_LEASE_SECONDS": str(LEASE), "DOCGEN_SECRET_KEY": "celery-test"}
    out = tmp_path / "out"
    cli = services.docgen(["batch", str(Path(__file__).resolve().parents[2] / "samples" / "batch.json"), "-o", str(out)],
                          config, tmp_path / "cli", tmp_path / "cli.log")
    time.sleep(3)
    assert cli.poll() is None, (tmp_path / "cli.log").read_text("utf-8")   # waits: no worker yet
    worker = _worker(config, tmp_path / "worker")
    try:
        assert cli.wait(timeout=180) == 0, (tmp_path / "cli.log").read_text("utf-8")
    finally:
        _stop(worker)
    log = (tmp_path / "worker.log").read_text("utf-8")
    rendered = sum("docgen.batch.item[" in line and "succeeded" in line for line in log.splitlines())
    with zipfile.ZipFile(out / "archive.zip") as archive:
        files = [n for n in archive.namelist() if n != "manifest.json"]
        documents = {(f["type"], f["applicant"]) for f in json.loads(archive.read("manifest.json"))["files"]
                     if f["type"] != "package"}   # 申报材料.pdf is put together when the batch finishes
    assert files and rendered >= len(documents) > 0, (rendered, documents)   # the worker made them, not the command
    assert (out / "print.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(str(p.relative_to(out)) for p in (out / "files").rglob("*.*")) == sorted(files)


def test_region_topology_postgres_redis_serve_and_two_workers(tmp_path, redis, postgres):
    """50 applicants across two workers with their own working and data folders; one is killed mid-batch."""
    n = 50
    database = postgres.create_database("topology")
    shared = tmp_path / "artifacts"                     # the shared mount
    port = services.free_port()
    base = f"http://127.0.0.1:{port}"
    common = {"DOCGEN_DATABASE_URL": database, "DOCGEN_BROKER_URL": redis.url, "DOCGEN_ARTIFACTS_DIR": str(shared),
              "DOCGEN_BATCH_LEASE_SECONDS": str(LEASE), "DOCGEN_SECRET_KEY": "region-test"}
    web = services.docgen(["serve"], {**common, "DOCGEN_PORT": str(port), "DOCGEN_WORKERS": "1",
                                      "DOCGEN_DATA_DIR": str(tmp_path / "web-data")}, tmp_path / "web",
                          tmp_path / "web.log")
    workers = {}
    try:
        services.wait_ready(base, web, tmp_path / "web.log")
        for name in ("a", "b"):
            workers[name] = _worker({**common, "DOCGEN_DATA_DIR": str(tmp_path / f"{name}-data")},
                                    tmp_path / f"worker-{name}")
        batch = {**SAMPLE, "applicants": many_applicants(n, SAMPLE["applicants"][1]),
                 "documents": ["commitment", "roster"], "formats": ["pdf"]}
        code, body, _ = services.http_json(f"{base}/v1/batches", batch)
        assert code == 202, body
        location = f"{base}/v1/batches/{body['id']}"
        _until(lambda: services.http_json(location)[1], lambda s: s["progress"]["done"] >= 10, 180, "progress")
        _kill(workers["a"])
        status = _until(lambda: services.http_json(location)[1], lambda s: s["status"] in ("done", "failed"), 240,
                        "finish")
        assert status["status"] == "done" and status["progress"] == {"done": n + 1, "total": n + 1}, status
        with urllib.request.urlopen(f"{base}{status['links']['archive']}", timeout=60) as resp:
            archive = zipfile.ZipFile(io.BytesIO(resp.read()))
        expected = {f"files/{i + 1:02d}-{a['name']}/附件3-个人承诺书.pdf" for i, a in enumerate(batch["applicants"])}
        expected |= {"files/附件5-申报人员花名册.pdf", "files/附件5-申报人员花名册.xlsx"}
        engine = create_engine(database)
        with engine.connect() as db:
            issued = {r[0] for r in db.execute(text("SELECT id FROM issued_documents WHERE batch_id = :b"),
                                               {"b": status["id"]})}
            states = db.execute(text("SELECT status, count(*) FROM batch_items WHERE batch_id = :b GROUP BY status"),
                                {"b": status["id"]}).all()
        engine.dispose()
        assert dict(states) == {"done": n + 1}
        _check_archive(archive, expected, lambda i, content: services.present(f"{base}/v1/verify/{i}", content)[1], issued)
        assert sorted(p.name for p in (shared / "batches" / status["id"]).iterdir()) == ["archive.zip", "print.pdf"]
        for name in ("a", "b"):   # workers kept nothing in their own folders
            assert not (tmp_path / f"{name}-data" / "batches").exists()
    finally:
        for process in workers.values():
            _kill(process)
        _stop(web)
        postgres.drop_database("topology")
