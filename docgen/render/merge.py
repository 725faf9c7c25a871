"""Merge PDFs: for duplex printing (each document starts on a front side) and into one bookmarked bundle."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pypdf import PdfReader, PdfWriter


def merge_for_duplex(pdfs: list[bytes]) -> bytes:
    """Concatenate PDFs, adding a blank page after each one with an odd number of pages."""
    writer = PdfWriter()
    for content in pdfs:
        reader = PdfReader(io.BytesIO(content))
        writer.append(reader)
        if len(reader.pages) % 2:
            last = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(last.width), height=float(last.height))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
    out = pikepdf.new()
    sources = []
    marks: list[tuple[str, int]] = []
    for part in parts:
        start = len(out.pages)
        for pdf in part.pdfs:
            source = pikepdf.open(io.BytesIO(pdf))
            sources.append(source)     # kept open until saved: the pages are copied lazily
            out.pages.extend(source.pages)
        if len(out.pages) > start:
            marks.append((part.title, start))
    with out.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(name, page) for name, page in marks)
    if title:
        with out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
        out.docinfo[pikepdf.Name.Title] = title
    out.Root.PageMode = pikepdf.Name.UseOutlines     # the reader opens with the bookmarks shown
    buffer = io.BytesIO()
    out.save(buffer)
    for source in sources:
        source.close()
    return buffer.getvalue()
