"""Merge PDFs for duplex printing and into bookmarked bundles, written to a stream one source at a time."""
from __future__ import annotations

import hashlib
import io
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import ObjectType

Source = bytes | BinaryIO     # a PDF as bytes, or a seekable file opened for reading
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")   # a page's attributes its tree may hold for it
CATALOG, PAGES = 1, 2          # the merged file's own objects, written last (their numbers are known first)
LANG = b"zh-CN"                 # every document docgen merges is Chinese (templates/_base/page.html: lang)
XMP = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
       ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n <rdf:Description rdf:about="">'
       '<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li>'
       '</rdf:Alt></dc:title></rdf:Description></rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>\n')


def merge_for_duplex(pdfs: Iterable[Source], out: BinaryIO) -> int:
    """Write the PDFs one after another to `out`, adding a blank page after each one with an odd number of
    pages (duplex: the next starts on a front side); return the page count. Each source is read and let go
    before the next: memory does not grow with their number."""
    merged = Writer(out)
    for pdf in pdfs:
        count, size = merged.add(pdf)
        if count % 2:
            merged.blank(size)
    merged.close()
    return len(merged.pages)


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
    """Concatenate the parts' PDFs into one, with a top-level bookmark at each part's first page, opening with
    the bookmarks shown; `title` becomes the document title shown by viewers."""
    buffer = io.BytesIO()
    merged = Writer(buffer)
    marks = []
    for part in parts:
        first = len(merged.pages)
        for pdf in part.pdfs:
            merged.add(pdf)
        if len(merged.pages) > first:
            marks.append((part.title, first))
    merged.close(marks, title, outlines=True)
    return buffer.getvalue()


class Writer:
    """A PDF written to a stream object by object: each source's pages are copied in as it is added (each object
    renumbered, stream data as it is stored), so that only the objects' offsets and the pages' numbers stay."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.at = out, 0
        self.offsets = array("Q", [0, 0, 0])      # by object number; 0 is the free list's head
        self.pages = array("Q")                   # the merged file's page objects, in order
        self._emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def add(self, source: Source) -> tuple[int, tuple[float, float]]:
        """Copy a PDF's pages to the end; return how many, and the width and height of its last page."""
        with pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source) as pdf:
            copy = _Copy(self)
            self.pages.extend(copy.pages([page.obj for page in pdf.pages]))
            box = [float(v) for v in pdf.pages[-1].mediabox] if len(pdf.pages) else [0.0, 0.0, 0.0, 0.0]
            return len(pdf.pages), (box[2] - box[0], box[3] - box[1])

    def blank(self, size: tuple[float, float]) -> None:
        """Add a blank page of a size (pt)."""
        contents = self.new()
        self.write(contents, b"<</Length 0>>\nstream\n\nendstream")
        page = self.new()
        self.write(page, b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 %s %s]/Resources<<>>/Contents %d 0 R>>"
                   % (PAGES, _real(size[0]), _real(size[1]), contents))
        self.pages.append(page)

    def new(self) -> int:
        """Return the number of a new object (written later with `write`)."""
        self.offsets.append(0)
        return len(self.offsets) - 1

    def write(self, number: int, body: bytes) -> None:
        """Write an object's body under its number."""
        self.offsets[number] = self.at
        self._emit(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def close(self, marks: Sequence[tuple[str, int]] = (), title: str = "", *, outlines: bool = False) -> None:
        """Write the page tree, the catalog (the language; `marks` as top-level bookmarks: title, page from 0, and
        the bookmarks shown when `outlines`), the title, and the cross-reference table."""
        kids = b" ".join(b"%d 0 R" % number for number in self.pages)
        self.write(PAGES, b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, len(self.pages)))
        catalog = b"<</Type/Catalog/Pages %d 0 R/Lang(%s)" % (PAGES, LANG)
        if outlines:
            catalog += b"/Outlines %d 0 R/PageMode/UseOutlines" % self._outline(marks)
        info = b""
        if title:
            catalog += b"/Metadata %d 0 R" % self._metadata(title)
            info = b"/Info %d 0 R" % self.new()
            self.write(len(self.offsets) - 1, b"<</Title %s>>" % pikepdf.String(title).unparse())
        self.write(CATALOG, catalog + b">>")
        self._trailer(info)

    def _outline(self, marks: Sequence[tuple[str, int]]) -> int:
        """Write the outline: one item a mark, pointing at the top of its page; return the outline's number."""
        root = self.new()
        items = [self.new() for _ in marks]
        for i, ((name, page), number) in enumerate(zip(marks, items, strict=True)):
            links = b"".join(b"/%s %d 0 R" % (key, items[j]) for key, j in ((b"Prev", i - 1), (b"Next", i + 1))
                             if 0 <= j < len(items))
            self.write(number, b"<</Title %s/Parent %d 0 R%s/Count 0/Dest[%d 0 R/Fit]>>"
                       % (pikepdf.String(name).unparse(), root, links, self.pages[page]))
        ends = b"/First %d 0 R/Last %d 0 R" % (items[0], items[-1]) if items else b""
        self.write(root, b"<</Type/Outlines%s/Count %d>>" % (ends, len(items)))
        return root

    def _metadata(self, title: str) -> int:
        """Write the XMP metadata holding the title (dc:title); return its number."""
        xmp = XMP.format(escape(title)).encode("utf-8")
        number = self.new()
        self.write(number, b"<</Type/Metadata/Subtype/XML/Length %d>>\nstream\n%s\nendstream" % (len(xmp), xmp))
        return number

    def _trailer(self, info: bytes) -> None:
        start = self.at
        rows = [b"0000000000 65535 f \n"] + [b"%010d 00000 n \n" % offset for offset in self.offsets[1:]]
        self._emit(b"xref\n0 %d\n%s" % (len(self.offsets), b"".join(rows)))
        ident = hashlib.md5(b"%d %d" % (len(self.offsets), start)).hexdigest().encode()   # noqa: S324 (a file id)
        self._emit(b"trailer\n<</Size %d/Root %d 0 R%s/ID[<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n"
                   % (len(self.offsets), CATALOG, info, ident, ident, start))

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.at += len(data)


