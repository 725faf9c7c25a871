"""Batches over HTTP: submit a unit's roster (JSON or XLSX), follow its progress, download ZIP and print PDF."""
from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Sequence
from typing import Any, Literal, cast

from flask import Response, request, send_file, url_for
from flask.blueprints import BlueprintSetupState
from flask_openapi3 import Tag
from werkzeug.routing import BaseConverter
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import to_jsonable_python

from docgen.api import access, heavy, services
from docgen.api.documents import complete_at, flag, json_body, safe_file_name
from docgen.api.openapi import Answer, FieldError, blueprint, file_answer, problems, schema_ref
from docgen.documents import sample
from docgen.batch import attachments, executor, packages, plan, template, webhooks, work
from docgen.batch.request import BatchApplicant, BatchRequest, applicant_fields, given
from docgen.batch.store import Batch, NewItem
from docgen.batch.xlsx import Cells
from docgen.documents import MEDIA_TYPES
from docgen.errors import InvalidPayload, Problem, chinese_errors, unprintable
from docgen.limits import overload
from docgen.rules import hygiene
from docgen.limits import payload as payload_limits
from docgen.render.scans import check_scan

bp = blueprint("batches", __name__, url_prefix="/v1")
BATCH_ID = "[0-9a-f]{32}"   # executor.submit: uuid4().hex


class BatchId(BaseConverter):
    """Match a batch id only, so that /v1/batches/template.xlsx is no batch (OPTIONS allows GET, not DELETE)."""

    regex = BATCH_ID


@bp.record_once
def _batch_ids(state: BlueprintSetupState) -> None:
    """Teach the app the `batch` converter before the routes below are added."""
    state.app.url_map.converters["batch"] = BatchId
TAG = Tag(name="batches", description="批量生成：一个单位全部申报人的全部文书：ZIP（每人一个文件夹）与双面打印用 PDF")


class BatchPath(BaseModel):
    batch_id: str = Field(description="批次编号（提交时 202 回答中的 id）", pattern=f"^{BATCH_ID}$")


class Progress(BaseModel):
    done: int = Field(description="已生成的文书份数")
    total: int = Field(description="本批次共要生成的文书份数")


class BatchLinks(BaseModel):
    archive: str = Field(description="ZIP 的地址")
    print: str = Field(description="合并打印 PDF 的地址")


class FilesDeleted(BaseModel):
    at: dt.datetime = Field(description="删除时间（UTC）")
    reason: Literal["expired", "deleted", "erased"] = Field(
        description="expired 超过保存期限，deleted 按请求删除，erased 删除某位申报人的个人信息时一并删除")


class WebhookDelivery(BaseModel):
    id: str = Field(description="事件编号（请求头 webhook-id，每次重试相同，接收方据此去重）")
    type: Literal["batch.done", "batch.failed", "batch.cancelled", "batch.files_deleted"] = Field(
        description="batch.done 完成，batch.failed 失败，batch.cancelled 已停止，batch.files_deleted 文件已删除")
    status: Literal["pending", "delivered", "failed"] = Field(
        description="pending 待发送或等待重试，delivered 对方已以 2xx 应答，failed 重试期满仍未送达，不再重试")
    attempts: int = Field(description="已尝试次数")
    last_status: int | None = Field(description="最近一次对方应答的 HTTP 状态码；未应答（超时、拒绝连接）为 null")
    last_error: str | None = Field(description="最近一次未得到应答的原因")
    last_attempt_at: dt.datetime | None = Field(description="最近一次尝试的时间（UTC）")
    next_attempt_at: dt.datetime | None = Field(description="下次尝试的时间（UTC）；已送达或已放弃为 null")
    delivered_at: dt.datetime | None = Field(description="送达时间（UTC）")


class WebhookState(BaseModel):
    url: str = Field(description="回调地址（提交时的 webhook_url）")
    deliveries: list[WebhookDelivery] = Field(description="各事件的投递情况；批次结束前为空")


