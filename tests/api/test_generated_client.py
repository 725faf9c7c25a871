"""An integrator starts from /openapi.json alone: generate a Python client with openapi-python-client, type-check
it and the README's example with mypy, then use it in a fresh interpreter that sees only the generated package
(not docgen) against a running server that requires API keys: every type in both formats as typed bytes, a batch
with a scan, its ZIP and print PDF, verification by file, a 422 read as a typed problem — no raw HTTP."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image
from werkzeug.serving import make_server

from docgen.app import create_app
from docgen.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
UNIT = "巴音郭楞蒙古自治州农业科学研究所"

SCRIPT = """
import importlib, io, json, sys, time

import httpx
from docgen_client import AuthenticatedClient, Client
from docgen_client.api.batches import get_batch, get_batch_archive, get_batch_print, submit
from docgen_client.api.document_types import list_types
from docgen_client.api.documents import render_commitment
from docgen_client.api.verification import verify_document, verify_document_file
from docgen_client.models import (BatchStatus, BatchStatusStatus, CommitmentPayload, DocumentTypeList,
                                  InvalidPayloadProblem, SubmitFilesBody, Verification)
from docgen_client.types import File

base, token, batch_file, scan_file = sys.argv[1:5]
slow = httpx.Timeout(300)
client = Client(base_url=base, timeout=slow)                            # open operations: no key
authed = AuthenticatedClient(base_url=base, token=token, timeout=slow)  # what makes documents: the unit's key
models = importlib.import_module("docgen_client.models")
files: dict[str, str] = {}

types = list_types.sync(client=client)
assert isinstance(types, DocumentTypeList), types
for kind in types.document_types:
    name = kind.slug.replace("-", "_")
    sample = importlib.import_module(f"docgen_client.api.document_types.sample_{name}").sync(client=client)
    render = importlib.import_module(f"docgen_client.api.documents.render_{name}")
    formats = getattr(models, "Render" + "".join(w.title() for w in kind.slug.split("-")) + "Format")
    for fmt in formats:
        answer = render.sync_detailed(client=authed, body=sample, format_=fmt)
        assert isinstance(answer.parsed, File), (kind.slug, fmt, answer.status_code, answer.content[:300])
        files[f"{kind.slug}.{fmt.value}"] = answer.parsed.payload.read()[:4].hex()

sample = importlib.import_module("docgen_client.api.document_types.sample_commitment").sync(client=client)
pdf = render_commitment.sync_detailed(client=authed, body=sample, format_=models.RenderCommitmentFormat.PDF)
assert isinstance(pdf.parsed, File)
content = pdf.parsed.payload.read()
document_id = pdf.headers["X-Document-Id"]
by_file = verify_document_file.sync(document_id, client=client, body=File(payload=io.BytesIO(content)))
by_changed_file = verify_document_file.sync(document_id, client=client, body=File(payload=io.BytesIO(content + b"0")))
by_id = verify_document.sync(document_id, client=client)
assert isinstance(by_file, Verification) and isinstance(by_changed_file, Verification), by_file
assert isinstance(by_id, Verification)

wrong = sample.to_dict()
wrong["applicant"]["id_number"] = "652801198801092311"          # check digit should be 2
problem = render_commitment.sync(client=authed, body=CommitmentPayload.from_dict(wrong))
assert isinstance(problem, InvalidPayloadProblem), problem

scan = File(payload=io.BytesIO(open(scan_file, "rb").read()), file_name="身份证.png", mime_type="image/png")
body = SubmitFilesBody(batch=open(batch_file, encoding="utf-8").read())
body.additional_properties["attachment:0:id-card"] = scan
accepted = submit.sync(client=authed, body=body, idempotency_key="generated-client-1")
assert isinstance(accepted, BatchStatus), accepted
status = accepted
deadline = time.monotonic() + 600
while status.status in (BatchStatusStatus.QUEUED, BatchStatusStatus.RUNNING):
    assert time.monotonic() < deadline, status
    time.sleep(1)
    got = get_batch.sync(accepted.id, client=authed)
    assert isinstance(got, BatchStatus), got
    status = got
