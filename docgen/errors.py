"""Problems (RFC 9457) and the translation of validation errors into Chinese messages for staff."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

# a problem's `type`: relative (RFC 9457 §3.1.1), so that it resolves to this service, which serves each type
PROBLEM_TYPE = "/problems/"

# the title of a problem that has no type of its own (its type is PROBLEM_TYPE + the status code)
STATUS_TITLES = {
    400: "请求格式错误", 401: "需要 API 密钥", 403: "无权访问", 404: "找不到", 405: "不支持此请求方法",
    406: "无法提供所要求的格式", 408: "请求超时", 409: "状态冲突", 410: "已不存在", 411: "缺少请求体长度",
    413: "提交的内容太大", 414: "网址太长", 415: "内容类型不对", 416: "请求的范围无效",
    417: "无法满足 Expect 要求", 422: "提交的内容有误", 428: "缺少前提条件", 429: "请求过多，请稍后再试",
    431: "请求头太大", 500: "服务内部错误", 501: "不支持此功能", 503: "服务繁忙，请稍后再试",
}

# every problem type a client may branch on: slug (the type is PROBLEM_TYPE + slug) → status and Chinese title
TYPES: dict[str, tuple[int, str]] = {
    "malformed-json": (400, "请求格式错误：JSON 无法解析或不是 UTF-8"),
    "bad-format": (400, "格式参数不对"),
    "bad-copies": (400, "份数参数不对"),
    "bad-blind": (400, "盲评参数不对"),
    "bad-preview": (400, "预览参数不对"),
    "bad-seal": (400, "盖章参数不对"),
    "bad-sign": (400, "签名参数不对"),
    "bad-pdfa": (400, "PDF/A 参数不对"),
    "bad-qr": (400, "二维码参数不对"),
    "bad-partial": (400, "partial 参数不对"),
    "bad-idempotency-key": (400, "Idempotency-Key 不合格式"),
    "no-seal": (400, "本单位未登记印章"),
    "no-signer": (400, "不能加数字签名"),
    "bad-xlsx": (400, "无法读取花名册"),
    "file-required": (400, "没有提交文件"),
    "api-key-required": (401, "需要 API 密钥"),
    "api-key-invalid": (401, "API 密钥无效"),
    "metrics-token-required": (401, "需要指标令牌"),
    "cross-site": (403, "不接受其他网站发起的请求"),
    "unknown-type": (404, "没有这种文书"),
    "unknown-profile": (404, "没有这个地区配置"),
    "unknown-batch": (404, "没有这个批次"),
    "unknown-document": (404, "查无此文书"),
    "batch-file-missing": (404, "文件不存在"),
    "unsupported-format": (406, "不支持的格式"),
    "request-timeout": (408, "请求超时：请求未能在限定时间内传完"),
    "batch-not-done": (409, "批次尚未完成"),
    "batch-finished": (409, "批次已完成"),
    "batch-files-deleted": (410, "批次文件已不存在"),
    "batch-cancelled": (410, "批次已取消"),
    "payload-too-large": (413, "提交的内容太大"),
    "xlsx-too-large": (413, "上传的花名册太大"),
    "too-much-memory": (413, "内容太多"),
    "unsupported-media-type": (415, "内容类型不对"),
    "invalid-payload": (422, "提交的内容有误，请按提示修改"),
    "invalid-parameters": (422, "参数有误"),
    "xlsx-formula": (422, "花名册含有公式"),
    "idempotency-key-reused": (422, "Idempotency-Key 已用于另一批次"),
    "overloaded": (429, "请求过多，请稍后再试"),
    "too-many-batches": (429, "本单位进行中的批次过多"),
    "internal": (500, "服务内部错误"),
    "render-timeout": (503, "生成超时，请稍后再试"),
    "not-ready": (503, "服务未就绪"),
    "helper-died": (503, "服务繁忙，请稍后再试"),
    "storage-unavailable": (503, "服务暂不可用"),
    **{str(status): (status, title) for status, title in STATUS_TITLES.items()},
}


class Problem(Exception):
    """An error answered as application/problem+json."""

    def __init__(self, status: int, title: str, detail: str = "", *, slug: str | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.slug = slug or str(status)
        self.errors = errors
        self.headers = headers or {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle a problem whole (a helper process sends it back to the request that asked)."""
        return Exception.__new__, (type(self), *self.args), self.__dict__

    def body(self, instance: str | None = None) -> dict:
        """Return the JSON body of this problem."""
        out: dict[str, Any] = {"type": PROBLEM_TYPE + self.slug, "title": self.title,
                               "status": self.status, "detail": self.detail}
        if instance:
            out["instance"] = instance
        if self.errors is not None:
            out["errors"] = self.errors
        return out


