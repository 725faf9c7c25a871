"""`docgen serve`: gunicorn with several workers starts on one fresh data directory and answers."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "commitment.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_two_workers(tmp_path):
    port = _free_port()
    env = {**os.environ, "DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(tmp_path), "DOCGEN_WORKERS": "2"}
    docgen = Path(sys.executable).with_name("docgen")
    server = subprocess.Popen([str(docgen), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=5) as resp:
                    assert json.load(resp)["status"] == "ready"
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        for _ in range(4):   # reach both workers: each must have booted (a schema race once killed one)
            request = urllib.request.Request(f"{base}/v1/documents/commitment?format=docx", data=SAMPLE.read_bytes(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as resp:
                assert resp.status == 200 and resp.headers["X-Document-Id"]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Worker failed to boot" not in output and "Traceback" not in output, output
