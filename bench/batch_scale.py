"""Batch throughput: the embedded runner on a full set, then one vs two Celery workers on the same batch.

    .venv/bin/python bench/batch_scale.py [--applicants 100] [--celery-applicants 40] [--no-celery]
    .venv/bin/python bench/batch_scale.py --applicants 1000 --no-celery     # the README's 1000-applicant row

1. Embedded runner (process pool, one per core): N applicants × the profile's whole set (PDF + DOCX), the
   roster (PDF, DOCX, XLSX), archive.zip and print.pdf — the issue 26 target is 100 applicants in ≤ 15 s on 2
   cores; with its wall time, the CPU time and peak RSS of the whole process tree (this process and its pool,
   read from /proc every 0.1 s), and the peak RSS of this process in each step of the finish (which runs here):
   reading the items, archive.zip, print.pdf, the rest — and how far the finish rose above this process's RSS
   before it (`finish_rise_mb`: what must not grow with the batch).
2. Celery: a real redis-server and `docgen worker --concurrency 1` processes sharing one SQLite database
   and artifact folder; the same batch with one worker, then with two. Prints wall times and the speed-up.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen import config  # noqa: E402
from docgen.app import create_app  # noqa: E402
from docgen.batch import executor, plan  # noqa: E402
from docgen.batch.local import LocalRunner, shutdown_pool  # noqa: E402
from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.services import Services  # noqa: E402
from tests import services  # noqa: E402
from tests.helpers import many_applicants  # noqa: E402

WARM_APPLICANTS = 4   # the warm-up batch: every type rendered at least once in each pool process
SAMPLE = json.loads((ROOT / "samples" / "batch.json").read_text("utf-8"))


def batch(n: int, **extra) -> dict:
    first = {**SAMPLE["applicants"][0]}
    people = [{**a, "payload": first["payload"]} for a in many_applicants(n, SAMPLE["applicants"][1])]
    return {**SAMPLE, "applicants": people, **extra}


def tree(pid: int) -> list[int]:
    """Return a process and its descendants (from /proc: the pool's processes come and go)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def tree_rss_mb(pid: int) -> float:
    """Return the resident memory of a process and its descendants together (MB)."""
    total = 0
    for member in tree(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue   # ended meanwhile
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def own_rss_mb() -> float:
    """Return this process's resident memory (MB)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """Sample the process tree's RSS on a thread while a block runs; `peak` is the highest sum seen (MB), and
    `phases` this process's highest RSS in each phase named by `phase` (MB)."""

    def __init__(self, every: float = 0.1) -> None:
        self.peak, self._every, self._stop = 0.0, every, threading.Event()
        self.phase, self.phases = "items", {}
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))
            own = own_rss_mb()
            self.phases[self.phase] = max(self.phases.get(self.phase, 0.0), own)
            if self._stop.wait(self._every):
                return

    def during(self, phase: str, call):
        """Return `call` that, while it runs, has its samples counted under `phase` (then the previous one)."""
        def wrapped(*args, **kwargs):
            before, self.phase = self.phase, phase
            self.phases[phase] = max(self.phases.get(phase, 0.0), own_rss_mb())
            try:
                return call(*args, **kwargs)
            finally:
                self.phases[phase] = max(self.phases.get(phase, 0.0), own_rss_mb())
                self.phase = before
        return wrapped

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def tree_cpu_s(pid: int) -> float:
    """Return the CPU seconds (user + system) a tree has used so far: its live processes', and those of the
    children they reaped (a pool process replaced after its items)."""
    ticks = 0
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(f) for f in fields[11:15])   # utime, stime, cutime, cstime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def embedded(n: int, folder: Path) -> dict:
    settings = config.settings({"DATA_DIR": str(folder / "embedded")})
    bootstrap(settings.FONTS_DIR)
    services = Services.build(settings)
    runner = LocalRunner(services)
    request, items, _ = plan.intake(batch(WARM_APPLICANTS), services.renderer)
    stored, _ = executor.submit(services.store, executor.LocalDispatch(), settings, request,
                                services.renderer.profile(request.profile).id, items)
    runner.run_batch(stored.id)   # warm the pool's processes on a first, small run …
    request, items, _ = plan.intake(batch(n), services.renderer)
    stored, _ = executor.submit(services.store, executor.LocalDispatch(), settings, request,
                                services.renderer.profile(request.profile).id, items)
    cpu = tree_cpu_s(os.getpid())
    with PeakRss() as rss, phases(rss) as before_finish:
        started = time.perf_counter()
        status = runner.run_batch(stored.id)   # … and time the second
        seconds = time.perf_counter() - started
    cpu = tree_cpu_s(os.getpid()) - cpu   # the pool's processes still live: their CPU counts
    runner.stop()
    shutdown_pool()
    services.close()
    archive = folder / "embedded" / "batches" / stored.id / "archive.zip"
    return {"applicants": n, "items": len(items), "status": status, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 1), "finish_seconds": round(before_finish[1], 2), "peak_rss_mb": round(rss.peak), "archive_mb": round(archive.stat().st_size / 1e6, 1),
            "load_average": round(os.getloadavg()[0], 1),
            "finish_rise_mb": round(max(rss.phases.get(p, 0.0) for p in FINISH_STEPS) - before_finish[0]),
            "runner_rss_mb": {phase: round(mb) for phase, mb in rss.phases.items()}}


