"""`docgen serve` under a bounded load, with the machine's CPU accounted: bench/run's HTTP rows, and before/after.

    .venv/bin/python bench/http_load.py [--root PATH …] [--rounds 3] [--requests 40] [--concurrency 1,2,4,8]

Each row: 个人承诺书 PDFs asked by `concurrency` clients (each waits for its answer before the next), and over the
row the CPU of the server's process tree (gunicorn, its workers, the batch runner), of the load generator (this
process, on the same cores) and of everything else on the machine (/proc/stat), and the cores left idle. What
the server's CPU allows is counted on the cores the load generator leaves it: (cores − generator) / server CPU a
document. The cores others took and the idle cores say whether a shortfall was the server's own (idle cores)
or the machine's (others); "of the CPU left it" is the share of what the generator and others left that the
server used (100 %: it idled nothing). With several --root (checkouts, e.g. `git worktree add /tmp/base main`,
run with this venv), their servers run side by side and their rows alternate, round after round: medians.
"""
from __future__ import annotations

import argparse
import http.client
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_scale import tree_cpu_s  # noqa: E402

NAMES = ["阿不都热合曼·买买提", "古丽米拉·艾则孜", "王建国", "李娟", "张喆", "刘䶮", "陈昇", "赵珺玥"]
PATH = "/v1/documents/commitment?format=pdf"
CORES = os.cpu_count() or 1


@dataclass
class Server:
    """A running `docgen serve` of one checkout."""

    root: Path
    port: int
    process: subprocess.Popen
    first_ms: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bodies(root: Path = ROOT) -> list[bytes]:
    """Return the 个人承诺书 sample under eight names (the checkout's own sample)."""
    sample = json.loads((root / "samples" / "commitment.json").read_text(encoding="utf-8"))
    out = []
    for name in NAMES:
        sample["applicant"]["name"] = name
        out.append(json.dumps(sample, ensure_ascii=False).encode())
    return out


def post(port: int, body: bytes) -> tuple[int, int]:
    """POST one PDF request on a new connection; return its status and size."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", PATH, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


@contextmanager
def serve(root: Path, work: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start `docgen serve` of the checkout at `root` (this venv's Python, the checkout's code: its folder is the
    working directory of `python -m`) on a free port with its own data directory; stop it and its tree after."""
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="serve-", dir=work))
    env = {**os.environ, "DOCGEN_HOST": "127.0.0.1", "DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(data),
           **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "docgen.cli", "serve"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=(data / "serve.log").open("w"),
                               start_new_session=True)
    try:
        _wait_ready(process, port, data, start)
        yield Server(root, port, process, (time.perf_counter() - start) * 1000)
    finally:
        stop_group(process)


