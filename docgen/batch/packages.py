"""A batch's packages: each applicant's 申报材料.pdf (and its 盲评 copy) from the batch's rendered documents and
stored scans, made in the finishing step once every item is in."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from docgen.batch import attachments, package, request
from docgen.batch.store import BatchItem
from docgen.documents import Rendered, Renderer
from docgen.kinds import KINDS
from docgen.profiles import Profile
from docgen.render.scans import CopyNote, to_pages
from docgen.storage import Storage

log = logging.getLogger(__name__)
PACKAGE, BLIND_PACKAGE = "申报材料.pdf", "申报材料（盲评）.pdf"
LIST_KIND = "material-list"


@dataclass(frozen=True)
class Made:
    """One applicant's package as it goes into the archive and the manifest."""

    path: str
    content: bytes
    rows: tuple[package.Row, ...]
    pages: int
    applicant: str
    blind: bool


@dataclass(frozen=True)
class Applicant:
    """What the package of one applicant is made from: its folder, its items, its scans as stored."""

    index: int
    folder: str
    who: str
    items: tuple[BatchItem, ...]
    scans: dict[str, list[attachments.Stored]]


Issue = Callable[[Sequence[Rendered]], None]
Payloads = Callable[[Sequence[int]], dict[int, dict]]    # item ids → their payloads (BatchStore.payloads)


def build_all(renderer: Renderer, storage: Storage, profile: Profile, items: Sequence[BatchItem],
              folder: str, errors: list[dict], issue: Issue, payloads: Payloads) -> Iterator[Made]:
    """Yield the package of every applicant whose documents were all made (and its 盲评 copy when the batch
    asked for one: the blind forms rendered for it are issued with `issue`, so their QR codes verify); nothing
    for a profile without a paper package or a batch that asked for none. The items come without their payloads:
    `payloads` reads one applicant's at a time. A package that cannot be made is an error of the batch (added
    to `errors`), never a finish that fails again and again."""
    options = attachments.load(storage, folder)
    if not (profile.paper and profile.materials and options.package):
        return
    blank = cache(lambda slug: renderer.blank(slug, "pdf", profile.id).content)
    for applicant in _applicants(items, options):
        if any(item.status != "done" for item in applicant.items):
            continue     # its errors are the batch's; a package with a hole would hide them
        own = payloads([item.id for item in applicant.items])
        try:
            made = [_made(renderer, storage, profile, applicant, own, options, blank, issue, blind=blind)
                    for blind in (False, True)[:1 + options.blind]]
        except Exception as exc:   # a scan the checks let through but the converter cannot read, a bug
            log.exception("package of %s", applicant.folder)
            errors.append({"pointer": f"/applicants/{applicant.index}", "document": "package",
                           "detail": f"{applicant.who}：{PACKAGE}未能生成（{type(exc).__name__}），其他文书不受影响"})
            continue
        yield from made


def _applicants(items: Sequence[BatchItem], options: attachments.Options) -> Iterator[Applicant]:
    """Group the per-applicant items by applicant, in the batch's order."""
    groups: dict[str, list[BatchItem]] = {}
    for item in items:
        if item.folder:
            groups.setdefault(item.folder, []).append(item)
    for folder, own in groups.items():
        index = int(own[0].pointer.rsplit("/", 1)[1])
        yield Applicant(index, folder, own[0].who, tuple(own), options.scans.get(index, {}))


def _made(renderer: Renderer, storage: Storage, profile: Profile, applicant: Applicant, payloads: dict[int, dict],
          options: attachments.Options, blank: Callable[[str], bytes], issue: Issue, *, blind: bool) -> Made:
    """Build one applicant's package from its items and their payloads (by item id), or its 盲评 copy (each
    document's blind form, the masks burnt in)."""
    rendered: list[Rendered] = []
    documents = {item.kind: _document(renderer, storage, profile, item, payloads[item.id], blind, rendered)
                 for item in applicant.items}
    person = payloads[applicant.items[0].id].get("applicant", {})
    name = BLIND_PACKAGE if blind else PACKAGE
    made = assemble(renderer, profile, documents, person, applicant.scans, options.copy_note, blank, blind=blind,
                    title=f"{'盲评' if blind else applicant.who}-{name.removesuffix('.pdf')}")
    issue(rendered)
    return Made(f"{applicant.folder}/{name}", made.pdf, made.rows, made.pages, applicant.who, blind)


def assemble(renderer: Renderer, profile: Profile, documents: dict[str, bytes], person: dict,
             scans: dict[str, list[attachments.Stored]], copy_note: dict | None, blank: Callable[[str], bytes], *,
             blind: bool = False, title: str = "") -> package.Package:
    """Build one applicant's package from its rendered documents (slug → PDF) and checked scans: each scan laid
    on A4 (the copy note where the list asks for it, masks burnt in when `blind`), the 目录 from material-list."""
    annotate = {m.key: m.annotate_copy for m in profile.materials}
    note = CopyNote(**request.CopyNote.model_validate(copy_note or {}).model_dump())
    pages = {key: [to_pages(s.scan, copy_note=note if annotate.get(key) else None, masks=attachments.rects(s.masks),
                            blind=blind) for s in stored] for key, stored in scans.items()}

    def render_list(rows: Sequence[package.Row]) -> bytes:
        data = {"profile": profile.id, "applicant": person, "items": [
            {"key": r.key, "pages": f"{r.pages[0]}-{r.pages[1]}" if r.pages else None, "note": r.note} for r in rows]}
        return renderer.render(LIST_KIND, request.fit(KINDS[LIST_KIND].model, data), "pdf", profile.id,
                               blind=blind and bool(KINDS[LIST_KIND].blind_fields)).content

    return package.build(profile.materials, documents, pages, render_list, blank, title=title)


def _document(renderer: Renderer, storage: Storage, profile: Profile, item: BatchItem, payload: dict, blind: bool,
              rendered: list[Rendered]) -> bytes:
    """Return an item's PDF as rendered, or its blind form for the 盲评 copy (rendered now from its payload, added
    to `rendered`)."""
    if blind and KINDS[item.kind].blind_fields:
        rendered.append(renderer.render(item.kind, payload, "pdf", profile.id, blind=True))
        return rendered[-1].content
    (pdf,) = [f for f in item.files if f["format"] == "pdf"]
    return storage.read(pdf["key"])
