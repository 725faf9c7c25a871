"""Configuration: one typed object (pydantic-settings) from defaults, then DOCGEN_* environment variables, then
the dict given to create_app, which wins."""
from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """docgen's settings; the names are those of the contract (DOCGEN_<NAME> in the environment)."""

    model_config = SettingsConfigDict(env_prefix="DOCGEN_", case_sensitive=True, extra="allow")

    DATA_DIR: Path = Field(Path(platformdirs.user_data_dir("docgen")),
                           description="artifacts (batches) and the default SQLite database")
    DATABASE_URL: str = Field("", description="SQLAlchemy URL; default SQLite under DATA_DIR")
    BROKER_URL: str | None = Field(None, description="Celery broker (Redis); unset: batches run in-process")
    SECRET_KEY: str = Field("", description="signs the verification links in QR codes; unset: a random key "
                                                     "generated once into DATA_DIR/secret_key (mode 0600)")
    MAX_BODY_BYTES: int = Field(10 * 1024 * 1024, gt=0, description="a request's body (JSON); multipart: MAX_UPLOAD_BYTES")
    MAX_UPLOAD_BYTES: int = Field(100 * 1024 * 1024, gt=0, description="a multipart request: a batch or package with "
                                                                      "its scans (20 MB each), a roster, a file to verify")
    PUBLIC_URL: str = Field("http://127.0.0.1:8000", description="base of the links in QR codes")
    HOST: str = "127.0.0.1"
    ALLOWED_HOSTS: str = Field("", description="Host header names served, comma-separated (a leading dot: its "
                                               "subdomains too); empty: any (400 otherwise)")
    PORT: int = Field(8000, ge=1, le=65535)
    WORKERS: int = Field(default_factory=lambda: max(2, usable_cores()), ge=1,
                         description="docgen serve's worker processes; default one per usable core (a worker "
                                     "renders on one core at a time: Python's GIL), at least 2")
    TEMPLATES_DIR: Path = ROOT / "templates"
    FONTS_DIR: Path = ROOT / "fonts"
    HOLIDAY_FILES: str = Field("", description="extra holiday tables (TOML as docgen/rules/data/holidays.toml), "
                                                "':'-separated")
    TESTING: bool = False
    # batches (docgen/batch): where their files go (a folder, shareable between machines; default DATA_DIR)
    ARTIFACTS_DIR: Path | None = None
    BATCH_WORKERS: int = Field(0, ge=0, description="processes rendering batch items; 0 = one per core")
    BATCH_LEASE_SECONDS: int = Field(120, gt=0, description="an item claimed longer ago by a vanished worker is redone")
    BATCH_RUNNER: str = Field("thread", description='embedded runner in this process ("thread"), in a process of its '
                                                    'own whose heartbeat /readyz watches ("process", docgen serve) or '
                                                    'elsewhere ("none")')
    BATCH_MAX_WAIT: float = Field(900, gt=0, description="seconds a batch may wait unstarted before /readyz says 503")
    MAX_BATCH_APPLICANTS: int = Field(2000, gt=0, description="per batch")
    MAX_RUNNING_BATCHES_PER_UNIT: int = Field(3, gt=0, description="queued or running at once, per unit")
    BATCH_RETENTION_HOURS: int = Field(168, ge=0, description="finished batches' files are deleted after this")
    REQUIRE_API_KEY: bool = Field(False, description="true: making and reading documents and batches needs a unit's key")
    # docgen serve: threads per worker, connections a worker buffers, seconds a client has to send a request
    THREADS: int = Field(4, ge=2)
    MAX_CONNECTIONS: int = Field(200, gt=0)
    READ_TIMEOUT: float = Field(30, gt=0)
    QUEUE_LIMIT: int = Field(16, gt=0, description="complete requests waiting for a thread, per worker; more: 429")
    RENDER_WAIT: float = Field(10, ge=0, description="seconds a render waits for a free slot before 429")
    RENDER_TIME_LIMIT: float = Field(120, gt=0, description="seconds a render may take before it is stopped (503)")
    METRICS_TOKEN: str | None = Field(None, description="set: GET /metrics wants Authorization: Bearer <token>")
    # webhooks (docgen/batch/webhooks.py): a batch's webhook_url is called when it ends or its files go
    WEBHOOK_HOSTS: str = Field("", description="hosts a webhook_url may name, comma-separated: a name or address, "
                                               "or *.example.cn for its subdomains; empty: no webhooks")
    WEBHOOK_SECRET: str = Field("", description="whsec_<base64 of 24-64 bytes>: signs the webhooks (Standard "
                                                "Webhooks); a call made with an API key is signed with that key's own")
    WEBHOOK_TIMEOUT: float = Field(10, gt=0, le=30, description="seconds to connect, and to wait for each read")
    WEBHOOK_RETRY_BASE: float = Field(30, gt=0, description="seconds before the first retry; each next waits twice "
                                                            "as long (±25 %), at most an hour")
    WEBHOOK_RETRY_HOURS: float = Field(24, ge=1, description="hours a delivery is retried before it is given up")
    # a one-unit deployment's seal and certificate (several units: `docgen units seal|certificate`, issue 25)
    SEAL_IMAGE: Path | None = Field(None, description="the unit's seal: a PNG with transparency (42 mm unless its dpi says)")
    SIGNING_P12: Path | None = Field(None, description="the unit's PKCS#12 (certificate and key) for PAdES signatures")
    SIGNING_PASSWORD: str = Field("", description="the PKCS#12's password")
    TSA_URL: str | None = Field(None, description="an RFC 3161 time-stamp authority: signatures become PAdES B-T")

    @property
    def artifacts_dir(self) -> Path:
        """Return where batch files go: ARTIFACTS_DIR, default DATA_DIR."""
        return self.ARTIFACTS_DIR or self.DATA_DIR

    @property
    def batch_workers(self) -> int:
        """Return how many processes render batch items: BATCH_WORKERS, 0 meaning one per core."""
        return self.BATCH_WORKERS or os.cpu_count() or 1

    @property
    def webhook_hosts(self) -> tuple[str, ...]:
        """Return WEBHOOK_HOSTS as a tuple of lower-case entries (IPv6 addresses without brackets)."""
        return tuple(h.strip().lower().strip("[]") for h in self.WEBHOOK_HOSTS.split(",") if h.strip())

    @model_validator(mode="after")
    def _derived(self) -> Settings:
        check_webhook_secret(self.WEBHOOK_SECRET)
        if self.webhook_hosts and not self.WEBHOOK_SECRET and not self.REQUIRE_API_KEY:
            raise ValueError("WEBHOOK_HOSTS is set: WEBHOOK_SECRET (whsec_…) must be too, to sign the webhooks")
        self.DATA_DIR = self.DATA_DIR.expanduser()
        if not self.DATABASE_URL:
            self.DATABASE_URL = f"sqlite:///{self.DATA_DIR / 'docgen.sqlite3'}"
        if not self.SECRET_KEY:
            self.SECRET_KEY = secret_key(self.DATA_DIR)
        return self



