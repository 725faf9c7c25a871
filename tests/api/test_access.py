"""API keys per unit: hashed, created and revoked with `docgen keys`, required when configured, scoped."""
from __future__ import annotations

import copy
import hashlib

import pytest

from docgen.access import ApiKey, Keys
from docgen.app import create_app
from docgen.cli import main
from docgen.documents import sample
from tests.api.test_batches import SAMPLE as BATCH


@pytest.fixture
def guarded(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "REQUIRE_API_KEY": True})
    yield app
    app.extensions["docgen"].close()


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_keys_created_by_the_cli_are_stored_hashed(guarded, capsys, monkeypatch):
    monkeypatch.setenv("DOCGEN_DATA_DIR", guarded.config["DATA_DIR"])
    assert main(["keys", "create", "巴州农科所"]) == 0
    out = capsys.readouterr().out
    token = out.split("key:")[1].split()[0]
    key_id = out.split("key id:")[1].split()[0]
    from sqlalchemy.orm import Session
    with Session(guarded.extensions["docgen"].registry.engine) as session:
        row = session.get(ApiKey, key_id)
    assert row.unit == "巴州农科所" and token.split("_", 2)[2] not in row.secret_sha256
    assert row.secret_sha256 == hashlib.sha256(token.split("_", 2)[2].encode()).hexdigest()
    client = guarded.test_client()
    assert client.post("/v1/documents/commitment?format=docx", json=sample("commitment"),
                       headers=_bearer(token)).status_code == 200
    assert main(["keys", "revoke", key_id]) == 0
    refused = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"), headers=_bearer(token))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert main(["keys", "revoke", "nosuchkey"]) == 1


def test_key_required_when_configured(guarded):
    client = guarded.test_client()
    resp = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"))
    assert resp.status_code == 401 and "API 密钥" in resp.json["detail"] and "WWW-Authenticate" in resp.headers
    assert client.get("/v1/batches/abc").status_code == 401
    assert client.post("/v1/documents/commitment", json={}, headers=_bearer("dg_x_y")).status_code == 401
    # what a QR code or a form needs stays open
    assert client.get("/v1/document-types").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_unit_sees_only_its_own(guarded):
    keys = Keys(guarded.extensions["docgen"].registry.engine)
    _, mine = keys.create("甲单位")
    _, theirs = keys.create("乙单位")
    client = guarded.test_client()
    resp = client.post("/v1/batches", json=copy.deepcopy(BATCH), headers=_bearer(mine))
    assert resp.status_code == 202
    location = resp.headers["Location"]
    assert client.get(location, headers=_bearer(mine)).status_code == 200
    assert client.get(location, headers=_bearer(theirs)).status_code == 404
    doc = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"), headers=_bearer(mine))
    revoke = f"/v1/verify/{doc.headers['X-Document-Id']}/revocation"
    assert client.post(revoke, json={"reason": "错发"}, headers=_bearer(theirs)).status_code == 404
    assert client.post(revoke, json={"reason": "错发"}).status_code == 401
    assert client.post(revoke, json={"reason": "错发"}, headers=_bearer(mine)).status_code == 200


