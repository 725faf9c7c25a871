"""Structured JSON logs, one object a line, each with the request id; no personal data.

Bodies are never logged, only method, route, status and time: the route's template (`/v1/verify/<document_id>`),
not the path a caller typed (the page's 核验 box sends whatever is typed there, an ID number too). As a second
guard, anything shaped like an ID number (18 characters, GB 11643) is masked in every field, whatever logged it
(a library's error message quoting a value, say) — written with full-width digits or with spaces, dashes or dots
between its digits too.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

_SEP = r"[\s\-._/·]*"   # what people type between the digits of a number: spaces, dashes, dots
_ID_NUMBER = re.compile(rf"(?<![0-9])([1-9](?:{_SEP}[0-9]){{5}})(?:{_SEP}[0-9]){{8}}((?:{_SEP}[0-9]){{3}}{_SEP}[0-9Xx])"
                        r"(?![0-9A-Za-z])")
# full-width digits and X read as their ASCII selves (one character for one: positions stay)
_FOLD = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "Ｘ": "X", "ｘ": "x", "\u3000": " "})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("docgen.request")


def mask(text: str) -> str:
    """Mask the birth date of every ID number in `text` (652801********2315), however its digits are written."""
    return _ID_NUMBER.sub(lambda m: f"{_digits(m[1])}********{_digits(m[2])}", text.translate(_FOLD))


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text)


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
                value = getattr(record, key)
                out[key] = mask(value) if isinstance(value, str) else value
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
        extra = {"request_id": g.get("request_id"), "method": request.method, "path": _route(), "status": response.status_code,
                 "duration_ms": round((time.perf_counter() - g.get("log_started", time.perf_counter())) * 1000, 1)}
        if "X-Document-Id" in response.headers:
            extra["document_id"] = response.headers["X-Document-Id"]
        log.info("%s %s %s", request.method, extra["path"], response.status_code, extra=extra)
        return response


def _route() -> str:
    """Return the request's route template (/v1/verify/<document_id>), or its masked path when no route matched."""
    rule = request.url_rule
    return rule.rule if rule is not None else mask(request.path)