FINISH_STEPS = ("finish", "read items", "archive.zip", "print.pdf")


@contextlib.contextmanager
def phases(rss: PeakRss):
    """Count the finish's steps apart while the block runs (wrapping work's functions); yield a list that holds
    this process's RSS as the finish starts and the finish's wall time (s)."""
    from docgen.batch import store, work

    before: list[float] = [0.0, 0.0]
    finish = work.finish_batch

    def finish_batch(*args, **kwargs):
        before[0], started = own_rss_mb(), time.perf_counter()
        try:
            return rss.during("finish", finish)(*args, **kwargs)
        finally:
            before[1] = time.perf_counter() - started

    steps = [(work, "finish_batch", finish_batch), (store.BatchStore, "items", rss.during("read items", store.BatchStore.items))]
    steps += [(work, name, rss.during(phase, getattr(work, name))) for name, phase in
              (("_write_archive", "archive.zip"), ("merge_for_duplex", "print.pdf"), ("write_print", "print.pdf"))
              if hasattr(work, name)]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in steps]
    for owner, name, call in steps:
        setattr(owner, name, call)
    try:
        yield before
    finally:
        for owner, name, call in saved:
            setattr(owner, name, call)


def celery_run(n: int, workers: int, folder: Path, redis) -> float:
    data = folder / f"celery-{workers}"
    cfg = {"DATA_DIR": str(data), "BROKER_URL": redis.url, "SECRET_KEY": "bench"}
    env = {f"DOCGEN_{k}": v for k, v in cfg.items()}
    procs = [services.docgen(["worker", "--concurrency", "1"], env, data / f"w{i}", data / f"w{i}.log")
             for i in range(workers)]
    app = create_app({"TESTING": True, **cfg})
    client = app.test_client()
    try:
        warm = client.post("/v1/batches", json=batch(workers * 2, documents=["commitment"])).headers["Location"]
        while client.get(warm).json["status"] not in ("done", "failed"):   # workers up and warm
            time.sleep(0.2)
        started = time.perf_counter()
        location = client.post("/v1/batches", json=batch(n, formats=["pdf"])).headers["Location"]
        while (status := client.get(location).json)["status"] not in ("done", "failed"):
            time.sleep(0.1)
        assert status["status"] == "done", status
        return time.perf_counter() - started
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=120)
        app.extensions["docgen"].registry.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=100)
    parser.add_argument("--celery-applicants", type=int, default=40)
    parser.add_argument("--no-celery", action="store_true", help="the embedded runner only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    try:
        print("embedded runner:", json.dumps(embedded(args.applicants, folder), ensure_ascii=False), flush=True)
        if args.no_celery:
            return 0
        redis = services.start_redis()
        try:
            one = celery_run(args.celery_applicants, 1, folder, redis)
            two = celery_run(args.celery_applicants, 2, folder, redis)
        finally:
            redis.stop()
        print(f"celery, {args.celery_applicants} applicants × profile set (PDF): one worker {one:.1f} s, "
              f"two workers {two:.1f} s, speed-up {one / two:.2f}×")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
