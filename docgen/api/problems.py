"""Every error as application/problem+json (RFC 9457), never an HTML page."""
from __future__ import annotations

import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from docgen.errors import Problem

log = logging.getLogger(__name__)

_TITLES = {
    400: "请求格式错误", 404: "找不到", 405: "不支持此请求方法", 406: "无法提供所要求的格式",
    413: "提交的内容太大", 415: "内容类型不对", 429: "请求过多，请稍后再试", 503: "服务繁忙，请稍后再试",
}


def response(problem: Problem):
    """Return the Flask response of a problem."""
    body = problem.body(instance=request.path)
    return body, problem.status, {"Content-Type": "application/problem+json", **problem.headers}


def register(app: Flask) -> None:
    """Install the handlers that turn every exception into problem+json."""

    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        detail = {413: f"请求体不能超过{app.config['MAX_BODY_BYTES'] // 1024} KB",
                  404: f"没有这个地址：{request.path}"}.get(exc.code, exc.description or "")
        headers = {"Retry-After": "30"} if exc.code in (429, 503) else {}
        return response(Problem(exc.code or 500, _TITLES.get(exc.code, exc.name), detail, headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return response(Problem(500, "服务内部错误", "生成文书时发生内部错误，已记录，请联系管理员", slug="internal"))