class BatchStatus(BaseModel):
    """A batch: where it is, and what went wrong."""

    id: str = Field(description="批次编号")
    status: Literal["queued", "running", "done", "failed", "cancelled"] = Field(
        description="queued 排队中，running 生成中，done 已完成（可下载），failed 失败（见 errors），"
                    "cancelled 已取消（POST /v1/batches/{id}/cancel；没有可下载的文件）")
    unit: str = Field(description="单位名称")
    profile: str = Field(description="地区配置")
    progress: Progress
    errors: list[FieldError] = Field(description="生成中出错的文书：pointer 指向提交内容中的申报人与字段")
    created_at: dt.datetime = Field(description="提交时间（UTC）")
    finished_at: dt.datetime | None = Field(description="完成时间（UTC）；未完成为 null")
    expires_at: dt.datetime | None = Field(None, description="完成后：文件保存到此时（UTC），之后自动删除")
    files_deleted: FilesDeleted | None = Field(None, description="文件已删除时出现：何时、为何（expired 到期，deleted 删除，"
                                                                "erased 删除申报人个人信息）")
    rejected: list[FieldError] | None = Field(
        None, description="partial=true 时未生成的行：每个有误的单元格（pointer、row 行号、column 列名）")
    links: BatchLinks | None = Field(None, description="完成后出现：下载地址")
    webhook: WebhookState | None = Field(None, description="提交时给了 webhook_url 时出现：回调的投递情况")


_STATUS_LINK = {"parameters": {"batch_id": "$response.body#/id"}}
_SUBMITTED = {
    "description": "已受理：Location 为批次状态的地址，轮询至 status 为 done 后下载",
    "headers": {"Location": {"description": "批次状态的地址 /v1/batches/{id}", "required": True,
                             "schema": {"type": "string"}}},
    "content": {"application/json": {"schema": schema_ref(bp.components_schemas, BatchStatus, "serialization")}},
    "links": {"status": {"operationId": "get_batch", "description": "批次状态与进度", **_STATUS_LINK},
              "archive": {"operationId": "get_batch_archive", "description": "完成后的 ZIP", **_STATUS_LINK},
              "print": {"operationId": "get_batch_print", "description": "完成后的合并打印 PDF", **_STATUS_LINK},
              "delete": {"operationId": "delete_batch", "description": "删除批次的文件（未完成的先取消）", **_STATUS_LINK},
              "cancel": {"operationId": "cancel_batch", "description": "取消排队中或生成中的批次", **_STATUS_LINK}},
}
_ROSTER_UPLOAD = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "花名册 Excel（.xlsx），一行一位申报人"},
    "unit": {"type": "string", "description": "单位名称；缺省取花名册中的单位"},
    "profile": {"type": "string", "description": "地区配置，如 bazhou-2024"},
    "date": {"type": "string", "format": "date", "description": "成文日期（YYYY-MM-DD）"},
    "documents": {"type": "string", "description": "逗号分隔的文书类型；缺省为地区配置规定的全套"},
    "formats": {"type": "string", "description": "逗号分隔：pdf、docx；缺省两者都要"},
    "partial": {"type": "string", "enum": ["true", "false"], "description": "true：只生成无误的行，有误的行列在 rejected"},
    "webhook_url": {"type": "string", "format": "uri", "description": "回调地址（同 JSON 批次的 webhook_url）"},
    **{name: {"type": "string", "description": f"全单位共用的{title}（花名册中没有这一栏）",
              **({"format": "date"} if name.startswith("notice.") else {})} for name, title in (
        ("unit.uscc", "统一社会信用代码"), ("unit.office", "受理异议的办公室"), ("unit.phone", "监督电话"),
        ("unit.leader", "单位负责人"), ("notice.start_date", "公示开始日期"), ("notice.end_date", "公示结束日期"),
        ("defaults.integrity-certificate.issuer", "廉政情况证明出具单位（主管单位纪检部门，如 塔城地区卫生健康委员会纪检组；"
                                                  "即 JSON 批次的 defaults.integrity-certificate.issuer）"),
        ("defaults.recommendation.competent.name", "推荐意见的主管单位名称（出具单位为主管单位时，如 巴州住房和城乡建设局；"
                                                   "即 JSON 批次的 defaults.recommendation.competent.name）"))}}}
