"""What a document's verification link opens: was it issued by docgen, what, when, and what is proven.

`genuine` is true only when something proves it: the link's signature (HMAC with the deployment's key) or
the bytes of a presented file hash to what the registry holds, and the document is not revoked. An id typed by
hand proves only that such a document was registered; the answer says so. The registered SHA-256 is shown only
to whoever presented those bytes: anyone with an id could otherwise read it and replay it as a proof.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flask import render_template_string, request
from flask_openapi3 import Tag
from pydantic import BaseModel, Field, ValidationError

from docgen.api import access, services
from docgen.api.documents import json_body
from docgen import profiles
from docgen.api.openapi import Answer, blueprint, problems, schema_ref
from docgen.errors import InvalidPayload, Problem, chinese_errors
from docgen.registry import IssuedDocument, utc
from docgen.render import qr, signature
from docgen.rules import cn_datetime

bp = blueprint("verify", __name__, url_prefix="/v1")
TAG = Tag(name="verification", description="核验：按文书编号核验文书是否由本服务出具；吊销文书")

# a phone opens it from the QR code: one column, readable at 390 px; times in Beijing time, in Chinese
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>文书核验</title><link rel="icon" href="data:,">
<style>body{font-family:"Noto Sans CJK SC",sans-serif;max-width:40em;margin:0 auto;padding:1em 1.1em 2em;
line-height:1.7;font-size:1.05rem;color:#1a1a1a;overflow-wrap:anywhere}h1{font-size:1.45rem;line-height:1.35}
h2{font-size:1.1rem;margin:1.2em 0 .3em}ul{padding-left:1.3em}dt{color:#555}dd{margin:0 0 .6em 0;font-weight:bold}
.bad{color:#b00}.id{font-family:monospace;font-weight:normal;word-break:break-all}</style></head><body>
{% if v.revoked %}<h1 class="bad">文书核验：已吊销</h1><p>此文书已于 {{ s.revoked_at }} 吊销（{{ d.revoke_reason }}），不再有效。</p>
{% elif v.genuine %}<h1>文书核验：真实</h1><p>{% if d.issuing_unit %}本文书由{{ d.issuing_unit }}出具，经本服务登记{% else %}本文书经本服务登记出具{% endif %}，登记信息如下。请核对纸质文书与下列信息是否一致。</p>
{% elif v.signature_valid is false or v.content_matches is false %}<h1 class="bad">文书核验：不符</h1>
<p>此编号的文书已登记，但{% if v.signature_valid is false %}核验链接的签名不符，链接（二维码）可能被篡改{% else %}所提交文件的指纹与登记不符，文件可能被改动{% endif %}。</p>
{% else %}<h1>文书核验：仅查到登记</h1><p>此编号的文书已登记，但未能证明手中的文书就是它：请扫描文书上的二维码，或提交文件核对指纹。</p>{% endif %}
<h2>已证明</h2><ul>{% for p in v.proven %}<li>{{ p }}</li>{% else %}<li>无</li>{% endfor %}</ul>
<h2>未证明</h2><ul>{% for p in v.not_proven %}<li>{{ p }}</li>{% else %}<li>无</li>{% endfor %}</ul>
{% if v.signatures is not none %}<h2>数字签名</h2><ul>{% for g in v.signatures %}<li{% if not g.intact %} class="bad"{% endif %}>{{ g.signer }}：{% if g.intact and g.whole_file %}签名完好，覆盖整个文件{% elif g.intact %}签名完好，但签名后文件又有改动{% else %}签名已损坏：文件在签名后被改动{% endif %}</li>{% else %}<li>所提交的 PDF 没有数字签名</li>{% endfor %}</ul>{% endif %}
<h2>登记信息</h2><dl><dt>文书</dt><dd>{{ d.title }}</dd><dt>对象</dt><dd>{{ d.subject }}</dd>
<dt>出具单位</dt><dd>{{ s.issuer }}</dd><dt>出具时间（北京时间）</dt><dd>{{ s.issued_at }}</dd>
<dt>地区</dt><dd>{{ s.region }}</dd>
<dt>文书编号</dt><dd class="id">{{ d.document_id }}</dd>{% if d.sha256 %}<dt>内容指纹（SHA-256）</dt><dd class="id">{{ d.sha256 }}</dd>{% endif %}</dl>
</body></html>"""
UNKNOWN_ISSUER = "本服务（出具时未使用单位密钥，未记录出具单位）"


class VerifyPath(BaseModel):
    document_id: str = Field(description="文书编号（X-Document-Id）", max_length=64)


class SignatureCheck(BaseModel):
    """A digital signature found in a presented PDF."""

    field: str = Field(description="签名域名称")
    intact: bool = Field(description="签名完好：签名所覆盖的内容未被改动，签名值与证书相符")
    whole_file: bool = Field(description="签名覆盖整个文件（其后没有追加改动）")
    signer: str = Field(description="签名证书的主体（单位）")
    signed_at: str | None = Field(description="签名者自报的签名时间")


