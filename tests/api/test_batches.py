"""Batches: a unit's whole set, in-process, with its ZIP (a folder per applicant) and a duplex print PDF."""
from __future__ import annotations

import copy
import io
import json
import time
import zipfile
from pathlib import Path

import pypdf
import pytest
from openpyxl import Workbook

from docgen import profiles
from docgen.documents import sample
from docgen.kinds import KINDS

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))
SAMPLE_ROSTER = sample("roster")


def _wait(client, location, seconds=120, headers=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(location, headers=headers).json
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"batch still {status['status']} after {seconds}s")


def _download(client, url) -> bytes:
    with client.get(url) as resp:   # send_file responses hold the file open until closed
        assert resp.status_code == 200
        return resp.data


@pytest.mark.databases
def test_batch_yields_the_profiles_set(client):
    resp = client.post("/v1/batches", json=SAMPLE)
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    assert status["status"] == "done" and status["errors"] == []
    assert status["progress"]["done"] == status["progress"]["total"] > 0
    names = zipfile.ZipFile(io.BytesIO(_download(client, status["links"]["archive"]))).namelist()
    expected = [s for s in profiles.get("bazhou-2024").documents if s in KINDS]
    per_person = [s for s in expected if "applicants" not in KINDS[s].model.model_fields]
    for i, folder in enumerate(("files/01-阿不都热合曼·买买提", "files/02-李娟")):
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


def test_unknown_batch_and_not_done(client, app):
    assert client.get("/v1/batches/nope").status_code == 404
    assert client.get("/v1/batches/nope/archive").status_code == 404

    class Held:
        """A dispatch that sends nothing anywhere: the batch stays queued."""

        def __call__(self, batch_id, item_ids):
            self.batch_id = batch_id

        def close(self):
            pass

    app.extensions["docgen"].dispatch = Held()
    resp = client.post("/v1/batches", json=SAMPLE)
    assert resp.status_code == 202
    location = resp.headers["Location"]
    assert client.get(location).json["status"] == "queued"
    for name in ("archive", "print.pdf"):
        early = client.get(f"{location}/{name}")
        assert early.status_code == 409 and early.mimetype == "application/problem+json", name
        assert early.headers["Retry-After"] and "queued" in early.json["detail"]


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
    assert sorted(names) == ["files/01-李娟/附件3-个人承诺书.docx", "files/01-李娟/附件3-个人承诺书.pdf", "manifest.json"]


