"""Checks schemathesis adds to its own (loaded by SCHEMATHESIS_HOOKS in tests/api/test_fuzz.py)."""
from __future__ import annotations

import schemathesis


@schemathesis.check
def errors_are_problems(ctx, response, case):
    """Every error is application/problem+json in Chinese; a 422 points at each wrong field."""
    if response.status_code < 400:
        return None
    media_type = response.headers.get("content-type", [""])[0].split(";")[0]
    assert media_type == "application/problem+json", f"{response.status_code} answered as {media_type}"
    body = response.json()
    assert body["status"] == response.status_code and body["title"] and body["type"], body
    if response.status_code == 422:
        assert body["errors"] and all(e["pointer"] is not None and e["detail"] for e in body["errors"]), body
    return None
