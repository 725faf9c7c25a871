"""Settings: one typed object from DOCGEN_* and create_app's dict (which wins); every path setting honoured."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import stat

import pytest

from docgen import config
from docgen.app import create_app
from docgen.cli import main
from docgen.documents import sample
from tests.helpers import pdf_text


def test_environment_typed_and_the_dict_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCGEN_PORT", "9001")
    monkeypatch.setenv("DOCGEN_DATA_DIR", str(tmp_path / "env"))
    settings = config.settings()
    assert settings.PORT == 9001 and settings.DATA_DIR == tmp_path / "env"
    assert settings.DATABASE_URL == f"sqlite:///{tmp_path / 'env' / 'docgen.sqlite3'}"
    assert config.settings({"PORT": 9002, "DATA_DIR": str(tmp_path / "dict")}).PORT == 9002


def test_workers_default_to_one_per_usable_core_at_least_two(monkeypatch, tmp_path):
    monkeypatch.delenv("DOCGEN_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3, 4, 5})
    assert config.settings({"DATA_DIR": str(tmp_path)}).WORKERS == 6
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert config.settings({"DATA_DIR": str(tmp_path)}).WORKERS == 2
    monkeypatch.setenv("DOCGEN_WORKERS", "1")
    assert config.settings({"DATA_DIR": str(tmp_path)}).WORKERS == 1


def test_a_wrong_setting_is_named(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DOCGEN_PORT", "eighty")
    with pytest.raises(config.ConfigError, match="DOCGEN_PORT"):
        config.settings()
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
        app.extensions["docgen"].registry.engine.dispose()


def _load(data_dir, queue):
    queue.put(config.settings({"DATA_DIR": str(data_dir)}).SECRET_KEY)


def test_generated_key_is_private_and_stable(tmp_path):
    first = config.settings({"DATA_DIR": str(tmp_path)}).SECRET_KEY
    path = tmp_path / config.SECRET_KEY_FILE
    assert len(first) >= 48 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.settings({"DATA_DIR": str(tmp_path)}).SECRET_KEY == first
    assert config.settings({"DATA_DIR": str(tmp_path / "other")}).SECRET_KEY != first
    assert config.settings({"DATA_DIR": str(tmp_path), "SECRET_KEY": "configured"}).SECRET_KEY == "configured"


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_load, args=(tmp_path, queue)) for _ in range(8)]
    for proc in procs:
        proc.start()
    keys = {queue.get(timeout=30) for _ in procs}
    for proc in procs:
        proc.join()
    assert len(keys) == 1 and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