def test_not_an_xlsx_is_400(client):
    resp = client.post("/v1/batches", data={"file": (io.BytesIO(b"not excel"), "x.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"


def test_roster_xlsx_round_trip(client):
    """The XLSX docgen writes for the roster reads back as a batch: route, dates and 是/否 recovered."""
    from docgen.documents import sample
    from docgen.batch.xlsx import read_roster

    roster = sample("roster")
    xlsx = client.post("/v1/documents/roster?format=xlsx", json=roster)
    assert xlsx.status_code == 200
    data = read_roster(xlsx.data)
    assert data["unit"]["name"] == roster["unit"]["name"]
    assert [a["name"] for a in data["applicants"]] == [a["name"] for a in roster["applicants"]]
    for got, sent in zip(data["applicants"], roster["applicants"], strict=True):
        assert got["id_number"] == sent["id_number"]
        assert got["route"] in (sent["route"], "初定" if sent["route"] == "初次确定" else sent["route"])
        if sent.get("current_title_date"):
            assert got["current_title_date"][:7] == sent["current_title_date"][:7]
        if sent.get("passed") is not None:
            assert got["passed"] is sent["passed"]
    resp = client.post("/v1/batches", data={"file": (io.BytesIO(xlsx.data), "花名册.xlsx"), "documents": "commitment,roster"},
                       content_type="multipart/form-data")
    assert resp.status_code == 202, resp.json


def test_tacheng_batch_yields_tachengs_set(client):
    """A Tacheng unit gets Tacheng's documents: 廉政情况证明 and 真实性保证书 too, numbered 附件4/5, roster 附件8."""
    batch = copy.deepcopy(SAMPLE)
    batch["profile"] = "tacheng-2023"
    batch["defaults"] = {"integrity-certificate": {"issuer": "塔城地区农业农村局纪检组"}}
    resp = client.post("/v1/batches", json=batch)
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    assert status["status"] == "done", status
    names = zipfile.ZipFile(io.BytesIO(_download(client, status["links"]["archive"]))).namelist()
    person = [n.rsplit("/", 1)[1] for n in names if n.startswith("files/02-李娟/")]
    for expected in ("附件1-推荐单位公示.pdf", "附件2-推荐单位公示结果.pdf", "附件3-个人承诺书.pdf",
                     "附件4-廉政情况证明.pdf", "附件5-专业技术资格评审材料真实性保证书.pdf"):
        assert expected in person, person
    assert "files/附件8-申报人员花名册.xlsx" in names
    assert not any("免除继续教育" in n for n in person)  # 李娟 gives no 免学理由


def test_missing_document_field_is_named_before_the_run(client):
    batch = copy.deepcopy(SAMPLE)
    batch["profile"] = "tacheng-2023"
    resp = client.post("/v1/batches", json=batch)
    assert resp.status_code == 422
    assert any(e["document"] == "integrity-certificate" and "纪检" in e["detail"] for e in resp.json["errors"])



def test_unit_fields_are_reported_once_and_roster_errors_name_the_applicant(client):
    """The 纪检部门 and the 办公室 missing for every applicant are one error each, at the batch's own field; a bad ID
    number found by the roster names the applicant, not the unit (the roster's subject)."""
    batch = copy.deepcopy(SAMPLE)
    batch["profile"] = "tacheng-2023"
    del batch["unit"]["office"]
    batch["applicants"][1]["id_number"] = batch["applicants"][1]["id_number"][:17] + "0"
    errors = client.post("/v1/batches", json=batch).json["errors"]
    assert [e["pointer"] for e in errors].count("/unit/office") == 1
    issuer = [e for e in errors if e["pointer"].endswith("/issuer")]
    assert [e["pointer"] for e in issuer] == ["/defaults/integrity-certificate/issuer"]
    id_errors = [e for e in errors if e["pointer"] == "/applicants/1/id_number"]
    name = batch["applicants"][1]["name"]
    assert id_errors and all(e["detail"].startswith(f"{name}：") for e in id_errors), id_errors
    assert not any(e["detail"].startswith(batch["unit"]["name"]) for e in errors), errors


def test_the_upload_takes_the_issuer_as_a_form_field(client):
    """廉政情况证明's 出具单位 comes with a roster upload as the multipart field defaults.integrity-certificate.issuer."""
    from docgen.documents import sample

    xlsx = client.post("/v1/documents/roster?format=xlsx", json=sample("roster")).data
    form = {"profile": "tacheng-2023", "documents": "integrity-certificate", "formats": "pdf"}
    missing = client.post("/v1/batches", data={"file": (io.BytesIO(xlsx), "花名册.xlsx"), **form},
                          content_type="multipart/form-data")
    assert missing.status_code == 422
    assert [e["pointer"] for e in missing.json["errors"]] == ["/defaults/integrity-certificate/issuer"]
    resp = client.post("/v1/batches", data={"file": (io.BytesIO(xlsx), "花名册.xlsx"), **form,
                                            "defaults.integrity-certificate.issuer": "塔城地区农业农村局纪检组"},
                       content_type="multipart/form-data")
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"])
    archive = zipfile.ZipFile(io.BytesIO(_download(client, status["links"]["archive"])))
    certificate = next(n for n in archive.namelist() if n.endswith("廉政情况证明.pdf"))
    assert "塔城地区农业农村局纪检组" in pypdf.PdfReader(io.BytesIO(archive.read(certificate))).pages[0].extract_text()


@pytest.mark.databases
def test_every_batch_file_verifies(client):
    """Each PDF of a batch is registered: presented to the id in its metadata, the file itself verifies."""
    import hashlib

    resp = client.post("/v1/batches", json=SAMPLE)
    status = _wait(client, resp.headers["Location"])
    archive = zipfile.ZipFile(io.BytesIO(_download(client, status["links"]["archive"])))
    # a 申报材料.pdf bundles these documents (each page keeps its own code); it is not issued itself
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf") and not n.endswith("申报材料.pdf")]
    assert pdfs
    for name in pdfs:
        content = archive.read(name)
        document_id = pypdf.PdfReader(io.BytesIO(content)).metadata["/Keywords"]
        info = client.post(f"/v1/verify/{document_id}", data=content, headers={"Accept": "application/json"},
                           content_type="application/pdf").json
        assert info["content_matches"] and info["sha256"] == hashlib.sha256(content).hexdigest(), name


def test_the_batch_applicant_is_typed(client):
    """A client reads every field of an applicant from /openapi.json, typed as the documents type it (issue 23)."""
    schemas = client.get("/openapi.json").json["components"]["schemas"]
    applicant, payload = schemas["BatchApplicant"], schemas["BatchPayload"]
    assert applicant["additionalProperties"] is False and payload["additionalProperties"] is False
    assert applicant["required"] == ["name"]
    declared = {k for kind in KINDS.values() for k in kind.model.model_json_schema()["properties"]}
    assert {"gender", "ethnicity", "id_number", "route", "passed", "photo", "education"} <= set(applicant["properties"])
    assert {"political", "achievements", "reason", "review", "periods"} <= set(payload["properties"]) <= declared
    gender = applicant["properties"]["gender"]
    assert ["男", "女"] in [variant.get("enum") for variant in gender["anyOf"]]
    assert "申报人员花名册时必填" in applicant["properties"]["route"]["description"]


def test_a_misspelt_key_is_a_422_at_its_pointer(client):
    bad = copy.deepcopy(SAMPLE)
    bad["applicants"][0]["gendre"] = "男"
    bad["applicants"][1]["payload"]["politcal"] = "…"
    resp = client.post("/v1/batches", json=bad)
    assert resp.status_code == 422
    errors = {e["pointer"]: e["detail"] for e in resp.json["errors"]}
    assert set(errors) == {"/applicants/0/gendre", "/applicants/1/payload/politcal"}
    assert errors["/applicants/0/gendre"].startswith("阿不都热合曼·买买提：") and "gendre" in errors["/applicants/0/gendre"]


def test_a_422_lists_each_field_once_where_it_was_given(client):
    """A 公示结果 dated before the 公示 ends fails its own check and the batch's cross-check: one error, at the
    applicant's date, not also at the unit's /date."""
    bad = copy.deepcopy(SAMPLE)
    bad["applicants"][0]["payload"]["date"] = "2024-01-01"
    bad["applicants"][1]["gender"] = 3
    resp = client.post("/v1/batches", json=bad)
    assert resp.status_code == 422
    pointers = [e["pointer"] for e in resp.json["errors"]]
    assert len(pointers) == len(set(pointers)), pointers
    assert set(pointers) == {"/applicants/0/payload/date", "/notice/end_date", "/applicants/1/gender"}


def test_an_idempotency_key_sent_again_with_another_batch_is_a_422(client):
    """The same key retries the same batch (200, the same id); with other content it is refused, never answered with
    the first batch as if it were the second."""
    headers = {"Idempotency-Key": "unit-7-2024-09"}
    first = client.post("/v1/batches", json=SAMPLE, headers=headers)
    assert first.status_code == 202
    same = client.post("/v1/batches", data=json.dumps(SAMPLE, indent=2), content_type="application/json",
                       headers=headers)
    assert same.status_code == 200 and same.json["id"] == first.json["id"]
    other = copy.deepcopy(SAMPLE)
    other["applicants"][1]["specialty"] = "植物保护"
    reused = client.post("/v1/batches", json=other, headers=headers)
    assert reused.status_code == 422 and reused.mimetype == "application/problem+json"
    assert reused.json["type"].endswith("/idempotency-key-reused") and first.json["id"] in reused.json["detail"]
    fewer_formats = client.post("/v1/batches", json={**SAMPLE, "formats": ["pdf"]}, headers=headers)
    assert fewer_formats.status_code == 422


def test_the_template_is_not_a_batch(client):
    """OPTIONS names what a path answers: the template is read, never deleted; a batch id is 32 hex digits."""
    allowed = set(client.options("/v1/batches/template.xlsx").headers["Allow"].split(", "))
    assert allowed == {"GET", "HEAD", "OPTIONS", "POST"}   # POST: the template with the page's rows filled in
    assert "DELETE" in client.options(f"/v1/batches/{'0' * 32}").headers["Allow"]
    assert client.delete("/v1/batches/template.xlsx").status_code == 405



def test_a_small_batch_does_not_wait_behind_another_units_big_one(client):
    """The probe: A's one-applicant batch waited 100 s behind B's 400. Units take turns: B's 40 评审表, then A's
    one; A's is done before half of B's are (a 4-page form through WeasyPrint: a letter, written directly, is so
    quick that B's items outran A's finishing step)."""
    from tests.helpers import many_applicants

    small = {**copy.deepcopy(SAMPLE), "documents": ["evaluation-form"], "formats": ["pdf"]}
    big = {**copy.deepcopy(small), "applicants": many_applicants(40, SAMPLE["applicants"][1])}
    big["unit"]["name"] = "巴音郭楞蒙古自治州畜牧科学研究所"
    small["applicants"] = small["applicants"][:1]
    b = client.post("/v1/batches", json=big)
    a = client.post("/v1/batches", json=small)
    assert b.status_code == 202 and a.status_code == 202, (b.json, a.json)
    done = _wait(client, a.headers["Location"])
    behind = client.get(b.headers["Location"]).json
    assert done["status"] == "done" and behind["progress"]["total"] == 40
    assert behind["progress"]["done"] < 20, behind["progress"]
    assert _wait(client, b.headers["Location"])["status"] == "done"


class Held:
    """A dispatch that sends nothing anywhere: the batch stays queued."""

    def __call__(self, batch_id, item_ids):
        pass

    def close(self):
        pass


def _issued_by(app, batch_id):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from docgen.registry import IssuedDocument

    with Session(app.extensions["docgen"].registry.engine) as session:
        return session.scalar(select(func.count()).where(IssuedDocument.batch_id == batch_id))


def test_cancel_a_queued_batch(client, app):
    """Nothing of a queued batch is made once cancelled: it says so, has no files, and frees the unit's quota."""
    app.extensions["docgen"].dispatch = Held()
    resp = client.post("/v1/batches", json=SAMPLE)
    location = resp.headers["Location"]
    cancelled = client.post(f"{location}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled", cancelled.json
    assert cancelled.json["finished_at"] and "links" not in cancelled.json
    assert client.post(f"{location}/cancel").json["status"] == "cancelled"     # again: the same answer
    items = app.extensions["docgen"].store.items(resp.json["id"])
    assert items and {item.status for item in items} == {"cancelled"}
    for name in ("archive", "print.pdf"):
        gone = client.get(f"{location}/{name}")
        assert gone.status_code == 410 and "已取消" in gone.json["title"], name
    assert not list(app.extensions["docgen"].storage.keys(f"batches/{resp.json['id']}"))   # its scans' folder too
    deleted = client.delete(location)
    assert deleted.status_code == 200 and deleted.json["files_deleted"]["reason"] == "deleted"
    assert client.post("/v1/batches/nope/cancel").status_code == 404


def test_cancel_a_running_batch_drops_what_is_not_done(client, app):
    """Cancelled while it runs: items not started are never started, those in hand are discarded (not issued,
    their files removed); what was done before stays issued; the runner goes on with the next batch."""
    from tests.helpers import many_applicants

    big = {**copy.deepcopy(SAMPLE), "documents": ["commitment"], "formats": ["pdf"],
           "applicants": many_applicants(150, SAMPLE["applicants"][1])}   # a 承诺书 PDF takes ~5 ms: still running
    resp = client.post("/v1/batches", json=big)
    location = resp.headers["Location"]
    deadline = time.monotonic() + 120
    while client.get(location).json["progress"]["done"] < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    cancelled = client.post(f"{location}/cancel").json
    assert cancelled["status"] == "cancelled" and 2 <= cancelled["progress"]["done"] < 150, cancelled
    later = client.post("/v1/batches", json={**big, "applicants": big["applicants"][:1]}).headers["Location"]
    assert _wait(client, later)["status"] == "done"
    settled = client.get(location).json
    assert settled["status"] == "cancelled" and settled["progress"] == cancelled["progress"]
    assert _issued_by(app, resp.json["id"]) == cancelled["progress"]["done"]     # one PDF an item, nothing more
    assert not list(app.extensions["docgen"].storage.keys(f"batches/{resp.json['id']}"))
    assert client.post(f"{location}/cancel").status_code == 200
    finished = client.post(f"{later}/cancel")     # done already: nothing to cancel
    assert finished.status_code == 409 and finished.mimetype == "application/problem+json"
    assert client.get(later).json["status"] == "done"


def test_delete_of_a_running_batch_cancels_it_first(client, app):
    app.extensions["docgen"].dispatch = Held()
    resp = client.post("/v1/batches", json=SAMPLE)
    deleted = client.delete(resp.headers["Location"])
    assert deleted.status_code == 200, deleted.json
    assert deleted.json["status"] == "cancelled" and deleted.json["files_deleted"]["reason"] == "deleted"

def test_a_unit_named_like_a_path_names_no_path_in_the_downloads(client):
    batch = {**copy.deepcopy(SAMPLE), "documents": ["roster"], "formats": ["pdf"]}
    batch["unit"]["name"] = "../../etc/巴州农科所"
    status = _wait(client, client.post("/v1/batches", json=batch).headers["Location"])
    assert status["status"] == "done", status
    with client.get(status["links"]["archive"]) as resp:
        disposition = resp.headers["Content-Disposition"]
    fallback = disposition.split('filename="')[1].split('"')[0] if 'filename="' in disposition else \
        disposition.split("filename=")[1].split(";")[0]
    assert "/" not in fallback and not fallback.startswith(".") and fallback.endswith(".zip")
    assert "%2F" not in disposition and "/" not in disposition.split("filename*=UTF-8''")[1]
    roster = client.post("/v1/documents/roster?format=pdf", json={**SAMPLE_ROSTER, "unit": batch["unit"]})
    encoded = roster.headers["Content-Disposition"].split("filename*=UTF-8''")[1]
    assert roster.status_code == 200 and "/" not in encoded and "..%2F..%2Fetc%2F" in encoded


def test_unwritable_storage_is_503_and_no_batch_is_accepted(tmp_path):
    from docgen.app import create_app

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the artifacts folder should be")
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "ARTIFACTS_DIR": str(blocked)})
    resp = app.test_client().post("/v1/batches", json=SAMPLE)
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json", resp.json
    assert resp.headers["Retry-After"] and "不可写" in resp.json["detail"]
    assert app.extensions["docgen"].store.unfinished() == []
    app.extensions["docgen"].close()
