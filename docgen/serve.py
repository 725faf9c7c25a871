"""`docgen serve`: gunicorn with a front that reads every request whole before a thread sees it.

gunicorn's threads read request bodies themselves, so two clients that sent half a body and stopped held
both workers and /healthz went unanswered for two minutes. Here each worker's event loop (gunicorn's
gthread loop) buffers a connection's request — headers, then the body by Content-Length or chunk by chunk —
with a deadline for the whole request and the body limit; only a complete request is handed to a thread.
A slow client costs a buffer, never a thread; an over-limit body (chunked too) gets 413, a stalled one 408,
an overfull queue 429, and gunicorn's own refusals (414, 431, 400) come back as problem+json too.
"""
from __future__ import annotations

import errno
import json
import logging
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from typing import Any

from gunicorn import glogging, http
from gunicorn.app.base import BaseApplication
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import TConn, ThreadWorker

from docgen import logs
from docgen.api.problems import TITLES
from docgen.config import Settings, body_limit, too_large
from docgen.errors import Problem

MAX_HEAD_BYTES = 64 * 1024
LINGER_SECONDS, LINGER_MAX_BYTES = 2.0, 32 * 1024 * 1024   # after a refusal, what is read and dropped at most
_MORE, _COMPLETE, _TOO_LARGE = "more", "complete", "too-large"
_PROBES = (b"GET /healthz ", b"GET /readyz ", b"GET /metrics ")
COMPLETE_AT = b"X-Docgen-Complete-At"   # set by the front on every request it hands over, never by a client
RESTART_DELAY_MAX = 30.0   # seconds between restarts of a runner that keeps dying at once
log = logging.getLogger(__name__)


def problem_bytes(problem: Problem) -> bytes:
    """Return a whole HTTP/1.1 response carrying a problem, closing the connection."""
    body = json.dumps(problem.body(), ensure_ascii=False).encode("utf-8")
    head = [f"HTTP/1.1 {problem.status} {HTTPStatus(problem.status).phrase}", "Connection: close",
            "Content-Type: application/problem+json", f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in problem.headers.items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class RequestBuffer:
    """One request's bytes as they arrive, and whether they make a whole request yet."""

    def __init__(self, limit: Callable[[str], int]):
        self.data = bytearray()
        self.limit = limit             # the most body bytes for a request of a content type
        self.max_body = limit("")
        self.head_end: int | None = None
        self.need = 0                  # total bytes of a Content-Length request
        self.chunked = False
        self.chunk_at = 0              # where the next chunk-size line starts
        self.body = 0
        self.expects_continue = False

    def feed(self, data: bytes) -> str:
        """Add bytes; return "more", "complete" (hand it over) or "too-large"."""
        self.data += data
        if self.head_end is None:
            end = self.data.find(b"\r\n\r\n")
            if end < 0:
                return _COMPLETE if len(self.data) > MAX_HEAD_BYTES else _MORE   # gunicorn answers 431/414
            state = self._head(end + 4)
            if state != _MORE:
                return state
        if self.chunked:
            return self._chunks()
        return _COMPLETE if len(self.data) >= self.need else _MORE

    def _head(self, head_end: int) -> str:
        self.head_end = head_end
        headers = {}
        for line in bytes(self.data[:head_end]).split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        self.expects_continue = headers.get(b"expect") == b"100-continue"
        self.max_body = self.limit(headers.get(b"content-type", b"").decode("latin-1"))
        if b"chunked" in headers.get(b"transfer-encoding", b""):
            self.chunked, self.chunk_at = True, head_end
            return _MORE
        length = headers.get(b"content-length", b"0")
        if not length.isdigit():
            return _COMPLETE                    # malformed: gunicorn's parser refuses it
        if int(length) > self.max_body:
            return _TOO_LARGE
        self.need = head_end + int(length)
        return _MORE

    def _chunks(self) -> str:
        while True:
            line_end = self.data.find(b"\r\n", self.chunk_at)
            if line_end < 0:
                return _COMPLETE if len(self.data) - self.chunk_at > 4096 else _MORE
            try:
                size = int(bytes(self.data[self.chunk_at:line_end]).split(b";")[0].strip(), 16)
            except ValueError:
                return _COMPLETE                # malformed: gunicorn's parser refuses it
            if size == 0:                       # last chunk; then trailers up to an empty line
                if self.data[line_end + 2:line_end + 4] == b"\r\n" or self.data.find(b"\r\n\r\n", line_end) >= 0:
                    return _COMPLETE
                return _MORE
            self.body += size
            if self.body > self.max_body:
                return _TOO_LARGE
            if len(self.data) < line_end + 2 + size + 2:
                return _MORE
            self.chunk_at = line_end + 2 + size + 2

    def request(self) -> bytes:
        """Return the buffered request, without an Expect header already answered, saying when it was complete
        (COMPLETE_AT, time.monotonic(): the render gate counts the time it then waits for a thread)."""
        data = bytes(self.data)
        if self.head_end is None:
            return data   # no whole head: gunicorn's parser refuses it
        head, body = data[:self.head_end], data[self.head_end:]
        dropped = (b"expect:", COMPLETE_AT.lower() + b":") if self.expects_continue else (COMPLETE_AT.lower() + b":",)
        lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(dropped)]
        stamp = COMPLETE_AT + b": " + f"{time.monotonic():.3f}".encode()
        return b"\r\n".join([*lines[:-2], stamp, b"", b""]) + body


