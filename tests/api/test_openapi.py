"""/openapi.json is a valid OpenAPI 3.1 document that describes every route the app serves."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from docgen.documents import sample
from docgen.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
# routes that are not part of the API: Swagger UI and static assets, the staff web page
UNDESCRIBED = re.compile(r"^/(docs(/.*)?|static/.*|)$")
# answer an unknown type with the list of known ones: the known types are the operations (render, sample)
UNDESCRIBED_ENDPOINTS = {"documents.render_unknown", "documents.sample"}


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
    assert set(render["content"]) == {"application/pdf", "application/octet-stream",
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


def test_what_integrators_asked_for_is_described(spec):
    """Issue 23: the headers, parameters, bodies, answers and members a client needs are in the description."""
    submit = spec["paths"]["/v1/batches"]["post"]
    parameters = {(p["in"], p["name"]) for p in submit["parameters"]}
    assert {("header", "Idempotency-Key"), ("query", "partial")} <= parameters
    body = spec["paths"]["/v1/verify/{document_id}"]["post"]["requestBody"]
    assert body["required"] and {"application/octet-stream", "multipart/form-data"} == set(body["content"])
    for name, operation in _operations(spec):
        assert {"408", "414", "429", "431"} <= set(operation["responses"]), name
        assert "Retry-After" in operation["responses"]["429"]["headers"], name
        assert operation.get("description"), f"{name}: no description"
    assert "503" in spec["paths"]["/v1/documents/commitment"]["post"]["responses"]
    assert {"document", "row", "column"} <= set(spec["components"]["schemas"]["FieldError"]["properties"])
    schemas = spec["components"]["schemas"]
    sha256 = schemas["Verification"]["properties"]["sha256"]   # null until the file is presented (issue 24)
    assert [v.get("pattern") for v in sha256["anyOf"]] == ["^[0-9a-f]{64}$", None]


def test_every_text_is_chinese_and_cites_no_internal_file(spec):
    """One language for users' texts; no CONTRACT.md, docgen/…py or seed numbers a client cannot open."""
    texts = []

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary") and isinstance(value, str):
                    texts.append(value)
                elif key not in ("example", "examples", "enum", "default"):
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(spec)
    assert texts
    english = [t for t in texts if not re.search(r"[\u4e00-\u9fff]", t)]
    assert not english, english[:10]
    internal = [t for t in texts if re.search(r"\b[\w/]+\.(py|md|toml)\b|seed \d{3}", t)]
    assert not internal, internal[:10]


def test_titles_make_ascii_class_names(spec):
    def titles(node):
        if isinstance(node, dict):
            if isinstance(node.get("title"), str):
                yield node["title"]
            for key, value in node.items():
                if key not in ("example", "examples", "properties"):
                    yield from titles(value)
                elif key == "properties":
                    for schema in value.values():
                        yield from titles(schema)
        elif isinstance(node, list):
            for value in node:
                yield from titles(value)

    found = list(titles(spec["components"])) + list(titles(spec["paths"]))
    assert found and all(t.isascii() for t in found), [t for t in found if not t.isascii()][:10]
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) for name in spec["components"]["schemas"])


def test_closed_lists_are_enums_and_open_operations_need_no_key(spec):
    applicant = spec["components"]["schemas"]["IdentifiedApplicant"]["properties"]
    assert {"汉族", "维吾尔族", "维吾尔"} <= set(applicant["ethnicity"]["enum"])      # every accepted spelling
    assert {"中共党员", "群众"} <= set(applicant["political_status"]["enum"])
    route = spec["components"]["schemas"]["RosterApplicant"]["properties"]["route"]
    assert set(route["enum"]) == {"初定", "授予", "评审", "初次确定"}
    assert spec["paths"]["/v1/document-types"]["get"]["security"] == []
    assert spec["paths"]["/v1/verify/{document_id}"]["get"]["security"] == []
    assert spec["paths"]["/v1/documents/commitment"]["post"]["security"]
    assert spec["servers"] and spec["info"]["contact"]["name"] and spec["info"]["license"]["name"]


def test_each_sample_answers_its_own_schema(client, spec):
    for slug, kind in KINDS.items():
        answer = spec["paths"][f"/v1/document-types/{slug}/sample"]["get"]["responses"]["200"]
        assert answer["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{kind.model.__name__}"}
        assert client.get(f"/v1/document-types/{slug}/sample").json == sample(slug)
    assert client.get("/v1/document-types/nope/sample").status_code == 404


def test_problem_types_are_listed_and_served(client, spec):
    """A client branches on `type`: each one the API answers is in the description's enum and resolves to its
    Chinese title; the source names no type the list lacks."""
    listed = spec["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    served = client.get("/problems").json["problem_types"]
    assert [t["type"] for t in served] == listed
    for problem_type in served:
        one = client.get(problem_type["type"])
        assert one.status_code == 200 and one.json == problem_type and re.search(r"[\u4e00-\u9fff]", one.json["title"])
    source = "\n".join(p.read_text("utf-8") for p in (ROOT / "docgen").rglob("*.py"))
    named = (set(re.findall(r'slug="([a-z0-9-]+)"', source)) | set(re.findall(r'refuse\("([a-z0-9-]+)"', source))
             | {f"bad-{n}" for n in re.findall(r'\bflag\("([a-z_]+)"', source)})   # flag(name): bad-<name>
    assert {"bad-blind", "bad-partial", "no-seal"} <= named   # the patterns still find what they are for
    assert {f"/problems/{slug}" for slug in named} <= set(listed)
    wrong = client.post("/v1/documents/commitment", json={"applicant": {}})
    assert wrong.json["type"] in listed and client.get(wrong.json["type"]).json["title"]


def test_a_client_accepting_only_bytes_gets_bytes(client):
    """file_answer() describes each file also as application/octet-stream: a client that accepts only that gets it."""
    bytes_only = client.post("/v1/documents/commitment", json=sample("commitment"),
                             headers={"Accept": "application/octet-stream"})
    assert bytes_only.status_code == 200 and bytes_only.mimetype == "application/octet-stream"
    assert bytes_only.data[:5] == b"%PDF-" and bytes_only.headers["X-Document-Id"]
    usual = client.post("/v1/documents/commitment", json=sample("commitment"), headers={"Accept": "*/*"})
    assert usual.mimetype == "application/pdf"
    blank_key = client.post("/v1/documents/commitment?format=docx", json=sample("commitment"),
                            headers={"Authorization": "Bearer "})   # a generated client's default token
    assert blank_key.status_code == 200
