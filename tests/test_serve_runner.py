"""`docgen serve` keeps its batch runner alive: a runner killed with -9 is started again, and /readyz says 503
while none beats."""
from __future__ import annotations

import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

from docgen.batch import local
from tests import services


def _readyz(base: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def _runner_pid(data: Path, other_than: int = 0, seconds: float = 90) -> int:
    """Wait for a runner (other than the one given) to beat; return its pid."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            pid = int(local.heartbeat_path(data).read_text() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid and pid != other_than:
            return pid
        assert time.monotonic() < deadline, "no runner beats"
        time.sleep(0.2)


def test_a_killed_runner_is_restarted_and_readyz_follows_it(tmp_path):
    port = services.free_port()
    base, data, log = f"http://127.0.0.1:{port}", tmp_path / "data", tmp_path / "serve.log"
    server = services.docgen(["serve"], {"DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(data),
                                         "DOCGEN_WORKERS": "1"}, tmp_path / "cwd", log)
    try:
        services.wait_ready(base, server, log)
        first = _runner_pid(data)
        deadline = time.monotonic() + 60
        while (answer := _readyz(base))[0] != 200:
            assert time.monotonic() < deadline, answer
            time.sleep(0.3)
        os.kill(first, signal.SIGSTOP)                      # hung: no heartbeat, readyz says so once it is stale
        silent = time.time() - local.HEARTBEAT_STALE - 1
        os.utime(local.heartbeat_path(data), (silent, silent))
        status, body = _readyz(base)
        assert status == 503 and "batch-runner" in body and "last heartbeat" in body
        os.kill(first, signal.SIGKILL)                      # and then killed
        second = _runner_pid(data, other_than=first)
        assert second != first
        assert _readyz(base)[0] == 200
        assert f"batch runner (pid {first}) exited" in log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        assert server.wait(timeout=60) == 0
