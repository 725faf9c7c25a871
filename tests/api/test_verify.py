"""Issued documents are registered: their id verifies; the file itself or the signed link proves it."""
import datetime as dt
import hashlib
import io

import pytest

from docgen.documents import sample

pytestmark = pytest.mark.databases


def test_issued_document_verifies(client):
    resp = client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    document_id = resp.headers["X-Document-Id"]
    info = client.get(f"/v1/verify/{document_id}", headers={"Accept": "application/json"})
    assert info.status_code == 200
    # an id alone proves only that such a document was registered, not that the one in hand is it
    assert info.json["genuine"] is False and info.json["content_matches"] is None
    assert info.json["proven"] == ["此编号的文书由本服务登记出具"] and len(info.json["not_proven"]) == 2
    assert info.json["sha256"] is None    # the open answer keeps the hash: it would be replayed as a proof
    assert info.json["subject"] == "阿不都热合曼·买买提" and info.json["type"] == "commitment"
    page = client.get(f"/v1/verify/{document_id}", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "阿不都热合曼·买买提" in page.get_data(as_text=True)
    assert "仅查到登记" in page.get_data(as_text=True)
    assert hashlib.sha256(resp.data).hexdigest() not in page.get_data(as_text=True) + info.get_data(as_text=True)


def test_presented_file_proves_the_content(client):
    resp = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"))
    url = f"/v1/verify/{resp.headers['X-Document-Id']}"
    json_only = {"Accept": "application/json"}
    same = client.post(url, data=resp.data, headers=json_only, content_type="application/octet-stream").json
    assert same["genuine"] is True and same["content_matches"] is True
    assert same["sha256"] == hashlib.sha256(resp.data).hexdigest()     # the bytes were presented: shown
    changed = client.post(url, data=resp.data + b"\0", headers=json_only, content_type="application/octet-stream").json
    assert changed["genuine"] is False and changed["content_matches"] is False and changed["sha256"] is None


def test_a_replayed_hash_proves_nothing(client):
    """The probe: a link built from the document number alone plus a hash (read off an open answer, or sent
    along) is not 真实; the hash appears nowhere in the open answer, JSON or page."""
    resp = client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    url = f"/v1/verify/{resp.headers['X-Document-Id']}"
    digest = hashlib.sha256(resp.data).hexdigest()
    opened = client.get(url, headers={"Accept": "application/json"})
    assert digest not in opened.get_data(as_text=True)
    for headers in ({"Accept": "application/json"}, {"Accept": "text/html"}):
        replayed = client.get(f"{url}?sha256={digest}", headers=headers)
        assert replayed.status_code == 200 and digest not in replayed.get_data(as_text=True)
    replayed = client.get(f"{url}?sha256={digest}", headers={"Accept": "application/json"}).json
    assert replayed["genuine"] is False and replayed["content_matches"] is None
    assert "真实" not in client.get(f"{url}?sha256={digest}", headers={"Accept": "text/html"}).get_data(as_text=True)
    posted = client.post(f"{url}?sha256={digest}", data=digest.encode(), headers={"Accept": "application/json"},
                         content_type="application/octet-stream").json
    assert posted["genuine"] is False and posted["content_matches"] is False   # the hash is not the file


def test_revoked_document_is_not_genuine(client):
    resp = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"))
    url = f"/v1/verify/{resp.headers['X-Document-Id']}"
    revoked = client.post(f"{url}/revocation", json={"reason": "申报人撤回申请"})
    assert revoked.status_code == 200 and revoked.json["revoke_reason"] == "申报人撤回申请"
    info = client.post(url, data=resp.data, headers={"Accept": "application/json"},
                       content_type="application/octet-stream").json
    assert info["content_matches"] is True and info["revoked"] is True and info["genuine"] is False
    assert "已吊销" in client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert client.post(f"{url}/revocation", json={}).status_code == 422
    again = client.post(f"{url}/revocation", json={"reason": "另一个理由"})   # the first revocation stands
    assert again.status_code == 200 and again.json["revoke_reason"] == "申报人撤回申请"
    assert dt.datetime.fromisoformat(again.json["revoked_at"]) == dt.datetime.fromisoformat(revoked.json["revoked_at"])
    assert again.json["revoked_at"].endswith("+00:00")   # a date-time as described, read back from SQLite too


def test_registry_survives_a_new_app(app, tmp_path):
    """The registry is in the database (DATA_DIR's SQLite or PostgreSQL): a restarted service still knows what it issued."""
    from docgen.app import create_app
    first = app.test_client().post("/v1/documents/commitment?format=docx", json=sample("commitment"))
    again = create_app({"TESTING": True, "DATA_DIR": app.config["DATA_DIR"],
                        "DATABASE_URL": app.config["DATABASE_URL"]})
    assert again.test_client().get(f"/v1/verify/{first.headers['X-Document-Id']}",
                                   headers={"Accept": "application/json"}).status_code == 200
    again.extensions["docgen"].registry.engine.dispose()


def test_unknown_id_is_404(client):
    resp = client.get("/v1/verify/0123456789abcdef0123456789abcdef", headers={"Accept": "application/json"})
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"


def test_blank_forms_are_not_issued(client):
    resp = client.get("/v1/document-types/commitment/blank?format=pdf")
    assert resp.status_code == 200 and "X-Document-Id" not in resp.headers


def test_the_page_speaks_to_a_phone_in_chinese(client):
    """The page a QR code opens: a viewport for phones, the time in Chinese in Beijing time, the region's name,
    and who issued it (the unit of the key it was issued with); the JSON answer adds those two names."""
    from docgen.registry import utc
    from docgen.rules.dates import BEIJING

    keys = client.application.extensions["docgen"].keys
    _key_id, token = keys.create("塔城地区农业农村局")
    resp = client.post("/v1/documents/commitment?profile=tacheng-2023", json=sample("commitment"),
                       headers={"Authorization": f"Bearer {token}"})
    url = f"/v1/verify/{resp.headers['X-Document-Id']}"
    info = client.get(url, headers={"Accept": "application/json"}).json
    assert info["profile"] == "tacheng-2023" and info["issuing_unit"] == "塔城地区农业农村局"
    assert info["profile_name"].startswith("塔城地区")
    page = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    local = utc(dt.datetime.fromisoformat(info["issued_at"])).astimezone(BEIJING)
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in page and info["issued_at"] not in page
    assert info["profile_name"] in page and "tacheng-2023" not in page
    assert "塔城地区农业农村局" in page and "docgen" not in page
    # issued without a key: the page says the unit was not recorded, the JSON says null
    anonymous = client.post("/v1/documents/commitment", json=sample("commitment")).headers["X-Document-Id"]
    assert client.get(f"/v1/verify/{anonymous}", headers={"Accept": "application/json"}).json["issuing_unit"] is None
    assert "未记录出具单位" in client.get(f"/v1/verify/{anonymous}", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_a_batch_document_names_the_batch_unit(client):
    """A document of a batch is issued by the batch's unit (its roster's), even without a key."""
    import time

    batch = sample("batch")
    resp = client.post("/v1/batches", json=batch)
    assert resp.status_code == 202, resp.json
    for _ in range(600):
        status = client.get(resp.headers["Location"]).json
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["status"] == "done", status
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from docgen.registry import IssuedDocument

    with Session(client.application.extensions["docgen"].registry.engine) as session:
        document_id = session.scalars(select(IssuedDocument.id).where(IssuedDocument.batch_id == status["id"])).first()
    info = client.get(f"/v1/verify/{document_id}", headers={"Accept": "application/json"}).json
    assert info["issuing_unit"] == batch["unit"]["name"]


def test_verifying_by_file_without_a_file_is_400(client):
    """POST /v1/verify/{id} checks a presented file: with none, that is a 400, not a verdict of 不符."""
    resp = client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    url = f"/v1/verify/{resp.headers['X-Document-Id']}"
    for empty in ({"data": b"", "content_type": "application/pdf"},
                  {"data": {"other": "x"}, "content_type": "multipart/form-data"}):
        answer = client.post(url, headers={"Accept": "application/json"}, **empty)
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json", answer.json
        assert answer.json["type"].endswith("/file-required") and "文件" in answer.json["detail"]
    uploaded = client.post(url, data={"file": (io.BytesIO(resp.data), "承诺书.pdf")}, content_type="multipart/form-data",
                           headers={"Accept": "application/json"})
    assert uploaded.json["genuine"] is True
