"""The OpenAPI description: pydantic models as components, and the responses routes share (files, problems)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_openapi3 import APIBlueprint
from flask_openapi3.models import Schema
from pydantic import BaseModel, Field
from flask import request
from werkzeug.wrappers import Response

from docgen.documents import MEDIA_TYPES
from docgen.errors import PROBLEM_TYPE, TYPES

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
    document: str | None = Field(None, description="仅批量：出错的文书类型（slug），同一字段在多种文书中出错时列出其一",
                                 examples=["public-notice"])
    row: int | None = Field(None, ge=1, description="仅上传花名册（XLSX）：出错的行号（Excel 中的行号）", examples=[5])
    column: str | None = Field(None, description="仅上传花名册（XLSX）：出错的列名（表头）", examples=["身份证号码"])


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str = Field(description="错误类别的 URI（相对于本服务，GET 可得其中文标题；全部类别见 GET /problems），"
                                  "程序据此区分错误", examples=[PROBLEM_TYPE + "invalid-payload"],
                      json_schema_extra={"enum": [PROBLEM_TYPE + slug for slug in TYPES], "format": "uri-reference"})
    title: str = Field(description="错误类别的中文标题", examples=["提交的内容有误，请按提示修改"])
    status: int = Field(description="HTTP 状态码", examples=[422])
    detail: str = Field(description="本次错误的中文说明")
    instance: str | None = Field(None, description="出错的请求路径")
    errors: list[FieldError] | None = Field(None, description="仅 422：每一处错误的字段位置与说明")


class InvalidPayloadProblem(Problem):
    """422: the payload is wrong; `errors` lists every wrong field."""

    errors: list[FieldError] = Field(min_length=1, description="每一处错误的字段位置（JSON Pointer）与中文说明")


_PROBLEMS = {
    408: "请求未能在限定时间内传完（docgen serve 的前端），连接已关闭；请重试",
    414: "网址太长（docgen serve 的前端拒绝超过 4094 字节的请求行）",
    431: "请求头太大（docgen serve 的前端）",
    400: "请求格式错误：JSON 无法解析（说明行列）、不是 UTF-8，或查询参数不对",
    401: "需要本单位的 API 密钥（DOCGEN_REQUIRE_API_KEY 开启时），或密钥无效、已吊销",
    404: "找不到：文书类型、批次、文书编号或地区配置不存在",
    406: "该文书不能生成所要求的格式（如花名册以外的 xlsx）",
    409: "批次尚未完成：Retry-After 秒后再试",
    410: "批次的文件已不在：超过保存期限被清理、已按请求删除，或因删除申报人个人信息而删除",
    413: "请求体超过服务允许的大小（DOCGEN_MAX_BODY_BYTES；multipart 上传为 DOCGEN_MAX_UPLOAD_BYTES）",
    415: "Content-Type 不对：应为 application/json（批量上传为 multipart/form-data）",
    422: "提交的内容有误：errors 逐项列出出错字段（JSON Pointer）与中文说明",
    429: "请求过多：正在生成的文书或排队的请求已满（本单位进行中的批次过多时亦然），Retry-After 秒后再试",
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


# what every operation may answer: a parameter that fails its model (problems.validation_error), an internal error,
# and what `docgen serve` answers before the app sees a request (docgen.serve: stalled, too long, queue full)
COMMON = problems(408, 414, 422, 429, 431, 500)


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


OCTET_STREAM = "application/octet-stream"


def file_answer(description: str, formats: Iterable[str], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Describe a file answer in `formats` (pdf, docx, xlsx, zip) with its Chinese file name and `headers`; also
    as application/octet-stream, what a client accepting only bytes gets (bytes_for_octet_stream)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"description": description + "；Accept 只列 application/octet-stream 时以此类型回答，内容相同",
            "headers": {**FILENAME, **(headers or {})},
            "content": {**{FILE_TYPES[f]: binary for f in formats}, OCTET_STREAM: binary}}


def bytes_for_octet_stream(response: Response) -> Response:
    """Answer a file as application/octet-stream to a client that accepts only that (a generated client reads
    such an answer as bytes), as file_answer() describes."""
    accept = request.accept_mimetypes
    attached = response.headers.get("Content-Disposition", "").startswith("attachment")
    if attached and accept[OCTET_STREAM] > accept[response.mimetype or ""]:
        response.headers["Content-Type"] = OCTET_STREAM
    return response


DESCRIPTION = """新疆职称评审的公示、推荐意见、承诺书、申请表、花名册、评审表等文书：提交 JSON，取回可直接打印的 PDF
（GB/T 9704-2012 版式）或可编辑的 DOCX。

