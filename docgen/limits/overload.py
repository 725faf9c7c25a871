"""Bounded work per process: a few renders at a time, a short wait for a free slot, then 429; a render past
its time limit is stopped and answered 503.

A thread cannot be killed from outside, so a watchdog timer raises RenderTimeout inside the rendering
thread (PyThreadState_SetAsyncExc) at the next Python instruction: WeasyPrint's layout is Python, so a
runaway render stops within moments and its thread serves the next request.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
import ctypes
import threading

from docgen.errors import Problem


class RenderTimeout(BaseException):   # not swallowed by an `except Exception` inside a renderer
    """Raised inside a render that ran past its time limit."""


class Gate:
    """At most `slots` renders at once in this process; callers wait up to `wait` seconds for a slot."""

    def __init__(self, slots: int, wait: float, time_limit: float) -> None:
        self._slots = threading.BoundedSemaphore(max(1, slots))
        self.wait, self.time_limit = wait, time_limit

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Run the block in a render slot under the time limit; 429 when none frees in time, 503 past the limit."""
        if not self._slots.acquire(timeout=self.wait):
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

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            if state["fired"]:   # raised already, or still pending: never let it escape into other code
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
    if state["fired"]:   # delivered where it was swallowed (a gc callback, a broad except): over the limit all the same
        raise RenderTimeout
