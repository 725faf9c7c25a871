"""/openapi.json is a valid OpenAPI 3.1 document that describes every route the app serves."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from docgen.documents import sample
from docgen.kinds import KINDS

# routes that are not part of the API: Swagger UI and static assets, the staff web page
UNDESCRIBED = re.compile(r"^/(docs(/.*)?|static/.*|)$")
# answers a POST to an unknown type with the list of known ones: the known types are the operations
UNDESCRIBED_ENDPOINTS = {"documents.render_unknown"}


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").get_json()


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(spec, ref):
    assert ref.startswith("#/"), f"external $ref {ref}"
    node = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"$ref {ref} does not resolve"
        node = node[part]
    return node


def test_openapi_document_is_valid_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises OpenAPIValidationError with the path of the first problem


def test_every_ref_resolves(spec):
    refs = set(_refs(spec))
    assert "#/components/schemas/BatchApplicant" in refs
    for ref in refs:
        _resolve(spec, ref)


def test_every_route_is_described(app, spec):
    described = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    missing = []
    for rule in app.url_map.iter_rules():
        if UNDESCRIBED.match(rule.rule) or rule.endpoint in UNDESCRIBED_ENDPOINTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        missing += [f"{method} {path}" for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
                    if (path, method) not in described]
    assert not missing, f"routes missing from /openapi.json: {missing}"


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_operations_have_names_a_client_can_use(spec):
    ids = [op["operationId"] for _, op in _operations(spec)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", tag["name"]) for tag in spec["tags"]), spec["tags"]


def test_every_answer_is_described(spec):
    for name, operation in _operations(spec):
        responses = operation["responses"]
        ok = [r for status, r in responses.items() if status.startswith("2")]
        assert ok and all(r.get("content") for r in ok), f"{name}: no described success answer"
        for status, response in responses.items():
            if status[0] in "45":
                assert list(response["content"]) == ["application/problem+json"], f"{name} {status}"
        for media in (operation.get("requestBody") or {}).get("content", {}):
            if media == "application/json":
                assert "example" in operation["requestBody"]["content"][media], f"{name}: no example"


def test_files_come_with_their_headers(spec):
    render = spec["paths"]["/v1/documents/commitment"]["post"]["responses"]["200"]
    assert {"Content-Disposition", "X-Document-Id", "X-Docgen-Warnings"} <= set(render["headers"])
    assert set(render["content"]) == {"application/pdf",
                                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    submitted = spec["paths"]["/v1/batches"]["post"]["responses"]["202"]
    assert submitted["headers"]["Location"]["required"]
    assert {link["operationId"] for link in submitted["links"].values()} == {"get_batch", "get_batch_archive",
                                                                             "get_batch_print", "delete_batch",
                                                                             "cancel_batch"}
    cancel = spec["paths"]["/v1/batches/{batch_id}/cancel"]["post"]
    assert cancel["operationId"] == "cancel_batch" and {"200", "404", "409"} <= set(cancel["responses"])
    assert "cancelled" in spec["components"]["schemas"]["BatchStatus"]["properties"]["status"]["enum"]
    errors = spec["components"]["schemas"]["InvalidPayloadProblem"]
    assert "errors" in errors["required"]


@pytest.mark.parametrize("slug", [*KINDS, "batch"])
def test_samples_match_the_described_schemas(spec, slug):
    """The example of every request body is a sample that the described schema accepts."""
    path = "/v1/batches" if slug == "batch" else f"/v1/documents/{slug}"
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    assert body["example"] == sample(slug)
    schema = {**body["schema"], "components": spec["components"]}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert not [e.message for e in validator.iter_errors(sample(slug))]


def test_descriptions_say_the_rules_types_cannot(spec):
    """What the 422 messages enforce beyond the types is written where a client reads the fields, in Chinese."""
    schemas = spec["components"]["schemas"]
    applicant = schemas["IdentifiedApplicant"]["properties"]
    assert "校验位" in applicant["id_number"]["description"]
    assert "须与性别、出生日期一致" in applicant["id_number"]["description"]
    assert "第17位" in applicant["gender"]["description"]
    notice = schemas["Notice"]["properties"]
    assert "不少于5个工作日" in notice["end_date"]["description"] and "自治区放假安排" in notice["end_date"]["description"]
    assert "校验码" in schemas["Unit"]["properties"]["uscc"]["description"]
    assert "YYYY-MM" in schemas["Study"]["properties"]["start"]["description"]
