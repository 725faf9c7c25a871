"""Bodies and parameters that used to give 500s or English: 400/413/414/422 problem+json in Chinese."""
from __future__ import annotations

import json
import re

import pytest

from docgen.documents import sample

HAN = re.compile(r"[\u4e00-\u9fff]")


def _is_chinese_problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/problem+json"
    body = resp.json
    assert body["status"] == status and HAN.search(body["title"]) and HAN.search(body["detail"])
    assert not re.search(r"\b(the|should|Input|method|allowed)\b", json.dumps(body, ensure_ascii=False))
    return body


def test_deep_nesting_is_400(client):
    body = "[" * 100_000 + "]" * 100_000
    resp = client.post("/v1/documents/commitment", data=body, content_type="application/json")
    assert "嵌套" in _is_chinese_problem(resp, 400)["detail"]


def test_moderate_nesting_past_the_limit_is_400(client):
    payload = sample("commitment")
    payload["applicant"]["name"] = json.loads("[" * 40 + "]" * 40)
    resp = client.post("/v1/documents/commitment", json=payload)
    assert "嵌套" in _is_chinese_problem(resp, 400)["detail"]


@pytest.mark.parametrize("number", ["9" * 5000, "1" + "0" * 60, "1." + "1" * 100, "-" + "7" * 4400])
def test_huge_number_is_400(client, number):
    body = json.dumps(sample("commitment")).replace('"profile"', f'"n": {number}, "profile"', 1)
    resp = client.post("/v1/documents/commitment", data=body, content_type="application/json")
    assert "数字过长" in _is_chinese_problem(resp, 400)["detail"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_are_400(client, constant):
    resp = client.post("/v1/documents/commitment", data=f'{{"date": {constant}}}', content_type="application/json")
    _is_chinese_problem(resp, 400)


@pytest.mark.parametrize("copies", ["²", "١", "٣", "1e1", "-1", "", " 2x"])
def test_copies_in_other_digits_is_400(client, copies):
    resp = client.post(f"/v1/documents/evaluation-form?format=docx&copies={copies}", json=sample("evaluation-form"))
    assert "copies" in _is_chinese_problem(resp, 400)["detail"]


def test_lone_surrogate_message_is_chinese(client):
    payload = sample("commitment")
    body = json.dumps(payload).replace(json.dumps(payload["applicant"]["name"]), '"\\ud800名"')
    resp = client.post("/v1/documents/commitment", data=body, content_type="application/json")
    problem = _is_chinese_problem(resp, 422)
    assert problem["errors"][0]["pointer"] == "/applicant/name"


def test_405_is_problem_json_with_allow(client):
    resp = client.put("/healthz")
    _is_chinese_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_413_is_problem_json(tmp_path):
    from docgen.app import create_app

    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "MAX_BODY_BYTES": 1000}).test_client()
    resp = client.post("/v1/documents/commitment", data=b"{" + b" " * 2000 + b"}", content_type="application/json")
    _is_chinese_problem(resp, 413)