def _wait_ready(process: subprocess.Popen, port: int, data: Path, start: float) -> None:
    body = bodies()[0]
    while True:
        try:
            if post(port, body)[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.perf_counter() - start > 90:
            raise RuntimeError(f"docgen serve did not answer: {(data / 'serve.log').read_text()[-800:]}")
        time.sleep(0.05)


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process started in its own session, and everything it started (LibreOffice, gunicorn workers)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=20)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _machine() -> tuple[float, float]:
    """Return the machine's (busy, idle) CPU seconds so far, all cores (/proc/stat; iowait counts as idle)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")


def load(server: Server, concurrency: int, requests: int) -> dict:
    """Send `requests` PDF requests from `concurrency` clients; return the row's figures (see the module)."""
    payloads, latencies, errors, lock = bodies(server.root), [], [0], threading.Lock()
    remaining = [requests]

    def client(i: int) -> None:
        n = i
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            began = time.perf_counter()
            try:
                status, size = post(server.port, payloads[n % len(payloads)])
                ok = status == 200 and size > 1000
            except OSError:
                ok = False
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                errors[0] += not ok
            n += concurrency

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    server_cpu, own_cpu, (busy, idle) = tree_cpu_s(server.process.pid), time.process_time(), _machine()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    server_cpu, own_cpu = tree_cpu_s(server.process.pid) - server_cpu, time.process_time() - own_cpu
    busy_after, idle_after = _machine()
    latencies.sort()
    return {"concurrency": concurrency, "requests": requests, "per_s": requests / wall, "wall": wall,
            "cpu_ms": server_cpu * 1000 / requests, "client_ms": own_cpu * 1000 / requests,
            "others_cores": max(0.0, busy_after - busy - server_cpu - own_cpu) / wall,
            "idle_cores": (idle_after - idle) / wall,
            "p50": statistics.median(latencies), "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "errors": errors[0]}


def allowed(row: dict) -> float | None:
    """Return the documents/s the server's CPU a document allows on the cores the load generator leaves it."""
    if not row.get("cpu_ms"):
        return None
    generator = row["client_ms"] * row["per_s"] / 1000
    return (CORES - generator) * 1000 / row["cpu_ms"]


def left_share(row: dict) -> float | None:
    """Return the share of the CPU left to the server (all cores less the generator's and others' use) it used:
    1.0 when it idled no core that nothing else wanted."""
    left = CORES - row["client_ms"] * row["per_s"] / 1000 - row["others_cores"]
    return row["cpu_ms"] * row["per_s"] / 1000 / left if left > 0 else None


def measure(server: Server, concurrency: int, requests: int) -> dict:
    """Warm the server's workers with a few requests, then load it: one row."""
    load(server, concurrency, 2 * concurrency + 4)
    return load(server, concurrency, requests)


def combine(rows: list[dict]) -> dict:
    """Return the medians of several rounds' rows of one concurrency (p99: the median of the rounds' p99s)."""
    out = {key: statistics.median(r[key] for r in rows) for key in rows[0] if key not in ("concurrency", "errors")}
    out["concurrency"], out["errors"] = rows[0]["concurrency"], sum(r["errors"] for r in rows)
    out["requests"] = sum(r["requests"] for r in rows)
    return out


def describe(row: dict) -> str:
    """One line of a row, for the terminal."""
    cap = allowed(row)
    return (f"c={row['concurrency']:<2} {row['per_s']:6.1f} documents/s  server CPU {row['cpu_ms']:5.1f} ms/doc  "
            f"generator {row['client_ms']:4.1f} ms/doc  others {row['others_cores']:.2f} cores  idle "
            f"{row['idle_cores']:.2f} cores  allowed {cap or 0:5.0f}/s ({row['per_s'] / cap if cap else 0:4.0%}, "
            f"of the CPU left it {left_share(row) or 0:4.0%})  "
            f"p50 {row['p50']:5.0f} ms  p99 {row['p99']:5.0f} ms  errors {row['errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, action="append", help="a checkout to serve (repeat: side by side)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40, help="per client and row (at most 160 a row)")
    parser.add_argument("--concurrency", default="1,2,4,8")
    args = parser.parse_args()
    roots = args.root or [ROOT]
    levels = [int(c) for c in args.concurrency.split(",")]
    rows: dict[tuple[int, int], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="docgen-http-") as tmp:
        servers = [serve(root, Path(tmp)) for root in roots]
        running = [s.__enter__() for s in servers]
        try:
            for round_ in range(args.rounds):
                for c in levels:
                    for i, server in enumerate(running):
                        row = measure(server, c, min(160, args.requests * c))
                        rows.setdefault((i, c), []).append(row)
                        print(f"round {round_ + 1} {server.root}: {describe(row)}", file=sys.stderr)
        finally:
            for s in servers:
                s.__exit__(None, None, None)
    for i, root in enumerate(roots):
        print(f"{root} (medians of {args.rounds} rounds):")
        for c in levels:
            print("  " + describe(combine(rows[(i, c)])))


if __name__ == "__main__":
    main()
