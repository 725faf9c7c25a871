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
from docgen.batch.store import UNFINISHED
from docgen.bootstrap import bootstrap
from docgen.services import Services

log = logging.getLogger(__name__)
IDLE_SECONDS = 2.0        # how often an idle runner looks for batches submitted by other processes
WEBHOOK_SECONDS = 1.0     # how often the webhook thread looks for events and due deliveries
FINISH = -1               # what a batch's finish (ZIP, print file) is, among the items in hand
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


def _finish_batch(settings_json: str, batch_id: str) -> str:
    return work.finish_batch(_services(settings_json), batch_id)


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
    """Runs the items of unfinished batches in a process pool, units taking turns (store.next_items)."""

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
        """Run items in the pool, at most two a process in flight, each next one chosen by store.next_items
        (units in turn; only `batch_id`'s when given), until none is left or stopped (the items in hand finish);
        a batch is finished in the pool as its last item comes in (FINISH in hand: the runner goes on handing
        out other units' items meanwhile). Return whether another process held any."""
        size, lease = self.services.settings.batch_workers, self.services.settings.BATCH_LEASE_SECONDS
        in_hand: dict[Future[str], tuple[int, str]] = {}
        busy_seen = False
        while True:
            if not self._stop.is_set() and len(in_hand) < 2 * size:
                held = [item_id for item_id, _ in in_hand.values() if item_id != FINISH]
                for item in self.services.store.next_items(2 * size - len(in_hand), lease, held, batch_id):
                    in_hand[shared_pool(size).submit(_run_item, self._settings_json, item[0])] = item
            if not in_hand:
                return busy_seen
            finished, _ = wait(in_hand, return_when=FIRST_COMPLETED)
            for future in finished:
                item_id, of_batch = in_hand.pop(future)
                status = future.result()   # what went wrong in the pool is raised here, and logged by the loop
                if item_id == FINISH:
                    continue
                busy_seen |= status == "busy"
                if batch_id is None and self._all_in(of_batch):   # its last item: finish it now, not after others'
                    in_hand[shared_pool(size).submit(_finish_batch, self._settings_json, of_batch)] = (FINISH, of_batch)
            if batch_id is not None:
                self._report(batch_id, progress)

    def _all_in(self, batch_id: str) -> bool:
        """Return whether every item of a batch is done or failed (its counter: no item is read)."""
        batch = self.services.store.get(batch_id)
        return batch is not None and batch.status in UNFINISHED and batch.done >= batch.total

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
