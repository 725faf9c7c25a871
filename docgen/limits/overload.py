"""Bounded work per process: a few renders at a time, a short wait for a free slot (counted from when the request
was complete, its time queued for a thread included), then 429; a render past its time limit is stopped and
answered 503. Heavy work (by cost(): a long roster, several copies) has gates of its own.

A thread cannot be killed from outside, so a watchdog timer raises RenderTimeout inside the rendering
thread (PyThreadState_SetAsyncExc) at the next Python instruction: WeasyPrint's layout is Python, so a
runaway render stops within moments and its thread serves the next request.
"""
from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator

from docgen.errors import Problem


ROWS_PER_PAGE = 12        # a roster page holds about 12 rows (1000 rows: 87 pages)
HEAVY_COST = 3 * ROWS_PER_PAGE   # three pages' worth or more (a 24-row roster, the 评审表 ×3): heavy


def cost(payload: object, copies: int = 1) -> int:
    """Estimate a render's cost in table rows: a page's worth plus the payload's longest list (a roster's
    applicants, a 评审表's work history), times the copies."""
    return (ROWS_PER_PAGE + _longest_list(payload)) * max(1, copies)


def _longest_list(value: object) -> int:
    if isinstance(value, dict):
        return max((_longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    return 0


def follow_parent() -> None:
    """Set up a child process whose parent decides when it stops: SIGINT/SIGTERM ignored, and it ends when the
    parent is gone (a parent killed with -9 cannot tell its children: they would be left behind)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def limit_process(memory: int, niceness: int) -> None:
    """Set up a helper process for heavy work: an address-space limit, a lower CPU priority, its parent's
    (follow_parent). Its module imports little, so the priority is lowered before the helper imports the
    renderer."""
    follow_parent()
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.nice(niceness)


class RenderTimeout(BaseException):   # not swallowed by an `except Exception` inside a renderer
    """Raised inside a render that ran past its time limit."""


class Gate:
    """At most `slots` renders at once in this process; callers wait up to `wait` seconds for a slot."""

    def __init__(self, slots: int, wait: float, time_limit: float) -> None:
        self._slots = threading.BoundedSemaphore(max(1, slots))
        self.wait, self.time_limit = wait, time_limit

    @contextlib.contextmanager
    def slot(self, since: float | None = None) -> Iterator[None]:
        """Run the block in a render slot under the time limit; 429 when none frees in time (`wait` seconds from
        `since`, a time.monotonic() when the request was complete, else from now), 503 past the limit."""
        waited = 0.0 if since is None else max(0.0, time.monotonic() - since)
        if not self._slots.acquire(timeout=max(0.0, self.wait - waited)):
            raise Problem(429, "请求过多，请稍后再试", "正在生成的文书已达上限，请稍后重试", slug="overloaded",
                          headers={"Retry-After": str(max(1, round(self.time_limit / 4)))})
        try:
            with _deadline(self.time_limit):
                yield
        except RenderTimeout:
            raise Problem(503, "服务繁忙，请稍后再试", f"生成超过{self.time_limit:g}秒仍未完成，已停止；请稍后重试或减少内容",
                          slug="render-timeout", headers={"Retry-After": "30"}) from None
        finally:
            self._slots.release()


class _Watchdog:
    """One thread per process that raises RenderTimeout in the renders past their deadline. (A threading.Timer per
    render cost a thread's start, whose handshake waits for the GIL: 26 ms of a render slot beside two busy threads.)"""

    def __init__(self) -> None:
        self._due: dict[int, tuple[float, Callable[[], None]]] = {}   # by watch number: deadline, what fires
        self._changed = threading.Condition()
        self._numbers = itertools.count()
        self._pid = 0                  # the process whose thread watches (a forked child starts its own)

    def watch(self, seconds: float, fire: Callable[[], None]) -> int:
        """Call `fire` on the watchdog's thread `seconds` from now unless unwatched first."""
        with self._changed:
            if self._pid != os.getpid():
                self._pid, self._due = os.getpid(), {}
                threading.Thread(target=self._run, name="docgen-render-watchdog", daemon=True).start()
            number, deadline = next(self._numbers), time.monotonic() + seconds
            if all(deadline < due for due, _ in self._due.values()):   # else it wakes in time anyway
                self._changed.notify()
            self._due[number] = (deadline, fire)
        return number

    def unwatch(self, number: int) -> None:
        """Forget a watch (its render ended)."""
        with self._changed:
            self._due.pop(number, None)

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for number in [n for n, (deadline, _) in self._due.items() if deadline <= now]:
                    self._due.pop(number)[1]()
                soonest = min((deadline for deadline, _ in self._due.values()), default=None)
                self._changed.wait(None if soonest is None else soonest - now)


_WATCHDOG = _Watchdog()


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise RenderTimeout in this thread if the block runs longer than `seconds`."""
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(RenderTimeout))

    watch = _WATCHDOG.watch(seconds, fire)
    try:
        yield
    finally:
        _WATCHDOG.unwatch(watch)
        with lock:
            state["done"] = True
            if state["fired"]:   # raised already, or still pending: never let it escape into other code
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
    if state["fired"]:   # delivered where it was swallowed (a gc callback, a broad except): over the limit all the same
        raise RenderTimeout