def test_a_keyed_document_and_its_owner_are_committed_in_one_transaction(guarded):
    from sqlalchemy import event

    engine = guarded.extensions["docgen"].registry.engine
    _, mine = Keys(engine).create("甲单位")
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    doc = guarded.test_client().post("/v1/documents/commitment?format=pdf", json=sample("commitment"),
                                     headers=_bearer(mine))
    assert doc.status_code == 200 and len(commits) == 1
    assert Keys(engine).issuer(doc.headers["X-Document-Id"], None) == "甲单位"


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_openapi_says_which_operations_take_a_key(guarded):
    """/openapi.json declares the two headers the server reads, and exactly the operations that answer 401
    without a key declare them; a key in either header is accepted."""
    from openapi_spec_validator import validate

    client = guarded.test_client()
    spec = client.get("/openapi.json").json
    validate(spec)
    schemes = spec["components"]["securitySchemes"]
    assert {(s["type"], s.get("scheme"), s.get("in"), s.get("name")) for s in schemes.values()} == {
        ("http", "bearer", None, None), ("apiKey", None, "header", "X-API-Key")}
    values = {"slug": "commitment", "profile_id": "xinjiang", "batch_id": "none", "document_id": "none", "applicant": "0"}
    secured = set()
    for method, path, operation in _operations(spec):
        url = path.format(**values)
        answer = client.open(url, method=method)
        if operation.get("security"):   # [] : open
            secured.add(f"{method} {path}")
            assert operation["security"] == [{name: []} for name in schemes]   # no {}: a key is required
            assert answer.status_code == 401 and "401" in operation["responses"], f"{method} {path}"
        else:
            assert answer.status_code != 401, f"{method} {path} answers 401 but declares no security"
    assert {"POST /v1/documents/commitment", "POST /v1/batches", "GET /v1/batches/{batch_id}/archive",
            "POST /v1/verify/{document_id}/revocation"} <= secured
    assert "GET /v1/verify/{document_id}" not in secured
    _, token = Keys(guarded.extensions["docgen"].registry.engine).create("甲单位")
    for headers in (_bearer(token), {"X-API-Key": token}):
        assert client.post("/v1/documents/commitment?format=docx", json=sample("commitment"),
                           headers=headers).status_code == 200


def test_without_required_keys_the_key_is_optional_in_openapi(client):
    spec = client.get("/openapi.json").json
    render = spec["paths"]["/v1/documents/commitment"]["post"]
    assert {} in render["security"] and len(render["security"]) == 3 and "401" in render["responses"]
    assert spec["paths"]["/v1/profiles"]["get"]["security"] == []   # open: a generated client needs no key


class Held:
    """A dispatch that sends nothing anywhere: batches stay queued (they count against the quota)."""

    def __call__(self, batch_id, item_ids):
        pass

    def close(self):
        pass


def _units(app, *names):
    keys = Keys(app.extensions["docgen"].registry.engine)
    return [_bearer(keys.create(name)[1]) for name in names]


def _named(unit_name):
    batch = copy.deepcopy(BATCH)
    batch["unit"]["name"] = unit_name
    return batch


def test_an_idempotency_key_belongs_to_the_unit_that_sent_it(guarded):
    """The probe: unit B sending unit A's Idempotency-Key got A's batch (id, unit, status); now B gets its own,
    and A its own again."""
    guarded.extensions["docgen"].dispatch = Held()
    a, b = _units(guarded, "甲单位", "乙单位")
    client = guarded.test_client()
    first = client.post("/v1/batches", json=_named("甲单位"), headers={**a, "Idempotency-Key": "2024-09"})
    theirs = client.post("/v1/batches", json=_named("乙单位"), headers={**b, "Idempotency-Key": "2024-09"})
    assert first.status_code == 202 and theirs.status_code == 202, theirs.json
    assert theirs.json["id"] != first.json["id"] and theirs.json["unit"] == "乙单位"
    assert client.get(first.headers["Location"], headers=b).status_code == 404
    again = client.post("/v1/batches", json=_named("甲单位"), headers={**a, "Idempotency-Key": "2024-09"})
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    replay = client.post("/v1/batches", json=_named("乙单位"), headers={**b, "Idempotency-Key": "2024-09"})
    assert replay.status_code == 200 and replay.json["id"] == theirs.json["id"]
    # only its own unit cancels a batch
    assert client.post(f"{first.headers['Location']}/cancel", headers=b).status_code == 404
    assert client.post(f"{first.headers['Location']}/cancel").status_code == 401
    cancelled = client.post(f"{first.headers['Location']}/cancel", headers=a)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"


