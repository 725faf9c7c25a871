"""JSON is taken strictly (issue 23): a date is a YYYY-MM-DD string, a boolean true/false, a number a number —
anything else a Chinese 422 at the field, never a guess printed on the document."""
from __future__ import annotations

import copy

import pytest

from docgen.documents import sample


def _post(client, slug, payload):
    return client.post(f"/v1/documents/{slug}?format=pdf", json=payload)


@pytest.mark.parametrize("value", [0, 1726790400, "1726790400", "2024-8-28", "2024/08/28", "2024-08-28T00:00:00",
                                   "2024-02-30", True])
def test_a_date_is_only_an_iso_string(client, value):
    payload = copy.deepcopy(sample("commitment"))
    payload["date"] = value
    resp = _post(client, "commitment", payload)
    assert resp.status_code == 422, value
    assert resp.mimetype == "application/problem+json"
    assert [e["pointer"] for e in resp.json["errors"]] == ["/date"]
    assert "YYYY-MM-DD" in resp.json["errors"][0]["detail"]


@pytest.mark.parametrize("value", ["on", "no", "true", 0, 1])
def test_a_boolean_is_only_true_or_false(client, value):
    payload = copy.deepcopy(sample("integrity-certificate"))
    payload["clues"] = value
    resp = _post(client, "integrity-certificate", payload)
    assert resp.status_code == 422
    assert resp.json["errors"] == [{"pointer": "/clues", "detail": "有无问题线索反映应为 true 或 false"}]


@pytest.mark.parametrize("value", ["92", 92.0, "九十二"])
def test_a_number_is_only_a_number(client, value):
    payload = copy.deepcopy(sample("evaluation-form"))
    payload["trainings"][0]["hours"] = value
    resp = _post(client, "evaluation-form", payload)
    assert resp.status_code == 422
    assert [e["pointer"] for e in resp.json["errors"]] == ["/trainings/0/hours"]
    assert "整数" in resp.json["errors"][0]["detail"]


def test_the_strict_forms_still_render(client):
    payload = copy.deepcopy(sample("integrity-certificate"))
    payload |= {"clues": True, "date": "2023-09-04"}
    assert _post(client, "integrity-certificate", payload).status_code == 200
