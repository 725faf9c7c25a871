"""Logs: one JSON object a line with a request id, and no ID number, name or photo of an applicant."""
from __future__ import annotations

import json
import logging

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