# what a roster does not hold but the 公示, 推荐意见 and 廉政情况证明 ask for: one value for the whole unit (the web
# page's batch form); a dotted name is its place in the JSON batch
_UNIT_FIELDS = tuple(name for name in _ROSTER_UPLOAD["properties"] if "." in name)
_SCANS = {"type": "string", "format": "binary", "description": (
    "扫描件（JPG、PNG 或 PDF）：字段名 attachment:<申报人序号>:<材料编号>，序号从0起，材料编号为 "
    "GET /v1/profiles/{id}/materials 中 upload 为 true 的 key；同一材料可有多个，按先后排列，"
    "与 applicants[i].attachments[key] 的各项一一对应")}
# one object, not a oneOf of the two ways (schemathesis cannot draw files inside a oneOf): `batch` or `file`
_MULTIPART: dict[str, Any] = {
    **_ROSTER_UPLOAD, "required": [], "additionalProperties": _SCANS,
    "description": "批次 JSON（字段 batch）或花名册 Excel（字段 file，其余字段随之使用），另可附扫描件"
                   "（字段 attachment:<申报人序号>:<材料编号>）"}
_MULTIPART["properties"] = {"batch": {"type": "string", "description": (
    "批次 JSON（与 application/json 提交的内容相同，见 BatchRequest），可作为文件部分（Content-Type: application/json）"
    "提交；给出时不读 file 及其他字段")}, **cast(dict[str, Any], _ROSTER_UPLOAD["properties"])}


IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")     # printable ASCII, no space: what a header carries as is
_SUBMIT_PARAMETERS = [
    {"name": "Idempotency-Key", "in": "header", "required": False,
     "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
     "description": "重试时不重复生成：同一键再次提交相同内容，回答先前的批次（200）；内容不同为 422"
                    "（idempotency-key-reused）；不合格式（1至200个可见ASCII字符）为 400（bad-idempotency-key）"},
    {"name": "partial", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
     "description": "true：只生成无误的申报人，有误的列在回答的 rejected 中（附扫描件时不可用）；也可作为 multipart 字段"},
]


def _request_from_multipart() -> tuple[object, Cells | None]:
    """Read a multipart batch: the JSON batch in the part `batch` (a field or a file), else the XLSX roster."""
    if "batch" not in request.form and "batch" not in request.files:
        return _request_from_upload()
    part = request.files.get("batch")
    return payload_limits.parse(part.read() if part is not None else request.form["batch"].encode()), None


def _scan_parts() -> list[tuple[str, bytes]]:
    """Return the scans sent with a batch, each with its part name, in the order they came."""
    parts = []
    for name, upload in request.files.items(multi=True):
        if name not in ("file", "batch"):
            parts.append((name, upload.read()))
        upload.close()
    return parts


def _request_from_upload() -> tuple[dict, Cells]:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidPayload([{"pointer": "/file", "detail": "请上传花名册 Excel 文件（字段名 file）"}])
    here = services()
    with here.heavy_gate.slot(complete_at()):   # openpyxl's time and memory in the helper process, bounded
        data, cells = heavy.read_roster(here.settings, upload.read())
    form = request.form
    if form.get("unit"):
        data["unit"] = {"name": form["unit"]}
    for name in _UNIT_FIELDS:
        if form.get(name, "").strip():
            *groups, key = name.split(".")
            node = data
            for group in groups:
                node = node.setdefault(group, {})
            node[key] = form[name].strip()
    for key in ("profile", "date", "webhook_url"):
        if form.get(key):
            data[key] = form[key]
    for key in ("documents", "formats"):
        if form.get(key):
            data[key] = [v.strip() for v in form[key].split(",") if v.strip()]
    return data, cells


