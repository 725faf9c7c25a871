"""Batches: a unit's whole set, in-process, with its ZIP (a folder per applicant) and a duplex print PDF."""
from __future__ import annotations

import copy
import io
import json
import time
import zipfile
from pathlib import Path

import pypdf
from openpyxl import Workbook

from docgen import profiles
from docgen.kinds import KINDS

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))


def _wait(client, location, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(location).json
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"batch still {status['status']} after {seconds}s")


def _download(client, url) -> bytes:
    with client.get(url) as resp:   # send_file responses hold the file open until closed
        assert resp.status_code == 200
        return resp.data


def test_batch_yields_the_profiles_set(client):
    resp = client.post("/v1/batches", json=SAMPLE)
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    assert status["status"] == "done" and status["errors"] == []
    assert status["progress"]["done"] == status["progress"]["total"] > 0
    names = zipfile.ZipFile(io.BytesIO(_download(client, status["links"]["archive"]))).namelist()
    expected = [s for s in profiles.get("bazhou-2024").documents if s in KINDS]
    per_person = [s for s in expected if "applicants" not in KINDS[s].model.model_fields]
    for i, folder in enumerate(("1-阿不都热合曼·买买提", "2-李娟")):
        for slug in per_person:
            if any(k not in SAMPLE["applicants"][i].get("payload", {}) for k in KINDS[slug].batch_when):
                assert not any(n.startswith(folder + "/") and KINDS[slug].title in n for n in names)
                continue
            assert any(n.startswith(folder + "/") and KINDS[slug].title in n and n.endswith(".pdf") for n in names), \
                (folder, slug, names)
    assert any("附件3-个人承诺书.docx" in n for n in names)   # numbered as seed 000 lists it


def test_print_pdf_pads_every_document_to_even_pages(client):
    resp = client.post("/v1/batches", json=SAMPLE)
    status = _wait(client, resp.headers["Location"])
    pdf = pypdf.PdfReader(io.BytesIO(_download(client, status["links"]["print"])))
    assert len(pdf.pages) % 2 == 0
    texts = [p.extract_text() or "" for p in pdf.pages]
    assert sum("个人承诺书" in t for t in texts) == 2


def test_invalid_applicant_rejected_before_anything_is_written(client, app):
    bad = copy.deepcopy(SAMPLE)
    bad["applicants"][1]["id_number"] = "650102198802290027"
    resp = client.post("/v1/batches", json=bad)
    assert resp.status_code == 422
    pointers = {e["pointer"] for e in resp.json["errors"]}
    assert "/applicants/1/id_number" in pointers
    assert any("李娟" in e["detail"] for e in resp.json["errors"])
    assert not (Path(app.config["DATA_DIR"]) / "batches").exists()


def test_unknown_batch_and_not_done(client):
    assert client.get("/v1/batches/nope").status_code == 404
    assert client.get("/v1/batches/nope/archive").status_code == 404


def test_xlsx_roster_upload(client):
    book = Workbook()
    sheet = book.active
    sheet.append(["2024年度农业科学专业职称申报人员花名册"])
    sheet.append(["单位（盖章）：巴音郭楞蒙古自治州农业科学研究所"])
    sheet.append(["序号", "姓名", "性别", "族别", "政治面貌", "身份证号码", "现任专业职务", "获现任专业职务时间",
                  "拟晋升专业技术职务", "工作单位", "是否通过", "备注"])
    sheet.append([1, "李娟", "女", "汉族", "群众", "650102198802290026", "研究实习员", "2018-07-01", "助理研究员",
                  "巴音郭楞蒙古自治州农业科学研究所", "是", "无"])
    buf = io.BytesIO()
    book.save(buf)
    resp = client.post("/v1/batches", data={"file": (io.BytesIO(buf.getvalue()), "花名册.xlsx"),
                                            "profile": "bazhou-2024", "documents": "commitment"},
                       content_type="multipart/form-data")
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    names = zipfile.ZipFile(io.BytesIO(_download(client, status["links"]["archive"]))).namelist()
    assert names == ["1-李娟/附件3-个人承诺书.docx", "1-李娟/附件3-个人承诺书.pdf"]


def test_not_an_xlsx_is_400(client):
    resp = client.post("/v1/batches", data={"file": (io.BytesIO(b"not excel"), "x.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
