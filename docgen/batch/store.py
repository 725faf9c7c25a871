"""Batch status in the database, so any worker process can answer for a batch another one runs."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from docgen.registry import Base, Registry, utc

STATUSES = ("queued", "running", "done", "failed")


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(64))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def public(self) -> dict:
        return {"id": self.id, "status": self.status, "unit": self.unit, "profile": self.profile,
                "progress": {"done": self.done, "total": self.total}, "errors": json.loads(self.errors),
                "created_at": utc(self.created_at).isoformat(),
                "finished_at": utc(self.finished_at).isoformat() if self.finished_at else None}


class BatchStore:
    """Create, update and read batches."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.engine = registry.engine   # the registry created the schema, this table included

    def create(self, batch_id: str, unit: str, profile: str, total: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(Batch(id=batch_id, status="queued", unit=unit, profile=profile, total=total, done=0,
                              errors="[]", created_at=dt.datetime.now(dt.timezone.utc)))

    def update(self, batch_id: str, **values) -> None:
        if "errors" in values:
            values["errors"] = json.dumps(values["errors"], ensure_ascii=False)
        if values.get("status") in ("done", "failed"):
            values["finished_at"] = dt.datetime.now(dt.timezone.utc)
        with Session(self.engine) as session, session.begin():
            row = session.get(Batch, batch_id)
            for key, value in values.items():
                setattr(row, key, value)

    def get(self, batch_id: str) -> Batch | None:
        with Session(self.engine) as session:
            return session.scalar(select(Batch).where(Batch.id == batch_id))