@bp.get("/batches/template.xlsx", tags=[TAG], summary="花名册模板（XLSX）：中文表头、下拉选项、填写提示与示例行",
        responses={200: file_answer("花名册模板", ("xlsx",))},
        description="在 Excel 或 WPS 中填写后，按 multipart 字段 file 提交到 POST /v1/batches。示例行（序号为“示例”）不会生成文书。")
def template_xlsx() -> Answer:
    return send_file(io.BytesIO(template.build()), mimetype=MEDIA_TYPES["xlsx"], as_attachment=True,
                     download_name="职称申报人员花名册模板.xlsx")


@bp.post("/batches", tags=[TAG], summary="提交批量生成：JSON（unit, profile, applicants, documents, formats）或上传花名册 XLSX",
         description="先完整检查全部申报人的全部文书，任何一处错误都以 422 逐项列出（/applicants/N/字段；XLSX 另给行号与列名），"
                     "不生成任何文件；通过后排队生成。?partial=true 只生成无误的行。请求头 Idempotency-Key 相同则返回同一批次（200）。",
         responses={202: _SUBMITTED, 200: _SUBMITTED, **problems(400, 413, 415, 422, 429)},
         openapi_extensions={"parameters": _SUBMIT_PARAMETERS, "requestBody": {"required": True, "content": {
             "application/json": {"schema": schema_ref(bp.components_schemas, BatchRequest),
                                  "example": sample("batch")},
             "multipart/form-data": {"schema": _MULTIPART}}}})
def submit() -> Answer:
    key = _idempotency_key()
    here, tenant = services(), access.caller().unit   # keys, quota and ownership are the key's unit's
    store = here.store
    multipart = request.mimetype == "multipart/form-data"
    data, cells = _request_from_multipart() if multipart else (json_body(), None)
    partial = flag("partial", None if "partial" in request.args else request.form)
    batch_request, items, rejected = _intake(data, partial, cells)
    if key and (known := store.by_idempotency_key(key, tenant)) is not None:
        _same_documents(known, items, batch_request.formats, key)
        return _accepted(known, 200, rejected)
    _storage_writable()
    profile = here.renderer.profile(batch_request.profile)
    parts = _scan_parts() if multipart else []
    if parts and partial:
        raise InvalidPayload([{"pointer": "/attachments", "detail": "附扫描件时不能用 partial=true（扫描件按申报人序号对应）："
                                                                  "请改正有误的行后一并提交"}])
    with here.gate.slot(complete_at()):   # scans are decoded under the render time limit
        scans = attachments.check(parts, batch_request, profile)
    webhook = webhooks.accept(batch_request.webhook_url, access.caller(), here.settings, here.keys)
    batch, new = executor.submit(store, here.dispatch, here.settings, batch_request, profile.id, items, key,
                                 attach=work.attach(here.storage, batch_request, scans), detach=work.detach(here.storage),
                                 webhook=webhook, tenant=tenant)
    return _accepted(batch, 202 if new else 200, rejected)


