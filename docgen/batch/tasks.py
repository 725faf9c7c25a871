"""Batches on Celery + Redis (BROKER_URL set): one task per item, so items fan out across every worker
sharing the database and the artifact store; `docgen worker` runs them.

Tasks are acknowledged late and redelivered when a worker vanishes (Redis visibility timeout = the lease):
the claim in the database (docgen.batch.store) keeps each item done exactly once whatever is delivered twice.
"""
from __future__ import annotations

import os
import socket

from celery import Celery

from docgen.batch import work

QUEUE = "docgen-batches"
ITEM_TASK, FINISH_TASK = "docgen.batch.item", "docgen.batch.finish"
_contexts: dict[int, work.Context] = {}


def make_celery(settings: dict) -> Celery:
    """Return a Celery app on the configured broker (the API uses it to enqueue, `docgen worker` to run)."""
    lease = int(settings["BATCH_LEASE_SECONDS"])
    app = Celery("docgen", broker=settings["BROKER_URL"], set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE, task_acks_late=True, task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        task_ignore_result=True, worker_send_task_events=False,
        broker_transport_options={"visibility_timeout": lease, "unacked_restore_interval": min(10, lease),
                                  "unacked_restore_throttle": 1})
    return app


def register_tasks(app: Celery, settings: dict) -> None:
    """Define the item and finish tasks on a worker's app."""
    lease = int(settings["BATCH_LEASE_SECONDS"])

    def context() -> work.Context:   # one per process: pool processes are forked after start
        return _contexts.setdefault(os.getpid(), work.Context(settings))

    @app.task(name=ITEM_TASK, bind=True, max_retries=None)
    def item(self, item_id: int) -> str:
        ctx = context()
        status = work.run_item(ctx, item_id)
        if status == "busy":   # held by a worker that may have died: look again once its lease can run out
            raise self.retry(countdown=max(1, lease // 2))
        current = ctx.store.item(item_id)
        if current is not None and not ctx.store.open_items(current.batch_id):
            app.send_task(FINISH_TASK, args=[current.batch_id])
        return status

    @app.task(name=FINISH_TASK, bind=True, max_retries=None)
    def finish(self, batch_id: str) -> str:
        ctx = context()
        status = work.finish_batch(ctx, batch_id)
        if status == "busy":
            raise self.retry(countdown=max(1, lease // 2))
        work.expire(ctx)
        return status


def run_worker(settings: dict, concurrency: int) -> None:
    """Run a Celery worker for batches in this process (blocks until it is stopped; SIGTERM = warm shutdown:
    the items in hand finish, the rest stay queued)."""
    app = make_celery(settings)
    register_tasks(app, settings)
    app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork",
                     "-Q", QUEUE, "-n", f"docgen-{os.getpid()}@{socket.gethostname()}", "--without-gossip",
                     "--without-mingle", "--without-heartbeat"])
