"""The embedded batch runner: items render in a process pool of their own (one process per core), so a
batch never holds up single-document requests beyond sharing the CPU.

It resumes every unfinished batch when it starts (items held by processes that died are put back) and, when
told to stop (SIGTERM), finishes the items in hand and starts no new one. A pool process that dies (killed, out
of memory) breaks the pool: the pool is rebuilt, the items it held are retried one at a time, and an item whose
process dies when it runs alone fails with a clear error. The runner touches a heartbeat file as it goes, which
/readyz reads. `docgen serve` runs it in a process beside gunicorn (python -m docgen.batch.local) and restarts
it if it dies; create_app runs it on a thread when nothing else does.
Beside it a thread sends the webhooks that are due (docgen.batch.webhooks): a long batch holds up no call.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Callable
from pathlib import Path

from docgen import config
from docgen.batch import webhooks, work
from docgen.batch.store import UNFINISHED, claim_token
from docgen.bootstrap import bootstrap
from docgen.limits import overload
from docgen.services import Services

log = logging.getLogger(__name__)
IDLE_SECONDS = 2.0        # how often an idle runner looks for batches submitted by other processes
WEBHOOK_SECONDS = 1.0     # how often the webhook thread looks for events and due deliveries
FINISH = -1               # what a batch's finish (ZIP, print file) is, among the items in hand
BEAT_SECONDS = 5.0        # how often a runner touches its heartbeat file, busy or idle
TASKS_PER_PROCESS = 1000  # a pool process is replaced after so many items: memory a big batch took goes back (a
#                           new one pays the cold start again: not every 100 applicants)
HEARTBEAT_FILE = "runner.heartbeat"   # DATA_DIR/runner.heartbeat: the runner's pid, rewritten as it beats
HEARTBEAT_STALE = 30.0    # a runner process silent longer is taken for dead (/readyz 503)
CRASHED = ("生成此文书的进程意外退出（内存不足或被终止），单独重试仍然失败；请检查该申报人的数据与扫描件，"
           "或减少份数后重新提交")
_pool: ProcessPoolExecutor | None = None      # one per process, shared by its runners (apps in tests)
_pool_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _services(settings_json: str) -> Services:
    """Start a pool process for these settings once: bootstrap, and its own services (its own engine)."""
    settings = config.Settings.model_validate_json(settings_json)
    bootstrap(settings.FONTS_DIR)
    return Services.build(settings, migrate=False)   # migrated by the runner that started the pool


def _run_item(settings_json: str, item_id: int) -> str:
    return work.run_item(_services(settings_json), item_id)


def _finish_batch(settings_json: str, batch_id: str) -> str:
    return work.finish_batch(_services(settings_json), batch_id)


def shared_pool(size: int) -> ProcessPoolExecutor:
    """Return this process's pool of rendering processes (spawned: the parent has threads)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=overload.follow_parent, max_tasks_per_child=TASKS_PER_PROCESS)
        return _pool


def replace_broken_pool(broken: ProcessPoolExecutor) -> None:
    """Drop a pool one of whose processes died (the next shared_pool() starts a fresh one); its other processes
    are ended and waited for, so that the claims they held are seen as dead."""
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=True)