def _idempotency_key() -> str | None:
    """Return the Idempotency-Key header, None without one; refuse one its description does not allow (400)."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise Problem(400, "Idempotency-Key 不合格式", "Idempotency-Key 应为1至200个可见的ASCII字符（字母、数字和"
                      "-_.:/ 等，不含空格和汉字），如 unit-42-2024-09", slug="bad-idempotency-key")
    return key


def _same_documents(batch: Batch, items: list[NewItem], formats: Sequence[str], key: str) -> None:
    """Refuse an Idempotency-Key sent again with a batch that makes other documents than the one it made."""
    made = [(item.kind, item.folder, item.payload) for item in services().store.items(batch.id)]
    asked = [(item.kind, item.folder, to_jsonable_python(item.payload)) for item in items]
    if made != asked or batch.formats != list(dict.fromkeys(formats)):
        raise Problem(422, "Idempotency-Key 已用于另一批次", f"Idempotency-Key“{key}”已用于内容不同的批次 {batch.id}："
                      "重试请提交相同的内容，新的批次请换一个 Idempotency-Key", slug="idempotency-key-reused",
                      errors=[{"pointer": "", "detail": "与同一 Idempotency-Key 先前提交的批次内容不同"}])


def _storage_writable() -> None:
    """Refuse a batch (503) while its files cannot be written: accepted, it would stall as running."""
    storage = services().storage
    probe = work.batch_key(f".probe-{uuid.uuid4().hex}")
    try:
        storage.write(probe, b"")
        storage.delete(probe)
    except OSError as exc:
        raise Problem(503, "服务暂不可用", f"存放批次文件的目录不可写（{type(exc).__name__}），批次未受理；请联系管理员",
                      slug="storage-unavailable", headers={"Retry-After": "30"}) from None


def _intake(data: object, partial: bool, cells: Cells | None
            ) -> tuple[BatchRequest, list[NewItem], list[dict[str, str]]]:
    """Check a batch (plan.intake) under the render limits: a big one (its photos decoded too) in the helper
    process, a small one in a render slot here."""
    here = services()
    if overload.cost(data) >= overload.HEAVY_COST:
        with here.heavy_gate.slot(complete_at()):
            return heavy.intake(here.settings, data, partial, cells)
    with here.gate.slot(complete_at()):
        return plan.intake(data, here.renderer, partial=partial, cells=cells)


def _accepted(batch: Batch, status: int, rejected: list[dict[str, str]] | None = None
              ) -> tuple[dict[str, Any], int, dict[str, str]]:
    body = _public(batch)
    if rejected:
        body["rejected"] = rejected   # partial=true: the rows left out, each bad cell named
    return body, status, {"Location": url_for(".status", batch_id=batch.id)}


def _public(batch: Batch) -> dict[str, Any]:
    """Return a batch as its status answers it: Batch.public, and its webhook's deliveries if it has one."""
    body = batch.public()
    hook = webhooks.state(services().registry.engine, batch)
    if hook is not None:
        body["webhook"] = hook
    return body


def _batch(batch_id: str) -> Batch:
    batch = services().store.get(batch_id)
    if batch is None or not access.keys().may_see("batch", batch_id, access.caller()):
        raise Problem(404, "没有这个批次", f"批次“{batch_id}”不存在", slug="unknown-batch")
    return batch


@bp.get("/batches/<batch:batch_id>", tags=[TAG], summary="批次状态与进度", operation_id="get_batch",
        description="status 为 done 后 links 给出 ZIP 与合并打印 PDF 的地址；errors 列出生成中出错的文书；"
                    "文件删除后 files_deleted 说明何时、为何。",
        responses={200: BatchStatus, **problems(404)})
def status(path: BatchPath) -> dict[str, Any]:
    batch = _batch(path.batch_id)
    out = _public(batch)
    if batch.status == "done" and not batch.files_deleted_at:
        out["links"] = {"archive": url_for(".archive", batch_id=batch.id), "print": url_for(".print_pdf", batch_id=batch.id)}
    return out


@bp.post("/batches/<batch:batch_id>/cancel", tags=[TAG], summary="取消批次：未开始的文书不再生成，生成中的作废，状态为 cancelled",
         operation_id="cancel_batch", responses={200: BatchStatus, **problems(404, 409)},
         description="只有提交批次的单位（其 API 密钥）可以取消。未开始的文书不再生成；正在生成的文书作废，不登记；"
                     "已生成的文书仍可核验（本单位可吊销）。取消的批次没有可下载的文件（ZIP 与打印 PDF 为 410）。"
                     "已取消的再取消仍为 200；已完成（done、failed）的为 409，可用 DELETE 删除其文件。")
