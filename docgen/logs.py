"""Structured JSON logs, one object a line, each with the request id; no personal data.

Bodies are never logged, only method, path, status and time. As a second guard, anything shaped like an
ID number (18 characters, GB 11643) is masked in every message, whatever logged it (a library's error
message quoting a value, say).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

_ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("docgen.request")


def mask(text: str) -> str:
    """Mask the birth date of every ID number in `text` (652801********2315)."""
    return _ID_NUMBER.sub(lambda m: f"{m[1]}********{m[2]}", text)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, request_id and the record's extras."""

    _EXTRAS = ("method", "path", "status", "duration_ms", "document_id", "batch_id")

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": mask(record.getMessage())}
        request_id = getattr(record, "request_id", None) or (g.get("request_id") if has_request_context() else None)
        if request_id:
            out["request_id"] = request_id
        for key in self._EXTRAS:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """Send every log record (docgen's, gunicorn's, libraries') to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def register(app: Flask) -> None:
    """Give every request an id (X-Request-Id, taken from the caller when well-formed) and log it once."""

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.log_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        extra = {"request_id": g.get("request_id"), "method": request.method, "path": request.path, "status": response.status_code,
                 "duration_ms": round((time.perf_counter() - g.get("log_started", time.perf_counter())) * 1000, 1)}
        if "X-Document-Id" in response.headers:
            extra["document_id"] = response.headers["X-Document-Id"]
        log.info("%s %s %s", request.method, request.path, response.status_code, extra=extra)
        return response