class Verification(BaseModel):
    """What a verification answers (JSON)."""

    genuine: bool = Field(description="已证明为本服务出具且未吊销：链接签名相符，或所提交文件的 SHA-256 与登记一致")
    revoked: bool = Field(description="是否已吊销")
    signature_valid: bool | None = Field(description="链接签名是否相符；未带签名（手输编号）为 null")
    content_matches: bool | None = Field(description="所提交文件是否与登记的文件逐字节相同（SHA-256 一致）；未提交为 null")
    proven: list[str] = Field(description="这次核验证明了什么")
    not_proven: list[str] = Field(description="这次核验没有证明什么")
    document_id: str = Field(description="文书编号")
    type: str = Field(description="文书类型（slug）")
    title: str = Field(description="文书名称")
    profile: str = Field(description="地区配置")
    profile_name: str = Field(description="地区配置的名称：发文机关与年度")
    issuing_unit: str | None = Field(description="出具单位：出具时所用密钥的单位，或批量生成时的单位；未记录为 null")
    subject: str = Field(description="文书对象：申报人姓名或单位名称")
    format: str = Field(description="出具的格式：pdf、docx 或 xlsx")
    sha256: str | None = Field(description="出具文件的 SHA-256（64位小写十六进制）：仅当所提交文件与登记一致时给出，否则为 null"
                                           "（只凭编号不显示，以免被当作证明转述）", pattern="^[0-9a-f]{64}$")
    size: int = Field(description="出具文件的字节数")
    issued_at: dt.datetime = Field(description="出具时间（UTC）")
    revoked_at: dt.datetime | None = Field(description="吊销时间（UTC）")
    revoke_reason: str | None = Field(description="吊销原因")
    signatures: list[SignatureCheck] | None = Field(
        description="所提交 PDF 的数字签名（单位签章）：是否完好、签名者；未提交 PDF 为 null，未签名为空列表")


class Revocation(BaseModel):
    """What a revocation answers."""

    document_id: str = Field(description="文书编号")
    revoked_at: dt.datetime = Field(description="吊销时间（UTC）")
    revoke_reason: str = Field(description="吊销原因")


class VerifyQuery(BaseModel):
    s: str | None = Field(None, description="二维码链接中的签名（SECRET_KEY 的 HMAC）；给出时核对", max_length=200)


class RevokeBody(BaseModel):
    reason: str = Field(title="吊销原因", min_length=1, max_length=200)


def _unknown(document_id: str) -> Problem:
    return Problem(404, "查无此文书", f"编号“{document_id}”的文书未由本服务出具，或编号有误", slug="unknown-document")


def _issued(document_id: str) -> IssuedDocument:
    issued = services().registry.get(document_id)
    if issued is None:
        raise _unknown(document_id)
    return issued


def _presented() -> bytes | None:
    """Return the file presented (POST body or multipart `file`); None for a GET. A hash given in the query
    proves nothing (it is no evidence of holding the file), so none is read."""
    if request.method != "POST":
        return None
    upload = request.files.get("file")
    content = upload.read() if upload is not None else request.get_data(cache=False)
    if not content:
        raise Problem(400, "没有提交文件", "请在请求体中提交要核对的文件（或用 multipart 的 file 字段），不能为空",
                      slug="file-required")
    return content


def _signatures(content: bytes | None) -> list[dict[str, Any]] | None:
    """Return the digital signatures of a presented PDF (intact or not, who signed), None without a PDF."""
    if content is None or not content.startswith(b"%PDF-"):
        return None
    return signature.signatures(content)


def _verdict(issued: IssuedDocument, signature: str | None, presented: str | None) -> dict[str, Any]:
    secret = services().settings.SECRET_KEY
    signature_valid = None if signature is None else qr.signature_valid(issued.id, signature, secret)
    content_matches = None if presented is None else presented == issued.sha256
    revoked = issued.revoked_at is not None
    proven, not_proven = ["此编号的文书由本服务登记出具"], []
    if signature_valid:
        proven.append("核验链接（二维码）由本服务签发，未被篡改")
    elif signature_valid is None:
        not_proven.append("未提供核验链接的签名：不能证明链接来自文书上的二维码")
    else:
        not_proven.append("核验链接的签名不符：链接不是本服务为此文书签发的")
    if content_matches:
        proven.append("所提交文件与登记的文件逐字节相同（SHA-256 一致）")
    elif content_matches is None:
        not_proven.append("未提交文件：不能证明手中文书的内容未被改动（纸质文书请与下列登记信息核对）")
    else:
        not_proven.append("所提交文件与登记的文件不同（SHA-256 不一致）：内容可能被改动")
    if revoked:
        not_proven.append("此文书已吊销，不再有效")
    return {"genuine": not revoked and bool(signature_valid or content_matches), "revoked": revoked,
            "signature_valid": signature_valid, "content_matches": content_matches,
            "proven": proven, "not_proven": not_proven}


