"""API keys per unit (stored hashed), which unit owns a batch or a document, and each unit's seal image and
signing certificate (its PKCS#12 and password encrypted with SECRET_KEY: the database alone does not sign).

A key is shown once, at creation: `dg_<key id>_<secret>`. Only the SHA-256 of the secret is kept (the
secret is 256 random bits, so a plain hash cannot be reversed by guessing). With it comes the unit's webhook
secret (`whsec_…`, shown once too), kept as it is: docgen signs with it the webhooks of the batches made with the key. With REQUIRE_API_KEY on, every
request that makes or reads a unit's documents names its key, and a unit sees only what it made.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import DateTime, Engine, LargeBinary, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from docgen.db import Base

PREFIX = "dg"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)   # None: made before webhooks


def webhook_secret() -> str:
    """Return a new Standard Webhooks secret: whsec_ and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class Owner(Base):
    """The unit that made a batch or issued a document (only recorded when the request named a key)."""

    __tablename__ = "owners"

    resource: Mapped[str] = mapped_column(String(16), primary_key=True)     # "batch" or "document"
    resource_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)


@dataclass(frozen=True)
class Caller:
    """Who is calling: the unit of a valid key, or nobody (access control off)."""

    unit: str | None
    key_id: str | None = None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def ownership(resource: str, resource_id: str, caller: Caller) -> list[Owner]:
    """Return the row recording that the caller's unit owns a resource, to store with it (none without a unit)."""
    return [] if caller.unit is None else [Owner(resource=resource, resource_id=resource_id, unit=caller.unit)]


class Keys:
    """Create, revoke and check API keys; record and check owners."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, unit: str) -> tuple[str, str]:
        """Create a key for `unit`, with its webhook secret; return its id and the token (shown once, never stored)."""
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        with Session(self.engine) as session, session.begin():
            session.add(ApiKey(id=key_id, unit=unit, secret_sha256=_digest(secret),
                               created_at=dt.datetime.now(dt.UTC), webhook_secret=webhook_secret()))
        return key_id, f"{PREFIX}_{key_id}_{secret}"

    def webhook_secret(self, key_id: str) -> str | None:
        """Return the webhook secret of a key (None for an unknown key, or one made before webhooks)."""
        with Session(self.engine) as session:
            key = session.get(ApiKey, key_id)
        return key.webhook_secret if key is not None else None

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; return False when there is no such key."""
        with Session(self.engine) as session, session.begin():
            key = session.get(ApiKey, key_id)
            if key is None:
                return False
            key.revoked_at = key.revoked_at or dt.datetime.now(dt.UTC)
            return True

    def check(self, token: str) -> Caller | None:
        """Return the caller a token belongs to, or None for an unknown, malformed or revoked key."""
        prefix, _, rest = token.strip().partition("_")
        key_id, _, secret = rest.partition("_")
        if prefix != PREFIX or not key_id or not secret:
            return None
        with Session(self.engine) as session:
            key = session.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None or not hmac.compare_digest(key.secret_sha256, _digest(secret)):
            return None
        return Caller(unit=key.unit, key_id=key.id)

    def owner(self, resource: str, resource_id: str) -> str | None:
        """Return the unit that owns a resource, or None when it was made without a key."""
        with Session(self.engine) as session:
            owner = session.get(Owner, (resource, resource_id))
        return owner.unit if owner is not None else None

    def issuer(self, document_id: str, batch_id: str | None) -> str | None:
        """Return the unit whose key issued a document: the key of its render, else the key of the batch that made
        it; None when neither was made with a key."""
        owner = self.owner("document", document_id)
        if owner is None and batch_id:
            owner = self.owner("batch", batch_id)
        return owner

    def may_see(self, resource: str, resource_id: str, caller: Caller) -> bool:
        """Whether the caller may see a resource: always with access control off, else only its unit's."""
        if caller.unit is None:
            return True
        with Session(self.engine) as session:
            owner = session.get(Owner, (resource, resource_id))
        return owner is not None and owner.unit == caller.unit


class UnitCredential(Base):
    """A unit's seal image (PNG) and its signing certificate (PKCS#12 and password, encrypted)."""

    __tablename__ = "unit_credentials"

    unit: Mapped[str] = mapped_column(String(200), primary_key=True)
    seal_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class StoredCredentials:
    """What a unit has registered: its seal image, its PKCS#12 and the PKCS#12's password."""

    seal_png: bytes | None = None
    p12: bytes | None = None
    password: str = ""


class Units:
    """Store and read each unit's seal image and signing certificate."""

    def __init__(self, engine: Engine, secret_key: str) -> None:
        from cryptography.fernet import Fernet

        key = hashlib.sha256(b"docgen unit certificates\0" + secret_key.encode()).digest()
        self.engine = engine
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def _row(self, session: Session, unit: str) -> UnitCredential:
        row = session.get(UnitCredential, unit)
        if row is None:
            row = UnitCredential(unit=unit, updated_at=dt.datetime.now(dt.UTC))
            session.add(row)
        return row

    def set_seal(self, unit: str, png: bytes) -> None:
        """Register a unit's seal image (checked by the caller: docgen.render.seal.load)."""
        with Session(self.engine) as session, session.begin():
            row = self._row(session, unit)
            row.seal_png, row.updated_at = png, dt.datetime.now(dt.UTC)

    def set_certificate(self, unit: str, p12: bytes, password: str) -> None:
        """Register a unit's PKCS#12 and its password, encrypted with the deployment's SECRET_KEY."""
        sealed = self._fernet.encrypt(json.dumps({"p12": base64.b64encode(p12).decode(), "password": password})
                                      .encode())
        with Session(self.engine) as session, session.begin():
            row = self._row(session, unit)
            row.certificate, row.updated_at = sealed, dt.datetime.now(dt.UTC)

    def get(self, unit: str) -> StoredCredentials | None:
        """Return what a unit registered, or None; a certificate stored under another SECRET_KEY reads as none."""
        from cryptography.fernet import InvalidToken

        with Session(self.engine) as session:
            row = session.get(UnitCredential, unit)
        if row is None:
            return None
        p12, password = None, ""
        if row.certificate is not None:
            try:
                data = json.loads(self._fernet.decrypt(row.certificate))
                p12, password = base64.b64decode(data["p12"]), data["password"]
            except InvalidToken:
                p12 = None
        return StoredCredentials(row.seal_png, p12, password)
