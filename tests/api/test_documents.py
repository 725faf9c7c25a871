"""The HTTP API as an integrating service sees it: status codes, headers, files and problem+json errors."""
from __future__ import annotations

import io
import json
import time
from urllib.parse import unquote

import pikepdf
import pytest

from docgen.documents import sample
from docgen.kinds import KINDS
from tests.helpers import docx_text, pdf_text

PROBLEM = "application/problem+json"


def _commitment(**applicant):
    payload = sample("commitment")
    payload["applicant"] = {**payload["applicant"], **applicant}
    return payload


def test_list_document_types(client):
    resp = client.get("/v1/document-types")
    assert resp.status_code == 200
    types = {t["slug"]: t for t in resp.json["document_types"]}
    assert set(types) == set(KINDS)
    assert types["commitment"]["title"] == "个人承诺书"
    assert client.get(types["commitment"]["links"]["schema"]).status_code == 200
    assert "bazhou-2024" in {p["id"] for p in resp.json["profiles"]}


@pytest.mark.parametrize("slug", list(KINDS))
def test_schema_and_sample_are_valid(client, slug):
    schema = client.get(f"/v1/document-types/{slug}/schema")
    assert schema.status_code == 200 and schema.json["type"] == "object"
    payload = client.get(f"/v1/document-types/{slug}/sample").json
    resp = client.post(f"/v1/documents/{slug}?format=docx", json=payload)
    assert resp.status_code == 200, resp.json


def test_post_commitment_pdf(client):
    resp = client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    disposition = resp.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "阿不都热合曼·买买提-个人承诺书.pdf"
    assert len(resp.headers["X-Document-Id"]) == 32
    assert "不得申报专业技术资格。" in pdf_text(resp.data)   # the name is signed by hand (the seeds' layout)


def test_format_from_accept_header(client):
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    resp = client.post("/v1/documents/commitment", json=sample("commitment"), headers={"Accept": docx_type})
    assert resp.status_code == 200 and resp.mimetype == docx_type
    assert "个人承诺书" in docx_text(resp.data)


def test_profile_query_changes_ban_years(client):
    payload = sample("commitment")
    payload.pop("profile", None)
    tacheng = client.post("/v1/documents/commitment?format=docx&profile=tacheng-2023", json=payload)
    default = client.post("/v1/documents/commitment?format=docx", json=payload)
    assert "5年内" in docx_text(tacheng.data)
    assert "3年内" in docx_text(default.data)


def test_escaping_in_docx(client):
    payload = sample("notice-result")
    payload["applicant"]["name"] = "张<三>&李"
    resp = client.post("/v1/documents/notice-result?format=docx", json=payload)
    assert resp.status_code == 200
    assert "张<三>&李" in docx_text(resp.data)


def test_unknown_type_is_404_problem(client):
    resp = client.post("/v1/documents/no-such-thing", json={})
    assert resp.status_code == 404
    assert resp.mimetype == PROBLEM
    assert "commitment" in resp.json["detail"]
    assert client.get("/v1/document-types/no-such-thing/schema").status_code == 404


def test_malformed_json_is_400(client):
    resp = client.post("/v1/documents/commitment", data='{"applicant": {', content_type="application/json")
    assert resp.status_code == 400
    assert resp.mimetype == PROBLEM
    assert "JSON" in resp.json["detail"] and "第1行" in resp.json["detail"]


def test_wrong_content_type_is_415(client):
    resp = client.post("/v1/documents/commitment", data="name=张三", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415
    assert resp.mimetype == PROBLEM


def test_too_large_is_413(tmp_path):
    from docgen.app import create_app
    small = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "MAX_BODY_BYTES": 1024}).test_client()
    payload = _commitment(name="张三" * 400)
    resp = small.post("/v1/documents/commitment", data=json.dumps(payload), content_type="application/json")
    assert resp.status_code == 413
    assert resp.mimetype == PROBLEM


def test_bad_format_is_400(client):
    resp = client.post("/v1/documents/commitment?format=odt", json=sample("commitment"))
    assert resp.status_code == 400 and resp.mimetype == PROBLEM


