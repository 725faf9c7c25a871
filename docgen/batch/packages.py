"""A batch's packages: each applicant's 申报材料.pdf (and its 盲评 copy) from the batch's rendered documents and
stored scans, made in the finishing step once every item is in."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from docgen.batch import attachments, package
from docgen.batch.request import fit
from docgen.batch.store import BatchItem
from docgen.documents import Renderer
from docgen.kinds import KINDS
from docgen.profiles import Profile
from docgen.render.scans import CopyNote, to_pages
from docgen.storage import Storage

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


def build_all(renderer: Renderer, storage: Storage, profile: Profile, items: Sequence[BatchItem],
              folder: str) -> Iterator[Made]:
    """Yield the package of every applicant whose documents were all made (and its 盲评 copy when the batch
    asked for one); nothing for a profile without a paper package or a batch that asked for none."""
    options = attachments.load(storage, folder)
    if not (profile.paper and profile.materials and options.package):
        return
    blank = cache(lambda slug: renderer.blank(slug, "pdf", profile.id).content)
    for applicant in _applicants(items, options):
        if any(item.status != "done" for item in applicant.items):
            continue     # its errors are the batch's; a package with a hole would hide them
        yield _made(renderer, storage, profile, applicant, options, blank, blind=False)
        if options.blind:
            yield _made(renderer, storage, profile, applicant, options, blank, blind=True)


def _applicants(items: Sequence[BatchItem], options: attachments.Options) -> Iterator[Applicant]:
    """Group the per-applicant items by applicant, in the batch's order."""
    groups: dict[str, list[BatchItem]] = {}
    for item in items:
        if item.folder:
            groups.setdefault(item.folder, []).append(item)
    for folder, own in groups.items():
        index = int(own[0].pointer.rsplit("/", 1)[1])
        yield Applicant(index, folder, own[0].who, tuple(own), options.scans.get(index, {}))


def _made(renderer: Renderer, storage: Storage, profile: Profile, applicant: Applicant, options: attachments.Options,
          blank: Callable[[str], bytes], *, blind: bool) -> Made:
    """Build one applicant's package, or its 盲评 copy (each document's blind form, the masks burnt in)."""
    payloads = {item.kind: json.loads(item.payload) for item in applicant.items}
    documents = {item.kind: _document(renderer, storage, profile, item, payloads[item.kind], blind)
                 for item in applicant.items}
    notes = {m.key: m.annotate_copy for m in profile.materials}
    note = CopyNote(**(options.copy_note or {}))
    scans = {key: [to_pages(s.scan, copy_note=note if notes.get(key) else None, masks=attachments.rects(s.masks),
                            blind=blind) for s in stored] for key, stored in applicant.scans.items()}
    person = next(iter(payloads.values())).get("applicant", {})

    def render_list(rows: Sequence[package.Row]) -> bytes:
        data = {"profile": profile.id, "applicant": person, "items": [
            {"key": r.key, "pages": f"{r.pages[0]}-{r.pages[1]}" if r.pages else None, "note": r.note} for r in rows]}
        return renderer.render(LIST_KIND, fit(KINDS[LIST_KIND].model, data), "pdf", profile.id,
                               blind=blind and bool(KINDS[LIST_KIND].blind_fields)).content

    name = BLIND_PACKAGE if blind else PACKAGE
    made = package.build(profile.materials, documents, scans, render_list, blank,
                         title=f"{'盲评' if blind else applicant.who}-{name.removesuffix('.pdf')}")
    return Made(f"{applicant.folder}/{name}", made.pdf, made.rows, made.pages, applicant.who, blind)


def _document(renderer: Renderer, storage: Storage, profile: Profile, item: BatchItem, payload: dict,
              blind: bool) -> bytes:
    """Return an item's PDF as rendered, or its blind form (rendered now, not issued) for the 盲评 copy."""
    if blind and KINDS[item.kind].blind_fields:
        return renderer.render(item.kind, payload, "pdf", profile.id, blind=True).content
    (pdf,) = [f for f in json.loads(item.files) if f["format"] == "pdf"]
    return storage.read(pdf["key"])
