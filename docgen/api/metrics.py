"""Prometheus metrics: documents rendered, render time, and problems answered — summed over every worker.

Under `docgen serve` several gunicorn workers answer; each would count only its own requests. There
PROMETHEUS_MULTIPROC_DIR is set (docgen.serve) and GET /metrics adds up every worker's files
(prometheus_client multiprocess mode). With METRICS_TOKEN set, /metrics wants `Authorization: Bearer <token>`.
"""
from __future__ import annotations

import functools
import hmac
import os
import time

from flask import Flask, Response, g, request
from flask_openapi3 import Tag
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from docgen.api.openapi import add_schemes, problems
from docgen.errors import Problem


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def documents_counter(registry: CollectorRegistry | None) -> Counter:
    """Return the counter of issued documents: single documents count it in the web process (Renderer.issue),
    batch items where they complete (docgen.batch.work.run_item); multiprocess mode sums every process's."""
    return Counter("docgen_documents_issued", "Documents issued (API and batches)", ["kind", "format"],
                   registry=registry)


@functools.cache
def process_documents_counter() -> Counter | None:
    """Return this process's counter of issued documents when /metrics reads every process's counts
    (PROMETHEUS_MULTIPROC_DIR, set by docgen serve and inherited by its batch runner); else None, as no
    /metrics could read what this process counts. One per process: two would overwrite each other's file."""
    return documents_counter(None) if _multiprocess() else None


def describe(spec: dict, token: bool) -> None:
    """Declare in an OpenAPI document that GET /metrics wants METRICS_TOKEN as a bearer token, when one is set."""
    if not token:
        return
    add_schemes(spec, {"metricsToken": {"type": "http", "scheme": "bearer",
                                        "description": "DOCGEN_METRICS_TOKEN：Authorization: Bearer <令牌>"}})
    operation = spec["paths"]["/metrics"]["get"]
    operation["security"] = [{"metricsToken": []}]
    operation["responses"].setdefault("401", problems(401)["401"])


def register(app: Flask) -> None:
    """Count every request by endpoint and status, time it, and serve GET /metrics."""
    # multiprocess: values go to the shared files, and a registry is built per scrape from them
    registry = None if _multiprocess() else CollectorRegistry()
    requests = Counter("docgen_http_requests", "HTTP requests answered", ["endpoint", "status"], registry=registry)
    seconds = Histogram("docgen_http_request_seconds", "Time to answer, rendering included", ["endpoint"],
                        registry=registry, buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
    documents = process_documents_counter() or documents_counter(registry)
    app.extensions["metrics"] = {"documents": documents}
    app.extensions["docgen"].counter = documents   # Renderer.issue counts what it issues

    @app.before_request
    def _start():
        g.started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.endpoint or "unknown"
        requests.labels(endpoint, str(response.status_code)).inc()
        if "started" in g:
            seconds.labels(endpoint).observe(time.perf_counter() - g.started)
        return response

    @app.get("/metrics", tags=[Tag(name="operations")], summary="Prometheus 指标（文本格式）", responses={200: {
        "description": "Prometheus 文本格式", "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}})
    def metrics():
        token = app.config.get("METRICS_TOKEN")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token and not hmac.compare_digest(given.encode(), str(token).encode()):
            raise Problem(401, "需要指标令牌", "请在请求头 Authorization: Bearer <令牌> 中提供 METRICS_TOKEN",
                          slug="metrics-token-required", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        scrape = registry
        if scrape is None:
            scrape = CollectorRegistry()
            multiprocess.MultiProcessCollector(scrape)
        return Response(generate_latest(scrape), mimetype=CONTENT_TYPE_LATEST)