class InvalidPayload(Problem):
    """422: the payload names fields that are missing or wrong."""

    def __init__(self, errors: list[dict]):
        detail = "；".join(e["detail"] for e in errors[:3]) + ("等" if len(errors) > 3 else "")
        super().__init__(422, "提交的内容有误，请按提示修改", f"共{len(errors)}处错误：{detail}",
                         slug="invalid-payload", errors=errors)


def pointer(loc: tuple) -> str:
    """Return the RFC 6901 JSON Pointer of a pydantic error location."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    return "/" + "/".join(parts) if parts else ""


def unprintable(model: type[BaseModel] | None, found: list[tuple[tuple, str]]) -> InvalidPayload:
    """Return the 422 for strings text hygiene refused (docgen.rules.hygiene.clean), each at its field."""
    return InvalidPayload([{"pointer": pointer(loc), "detail": f"{_title(model, loc)}{reason}"} for loc, reason in found])


def _title(model: type[BaseModel] | None, loc: tuple) -> str:
    """Find the Chinese title of the field at `loc`, walking nested models; fall back to the key."""
    current: Any = model
    title = str(loc[-1]) if loc else "内容"
    for part in loc:
        if isinstance(part, int):
            title = f"第{part + 1}项"
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return str(part)
        info = fields[part]
        title = info.title or str(part)
        current = _inner_model(info.annotation)
    return title


def _inner_model(annotation: Any) -> Any:
    """Return the pydantic model inside Optional[...] / list[...] annotations, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


# pydantic error type → message; also the web page's checks while typing (docgen/api/web.py), one wording
MESSAGES = {
    "missing": "{title}为必填项，请填写",
    "string_too_short": "{title}不能为空",
    "string_too_long": "{title}过长，最多{max_length}个字（版面所容），现有{length}个字",
    "string_type": "{title}应为文字",
    "string_unicode": "{title}含有无效的字符编码（如孤立的代理码元 \\ud800），请重新输入",
    "string_pattern_mismatch": "{title}格式不正确",
    "date_from_datetime_parsing": "{title}不是有效日期，请按 YYYY-MM-DD 填写，如 2024-08-28",
    "date_from_datetime_inexact": "{title}应只含日期，请按 YYYY-MM-DD 填写",
    "date_parsing": "{title}不是有效日期，请按 YYYY-MM-DD 填写，如 2024-08-28",
    "date_type": "{title}不是有效日期，请按 YYYY-MM-DD 填写，如 2024-08-28",
    "int_parsing": "{title}应为整数",
    "int_type": "{title}应为整数",
    "int_from_float": "{title}应为整数",
    "float_parsing": "{title}应为数字",
    "float_type": "{title}应为数字",
    "bool_parsing": "{title}应为 true 或 false",
    "bool_type": "{title}应为 true 或 false",
    "literal_error": "{title}只能是：{expected}",
    "enum": "{title}只能是：{expected}",
    "extra_forbidden": "不认识的字段“{key}”，请检查拼写或删除",
    "model_type": "{title}应为对象（{{…}}）",
    "model_attributes_type": "{title}应为对象（{{…}}）",
    "dict_type": "{title}应为对象（{{…}}）",
    "list_type": "{title}应为列表（[…]）",
    "too_short": "{title}至少要有{min_length}项",
    "too_long": "{title}最多{max_length}项",
    "greater_than_equal": "{title}不能小于{ge}",
    "less_than_equal": "{title}不能大于{le}",
    "greater_than": "{title}应大于{gt}",
    "less_than": "{title}应小于{lt}",
    "photo_too_large": "{title}不能超过{max_mb}MB（收到{size}KB），请压缩后再提交",
    "photo_format": "{title}无法识别：只接受 JPEG 或 PNG 图片",
}


def chinese_errors(exc: ValidationError, model: type[BaseModel] | None) -> list[dict]:
    """Turn a pydantic ValidationError into [{pointer, detail}] with Chinese messages naming each field."""
    out = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        ctx = dict(err.get("ctx") or {})
        # a cross-field check of a whole object names the field it blames (ctx "field")
        loc = tuple(err["loc"]) + ((ctx["field"],) if "field" in ctx else ())
        title = _title(model, loc)
        if kind in MESSAGES:
            expected = ctx.get("expected", "")
            values = {**ctx, "title": title, "key": loc[-1] if loc else "",
                      "length": len(err["input"]) if isinstance(err.get("input"), str) else "",
                      "expected": str(expected).replace("'", "").replace(" or ", "、").replace(", ", "、")}
            detail = MESSAGES[kind].format(**values)
        elif kind == "value_error":
            detail = str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
        else:  # our own rules raise PydanticCustomError with a Chinese message already
            detail = err["msg"]
        if not detail.startswith(title) and kind not in MESSAGES:
            detail = f"{title}：{detail}"
        out.append({"pointer": pointer(loc), "detail": detail})
    return out
