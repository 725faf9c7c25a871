"""Where batches run: in this process (the default, one machine) — a Celery queue when BROKER_URL is set."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from docgen.batch import runner
from docgen.batch.request import BatchRequest
from docgen.batch.store import BatchStore
from docgen.documents import Renderer

log = logging.getLogger(__name__)


def batch_dir(data_dir: str | Path, batch_id: str) -> Path:
    """Return the folder of a batch's files under DATA_DIR."""
    return Path(data_dir) / "batches" / batch_id


def execute(batch_id: str, request: BatchRequest, data_dir: str | Path, renderer: Renderer, store: BatchStore) -> None:
    """Run one batch and keep its status current; a failure marks the batch failed, never half-written."""
    store.update(batch_id, status="running")
    try:
        outcome = runner.run(request, batch_dir(data_dir, batch_id), renderer,
                             progress=lambda done, total: store.update(batch_id, done=done, total=total))
    except Exception:
        log.exception("batch %s failed", batch_id)
        store.update(batch_id, status="failed", errors=[{"pointer": "", "detail": "生成时发生内部错误，已记录"}])
        return
    store.update(batch_id, status="done" if outcome.files else "failed", errors=outcome.errors)


class InProcessExecutor:
    """Runs batches one at a time on a background thread of this process."""

    def __init__(self, data_dir: str | Path, renderer: Renderer, store: BatchStore):
        self.data_dir, self.renderer, self.store = data_dir, renderer, store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docgen-batch")

    def submit(self, batch_id: str, request: BatchRequest):
        """Queue a batch; returns a future (tests wait on it)."""
        return self._pool.submit(execute, batch_id, request, self.data_dir, self.renderer, self.store)
