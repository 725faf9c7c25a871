"""Packages over HTTP: a multipart batch (JSON in `batch`, scans in attachment:<i>:<key>) yields each applicant's
申报材料.pdf in the archive; every bad scan, key or index is a Chinese 422 at its pointer."""
from __future__ import annotations

import copy
import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
from flask.testing import FlaskClient
from werkzeug.test import TestResponse
import pypdfium2 as pdfium
import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.api import SERVICES
from docgen.registry import IssuedDocument
from docgen.render.merge import page_count
from tests.batch import scans
from tests.helpers import pdf_pages_text

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))


def _one(**changes) -> dict:
    """Return the sample batch with its first applicant only (how the web page asks for one package)."""
    batch = copy.deepcopy(SAMPLE)
    batch["applicants"] = batch["applicants"][:1]
    return {**batch, **changes}


def _post(client, batch: dict, parts: list[tuple[str, bytes, str]], **query):
    """Post a batch as multipart: the JSON in the part `batch` (a file part), then each scan in its own part."""
    form = MultiDict([("batch", FileStorage(io.BytesIO(json.dumps(batch, ensure_ascii=False).encode()), "batch.json",
                                            content_type="application/json"))])
    for name, content, filename in parts:
        form.add(name, FileStorage(io.BytesIO(content), filename))
    boundary, body = encode_multipart(form)     # in memory: the test client would spool a large body to a file
    return client.post("/v1/batches", query_string=query, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _wait(client, location, seconds=300):
    deadline = time.monotonic() + seconds
    while (status := client.get(location).json)["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    return status


def _archive(client, status) -> zipfile.ZipFile:
    with client.get(status["links"]["archive"]) as resp:
        assert resp.status_code == 200
        return zipfile.ZipFile(io.BytesIO(resp.data))


def _bookmarks(pdf: bytes) -> dict[str, int]:
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_outline() as outline:
        return {item.title: doc.pages.index(pikepdf.Page(item.destination[0])) + 1 for item in outline.root}


SCANS = [("attachment:0:continuing-education", scans.phone_photo, "继续教育证书.jpg"),
         ("attachment:0:certificates", scans.two_page_pdf, "毕业证书.pdf"),
         ("attachment:0:annual-review", scans.landscape_scan, "2023年度考核表.png"),
         ("attachment:0:annual-review", scans.landscape_scan, "2022年度考核表.png")]


def test_a_one_applicant_batch_with_scans_yields_its_package(client):
    parts = [(name, make(), filename) for name, make, filename in SCANS]
    batch = _one(copy_note={"copier": "王建国", "date": "2024-09-09"})
    resp = _post(client, batch, parts)
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    assert status["status"] == "done", status["errors"]
    archive = _archive(client, status)
    folder = "files/01-阿不都热合曼·买买提"
    pdf = archive.read(f"{folder}/申报材料.pdf")
    alone = client.get(resp.headers["Location"] + "/packages/0")     # the page takes it alone
    assert alone.status_code == 200 and alone.mimetype == "application/pdf" and alone.data == pdf
    missing = client.get(resp.headers["Location"] + "/packages/1")
    assert missing.status_code == 404 and "序号1" in missing.json["detail"]
    manifest = json.loads(archive.read("manifest.json"))
    (entry,) = [f for f in manifest["files"] if f["path"] == f"{folder}/申报材料.pdf"]
    assert entry["pages"] == page_count(pdf) and entry["type"] == "package"
    rows = {row["key"]: row for row in entry["items"]}
    # seed 000 (四): the list's order, the 评审表 in its 2 copies, each scan where its item is
    marks = _bookmarks(pdf)
    titles = list(marks)
    assert titles[0] == "申报材料目录"
    assert titles.index("申报人员公示") < titles.index("《专业技术职务任职资格评审表》") < titles.index("个人承诺书")
    for key, row in rows.items():
        if row["pages"]:
            assert marks[row["title"]] == row["pages"][0], key
    assert rows["annual-review"]["pages"][1] - rows["annual-review"]["pages"][0] == 1     # two scans, a page each
    assert rows["certificates"]["pages"][1] - rows["certificates"]["pages"][0] == 1       # the 2-page PDF
    assert rows["id-card"]["pages"] is None and rows["id-card"]["note"] == "未上传"
    text = pdf_pages_text(pdf)
    printed = re.findall(r"(\d+)[–-](\d+)", text[0])
    assert [list(map(int, p)) for p in printed] == [r["pages"] for r in entry["items"]
                                                     if r["pages"] and r["pages"][0] != r["pages"][1]]
    first, _ = rows["annual-review"]["pages"]
    assert "复印件" in text[first - 1] and "王建国" in text[first - 1]     # annotate_copy: 复印人 printed


@pytest.mark.parametrize(("name", "content", "pointer", "words"), [
    ("attachment:0:id-card", b"GIF89a not a scan", "/attachments/0/id-card/0", "只接受 JPG、PNG"),
    ("attachment:0:passport", None, "/attachments/0/passport/0", "可用：continuing-education"),
    ("attachment:0:public-notice", None, "/attachments/0/public-notice/0", "不是"),
    ("attachment:3:id-card", None, "/attachments/3/id-card/0", "本批共1人"),
    ("photo", None, "/attachments", "attachment:<申报人序号>:<材料编号>"),
])
def test_a_bad_part_is_a_422_at_its_pointer(client, name, content, pointer, words):
    resp = _post(client, _one(), [(name, content if content is not None else scans.landscape_scan(), "x.png")])
    assert resp.status_code == 422, resp.json
    (error,) = resp.json["errors"]
    assert error["pointer"] == pointer and words in error["detail"], error


def test_masks_must_fall_on_the_scans_pages_and_every_description_needs_its_part(client):
    batch = _one()
    batch["applicants"][0]["attachments"] = {
        "certificates": [{"masks": {"3": [[0.1, 0.1, 0.5, 0.2]]}}],
        "id-card": [{"masks": {"1": [[0.1, 0.1, 0.5, 0.2]]}}]}
    resp = _post(client, batch, [("attachment:0:certificates", scans.two_page_pdf(), "证书.pdf")])
    assert resp.status_code == 422
    assert {e["pointer"] for e in resp.json["errors"]} == {"/applicants/0/attachments/certificates/0/masks/3",
                                                           "/applicants/0/attachments/id-card/0"}
    batch["applicants"][0]["attachments"] = {"certificates": [{"masks": {"1": [[0.5, 0.1, 0.2, 0.2]]}}]}
    resp = _post(client, batch, [("attachment:0:certificates", scans.two_page_pdf(), "证书.pdf")])
    assert resp.status_code == 422
    assert [e["pointer"] for e in resp.json["errors"]] == ["/applicants/0/attachments/certificates/0/masks"]


def test_the_openapi_describes_the_multipart_batch_and_the_new_fields(client):
    spec = client.get("/openapi.json").json
    body = spec["paths"]["/v1/batches"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"batch", "file"} <= set(body["properties"])
    assert "attachment:<申报人序号>:<材料编号>" in body["additionalProperties"]["description"]
    request = spec["components"]["schemas"]["BatchRequest"]["properties"]
    assert {"dates", "copy_note", "blind", "package"} <= set(request)


def _dark(pdf: bytes, page: int) -> float:
    """Return the share of near-black pixels on a page (1-based), rendered at 36 dpi."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[page - 1].render(scale=0.5).to_pil().convert("L")
    finally:
        document.close()
    return sum(image.histogram()[:8]) / (image.width * image.height)


def test_a_blind_batch_also_writes_the_blind_package_with_the_masks_burnt_in(client, app):
    batch = _one(blind=True)
    batch["applicants"][0]["attachments"] = {"continuing-education": [{"masks": {"1": [[0.2, 0.2, 0.8, 0.5]]}}]}
    resp = _post(client, batch, [("attachment:0:continuing-education", scans.phone_photo(), "证书.jpg")])
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    archive = _archive(client, status)
    folder = "files/01-阿不都热合曼·买买提"
    seen, blind = archive.read(f"{folder}/申报材料.pdf"), archive.read(f"{folder}/申报材料（盲评）.pdf")
    entries = {f["path"]: f for f in json.loads(archive.read("manifest.json"))["files"]}
    assert entries[f"{folder}/申报材料（盲评）.pdf"]["blind"] is True
    rows = {r["key"]: r for r in entries[f"{folder}/申报材料（盲评）.pdf"]["items"]}
    scan = rows["continuing-education"]["pages"][0]
    assert _dark(blind, scan) > _dark(seen, scan) + 0.05        # the masked band is black in the pixels
    text = pdf_pages_text(blind)
    evaluation = rows["evaluation-form"]["pages"]
    assert "阿不都热合曼" not in text[0] and "阿不都热合曼" in pdf_pages_text(seen)[0]   # the 目录's blind form
    assert all("阿不都热合曼" not in text[p - 1] for p in range(evaluation[0], evaluation[1] + 1))
    # the blind 评审表 was rendered for this package and issued with the batch: its QR code verifies
    with Session(app.extensions[SERVICES].registry.engine) as session:
        issued = session.scalars(select(IssuedDocument).where(IssuedDocument.batch_id == status["id"],
                                                              IssuedDocument.kind == "evaluation-form",
                                                              IssuedDocument.format == "pdf")).all()
    assert sorted(row.subject for row in issued) == sorted(["阿不都热合曼·买买提", "盲评"])


def test_a_profile_without_a_paper_package_writes_none(client):
    # seed 004 四(一)(二): 无需上报纸质材料
    batch = _one(profile="urumqi-etdz-2024")
    batch["defaults"]["recommendation"] = {"competent": {"name": "乌鲁木齐经济技术开发区管理委员会"}}
    resp = _post(client, batch, [])
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    assert status["status"] == "done", status["errors"]
    names = _archive(client, status).namelist()
    assert any(n.endswith(".pdf") for n in names) and not any("申报材料" in n for n in names)


def _check(client: FlaskClient, content: bytes) -> TestResponse:
    """Post one file to the scan check, the body built in memory (as _post does)."""
    boundary, body = encode_multipart(MultiDict([("file", FileStorage(io.BytesIO(content), "证书"))]))
    return client.post("/v1/batches/scans/check", data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize(("make", "kind", "pages"), [(scans.two_page_pdf, "pdf", 2), (scans.landscape_scan, "png", 1),
                                                     (scans.phone_photo, "jpeg", 1)])
def test_a_scan_is_checked_alone_as_a_batch_checks_it(client: FlaskClient, make: Callable[[], bytes], kind: str,
                                                     pages: int) -> None:
    content = make()
    resp = _check(client, content)
    assert resp.status_code == 200, resp.json
    assert resp.json == {"kind": kind, "pages": pages, "size": len(content)}


def test_a_scan_the_batch_would_refuse_is_refused_alone_in_its_words(client: FlaskClient) -> None:
    resp = _check(client, b"GIF89a not a scan")
    assert resp.status_code == 422
    (error,) = resp.get_json()["errors"]
    assert error["pointer"] == "/file" and "只接受 JPG、PNG" in error["detail"]
    assert client.post("/v1/batches/scans/check", data={}).get_json()["errors"][0]["pointer"] == "/file"


def test_a_package_with_phone_photos_may_be_larger_than_a_json_body(tmp_path: Path) -> None:
    """Scans come in multipart, counted against MAX_UPLOAD_BYTES: a package over MAX_BODY_BYTES is taken (before,
    the page's one-click package with three phone photos was 413); over MAX_UPLOAD_BYTES it is 413 in Chinese."""
    from docgen.app import create_app

    photo = scans.phone_photo()
    config = {"TESTING": True, "DATA_DIR": str(tmp_path), "MAX_BODY_BYTES": 2**20, "BATCH_RUNNER": "none"}
    assert len(photo) > 2**20
    taken = create_app(config).test_client()
    resp = _post(taken, _one(), [("attachment:0:certificates", photo, "毕业证书.jpg")])
    assert resp.status_code == 202, resp.get_json()
    json_body = json.dumps({**_one(), "padding": "x" * 2**20})
    too_big = taken.post("/v1/batches", data=json_body, content_type="application/json")
    assert too_big.status_code == 413 and too_big.get_json()["detail"] == "请求体不能超过1 MB"

    refused = create_app({**config, "MAX_UPLOAD_BYTES": 2**20}).test_client()
    resp = _post(refused, _one(), [("attachment:0:certificates", photo, "毕业证书.jpg")])
    assert resp.status_code == 413 and resp.mimetype == "application/problem+json"
    assert resp.get_json()["detail"] == "请求体不能超过1 MB"
