"""Every error as application/problem+json (RFC 9457), never an HTML page."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, make_response, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from docgen.api.openapi import Answer
from docgen.config import too_large
from docgen.errors import STATUS_TITLES, Problem, chinese_errors

log = logging.getLogger(__name__)

TITLES = STATUS_TITLES   # by status: the title of a problem with no type of its own


def response(problem: Problem) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Return the Flask response of a problem."""
    body = problem.body(instance=request.path)
    return body, problem.status, {"Content-Type": "application/problem+json", **problem.headers}


def validation_error(exc: ValidationError) -> Response:
    """Answer a query or path parameter that flask-openapi3 could not validate: 422, in Chinese."""
    errors = chinese_errors(exc, None)
    return make_response(response(Problem(422, "参数有误", "；".join(e["detail"] for e in errors),
                                          slug="invalid-parameters", errors=errors)))


def register(app: Flask) -> None:
    """Install the handlers that turn every exception into problem+json."""

    @app.errorhandler(Problem)
    def _problem(exc: Problem) -> Answer:
        return response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Answer:
        status = exc.code or 500
        title = TITLES.get(status, "请求无法处理")
        detail = {413: too_large(request.max_content_length or 0),
                  404: f"没有这个地址：{request.path}",
                  405: f"{request.path} 不接受 {request.method} 请求"}.get(status, title)
        headers = {"Retry-After": "30"} if status in (429, 503) else {}
        allowed = getattr(exc, "valid_methods", None)   # werkzeug's MethodNotAllowed
        if status == 405 and allowed:
            headers["Allow"] = ", ".join(allowed)
        return response(Problem(status, title, detail, headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Answer:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return response(Problem(500, "服务内部错误", "生成文书时发生内部错误，已记录，请联系管理员", slug="internal"))
