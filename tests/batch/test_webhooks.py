"""Webhooks: a real receiver on 127.0.0.1 that checks every call with the standardwebhooks library; a delivery
retried with backoff across a restart until the receiver takes it; the URL checks (422 at /webhook_url)."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from docgen import config, erasure
from docgen.app import create_app
from docgen.batch import webhook_http, webhooks
from docgen.cli import main
from tests import services

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"    # the example secret of the Standard Webhooks spec
ONE = {**SAMPLE, "applicants": SAMPLE["applicants"][:1], "documents": ["commitment"], "formats": ["pdf"]}


class Receiver:
    """An integrator's endpoint: answers the given codes in turn (then 200), verifying each call's signature."""

    def __init__(self, secret: str | None, answers: list[int], delay: float = 0.0,
                 tls: ssl.SSLContext | None = None) -> None:
        self.calls: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers.items())
                # raises on a bad signature: the call is not logged, the test sees it missing
                event = Webhook(secret).verify(body, headers) if secret else None
                receiver.calls.append({"at": time.monotonic(), "headers": headers, "body": body, "event": event})
                time.sleep(delay)
                code = answers[len(receiver.calls) - 1] if len(receiver.calls) <= len(answers) else 200
                self.send_response(code)
                if code in (301, 302):
                    self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
                self.end_headers()
                try:
                    self.wfile.write(b"ok" * 100_000)   # more than docgen reads
                except (BrokenPipeError, ConnectionResetError):   # it stopped reading (or waiting) and hung up
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = f"http{'s' if tls else ''}://127.0.0.1:{self.server.server_port}/hooks/docgen?unit=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_calls(self, count: int, seconds: float = 60) -> list[dict]:
        deadline = time.monotonic() + seconds
        while len(self.calls) < count:
            assert time.monotonic() < deadline, f"{len(self.calls)} calls, waiting for {count}"
            time.sleep(0.05)
        return self.calls

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(secret: str | None = SECRET, answers: list[int] | None = None, delay: float = 0.0,
             tls: ssl.SSLContext | None = None) -> Receiver:
        made.append(Receiver(secret, answers or [], delay, tls))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _app(tmp_path, **extra):
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "WEBHOOK_HOSTS": "127.0.0.1",
                       "WEBHOOK_SECRET": SECRET, "WEBHOOK_RETRY_BASE": 1, **extra})


def _status(tmp_path, batch_id, database):
    """Read a batch's status from an app that runs nothing (the service is down in between)."""
    app = _app(tmp_path, BATCH_RUNNER="none", DATABASE_URL=database)
    try:
        return app.test_client().get(f"/v1/batches/{batch_id}").json
    finally:
        app.extensions["docgen"].close()