class BufferingWorker(ThreadWorker):
    """gthread, but connections are read whole by the event loop (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffering: dict[TConn, tuple[RequestBuffer, float]] = {}
        self.lingering: dict[TConn, tuple[float, list[int]]] = {}

    def _settings(self) -> Settings:
        settings: Settings = self.app.settings
        return settings

    def accept(self, listener: socket.socket) -> None:
        try:
            sock, addr = listener.accept()
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        self.nr_conns += 1
        conn = TConn(self.cfg, sock, addr, listener.getsockname())   # non-blocking
        settings = self._settings()
        limit = partial(body_limit, settings)
        self.buffering[conn] = (RequestBuffer(limit), time.monotonic() + settings.READ_TIMEOUT)
        self.poller.register(sock, selectors.EVENT_READ, partial(self._readable, conn))

    def _drop(self, conn: TConn, answer: Problem | None = None) -> None:
        """Stop buffering a connection; with an answer, send it and linger to read what the client still sends
        (closing with unread data would reset the connection and lose the answer, RFC 9112 §9.6)."""
        self.buffering.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        if answer is not None:
            try:
                conn.sock.send(problem_bytes(answer))   # small: fits the socket buffer of a fresh connection
                conn.sock.shutdown(socket.SHUT_WR)
                self.lingering[conn] = (time.monotonic() + LINGER_SECONDS, [0])
                self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._drain, conn))
                return
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()

    @staticmethod
    def _recv(conn: TConn) -> bytes | None:
        """Return what the socket has (b"" when the peer is gone), or None when nothing is ready yet."""
        try:
            return conn.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            return b""

    def _drain(self, conn: TConn, _sock: object) -> None:
        _, drained = self.lingering[conn]
        if (data := self._recv(conn)) is None:
            return
        drained[0] += len(data)
        if not data or drained[0] > LINGER_MAX_BYTES:
            self._close_lingering(conn)

    def _close_lingering(self, conn: TConn) -> None:
        self.lingering.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.nr_conns -= 1
        conn.close()

    def _readable(self, conn: TConn, _sock: object) -> None:
        buffer, _ = self.buffering[conn]
        if (data := self._recv(conn)) is None:
            return
        if not data:
            self._drop(conn)
            return
        had_head = buffer.head_end is not None
        state = buffer.feed(data)
        if state == _TOO_LARGE:
            self._drop(conn, Problem(413, TITLES[413], too_large(buffer.max_body), slug="payload-too-large"))
        elif state == _COMPLETE:
            self._hand_over(conn, buffer)
        elif not had_head and buffer.head_end is not None and buffer.expects_continue:
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass

    def _hand_over(self, conn: TConn, buffer: RequestBuffer) -> None:
        self.buffering.pop(conn, None)
        self.poller.unregister(conn.sock)
        queued = self.tpool._work_queue.qsize()
        probe = buffer.data.startswith(_PROBES)     # cheap, and an orchestrator must not see them refused
        if queued >= self._settings().QUEUE_LIMIT and not probe:
            self._drop(conn, Problem(429, TITLES[429], "服务正忙，排队的请求已满，请稍后重试", slug="overloaded",
                                     headers={"Retry-After": "5"}))
            return
        conn.parser = http.get_parser(self.cfg, iter([buffer.request()]), conn.client)
        conn.initialized = conn.data_ready = True
        self.enqueue_req(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, (deadline, _) in list(self.lingering.items()):
            if deadline <= now:
                self._close_lingering(conn)
        for conn, (_, deadline) in list(self.buffering.items()):
            if deadline <= now:
                self._drop(conn, Problem(408, TITLES[408], "请求未能在限定时间内传完，连接已关闭", slug="request-timeout"))

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        """Answer what gunicorn's parser refuses as problem+json, in Chinese."""
        status = {http_errors.LimitRequestLine: 414, http_errors.LimitRequestHeaders: 431,
                  http_errors.UnsupportedTransferCoding: 501, http_errors.ExpectationFailed: 417}.get(type(exc))
        if status is None:
            status = 400 if isinstance(exc, http_errors.ParseException) else 500
        if status == 500:
            self.log.exception("Error handling request")
        else:
            self.log.warning("invalid request from %s: %s", (addr or ("",))[0], type(exc).__name__)
        detail = {414: "网址太长", 431: "请求头太大", 400: "HTTP 请求格式不正确", 501: "不支持此传输编码",
                  417: "无法满足 Expect 要求", 500: "服务内部错误，已记录"}[status]
        try:
            client.sendall(problem_bytes(Problem(status, TITLES.get(status, detail), detail)))
        except OSError:
            pass


