"""Erasing one applicant's personal data (issue 10 item 7), the one operation of POST /v1/erasures and
`docgen erase`: their stored payloads are redacted, the files that hold their data are deleted, and the
documents they were issued keep what verification needs (id, type, SHA-256, size, dates) under a masked name.

Batch files go first, then the database, a batch in one transaction: an erasure cut short is found again and
completed by the next call. Documents rendered one at a time are found by the key the registry files them
under (an HMAC of the ID number with SECRET_KEY: a deployment that changes its key no longer finds the
documents issued before). A batch still rendering is left alone (409): its items would be rendered from what is erased.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from docgen import rules
from docgen.batch import webhooks, work
from docgen.batch.store import UNFINISHED, BatchItem, BatchStore, applicant_entries
from docgen.documents import BLIND
from docgen.errors import InvalidPayload, Problem, chinese_errors
from docgen.registry import IssuedDocument
from docgen.rules.types import IdNumber
from docgen.storage import Storage

log = logging.getLogger(__name__)


class ErasureRequest(BaseModel):
    """Whose personal data to erase."""

    model_config = ConfigDict(extra="forbid")

    id_number: IdNumber = Field(title="身份证号码", description="要删除其个人信息的申报人的18位居民身份证号码"
                                                            "（GB 11643，含校验位，末位 X 可小写）")


def checked(data: object) -> str:
    """Return the normalised ID number of an erasure request, or raise the 422 that points at /id_number."""
    try:
        return ErasureRequest.model_validate(data).id_number
    except ValidationError as exc:
        raise InvalidPayload(chinese_errors(exc, ErasureRequest)) from None


def mask_name(name: str) -> str:
    """Keep a name's first character: 张三 → 张*, 阿不都热合曼·买买提 → 阿*********."""
    return name[:1] + "*" * (len(name) - 1)


def _name(items: list[BatchItem], id_number: str) -> str:
    for item in items:
        for entry in applicant_entries(item, id_number):
            if entry.get("name"):
                return str(entry["name"])
    return ""


def erase(store: BatchStore, storage: Storage, id_number: str, key: str,
          allowed: Callable[[str, str], bool] = lambda resource, resource_id: True) -> dict:
    """Erase the applicant with this (normalised) ID number, filed in the registry under `key`
    (registry.applicant_key), from the batches and documents `allowed` lets through ("batch" or "document" and
    its id: a unit's own, when keys are required); return what was done: batches, files deleted, documents."""
    found = {batch_id: items for batch_id, items in store.applicant_items(id_number).items()
             if allowed("batch", batch_id)}
    batches = {batch_id: store.get(batch_id) for batch_id in found}
    running = [batch_id for batch_id, batch in batches.items() if batch is None or batch.status in UNFINISHED]
    if running:
        raise Problem(409, "批次尚未完成", f"该申报人所在的批次 {'、'.join(running)} 仍在生成，完成后再删除",
                      slug="batch-not-done", headers={"Retry-After": "5"})
    masks = {id_number: rules.mask_id_number(id_number), id_number.lower(): rules.mask_id_number(id_number)}
    report: list[dict[str, Any]] = []
    for batch_id, items in found.items():
        batch = batches[batch_id]
        assert batch is not None
        # what holds their data: their own items' files, a roster's (everyone's), the archive and print file
        files = [f["key"] for item in items for f in item.files]
        files += [work.batch_key(batch_id, work.ARCHIVE), work.batch_key(batch_id, work.PRINT)]
        deleted = [file for file in files if storage.exists(file)]
        for file in deleted:
            storage.delete(file)
        if batch.status == "done" and not batch.files_deleted_at:
            store.files_deleted(batch_id, "erased")   # downloads answer 410 from now on
        name = _name(items, id_number)
        theirs = {**masks, **({name: mask_name(name)} if name else {})}
        issued = store.redact_applicant(batch_id, id_number, theirs)
        webhooks.redact(store.engine, batch_id, theirs)   # the events kept to send hold the batch's errors
        report.append({"id": batch_id, "unit": batch.unit, "items": len(items),
                       "files_deleted": [file.removeprefix(work.batch_key(batch_id) + "/") for file in deleted],
                       "documents": [_document(row) for row in issued]})
    # documents rendered one at a time: only their registry rows hold anything of the applicant (the name)
    single = [row for row in store.registry.issued_to(key) if row.batch_id is None and allowed("document", row.id)]
    names = {row.subject for row in single if row.subject != BLIND}
    documents = store.registry.forget([row.id for row in single], {name: mask_name(name) for name in names})
    log.info("erasure: %d batches, %d files deleted, %d documents masked", len(report),
             sum(len(b["files_deleted"]) for b in report), len(documents) + sum(len(b["documents"]) for b in report))
    return {"id_number": rules.mask_id_number(id_number), "batches": report,
            "documents": [_document(row) for row in documents]}


def _document(row: IssuedDocument) -> dict:
    return {"document_id": row.id, "type": row.kind, "subject": row.subject}
