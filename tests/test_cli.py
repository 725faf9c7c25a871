"""The `docgen` command: types, render (format from the suffix), batch with its pre-check."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.cli import main
from docgen.kinds import KINDS
from tests.helpers import docx_text, pdf_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """The CLI reads DOCGEN_* like the service: keep its registry out of the user's data directory."""
    monkeypatch.setenv("DOCGEN_DATA_DIR", str(tmp_path / "data"))


def test_types(capsys):
    assert main(["types"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split("\t")[0] for ln in lines] == list(KINDS)


def test_render_pdf_and_docx(tmp_path):
    for suffix in ("pdf", "docx"):
        out = tmp_path / f"c.{suffix}"
        assert main(["render", "commitment", str(SAMPLES / "commitment.json"), "-o", str(out),
                     "--profile", "tacheng-2023"]) == 0
        text = pdf_text(out.read_bytes()) if suffix == "pdf" else docx_text(out.read_bytes())
        assert "5年内" in text.replace("\n", "")


def test_render_invalid_payload_writes_nothing(tmp_path, capsys):
    payload = tmp_path / "bad.json"
    payload.write_text(json.dumps({"applicant": {}}), encoding="utf-8")
    out = tmp_path / "c.pdf"
    assert main(["render", "commitment", str(payload), "-o", str(out)]) == 1
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert "/applicant/name" in capsys.readouterr().err


def test_batch(tmp_path):
    assert main(["batch", str(SAMPLES / "batch.json"), "-o", str(tmp_path / "b")]) == 0
    assert (tmp_path / "b" / "archive.zip").is_file() and (tmp_path / "b" / "print.pdf").is_file()
    assert not (tmp_path / "b.part").exists()


def test_batch_with_errors_writes_nothing(tmp_path, capsys):
    data = json.loads((SAMPLES / "batch.json").read_text("utf-8"))
    data["applicants"][0]["gender"] = "女"
    roster = tmp_path / "r.json"
    roster.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["batch", str(roster), "-o", str(tmp_path / "b")]) == 1
    assert not (tmp_path / "b").exists()
    assert "/applicants/0" in capsys.readouterr().err
