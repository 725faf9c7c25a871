"""Erasing one applicant's personal data (POST /v1/erasures, `docgen erase`): payloads redacted, the files that
hold their data deleted (downloads then 410), the documents they were issued still verifiable under a masked
name — on SQLite and PostgreSQL; scoped to a unit's own batches when keys are required."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import logging
import time
import zipfile

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from docgen.access import Keys
from docgen.app import create_app
from docgen.cli import main
from docgen.documents import sample
from tests.api.test_batches import SAMPLE, _download

ERASED = SAMPLE["applicants"][0]          # 阿不都热合曼·买买提, 652801199003152311
KEPT = SAMPLE["applicants"][1]            # 李娟


def _batch() -> dict:
    """Two applicants, each's 承诺书 and the roster listing both (PDF; the roster also XLSX)."""
    batch = copy.deepcopy(SAMPLE)
    batch.update(applicants=batch["applicants"][:2], documents=["roster", "commitment"], formats=["pdf"])
    return batch


def _submit(client, headers=None) -> str:
    """Submit the two-applicant batch; return its status URL once it is done."""
    resp = client.post("/v1/batches", json=_batch(), headers=headers)
    assert resp.status_code == 202, resp.json
    location, deadline = resp.headers["Location"], time.monotonic() + 120
    while (status := client.get(location, headers=headers).json)["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    assert status["status"] == "done", status
    return location


def _payloads(app) -> list[str]:
    """Return the items' payloads as the database holds them (JSON text)."""
    with Session(app.extensions["docgen"].registry.engine) as session:
        return list(session.scalars(text("SELECT payload FROM batch_items")))


@pytest.mark.databases
def test_erasure_removes_the_applicant_and_keeps_verification(app, client, caplog):
    location = _submit(client)
    archive = zipfile.ZipFile(io.BytesIO(_download(client, f"{location}/archive")))
    manifest = json.loads(archive.read("manifest.json"))
    theirs = [f for f in manifest["files"] if f["applicant"] == ERASED["name"]]
    assert [f["type"] for f in theirs] == ["commitment"]
    their_pdf = archive.read(theirs[0]["path"])
    assert any(ERASED["id_number"] in p for p in _payloads(app))

    single = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"))   # the same person
    single_id = single.headers["X-Document-Id"]
    filed = app.extensions["docgen"].registry.get(single_id).applicant_key
    assert filed and filed != hashlib.sha256(ERASED["id_number"].encode()).hexdigest()   # keyed: not reversible

    caplog.set_level(logging.INFO)
    resp = client.post("/v1/erasures", json={"id_number": ERASED["id_number"]})
    assert resp.status_code == 200, resp.json
    report = resp.json
    assert report["id_number"] == "652801********2311"
    [batch] = report["batches"]
    assert batch["id"] == location.rsplit("/", 1)[1] and batch["items"] == 2      # the 承诺书 and the roster
    assert set(batch["files_deleted"]) == {"archive.zip", "print.pdf"}
    assert batch["documents"] == [{"document_id": theirs[0]["document_id"], "type": "commitment",
                                   "subject": "阿*********"}]
    assert report["documents"] == [{"document_id": single_id, "type": "commitment", "subject": "阿*********"}]
    assert ERASED["id_number"] not in caplog.text

    # nothing stored names them any more; the other applicant is untouched
    payloads = _payloads(app)
    assert not any(ERASED["id_number"] in p or ERASED["name"] in p for p in payloads)
    roster = next(json.loads(p) for p in payloads if "applicants" in json.loads(p))
    assert roster["applicants"][0] == {"erased": True} and roster["applicants"][1]["id_number"] == KEPT["id_number"]
    assert any(KEPT["id_number"] in p for p in payloads if "applicant" in json.loads(p))

    # the batch says why its files are gone, and downloads answer 410 as after DELETE
    status = client.get(location).json
    assert status["files_deleted"]["reason"] == "erased" and "links" not in status
    for name in ("archive", "print.pdf"):
        gone = client.get(f"{location}/{name}")
        assert gone.status_code == 410 and gone.mimetype == "application/problem+json"
        assert "因删除申报人的个人信息" in gone.json["detail"]
    assert not list(app.extensions["docgen"].storage.keys(f"batches/{batch['id']}"))

    # what was issued stays verifiable by the file itself, under the masked name
    document_id = theirs[0]["document_id"]
    posted = client.post(f"/v1/verify/{document_id}", data=their_pdf, headers={"Accept": "application/json"},
                         content_type="application/pdf").json
    assert posted["genuine"] and posted["content_matches"]
    assert posted["subject"] == "阿*********" and posted["type"] == "commitment"
    assert posted["sha256"] == theirs[0]["sha256"] and posted["size"] == len(their_pdf)
    verified = client.post(f"/v1/verify/{single_id}", data=single.data, headers={"Accept": "application/json"},
                           content_type="application/octet-stream").json
    assert verified["genuine"] and verified["subject"] == "阿*********"
    assert app.extensions["docgen"].registry.get(single_id).applicant_key is None
    kept = next(f for f in manifest["files"] if f["applicant"] == KEPT["name"])
    assert client.get(f"/v1/verify/{kept['document_id']}", headers={"Accept": "application/json"}).json[
        "subject"] == KEPT["name"]

    again = client.post("/v1/erasures", json={"id_number": ERASED["id_number"].lower()})   # nothing left to find
    assert again.status_code == 200 and again.json["batches"] == [] and again.json["documents"] == []


def test_a_blind_copy_names_nobody_and_stays_so(client):
    payload = sample("evaluation-form")
    blind = client.post("/v1/documents/evaluation-form?format=pdf&blind=true&copies=1", json=payload)
    assert blind.status_code == 200
    resp = client.post("/v1/erasures", json={"id_number": payload["applicant"]["id_number"]})
    assert resp.json["documents"] == [{"document_id": blind.headers["X-Document-Id"], "type": "evaluation-form",
                                       "subject": "盲评"}]


def test_bad_id_numbers_get_the_payloads_chinese_422(client):
    for body, pointer, words in (({"id_number": "652801199003152312"}, "/id_number", "校验位"),
                                 ({}, "/id_number", "身份证号码为必填项"),
                                 ({"id_number": "6528"}, "/id_number", "身份证号码"),
                                 ({"id_number": ERASED["id_number"], "name": "x"}, "/name", "不认识的字段")):
        resp = client.post("/v1/erasures", json=body)
        assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
        [error] = resp.json["errors"]
        assert error["pointer"] == pointer and words in error["detail"], resp.json
    assert client.post("/v1/erasures", data="id_number=1", content_type="text/plain").status_code == 415
    assert client.post("/v1/erasures", data="{", content_type="application/json").status_code == 400


def test_a_batch_still_running_is_left_alone(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "BATCH_RUNNER": "none"})   # nothing runs it
    client = app.test_client()
    location = client.post("/v1/batches", json=_batch()).headers["Location"]
    resp = client.post("/v1/erasures", json={"id_number": ERASED["id_number"]})
    assert resp.status_code == 409 and resp.headers["Retry-After"] and location.rsplit("/", 1)[1] in resp.json["detail"]
    assert any(ERASED["id_number"] in p for p in _payloads(app))


