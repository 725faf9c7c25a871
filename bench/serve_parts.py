"""Where a `docgen serve` request's CPU and wall time go, and what the registry's commits allow (issue 26).

    .venv/bin/python bench/serve_parts.py [--rounds 15] [--root PATH]

In one process, interleaved round by round (medians; CPU by `time.process_time()`): a 个人承诺书 PDF request
through the Flask app (test client: hooks, parsing, validation, render, record, answer), the render alone, the
request with the render replaced by a finished file (everything but the render), and the record alone. Then the
registry's write capacity: 2 processes × 4 threads (what `docgen serve` runs) recording documents as fast as
they can on one SQLite file for a few seconds: records/s and their p50/p99 — every document a request issues
is committed (fsync'd) before it is answered, so this bounds the documents/s of the service whatever its CPU.
`--root` measures another checkout (e.g. `git worktree add /tmp/base main`) with this venv, for before/after.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def parts(rounds: int) -> dict[str, tuple[float, float]]:
    """Return (CPU ms, wall ms) medians of each part of a request, interleaved."""
    from docgen.app import create_app
    from docgen.documents import sample

    app = create_app({"DATA_DIR": tempfile.mkdtemp(prefix="docgen-parts-"), "BATCH_RUNNER": "none"})
    here = app.extensions["docgen"]
    client = app.test_client()
    payload = sample("commitment")
    body = json.dumps(payload).encode()
    real = here.renderer.render
    done = real("commitment", payload, "pdf", None)

    def request() -> None:
        answer = client.post("/v1/documents/commitment?format=pdf", data=body,
                             headers={"Content-Type": "application/json"})
        assert answer.status_code == 200, answer.data[:300]

    def without_render() -> None:
        here.renderer.render = lambda *_a, **_k: dataclasses.replace(done, document_id=secrets.token_hex(8))
        try:
            request()
        finally:
            here.renderer.render = real

    steps: dict[str, Callable[[], Any]] = {
        "request (test client)": request,
        "render alone": lambda: real("commitment", payload, "pdf", None),
        "request without the render": without_render,
        "record alone (Issuer.issue)": lambda: here.issuer.issue([dataclasses.replace(
            done, document_id=secrets.token_hex(8))]),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    for step in steps.values():
        for _ in range(5):
            step()
    for _ in range(rounds):
        for name, step in steps.items():
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(10):
                step()
            samples[name].append(((time.process_time() - cpu) * 100, (time.perf_counter() - wall) * 100))
    return {name: (statistics.median(s[0] for s in got), statistics.median(s[1] for s in got))
            for name, got in samples.items()}


def _recorder(root: str, url: str, threads: int, seconds: float, out: Any) -> None:
    """Record documents from `threads` threads for `seconds` (one process of the capacity test)."""
    sys.path.insert(0, root)
    from docgen.bootstrap import bootstrap
    from docgen.documents import Issuer, Renderer, sample
    from docgen.registry import Registry

    bootstrap()
    issuer = Issuer(Registry(url))
    done = Renderer().render("commitment", sample("commitment"), "pdf", None)
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    def record() -> None:
        while time.perf_counter() < stop:
            began = time.perf_counter()
            issuer.issue([dataclasses.replace(done, document_id=secrets.token_hex(8))])
            latencies.append((time.perf_counter() - began) * 1000)

    workers = [threading.Thread(target=record) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put(latencies)


def capacity(root: Path, processes: int = 2, threads: int = 4, seconds: float = 6.0) -> dict[str, float]:
    """Return the registry's records/s and latency p50/p99 (ms) with processes × threads recording at once."""
    from docgen import db

    url = f"sqlite:///{tempfile.mkdtemp(prefix='docgen-capacity-')}/docgen.sqlite3"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    members = [spawn.Process(target=_recorder, args=(str(root), url, threads, seconds, out)) for _ in range(processes)]
    for member in members:
        member.start()
    latencies = sorted(x for _ in members for x in out.get())
    for member in members:
        member.join()
    return {"per_s": len(latencies) / seconds, "p50": statistics.median(latencies),
            "p99": latencies[int(0.99 * (len(latencies) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--seconds", type=float, default=6.0, help="of the registry's capacity test")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))
    import docgen
    from docgen.bootstrap import bootstrap

    print(f"docgen from {Path(docgen.__file__).parent.parent}")
    bootstrap()
    for name, (cpu, wall) in parts(args.rounds).items():
        print(f"{name:32} CPU {cpu:6.2f} ms   wall {wall:6.2f} ms")
    got = capacity(args.root, seconds=args.seconds)
    print(f"registry, 2 processes × 4 threads: {got['per_s']:.0f} records/s, p50 {got['p50']:.1f} ms, "
          f"p99 {got['p99']:.1f} ms")


if __name__ == "__main__":
    main()