def _issuing_unit(issued: IssuedDocument) -> str | None:
    """Return who issued a document, as the registry knows it: the unit of the key it was issued with, else
    the unit of the key or of the roster of its batch; None when it was issued without either."""
    unit = services().keys.issuer(issued.id, issued.batch_id)
    if unit is None and issued.batch_id:
        batch = services().store.get(issued.batch_id)
        unit = batch.unit if batch is not None else None
    return unit


def _profile_name(profile_id: str) -> str:
    """Return the name of a profile (发文机关与年度); its id if it is no longer known."""
    try:
        return profiles.get(profile_id).name
    except profiles.UnknownProfile:
        return profile_id


def _shown(issued: IssuedDocument, data: dict[str, Any]) -> dict[str, str]:
    """Return what the page shows in words: Beijing times in Chinese, the region's and the unit's names."""
    return {"issued_at": cn_datetime(issued.issued_at),
            "revoked_at": cn_datetime(issued.revoked_at) if issued.revoked_at else "",
            "region": str(data["profile_name"]), "issuer": str(data["issuing_unit"] or UNKNOWN_ISSUER)}


def _answer(path: VerifyPath, query: VerifyQuery) -> Answer:
    issued = _issued(path.document_id)
    content = _presented()
    presented = hashlib.sha256(content).hexdigest() if content is not None else None
    verdict = {**_verdict(issued, query.s, presented), "signatures": _signatures(content)}
    data = {**issued.public(), "profile_name": _profile_name(issued.profile), "issuing_unit": _issuing_unit(issued)}
    if not verdict["content_matches"]:
        data["sha256"] = None   # shown only to whoever presented the very bytes
    # JSON unless the client prefers a page (a browser opening the QR link); */* (API clients) gets JSON
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json":
        return {**verdict, **data}
    return render_template_string(PAGE, d=data, v=verdict, s=_shown(issued, data))


_ANSWER = {200: {"description": "核验结果与登记信息：JSON；浏览器（Accept 首选 text/html）得到网页", "content": {
    "application/json": {"schema": schema_ref(bp.components_schemas, Verification)},
    "text/html": {"schema": {"type": "string"}}}}, **problems(404)}


_PRESENTED = {"requestBody": {"required": True, "description": "要核对的文件：整个请求体，或 multipart 的 file 字段", "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary", "minLength": 1}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "手中的文件（PDF、DOCX 或 XLSX）"}}}}}}}


@bp.get("/verify/<document_id>", tags=[TAG], summary="核验文书：JSON，浏览器打开为网页",
        description="二维码打开的地址。带链接中的签名 s 时核对签名，带 sha256 时核对文件指纹；"
                    "只凭编号只能证明此编号已登记。Accept 首选 text/html（浏览器）时回答网页，否则 JSON。",
        operation_id="verify_document", responses=_ANSWER)
def verify(path: VerifyPath, query: VerifyQuery) -> Answer:
    return _answer(path, query)


@bp.post("/verify/<document_id>", tags=[TAG], summary="核验文书并核对所提交文件（请求体或 multipart 的 file）的指纹",
         description="提交手中的文件：其 SHA-256 与登记一致且未吊销即为真实（genuine）。没有文件（空请求体、"
                     "multipart 缺少 file）为 400。",
         operation_id="verify_document_file", responses={**_ANSWER, **problems(400, 413)}, openapi_extensions=_PRESENTED)
def verify_file(path: VerifyPath, query: VerifyQuery) -> Answer:
    return _answer(path, query)


@bp.post("/verify/<document_id>/revocation", tags=[TAG], summary="吊销文书：此后核验显示已吊销",
         description="吊销一份已出具的文书（须写明原因）；已吊销的再次吊销不改变原吊销时间与原因。"
                     "要求 API 密钥时只能吊销本单位出具的文书。",
         operation_id="revoke_document", responses={
             200: {"description": "已吊销", "content": {
                 "application/json": {"schema": schema_ref(bp.components_schemas, Revocation)}}},
             **problems(400, 401, 404, 413, 415, 422)},
         openapi_extensions={"requestBody": {"required": True, "content": {"application/json": {
             "schema": schema_ref(bp.components_schemas, RevokeBody), "example": {"reason": "申报人撤回申请"}}}}})
def revoke(path: VerifyPath) -> Answer:
    try:
        body = RevokeBody.model_validate(json_body())
    except ValidationError as exc:
        raise InvalidPayload(chinese_errors(exc, RevokeBody)) from None
    if not access.may_revoke(_issued(path.document_id)):
        raise _unknown(path.document_id)   # another unit's document is none of this caller's business
    issued = services().registry.revoke(path.document_id, body.reason)
    assert issued is not None and issued.revoked_at is not None   # _issued() found it; revoked now or before
    return {"document_id": issued.id, "revoked_at": utc(issued.revoked_at).isoformat(),
            "revoke_reason": issued.revoke_reason}
