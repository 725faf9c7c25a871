"""The OpenAPI description: pydantic models as components, and the responses routes share (files, problems)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_openapi3 import APIBlueprint
from flask_openapi3.models import Schema
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from docgen.documents import MEDIA_TYPES

# what a view returns; flask-openapi3 evaluates views' annotations, which flask.typing's alias defeats
Answer = Response | str | dict[str, Any] | tuple[Any, ...]   # werkzeug's Response: Flask's and redirects

REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"


def operation_id(*, name: str, **_: object) -> str:
    """Name an operation after its view function: the method name in a generated client (render_commitment)."""
    return name


def blueprint(name: str, import_name: str, **options: Any) -> APIBlueprint:
    """Make a blueprint whose operations are named after their functions and may answer 422 and 500 problems."""
    return APIBlueprint(name, import_name, operation_id_callback=operation_id, abp_responses=COMMON, **options)


def schema_ref(components: dict, model: type[BaseModel], mode: str = "validation") -> dict:
    """Register `model` and the models it refers to as components; return a `$ref` to it."""
    schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    for name, value in {**schema.pop("$defs", {}), model.__name__: schema}.items():
        components[name] = Schema(**value)
    return {"$ref": REF.format(model=model.__name__)}


class FieldError(BaseModel):
    """One wrong field of a payload."""

    pointer: str = Field(description="JSON Pointer（RFC 6901），指向提交内容中出错的字段；空字符串指整个提交内容",
                         examples=["/applicant/id_number"])
    detail: str = Field(description="中文说明，点出字段名称和改法，可直接展示给经办人员",
                        examples=["身份证号码校验位错误，应为1，请核对号码"])
    related: str | None = Field(None, description="与之矛盾的另一字段（批量中各文书的日期须一致，如公示结果的成文日期与"
                                                  "公示结束日期）", examples=["/notice/end_date"])


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str = Field(description="错误类别的 URI，程序据此区分错误", examples=["https://docgen.invalid/problems/invalid-payload"])
    title: str = Field(description="错误类别的中文标题", examples=["提交的内容有误，请按提示修改"])
    status: int = Field(description="HTTP 状态码", examples=[422])
    detail: str = Field(description="本次错误的中文说明")
    instance: str | None = Field(None, description="出错的请求路径")
    errors: list[FieldError] | None = Field(None, description="仅 422：每一处错误的字段位置与说明")


class InvalidPayloadProblem(Problem):
    """422: the payload is wrong; `errors` lists every wrong field."""

    errors: list[FieldError] = Field(min_length=1, description="每一处错误的字段位置（JSON Pointer）与中文说明")


_PROBLEMS = {
    400: "请求格式错误：JSON 无法解析（说明行列）、不是 UTF-8，或查询参数不对",
    401: "需要本单位的 API 密钥（DOCGEN_REQUIRE_API_KEY 开启时），或密钥无效、已吊销",
    404: "找不到：文书类型、批次、文书编号或地区配置不存在",
    409: "批次尚未完成：Retry-After 秒后再试",
    410: "批次的文件已不在：超过保存期限被清理、已按请求删除，或因删除申报人个人信息而删除",
    413: "请求体超过服务允许的大小（DOCGEN_MAX_BODY_BYTES）",
    415: "Content-Type 不对：应为 application/json（批量上传为 multipart/form-data）",
    422: "提交的内容有误：errors 逐项列出出错字段（JSON Pointer）与中文说明",
    429: "请求过多：Retry-After 秒后再试",
    500: "服务内部错误（已记录）；不因提交内容而出现",
    503: "服务繁忙或生成超时：Retry-After 秒后再试",
}
_RETRY_AFTER = {"Retry-After": {"description": "建议多少秒后重试", "schema": {"type": "integer", "minimum": 0}}}


def problems(*statuses: int) -> dict[str | int, Any]:
    """Describe the problem+json answers of `statuses` (each with its Chinese meaning) for `responses=`."""
    out: dict[str | int, Any] = {}
    for status in statuses:
        model = InvalidPayloadProblem if status == 422 else Problem
        response: dict = {"description": _PROBLEMS[status],
                          "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model=model.__name__)}}}}
        if status in (409, 429, 503):
            response["headers"] = _RETRY_AFTER
        out[str(status)] = response
    return out


def add_schemes(spec: dict, schemes: dict) -> None:
    """Add security schemes to an OpenAPI document's components (flask-openapi3 leaves them null)."""
    components = spec.setdefault("components", {})
    components["securitySchemes"] = {**(components.get("securitySchemes") or {}), **schemes}


# what every operation may answer: a parameter that fails its model (problems.validation_error), an internal error
COMMON = problems(422, 500)


def register_problems(components: dict) -> None:
    """Add the problem models that `problems()` refers to to the components."""
    schema_ref(components, Problem)
    schema_ref(components, InvalidPayloadProblem)


FILENAME = {"Content-Disposition": {
    "description": "attachment; filename=\"<slug>.<ext>\"; filename*=UTF-8''<中文文件名，百分号编码>（RFC 6266），"
                   "如 阿不都热合曼·买买提-个人承诺书.pdf",
    "required": True, "schema": {"type": "string"}}}
DOCUMENT_ID = {"X-Document-Id": {
    "description": "本服务出具的文书编号：/v1/verify/{document_id} 据此核验；预览稿（preview=true）不出具，没有此头",
    "required": False,
    "schema": {"type": "string"}}}
WARNINGS = {"X-Docgen-Warnings": {
    "description": "不妨碍生成、但需人工核对的提示：JSON 字符串列表，UTF-8 百分号编码（如某年的放假安排尚无数据）；"
                   "没有提示时不出现", "schema": {"type": "string"}}}
FILE_TYPES = {**MEDIA_TYPES, "zip": "application/zip"}


def file_answer(description: str, formats: Iterable[str], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Describe a file answer in `formats` (pdf, docx, xlsx, zip) with its Chinese file name and `headers`."""
    return {"description": description, "headers": {**FILENAME, **(headers or {})},
            "content": {FILE_TYPES[f]: {"schema": {"type": "string", "format": "binary"}} for f in formats}}


DESCRIPTION = """新疆职称评审的公示、推荐意见、承诺书、申请表、花名册、评审表等文书：提交 JSON，取回可直接打印的 PDF
（GB/T 9704-2012 版式）或可编辑的 DOCX。

- 每种文书的数据格式见 `GET /v1/document-types/{slug}/schema`，示例见 `…/sample`；字段说明写明类型之外的规则
  （身份证号码校验位、公示期工作日、与其他字段的一致性）。
- 出错一律为 `application/problem+json`（RFC 9457）；422 的 `errors` 用 JSON Pointer 逐项指出字段，说明为中文。
- 文件以 `Content-Disposition` 给出中文文件名，`X-Document-Id` 为文书编号（`GET /v1/verify/{document_id}` 核验），
  `X-Docgen-Warnings` 为需人工核对的提示。"""