def test_invalid_payload_lists_every_field(client):
    payload = {"applicant": {"gender": "男", "id_number": "652801199003152313"}, "date": "2024-02-30"}
    resp = client.post("/v1/documents/commitment", json=payload)
    assert resp.status_code == 422
    assert resp.mimetype == PROBLEM
    errors = {e["pointer"]: e["detail"] for e in resp.json["errors"]}
    assert "姓名" in errors["/applicant/name"] and "必填" in errors["/applicant/name"]
    assert "校验位" in errors["/applicant/id_number"]
    assert "日期" in errors["/date"]


def test_gender_contradicting_id_number(client):
    resp = client.post("/v1/documents/commitment", json=_commitment(gender="女"))
    assert resp.status_code == 422
    assert resp.json["errors"] == [{"pointer": "/applicant/gender",
                                    "detail": "性别“女”与身份证号码不符（号码第17位表示男），请核对性别或号码"}]


def test_unknown_profile_is_422(client):
    resp = client.post("/v1/documents/commitment?profile=mars-2024", json=sample("commitment"))
    assert resp.status_code == 422
    assert resp.json["errors"][0]["pointer"] == "/profile"


def test_unknown_field_is_named(client):
    resp = client.post("/v1/documents/commitment", json=_commitment(nmae="x"))
    assert resp.status_code == 422
    assert resp.json["errors"][0]["pointer"] == "/applicant/nmae"


@pytest.mark.parametrize("body", ["[]", "null", "42", '"x"'])
def test_non_object_json_is_422_not_500(client, body):
    resp = client.post("/v1/documents/commitment", data=body, content_type="application/json")
    assert resp.status_code == 422
    assert resp.mimetype == PROBLEM


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_blank_form(client, fmt):
    resp = client.get(f"/v1/document-types/commitment/blank?format={fmt}&profile=tacheng-2023")
    assert resp.status_code == 200
    text = pdf_text(resp.data) if fmt == "pdf" else docx_text(resp.data)
    assert "5年内" in text and "手抄" in text


