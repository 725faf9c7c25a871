"""What a document's verification link opens: was it issued by docgen, what, when, and its fingerprint."""
from __future__ import annotations

from flask import current_app, render_template_string, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from docgen.errors import Problem
from docgen.render import qr

bp = APIBlueprint("verify", __name__, url_prefix="/v1")
TAG = Tag(name="核验", description="按文书编号核验文书是否由本服务出具")

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


class VerifyQuery(BaseModel):
    s: str | None = Field(None, description="二维码链接中的签名（SECRET_KEY 的 HMAC）；给出时核对")


@bp.get("/verify/<document_id>", tags=[TAG], summary="核验文书：JSON（Accept: application/json）或网页")
def verify(path: VerifyPath, query: VerifyQuery):
    issued = current_app.extensions["registry"].get(path.document_id)
    if issued is None:
        raise Problem(404, "查无此文书", f"编号“{path.document_id}”的文书未由本服务出具，或编号有误", slug="unknown-document")
    data = issued.public()
    # the link's signature: None when the link carries none (an id typed by hand), else whether it matches
    valid = None if query.s is None else qr.signature_valid(path.document_id, query.s, current_app.config["SECRET_KEY"])
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return {"genuine": valid is not False, "signature_valid": valid, **data}
    return render_template_string(PAGE, d=data, signature_valid=valid)