- 每种文书的数据格式见 `GET /v1/document-types/{slug}/schema`，示例见 `…/sample`；字段说明写明类型之外的规则
  （身份证号码校验位、公示期工作日、与其他字段的一致性）。
- 出错一律为 `application/problem+json`（RFC 9457）；422 的 `errors` 用 JSON Pointer 逐项指出字段，说明为中文。
- 文件以 `Content-Disposition` 给出中文文件名，`X-Document-Id` 为文书编号（`GET /v1/verify/{document_id}` 核验），
  `X-Docgen-Warnings` 为需人工核对的提示。"""


# what a client reads about the models it sends and gets; the other components' descriptions are the models'
# docstrings, written for developers (in English), and are left out of the description
MODEL_TEXTS = {
    "BatchRequest": "一个单位的批量生成：单位、地区配置、申报人员、文书类型与格式；公示期、成文日期与各文书的统一内容",
    "BatchApplicant": "一位申报人：各文书用到的申报人字段（类型同各文书；某文书必填的，说明中写明）、花名册各栏、"
                      "该申报人各文书的其他内容（payload）与扫描件说明（attachments）；不认识的字段为 422",
    "BatchPayload": "一位申报人各文书的其他内容：各文书数据中的字段，并入该申报人的每份文书；不认识的字段为 422",
    "BatchStatus": "批次：状态、进度、出错的文书与下载地址",
    "Problem": "错误（RFC 9457 problem details）：type 区分类别，title 为中文标题，detail 为本次的中文说明",
    "InvalidPayloadProblem": "422：提交的内容有误，errors 逐项列出每个出错字段",
    "NotReadyProblem": "503：服务未就绪，checks 逐项说明",
    "FieldError": "一处出错的字段：位置（JSON Pointer）与中文说明",
    "Attachment": "一份扫描件的说明：盲评版遮盖的区域",
    "CopyNote": "复印件加注：复印人与复印时间",
}
INFO = {"contact": {"name": "本服务的管理员（部署单位的信息化部门）"},
        "license": {"name": "专有软件，仅供部署单位使用", "identifier": "LicenseRef-Proprietary"}}


def finish(spec: dict[str, Any]) -> None:
    """Make the document what integrators' tools expect: servers, contact and license; every text in Chinese;
    no title that a generator would turn into a class name (EvaluationApplicant性别): field titles go into their
    descriptions, models keep their ASCII names."""
    spec["servers"] = [{"url": "/", "description": "本服务（与本文档同一地址）"}]
    spec["info"].update(INFO)
    for name, schema in spec["components"]["schemas"].items():
        schema.pop("description", None)
        if name in MODEL_TEXTS:
            schema["description"] = MODEL_TEXTS[name]
        schema["title"] = name
        for value in schema.values():
            _untitled(value)
    for item in spec["paths"].values():
        for operation in item.values():
            _untitled(operation)
            for response in operation["responses"].values():
                if response.get("description") == "OK":   # flask-openapi3's, for an answer given as a model
                    response["description"] = "成功"


def _untitled(node: Any) -> None:
    """Move every non-ASCII schema title under `node` into its description (the description keeps saying it)."""
    if isinstance(node, list):
        for value in node:
            _untitled(value)
    if not isinstance(node, dict):
        return
    title = node.get("title")
    if isinstance(title, str) and not title.isascii():
        del node["title"]
        described = node.get("description")
        node["description"] = title if not described else described if title in described else f"{title}：{described}"
    for key, value in node.items():
        if key not in ("example", "examples", "default", "enum", "const"):
            _untitled(value)
