"""Prometheus metrics: documents rendered, render time, and problems answered, per process."""
from __future__ import annotations

import time

from flask import Flask, Response, g, request
from flask_openapi3 import Tag
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest


def register(app: Flask) -> None:
    """Count every request by endpoint and status, time it, and serve GET /metrics."""
    registry = CollectorRegistry()
    requests = Counter("docgen_http_requests", "HTTP requests answered", ["endpoint", "status"], registry=registry)
    seconds = Histogram("docgen_http_request_seconds", "Time to answer, rendering included", ["endpoint"],
                        registry=registry, buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
    documents = Counter("docgen_documents_issued", "Documents issued (API and batches)", ["kind", "format"],
                        registry=registry)
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
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
