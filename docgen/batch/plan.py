"""From a batch request to its items: each applicant's documents (the profile's set or the requested one),
the unit-level ones (the roster) first, each item's payload fitted to its document type; and the one intake
that API and CLI share: read, validate every row of every document, refuse or keep the good rows."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from docgen import profiles
from docgen.batch import facts
from docgen.batch.request import BatchRequest, applicant_fields, fit, given, shared_fields, unknown_defaults, unmarkable
from docgen.batch.store import NewItem
from docgen.documents import Renderer
from docgen.errors import InvalidPayload, Problem, chinese_errors
from docgen.kinds import KINDS

if TYPE_CHECKING:
    from docgen.batch.xlsx import Cells


def plan(request: BatchRequest) -> list[NewItem]:
    """List the documents of a batch in print order: unit-level ones, then each applicant's in the order of the
    profile's material list (those it does not list after them)."""
    profile = profiles.get(request.profile)
    slugs = request.documents or [s for s in profile.documents if s in KINDS]
    listed = {m.document: n for n, m in reversed(list(enumerate(profile.materials))) if m.document}
    slugs = sorted(slugs, key=lambda s: listed.get(s, len(listed)))   # the notice's order: 000 puts the 评审表 4th
    shared = shared_fields(request, profile.id)
    items = []
    for slug in slugs:
        kind = KINDS[slug]
        if kind.unit_level:
            entries = [{"work_unit": request.unit.name, **applicant_fields(e)} for e in request.applicants]
            data = {**shared, "date": facts.document_date(request, slug, None), **profile.batch_defaults.get(slug, {}),
                    **request.defaults.get(slug, {}), "applicants": entries}
            items.append(NewItem(slug, "", request.unit.name, "/applicants", fit(kind.model, data)))
    width = max(2, len(str(len(request.applicants))))
    for i, entry in enumerate(request.applicants):
        folder = f"{i + 1:0{width}d}-{_safe(entry.name)}"
        person, own = {"work_unit": request.unit.name, **applicant_fields(entry)}, given(entry.payload)
        for slug in slugs:
            kind = KINDS[slug]
            if kind.unit_level or any(k not in own for k in kind.batch_when):
                continue
            data = {**shared, **profile.batch_defaults.get(slug, {}), **request.defaults.get(slug, {}),
                    "applicant": person, **own}
            if "date" not in own and "date" not in request.defaults.get(slug, {}):
                data["date"] = facts.document_date(request, slug, data.get("notice"))
            items.append(NewItem(slug, folder, entry.name, f"/applicants/{i}", fit(kind.model, data)))
    return items


def check(request: BatchRequest, items: list[NewItem], renderer: Renderer) -> list[dict]:
    """Validate every document of the batch before anything is written; return the errors found."""
    from docgen.batch.work import point_errors

    errors: list[dict[str, str]] = []
    for item in items:
        try:
            renderer.prepare(item.kind, item.payload, request.profile)
        except Problem as problem:
            errors.extend(_where_given(request, item, e) for e in point_errors(item, problem))
    return errors


def _where_given(request: BatchRequest, item: NewItem, error: dict[str, str]) -> dict[str, str]:
    """Point an error at a field the whole unit shares (/date, /notice…) where this item took it from: the
    applicant's payload or the document type's defaults, when given there."""
    from docgen.batch.work import UNIT_WIDE

    top = error["pointer"].split("/")[1:2]
    if not item.folder or not top or top[0] not in UNIT_WIDE:
        return error
    entry = request.applicants[int(item.pointer.rsplit("/", 1)[1])]
    if top[0] in given(entry.payload):
        return {**error, "pointer": f"{item.pointer}/payload{error['pointer']}", "detail": f"{entry.name}：{error['detail']}"}
    if top[0] in request.defaults.get(item.kind, {}):
        return {**error, "pointer": f"/defaults/{item.kind}{error['pointer']}"}
    return error


def _once(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    """Keep the first error of each field: the same field fails in every document that prints it, and a document's
    own check finds again what facts.contradictions found (first, as it names the field it contradicts)."""
    first: dict[str, dict[str, str]] = {}
    for error in errors:
        first.setdefault(error["pointer"], error)
    return list(first.values())


def intake(data: object, renderer: Renderer, *, partial: bool = False,
           cells: Cells | None = None) -> tuple[BatchRequest, list[NewItem], list[dict[str, str]]]:
    """Validate a batch (JSON or a read XLSX roster) and every document of every row; return the request, its
    items, and the rows left out (partial=True only).

    Raises InvalidPayload listing every bad cell (/applicants/N/field in Chinese; for an XLSX also the row
    number and column name) — nothing is rendered unless every row is good, or, with partial=True, the
    good rows run and the bad ones are returned. Each row is validated once.
    """
    if not isinstance(data, dict):
        raise InvalidPayload([{"pointer": "", "detail": "提交的内容应为 JSON 对象（{…}）"}])
    request, items, errors = _checked(data, renderer)
    if cells is not None:
        errors = [cells.locate(e) for e in errors]
    if errors and partial:
        bad = {_row_of(e) for e in errors}
        if None not in bad and len(bad) < len(data.get("applicants") or []):
            good = [a for i, a in enumerate(data["applicants"]) if i not in bad]
            request, items, _ = intake({**data, "applicants": good}, renderer)
            return request, items, errors
    if errors or request is None:
        raise InvalidPayload(errors)
    return request, items, []


def _checked(data: dict[str, Any], renderer: Renderer
             ) -> tuple[BatchRequest | None, list[NewItem], list[dict[str, str]]]:
    """Validate the batch, then (if it is sound) plan its items and validate each; return what was made and
    every error found."""
    try:
        request = BatchRequest.model_validate(data, context={"calendar": renderer.calendar, "warnings": []})
        renderer.profile(request.profile)
    except ValidationError as exc:
        return None, [], _named(chinese_errors(exc, BatchRequest), data) + unknown_defaults(data, KINDS)
    except InvalidPayload as problem:
        return None, [], problem.errors or []
    unknown = [s for s in request.documents or [] if s not in KINDS]
    if unknown:
        return None, [], [{"pointer": "/documents", "detail": f"未知的文书类型：{'、'.join(unknown)}"}]
    errors = unknown_defaults(data, KINDS) + unmarkable(request, KINDS)
    if errors:
        return None, [], errors
    items = plan(request)
    return request, items, _once(facts.contradictions(request, items) + check(request, items, renderer))


def _named(errors: list[dict[str, str]], data: dict[str, Any]) -> list[dict[str, str]]:
    """Name the applicant each error of /applicants/N is about, as the documents' errors do (李娟：…)."""
    applicants = data.get("applicants")
    for error in errors:
        row = _row_of(error)
        if row is not None and isinstance(applicants, list) and row < len(applicants):
            name = applicants[row].get("name") if isinstance(applicants[row], dict) else None
            if isinstance(name, str) and name.strip():
                error["detail"] = f"{name.strip()}：{error['detail']}"
    return errors


def _row_of(error: dict) -> int | None:
    """Return the applicant an error is about (/applicants/3/…), None for the batch as a whole."""
    parts = error["pointer"].split("/")
    return int(parts[2]) if len(parts) > 2 and parts[1] == "applicants" and parts[2].isdigit() else None


def _safe(name: str) -> str:
    """Make a name safe as a folder name on Windows and Linux; keep Chinese and ·."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip() or "无名"
