"""Every free-text field has the maxLength its layout holds, stated in the schema and in the 422."""
from __future__ import annotations

import pytest

from docgen.documents import sample
from docgen.kinds import KINDS


def _strings(schema: dict, defs: dict, path: str = ""):
    """Yield (path, string schema) for every string property, following $ref and anyOf."""
    if "$ref" in schema:
        yield from _strings(defs[schema["$ref"].split("/")[-1]], defs, path)
        return
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        yield from _strings(option, defs, path)
    if schema.get("type") == "string" and "format" not in schema and "enum" not in schema \
            and "pattern" not in schema:
        yield path, schema
    for key, sub in (schema.get("properties") or {}).items():
        yield from _strings(sub, defs, f"{path}/{key}")
    if isinstance(schema.get("items"), dict):
        yield from _strings(schema["items"], defs, f"{path}/0")


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_every_free_text_field_has_a_max_length(slug):
    schema = KINDS[slug].model.model_json_schema()
    found = list(_strings(schema, schema.get("$defs", {})))
    assert found
    not_text = {"/profile", "/applicant/photo"}   # a profile id; an image bounded in bytes
    unbounded = [path for path, s in found if "maxLength" not in s and path not in not_text]
    assert unbounded == []
    assert all(s["maxLength"] <= 600 for path, s in found if path not in not_text)


def test_short_names_are_short():
    schema = KINDS["public-notice"].model.model_json_schema()
    applicant = schema["$defs"]["IdentifiedApplicant"]["properties"]
    assert applicant["series"]["maxLength"] == 15 and applicant["specialty"]["maxLength"] == 15
    assert applicant["name"]["maxLength"] == 20


def test_public_notice_requires_political_and_achievements(client):
    payload = sample("public-notice")
    del payload["political"], payload["achievements"]
    resp = client.post("/v1/documents/public-notice?format=pdf", json=payload)
    assert resp.status_code == 422
    assert {e["pointer"]: e["detail"] for e in resp.json["errors"]} == {
        "/political": "思想政治条件为必填项，请填写", "/achievements": "业绩成果为必填项，请填写"}
    assert set(KINDS["public-notice"].model.model_json_schema()["required"]) >= {"political", "achievements"}


def test_the_422_states_the_limit_and_the_length(client):
    payload = sample("public-notice")
    payload["applicant"]["specialty"] = "农业科学" * 5
    resp = client.post("/v1/documents/public-notice?format=pdf", json=payload)
    assert resp.status_code == 422
    assert resp.json["errors"] == [{"pointer": "/applicant/specialty",
                                    "detail": "专业过长，最多15个字（版面所容），现有20个字"}]
