"""Heavy request work — a long render, an uploaded roster, a big batch's intake — in a helper process of its own.

A 2000-row roster holds WeasyPrint's lock of its process for seconds: in a request thread it stalled every
one-page render of that worker (p99 0.24 s → 21 s beside two such rosters), and a 2000-applicant intake ran
73 s in a request thread with no limit. Each gunicorn worker has one helper process here, started at first use,
at a lower CPU priority and with a limit on its address space; past the time limit it is killed and replaced,
so neither the memory nor the time that work takes outlives the request.
"""
from __future__ import annotations

import functools
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from docgen.batch import plan
from docgen.batch.request import BatchRequest
from docgen.batch.store import NewItem
from docgen.batch.xlsx import Cells, read_roster_cells
from docgen.bootstrap import bootstrap
from docgen.config import Settings
from docgen.documents import Marks, Rendered, Renderer
from docgen.errors import Problem
from docgen.kinds import KINDS
from docgen.limits import overload

MEMORY_LIMIT = 3 * 1024 ** 3    # bytes of address space; a 2000-row roster's PDF takes about 1 GB
TASKS_PER_PROCESS = 20          # then a fresh process: memory a big render took goes back to the system
NICENESS = 10                   # light renders in the request threads come first on a busy CPU
T = TypeVar("T")
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=overload.limit_process, initargs=(MEMORY_LIMIT, NICENESS),
                                        max_tasks_per_child=TASKS_PER_PROCESS)
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    """Kill the helper process (its work is over the limit or it died) and let the next call start another."""
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """End the helper process, if one was started (tests, and a worker that exits)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)


def run(settings: Settings, function: Callable[..., T], *args: Any) -> T:
    """Call function(settings_json, *args) in the helper process and return its result (a Problem it raises is
    raised here); 503 past the render time limit, or when the process dies, 413 when it runs out of memory."""
    pool = _shared_pool()
    future = pool.submit(function, settings.model_dump_json(), *args)
    try:
        return future.result(timeout=settings.RENDER_TIME_LIMIT)
    except FutureTimeout:
        _discard(pool)
        raise Problem(503, "服务繁忙，请稍后再试", f"处理超过{settings.RENDER_TIME_LIMIT:g}秒仍未完成，已停止；请稍后重试或减少内容",
                      slug="render-timeout", headers={"Retry-After": "30"}) from None
    except BrokenProcessPool:
        _discard(pool)
        raise Problem(503, "服务繁忙，请稍后再试", "处理此请求的进程意外退出，已停止；请稍后重试或减少内容",
                      slug="helper-died", headers={"Retry-After": "30"}) from None
    except MemoryError:
        raise Problem(413, "内容太多", "处理此请求所需的内存超过上限，请减少内容（如分批提交）",
                      slug="too-much-memory") from None
    except BaseException:   # the gate's own time limit (RenderTimeout) struck while waiting: stop the work too
        if not future.done():
            _discard(pool)
        raise


@functools.lru_cache(maxsize=2)
def _renderer(settings_json: str) -> Renderer:
    """Start the helper for these settings once: bootstrap, and its own renderer."""
    settings = Settings.model_validate_json(settings_json)
    bootstrap(settings.FONTS_DIR)
    return Renderer.from_settings(settings)


def _render(settings_json: str, slug: str, payload: object, fmt: str, profile_id: str | None,
            options: dict[str, Any]) -> dict[str, Any]:
    rendered = _renderer(settings_json).render(slug, payload, fmt, profile_id, **options)
    return {name: value for name, value in vars(rendered).items() if name != "kind"}


def render(settings: Settings, slug: str, payload: object, fmt: str, profile_id: str | None, *,
           copies: int | None, blind: bool, preview: bool, marks: Marks) -> Rendered:
    """Render as Renderer.render does, in the helper process (with the deployment's credentials: a render that
    seals or signs with a unit's own stays where they are)."""
    fields = run(settings, _render, slug, payload, fmt, profile_id,
                 {"copies": copies, "blind": blind, "preview": preview, "marks": marks})
    return Rendered(kind=KINDS[slug], **fields)


def _read_roster(settings_json: str, content: bytes) -> tuple[dict, Cells]:
    return read_roster_cells(content)


def read_roster(settings: Settings, content: bytes) -> tuple[dict, Cells]:
    """Read an uploaded XLSX roster (docgen.batch.xlsx) in the helper process: openpyxl's memory and time stay
    there."""
    return run(settings, _read_roster, content)


def _intake(settings_json: str, data: object, partial: bool, cells: Cells | None
            ) -> tuple[BatchRequest, list[NewItem], list[dict[str, str]]]:
    return plan.intake(data, _renderer(settings_json), partial=partial, cells=cells)


def intake(settings: Settings, data: object, partial: bool, cells: Cells | None
           ) -> tuple[BatchRequest, list[NewItem], list[dict[str, str]]]:
    """Check a batch as plan.intake does, in the helper process."""
    return run(settings, _intake, data, partial, cells)
