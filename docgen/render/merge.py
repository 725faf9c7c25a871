"""Merge PDFs: for duplex printing (each document starts on a front side) and into one bookmarked bundle."""
from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import pikepdf


def merge_for_duplex(pdfs: list[bytes]) -> bytes:
    """Concatenate PDFs, adding a blank page after each one with an odd number of pages."""
    joined = _Joined()
    for pdf in pdfs:
        joined.add((pdf,), pad=True)
    return joined.save()


@dataclass(frozen=True)
class Part:
    """One entry of a bundle: its bookmark title and its PDF files, set one after another."""

    title: str
    pdfs: tuple[bytes, ...]


def page_count(pdf: bytes) -> int:
    """Return the number of pages of a PDF."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def page_ranges(counts: Sequence[int], first: int = 1) -> list[tuple[int, int] | None]:
    """Return each part's (first, last) page when the parts follow each other from page `first` (None: no pages)."""
    ranges: list[tuple[int, int] | None] = []
    page = first
    for count in counts:
        ranges.append((page, page + count - 1) if count else None)
        page += count
    return ranges


def bundle(parts: Sequence[Part], *, title: str = "") -> bytes:
    """Concatenate the parts' PDFs into one, with a top-level bookmark at each part's first page (pikepdf:
    FACTS.md, merging is 7× faster than pypdf); `title` becomes the document title shown by viewers."""
    joined = _Joined()
    marks = [(part.title, joined.add(part.pdfs, pad=False)) for part in parts]
    out = joined.out
    with out.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(name, page) for name, page in marks if page is not None)
    if title:
        with out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
        out.docinfo[pikepdf.Name.Title] = title
    out.Root.PageMode = pikepdf.Name.UseOutlines     # the reader opens with the bookmarks shown
    return joined.save()


@dataclass
class _Joined:
    """PDFs joined into one (pikepdf copies pages lazily: the sources stay open until it is saved)."""

    out: pikepdf.Pdf = field(default_factory=pikepdf.new)
    sources: list[pikepdf.Pdf] = field(default_factory=list)

    def add(self, pdfs: Sequence[bytes], *, pad: bool) -> int | None:
        """Append the PDFs; with `pad`, a blank page of its last page's size after each of an odd page count
        (duplex: the next starts on a front side). Return the first page added (None: none)."""
        start = len(self.out.pages)
        for content in pdfs:
            source = pikepdf.open(io.BytesIO(content))
            self.sources.append(source)
            with warnings.catch_warnings():   # see save()
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                self.out.pages.extend(source.pages)
            if pad and len(source.pages) % 2:
                box = [float(v) for v in source.pages[-1].mediabox]
                self.out.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))
        return start if len(self.out.pages) > start else None

    def save(self) -> bytes:
        buffer = io.BytesIO()
        # a signed document's signature field comes along without its form: the signature proves the document's
        # own file, not a print file or package it is joined into (pikepdf warns of the orphan field)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            self.out.save(buffer)
        for source in self.sources:
            source.close()
        return buffer.getvalue()
