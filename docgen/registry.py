"""The registry of issued documents: what was issued, when, for whom, and a fingerprint of its content.

SQLite under DATA_DIR by default, PostgreSQL by DATABASE_URL (docgen.db). Only metadata is kept,
not the file: a verification link answers whether a document is genuine without storing personal files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence

from sqlalchemy import DateTime, Integer, String, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from docgen import db
from docgen.db import Base


class IssuedDocument(Base):
    """One rendered file."""

    __tablename__ = "issued_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(64))
    profile: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)   # made by a batch
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # applicant_key(): finds an applicant's documents for an erasure; the ID number itself is not kept
    applicant_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    def public(self) -> dict[str, object]:
        """Return what a verification shows: no personal data beyond the name on the document."""
        return {"document_id": self.id, "type": self.kind, "title": self.title, "profile": self.profile,
                "subject": self.subject, "format": self.format, "sha256": self.sha256, "size": self.size,
                "issued_at": utc(self.issued_at).isoformat(),
                "revoked_at": utc(self.revoked_at).isoformat() if self.revoked_at else None,
                "revoke_reason": self.revoke_reason}


def applicant_key(secret_key: str, id_number: str) -> str:
    """Return the key under which the registry files an applicant's documents: an HMAC of the ID number with
    the deployment's SECRET_KEY, so that the registry alone does not yield the number (a plain hash of an ID
    number is found by trying them all)."""
    return hmac.new(secret_key.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


def utc(value: dt.datetime) -> dt.datetime:
    """Return a stored time with its zone (SQLite gives it back naive; it was written in UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class Registry:
    """Records and looks up issued documents."""

    def __init__(self, url: str):
        """Connect to the database at `url` (its schema is brought up to date by docgen.db.upgrade, which
        docgen.services runs at start)."""
        self.engine = db.make_engine(url)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self.writer = db.GroupWriter(self.engine)

    def add(self, rows: Sequence[Base]) -> None:
        """Store the rows of issued documents, committed before this returns (docgen.documents.Issuer makes
        them); in one transaction with what other threads store at the same moment (db.GroupWriter)."""
        by_table: dict[type[Base], list[dict[str, object]]] = {}
        for row in rows:   # inserted as values, not through the unit of work: 0.54 instead of 0.94 ms CPU a record
            by_table.setdefault(type(row), []).append(
                {column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs})

        def work(session: Session) -> None:
            for model, values in by_table.items():
                session.execute(insert(model), values)

        self.writer.write(work)

    def revoke(self, document_id: str, reason: str) -> IssuedDocument | None:
        """Mark a document revoked (the first revocation's time and reason stay); None when unknown."""
        with self._session.begin() as session:
            row = session.get(IssuedDocument, document_id)
            if row is not None and row.revoked_at is None:
                row.revoked_at, row.revoke_reason = dt.datetime.now(dt.timezone.utc), reason
            return row

    def get(self, document_id: str) -> IssuedDocument | None:
        """Return an issued document by id, or None."""
        with Session(self.engine) as session:
            return session.scalar(select(IssuedDocument).where(IssuedDocument.id == document_id))

    def issued_to(self, key: str) -> list[IssuedDocument]:
        """Return the documents filed under an applicant's key (applicant_key()), oldest first."""
        with Session(self.engine) as session:
            return list(session.scalars(select(IssuedDocument).where(IssuedDocument.applicant_key == key)
                                        .order_by(IssuedDocument.issued_at)))

    def forget(self, document_ids: list[str], masks: dict[str, str]) -> list[IssuedDocument]:
        """Mask the names (`masks`: 张三 → 张*) in these documents' subjects and drop their applicant key; id,
        type, SHA-256, size and dates stay, so that they still verify. Return them as they are now."""
        with self._session.begin() as session:
            rows = list(session.scalars(select(IssuedDocument).where(IssuedDocument.id.in_(document_ids))))
            for row in rows:
                for name, mask in masks.items():
                    row.subject = row.subject.replace(name, mask)
                row.applicant_key = None
            return rows