def cancel(path: BatchPath) -> dict[str, Any]:
    batch = _batch(path.batch_id)
    if not work.cancel(services().storage, services().store, batch.id):
        raise Problem(409, "批次已完成", f"批次状态为 {batch.status}，已无可取消的文书；要删除文件请用 DELETE",
                      slug="batch-finished")
    return _public(_batch(batch.id))


@bp.delete("/batches/<batch:batch_id>", tags=[TAG], summary="删除批次的全部文件（登记的文书编号仍可核验）；未完成的先取消",
           description="删除批次的 ZIP、合并打印 PDF 与各文书文件，此后下载为 410；排队或生成中的批次先取消。"
                       "已出具文书的登记保留，仍可核验。",
           operation_id="delete_batch", responses={200: BatchStatus, **problems(404)})
def delete(path: BatchPath) -> dict[str, Any]:
    batch = _batch(path.batch_id)
    here = services()
    if batch.status in ("queued", "running"):   # a running batch is cancelled first (it answered 409 before)
        work.cancel(here.storage, here.store, batch.id)
    if not batch.files_deleted_at:
        work.delete_files(here.storage, here.store, batch.id, "deleted")
    return _public(_batch(batch.id))   # says when and why its files went


def _finished(batch_id: str) -> Batch:
    """Return a batch whose files can be downloaded: a 409 before it is done, a 410 once they are deleted."""
    batch = _batch(batch_id)
    if batch.status == "cancelled":
        raise Problem(410, "批次已取消", "本批次已取消，没有可下载的文件，请重新提交", slug="batch-cancelled")
    if batch.status != "done":
        raise Problem(409, "批次尚未完成", f"批次状态为 {batch.status}，完成后才能下载", slug="batch-not-done",
                      headers={"Retry-After": "5"})
    if batch.files_deleted_at:
        reason = {"expired": "已超过保存期限被清理", "erased": "因删除申报人的个人信息已被删除"}.get(
            batch.files_deleted_reason or "", "已被删除")
        raise Problem(410, "批次文件已不存在", f"本批次的文件{reason}，请重新提交", slug="batch-files-deleted")
    return batch


def _file(batch_id: str, name: str, download: str, mimetype: str) -> Response:
    batch = _finished(batch_id)
    storage = services().storage
    key = work.batch_key(batch.id, name)
    if not storage.exists(key):
        raise Problem(404, "文件不存在", "本批次没有可打印的文书" if name == work.PRINT else "批次文件已被清理",
                      slug="batch-file-missing")
    return send_file(storage.local_path(key), mimetype=mimetype, as_attachment=True,
                     download_name=safe_file_name(f"{batch.unit}-{download}"))


@bp.get("/batches/<batch:batch_id>/archive", tags=[TAG], summary="ZIP：每位申报人一个文件夹，另含花名册与 manifest.json",
        description="完成后可下载：每位申报人一个文件夹（附扫描件时另有“申报材料.pdf”），花名册在最上层，"
                    "manifest.json 列出每个文件的 SHA-256 与文书编号。未完成为 409，文件已删除为 410。",
        operation_id="get_batch_archive", responses={200: file_answer("ZIP 压缩包", ("zip",)), **problems(404, 409, 410)})
def archive(path: BatchPath) -> Response:
    return _file(path.batch_id, work.ARCHIVE, "职称申报材料.zip", "application/zip")


@bp.get("/batches/<batch:batch_id>/print.pdf", tags=[TAG], summary="合并打印用 PDF：每份文书补足偶数页，便于双面打印",
        description="全部文书按打印顺序合并为一个 PDF，每份补足偶数页，双面打印时各份不相连。未完成为 409，文件已删除为 410。",
        operation_id="get_batch_print", responses={200: file_answer("合并打印 PDF", ("pdf",)), **problems(404, 409, 410)})
def print_pdf(path: BatchPath) -> Response:
    return _file(path.batch_id, work.PRINT, "打印.pdf", "application/pdf")


class PackagePath(BatchPath):
    applicant: int = Field(ge=0, le=1999, description="申报人序号，从0起（与 attachment:<申报人序号> 相同）")


