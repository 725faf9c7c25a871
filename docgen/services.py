"""The services of a process, built once from Settings in one place: the registry (its schema migrated here),
the renderer and the issuer, the batch store and artifact storage, the metrics, the render gate, the API keys,
the units' seals and certificates, and where batches go. The app factory, the CLI, the embedded runner and the Celery worker all use this."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from docgen import db
from docgen.access import Keys, StoredCredentials, Units
from docgen.batch.executor import Dispatch, LocalDispatch
from docgen.batch.store import BatchStore
from docgen.config import Settings
from docgen.documents import Credentials, Issuer, Renderer
from docgen.limits.overload import Gate
from docgen.metrics import Metrics
from docgen.registry import Registry
from docgen.render import seal, signature
from docgen.storage import Storage, from_settings


def migrate(settings: Settings) -> None:
    """Bring the database's schema up to date (before the processes that share it start)."""
    engine = db.make_engine(settings.DATABASE_URL)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()


@dataclass
class Services:
    """Everything a docgen process works with, typed; `dispatch` is where submitted batches go (by default
    nowhere but the database: an embedded runner elsewhere finds them)."""

    settings: Settings
    registry: Registry
    renderer: Renderer
    issuer: Issuer
    store: BatchStore
    storage: Storage
    metrics: Metrics
    gate: Gate
    keys: Keys
    heavy_gate: Gate     # heavy work (overload.cost), one at a time per process, in its helper (docgen.api.heavy)
    units: Units
    dispatch: Dispatch = field(default_factory=LocalDispatch)

    @classmethod
    def build(cls, settings: Settings, *, migrate: bool = True) -> Services:
        """Build the services the settings describe; bring the database's schema up to date unless told not
        to (a Celery worker's sweep and the runner's pool processes find it migrated by their parent)."""
        registry = Registry(settings.DATABASE_URL)
        if migrate:
            db.upgrade(registry.engine)
        metrics = Metrics.for_process()
        # one thread per gunicorn worker stays free for health checks and downloads while the others render
        gate = Gate(slots=settings.THREADS - 1, wait=settings.RENDER_WAIT, time_limit=settings.RENDER_TIME_LIMIT)
        heavy_gate = Gate(slots=1, wait=settings.RENDER_WAIT, time_limit=settings.RENDER_TIME_LIMIT)
        return cls(settings=settings, registry=registry, renderer=Renderer.from_settings(settings),
                   issuer=Issuer(registry, metrics), store=BatchStore(registry), storage=from_settings(settings),
                   metrics=metrics, gate=gate, keys=Keys(registry.engine), heavy_gate=heavy_gate,
                   units=Units(registry.engine, settings.SECRET_KEY))

    def credentials(self, unit: str | None) -> Credentials | None:
        """Return a unit's own seal and signer as registered by `docgen units`, None for none (the renderer then
        uses the deployment's: DOCGEN_SEAL_IMAGE, DOCGEN_SIGNING_P12)."""
        stored = self.units.get(unit) if unit else None
        if stored is None:
            return None
        own, fallback = _parsed(stored, self.settings.TSA_URL), self.renderer.credentials
        return Credentials(own.seal or fallback.seal, own.signer or fallback.signer)

    def close(self) -> None:
        """Stop what runs batches here (items in hand finish) and close the database's connections."""
        self.dispatch.close()
        self.registry.engine.dispose()


@functools.lru_cache(maxsize=16)
def _parsed(stored: StoredCredentials, tsa_url: str | None) -> Credentials:
    """Read a unit's registered seal image and PKCS#12 once for as long as they stay the same: each render that
    seals or signs, each batch item, asked again (the signer parses its key once, not per signature)."""
    return Credentials(seal.load(stored.seal_png) if stored.seal_png else None,
                       signature.Signer.from_p12(stored.p12, stored.password, tsa_url) if stored.p12 else None)