def test_a_unit_erases_only_in_its_own_batches(tmp_path, capsys, monkeypatch):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "REQUIRE_API_KEY": True})
    keys = Keys(app.extensions["docgen"].registry.engine)
    mine, theirs = ({"Authorization": f"Bearer {keys.create(unit)[1]}"} for unit in ("甲单位", "乙单位"))
    client = app.test_client()
    my_batch, their_batch = _submit(client, mine), _submit(client, theirs)
    my_doc, their_doc = (client.post("/v1/documents/commitment?format=docx", json=sample("commitment"),
                                     headers=headers).headers["X-Document-Id"] for headers in (mine, theirs))
    assert client.post("/v1/erasures", json={"id_number": ERASED["id_number"]}).status_code == 401
    resp = client.post("/v1/erasures", json={"id_number": ERASED["id_number"]}, headers=mine)
    assert [b["id"] for b in resp.json["batches"]] == [my_batch.rsplit("/", 1)[1]]
    assert [d["document_id"] for d in resp.json["documents"]] == [my_doc]
    assert app.extensions["docgen"].registry.get(their_doc).subject == ERASED["name"]
    assert client.get(f"{my_batch}/archive", headers=mine).status_code == 410
    with client.get(f"{their_batch}/archive", headers=theirs) as kept:
        assert kept.status_code == 200

    # the command line is the administrator's: every unit's batches
    monkeypatch.setenv("DOCGEN_DATA_DIR", str(tmp_path))
    assert main(["erase", ERASED["id_number"]]) == 0
    out = capsys.readouterr().out
    assert "652801********2311：1 个批次" in out and their_batch.rsplit("/", 1)[1] in out and "阿*********" in out
    assert ERASED["id_number"] not in out and f"{their_doc}（阿*********）" in out
    with client.get(f"{their_batch}/archive", headers=theirs) as gone:
        assert gone.status_code == 410
    assert not any(ERASED["id_number"] in p for p in _payloads(app))
    assert main(["erase", "652801199003152312"]) == 2
    assert "校验位" in capsys.readouterr().err
