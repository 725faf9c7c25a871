"""Problems (RFC 9457) and the translation of validation errors into Chinese messages for staff."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

PROBLEM_TYPE = "https://docgen.invalid/problems/"


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