def test_the_quota_counts_the_keys_unit_not_the_payloads(tmp_path):
    """The probe: the quota counted the unit name in the payload, so B could fill A's quota (or dodge its own
    by naming another unit). Now a key's batches count against its unit, whatever they name."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "REQUIRE_API_KEY": True,
                      "MAX_RUNNING_BATCHES_PER_UNIT": 1})
    app.extensions["docgen"].dispatch = Held()   # closed with nothing to stop: no runner was woken
    a, b = _units(app, "甲单位", "乙单位")
    client = app.test_client()
    assert client.post("/v1/batches", json=_named("甲单位"), headers=b).status_code == 202   # B names A
    assert client.post("/v1/batches", json=_named("甲单位"), headers=a).status_code == 202   # A is not blocked
    dodged = client.post("/v1/batches", json=_named("丙单位"), headers=b)                    # B cannot dodge
    assert dodged.status_code == 429 and "乙单位" in dodged.json["detail"] and dodged.headers["Retry-After"]
    assert client.post("/v1/batches", json=_named("乙单位"), headers=a).status_code == 429


def test_a_unit_revokes_what_its_batch_issued(guarded):
    """The probe: with keys on, a unit could not revoke a document its own batch issued (404). Now it can; another
    unit still gets 404, and the batch document stays unrevoked until its own unit asks."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from docgen.registry import IssuedDocument
    from tests.api.test_batches import _wait

    a, b = _units(guarded, "甲单位", "乙单位")
    client = guarded.test_client()
    batch = {**copy.deepcopy(BATCH), "documents": ["commitment"], "formats": ["pdf"]}
    resp = client.post("/v1/batches", json=batch, headers=a)
    assert resp.status_code == 202, resp.json
    status = _wait(client, resp.headers["Location"], headers=a)
    assert status["status"] == "done", status
    with Session(guarded.extensions["docgen"].registry.engine) as session:
        issued = session.scalars(select(IssuedDocument.id).where(IssuedDocument.batch_id == status["id"])).all()
    assert len(issued) == len(batch["applicants"])
    for document_id in issued:
        revoke = f"/v1/verify/{document_id}/revocation"
        assert client.post(revoke, json={"reason": "错发"}, headers=b).status_code == 404
        mine = client.post(revoke, json={"reason": "错发"}, headers=a)
        assert mine.status_code == 200 and mine.json["revoke_reason"] == "错发"
        assert client.get(f"/v1/verify/{document_id}", headers={"Accept": "application/json"}).json["revoked"] is True


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"},
                                     {"Origin": "null"}])
def test_another_sites_page_cannot_make_a_browser_post_here(client, headers):
    """Without keys anyone reaching the port may render, but not a form on another site through a visitor's browser
    (CSRF: a batch, a revocation, an erasure); the same page and server-side callers go on as before."""
    resp = client.post("/v1/documents/commitment", json=sample("commitment"), headers=headers)
    assert resp.status_code == 403 and resp.mimetype == "application/problem+json"
    assert resp.get_json()["type"].endswith("/problems/cross-site") and "其他网站" in resp.get_json()["detail"]
    assert client.delete("/v1/batches/" + "0" * 32, headers=headers).status_code == 403
    assert client.get("/v1/document-types", headers=headers).status_code == 200   # reading is harmless


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"},
                                     {"Origin": "http://localhost"}])
def test_the_own_page_and_servers_post_as_before(client, headers):
    resp = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"), headers=headers)
    assert resp.status_code == 200, resp.get_json()


def test_allowed_hosts_refuse_any_other_host_header(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "ALLOWED_HOSTS": "docgen.example.gov.cn, .intranet"})
    client = app.test_client()
    assert client.get("/healthz", base_url="http://docgen.example.gov.cn:8000").status_code == 200
    assert client.get("/healthz", base_url="http://hr.intranet").status_code == 200
    resp = client.get("/v1/document-types", base_url="http://evil.example")
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
