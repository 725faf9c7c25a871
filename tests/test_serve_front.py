"""The front of `docgen serve`, with real sockets: slow clients never block it; limits answer problem+json."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "commitment.json"
READ_TIMEOUT = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _start(data: Path, port: int, extra: dict | None = None):
    """Run `docgen serve` on `port` with DATA_DIR `data` until the block ends; yield its log file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCGEN_", "PROMETHEUS_"))}
    env.update({"DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(data), **(extra or {})})
    docgen = Path(sys.executable).with_name("docgen")
    log_path = data / "serve.log"
    with log_path.open("w+b") as log:
        proc = subprocess.Popen([str(docgen), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                        break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.3)
            yield log_path
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One `docgen serve` (1 worker, 2 threads, small limits) on a free port, stopped after the module."""
    port, data = _free_port(), tmp_path_factory.mktemp("serve")
    with _start(data, port, {"DOCGEN_WORKERS": "1", "DOCGEN_THREADS": "2", "DOCGEN_READ_TIMEOUT": str(READ_TIMEOUT),
                             "DOCGEN_MAX_BODY_BYTES": "200000"}) as log:
        yield port, log


def _raw(port: int, request: bytes, timeout: float = 20) -> tuple[int, dict, bytes]:
    """Send raw bytes, read the whole answer; return status, headers and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _problem(status, headers, body, expected):
    assert status == expected, body[:300]
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == expected and any("\u4e00" <= c <= "\u9fff" for c in problem["title"])
    return problem


def test_warns_at_start_without_public_url(server):
    _, log = server
    assert "DOCGEN_PUBLIC_URL" in log.read_text()


def test_warns_at_start_that_without_keys_anyone_may_post_and_without_allowed_hosts_any_host(server):
    _, log = server
    warning = next(line for line in log.read_text().splitlines() if "DOCGEN_REQUIRE_API_KEY" in line)
    assert "其他网站" in warning and "403" in warning and "删除批次" in warning
    assert any("DOCGEN_ALLOWED_HOSTS" in line and "Host" in line for line in log.read_text().splitlines())


def test_fifty_half_sent_bodies_never_block_healthz_or_a_render(server):
    port, _ = server
    held = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"POST /v1/documents/commitment?format=docx HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"applicant\":")
        held.append(sock)
    try:
        for _ in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as resp:
                assert resp.status == 200
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/documents/commitment?format=docx",
                                         data=SAMPLE.read_bytes(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as resp:
            assert resp.status == 200 and resp.headers["X-Document-Id"]
        # the stalled ones are closed with 408 once the read deadline passes
        answer = b""
        held[0].settimeout(READ_TIMEOUT + 10)
        while chunk := held[0].recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408") and b"application/problem+json" in answer
    finally:
        for sock in held:
            sock.close()


def test_chunked_body_over_the_limit_is_413(server):
    port, _ = server
    chunk = b"a" * 50_000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
    status, headers, answer = _raw(port, b"POST /v1/documents/commitment HTTP/1.1\r\nHost: x\r\n"
                                         b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    _problem(status, headers, answer, 413)


def test_declared_length_over_the_limit_is_413_without_reading_it(server):
    port, _ = server
    status, headers, answer = _raw(port, b"POST /v1/documents/commitment HTTP/1.1\r\nHost: x\r\n"
                                         b"Content-Type: application/json\r\nContent-Length: 999999999\r\n\r\n")
    _problem(status, headers, answer, 413)


def test_an_upload_has_its_own_larger_limit(server):
    """multipart/form-data (scans) is counted against MAX_UPLOAD_BYTES, not MAX_BODY_BYTES (200000 here)."""
    port, _ = server
    part = b"GIF89a" + b"a" * 300_000
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.gif\"\r\n\r\n" + part
            + b"\r\n--b--\r\n")
    status, headers, answer = _raw(port, b"POST /v1/batches/scans/check HTTP/1.1\r\nHost: x\r\n"
                                         b"Content-Type: multipart/form-data; boundary=b\r\n"
                                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
    problem = _problem(status, headers, answer, 422)          # read whole and checked: not a scan
    assert problem["errors"][0]["pointer"] == "/file"


def test_small_chunked_body_is_read(server):
    port, _ = server
    payload = SAMPLE.read_bytes()
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    status, headers, _ = _raw(port, b"POST /v1/documents/commitment?format=docx HTTP/1.1\r\nHost: x\r\n"
                                    b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    assert status == 200 and headers["x-document-id"]


@pytest.mark.parametrize("length", [5000, 60_000])
def test_long_url_is_414_problem_json(server, length):
    port, _ = server
    answer = _raw(port, b"GET /v1/document-types?" + b"x" * length + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    _problem(*answer, 414)


def test_malformed_request_is_400_problem_json(server):
    port, _ = server
    _problem(*_raw(port, b"GARBAGE\r\n\r\n"), 400)


def test_the_front_stamps_when_a_request_was_whole_and_drops_a_client_stamp():
    from docgen.serve import RequestBuffer

    buffer = RequestBuffer(lambda _: 1000)
    sent = (b"POST /v1/documents/commitment HTTP/1.1\r\nHost: x\r\nX-Docgen-Complete-At: 1\r\n"
            b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}")
    assert buffer.feed(sent) == "complete"
    before = time.monotonic()
    head, _, body = buffer.request().partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    stamps = [line for line in lines if line.lower().startswith(b"x-docgen-complete-at:")]
    assert len(stamps) == 1 and abs(float(stamps[0].split(b":")[1]) - before) < 1
    assert not any(line.lower().startswith(b"expect:") for line in lines)
    assert lines[0].startswith(b"POST ") and b"Content-Length: 2" in lines and body == b"{}"