def usable_cores() -> int:
    """Return the cores this process may run on (its CPU affinity: a container's cpuset), at least 1."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:   # not Linux
        return os.cpu_count() or 1


def check_webhook_secret(secret: str) -> None:
    """Refuse a webhook secret that is set but not whsec_<base64 of 24 to 64 bytes> (Standard Webhooks)."""
    if not secret:
        return
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        key = b""
    if not secret.startswith("whsec_") or not 24 <= len(key) <= 64:
        raise ValueError("WEBHOOK_SECRET should be whsec_ followed by the base64 of 24 to 64 random bytes")


class ConfigError(ValueError):
    """A setting has a value of the wrong kind (DOCGEN_PORT=abc): said at start, naming the variable."""


def settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Return the effective settings: defaults < DOCGEN_* environment < overrides (create_app's dict)."""
    try:
        return Settings(**(overrides or {}))
    except ValidationError as exc:
        wrong = "; ".join(f"DOCGEN_{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid setting: {wrong}") from None


def flask_config(values: Settings) -> dict[str, Any]:
    """Return settings as the dict Flask's app.config takes (paths as strings); docgen reads the Settings."""
    return {key: str(value) if isinstance(value, Path) else value for key, value in values.model_dump().items()}


SECRET_KEY_FILE = "secret_key"


def secret_key(data_dir: Path) -> str:
    """Return the deployment's generated key, DATA_DIR/secret_key, creating it (mode 0600) the first time.

    Several gunicorn workers may start at once: each writes its candidate to a private temporary file and
    links it to the final name, which only one link can win; everyone then reads the winner's key.
    """
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        candidate = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            try:
                os.link(candidate, path)
            except FileExistsError:
                pass
        finally:
            candidate.unlink(missing_ok=True)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it to have a new one generated")
    return key


def holiday_files(values: Settings) -> list[Path]:
    """Return the deployment's extra holiday tables: HOLIDAY_FILES plus DATA_DIR/holidays.toml if present."""
    files = [Path(p) for p in values.HOLIDAY_FILES.split(":") if p]
    local = values.DATA_DIR / "holidays.toml"
    if local.is_file():
        files.append(local)
    return files


def body_limit(values: Settings, content_type: str) -> int:
    """Return the most bytes a request body may have: uploads (multipart/form-data) have their own limit."""
    upload = content_type.lower().startswith("multipart/form-data")
    return values.MAX_UPLOAD_BYTES if upload else values.MAX_BODY_BYTES


def too_large(limit: int) -> str:
    """Say in Chinese how large a body may be."""
    return f"请求体不能超过{limit // 2**20} MB" if limit >= 2**20 else f"请求体不能超过{limit // 1024} KB"