class _Copy:
    """The copy of one source's pages into a Writer: what each of its objects is numbered in the merged file."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.numbers: dict[tuple[int, int], int] = {}
        self.todo: list[pikepdf.Object] = []

    def pages(self, pages: list[pikepdf.Object]) -> list[int]:
        """Write the pages (each under the merged page tree, with what it inherited from its own) and every
        object they reach; return the pages' numbers. The source's catalog and page tree are left behind."""
        numbers = [self.writer.new() for _ in pages]     # a page listed twice is written twice
        self.numbers.update((page.objgen, number) for page, number in zip(pages, numbers, strict=True))
        for page, number in zip(pages, numbers, strict=True):
            entries: list[tuple[str, object]] = [(key, value) for key, value in page.items() if key != "/Parent"]
            entries += [(key, value) for key, value in _inherited(page) if key not in page]
            self.writer.write(number, b"<<%s/Parent %d 0 R>>" % (self._entries(entries), PAGES))
        while self.todo:
            obj = self.todo.pop()
            self.writer.write(self.numbers[obj.objgen], self._body(obj))
        return numbers

    def _ref(self, obj: pikepdf.Object) -> bytes:
        """Return a reference to an object of the source, numbering it (and writing it later) at first sight."""
        kind = obj._type_code
        if kind == ObjectType.null or (kind == ObjectType.dictionary and obj.get("/Type") in ("/Pages", "/Catalog")):
            return b"null"
        number = self.numbers.get(obj.objgen)
        if number is None:
            number = self.numbers[obj.objgen] = self.writer.new()
            self.todo.append(obj)
        return b"%d 0 R" % number

    def _body(self, obj: pikepdf.Object) -> bytes:
        """Return an indirect object's body: a stream with its data as stored, else its value."""
        if obj._type_code == ObjectType.stream:
            raw = obj.read_raw_bytes()
            entries = [(key, value) for key, value in obj.stream_dict.items() if key != "/Length"]
            return b"%s\nstream\n%s\nendstream" % (self._dict([*entries, ("/Length", len(raw))]), raw)
        if obj._type_code == ObjectType.dictionary:
            return self._dict(obj.items())
        if obj._type_code == ObjectType.array:
            return self._array(obj)
        return obj.unparse(resolved=True)

    def _dict(self, entries: Iterable[tuple[str, object]]) -> bytes:
        return b"<<%s>>" % self._entries(entries)

    def _entries(self, entries: Iterable[tuple[str, object]]) -> bytes:
        return b"".join(pikepdf.Name(key).unparse() + b" " + self._value(value) for key, value in entries)

    def _array(self, items: Iterable[object]) -> bytes:
        return b"[%s]" % b" ".join(self._value(item) for item in items)

    def _value(self, value: object) -> bytes:
        """Return a value as PDF syntax, each indirect object in it as a reference in the merged file."""
        if isinstance(value, pikepdf.Object):
            if value.is_indirect:
                return self._ref(value)
            if value._type_code not in (ObjectType.dictionary, ObjectType.array):
                return value.unparse()
            whole = value.unparse()   # pikepdf's syntax: a reference in it reads "n g R" (a font's /W: 700 numbers)
            if b" R" not in whole:
                return whole
            return self._dict(value.items()) if value._type_code == ObjectType.dictionary else self._array(value)
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, Decimal | float):
            return _real(value)
        return b"null"


def _inherited(page: pikepdf.Object) -> list[tuple[str, object]]:
    """Return the inheritable attributes a page's ancestors hold for it, the nearest first."""
    found: list[tuple[str, object]] = []
    node = page.get("/Parent")
    while isinstance(node, pikepdf.Object) and node._type_code == ObjectType.dictionary:
        found += [(key, node[key]) for key in INHERITED if key in node and key not in dict(found)]
        node = node.get("/Parent")
    return found


def _real(value: Decimal | float) -> bytes:
    """Return a number as PDF syntax (no exponent)."""
    text = format(value, "f") if isinstance(value, Decimal) else f"{value:.6f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text).encode() or b"0"