def _wait_delivered(client, batch_id, kind, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        status = client.get(f"/v1/batches/{batch_id}").json
        found = [d for d in status["webhook"]["deliveries"] if d["type"] == kind]
        if found and found[0]["status"] == "delivered":
            return status, found[0]
        assert time.monotonic() < deadline, status
        time.sleep(0.1)


@pytest.mark.databases
def test_delivery_is_retried_with_backoff_across_a_restart_until_the_receiver_takes_it(tmp_path, receiver, database):
    hooks = receiver(answers=[500, 500])
    app = _app(tmp_path, DATABASE_URL=database)
    resp = app.test_client().post("/v1/batches", json={**ONE, "webhook_url": hooks.url})
    assert resp.status_code == 202, resp.json
    batch_id = resp.json["id"]
    assert resp.json["webhook"] == {"url": hooks.url, "deliveries": []}
    hooks.wait_calls(1)
    app.extensions["docgen"].close()                   # the service stops after the first 500

    between = _status(tmp_path, batch_id, database)
    [pending] = between["webhook"]["deliveries"]
    assert pending["type"] == "batch.done" and pending["status"] == "pending", pending
    assert pending["attempts"] == 1 and pending["last_status"] == 500 and pending["next_attempt_at"]
    assert len(hooks.calls) == 1

    app = _app(tmp_path, DATABASE_URL=database)      # and starts again: the row is picked up
    client = app.test_client()
    try:
        status, delivered = _wait_delivered(client, batch_id, "batch.done")
        calls = hooks.calls
        assert len(calls) == 3 and delivered["attempts"] == 3 and delivered["last_status"] == 200
        assert delivered["next_attempt_at"] is None and delivered["delivered_at"]
        assert {c["headers"]["webhook-id"] for c in calls} == {delivered["id"]}     # one event, three attempts
        assert len({c["body"] for c in calls}) == 1 and all(c["headers"]["webhook-signature"].startswith("v1,")
                                                             for c in calls)
        first, second = calls[1]["at"] - calls[0]["at"], calls[2]["at"] - calls[1]["at"]
        assert first >= 0.75 and second >= 1.5, (first, second)   # 1 s, then 2 s (±25 %)
        event = calls[0]["event"]
        assert event["type"] == "batch.done" and event["data"]["id"] == batch_id
        assert event["data"]["status"] == "done" and event["data"]["progress"] == {"done": 1, "total": 1}
        assert event["data"]["links"]["archive"] == f"http://127.0.0.1:8000/v1/batches/{batch_id}/archive"

        assert client.delete(f"/v1/batches/{batch_id}").status_code == 200     # the files go: a second event
        status, gone = _wait_delivered(client, batch_id, "batch.files_deleted")
        assert gone["attempts"] == 1 and gone["id"] != delivered["id"]
        event = hooks.calls[3]["event"]
        assert event["type"] == "batch.files_deleted" and event["data"]["files_deleted"]["reason"] == "deleted"
        assert "links" not in event["data"]
    finally:
        app.extensions["docgen"].close()
    assert len(hooks.calls) == 4


def test_a_celery_worker_sends_and_retries_the_webhook(tmp_path, receiver):
    """With a broker, the worker's sweep thread delivers: the API process only records the batch."""
    if not services.have_redis():
        pytest.skip("redis-server is not installed")
    redis = services.start_redis()
    hooks = receiver(answers=[503])
    app = _app(tmp_path, BROKER_URL=redis.url)
    worker = None
    try:
        resp = app.test_client().post("/v1/batches", json={**ONE, "webhook_url": hooks.url})
        assert resp.status_code == 202, resp.json
        env = {"DOCGEN_DATA_DIR": str(tmp_path), "DOCGEN_BROKER_URL": redis.url, "DOCGEN_WEBHOOK_HOSTS": "127.0.0.1",
               "DOCGEN_WEBHOOK_SECRET": SECRET, "DOCGEN_WEBHOOK_RETRY_BASE": "1"}
        worker = services.docgen(["worker", "--concurrency", "1"], env, tmp_path / "worker", tmp_path / "worker.log")
        status, delivered = _wait_delivered(app.test_client(), resp.json["id"], "batch.done", seconds=120)
        assert delivered["attempts"] == 2 and len(hooks.calls) == 2
        assert hooks.calls[1]["event"]["data"]["status"] == "done"
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        app.extensions["docgen"].close()
        redis.stop()


def test_a_batch_made_with_an_api_key_is_signed_with_that_keys_secret(tmp_path, receiver, capsys, monkeypatch):
    monkeypatch.setenv("DOCGEN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DOCGEN_REQUIRE_API_KEY", "true")
    assert main(["keys", "create", "巴州农科所"]) == 0
    out = capsys.readouterr().out
    token, secret = out.split("key:")[1].split()[0], out.split("webhook secret:")[1].split()[0]
    assert secret.startswith("whsec_") and secret != SECRET
    hooks = receiver(secret)                          # verifies with the unit's secret only
    app = _app(tmp_path, WEBHOOK_SECRET="", REQUIRE_API_KEY=True)
    try:
        client = app.test_client()
        resp = client.post("/v1/batches", json={**ONE, "webhook_url": hooks.url},
                           headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 202, resp.json
        hooks.wait_calls(1)
        assert hooks.calls[0]["event"]["data"]["unit"] == SAMPLE["unit"]["name"]
    finally:
        app.extensions["docgen"].close()


def _refused(client, url):
    resp = client.post("/v1/batches", json={**ONE, "webhook_url": url})
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json", resp.json
    [error] = resp.json["errors"]
    assert error["pointer"] == "/webhook_url"
    return error["detail"]


def test_webhook_url_is_a_422_when_no_host_is_allowed(client):
    assert "DOCGEN_WEBHOOK_HOSTS" in _refused(client, "https://oa.example.cn/hooks")


def test_webhook_url_outside_the_allowlist_is_a_422(tmp_path, monkeypatch):
    addresses = {"hooks.example.cn": "10.0.0.5", "oa.example.cn": "203.0.113.7", "pub.example.cn": "8.8.8.8",
                 "xn--zbss05j.xn--zfr164b.cn": "8.8.4.4"}   # 回调.政务.cn, as DNS carries it

    def resolve(host, port, *args, **kwargs):
        if host not in addresses and host != "127.0.0.1":
            raise socket.gaierror("not found")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addresses.get(host, host), port))]

    monkeypatch.setattr(webhook_http.socket, "getaddrinfo", resolve)
    app = _app(tmp_path, WEBHOOK_HOSTS="*.example.cn, 127.0.0.1, *.政务.cn", BATCH_RUNNER="none")
    client = app.test_client()
    try:
        assert "不在本服务允许的范围内" in _refused(client, "https://evil.example.com/hooks")
        assert "不在本服务允许的范围内" in _refused(client, "https://example.cn.evil.com/hooks")
        assert "https://" in _refused(client, "ftp://127.0.0.1/hooks")
        assert "https://" in _refused(client, "127.0.0.1/hooks")
        assert "用户名或密码" in _refused(client, "http://user:pw@127.0.0.1/hooks")
        assert "端口号" in _refused(client, "http://127.0.0.1:99999/hooks")
        assert "无法解析" in _refused(client, "https://nowhere.example.cn/hooks")
        # a subdomain allowed through *.example.cn must be public: 10.0.0.5 and 203.0.113.7 (TEST-NET) are not
        assert "10.0.0.5" in _refused(client, "https://hooks.example.cn/hooks")
        assert "203.0.113.7" in _refused(client, "https://oa.example.cn/hooks")
        assert "主机名" in _refused(client, "https://a..example.cn/hooks")
        resp = client.post("/v1/batches", json={**ONE, "webhook_url": "https://pub.example.cn/hooks"})
        assert resp.status_code == 202 and resp.json["webhook"]["url"] == "https://pub.example.cn/hooks"
        resp = client.post("/v1/batches", json={**ONE, "webhook_url": "https://回调.政务.cn/hooks"})
        assert resp.status_code == 202, resp.json
    finally:
        app.extensions["docgen"].close()


