"""docgen.documents: rendering records nothing; Issuer.issue records and counts, in its own transaction or in the
caller's — counted only once that commits."""
from __future__ import annotations

from sqlalchemy.orm import Session

from docgen import db
from docgen.config import settings
from docgen.documents import Issuer, Renderer, sample
from docgen.metrics import Metrics
from docgen.registry import Registry
from docgen.services import Services


def _issued_count(metrics: Metrics, kind: str, fmt: str) -> float:
    assert metrics.registry is not None
    value = metrics.registry.get_sample_value("docgen_documents_issued_total", {"kind": kind, "format": fmt})
    return value or 0.0


def test_render_records_nothing_issue_records_and_counts(tmp_path, renderer: Renderer):
    services = Services.build(settings({"DATA_DIR": str(tmp_path)}))
    try:
        rendered = renderer.render("commitment", sample("commitment"), "docx")
        assert services.registry.get(rendered.document_id) is None
        services.issuer.issue([rendered])
        assert services.registry.get(rendered.document_id).sha256
        assert _issued_count(services.metrics, "commitment", "docx") == 1
    finally:
        services.close()


def test_issue_in_the_callers_transaction_counts_only_on_commit(tmp_path, renderer: Renderer):
    registry = Registry(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    db.upgrade(registry.engine)
    metrics = Metrics()
    issuer = Issuer(registry, metrics)
    kept, dropped = (renderer.render("commitment", sample("commitment"), "pdf") for _ in range(2))
    try:
        with Session(registry.engine) as session, session.begin():
            issuer.issue([dropped], batch_id="b1", session=session)
            session.rollback()           # e.g. the item was completed by someone else
        assert registry.get(dropped.document_id) is None and _issued_count(metrics, "commitment", "pdf") == 0
        with Session(registry.engine) as session, session.begin():
            issuer.issue([kept], batch_id="b1", session=session)
            assert _issued_count(metrics, "commitment", "pdf") == 0   # not before the commit
        assert registry.get(kept.document_id).batch_id == "b1"
        assert _issued_count(metrics, "commitment", "pdf") == 1
    finally:
        registry.engine.dispose()
