"""One applicant's 申报材料.pdf: the 目录 first, then every item of the profile's material list in its order."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from docgen.kinds import KINDS
from docgen.render.merge import Part, bundle, page_count, page_ranges

LIST_TITLE = "申报材料目录"
BLANK_NOTE = "空白表，手工填写"    # a document the batch did not make: its form, to fill by hand
MISSING_NOTE = "未上传"            # an upload item without a scan: the office sees what is missing
MAX_LIST_RENDERS = 4               # the 目录's page count settles after one re-render at most in practice
Source = Literal["document", "blank", "scan", "none", "missing"]


class Material(Protocol):
    """One item of a profile's material list (docgen.profiles: `[[materials]]`)."""

    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def document(self) -> str | None: ...

    @property
    def upload(self) -> bool: ...

    @property
    def copies(self) -> int: ...

    @property
    def condition(self) -> str: ...


@dataclass(frozen=True)
class Row:
    """One line of the 目录 and of the manifest: the item, its copies, where it is in the package, and why not."""

    key: str
    title: str
    copies: int
    pages: tuple[int, int] | None     # first and last page in 申报材料.pdf; None: the item has no pages in it
    note: str                         # BLANK_NOTE, MISSING_NOTE or ""
    source: Source


@dataclass(frozen=True)
class Package:
    """The package's PDF, its 目录 rows in the list's order, and its page count."""

    pdf: bytes
    rows: tuple[Row, ...]
    pages: int


RenderList = Callable[[Sequence[Row]], bytes]     # rows → the 目录 (material-list) PDF
RenderBlank = Callable[[str], bytes]              # document type slug → its blank form PDF


def build(materials: Sequence[Material], documents: Mapping[str, bytes], scans: Mapping[str, Sequence[bytes]],
          render_list: RenderList, blank: RenderBlank, *, title: str = "") -> Package:
    """Build 申报材料.pdf from the generated documents (slug → PDF), the converted scans (material key → PDFs,
    in order) and the 目录's renderer; each document in the list's copies, each page range in the 目录 true."""
    placed = [_place(item, documents, scans, blank) for item in materials]
    counts = [sum(page_count(pdf) for pdf in pdfs) for pdfs, _, _ in placed]
    listing, rows = _fit_list(materials, placed, counts, render_list)
    parts = [Part(LIST_TITLE, (listing,))]
    parts += [Part(item.title, pdfs) for item, (pdfs, _, _) in zip(materials, placed, strict=True)]
    return Package(bundle(parts, title=title), tuple(rows), page_count(listing) + sum(counts))


def _place(item: Material, documents: Mapping[str, bytes], scans: Mapping[str, Sequence[bytes]],
           blank: RenderBlank) -> tuple[tuple[bytes, ...], str, Source]:
    """Return an item's PDFs in the package, its note and where its pages come from."""
    copies = max(item.copies, 1)
    pdfs: tuple[bytes, ...] = ()
    note = ""
    source: Source = "none"
    slug = item.document if item.document in KINDS else None    # a type this service does not make: as none
    if slug is not None and slug in documents:
        # a kind that prints its own copies (the 评审表, 一式2份) already holds them: never double
        own = 1 if slug in KINDS and KINDS[slug].copies else copies
        pdfs, source = (documents[slug],) * own, "document"
    elif slug is not None and not item.condition:    # a document only some applicants give: none, no blank
        pdfs, note, source = (blank(slug),) * copies, BLANK_NOTE, "blank"
    uploaded = tuple(scans.get(item.key, ()))
    if uploaded:
        source = source if pdfs else "scan"
        pdfs += uploaded
    elif item.upload and not pdfs and not item.condition:
        note, source = MISSING_NOTE, "missing"
    return pdfs, note, source


def _fit_list(materials: Sequence[Material], placed: Sequence[tuple[tuple[bytes, ...], str, Source]],
              counts: Sequence[int], render_list: RenderList) -> tuple[bytes, list[Row]]:
    """Render the 目录 with the items' page ranges after it, again while its own length moves them."""
    list_pages = 1
    for _ in range(MAX_LIST_RENDERS):
        ranges = page_ranges(counts, first=list_pages + 1)
        rows = [Row(item.key, item.title, max(item.copies, 1), pages, note, source)
                for item, (_, note, source), pages in zip(materials, placed, ranges, strict=True)]
        listing = render_list(rows)
        actual = page_count(listing)
        if actual == list_pages:
            return listing, rows
        list_pages = actual
    raise RuntimeError(f"the 目录 does not settle on a page count ({list_pages} last)")
