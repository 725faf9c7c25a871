"""What a document's verification link opens: was it issued by docgen, what, when, and its fingerprint."""
from __future__ import annotations

import datetime as dt

from flask import current_app, render_template_string, request
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from docgen.api.openapi import blueprint, problems, schema_ref
from docgen.errors import Problem
from docgen.render import qr

bp = blueprint("verify", __name__, url_prefix="/v1")
TAG = Tag(name="verification", description="核验：按文书编号核验文书是否由本服务出具")

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>文书核验</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;max-width:40em;margin:2em auto;line-height:1.7}
dt{color:#555}dd{margin:0 0 .6em 0;font-weight:bold}</style></head><body>
{% if signature_valid is false %}<h1>文书核验：链接签名无效</h1><p>此编号的文书已登记，但核验链接的签名不符，
链接（二维码）可能被篡改。请以下列登记信息为准，谨慎核对纸质文书。</p>{% else %}
<h1>文书核验：真实</h1><p>本文书由 docgen 出具，登记信息如下。请核对纸质文书与下列信息是否一致。</p>{% endif %}
<dl><dt>文书</dt><dd>{{ d.title }}</dd><dt>对象</dt><dd>{{ d.subject }}</dd>
<dt>出具时间（UTC）</dt><dd>{{ d.issued_at }}</dd><dt>地区配置</dt><dd>{{ d.profile }}</dd>
<dt>文书编号</dt><dd>{{ d.document_id }}</dd><dt>内容指纹（SHA-256）</dt><dd style="word-break:break-all">{{ d.sha256 }}</dd></dl>
</body></html>"""


class VerifyPath(BaseModel):
    document_id: str = Field(description="文书编号（X-Document-Id）")


class Verification(BaseModel):
    """What a verification answers (JSON)."""

    genuine: bool = Field(description="是否由本服务出具且链接签名未被否定")
    signature_valid: bool | None = Field(description="链接签名是否相符；未带签名（手输编号）为 null")
    document_id: str = Field(description="文书编号")
    type: str = Field(description="文书类型（slug）")
    title: str = Field(description="文书名称")
    profile: str = Field(description="地区配置")
    subject: str = Field(description="文书对象：申报人姓名或单位名称")
    format: str = Field(description="出具的格式：pdf、docx 或 xlsx")
    sha256: str = Field(description="出具文件的 SHA-256（十六进制），可与手中文件比对")
    size: int = Field(description="出具文件的字节数")
    issued_at: dt.datetime = Field(description="出具时间（UTC）")


class VerifyQuery(BaseModel):
    s: str | None = Field(None, description="二维码链接中的签名（SECRET_KEY 的 HMAC）；给出时核对")


@bp.get("/verify/<document_id>", tags=[TAG], summary="核验文书：JSON，浏览器打开为网页",
        operation_id="verify_document", responses={
            200: {"description": "登记信息：JSON；浏览器（Accept 首选 text/html）得到网页", "content": {
                "application/json": {"schema": schema_ref(bp.components_schemas, Verification)},
                "text/html": {"schema": {"type": "string"}}}},
            **problems(404)})
def verify(path: VerifyPath, query: VerifyQuery):
    issued = current_app.extensions["registry"].get(path.document_id)
    if issued is None:
        raise Problem(404, "查无此文书", f"编号“{path.document_id}”的文书未由本服务出具，或编号有误", slug="unknown-document")
    data = issued.public()
    # the link's signature: None when the link carries none (an id typed by hand), else whether it matches
    valid = None if query.s is None else qr.signature_valid(path.document_id, query.s, current_app.config["SECRET_KEY"])
    # JSON unless the client prefers a page (a browser opening the QR link); */* (API clients) gets JSON
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json":
        return {"genuine": valid is not False, "signature_valid": valid, **data}
    return render_template_string(PAGE, d=data, signature_valid=valid)
