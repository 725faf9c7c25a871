"""From a batch request to its items: each applicant's documents (the profile's set or the requested one),
the unit-level ones (the roster) first, each item's payload fitted to its document type; and the one intake
that API and CLI share: read, validate every row of every document, refuse or keep the good rows."""
from __future__ import annotations

import re

from pydantic import ValidationError

from docgen import profiles
from docgen.batch.request import BatchRequest, applicant_fields, fit, shared_fields
from docgen.batch.store import NewItem
from docgen.documents import Renderer
from docgen.errors import InvalidPayload, Problem, chinese_errors
from docgen.kinds import KINDS


def plan(request: BatchRequest) -> list[NewItem]:
    """List the documents of a batch in print order: unit-level ones, then each applicant's in the profile's order."""
    profile = profiles.get(request.profile)
    slugs = request.documents or [s for s in profile.documents if s in KINDS]
    shared = shared_fields(request, profile.id)
    items = []
    for slug in slugs:
        kind = KINDS[slug]
        if kind.unit_level:
            entries = [{"work_unit": request.unit.name, **applicant_fields(e)} for e in request.applicants]
            items.append(NewItem(slug, "", request.unit.name, "/applicants",
                                 fit(kind.model, {**shared, "applicants": entries})))
    width = max(2, len(str(len(request.applicants))))
    for i, entry in enumerate(request.applicants):
        folder = f"{i + 1:0{width}d}-{_safe(entry.name)}"
        person = {"work_unit": request.unit.name, **applicant_fields(entry)}
        for slug in slugs:
            kind = KINDS[slug]
            if kind.unit_level or any(k not in entry.payload for k in kind.batch_when):
                continue
            data = {**shared, **profile.batch_defaults.get(slug, {}), **request.defaults.get(slug, {}),
                    "applicant": person, **entry.payload}
            items.append(NewItem(slug, folder, entry.name, f"/applicants/{i}", fit(kind.model, data)))
    return items


def check(request: BatchRequest, items: list[NewItem], renderer: Renderer) -> list[dict]:
    """Validate every document of the batch before anything is written; return the errors found."""
    from docgen.batch.work import point_errors

    errors = []
    for item in items:
        try:
            renderer.prepare(item.kind, item.payload, request.profile)
        except Problem as problem:
            errors.extend(point_errors(item, problem))
    unique = {(e["pointer"], e["detail"]): e for e in errors}   # the same field fails in every document
    return list(unique.values())


def intake(data: object, renderer: Renderer) -> tuple[BatchRequest, list[NewItem]]:
    """Validate a batch (JSON or a read XLSX roster) and every document of every row; return it and its items.

    Raises InvalidPayload listing every bad cell (/applicants/N/field, in Chinese) — nothing is rendered
    unless every row is good.
    """
    if not isinstance(data, dict):
        raise InvalidPayload([{"pointer": "", "detail": "提交的内容应为 JSON 对象（{…}）"}])
    try:
        request = BatchRequest.model_validate(data, context={"calendar": renderer.calendar, "warnings": []})
    except ValidationError as exc:
        raise InvalidPayload(chinese_errors(exc, BatchRequest)) from None
    renderer.profile(request.profile)
    unknown = [s for s in request.documents or [] if s not in KINDS]
    if unknown:
        raise InvalidPayload([{"pointer": "/documents", "detail": f"未知的文书类型：{'、'.join(unknown)}"}])
    items = plan(request)
    errors = check(request, items, renderer)
    if errors:
        raise InvalidPayload(errors)
    return request, items


def _safe(name: str) -> str:
    """Make a name safe as a folder name on Windows and Linux; keep Chinese and ·."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip() or "无名"
