"""Webhooks: an ended batch's event kept as a delivery row, signed by the Standard Webhooks spec and retried
with exponential backoff by whoever runs batches, until the receiver answers 2xx or the retry period is over."""
from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import random
import uuid
from typing import Any

from sqlalchemy import DateTime, Engine, ForeignKey, Index, Integer, String, Text, UniqueConstraint, exc, exists, \
    select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from standardwebhooks import Webhook

from docgen.access import Caller, Keys
from docgen.batch import webhook_http
from docgen.batch.store import Batch, now, scrub
from docgen.config import Settings
from docgen.db import Base
from docgen.errors import InvalidPayload
from docgen.registry import utc

log = logging.getLogger(__name__)

ENDED = {"done": "batch.done", "failed": "batch.failed", "cancelled": "batch.cancelled"}
FILES_DELETED = "batch.files_deleted"
CLAIM_SECONDS = 120      # an attempt whose process died is made again after this (more than any timeout)
MAX_DELAY = 3600.0       # seconds: the backoff stops doubling at an hour
PER_SWEEP = 50           # deliveries attempted per sweep, oldest due first


class Delivery(Base):
    """One event of one batch to its webhook_url: what is sent, and how its attempts went."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("batch_id", "type", name="uq_webhook_deliveries_batch_type"),
                      Index("ix_webhook_deliveries_due", "status", "next_attempt_at"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)       # webhook-id, the same on every attempt
    batch_id: Mapped[str] = mapped_column(String(32), ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)    # None: signed with WEBHOOK_SECRET
    body: Mapped[str] = mapped_column(Text)                                 # the JSON, as signed and sent
    status: Mapped[str] = mapped_column(String(16))                         # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def public(self) -> dict[str, Any]:
        """Return the delivery as GET /v1/batches/{id} shows it."""
        def at(value: dt.datetime | None) -> str | None:
            return utc(value).isoformat() if value else None

        return {"id": self.id, "type": self.type, "status": self.status, "attempts": self.attempts,
                "last_status": self.last_status, "last_error": self.last_error,
                "last_attempt_at": at(self.last_attempt_at), "next_attempt_at": at(self.next_attempt_at),
                "delivered_at": at(self.delivered_at)}


def accept(url: str | None, caller: Caller, settings: Settings, keys: Keys) -> tuple[str, str | None] | None:
    """Check a batch's webhook_url; return it with the API key whose secret will sign (None: WEBHOOK_SECRET).

    Raises InvalidPayload at /webhook_url: a host outside WEBHOOK_HOSTS, an address it may not reach, or
    no secret to sign with."""
    if url is None:
        return None
    try:
        webhook_http.check(url, settings.webhook_hosts)
    except webhook_http.Refused as refused:
        raise InvalidPayload([{"pointer": "/webhook_url", "detail": str(refused)}]) from None
    key = caller.key_id if caller.key_id and keys.webhook_secret(caller.key_id) else None
    if key is None and not settings.WEBHOOK_SECRET:
        raise InvalidPayload([{"pointer": "/webhook_url", "detail": "本单位的 API 密钥创建于回调功能之前，没有回调签名密钥："
                                                                    "请管理员用 docgen keys create 另发密钥后再提交"}])
    return url, key


def next_attempt(attempts: int, first: dt.datetime, at: dt.datetime, settings: Settings,
                 rng: random.Random | None = None) -> dt.datetime | None:
    """Return when to try again after `attempts` failed attempts, the last at `at`: RETRY_BASE doubled each
    time up to an hour, ±25 % so that receivers coming back are not hit all at once; None once the delivery
    has been tried for RETRY_HOURS."""
    if at - first >= dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
        return None
    delay = min(settings.WEBHOOK_RETRY_BASE * 2 ** (attempts - 1), MAX_DELAY)
    return at + dt.timedelta(seconds=delay * (rng or random).uniform(0.75, 1.25))


def state(engine: Engine, batch: Batch) -> dict[str, Any] | None:
    """Return a batch's webhook as its status shows it: the URL and each event's delivery."""
    if batch.webhook_url is None:
        return None
    with Session(engine) as session:
        deliveries = session.scalars(select(Delivery).where(Delivery.batch_id == batch.id)
                                     .order_by(Delivery.created_at))
        return {"url": batch.webhook_url, "deliveries": [d.public() for d in deliveries]}


def redact(engine: Engine, batch_id: str, masks: dict[str, str]) -> None:
    """Apply an erasure's masks (name → 张*) to the events kept for a batch: their data holds its errors, which
    name applicants; an event still to be retried goes out masked."""
    with Session(engine) as session, session.begin():
        for delivery in session.scalars(select(Delivery).where(Delivery.batch_id == batch_id)):
            delivery.body = json.dumps(scrub(json.loads(delivery.body), masks), ensure_ascii=False)


def _event(batch: Batch, kind: str, settings: Settings) -> dict[str, Any]:
    """Return an event's JSON: type, timestamp, and the batch as GET /v1/batches/{id} answers, with absolute links."""
    base = f"{settings.PUBLIC_URL.rstrip('/')}/v1/batches/{batch.id}"
    data = {**batch.public(), "url": base}
    if batch.status == "done" and not batch.files_deleted_at:
        data["links"] = {"archive": f"{base}/archive", "print": f"{base}/print.pdf"}
    return {"type": kind, "timestamp": now().isoformat(), "data": data}