def shutdown_pool() -> None:
    """Let the pool's processes end once their items are done."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def heartbeat_path(data_dir: Path) -> Path:
    """Return the file a runner touches to say it is alive (its mtime), and that /readyz reads."""
    return data_dir / HEARTBEAT_FILE


def heartbeat_age(data_dir: Path) -> float | None:
    """Return the seconds since a runner last beat, or None when none ever did here."""
    try:
        return max(0.0, time.time() - heartbeat_path(data_dir).stat().st_mtime)
    except OSError:
        return None


def readiness(services: Services) -> dict[str, str]:
    """Return /readyz's checks of batch work: whether the runner lives (the heartbeat of its process, or its
    thread here) and how long the oldest batch not yet started has waited ("not …" when either fails)."""
    checks = {}
    runner = _runner_state(services)
    if runner is not None:
        checks["batch-runner"] = runner
    oldest = services.store.oldest_queued()
    waited = 0.0 if oldest is None else (dt.datetime.now(dt.timezone.utc) - oldest).total_seconds()
    limit = services.settings.BATCH_MAX_WAIT
    checks["batch-queue"] = (f"not keeping up: a batch has waited {waited:.0f} s to start (limit {limit:g} s)"
                             if waited > limit else f"ok (oldest waiting {waited:.0f} s)")
    return checks


def _runner_state(services: Services) -> str | None:
    """Return whether the embedded runner lives, or None when no embedded runner is expected here."""
    settings = services.settings
    if settings.BROKER_URL:
        return None   # Celery workers: watched by their own supervisor
    if settings.BATCH_RUNNER == "process":
        age = heartbeat_age(settings.DATA_DIR)
        if age is None or age > HEARTBEAT_STALE:
            return "not running: " + ("no heartbeat yet" if age is None else f"last heartbeat {age:.0f} s ago")
        return f"ok (heartbeat {age:.0f} s ago)"
    runner = getattr(services.dispatch, "runner", None)
    if isinstance(runner, LocalRunner):
        return "ok" if runner.alive() else "not running: its thread ended"
    return None


class _Flight:
    """The work in the pool by its future, as (item id or FINISH, batch id); the items a broken pool held, to
    retry one at a time; and those being retried."""

    def __init__(self) -> None:
        self.pending: dict[Future[str], tuple[int, str]] = {}
        self.suspects: list[tuple[int, str]] = []   # in the pool when it broke: retried alone to find the culprit
        self.retried: set[int] = set()
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, pool: ProcessPoolExecutor, settings_json: str, what: tuple[int, str]) -> None:
        self.pool = pool
        item_id, batch_id = what
        future = (pool.submit(_finish_batch, settings_json, batch_id) if item_id == FINISH
                  else pool.submit(_run_item, settings_json, item_id))
        self.pending[future] = what

    def retry_one(self, pool: ProcessPoolExecutor, settings_json: str) -> None:
        what = self.suspects.pop(0)
        self.retried.add(what[0])
        self.submit(pool, settings_json, what)

    def held(self) -> list[int]:
        """Return the items in hand (in the pool or waiting to be retried)."""
        return [item_id for item_id, _ in [*self.pending.values(), *self.suspects] if item_id != FINISH]


class LocalRunner:
    """Runs the items of unfinished batches in a process pool, units taking turns (store.next_items)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._webhooks: threading.Thread | None = None
        self._settings_json = services.settings.model_dump_json()
        self._beaten = 0.0

    def start(self) -> LocalRunner:
        """Resume unfinished batches on a background thread; without any, the thread starts at the first wake().
        Start sending webhooks, if the settings allow any."""
        if self.services.store.unfinished():
            self.wake()
        self.start_webhooks()
        return self

    def start_webhooks(self) -> None:
        """Send due webhooks on a thread of their own until stopped (none when WEBHOOK_HOSTS is empty)."""
        if not self.services.settings.webhook_hosts or self._webhooks is not None:
            return
        self._webhooks = threading.Thread(target=self._send_webhooks, name="docgen-webhooks", daemon=True)
        self._webhooks.start()

    def _send_webhooks(self) -> None:
        while not self._stop.wait(WEBHOOK_SECONDS):
            try:
                webhooks.sweep(self.services.registry.engine, self.services.settings)
            except Exception:   # a database hiccup must not end the thread: log and look again
                log.exception("webhooks")

    def wake(self) -> None:
        """Tell the runner a batch was submitted."""
        with _pool_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self.serve_forever, name="docgen-batches", daemon=True)
                self._thread.start()
        self._wake.set()

    def request_stop(self) -> None:
        """Ask serve_forever to return at the next item boundary (from a signal handler)."""
        self._stop.set()
        self._wake.set()

    def stop(self) -> None:
        """Stop at an item boundary: items in hand finish, none starts."""
        self._stop.set()
        self._wake.set()
        with _pool_lock:
            thread, self._thread = self._thread, threading.current_thread()   # no start after a stop
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        if self._webhooks is not None:   # an attempt in hand ends within WEBHOOK_TIMEOUT
            self._webhooks.join()

    def serve_forever(self) -> None:
        """Run batches as they come, and expire old ones, until stopped."""
        while not self._stop.is_set():
            self.beat()
            try:
                busy = self.run_pending()
                work.expire(self.services)
            except Exception:   # a database hiccup must not end the runner: log and look again
                log.exception("batch runner")
                busy = False
            if not busy:
                self._wake.wait(IDLE_SECONDS)
                self._wake.clear()

    def beat(self) -> None:
        """Touch the heartbeat file (at most every few seconds)."""
        if time.monotonic() - self._beaten < BEAT_SECONDS / 2:
            return
        self._beaten = time.monotonic()
        try:
            heartbeat_path(self.services.settings.DATA_DIR).write_text(str(os.getpid()), encoding="ascii")
        except OSError as exc:   # an unwritable DATA_DIR: /readyz says so (storage) and sees no heartbeat
            log.warning("batch runner heartbeat: %s", exc)

    def alive(self) -> bool:
        """Return whether this runner's thread (if it was started) still runs."""
        thread = self._thread
        return thread is None or thread.is_alive()

    def run_pending(self) -> bool:
        """Run the items of every unfinished batch, units taking turns, finishing each batch once its items are
        in; return whether there was any."""
        store = self.services.store
        batches = store.unfinished()
        for batch_id in batches:
            store.release_dead_claims(batch_id)
        self._run_items(None, None)
        if not self._stop.is_set() and self._finish_all(store.unfinished()):
            self._wake.wait(1.0)   # another process holds items: look again shortly
        return bool(batches)

    def run_batch(self, batch_id: str, progress: Callable[[int, int], None] | None = None) -> str:
        """Render one batch's open items in the pool, then finish it; return its status (the CLI's batch)."""
        store = self.services.store
        store.release_dead_claims(batch_id)
        busy_seen = self._run_items(batch_id, progress)
        if self._stop.is_set():
            return "stopped"
        status = work.finish_batch(self.services, batch_id)
        if busy_seen and status in ("open", "busy"):
            self._wake.wait(1.0)   # another process holds items of this batch: look again shortly
        return status

    def _finish_all(self, batches: list[str]) -> bool:
        """Finish the batches whose items are all in; return whether any is still open (held elsewhere)."""
        return any(work.finish_batch(self.services, batch_id) in ("open", "busy") for batch_id in batches)

    def _run_items(self, batch_id: str | None, progress: Callable[[int, int], None] | None) -> bool:
        """Run items in the pool, at most two a process in flight (one at a time while items a broken pool held
        are retried), each next one chosen by store.next_items (units in turn; only `batch_id`'s when given),
        until none is left or stopped (the items in hand finish); a batch is finished in the pool as its last
        item comes in (FINISH in hand: the runner goes on handing out other units' items meanwhile). Return
        whether another process held any."""
        flight = _Flight()
        busy_seen = False
        while True:
            self._fill(flight, batch_id)
            if not flight.pending:
                return busy_seen
            finished, _ = wait(set(flight.pending), timeout=BEAT_SECONDS, return_when=FIRST_COMPLETED)
            self.beat()
            busy_seen |= self._collect(batch_id, flight, finished)
            if batch_id is not None:
                self._report(batch_id, progress)

    def _fill(self, flight: _Flight, batch_id: str | None) -> None:
        """Submit work: a suspect alone once the pool is empty, else the next items up to two a process."""
        if self._stop.is_set():
            return
        size, lease = self.services.settings.batch_workers, self.services.settings.BATCH_LEASE_SECONDS
        pool = shared_pool(size)
        if flight.suspects:
            if not flight.pending:
                flight.retry_one(pool, self._settings_json)
            return
        if len(flight.pending) < 2 * size:
            for item in self.services.store.next_items(2 * size - len(flight.pending), lease, flight.held(), batch_id):
                flight.submit(pool, self._settings_json, item)

    def _collect(self, batch_id: str | None, flight: _Flight, finished: set[Future[str]]) -> bool:
        """Take finished work (on a broken pool, all it held); return whether another process held an item."""
        if any(isinstance(future.exception(), BrokenProcessPool) for future in finished):
            log.error("a rendering process died; the pool is rebuilt and its items retried one at a time")
            assert flight.pool is not None   # it ran the futures
            replace_broken_pool(flight.pool)   # fails every future it held
            finished = set(flight.pending)
        busy_seen = False
        for future in [future for future in flight.pending if future in finished]:   # in the order submitted
            busy_seen |= self._take(batch_id, flight, future, flight.pending.pop(future))
        return busy_seen

    def _take(self, batch_id: str | None, flight: _Flight, future: Future[str], what: tuple[int, str]) -> bool:
        """Take one finished future: a crashed item is retried alone (failed if it crashed alone), a batch whose
        last item is in is finished; return whether another process held the item."""
        item_id, of_batch = what
        if isinstance(future.exception(), BrokenProcessPool):
            if item_id in flight.retried:
                self._fail_crashed(item_id)
            elif item_id != FINISH:   # a finish cut short is redone by _finish_all
                flight.suspects.append(what)
            return False
        status = future.result()   # what else went wrong in the pool is raised here, and logged by the loop
        if item_id == FINISH:
            return False
        if batch_id is None and self._all_in(of_batch):   # its last item: finish it now, not after others'
            flight.submit(shared_pool(self.services.settings.batch_workers), self._settings_json, (FINISH, of_batch))
        return status == "busy"

    def _all_in(self, batch_id: str) -> bool:
        """Return whether every item of a batch is done or failed (its counter: no item is read)."""
        batch = self.services.store.get(batch_id)
        return batch is not None and batch.status in UNFINISHED and batch.done >= batch.total


    def _fail_crashed(self, item_id: int) -> None:
        """Fail an item whose process died when it ran alone: named in the batch's errors, not retried again."""
        store = self.services.store
        item = store.item(item_id)
        token = claim_token()
        if item is None or store.claim_item(item_id, token, self.services.settings.BATCH_LEASE_SECONDS) is None:
            return
        log.error("batch %s: item %d (%s) failed: its process died when it ran alone", item.batch_id, item_id, item.kind)
        store.complete_item(item_id, token, [], [{"pointer": item.pointer, "detail": f"{item.who}：{CRASHED}",
                                                  "document": item.kind}], lambda session: None)

    def _report(self, batch_id: str, progress: Callable[[int, int], None] | None) -> None:
        if progress is not None and (batch := self.services.store.get(batch_id)) is not None:
            progress(batch.done, batch.total)


def main() -> int:
    """Run the embedded runner as its own process (started by `docgen serve`) until SIGTERM or its parent dies."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = config.settings()
    bootstrap(settings.FONTS_DIR)   # counts into the folder `docgen serve` shares, inherited from it
    services = Services.build(settings)
    runner = LocalRunner(services)
    parent = os.getppid()

    def stop(*_: object) -> None:
        runner.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_parent() -> None:   # gunicorn's master was killed: stop like on SIGTERM
        while not runner._stop.wait(1.0):
            runner.beat()          # also while one step takes long (a 2000-applicant batch's ZIP)
            if os.getppid() != parent:
                runner.request_stop()

    threading.Thread(target=watch_parent, daemon=True).start()
    runner.start_webhooks()
    runner.serve_forever()
    runner.stop()
    shutdown_pool()
    services.close()
    log.info("batch runner stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
