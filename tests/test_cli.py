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
    # the archive's tree as CONTRACT.md names it: files/<NN-姓名>/…, manifest.json beside files/
    assert (tmp_path / "b" / "files" / "01-阿不都热合曼·买买提" / "申报材料.pdf").is_file()
    assert (tmp_path / "b" / "manifest.json").is_file()
    assert not (tmp_path / "b.part").exists()


def test_batch_with_errors_writes_nothing(tmp_path, capsys):
    data = json.loads((SAMPLES / "batch.json").read_text("utf-8"))
    data["applicants"][0]["gender"] = "女"
    roster = tmp_path / "r.json"
    roster.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["batch", str(roster), "-o", str(tmp_path / "b")]) == 1
    assert not (tmp_path / "b").exists()
    assert "/applicants/0" in capsys.readouterr().err


@pytest.mark.parametrize("argv,named", [
    (["render", "nope", str(SAMPLES / "commitment.json"), "-o", "x.pdf"], "evaluation-form"),
    (["render", "commitment", str(SAMPLES / "commitment.json"), "-o", "x.pdf", "--profile", "nowhere"],
     "bazhou-2024"),
    (["render", "commitment", str(SAMPLES / "commitment.json"), "-o", "x.txt"], "docx"),
])
def test_render_bad_type_profile_or_format_is_one_line(tmp_path, capsys, monkeypatch, argv, named):
    """An unknown type, profile or format: one line naming the valid ones, exit status 2, no traceback."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and named in err and "Traceback" not in err
    assert not list(tmp_path.glob("x.*"))


def test_render_unknown_type_from_the_shell(tmp_path):
    """The installed command, as a user runs it: status 2 and one line on stderr."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "docgen.cli", "render", "nope", "p.json", "-o", "x.pdf"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "commitment" in done.stderr


def test_rendered_evaluation_form_verifies_and_says_its_copies(tmp_path, capsys):
    """A 评审表 issued on the command line is in the registry of DATA_DIR: the app verifies its id; and
    --copies 3 prints 一式三份 in the form's own words, in the PDF and in the DOCX."""
    from docgen.app import create_app

    ids = {}
    for fmt in ("pdf", "docx"):
        out = tmp_path / f"评审表.{fmt}"
        assert main(["render", "evaluation-form", str(SAMPLES / "evaluation-form.json"), "-o", str(out),
                     "--copies", "3", "--profile", "bazhou-2024"]) == 0
        ids[fmt] = capsys.readouterr().out.rsplit("编号 ", 1)[1].split(")")[0]
    pdf = pdf_text((tmp_path / "评审表.pdf").read_bytes()).replace("\n", "")
    assert pdf.count("一式三份") == 3 and "一式两份" not in pdf     # bazhou's default is two
    docx = docx_text((tmp_path / "评审表.docx").read_bytes())
    assert "一式三份" in docx and "一式两份" not in docx
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data")})
    try:
        for fmt, document_id in ids.items():
            answer = app.test_client().get(f"/v1/verify/{document_id}", headers={"Accept": "application/json"})
            assert answer.status_code == 200, answer.json
            assert answer.json["type"] == "evaluation-form" and answer.json["format"] == fmt
    finally:
        app.extensions["docgen"].registry.engine.dispose()


def test_render_blank_and_blind(tmp_path):
    out = tmp_path / "blank.pdf"
    assert main(["render", "evaluation-form", "--blank", "-o", str(out), "--copies", "3"]) == 0
    assert "一式三份" in pdf_text(out.read_bytes()).replace("\n", "")
    out = tmp_path / "blind.pdf"
    assert main(["render", "evaluation-form", str(SAMPLES / "evaluation-form.json"), "-o", str(out), "--blind"]) == 0
    name = json.loads((SAMPLES / "evaluation-form.json").read_text("utf-8"))["applicant"]["name"]
    assert name not in pdf_text(out.read_bytes())


def test_render_preview_is_not_issued(tmp_path, capsys):
    """--preview writes the file (预览稿 in its name on the screen) and records nothing in DATA_DIR's registry."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from docgen.registry import IssuedDocument, Registry

    out = tmp_path / "预览.pdf"
    assert main(["render", "commitment", str(SAMPLES / "commitment.json"), "-o", str(out), "--preview"]) == 0
    said = capsys.readouterr().out
    assert "预览稿，未出具" in said and "编号" not in said and pdf_text(out.read_bytes())
    registry = Registry(f"sqlite:///{tmp_path / 'data' / 'docgen.sqlite3'}")
    try:
        with Session(registry.engine) as session:
            assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
    finally:
        registry.engine.dispose()
    assert main(["render", "commitment", str(SAMPLES / "commitment.json"), "-o", str(out)]) == 0
    assert "编号 " in capsys.readouterr().out


@pytest.mark.parametrize(("public_url", "warned"), [(None, True), ("http://localhost:8000", True),
                                                    ("https://zc.example.gov.cn", False)])
def test_render_warns_when_qr_links_point_at_this_computer(tmp_path, capsys, monkeypatch, public_url, warned):
    """A document with a QR code rendered on the command line warns, as `serve` does, when its verification
    link would open only on this computer; a document without a code does not."""
    if public_url is None:
        monkeypatch.delenv("DOCGEN_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("DOCGEN_PUBLIC_URL", public_url)
    out = tmp_path / "评审表.pdf"
    assert main(["render", "evaluation-form", str(SAMPLES / "evaluation-form.json"), "-o", str(out)]) == 0
    assert ("警告：DOCGEN_PUBLIC_URL" in capsys.readouterr().err) is warned
    assert main(["render", "commitment", str(SAMPLES / "commitment.json"), "-o", str(tmp_path / "c.pdf")]) == 0
    assert "警告" not in capsys.readouterr().err
