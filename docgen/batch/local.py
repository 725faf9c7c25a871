"""The embedded batch runner: items render in a process pool of their own (one process per core), so a
batch never holds up single-document requests beyond sharing the CPU.

It resumes every unfinished batch when it starts (items held by processes that died are put back) and, when
told to stop (SIGTERM), finishes the items in hand and starts no new one. `docgen serve` runs it in a
process beside gunicorn (python -m docgen.batch.local); create_app runs it on a thread when nothing else does.
Beside it a thread sends the webhooks that are due (docgen.batch.webhooks): a long batch holds up no call.
"""
from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from collections.abc import Callable

from docgen import config
from docgen.batch import webhooks, work
from docgen.bootstrap import bootstrap
from docgen.services import Services

log = logging.getLogger(__name__)
IDLE_SECONDS = 2.0        # how often an idle runner looks for batches submitted by other processes
WEBHOOK_SECONDS = 1.0     # how often the webhook thread looks for events and due deliveries
_pool: ProcessPoolExecutor | None = None      # one per process, shared by its runners (apps in tests)
_pool_lock = threading.Lock()


def _init_process() -> None:
    """Set up a pool process: it ignores SIGINT/SIGTERM (the runner decides when to stop) and ends when the
    runner is gone (killed with -9 it cannot tell its pool; an item cut short is redone on resume)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = os.getppid()

    def watch_parent() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch_parent, daemon=True).start()


@functools.lru_cache(maxsize=4)
def _services(settings_json: str) -> Services:
    """Start a pool process for these settings once: bootstrap, and its own services (its own engine)."""
    settings = config.Settings.model_validate_json(settings_json)
    bootstrap(settings.FONTS_DIR)
    return Services.build(settings, migrate=False)   # migrated by the runner that started the pool


def _run_item(settings_json: str, item_id: int) -> str:
    return work.run_item(_services(settings_json), item_id)


def shared_pool(size: int) -> ProcessPoolExecutor:
    """Return this process's pool of rendering processes (spawned: the parent has threads)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_process)
        return _pool


def shutdown_pool() -> None:
    """Let the pool's processes end once their items are done."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


class LocalRunner:
    """Runs the items of unfinished batches in a process pool, one batch at a time, oldest first."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._webhooks: threading.Thread | None = None
        self._settings_json = services.settings.model_dump_json()

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
            try:
                busy = self.run_pending()
                work.expire(self.services)
            except Exception:   # a database hiccup must not end the runner: log and look again
                log.exception("batch runner")
                busy = False
            if not busy:
                self._wake.wait(IDLE_SECONDS)
                self._wake.clear()

    def run_pending(self) -> bool:
        """Run every unfinished batch; return whether there was any."""
        batches = self.services.store.unfinished()
        for batch_id in batches:
            if self._stop.is_set():
                break
            self.run_batch(batch_id)
        return bool(batches)

    def run_batch(self, batch_id: str, progress: Callable[[int, int], None] | None = None) -> str:
        """Render a batch's open items in the pool, then finish it; return its status."""
        store = self.services.store
        store.release_dead_claims(batch_id)
        busy_seen = self._run_items(batch_id, store.open_items(batch_id), progress)
        if self._stop.is_set():
            return "stopped"
        status = work.finish_batch(self.services, batch_id)
        if busy_seen and status in ("open", "busy"):
            self._wake.wait(1.0)   # another process holds items of this batch: look again shortly
        return status

    def _run_items(self, batch_id: str, queue: list[int], progress: Callable[[int, int], None] | None) -> bool:
        """Run items in the pool, at most two a process in flight, until done or stopped (the items in hand
        finish); return whether another process held any."""
        size = self.services.settings.batch_workers
        pool = shared_pool(size) if queue else None
        pending: set[Future[str]] = set()
        busy_seen = False
        while (queue or pending) and not (self._stop.is_set() and not pending):
            while pool is not None and queue and len(pending) < 2 * size and not self._stop.is_set():
                pending.add(pool.submit(_run_item, self._settings_json, queue.pop(0)))
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            busy_seen |= any(future.result() == "busy" for future in finished)
            self._report(batch_id, progress)
        return busy_seen

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
