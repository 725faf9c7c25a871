"""GET /metrics (Prometheus): documents issued (counted by docgen.metrics), requests answered and their time —
summed over every process of `docgen serve`. With METRICS_TOKEN set, it wants `Authorization: Bearer <token>`."""
from __future__ import annotations

import hmac
import time

from flask import Response, g, request
from flask_openapi3 import OpenAPI, Tag
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from docgen.api import services_of
from docgen.api.openapi import add_schemes, problems
from docgen.errors import Problem


def describe(spec: dict[str, dict], token: bool) -> None:
    """Declare in an OpenAPI document that GET /metrics wants METRICS_TOKEN as a bearer token, when one is set."""
    if not token:
        return
    add_schemes(spec, {"metricsToken": {"type": "http", "scheme": "bearer",
                                        "description": "DOCGEN_METRICS_TOKEN：Authorization: Bearer <令牌>"}})
    operation = spec["paths"]["/metrics"]["get"]
    operation["security"] = [{"metricsToken": []}]
    operation["responses"].setdefault("401", problems(401)["401"])


def register(app: OpenAPI) -> None:
    """Count every request by endpoint and status, time it, and serve GET /metrics."""
    here = services_of(app)
    registry = here.metrics.registry   # None in multiprocess mode: values go to the shared files
    requests = Counter("docgen_http_requests", "HTTP requests answered", ["endpoint", "status"], registry=registry)
    seconds = Histogram("docgen_http_request_seconds", "Time to answer, rendering included", ["endpoint"],
                        registry=registry, buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"
        requests.labels(endpoint, str(response.status_code)).inc()
        if "started" in g:
            seconds.labels(endpoint).observe(time.perf_counter() - g.started)
        return response

    @app.get("/metrics", tags=[Tag(name="operations")], summary="Prometheus 指标（文本格式）",
             description="请求数与耗时、各类文书的出具数与生成耗时、排队的批次等；设置 METRICS_TOKEN 时须带令牌。",
             responses={200: {
        "description": "Prometheus 文本格式", "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}})
    def metrics() -> Response:
        _check_token(here.settings.METRICS_TOKEN)
        return Response(generate_latest(registry or _shared_registry()), mimetype=CONTENT_TYPE_LATEST)


def _check_token(token: str | None) -> None:
    """Refuse a scrape without the bearer token, when one is set (401)."""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and not hmac.compare_digest(given.encode(), token.encode()):
        raise Problem(401, "需要指标令牌", "请在请求头 Authorization: Bearer <令牌> 中提供 METRICS_TOKEN",
                      slug="metrics-token-required", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


def _shared_registry() -> CollectorRegistry:
    """Return a registry that reads every process's counts from the shared folder (built per scrape)."""
    scrape = CollectorRegistry()
    multiprocess.MultiProcessCollector(scrape)
    return scrape
