"""The two steps of a batch, the same wherever they run (the embedded process pool, a Celery worker, the CLI):
render one item into the artifact store, and, once every item is in, build the ZIP, manifest and print file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from functools import cached_property

import pikepdf

from docgen import profiles
from docgen.batch import attachments, packages
from docgen.batch.store import BatchItem, BatchStore, NewItem, claim_token
from docgen.documents import Counter, Renderer
from docgen.errors import Problem
from docgen.kinds import KINDS, Kind
from docgen.registry import Registry
from docgen.render.merge import merge_for_duplex
from docgen.storage import Storage, from_config

log = logging.getLogger(__name__)
ARCHIVE, PRINT, MANIFEST = "archive.zip", "print.pdf", "manifest.json"


def batch_key(batch_id: str, name: str = "") -> str:
    """Return the storage key of a batch's file (or its folder)."""
    return f"batches/{batch_id}/{name}".rstrip("/")


@dataclass
class Context:
    """What a process needs to do batch work, built once per process from the configuration."""

    settings: dict

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer.from_config(self.settings)

    @cached_property
    def registry(self) -> Registry:
        registry = self.renderer.registry
        assert registry is not None   # Renderer.from_config connects one
        return registry

    @cached_property
    def store(self) -> BatchStore:
        return BatchStore(self.registry)

    @cached_property
    def storage(self) -> Storage:
        return from_config(self.settings)

    @cached_property
    def counter(self) -> Counter | None:
        from docgen.api.metrics import process_documents_counter

        return process_documents_counter()

    @property
    def lease(self) -> int:
        return int(self.settings["BATCH_LEASE_SECONDS"])


def file_name(kind: Kind, profile: profiles.Profile, fmt: str) -> str:
    """Name a file as the notice lists it: 附件3-个人承诺书.pdf."""
    number = profile.attachments.get(kind.slug)
    return f"{'附件' + str(number) + '-' if number else ''}{kind.title}.{fmt}"


def item_formats(kind: Kind, formats: list[str]) -> list[str]:
    """Return the formats of one item: those asked that the kind makes, plus its own extras (the roster's XLSX)."""
    return [f for f in formats if f in kind.formats] + [f for f in kind.formats if f not in ("pdf", "docx")]


def run_item(ctx: Context, item_id: int) -> str:
    """Render one item into the store and complete it; return its status, or "busy" when another process
    holds it (the caller tries again later), or "gone"."""
    token = claim_token()
    item = ctx.store.claim_item(item_id, token, ctx.lease)
    if item is None:
        current = ctx.store.item(item_id)
        return "gone" if current is None else "busy" if current.status == "running" else current.status
    batch = ctx.store.get(item.batch_id)
    assert batch is not None   # items go with their batch
    kind = KINDS[item.kind]
    payload = json.loads(item.payload)
    files: list[dict] = []
    rendered_all: list = []
    errors: list[dict] = []
    try:
        formats = item_formats(kind, json.loads(batch.formats))
        if "pdf" not in formats:
            formats.append("pdf")            # printed only: an issued document all the same
        for fmt in formats:
            # render, not issue: recorded below, with the item, once its file is in place
            rendered = ctx.renderer.render(kind.slug, payload, fmt, batch.profile)
            key = batch_key(batch.id, f"items/{item.seq:05d}-{rendered.document_id}.{fmt}")
            ctx.storage.write(key, rendered.content)
            files.append({"format": fmt, "key": key, "document_id": rendered.document_id,
                          "sha256": hashlib.sha256(rendered.content).hexdigest(), "size": len(rendered.content),
                          "pages": _pages(rendered.content) if fmt == "pdf" else None,
                          "print_only": fmt == "pdf" and fmt not in json.loads(batch.formats)})
            rendered_all.append(rendered)
    except Problem as problem:
        errors = point_errors(item, problem)
    issued = [] if errors else [Registry.row(r, batch.id) for r in rendered_all]
    if not ctx.store.complete_item(item.id, token, files if not errors else [], errors, issued):
        for f in files:   # someone else completed it after our lease ran out: ours was never issued
            ctx.storage.delete(f["key"])
        return "busy"
    if ctx.counter is not None:   # issued now, exactly once: what complete_item recorded
        for rendered in rendered_all if not errors else []:
            ctx.counter.labels(rendered.kind.slug, rendered.format).inc()
    if errors:
        for f in files:
            ctx.storage.delete(f["key"])
    return "failed" if errors else "done"


