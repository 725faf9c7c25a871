"""Submitting a batch: stored with all its items first, then handed to whoever runs them — the embedded
runner (docgen.batch.local) by default, Celery workers (docgen.batch.tasks) when BROKER_URL is set."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import exc

from docgen.batch.request import BatchRequest
from docgen.batch.store import Batch, BatchStore, NewItem
from docgen.config import Settings
from docgen.errors import InvalidPayload, Problem

if TYPE_CHECKING:
    from celery import Celery


class Dispatch(Protocol):
    """Where a stored batch's items go to be rendered."""

    def __call__(self, batch_id: str, item_ids: list[int]) -> None: ...

    def close(self) -> None: ...


class Runner(Protocol):
    """An embedded runner (docgen.batch.local.LocalRunner)."""

    def wake(self) -> None: ...

    def stop(self) -> None: ...


class LocalDispatch:
    """Wake the embedded runner of this process, if it has one (`docgen serve` runs it beside gunicorn,
    which looks for new batches every few seconds)."""

    def __init__(self, runner: Runner | None = None) -> None:
        self.runner = runner

    def __call__(self, batch_id: str, item_ids: list[int]) -> None:
        if self.runner is not None:
            self.runner.wake()

    def close(self) -> None:
        """Stop the runner at an item boundary, if there is one."""
        if self.runner is not None:
            self.runner.stop()


class CeleryDispatch:
    """Enqueue one task per item: items fan out across every worker."""

    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    def __call__(self, batch_id: str, item_ids: list[int]) -> None:
        from docgen.batch.tasks import ITEM_TASK

        for item_id in item_ids:
            self.celery.send_task(ITEM_TASK, args=[item_id])

    def close(self) -> None:
        """Leave the queued tasks to the workers."""


def submit(store: BatchStore, dispatch: Dispatch, settings: Settings, request: BatchRequest, profile_id: str,
           items: list[NewItem], idempotency_key: str | None = None,
           attach: Callable[[str], None] | None = None, detach: Callable[[str], None] | None = None,
           webhook: tuple[str, str | None] | None = None, tenant: str | None = None) -> tuple[Batch, bool]:
    """Store a batch for `tenant` (the unit of the caller's API key; None without one) and dispatch its items;
    return it and whether it is new (an Idempotency-Key this tenant sent before returns the batch made then).
    `attach(batch_id)` stores what goes with a new batch (its scans) before the batch is; `detach(batch_id)`
    removes it when the batch is not made after all; `webhook` is the URL called when it ends and the API key
    whose secret signs (docgen.batch.webhooks.accept)."""
    if idempotency_key:
        known = store.by_idempotency_key(idempotency_key, tenant)
        if known is not None:
            return known, False
    limit = settings.MAX_BATCH_APPLICANTS
    if len(request.applicants) > limit:
        raise InvalidPayload([{"pointer": "/applicants",
                               "detail": f"每批最多{limit}名申报人，本批{len(request.applicants)}名，请分批提交"}])
    running = settings.MAX_RUNNING_BATCHES_PER_UNIT
    if store.running_for(tenant, request.unit.name) >= running:   # a key's unit, whatever its payload names
        raise Problem(429, "本单位进行中的批次过多", f"“{tenant or request.unit.name}”已有{running}个批次在排队或生成，"
                      "请待其完成后再提交", slug="too-many-batches", headers={"Retry-After": "30"})
    batch_id = uuid.uuid4().hex
    if attach is not None:   # in place before any process can see the batch
        attach(batch_id)
    try:
        batch = store.create(batch_id, request.unit.name, profile_id, list(dict.fromkeys(request.formats)), items,
                             idempotency_key=idempotency_key, webhook=webhook, tenant=tenant, marks=request.marks())
    except exc.IntegrityError:   # the same key, submitted twice at once: the other one won
        if detach is not None:
            detach(batch_id)
        again = store.by_idempotency_key(idempotency_key, tenant) if idempotency_key else None
        if again is None:
            raise
        return again, False
    dispatch(batch_id, store.open_items(batch_id))   # all of them, by id: no payload is read back
    return batch, True
