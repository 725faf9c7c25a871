"""Batches on Celery + Redis (BROKER_URL set): one task per item, so items fan out across every worker
sharing the database and the artifact store; `docgen worker` runs them.

A message stands for one item's worth of work: the worker runs the item whose turn it is (units take turns,
docgen.batch.store.next_items), which may be another batch's than the one it was sent for.
Tasks are acknowledged late and redelivered when a worker vanishes (Redis visibility timeout = the lease).
The database, not the broker, is the record of what remains: a worker killed between taking a message off
Redis and noting it as unacknowledged loses it for good, so every worker also sweeps once a lease and
re-sends what nobody is doing (sweep()). The claim in the database (docgen.batch.store) keeps each item done
exactly once whatever is delivered twice. Another thread sends the webhooks that are due, once a second
(docgen.batch.webhooks: their claims keep each attempt to one worker).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

from celery import Celery, Task, signals

from docgen.batch import webhooks, work
from docgen.batch.store import BatchStore
from docgen.bootstrap import bootstrap
from docgen.config import Settings
from docgen.registry import Registry
from docgen.services import Services

log = logging.getLogger(__name__)

QUEUE = "docgen-batches"
ITEM_TASK, FINISH_TASK = "docgen.batch.item", "docgen.batch.finish"
WEBHOOK_SECONDS = 1.0     # how often a worker looks for webhook events and due deliveries
_services: dict[int, Services] = {}


def make_celery(settings: Settings) -> Celery:
    """Return a Celery app on the configured broker (the API uses it to enqueue, `docgen worker` to run)."""
    lease = settings.BATCH_LEASE_SECONDS
    app = Celery("docgen", broker=settings.BROKER_URL, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE, task_acks_late=True, task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        task_ignore_result=True, worker_send_task_events=False,
        broker_transport_options={"visibility_timeout": lease, "unacked_restore_interval": min(10, lease),
                                  "unacked_restore_throttle": 1})
    return app


def register_tasks(app: Celery, settings: Settings) -> None:
    """Define the item and finish tasks on a worker's app."""
    lease = settings.BATCH_LEASE_SECONDS

    def services() -> Services:   # one per process: pool processes are forked after start (migrated before)
        pid = os.getpid()
        if pid not in _services:
            _services[pid] = Services.build(settings, migrate=False)
        return _services[pid]

    @app.task(name=ITEM_TASK, bind=True, max_retries=None)
    def item(self: Task, item_id: int) -> str:
        here = services()
        status, ran = work.run_next(here, item_id)   # units take turns: maybe another batch's item
        if status == "busy":   # held by a worker that may have died: look again once its lease can run out
            raise self.retry(countdown=max(1, lease // 2))
        current = here.store.item(ran)
        if current is not None and not here.store.open_items(current.batch_id):
            app.send_task(FINISH_TASK, args=[current.batch_id])
        return status

    @app.task(name=FINISH_TASK, bind=True, max_retries=None)
    def finish(self: Task, batch_id: str) -> str:
        here = services()
        status = work.finish_batch(here, batch_id)
        if status == "busy":
            raise self.retry(countdown=max(1, lease // 2))
        work.expire(here)
        return status


def queued(app: Celery) -> int:
    """Return how many messages wait in the batch queue (not those a worker holds)."""
    with app.connection_for_read() as connection:
        try:
            return connection.default_channel.queue_declare(QUEUE, passive=True).message_count
        except connection.channel_errors:   # no such queue: Redis drops the key of an empty list
            return 0


def sweep(app: Celery, store: BatchStore, lease: int) -> int:
    """Re-send the items and finishes of unfinished batches that nobody is doing; return how many messages.

    Items whose claimant died or fell silent for a lease are re-sent at once; pending items and an unclaimed
    finish only when the queue is empty and the batch has not moved for a lease (their messages were lost,
    not waiting their turn). A message sent twice costs one look at the database: claims decide who works.
    """
    empty = queued(app) == 0
    sent = 0
    for batch_id in store.unfinished():
        items, finish = store.stalled(batch_id, lease, pending_too=empty)
        for item_id in items:
            app.send_task(ITEM_TASK, args=[item_id])
        if finish:
            app.send_task(FINISH_TASK, args=[batch_id])
        if items or finish:
            log.warning("batch %s: re-sent %d items%s nobody was doing", batch_id, len(items),
                        " and its finish" if finish else "")
        sent += len(items) + finish
    return sent


Job = Callable[[Registry], object]


def _every(seconds: float, stop: threading.Event, what: str, settings: Settings, job: Job) -> None:
    """Run a job every `seconds` until stopped (a thread of the worker's main process), each time on a fresh
    registry, so that nothing of it is inherited by the pool processes forked meanwhile; log what fails (a
    database or broker hiccup: next time)."""
    while not stop.wait(seconds):
        registry = None
        try:
            registry = Registry(settings.DATABASE_URL)
            job(registry)
        except Exception:
            log.exception(what)
        finally:
            if registry is not None:
                registry.engine.dispose()


def run_worker(settings: Settings, concurrency: int) -> None:
    """Run a Celery worker for batches in this process (blocks until it is stopped; SIGTERM = warm shutdown:
    the items in hand finish, the rest stay queued): bootstrapped, and the schema migrated, before the pool
    processes fork."""
    bootstrap(settings.FONTS_DIR)
    Services.build(settings).close()
    app = make_celery(settings)
    register_tasks(app, settings)
    stop = threading.Event()

    lease = settings.BATCH_LEASE_SECONDS
    sweeps: dict[str, tuple[float, Job]] = {"batch sweep": (lease, lambda r: sweep(app, BatchStore(r), lease))}
    if settings.webhook_hosts:   # a thread of its own: receivers that time out hold up no batch sweep
        sweeps["webhooks"] = (WEBHOOK_SECONDS, lambda r: webhooks.sweep(r.engine, settings))

    def start_sweeping(**_: object) -> None:   # once the pool processes are forked
        for what, (seconds, job) in sweeps.items():
            threading.Thread(target=_every, args=(seconds, stop, what, settings, job), name=f"docgen-{what}",
                             daemon=True).start()

    signals.worker_ready.connect(start_sweeping, weak=False)
    try:
        app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork",
                         "-Q", QUEUE, "-n", f"docgen-{os.getpid()}@{socket.gethostname()}", "--without-gossip",
                         "--without-mingle", "--without-heartbeat"])
    finally:
        stop.set()
