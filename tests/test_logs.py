"""Logs: one JSON object a line with a request id, and no ID number, name or photo of an applicant."""
from __future__ import annotations

import json
import logging

import pytest

from docgen import logs
from docgen.documents import sample


def test_render_logs_carry_a_request_id_and_no_personal_data(client, caplog):
    payload = sample("evaluation-form")
    applicant = payload["applicant"]
    caplog.set_level(logging.DEBUG)
    resp = client.post("/v1/documents/evaluation-form?format=pdf&copies=1", json=payload,
                       headers={"X-Request-Id": "req-42"})
    wrong = applicant["id_number"][:-1] + ("0" if applicant["id_number"][-1] != "0" else "1")   # check digit
    bad = client.post("/v1/documents/evaluation-form", json={**payload, "applicant": {**applicant, "id_number": wrong}})
    assert resp.status_code == 200 and bad.status_code == 422 and resp.headers["X-Request-Id"] == "req-42"
    lines = [logs.JsonFormatter().format(record) for record in caplog.records]
    text = "\n".join(lines)
    assert applicant["id_number"] not in text and wrong not in text and applicant["name"] not in text
    assert applicant["photo"][:40] not in text and applicant["id_number"][6:14] not in text
    entries = [json.loads(line) for line in lines]
    access = [e for e in entries if e["logger"] == "docgen.request"]
    assert access[0]["request_id"] == "req-42" and access[0]["status"] == 200 and access[0]["document_id"]
    assert access[1]["status"] == 422 and len(access[1]["request_id"]) == 32


def test_id_numbers_are_masked_whatever_logs_them():
    record = logging.LogRecord("lib", logging.ERROR, __file__, 1, "bad value 65280119880315231X here", None, None)
    assert "652801********231X" in logs.JsonFormatter().format(record)
    assert logs.mask("order 12345678901234567890") == "order 12345678901234567890"


@pytest.mark.parametrize("typed", ["652801199003152311", "６５２８０１１９９００３１５２３１１", "652801 19900315 2311",
                                   "６５２８０１\u3000１９９００３１５\u3000２３１１"])
def test_the_access_log_names_the_route_not_the_typed_path(client, caplog, typed):
    """The probe's shapes: the 核验 box sends whatever is typed — plain, full-width or spaced."""
    caplog.set_level(logging.INFO)
    for method in ("GET", "POST"):
        client.open(f"/v1/verify/{typed}", method=method, headers={"Accept": "application/json"})
        client.open(f"/v1/verify/{typed}", method=method, headers={"Accept": "text/html"})
    client.get(f"/v1/no-such/{typed}")      # no route: the path, folded and masked
    records = [r for r in caplog.records if r.name.startswith("docgen")]
    entries = [json.loads(logs.JsonFormatter().format(r)) for r in records]
    # a random request id or a clock may hold "1990" by chance: what was typed can only reach the other fields
    typed_fields = json.dumps([{k: v for k, v in e.items() if k not in ("request_id", "time", "duration_ms")}
                               for e in entries], ensure_ascii=False)
    assert not any(shape in typed_fields for shape in ("19900315", "１９９００３１５", "1990", "１９９０")), typed_fields
    access = [e for e in entries if e["logger"] == "docgen.request"]
    assert [a["path"] for a in access] == ["/v1/verify/<document_id>"] * 4 + [access[-1]["path"]]
    assert access[-1]["status"] == 404 and access[-1]["path"].startswith("/v1/no-such/652801")
    assert access[-1]["path"].endswith("2311") and "********" in access[-1]["path"]


@pytest.mark.parametrize("typed", ["６５２８０１１９９００３１５２３１１", "652801 19900315 2311", "652801-1990-0315-2311",
                                   "6528 0119 9003 1523 11", "65280119900315231Ｘ", "652801.19900315.2311"])
def test_id_numbers_are_masked_however_they_are_written(typed):
    record = logging.LogRecord("lib", logging.ERROR, __file__, 1, f"bad value {typed} here", None, None)
    text = logs.JsonFormatter().format(record)
    assert "19900315" not in text and "1990" not in json.loads(text)["message"].replace("652801", "")
    assert "652801********" in text
