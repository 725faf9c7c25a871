"""Who calls: the API key of a unit (Authorization: Bearer …, or X-API-Key), required when configured."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, g, request

from docgen.access import Caller, Keys
from docgen.documents import Credentials
from docgen.api import services, services_of
from docgen.api.openapi import add_schemes, problems
from docgen.errors import Problem
from docgen.registry import IssuedDocument

NOBODY = Caller(unit=None)
# what makes or reads a unit's documents; type lists, schemas, samples, verification and health stay open
_GUARDED = (("POST", "/v1/documents/"), ("*", "/v1/batches"), ("*", "/v1/erasures"))
# the two headers _token() reads, as OpenAPI security schemes (components.securitySchemes)
SCHEMES = {
    "unitKey": {"type": "http", "scheme": "bearer", "bearerFormat": "dg_<密钥编号>_<密钥>",
                "description": "本单位的 API 密钥（docgen keys create 单位名称），Authorization: Bearer <密钥>"},
    "unitKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                      "description": "同一密钥，放在 X-API-Key 请求头中"},
}


def caller() -> Caller:
    """Return the caller of this request (NOBODY when access control is off and no key was given)."""
    return g.get("caller", NOBODY)


def keys() -> Keys:
    return services().keys


def may_revoke(issued: IssuedDocument) -> bool:
    """Whether the caller may revoke a document: anyone without a key (access control off), else the unit
    that issued it — with its key on the render, or with its key on the batch that made it."""
    unit = caller().unit
    return unit is None or keys().issuer(issued.id, issued.batch_id) == unit


def credentials() -> Credentials | None:
    """Return the calling unit's own seal and certificate (docgen units …), None to use the deployment's."""
    return services().credentials(caller().unit)


def _token() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None   # an empty key (a generated client's default) is no key
    return request.headers.get("X-API-Key") or None


def guarded(method: str, path: str) -> bool:
    """Whether a request (or an operation of /openapi.json, by its path template) needs a key when required."""
    if path.startswith("/v1/verify/") and path.endswith("/revocation"):
        return True
    return any(path.startswith(prefix) and allowed in ("*", method) for allowed, prefix in _GUARDED)


def describe(spec: dict, required: bool) -> None:
    """Declare in an OpenAPI document which operations take a unit's key: required, or optional (`{}`) when
    REQUIRE_API_KEY is off — a key given is checked all the same, so those operations may answer 401; the
    others are open (`security: []`)."""
    security: list[dict[str, list]] = [{name: []} for name in SCHEMES] + ([] if required else [{}])
    add_schemes(spec, SCHEMES)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if guarded(method.upper(), path):
                operation["security"] = security
                operation["responses"].setdefault("401", problems(401)["401"])
            else:
                operation["security"] = []   # open: a generated client calls it without a key


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _cross_site() -> bool:
    """Whether a browser sent this request for another site's page (Fetch Metadata, else the Origin header)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "cross-site"
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


def register(app: Flask) -> None:
    """Refuse what another site's page makes a browser send; check the key of every request that needs one."""
    @app.before_request
    def _same_site() -> None:
        if request.method not in SAFE_METHODS and _cross_site():   # a form on another site posting here (CSRF)
            raise Problem(403, "不接受其他网站发起的请求", "本服务不受理其他网站页面发起的提交；请在本服务的页面上操作，"
                          "或由服务器端调用接口", slug="cross-site")

    @app.before_request
    def _authenticate() -> None:
        if not guarded(request.method, request.path):       # open routes ignore keys (and /metrics has a token of its own)
            return
        token = _token()
        if token is None:
            if services_of(app).settings.REQUIRE_API_KEY:
                raise Problem(401, "需要 API 密钥", "请在请求头 Authorization: Bearer <密钥> 中提供本单位的 API 密钥",
                              slug="api-key-required", headers={"WWW-Authenticate": 'Bearer realm="docgen"'})
            return
        found = keys().check(token)
        if found is None:
            raise Problem(401, "API 密钥无效", "API 密钥不存在、格式不对或已吊销，请向管理员申请新密钥",
                          slug="api-key-invalid", headers={"WWW-Authenticate": 'Bearer realm="docgen", error="invalid_token"'})
        g.caller = found
