"""Settings: one typed object from DOCGEN_* and create_app's dict (which wins); every path setting honoured."""
from __future__ import annotations

import os
import shutil

import pytest

from docgen import config
from docgen.app import create_app
from docgen.cli import main
from docgen.documents import sample
from tests.helpers import pdf_text


def test_environment_typed_and_the_dict_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCGEN_PORT", "9001")
    monkeypatch.setenv("DOCGEN_DATA_DIR", str(tmp_path / "env"))
    settings = config.load()
    assert settings["PORT"] == 9001 and settings["DATA_DIR"] == str(tmp_path / "env")
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'env' / 'docgen.sqlite3'}"
    assert config.load({"PORT": 9002, "DATA_DIR": str(tmp_path / "dict")})["PORT"] == 9002


def test_a_wrong_setting_is_named(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DOCGEN_PORT", "eighty")
    with pytest.raises(config.ConfigError, match="DOCGEN_PORT"):
        config.load()
    assert main(["types"]) == 0          # a command that reads no settings still works
    payload = str(config.ROOT / "samples" / "commitment.json")
    assert main(["render", "commitment", payload, "-o", str(tmp_path / "x.pdf")]) == 2
    assert "DOCGEN_PORT" in capsys.readouterr().err


def test_templates_dir_is_honoured_and_readyz_leaves_the_environment(tmp_path):
    """A deployment's own templates folder is what renders; /readyz writes no environment variable."""
    templates = tmp_path / "templates"
    shutil.copytree(config.ROOT / "templates", templates)
    page = templates / "commitment" / "document.html"
    page.write_text(page.read_text("utf-8").replace("{% block content %}", "{% block content %}<p>本地模板</p>"),
                    "utf-8")
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "TEMPLATES_DIR": str(templates)})
    try:
        client = app.test_client()
        resp = client.post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
        assert resp.status_code == 200 and "本地模板" in pdf_text(resp.data)
        before = dict(os.environ)
        client.get("/readyz")
        assert dict(os.environ) == before
    finally:
        app.extensions["registry"].engine.dispose()
