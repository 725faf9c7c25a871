"""Batches over HTTP: submit a unit's roster (JSON or XLSX), follow its progress, download ZIP and print PDF."""
from __future__ import annotations

import uuid

from flask import current_app, request, send_file, url_for
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, ValidationError

from docgen.api.documents import json_body
from docgen.api.openapi import schema_ref
from docgen.batch import runner
from docgen.batch.executor import batch_dir
from docgen.batch.request import BatchRequest
from docgen.batch.xlsx import read_roster
from docgen.errors import InvalidPayload, Problem, chinese_errors
from docgen.kinds import KINDS

bp = APIBlueprint("batches", __name__, url_prefix="/v1")
TAG = Tag(name="批量生成", description="一个单位全部申报人的全部文书：ZIP（每人一个文件夹）与双面打印用 PDF")


class BatchPath(BaseModel):
    batch_id: str = Field(description="批次编号")


def _request_from_upload() -> dict:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidPayload([{"pointer": "/file", "detail": "请上传花名册 Excel 文件（字段名 file）"}])
    data = read_roster(upload.read())
    form = request.form
    if form.get("unit"):
        data["unit"] = {"name": form["unit"]}
    for key in ("profile", "date"):
        if form.get(key):
            data[key] = form[key]
    for key in ("documents", "formats"):
        if form.get(key):
            data[key] = [v.strip() for v in form[key].split(",") if v.strip()]
    return data


@bp.post("/batches", tags=[TAG], summary="提交批量生成：JSON（unit, profile, applicants, documents, formats）或上传花名册 XLSX",
         openapi_extensions={"requestBody": {"content": {
             "application/json": {"schema": schema_ref(bp.components_schemas, BatchRequest)},
             "multipart/form-data": {"schema": {"type": "object", "properties": {
                 "file": {"type": "string", "format": "binary"}, "unit": {"type": "string"},
                 "profile": {"type": "string"}, "documents": {"type": "string"}}}}}}})
def submit():
    data = _request_from_upload() if request.mimetype == "multipart/form-data" else json_body()
    if not isinstance(data, dict):
        raise InvalidPayload([{"pointer": "", "detail": "提交的内容应为 JSON 对象（{…}）"}])
    renderer = current_app.extensions["docgen"]
    try:
        batch = BatchRequest.model_validate(data, context={"calendar": renderer.calendar, "warnings": []})
    except ValidationError as exc:
        raise InvalidPayload(chinese_errors(exc, BatchRequest)) from None
    renderer.profile(batch.profile)
    unknown = [s for s in batch.documents or [] if s not in KINDS]
    if unknown:
        raise InvalidPayload([{"pointer": "/documents", "detail": f"未知的文书类型：{'、'.join(unknown)}"}])
    errors = runner.check(batch, renderer)
    if errors:
        raise InvalidPayload(errors)
    batch_id = uuid.uuid4().hex
    store = current_app.extensions["batch_store"]
    store.create(batch_id, batch.unit.name, renderer.profile(batch.profile).id, len(runner.plan(batch)))
    current_app.extensions["batch_executor"].submit(batch_id, batch)
    location = url_for(".status", batch_id=batch_id)
    return store.get(batch_id).public(), 202, {"Location": location}


def _batch(batch_id: str):
    batch = current_app.extensions["batch_store"].get(batch_id)
    if batch is None:
        raise Problem(404, "没有这个批次", f"批次“{batch_id}”不存在", slug="unknown-batch")
    return batch


@bp.get("/batches/<batch_id>", tags=[TAG], summary="批次状态与进度")
def status(path: BatchPath):
    batch = _batch(path.batch_id)
    out = batch.public()
    if batch.status == "done":
        out["links"] = {"archive": url_for(".archive", batch_id=batch.id), "print": url_for(".print_pdf", batch_id=batch.id)}
    return out


def _file(batch_id: str, name: str, download: str, mimetype: str):
    batch = _batch(batch_id)
    if batch.status != "done":
        raise Problem(409, "批次尚未完成", f"批次状态为 {batch.status}，完成后才能下载", slug="batch-not-done",
                      headers={"Retry-After": "5"})
    path = batch_dir(current_app.config["DATA_DIR"], batch.id) / name
    if not path.is_file():
        raise Problem(404, "文件不存在", "本批次没有可打印的文书" if name == runner.PRINT else "批次文件已被清理",
                      slug="batch-file-missing")
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=f"{batch.unit}-{download}")


@bp.get("/batches/<batch_id>/archive", tags=[TAG], summary="ZIP：每位申报人一个文件夹，另含花名册")
def archive(path: BatchPath):
    return _file(path.batch_id, runner.ARCHIVE, "职称申报材料.zip", "application/zip")


@bp.get("/batches/<batch_id>/print.pdf", tags=[TAG], summary="合并打印用 PDF：每份文书补足偶数页，便于双面打印")
def print_pdf(path: BatchPath):
    return _file(path.batch_id, runner.PRINT, "打印.pdf", "application/pdf")