class RunnerProcess:
    """The batch runner beside gunicorn (python -m docgen.batch.local), started again whenever it dies.

    A runner killed (OOM, kill -9) would leave every batch waiting for good; a watcher thread sees it gone within
    a second and starts another, which resumes the batches (items the dead one held are put back). One that
    dies right after starting is restarted after a growing pause (1, 2, 4 … 30 s), so a broken setup does not spin.
    """

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "docgen.batch.local"]
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.process = subprocess.Popen(self.command)
        threading.Thread(target=self._watch, name="docgen-runner-watch", daemon=True).start()

    def _watch(self) -> None:
        pause, started = 0.5, time.monotonic()
        while not self._stopping.wait(1.0):
            with self._lock:
                if self._stopping.is_set() or (code := self.process.poll()) is None:
                    continue
            ran = time.monotonic() - started
            pause = 1.0 if ran > 2 * RESTART_DELAY_MAX else min(pause * 2, RESTART_DELAY_MAX)
            log.error("batch runner (pid %d) exited with %s after %.0f s; starting another in %.0f s",
                      self.process.pid, code, ran, pause)
            if self._stopping.wait(pause):
                return
            with self._lock:
                if not self._stopping.is_set():
                    self.process, started = subprocess.Popen(self.command), time.monotonic()
                    self.restarts += 1

    def stop(self, _server: object = None) -> None:
        """Stop the runner (it finishes the items in hand) and start no other."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process.poll() is None:
            process.terminate()
            process.wait()


class JsonLogger(glogging.Logger):
    """gunicorn's own messages (start, workers, refusals) as JSON lines too."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers + self.access_log.handlers:
            handler.setFormatter(logs.JsonFormatter())


def _worker_exited(_server: object, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class Server(BaseApplication):
    """gunicorn configured from docgen's settings, running create_app() in BufferingWorker workers.

    Its workers count into the folder docgen.bootstrap(share_metrics=True) made, and /metrics sums them:
    `docgen serve` bootstraps so before it starts this server and the batch runner."""

    def __init__(self, settings: Settings, *, app_config: dict[str, Any] | None = None,
                 on_exit: Callable[..., None] | None = None) -> None:
        self.settings, self.app_config, self.on_exit = settings, app_config or {}, on_exit
        super().__init__()

    def load_config(self) -> None:
        """Set gunicorn's configuration from the settings."""
        settings = self.settings
        self.cfg.set("bind", f"{settings.HOST}:{settings.PORT}")
        self.cfg.set("workers", settings.WORKERS)
        self.cfg.set("worker_class", "docgen.serve.BufferingWorker")
        self.cfg.set("threads", settings.THREADS)
        self.cfg.set("worker_connections", settings.MAX_CONNECTIONS)
        self.cfg.set("limit_request_line", 4094)   # longer: 414 problem+json (handle_error)
        self.cfg.set("keepalive", 0)      # one request per connection: each is read whole by the front
        self.cfg.set("timeout", 120)
        self.cfg.set("max_requests", 2000)          # then a fresh worker: memory a burst of big work took goes back
        self.cfg.set("max_requests_jitter", 200)
        self.cfg.set("graceful_timeout", 30)
        self.cfg.set("child_exit", _worker_exited)
        if self.on_exit is not None:
            self.cfg.set("on_exit", self.on_exit)
        self.cfg.set("accesslog", None)     # docgen.logs writes one JSON line per request instead
        self.cfg.set("logger_class", "docgen.serve.JsonLogger")

    def load(self) -> Any:
        """Return the app a worker serves."""
        from docgen.app import create_app
        return create_app(self.app_config)

    def run(self) -> None:
        """Serve until stopped, logging JSON lines."""
        logs.configure()
        super().run()