def _unannounced(session: Session) -> list[tuple[Batch, str]]:
    """Return the events of batches with a webhook that have no delivery yet: ended, and files deleted."""
    def without(*kinds: str) -> Any:
        return ~exists().where(Delivery.batch_id == Batch.id, Delivery.type.in_(kinds))

    hooked = Batch.webhook_url.is_not(None)
    ended = session.scalars(select(Batch).where(hooked, Batch.status.in_(ENDED), without(*ENDED.values())))
    events = [(batch, ENDED[batch.status]) for batch in ended]
    deleted = session.scalars(select(Batch).where(hooked, Batch.files_deleted_at.is_not(None), without(FILES_DELETED)))
    return events + [(batch, FILES_DELETED) for batch in deleted]


def record_events(engine: Engine, settings: Settings) -> int:
    """Add a delivery for each event not yet recorded; return how many. Any process may do it, any time:
    the batch's state is the record of what happened, and (batch, event) is unique."""
    with Session(engine) as session:
        events = _unannounced(session)
        new = [Delivery(id=f"msg_{uuid.uuid4().hex}", batch_id=batch.id, type=kind, url=batch.webhook_url,
                        key_id=batch.webhook_key, body=json.dumps(_event(batch, kind, settings), ensure_ascii=False),
                        status="pending", attempts=0, created_at=now(), next_attempt_at=now())
               for batch, kind in events if batch.webhook_url]
    recorded = 0
    for delivery in new:
        try:
            with Session(engine) as session, session.begin():
                session.add(delivery)
            recorded += 1
        except exc.IntegrityError:   # another process recorded it first
            pass
    return recorded


def _claim(engine: Engine, delivery_id: str, attempts: int) -> Delivery | None:
    """Take a due delivery for one attempt (counted now: a process that dies mid-attempt may have delivered)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        taken = session.execute(update(Delivery).where(
            Delivery.id == delivery_id, Delivery.status == "pending", Delivery.attempts == attempts,
            Delivery.next_attempt_at <= now()).values(
            attempts=attempts + 1, last_attempt_at=now(),
            next_attempt_at=now() + dt.timedelta(seconds=CLAIM_SECONDS)))
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
            return None
        return session.get(Delivery, delivery_id)


def _secret(delivery: Delivery, settings: Settings, keys: Keys) -> str:
    """Return the secret that signs a delivery: its API key's, else WEBHOOK_SECRET."""
    return (delivery.key_id and keys.webhook_secret(delivery.key_id)) or settings.WEBHOOK_SECRET


def _send(delivery: Delivery, settings: Settings, keys: Keys) -> tuple[int | None, str | None]:
    """Make one attempt; return the answer's HTTP status, or why there was none."""
    try:
        target = webhook_http.check(delivery.url, settings.webhook_hosts)
    except webhook_http.Refused as refused:
        return None, str(refused)
    secret = _secret(delivery, settings, keys)
    if not secret:   # REQUIRE_API_KEY turned off, or WEBHOOK_SECRET removed, since the batch was made
        return None, "没有回调签名密钥：请设置 DOCGEN_WEBHOOK_SECRET"
    stamp = now().replace(microsecond=0)
    headers = {"Content-Type": "application/json", "User-Agent": "docgen-webhooks", "webhook-id": delivery.id,
               "webhook-timestamp": str(int(stamp.timestamp())),
               "webhook-signature": Webhook(secret).sign(delivery.id, stamp, delivery.body)}
    try:
        return webhook_http.post(target, delivery.body.encode("utf-8"), headers, settings.WEBHOOK_TIMEOUT), None
    except TimeoutError:
        return None, f"超时（{settings.WEBHOOK_TIMEOUT:g} 秒）"
    except (OSError, http.client.HTTPException, ValueError) as error:   # ValueError: a header http.client refuses
        return None, f"{type(error).__name__}: {error}"[:200]


def attempt(engine: Engine, settings: Settings, delivery_id: str, attempts: int) -> str | None:
    """Claim a delivery and make one attempt; return its status afterwards (None: someone else had it)."""
    delivery = _claim(engine, delivery_id, attempts)
    if delivery is None:
        return None
    code, error = _send(delivery, settings, Keys(engine))
    at = now()
    values: dict[str, Any] = {"last_status": code, "last_error": error}
    if code is not None and 200 <= code < 300:
        values.update(status="delivered", delivered_at=at, next_attempt_at=None)
    else:
        later = next_attempt(delivery.attempts, utc(delivery.created_at), at, settings)
        values.update(status="pending" if later else "failed", next_attempt_at=later)
    with Session(engine) as session, session.begin():
        session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.attempts == delivery.attempts)
                        .values(**values))
    log.info("webhook %s of batch %s, attempt %d: %s", delivery.type, delivery.batch_id, delivery.attempts,
             code or error)
    return str(values["status"])


def sweep(engine: Engine, settings: Settings) -> int:
    """Record the events of batches that ended or lost their files, and attempt every due delivery; return
    how many attempts were made (the embedded runner and each Celery worker call this every second or so)."""
    record_events(engine, settings)
    with Session(engine) as session:
        due = session.execute(select(Delivery.id, Delivery.attempts).where(
            Delivery.status == "pending", Delivery.next_attempt_at <= now())
            .order_by(Delivery.next_attempt_at).limit(PER_SWEEP)).all()
    return sum(attempt(engine, settings, delivery_id, attempts) is not None for delivery_id, attempts in due)
