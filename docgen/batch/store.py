"""Batches and their items in the database, so that any process can run, resume or answer for any batch.

An item is one document of one applicant (all its formats). Items are claimed with a token before they are
rendered and completed in one transaction that also records their files in the registry, on the condition
that nobody completed the item first: whatever is killed when, each item is done exactly once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import DateTime, Dialect, ForeignKey, Integer, Select, String, Text, and_, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, defer, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from docgen.access import Owner
from docgen.db import Base
from docgen.registry import IssuedDocument, Registry, utc

STATUSES = ("queued", "running", "done", "failed", "cancelled")
UNFINISHED = ("queued", "running")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class JsonText(TypeDecorator[Any]):
    """A JSON value in a TEXT column: the store reads and writes Python values, the database keeps the text
    it always kept (no migration); compared with a string (a LIKE search), it is the text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(to_jsonable_python(value), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return Text() if isinstance(value, str) else self


def scoped_key(idempotency_key: str, tenant: str | None) -> str:
    """Return the Idempotency-Key as stored: a unit's key (tenant) makes its own space of keys, so that another
    unit sending the same key makes its own batch; without a key (one anonymous tenant) it is stored as sent."""
    if tenant is None:
        return idempotency_key
    return hashlib.sha256(json.dumps([tenant, idempotency_key], ensure_ascii=False).encode("utf-8")).hexdigest()


def _owned(tenant: str | None = None) -> Select[str]:
    """Return the ids of the batches the unit of an API key owns (every owned batch when `tenant` is None)."""
    owned = select(Owner.resource_id).where(Owner.resource == "batch")
    return owned if tenant is None else owned.where(Owner.unit == tenant)


def claim_token() -> str:
    """Name this process as a claimant: host and pid (a dead local claimant is recognised at once)."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def claimant_dead(token: str | None) -> bool:
    """Return whether a claim belongs to a process of this host that no longer exists."""
    if not token:
        return False
    host, pid, _ = token.split(":")
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(64))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonText, default=lambda: [])
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    formats: Mapped[list[str]] = mapped_column(JsonText, default=lambda: ["pdf", "docx"])
    # the documents sealed and signed, and PDF/A ({"seal": [slug], "sign": [slug], "pdfa": bool | None}); None: none
    marks: Mapped[dict[str, Any] | None] = mapped_column(JsonText, nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    claim: Mapped[str | None] = mapped_column(String(100), nullable=True)        # who builds the ZIP
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    files_deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    files_deleted_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)   # expired|deleted|erased
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)     # called when it ends (batch/webhooks.py)
    webhook_key: Mapped[str | None] = mapped_column(String(16), nullable=True)   # the API key whose secret signs

    def public(self) -> dict[str, Any]:
        """Return what GET /v1/batches/{id} answers."""
        out: dict[str, Any] = {
               "id": self.id, "status": self.status, "unit": self.unit, "profile": self.profile,
               "progress": {"done": self.done, "total": self.total}, "errors": self.errors,
               "created_at": utc(self.created_at).isoformat(),
               "finished_at": utc(self.finished_at).isoformat() if self.finished_at else None,
               "expires_at": utc(self.expires_at).isoformat() if self.expires_at else None}
        if self.files_deleted_at:
            out["files_deleted"] = {"at": utc(self.files_deleted_at).isoformat(),
                                    "reason": self.files_deleted_reason}
        return out


class BatchItem(Base):
    """One document of a batch: what to render, who holds it, and the files it made."""

    __tablename__ = "batch_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(32), ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)                 # print order
    kind: Mapped[str] = mapped_column(String(64))
    folder: Mapped[str] = mapped_column(String(200))          # "" for unit-level documents
    who: Mapped[str] = mapped_column(String(200))
    pointer: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonText)
    status: Mapped[str] = mapped_column(String(16), index=True)   # pending | running | done | failed | cancelled
    claim: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # [{format, key, document_id, sha256, size, pages, print_only}]
    files: Mapped[list[dict[str, Any]]] = mapped_column(JsonText, default=lambda: [])
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonText, default=lambda: [])


@dataclass
class Lane:
    """The queue of one unit (the unit of an API key, else the unit a keyless batch names): how many items it
    has in hand and when the last of them started, and its items to start, oldest batch first, in print order."""

    running: int = 0
    served: dt.datetime = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    waiting: list[tuple[int, str]] = field(default_factory=list)    # (item id, batch id)

    def count(self, claimed_at: dt.datetime | None) -> None:
        """Count an item in hand: claimed at that time, or held by the caller and not yet claimed (now)."""
        self.running += 1
        self.served = max(self.served, utc(claimed_at) if claimed_at is not None else now())

    def turn(self) -> tuple[int, dt.datetime]:
        """Return its place in the round: fewest items in hand first, then the one served longest ago."""
        return self.running, self.served


def take_turns(lanes: list[Lane], limit: int) -> list[tuple[int, str]]:
    """Return up to `limit` items, one lane at a time: each next item from the lane with the fewest items in
    hand, longest unserved (ties: the lane listed first, i.e. its oldest batch is older)."""
    picked: list[tuple[int, str]] = []
    tick = max([lane.served for lane in lanes], default=now())
    while len(picked) < limit and (ready := [lane for lane in lanes if lane.waiting]):
        lane = min(ready, key=Lane.turn)
        picked.append(lane.waiting.pop(0))
        tick += dt.timedelta(microseconds=1)
        lane.running, lane.served = lane.running + 1, tick
    return picked


def _last_started(session: Session, lane_of: dict[str, Lane], totals: dict[str, int],
                  pending: Iterable[tuple[str, int]]) -> None:
    """Note when each lane last had an item started: items start in print order, so a batch's last started is
    the one before its first pending (its last item when none is pending); one row each, read by its seq."""
    first = dict(totals)
    for b, seq in pending:
        if b in first:
            first[b] = min(first[b], seq)
    last = [and_(BatchItem.batch_id == b, BatchItem.seq == seq - 1) for b, seq in first.items() if seq > 0]
    if not last:
        return
    for b, claimed_at in session.execute(select(BatchItem.batch_id, BatchItem.claimed_at).where(or_(*last))):
        if claimed_at is not None:
            lane_of[b].served = max(lane_of[b].served, utc(claimed_at))


@dataclass
class NewItem:
    kind: str
    folder: str
    who: str
    pointer: str
    payload: dict[str, Any]


class BatchStore:
    """Create, claim, complete and read batches and their items."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.engine = registry.engine

    def create(self, batch_id: str, unit: str, profile: str, formats: list[str], items: list[NewItem],
               idempotency_key: str | None = None, webhook: tuple[str, str | None] | None = None,
               tenant: str | None = None, marks: dict[str, Any] | None = None) -> Batch:
        """Store a batch and its items; `webhook` is its URL and the API key whose secret signs (None: the
        deployment's); `tenant`, the unit of the API key that sent it, owns it from the same transaction on (no
        moment when the batch exists and its owner does not); `marks` seal, sign or archive its documents."""
        url, key = webhook or (None, None)
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            batch = Batch(id=batch_id, status="queued", unit=unit, profile=profile, total=len(items), done=0,
                          errors=[], created_at=now(), formats=formats,
                          idempotency_key=scoped_key(idempotency_key, tenant) if idempotency_key else None,
                          webhook_url=url, webhook_key=key, marks=marks)
            session.add(batch)
            if tenant is not None:
                session.add(Owner(resource="batch", resource_id=batch_id, unit=tenant))
            session.flush()
            session.add_all(BatchItem(batch_id=batch_id, seq=i, kind=it.kind, folder=it.folder, who=it.who,
                                      pointer=it.pointer, status="pending", files=[], errors=[], payload=it.payload)
                            for i, it in enumerate(items))
        return batch

    def get(self, batch_id: str) -> Batch | None:
        with Session(self.engine) as session:
            return session.get(Batch, batch_id)

    def by_idempotency_key(self, key: str, tenant: str | None = None) -> Batch | None:
        """Return the batch this tenant (the unit of its API key, or None without one) sent with this key."""
        with Session(self.engine) as session:
            return session.scalar(select(Batch).where(Batch.idempotency_key == scoped_key(key, tenant)))

    def unfinished(self) -> list[str]:
        """Return the batches still to run or finish, oldest first."""
        with Session(self.engine) as session:
            return list(session.scalars(select(Batch.id).where(Batch.status.in_(UNFINISHED))
                                        .order_by(Batch.created_at)))

    def running_for(self, tenant: str | None, unit: str) -> int:
        """Return how many batches of a unit are queued or running: those its API key sent (tenant), whatever
        unit their payloads name; without a key, the keyless batches whose payload names `unit`."""
        ours = Batch.id.in_(_owned(tenant)) if tenant is not None else and_(
            Batch.unit == unit, Batch.id.not_in(_owned()))
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(Batch)
                                  .where(ours, Batch.status.in_(UNFINISHED))) or 0

    def next_items(self, limit: int, lease_seconds: int, holding: Collection[int] = (), batch_id: str | None = None
                   ) -> list[tuple[int, str]]:
        """Return up to `limit` items to start next, as (item id, batch id), units taking turns (round-robin,
        not oldest first: a unit's one-applicant batch does not wait behind another's 400). An item is ready
        when pending, or running under a claim silent for a lease; `holding` are items this caller has in hand
        but not yet claimed (they count as running). `batch_id` keeps to one batch (the CLI's)."""
        stale = now() - dt.timedelta(seconds=lease_seconds)
        lanes: dict[tuple[str, str], Lane] = {}
        with Session(self.engine) as session:
            batches = session.execute(
                select(Batch.id, Batch.unit, Owner.unit, Batch.total).outerjoin(Owner, and_(
                    Owner.resource == "batch", Owner.resource_id == Batch.id))
                .where(Batch.status.in_(UNFINISHED), *([Batch.id == batch_id] if batch_id else []))
                .order_by(Batch.created_at)).all()
            lane_of = {b: lanes.setdefault(("key", owner) if owner is not None else ("name", unit), Lane())
                       for b, unit, owner, _ in batches}
            # found by the status index, reading no more of a row than needed: payloads (photos) stay unread
            running = session.execute(select(BatchItem.id, BatchItem.batch_id, BatchItem.seq, BatchItem.claimed_at)
                                      .where(BatchItem.status == "running")).all()
            pending = session.execute(select(BatchItem.id, BatchItem.batch_id, BatchItem.seq)
                                      .where(BatchItem.status == "pending")).all()
            _last_started(session, lane_of, {b: total for b, _, _, total in batches}, ((b, q) for _, b, q in pending))
        order = {b: n for n, b in enumerate(lane_of)}
        ready: list[tuple[int, int, int, str]] = []     # (batch's place, seq, item id, batch id)
        held = set(holding)
        for item_id, b, seq, claimed_at in running:
            if b in lane_of and claimed_at is not None and utc(claimed_at) >= stale:
                lane_of[b].count(claimed_at)
                held.discard(item_id)
            elif b in lane_of:
                ready.append((order[b], seq, item_id, b))
        ready += [(order[b], seq, item_id, b) for item_id, b, seq in pending if b in lane_of]
        for *_, item_id, b in sorted(ready):
            if item_id in held:
                lane_of[b].count(None)
            elif len(lane_of[b].waiting) < limit:
                lane_of[b].waiting.append((item_id, b))
        return take_turns(list(lanes.values()), limit)

    def oldest_queued(self) -> dt.datetime | None:
        """Return when the oldest batch still waiting for its first item to start was submitted, if any."""
        with Session(self.engine) as session:
            oldest = session.scalar(select(func.min(Batch.created_at)).where(Batch.status == "queued"))
        return utc(oldest) if oldest is not None else None

    def items(self, batch_id: str, *, payloads: bool = True) -> list[BatchItem]:
        """Return a batch's items in print order; without `payloads` their payloads (photos) stay in the
        database (reading one raises: see payloads())."""
        query = select(BatchItem).where(BatchItem.batch_id == batch_id).order_by(BatchItem.seq)
        if not payloads:
            query = query.options(defer(BatchItem.payload, raiseload=True))
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def payloads(self, item_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """Return the payloads of some items, by id."""
        with Session(self.engine) as session:
            rows = session.execute(select(BatchItem.id, BatchItem.payload).where(BatchItem.id.in_(item_ids)))
            return {item_id: payload for item_id, payload in rows}

    def item(self, item_id: int) -> BatchItem | None:
        with Session(self.engine) as session:
            return session.get(BatchItem, item_id)

    def open_items(self, batch_id: str) -> list[int]:
        """Return the ids of the items not yet done or failed, in print order."""
        with Session(self.engine) as session:
            return list(session.scalars(select(BatchItem.id).where(
                BatchItem.batch_id == batch_id, BatchItem.status.in_(("pending", "running")))
                .order_by(BatchItem.seq)))

    def stalled(self, batch_id: str, lease_seconds: int, *, pending_too: bool) -> tuple[list[int], bool]:
        """Return what of an unfinished batch nobody seems to be doing: the items whose claimant died or has
        been silent for a lease, plus (pending_too) its pending items when the batch made no progress for a
        lease; and whether its finish is due and unclaimed. Used to re-send what a broker lost."""
        stale = now() - dt.timedelta(seconds=lease_seconds)
        batch = self.get(batch_id)
        if batch is None or batch.status not in UNFINISHED:
            return [], False
        with Session(self.engine) as session:   # the claims only: payloads (photos) stay in the database
            items = session.execute(select(BatchItem.id, BatchItem.status, BatchItem.claim, BatchItem.claimed_at)
                                    .where(BatchItem.batch_id == batch_id)).all()
        last = max([utc(i.claimed_at) for i in items if i.claimed_at] + [utc(batch.created_at)])
        quiet = last < stale
        lost = [i.id for i in items
                if i.status == "running" and (i.claimed_at is None or utc(i.claimed_at) < stale or claimant_dead(i.claim))
                or i.status == "pending" and pending_too and quiet]
        if any(i.status in ("pending", "running") for i in items):
            finish = False
        elif batch.claim is None:            # every item in, and nobody took the finish: its message was lost
            finish = pending_too and quiet
        else:                                # the finisher died or went silent
            finish = claimant_dead(batch.claim) or batch.claimed_at is None or utc(batch.claimed_at) < stale
        return lost, finish

    def release_dead_claims(self, batch_id: str) -> int:
        """Put back the items held by processes of this host that died (a kill -9); return how many."""
        released = 0
        with Session(self.engine) as session, session.begin():
            for item in session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id,
                                                                BatchItem.status == "running")):
                if claimant_dead(item.claim):
                    item.status, item.claim, item.claimed_at = "pending", None, None
                    released += 1
        return released

    def claim_item(self, item_id: int, token: str, lease_seconds: int) -> BatchItem | None:
        """Take an item to render: it is pending, or its claimant vanished (dead here, or silent for a lease)."""
        item = self.item(item_id)
        if item is None or item.status in ("done", "failed"):
            return None
        stale = now() - dt.timedelta(seconds=lease_seconds)
        condition = or_(BatchItem.status == "pending", BatchItem.claimed_at < stale)
        if item.status == "running" and claimant_dead(item.claim):
            condition = or_(condition, BatchItem.claim == item.claim)
        with Session(self.engine) as session, session.begin():
            claimed = session.execute(update(BatchItem).where(BatchItem.id == item_id, BatchItem.status.in_(
                ("pending", "running")), condition).values(status="running", claim=token, claimed_at=now()))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
                return None
            session.execute(update(Batch).where(Batch.id == item.batch_id, Batch.status == "queued")
                            .values(status="running"))
        return self.item(item_id)

    def complete_item(self, item_id: int, token: str, files: list[dict[str, Any]], errors: list[dict[str, Any]],
                      issue: Callable[[Session], None]) -> bool:
        """Mark an item done (or failed) and, in the same transaction, `issue` its documents (Issuer.issue
        with this session), if this claim still holds it.

        One transaction: the registry never lists a document whose item was not completed, and an item
        completed by someone else (after a lease ran out) is not recorded twice.
        """
        with Session(self.engine) as session, session.begin():
            item = session.get(BatchItem, item_id)
            assert item is not None   # claimed by this token: it exists
            done = session.execute(update(BatchItem).where(BatchItem.id == item_id, BatchItem.claim == token,
                                                           BatchItem.status == "running").values(
                status="failed" if errors else "done", files=files, errors=errors))
            if done.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
                session.rollback()
                return False
            issue(session)
            session.execute(update(Batch).where(Batch.id == item.batch_id).values(done=Batch.done + 1))
        return True

    def claim_finish(self, batch_id: str, token: str, lease_seconds: int) -> Batch | None:
        """Take the batch to build its ZIP and print file, once every item is done or failed."""
        batch = self.get(batch_id)
        if batch is None or batch.status not in UNFINISHED or self.open_items(batch_id):
            return None
        stale = now() - dt.timedelta(seconds=lease_seconds)
        condition = or_(Batch.claim.is_(None), Batch.claimed_at < stale)
        if claimant_dead(batch.claim):
            condition = or_(condition, Batch.claim == batch.claim)
        with Session(self.engine) as session, session.begin():
            claimed = session.execute(update(Batch).where(Batch.id == batch_id, Batch.status.in_(UNFINISHED),
                                                          condition).values(claim=token, claimed_at=now()))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
                return None
        return self.get(batch_id)

    def renew_finish(self, batch_id: str, token: str) -> None:
        """Keep a finish's claim fresh while it takes its time (each applicant's package), so that no sweep
        takes it for abandoned and builds the archive a second time."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(Batch).where(Batch.id == batch_id, Batch.claim == token).values(claimed_at=now()))

    def finish(self, batch_id: str, token: str, status: str, errors: list[dict[str, Any]],
               expires_at: dt.datetime) -> bool:
        """Set a finished batch's status, errors and expiry, if this claim still holds its finish (and nobody
        cancelled the batch meanwhile)."""
        with Session(self.engine) as session, session.begin():
            return session.execute(update(Batch).where(
                Batch.id == batch_id, Batch.claim == token, Batch.status.in_(UNFINISHED)).values(
                status=status, errors=errors, finished_at=now(),
                expires_at=expires_at)).rowcount == 1  # type: ignore[attr-defined]  # a CursorResult

    def cancel(self, batch_id: str) -> bool:
        """Cancel an unfinished batch in one transaction: its items not done become "cancelled" — those not
        started are never started, and an item in hand cannot complete (its claim no longer holds), so nothing
        more is issued — and the batch says "cancelled". Return False when it had already finished otherwise."""
        with Session(self.engine) as session, session.begin():
            cancelled = session.execute(update(Batch).where(Batch.id == batch_id, Batch.status.in_(UNFINISHED))
                                        .values(status="cancelled", finished_at=now(), claim=None))
            if cancelled.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
                return session.scalar(select(Batch.status).where(Batch.id == batch_id)) == "cancelled"
            session.execute(update(BatchItem).where(BatchItem.batch_id == batch_id,
                                                    BatchItem.status.in_(("pending", "running")))
                            .values(status="cancelled"))
        return True

    def fail(self, batch_id: str, errors: list[dict[str, Any]]) -> None:
        """Mark a batch failed with these errors."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(Batch).where(Batch.id == batch_id).values(
                status="failed", errors=errors, finished_at=now()))

    def expired(self) -> list[str]:
        """Return finished batches whose files outlived the retention."""
        with Session(self.engine) as session:
            return list(session.scalars(select(Batch.id).where(Batch.expires_at < now(),
                                                               Batch.files_deleted_at.is_(None))))

    def files_deleted(self, batch_id: str, reason: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(update(Batch).where(Batch.id == batch_id).values(
                files_deleted_at=now(), files_deleted_reason=reason))

    def applicant_items(self, id_number: str) -> dict[str, list[BatchItem]]:
        """Return, by batch, the items that hold an applicant's data: each of the applicant's own documents (all
        items of the folder whose payload names the ID number) and the unit-level ones (the roster) listing them.

        Payloads are kept as sent, so a final x may be lower case; `id_number` is the normalised number.
        """
        with Session(self.engine) as session:
            candidates = session.scalars(select(BatchItem).where(or_(*(
                BatchItem.payload.contains(f'"{spelling}"', autoescape=True)
                for spelling in {id_number, id_number.lower()})))).all()
            found: dict[str, dict[int, BatchItem]] = {}
            for item in candidates:
                if applicant_entries(item, id_number):
                    found.setdefault(item.batch_id, {})[item.id] = item
            for batch_id, items in found.items():   # the applicant's documents whose type takes no ID number
                folders = {item.folder for item in items.values() if item.folder}
                for item in session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id,
                                                                    BatchItem.folder.in_(folders))):
                    items.setdefault(item.id, item)
        return {batch_id: sorted(items.values(), key=lambda i: i.seq) for batch_id, items in found.items()}

    def redact_applicant(self, batch_id: str, id_number: str, masks: dict[str, str]) -> list[IssuedDocument]:
        """Remove an applicant from a batch's stored data, in one transaction: their own items' payloads become
        {"erased": true}, as does their entry in a roster's list; `masks` (name → 张*, ID number → 652801…)
        is applied to folders, labels and errors, and to the subject of the documents their items issued.
        Return those documents (id, type, sha256, size and dates stay: verification needs them)."""
        erased = {"erased": True}
        documents: list[str] = []
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            for found in self.applicant_items(id_number).get(batch_id, []):
                item = session.get(BatchItem, found.id)
                assert item is not None   # items go with their batch
                if item.folder:
                    documents += [f["document_id"] for f in item.files]
                    item.payload, item.who, item.folder = erased, scrub(item.who, masks), scrub(item.folder, masks)
                else:
                    theirs = applicant_entries(item, id_number)
                    item.payload = {**item.payload, "applicants": [erased if e in theirs else e
                                                                   for e in item.payload["applicants"]]}
                item.errors = scrub(item.errors, masks)
            batch = session.get(Batch, batch_id)
            assert batch is not None
            batch.errors = scrub(batch.errors, masks)
            issued = list(session.scalars(select(IssuedDocument).where(IssuedDocument.id.in_(documents))))
            for row in issued:
                row.subject, row.applicant_key = scrub(row.subject, masks), None
        return issued


def scrub(value: Any, masks: dict[str, str]) -> Any:
    """Return a value (text, or lists and dicts of text) with every `masks` key replaced by its mask."""
    if isinstance(value, str):
        for found, mask in masks.items():
            value = value.replace(found, mask)
        return value
    if isinstance(value, list):
        return [scrub(v, masks) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, masks) for k, v in value.items()}
    return value


def applicant_entries(item: BatchItem, id_number: str) -> list[dict[str, Any]]:
    """Return the applicant entries of an item's payload with this ID number (its own, or a roster's rows)."""
    payload = item.payload
    entries = [payload.get("applicant")] if item.folder else payload.get("applicants") or []
    return [e for e in entries if isinstance(e, dict) and str(e.get("id_number", "")).upper() == id_number]
