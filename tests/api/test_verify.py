"""Issued documents are registered: their id verifies, with the SHA-256 of the file that was sent."""
import hashlib

import pytest

from docgen.documents import sample

pytestmark = pytest.mark.databases


def test_issued_document_verifies(client):
    resp = client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    document_id = resp.headers["X-Document-Id"]
    info = client.get(f"/v1/verify/{document_id}", headers={"Accept": "application/json"})
    assert info.status_code == 200
    assert info.json["genuine"] is True
    assert info.json["sha256"] == hashlib.sha256(resp.data).hexdigest()
    assert info.json["subject"] == "阿不都热合曼·买买提" and info.json["type"] == "commitment"
    page = client.get(f"/v1/verify/{document_id}", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "阿不都热合曼·买买提" in page.get_data(as_text=True)


def test_registry_survives_a_new_app(app, tmp_path):
    """The registry is in the database (DATA_DIR's SQLite or PostgreSQL): a restarted service still knows what it issued."""
    from docgen.app import create_app
    first = app.test_client().post("/v1/documents/commitment?format=docx", json=sample("commitment"))
    again = create_app({"TESTING": True, "DATA_DIR": app.config["DATA_DIR"],
                        "DATABASE_URL": app.config["DATABASE_URL"]})
    assert again.test_client().get(f"/v1/verify/{first.headers['X-Document-Id']}",
                                   headers={"Accept": "application/json"}).status_code == 200
    again.extensions["registry"].engine.dispose()


def test_unknown_id_is_404(client):
    resp = client.get("/v1/verify/0123456789abcdef0123456789abcdef", headers={"Accept": "application/json"})
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"


def test_blank_forms_are_not_issued(client):
    resp = client.get("/v1/document-types/commitment/blank?format=pdf")
    assert resp.status_code == 200 and "X-Document-Id" not in resp.headers
