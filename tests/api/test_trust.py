"""Seal, signature, PDF/A and QR code through the API and the CLI: the unit's credentials from the deployment's
settings or registered per unit (docgen units), never from a payload; the verification of a signed file."""
from __future__ import annotations

import pikepdf
import io

import pytest

from docgen.app import create_app
from docgen.cli import main
from docgen.documents import sample
from tests.render.credentials import seal_png, throwaway_ca

UNIT = "巴音郭楞蒙古自治州农业科学研究所"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("credentials")
    p12, ca = throwaway_ca(UNIT)
    (folder / "seal.png").write_bytes(seal_png())
    (folder / "unit.p12").write_bytes(p12)
    return folder


@pytest.fixture
def sealing_client(tmp_path, files):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SEAL_IMAGE": str(files / "seal.png"),
                      "SIGNING_P12": str(files / "unit.p12"), "SIGNING_PASSWORD": "pw"})
    yield app.test_client()
    app.extensions["docgen"].close()


def test_signed_file_verifies_intact_and_names_the_signer(sealing_client):
    resp = sealing_client.post("/v1/documents/public-notice?format=pdf&seal=true&sign=true&pdfa=true",
                               json=sample("public-notice"))
    assert resp.status_code == 200
    url = f"/v1/verify/{resp.headers['X-Document-Id']}"
    answer = sealing_client.post(url, data=resp.data, headers=JSON, content_type="application/pdf").json
    assert answer["genuine"] is True
    assert [(s["intact"], s["whole_file"], UNIT in s["signer"]) for s in answer["signatures"]] == [(True, True, True)]
    at = resp.data.index(b"\n") + 2
    broken = resp.data[:at] + bytes([resp.data[at] ^ 1]) + resp.data[at + 1:]
    answer = sealing_client.post(url, data=broken, headers=JSON, content_type="application/pdf").json
    assert answer["genuine"] is False and [s["intact"] for s in answer["signatures"]] == [False]
    page = sealing_client.post(url, data=broken, headers={"Accept": "text/html"}, content_type="application/pdf")
    assert "签名已损坏" in page.get_data(as_text=True)


def test_unsigned_pdf_has_no_signatures(sealing_client):
    resp = sealing_client.post("/v1/documents/public-notice?format=pdf", json=sample("public-notice"))
    answer = sealing_client.post(f"/v1/verify/{resp.headers['X-Document-Id']}", data=resp.data, headers=JSON,
                                 content_type="application/pdf").json
    assert answer["signatures"] == []


@pytest.mark.parametrize("query, detail", [
    ("format=pdf&seal=true", "不加盖单位印章"),
    ("format=pdf&sign=true", "不加盖单位印章"),
])
def test_applicants_own_document_refuses_the_seal(sealing_client, query, detail):
    resp = sealing_client.post(f"/v1/documents/commitment?{query}", json=sample("commitment"))
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert detail in resp.json["detail"]


def test_docx_is_not_signed_nor_pdfa(sealing_client):
    for option in ("sign", "pdfa"):
        resp = sealing_client.post(f"/v1/documents/public-notice?format=docx&{option}=true", json=sample("public-notice"))
        assert resp.status_code == 400 and "PDF" in resp.json["detail"]


def test_no_credentials_configured_is_said(client):
    resp = client.post("/v1/documents/public-notice?format=pdf&seal=true", json=sample("public-notice"))
    assert resp.status_code == 400 and "docgen units seal" in resp.json["detail"]
    resp = client.post("/v1/documents/public-notice?format=pdf&sign=true", json=sample("public-notice"))
    assert resp.status_code == 400 and "docgen units certificate" in resp.json["detail"]
    assert client.post("/v1/documents/public-notice?qr=maybe", json=sample("public-notice")).status_code == 400


