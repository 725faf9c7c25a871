"""Erasure of one applicant's personal data over HTTP: POST /v1/erasures with the ID number in the body (never
in a URL, so that no access log holds it); docgen.erasure does the work."""
from __future__ import annotations

from typing import Any

from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from docgen import erasure
from docgen.api import access, services
from docgen.api.documents import json_body
from docgen.api.openapi import blueprint, problems, schema_ref
from docgen.registry import applicant_key

bp = blueprint("erasures", __name__, url_prefix="/v1")
TAG = Tag(name="privacy", description="个人信息：删除某位申报人保存在本服务中的个人信息")


class MaskedDocument(BaseModel):
    document_id: str = Field(description="文书编号：仍可核验（类型、SHA-256、大小、日期保留）")
    type: str = Field(description="文书类型")
    subject: str = Field(description="核验时显示的对象：已遮盖，如 张*（盲评版本为“盲评”）")


class ErasedBatch(BaseModel):
    id: str = Field(description="批次编号")
    unit: str = Field(description="单位名称")
    items: int = Field(description="清除了该申报人内容的文书数（本人的各份文书及列有本人的花名册）")
    files_deleted: list[str] = Field(description="删除的文件（含本人内容的 archive.zip、print.pdf 等）；此后下载该批次为 410")
    documents: list[MaskedDocument] = Field(description="本人的文书：登记保留，对象姓名遮盖")


class Erasure(BaseModel):
    """What an erasure removed."""

    id_number: str = Field(description="遮盖后的身份证号码", examples=["652801********2311"])
    batches: list[ErasedBatch] = Field(description="含该申报人的批次（启用 API 密钥时仅本单位的）；没有则为空列表")
    documents: list[MaskedDocument] = Field(description="单独生成（POST /v1/documents）给该申报人的文书：登记保留，"
                                                        "对象姓名遮盖（启用 API 密钥时仅本单位的）")


@bp.post("/erasures", tags=[TAG], summary="删除一位申报人的个人信息（按身份证号码）", operation_id="erase_applicant",
         description="清除该申报人在各批次中保存的数据（本人文书的内容、花名册中本人的一行），删除含本人内容的文件"
                     "（本人的文件、ZIP、合并打印 PDF；此后下载为 410），本人文书的登记保留编号、类型、指纹与日期以供核验，"
                     "对象姓名遮盖为“张*”；单独生成给本人的文书同样遮盖。身份证号码放在请求体中，不会出现在访问日志里。"
                     "批次仍在生成时为 409。",
         responses={200: Erasure, **problems(400, 409, 413, 415, 422)},
         openapi_extensions={"requestBody": {"required": True, "content": {"application/json": {
             "schema": schema_ref(bp.components_schemas, erasure.ErasureRequest),
             "example": {"id_number": "652801199003152311"}}}}})
def erase() -> dict[str, Any]:
    id_number = erasure.checked(json_body())
    caller, here = access.caller(), services()
    return erasure.erase(here.store, here.storage, id_number, applicant_key(here.settings.SECRET_KEY, id_number),
                         lambda resource, resource_id: access.keys().may_see(resource, resource_id, caller))
