"""Counting issued documents for Prometheus, in any process (web, CLI, batch runner, Celery worker): no Flask.

Under `docgen serve` several processes count (gunicorn workers, the batch runner's pool) and GET /metrics adds
up every process's files: prometheus_client's multiprocess mode, on when PROMETHEUS_MULTIPROC_DIR names a
folder. `share_between_processes()` (called by bootstrap for `docgen serve`) sets it before any process that
counts starts; every other process counts into a registry of its own.
"""
from __future__ import annotations

import functools
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:   # imported when first used: prometheus_client picks its mode when it is imported
    from prometheus_client import CollectorRegistry, Counter

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"   # prometheus_client reads this name


class DocumentCounter(Protocol):
    """What counts issued documents (a prometheus_client Counter with the labels kind and format)."""

    def labels(self, kind: str, fmt: str) -> DocumentCounter: ...

    def inc(self) -> None: ...


def shared_dir() -> Path | None:
    """Return the folder where this process's counts join every other process's, or None."""
    folder = os.environ.get(MULTIPROC_ENV)
    return Path(folder) if folder else None


def share_between_processes(folder: Path | None = None) -> Path:
    """Make this process and those it starts count into one folder (a fresh one unless given) that /metrics
    sums; return it. A folder already set (by a parent process) is kept."""
    current = shared_dir()
    if current is not None:
        return current
    if "prometheus_client" in sys.modules:   # it read the environment at import: too late to share
        raise RuntimeError("docgen.metrics.share_between_processes() must run before prometheus_client is imported")
    chosen = folder or Path(tempfile.mkdtemp(prefix="docgen-metrics-"))
    os.environ[MULTIPROC_ENV] = str(chosen)   # read by prometheus_client here and in every child process
    return chosen


def _new_registry() -> CollectorRegistry:
    from prometheus_client import CollectorRegistry

    return CollectorRegistry()


def _documents_counter(registry: CollectorRegistry | None) -> Counter:
    from prometheus_client import Counter

    return Counter("docgen_documents_issued", "Documents issued (API and batches)", ["kind", "format"],
                   registry=registry)


@functools.cache
def _shared_documents_counter() -> Counter:
    """Return the one counter of a process in multiprocess mode (two would overwrite each other's file)."""
    return _documents_counter(None)


@dataclass
class Metrics:
    """The collectors of one app or process: `registry` is None in multiprocess mode (values go to the shared
    files; a scrape builds a registry from them)."""

    registry: CollectorRegistry | None = field(default_factory=_new_registry)
    documents: DocumentCounter = field(init=False)

    def __post_init__(self) -> None:
        self.documents = _shared_documents_counter() if self.registry is None else _documents_counter(self.registry)

    @classmethod
    def for_process(cls) -> Metrics:
        """Return the metrics of this process: shared with every other process when share_between_processes()
        was called here or in a parent, else a registry of its own."""
        return cls(registry=None) if shared_dir() is not None else cls()

    def count(self, kind: str, fmt: str) -> None:
        """Count one issued document."""
        self.documents.labels(kind, fmt).inc()
