"""/openapi.json is a valid OpenAPI 3.1 document that describes every route the app serves."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

# routes that are not part of the API: Swagger UI and static assets, the staff web page
UNDESCRIBED = re.compile(r"^/(docs(/.*)?|static/.*|)$")


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
        if UNDESCRIBED.match(rule.rule):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        missing += [f"{method} {path}" for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
                    if (path, method) not in described]
    assert not missing, f"routes missing from /openapi.json: {missing}"
