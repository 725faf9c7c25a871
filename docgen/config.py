"""Configuration: defaults, then DOCGEN_* environment variables, then the dict given to create_app."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    "DATA_DIR": platformdirs.user_data_dir("docgen"),
    "DATABASE_URL": None,          # derived from DATA_DIR when unset
    "BROKER_URL": None,            # unset = batches run in-process
    "SECRET_KEY": "dev-only-change-me",
    "MAX_BODY_BYTES": 10 * 1024 * 1024,
    "PUBLIC_URL": "http://127.0.0.1:8000",
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "WORKERS": 2,
    "DEFAULT_PROFILE": "xinjiang",
    "TEMPLATES_DIR": str(ROOT / "templates"),
    "FONTS_DIR": str(ROOT / "fonts"),
    # extra holiday tables (TOML, same format as docgen/rules/data/holidays.toml), ':'-separated
    "HOLIDAY_FILES": "",
    "TESTING": False,
    # batches (docgen/batch): where their files go (a folder, shareable between machines; default DATA_DIR),
    "ARTIFACTS_DIR": None,
    "BATCH_WORKERS": 0,                  # processes rendering batch items; 0 = one per core
    "BATCH_LEASE_SECONDS": 120,          # an item claimed longer ago than this by a vanished worker is redone
    "BATCH_RUNNER": "thread",            # embedded runner in this process ("thread") or elsewhere ("none")
    "MAX_BATCH_APPLICANTS": 2000,        # per batch
    "MAX_RUNNING_BATCHES_PER_UNIT": 3,   # queued or running at once, per unit
    "BATCH_RETENTION_HOURS": 168,        # finished batches' files are deleted after this (the batch says so)
}

_INT_KEYS = {"MAX_BODY_BYTES", "PORT", "WORKERS", "BATCH_WORKERS", "BATCH_LEASE_SECONDS", "MAX_BATCH_APPLICANTS",
             "MAX_RUNNING_BATCHES_PER_UNIT", "BATCH_RETENTION_HOURS"}


def load(overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Return the effective configuration: defaults < DOCGEN_* environment < overrides."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        if f"DOCGEN_{key}" in environ:
            config[key] = environ[f"DOCGEN_{key}"]
    config.update(overrides or {})
    for key in _INT_KEYS:
        config[key] = int(config[key])
    config["DATA_DIR"] = str(Path(config["DATA_DIR"]).expanduser())
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(config['DATA_DIR']) / 'docgen.sqlite3'}"
    return config


def holiday_files(config: dict) -> list[Path]:
    """Return the deployment's extra holiday tables: HOLIDAY_FILES plus DATA_DIR/holidays.toml if present."""
    files = [Path(p) for p in str(config.get("HOLIDAY_FILES") or "").split(":") if p]
    local = Path(config["DATA_DIR"]) / "holidays.toml"
    if local.is_file():
        files.append(local)
    return files
