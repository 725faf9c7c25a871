"""An integrator starts from /openapi.json alone: generate a Python client with openapi-python-client, then use
it in a fresh interpreter that sees only the generated package (not docgen) against a running server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

SCRIPT = """
import json, sys
from docgen_client import Client
from docgen_client.api.document_types import sample
from docgen_client.api.documents import render_commitment
from docgen_client.api.verification import verify_document
from docgen_client.models import CommitmentPayload, InvalidPayloadProblem, RenderCommitmentFormat, Verification

client = Client(base_url=sys.argv[1], timeout=120)
payload = sample.sync(slug="commitment", client=client)
body = CommitmentPayload.from_dict(payload.to_dict())

pdf = render_commitment.sync_detailed(client=client, body=body, format_=RenderCommitmentFormat.PDF)
document_id = pdf.headers["X-Document-Id"]
disposition = pdf.headers["Content-Disposition"]

wrong = body.to_dict()
wrong["applicant"]["id_number"] = "652801198801092311"          # check digit should be 2
problem = render_commitment.sync(client=client, body=CommitmentPayload.from_dict(wrong))

verified = verify_document.sync(document_id, client=client)
print(json.dumps({
    "status": pdf.status_code, "magic": pdf.content[:5].decode("latin-1"), "disposition": disposition,
    "problem": type(problem).__name__, "problem_status": problem.status,
    "errors": [(e.pointer, e.detail) for e in problem.errors],
    "subject": payload.to_dict()["applicant"]["name"], "verified": type(verified).__name__, "document_id": verified.document_id, "title": verified.title,
}, ensure_ascii=False))
"""


def test_generated_client_renders_and_reads_a_422(live_server, tmp_path):
    subprocess.run(
        [str(Path(sys.executable).with_name("openapi-python-client")), "generate", "--url",
         f"{live_server}/openapi.json", "--meta", "none", "--output-path", str(tmp_path / "docgen_client")],
        cwd=tmp_path, check=True, capture_output=True, text=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + SCRIPT,
                          live_server], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-5000:]
    out = json.loads(run.stdout)
    assert out["status"] == 200 and out["magic"] == "%PDF-"
    assert out["disposition"].endswith("filename*=UTF-8''" + quote(f"{out['subject']}-个人承诺书.pdf"))
    assert out["problem"] == "InvalidPayloadProblem" and out["problem_status"] == 422
    assert any(pointer == "/applicant/id_number" and "校验位" in detail for pointer, detail in out["errors"]), out
    assert out["verified"] == "Verification" and out["title"] == "个人承诺书"
