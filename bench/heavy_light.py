"""Light beside heavy over HTTP: p50/p99 of a one-page PDF (个人承诺书) from `docgen serve`, alone and while two
clients keep asking for 2000-row rosters (issue 24: p99 beside them ≤ 3× alone).

Usage: .venv/bin/python bench/heavy_light.py [REQUESTS=40] [ROWS=2000] [WORKERS=2] [CLIENTS=4]
One-page requests come from CLIENTS clients at once (REQUESTS in all, at most LIGHT_SECONDS beside the rosters); a
request refused counts at its time.
Run against another checkout by putting it first on PYTHONPATH (the `docgen` it starts is imported from there).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roster import payload as roster_payload

ROOT = Path(__file__).resolve().parent.parent
COMMITMENT = (ROOT / "samples" / "commitment.json").read_bytes()
LIGHT_SECONDS = 240


def _post(base: str, path: str, body: bytes, timeout: float = 300) -> tuple[int, float]:
    """POST JSON; return the status and the seconds it took."""
    request = urllib.request.Request(base + path, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as refused:
        status = refused.code
    return status, time.perf_counter() - started


def _serve(data: Path, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(data), "DOCGEN_WORKERS": str(workers),
           "DOCGEN_RENDER_WAIT": "60", "DOCGEN_PUBLIC_URL": "http://127.0.0.1"}
    command = [sys.executable, "-c", "import sys; from docgen.cli import main; sys.exit(main())", "serve"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return server, base
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "docgen serve did not start"
            time.sleep(0.3)


def _light(base: str, n: int, clients: int, refused: list[int] | None = None) -> list[float]:
    """Ask for n one-page PDFs from `clients` clients at once (for at most LIGHT_SECONDS); return their times."""
    times: list[float] = []
    deadline = time.monotonic() + LIGHT_SECONDS

    def client() -> None:
        while len(times) < n and time.monotonic() < deadline:
            status, seconds = _post(base, "/v1/documents/commitment?format=pdf", COMMITMENT)
            if status != 200:
                assert refused is not None, status
                refused.append(status)
            times.append(seconds)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def _p99(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.99 * len(times)) - 1)]


def main(requests: int = 40, rows: int = 2000, workers: int = 2, clients: int = 4) -> None:
    roster = json.dumps(roster_payload(rows), ensure_ascii=False).encode()
    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as folder:
        server, base = _serve(Path(folder), workers)
        try:
            _light(base, 10, clients)                            # warm the workers
            status, first = _post(base, "/v1/documents/roster?format=pdf", roster)
            print(f"one {rows}-row roster alone: {first:.1f} s (status {status})")
            alone = _light(base, requests, clients)
            stop, heavy_times = threading.Event(), []

            def keep_asking() -> None:
                while not stop.is_set():
                    try:
                        heavy_times.append(_post(base, "/v1/documents/roster?format=pdf", roster))
                    except OSError as lost:   # the worker was killed under it (gunicorn's timeout)
                        heavy_times.append((-1, 0.0))
                        print(f"a roster request lost: {type(lost).__name__}")

            rosters = [threading.Thread(target=keep_asking) for _ in range(2)]
            for roster_client in rosters:
                roster_client.start()
            time.sleep(2)                                        # both rosters under way
            refused: list[int] = []
            beside = _light(base, requests, clients, refused)
            stop.set()
            for roster_client in rosters:
                roster_client.join()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    print(f"one-page PDF alone:  p50 {statistics.median(alone) * 1000:.0f} ms, p99 {_p99(alone) * 1000:.0f} ms")
    print(f"beside two rosters:  p50 {statistics.median(beside) * 1000:.0f} ms, p99 {_p99(beside) * 1000:.0f} ms "
          f"({len(beside)} requests from {clients} clients, refused: {refused or 'none'}; {workers} worker(s))")
    print(f"slowest beside: {[round(t * 1000) for t in sorted(beside)[-3:]]} ms")
    print(f"p99 ratio: {_p99(beside) / _p99(alone):.1f}×; rosters during it: "
          f"{[(s, round(t, 1)) for s, t in heavy_times]}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:5]))