def test_units_registered_by_the_cli_sign_for_their_key(tmp_path, files, monkeypatch, capsys):
    monkeypatch.setenv("DOCGEN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DOCGEN_SIGNING_PASSWORD", "pw")
    assert main(["units", "seal", UNIT, str(files / "seal.png")]) == 0
    assert main(["units", "certificate", UNIT, str(files / "unit.p12")]) == 0
    assert main(["keys", "create", UNIT]) == 0
    token = capsys.readouterr().out.split("key:")[1].split()[0]
    assert main(["units", "seal", UNIT, str(files / "unit.p12")]) == 1            # not a PNG: refused
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "REQUIRE_API_KEY": True})
    try:
        client = app.test_client()
        resp = client.post("/v1/documents/recommendation?format=pdf&seal=true&sign=true",
                           json=sample("recommendation"), headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 200
        answer = client.post(f"/v1/verify/{resp.headers['X-Document-Id']}", data=resp.data, headers=JSON,
                             content_type="application/pdf").json
        assert [UNIT in s["signer"] and s["intact"] for s in answer["signatures"]] == [True]
        stored = app.extensions["docgen"].units.get(UNIT)
        assert b"BEGIN" not in stored.p12 and (files / "unit.p12").read_bytes() == stored.p12
        with app.extensions["docgen"].registry.engine.connect() as db:
            raw = db.exec_driver_sql("SELECT certificate FROM unit_credentials").scalar_one()
        assert (files / "unit.p12").read_bytes()[:64] not in raw                       # encrypted at rest
    finally:
        app.extensions["docgen"].close()


def test_cli_renders_sealed_pdfa(tmp_path, files, monkeypatch):
    monkeypatch.setenv("DOCGEN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DOCGEN_SEAL_IMAGE", str(files / "seal.png"))
    (tmp_path / "in.json").write_text(__import__("json").dumps(sample("notice-result"), ensure_ascii=False))
    assert main(["render", "notice-result", str(tmp_path / "in.json"), "-o", str(tmp_path / "out.pdf"),
                 "--seal", "--pdfa", "--no-qr"]) == 0
    pdf = pikepdf.open(io.BytesIO((tmp_path / "out.pdf").read_bytes()))
    assert pdf.open_metadata()["pdfaid:part"] == "2" and "/OutputIntents" in pdf.Root


def test_unusable_credentials_stop_the_start_naming_the_setting(tmp_path, files):
    from docgen.config import ConfigError

    with pytest.raises(ConfigError, match="DOCGEN_SEAL_IMAGE"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SEAL_IMAGE": str(files / "unit.p12")})
    with pytest.raises(ConfigError, match="DOCGEN_SIGNING_P12"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SIGNING_P12": str(files / "unit.p12"),
                    "SIGNING_PASSWORD": "wrong"})


def test_batch_seals_and_signs_the_documents_it_names(sealing_client):
    import json
    import time
    import zipfile
    from pathlib import Path

    from docgen.render import signature

    batch = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))
    batch = {**batch, "applicants": batch["applicants"][:1], "documents": ["public-notice", "commitment"],
             "formats": ["pdf"], "seal": ["public-notice"], "sign": ["public-notice"], "pdfa": True}
    refused = sealing_client.post("/v1/batches", json={**batch, "seal": ["commitment"]})
    assert refused.status_code == 422 and refused.json["errors"][0]["pointer"] == "/seal/0"
    resp = sealing_client.post("/v1/batches", json=batch)
    assert resp.status_code == 202, resp.json
    deadline = time.monotonic() + 120
    while (status := sealing_client.get(resp.headers["Location"]).json)["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert status["status"] == "done", status
    with sealing_client.get(status["links"]["archive"]) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    notice = archive.read(next(n for n in archive.namelist() if n.endswith("推荐单位公示.pdf")))
    commitment = archive.read(next(n for n in archive.namelist() if n.endswith("个人承诺书.pdf")))
    assert [s["intact"] for s in signature.signatures(notice)] == [True]
    assert signature.signatures(commitment) == []
    assert pikepdf.open(io.BytesIO(commitment)).open_metadata()["pdfaid:part"] == "2"