def _pages(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def point_errors(item: BatchItem | NewItem, problem: Problem) -> list[dict]:
    """Point a document's errors back into the batch request: /applicant/x → /applicants/3/x."""
    out = []
    for err in problem.errors or [{"pointer": "", "detail": problem.detail}]:
        pointer = err["pointer"]
        if item.folder and (pointer == "/applicant" or pointer.startswith("/applicant/")):
            pointer = item.pointer + pointer.removeprefix("/applicant")
        elif item.folder and pointer.split("/")[1:2] and pointer.split("/")[1] not in (
                "unit", "notice", "date", "profile", "applicant"):
            pointer = f"{item.pointer}/payload{pointer}"
        out.append({"pointer": pointer, "detail": f"{item.who}：{err['detail']}", "document": item.kind})
    return out


def finish_batch(ctx: Context, batch_id: str) -> str:
    """Build the ZIP (one folder per applicant, the roster at the top, manifest.json) and print.pdf once every
    item is in; return the batch's status, or "busy"/"open" when another process builds it or items remain."""
    token = claim_token()
    batch = ctx.store.claim_finish(batch_id, token, ctx.lease)
    if batch is None:
        current = ctx.store.get(batch_id)
        if current is None:
            return "gone"
        return current.status if current.status not in ("queued", "running") else \
            "open" if ctx.store.open_items(batch_id) else "busy"
    profile = profiles.get(batch.profile)
    items = ctx.store.items(batch_id)
    manifest, printable, errors = [], [], []
    with ctx.storage.writer(batch_key(batch_id, ARCHIVE)) as out, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            errors.extend(json.loads(item.errors))
            kind = KINDS[item.kind]
            for f in json.loads(item.files):
                if f["format"] == "pdf":
                    printable.append(f["key"])
                if f["print_only"]:
                    continue
                path = f"{item.folder}/{file_name(kind, profile, f['format'])}".lstrip("/")
                archive.writestr(path, ctx.storage.read(f["key"]))
                manifest.append({"path": path, "document_id": f["document_id"], "sha256": f["sha256"],
                                 "size": f["size"], "pages": f["pages"], "type": kind.slug, "format": f["format"],
                                 "applicant": item.who if item.folder else None})
        for made in packages.build_all(ctx.renderer, ctx.storage, profile, items,
                                       batch_key(batch_id, attachments.FOLDER), errors):
            archive.writestr(made.path, made.content)
            manifest.append(_package_entry(made))
        archive.writestr(MANIFEST, json.dumps({"batch": batch.id, "unit": batch.unit, "profile": batch.profile,
                                               "files": manifest}, ensure_ascii=False, indent=1))
    if printable:
        ctx.storage.write(batch_key(batch_id, PRINT), merge_for_duplex([ctx.storage.read(k) for k in printable]))
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=int(ctx.settings["BATCH_RETENTION_HOURS"]))
    status = "done" if manifest else "failed"
    if ctx.store.finish(batch_id, token, status, errors, expires):
        log.info("batch %s %s: %d files", batch_id, status, len(manifest))
        # the archive holds every file now: drop the per-item files, and any a killed process left behind
        ctx.storage.delete_prefix(batch_key(batch_id, "items"))
        ctx.storage.delete_prefix(batch_key(batch_id, attachments.FOLDER))   # the packages hold the scans now
    return status


def _package_entry(made: packages.Made) -> dict:
    """Describe a package in the manifest: the file, and where each item of the list is in it."""
    return {"path": made.path, "document_id": None, "sha256": hashlib.sha256(made.content).hexdigest(),
            "size": len(made.content), "pages": made.pages, "type": "package", "format": "pdf",
            "applicant": made.applicant, "blind": made.blind,
            "items": [{"key": r.key, "title": r.title, "copies": r.copies, "pages": list(r.pages) if r.pages else None,
                       "note": r.note, "source": r.source} for r in made.rows]}


def delete_files(storage: Storage, store: BatchStore, batch_id: str, reason: str) -> None:
    """Remove every file of a batch (the registry keeps what was issued); the batch says when and why."""
    storage.delete_prefix(batch_key(batch_id))
    store.files_deleted(batch_id, reason)


def expire(ctx: Context) -> int:
    """Delete the files of finished batches past the retention; return how many batches."""
    expired = ctx.store.expired()
    for batch_id in expired:
        delete_files(ctx.storage, ctx.store, batch_id, "expired")
    return len(expired)