def test_webhook_settings_are_checked_at_start(tmp_path):
    with pytest.raises(config.ConfigError, match="WEBHOOK_SECRET"):
        config.settings({"DATA_DIR": tmp_path, "WEBHOOK_HOSTS": "127.0.0.1"})
    with pytest.raises(config.ConfigError, match="whsec_"):
        config.settings({"DATA_DIR": tmp_path, "WEBHOOK_HOSTS": "127.0.0.1", "WEBHOOK_SECRET": "s3cret"})
    assert config.settings({"DATA_DIR": tmp_path, "WEBHOOK_HOSTS": " A.example.cn ,[::1]",
                            "WEBHOOK_SECRET": SECRET}).webhook_hosts == ("a.example.cn", "::1")


def test_backoff_doubles_with_jitter_and_retries_for_the_retry_period(tmp_path):
    settings = config.settings({"DATA_DIR": tmp_path, "WEBHOOK_RETRY_BASE": 30, "WEBHOOK_RETRY_HOURS": 1})
    rng = random.Random(7)
    first = at = dt.datetime(2026, 12, 3, tzinfo=dt.timezone.utc)
    delays = []
    attempts = 1
    while (later := webhooks.next_attempt(attempts, first, at, settings, rng)) is not None:
        delays.append((later - at).total_seconds())
        at, attempts = later, attempts + 1
    for n, delay in enumerate(delays):
        assert 0.75 * min(30 * 2 ** n, 3600) <= delay <= 1.25 * min(30 * 2 ** n, 3600)
    assert at - first >= dt.timedelta(hours=1)       # the last failure came after an hour of trying
    assert 7 <= attempts <= 9, delays


def test_a_redirect_is_not_followed_and_a_slow_receiver_times_out(receiver):
    moved = receiver(None, answers=[302])
    target = webhook_http.check(moved.url, ("127.0.0.1",))
    assert webhook_http.post(target, b"{}", {}, timeout=5) == 302
    time.sleep(0.2)
    assert len(moved.calls) == 1                      # nobody went to /elsewhere
    slow = receiver(None, delay=3)
    with pytest.raises(TimeoutError):
        webhook_http.post(webhook_http.check(slow.url, ("127.0.0.1",)), b"{}", {}, timeout=0.5)


def test_https_checks_the_certificate_against_the_host(tmp_path, receiver, monkeypatch):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    hooks = receiver(None, tls=tls)
    target = webhook_http.check(hooks.url, ("127.0.0.1",))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))        # the receiver's certificate is trusted: delivered
    assert webhook_http.post(target, b"{}", {}, timeout=5) == 200
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))    # not trusted: no call goes through
    with pytest.raises(ssl.SSLCertVerificationError):
        webhook_http.post(target, b"{}", {}, timeout=5)
    assert len(hooks.calls) == 1


def test_an_erasure_masks_the_applicant_in_the_events_kept_and_is_announced(tmp_path, receiver):
    hooks = receiver()
    app = _app(tmp_path)
    client = app.test_client()
    engine = app.extensions["docgen"].registry.engine
    person = ONE["applicants"][0]
    try:
        batch_id = client.post("/v1/batches", json={**ONE, "webhook_url": hooks.url}).json["id"]
        _, done = _wait_delivered(client, batch_id, "batch.done")
        with Session(engine) as session, session.begin():   # as an event of a batch whose item failed: it names whom
            row = session.get(webhooks.Delivery, done["id"])
            event = json.loads(row.body)
            event["data"]["errors"] = [{"pointer": "/applicants/0/name", "detail": f"{person['name']}：照片无法读取",
                                        "document": "commitment"}]
            row.body = json.dumps(event, ensure_ascii=False)
        assert client.post("/v1/erasures", json={"id_number": person["id_number"]}).status_code == 200
        with Session(engine) as session:
            kept = session.get(webhooks.Delivery, done["id"]).body
        assert person["name"] not in kept and erasure.mask_name(person["name"]) + "：照片无法读取" in kept, kept
        _, gone = _wait_delivered(client, batch_id, "batch.files_deleted")
        announced = hooks.calls[-1]["event"]
        assert announced["type"] == "batch.files_deleted" and announced["data"]["files_deleted"]["reason"] == "erased"
        assert person["name"] not in hooks.calls[-1]["body"].decode() and person["id_number"] not in kept
    finally:
        app.extensions["docgen"].close()