archive = get_batch_archive.sync(accepted.id, client=authed)
printed = get_batch_print.sync(accepted.id, client=authed)
assert isinstance(archive, File) and isinstance(printed, File), (archive, printed)
open("archive.zip", "wb").write(archive.payload.read())

print(json.dumps({
    "files": files, "disposition": pdf.headers["Content-Disposition"], "subject": sample.applicant.name,
    "genuine": [by_file.genuine, by_changed_file.genuine, by_id.genuine], "title": by_id.title,
    "problem_status": problem.status, "errors": [(e.pointer, e.detail) for e in problem.errors],
    "batch": status.status.value, "print": printed.payload.read()[:5].decode("latin-1"),
}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory):
    """Serve a fresh app that requires a unit's API key; yield its base URL and a key of the unit."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("keyed")), "REQUIRE_API_KEY": True})
    _, token = app.extensions["docgen"].keys.create(UNIT)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def generated(keyed_server, tmp_path_factory):
    """Generate the client from the running server's /openapi.json; return the folder that holds it."""
    folder = tmp_path_factory.mktemp("client")
    run = subprocess.run(
        [str(Path(sys.executable).with_name("openapi-python-client")), "generate", "--url",
         f"{keyed_server[0]}/openapi.json", "--meta", "none", "--output-path", str(folder / "docgen_client")],
        cwd=folder, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Unable to" not in run.stdout and "WARNING" not in run.stdout, run.stdout[-5000:]
    return folder


def _readme_example() -> str:
    """Return the Python example of README's “A client from the description”."""
    section = (ROOT / "README.md").read_text("utf-8").split("### A client from the description", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "README: no ```python example under “A client from the description”"
    return found[1]


def test_the_generated_client_and_the_readme_example_type_check(generated):
    (generated / "script.py").write_text(SCRIPT, "utf-8")
    (generated / "readme_example.py").write_text(_readme_example(), "utf-8")
    run = subprocess.run([str(Path(sys.executable).with_name("mypy")), "--no-incremental", "--cache-dir", os.devnull,
                          "--config-file", os.devnull, "docgen_client", "script.py", "readme_example.py"],
                         cwd=generated, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-5000:]


def test_the_generated_client_does_the_whole_flow(keyed_server, generated):
    base, token = keyed_server
    batch = json.loads((ROOT / "samples" / "batch.json").read_text("utf-8"))
    (generated / "batch.json").write_text(json.dumps(batch, ensure_ascii=False), "utf-8")
    scan = io.BytesIO()
    Image.new("RGB", (856, 540), (236, 240, 244)).save(scan, "PNG")   # an ID card's size at 10 px/mm
    (generated / "scan.png").write_bytes(scan.getvalue())
    run = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(generated)!r})\n" + SCRIPT,
                          base, token, "batch.json", "scan.png"], cwd=generated, capture_output=True, text=True,
                         timeout=1200)
    assert run.returncode == 0, run.stderr[-5000:]
    out = json.loads(run.stdout)
    magic = {"pdf": "25504446", "docx": "504b0304", "xlsx": "504b0304"}     # %PDF, PK
    expected = {f"{slug}.{fmt}" for slug, kind in KINDS.items() for fmt in kind.formats}
    assert set(out["files"]) == expected
    assert all(head == magic[name.rsplit(".", 1)[1]] for name, head in out["files"].items()), out["files"]
    assert out["disposition"].endswith("filename*=UTF-8''" + quote(f"{out['subject']}-个人承诺书.pdf"))
    assert out["genuine"] == [True, False, False] and out["title"] == "个人承诺书"
    assert out["problem_status"] == 422
    assert any(pointer == "/applicant/id_number" and "校验位" in detail for pointer, detail in out["errors"]), out
    assert out["batch"] == "done" and out["print"] == "%PDF-"
    names = zipfile.ZipFile(generated / "archive.zip").namelist()
    assert any(name.endswith("申报材料.pdf") for name in names) and "manifest.json" in names, names