def test_health_ready_and_openapi(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"]["font:仿宋_GB2312"] == "FandolFang"
    spec = client.get("/openapi.json").json
    body = spec["paths"]["/v1/documents/commitment"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "applicant" in spec["components"]["schemas"][ref]["properties"]
    assert "Applicant" in spec["components"]["schemas"]
    assert client.get("/docs").status_code in (200, 302)
    page = client.get("/docs/swagger").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page
    with client.get("/docs/swagger/js/swagger-ui-bundle.js") as bundle:   # served by us: no CDN needed
        assert bundle.status_code == 200


def test_method_not_allowed_is_problem(client):
    resp = client.delete("/v1/document-types")
    assert resp.status_code == 405 and resp.mimetype == PROBLEM


def test_metrics_count_documents_and_errors(client):
    client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    client.post("/v1/documents/commitment", json={})
    text = client.get("/metrics").get_data(as_text=True)
    assert 'docgen_documents_issued_total{format="pdf",kind="commitment"} 1.0' in text
    assert 'status="422"' in text


def test_a_notice_period_of_centuries_is_refused_at_once(client):
    """Counting working days over millennia took 17 s (found by schemathesis): refused before counting."""
    payload = sample("public-notice")
    payload["notice"] = {"start_date": "1635-07-08", "end_date": "7801-11-16"}
    started = time.perf_counter()
    resp = client.post("/v1/documents/public-notice", json=payload)
    assert resp.status_code == 422 and time.perf_counter() - started < 2
    assert {"pointer": "/notice/end_date", "detail": "公示结束日期：公示期超过60天，请核对起止日期"} in resp.get_json()["errors"]


def test_copies_reach_the_forms_own_words(client):
    """?copies=3 prints three copies and each says 一式三份 (the profile's default would say 两份)."""
    resp = client.post("/v1/documents/evaluation-form?format=pdf&copies=3&profile=bazhou-2024",
                       json=sample("evaluation-form"))
    text = pdf_text(resp.data).replace("\n", "")
    assert resp.status_code == 200 and text.count("一式三份") == 3 and "一式两份" not in text
    blank = client.get("/v1/document-types/evaluation-form/blank?format=docx&copies=3")
    assert blank.status_code == 200 and "一式三份" in docx_text(blank.data)


def test_blank_forms_are_not_issued(client):
    client.get("/v1/document-types/commitment/blank?format=pdf")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'docgen_documents_issued_total{format="pdf",kind="commitment"}' not in text


def _registered(client) -> int:
    """Return how many documents the app's registry holds."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from docgen.registry import IssuedDocument

    with Session(client.application.extensions["docgen"].registry.engine) as session:
        return session.scalar(select(func.count()).select_from(IssuedDocument)) or 0


def _grey_pixels(content: bytes) -> list[int]:
    """Return, for each page rasterised at 40 dpi, how many pixels are the watermark's light grey."""
    import pypdfium2

    from docgen.render.watermark import GREY

    grey, counts = round(GREY * 255), []
    document = pypdfium2.PdfDocument(content)
    try:
        for page in document:
            histogram = page.render(scale=40 / 72, grayscale=True).to_pil().convert("L").histogram()
            counts.append(sum(histogram[grey - 12:grey + 13]))
            page.close()
    finally:
        document.close()
    return counts


def test_previews_register_nothing_and_carry_the_mark_on_every_page(client):
    """Three previews: no number, no registry row, no count; the 预览稿 mark is drawn on every page (an area,
    not text) and no QR code is; then one issue registers one document."""
    for fmt in ("pdf", "docx", "pdf"):
        resp = client.post(f"/v1/documents/evaluation-form?format={fmt}&preview=true", json=sample("evaluation-form"))
        assert resp.status_code == 200 and "X-Document-Id" not in resp.headers
        assert "%E9%A2%84%E8%A7%88%E7%A8%BF" in resp.headers["Content-Disposition"]   # 预览稿 in the file name
    assert _registered(client) == 0
    assert "docgen_documents_issued_total{" not in client.get("/metrics").get_data(as_text=True)

    preview = client.post("/v1/documents/commitment?preview=true", json=sample("commitment")).data
    issued = client.post("/v1/documents/commitment", json=sample("commitment"))
    assert issued.status_code == 200 and issued.headers["X-Document-Id"] and _registered(client) == 1
    assert 'docgen_documents_issued_total{format="pdf",kind="commitment"} 1.0' in client.get("/metrics").text
    marked, plain = _grey_pixels(preview), _grey_pixels(issued.data)
    assert len(marked) == len(plain) and all(m > p + 500 for m, p in zip(marked, plain, strict=True)), (marked, plain)
    assert "预览稿" not in pdf_text(preview) and pdf_text(preview) == pdf_text(issued.data)
    # the issued evaluation form has its watermark under every page and its QR code over it; the preview, as
    # many pages, only its mark under them
    issued_form = client.post("/v1/documents/evaluation-form", json=sample("evaluation-form")).data
    preview_form = client.post("/v1/documents/evaluation-form?preview=true", json=sample("evaluation-form")).data
    stamps = [[_stamps(page) for page in pikepdf.open(io.BytesIO(data)).pages] for data in (preview_form, issued_form)]
    assert len(stamps[0]) == len(stamps[1]) == 12
    assert all(page == {"grey"} for page in stamps[0]) and all(page == {"grey", "qr"} for page in stamps[1])


def _stamps(page: pikepdf.Page) -> set[str]:
    """Return what the forms a page draws hold: a light-grey mark ("grey"), a QR code's squares ("qr")."""
    from docgen.render.watermark import GREY

    found = set()
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) != "Do":
            continue
        form = page.Resources.XObject[operands[0]]
        if form.get("/Subtype") != "/Form":
            continue
        ops = form.read_bytes().decode("latin-1")
        found |= {"grey"} if f"{GREY:g} g" in ops else set()
        found |= {"qr"} if ops.count(" re") > 50 else set()
    return found