@bp.get("/batches/<batch:batch_id>/packages/<int:applicant>", tags=[TAG], operation_id="get_batch_package",
        summary="一位申报人的申报材料.pdf：目录在前，按通知所列顺序（网页“整套申报材料”用一人的批次取回）",
        description="批次完成后取回序号为 applicant（从0起）的申报人的整套申报材料；未生成（地区配置不要求纸质材料、"
                    "批次未要求 package 或其文书有误）为 404，批次未完成为 409，文件已删除为 410。",
        responses={200: file_answer("申报材料 PDF", ("pdf",)), **problems(404, 409, 410)})
def package_pdf(path: PackagePath) -> Response:
    batch = _finished(path.batch_id)
    found = work.package_of(services().storage, batch.id, path.applicant)
    if found is None:
        raise Problem(404, "没有申报材料", f"本批次没有为序号{path.applicant}的申报人生成申报材料.pdf（序号从0起；"
                                          "地区配置不要求纸质材料、批次未要求 package 或其文书有误时不生成）",
                      slug="batch-file-missing")
    who, content = found
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=safe_file_name(f"{who}-{packages.PACKAGE}"))


class ScanChecked(BaseModel):
    """An upload as the batch will take it."""

    kind: Literal["jpeg", "png", "pdf"] = Field(description="按内容识别的格式")
    pages: int = Field(description="页数（图片为1）")
    size: int = Field(description="字节数")


@bp.post("/batches/scans/check", tags=[TAG], summary="检查一份扫描件（与批次的 attachment 部分同一检查）：格式、大小、页数",
         description="网页选择扫描件时先检查并显示页数；通过的文件随批次提交时仍会再检查。",
         responses={200: ScanChecked, **problems(400, 413, 422)},
         openapi_extensions={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
             "type": "object", "required": ["file"], "properties": {
                 "file": {"type": "string", "format": "binary", "description": "扫描件（JPG、PNG 或 PDF）"}}}}}}})
def check_scan_upload() -> Answer:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidPayload([{"pointer": "/file", "detail": "请选择扫描件（字段名 file）"}])
    data = upload.read()
    upload.close()
    with services().gate.slot(complete_at()):   # decoded under the render time limit, as a batch's scans are
        scan = check_scan(data, "/file")
    return ScanChecked(kind=scan.kind, pages=scan.pages, size=len(data)).model_dump()


class RosterRows(BaseModel):
    """Applicants to write into the roster template (as a batch gives them)."""

    unit: str = Field("", max_length=100, description="单位名称，印在“单位（盖章）：”之后")
    applicants: list[BatchApplicant] = Field(min_length=1, max_length=2000, description="申报人，与批次 JSON 的 applicants 相同")


@bp.post("/batches/template.xlsx", tags=[TAG], summary="填好的花名册行（XLSX）：模板的表头，其下为所给申报人",
         description="网页把一位申报人的草稿导出为花名册的一行，复制到本单位的花名册中。",
         responses={200: file_answer("花名册", ("xlsx",)), **problems(400, 415, 422)},
         openapi_extensions={"requestBody": {"required": True, "content": {"application/json": {
             "schema": schema_ref(bp.components_schemas, RosterRows),
             "example": {"unit": sample("batch")["unit"]["name"], "applicants": sample("batch")["applicants"][:1]}}}}})
def template_rows() -> Answer:
    data, refused = hygiene.clean(json_body())   # no control or private-use characters into the workbook
    if refused:
        raise unprintable(RosterRows, refused)
    try:
        body = RosterRows.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(chinese_errors(exc, RosterRows)) from None
    rows = [{**applicant_fields(a), "payload": given(a.payload)} for a in body.applicants]
    return send_file(io.BytesIO(template.build(body.unit, rows)), mimetype=MEDIA_TYPES["xlsx"], as_attachment=True,
                     download_name="职称申报人员花名册.xlsx")
