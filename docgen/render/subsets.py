"""Font subsets for WeasyPrint's PDFs: cached across renders and, for CID-keyed CFF faces, renumbered.

A narrow hook around WeasyPrint 70's font embedding (`weasyprint.pdf.fonts.Font.subset`, called once per
face and PDF by `build_fonts_dictionary` with the glyph ids the pages use). Two things change, nothing else:

1. A subset is made once per process for a (face, glyph set, hinting) and reused: the same glyphs of the
   same face give the same bytes, so the PDF is byte-identical to one made without the cache. The key is
   the glyph set itself, never a document: a subset holds glyph outlines only, no text, so a cached subset
   cannot carry one applicant's words into another's file; the text of a PDF (content streams, ToUnicode)
   is written by WeasyPrint for each document, as before.
2. Glyphs are renumbered (0, 1, 2, … instead of the face's own ids) for CID-keyed CFF faces — the
   Fandol and Noto CJK faces docgen uses. WeasyPrint keeps the original ids, so its subsetting cost and size
   follow the highest glyph id used, not the glyphs used (FACTS.md: 5 title glyphs, 3 ms and 41 KB, vs
   1 ms and 3.4 KB renumbered). The page content keeps writing the original ids as CIDs; a CID-keyed CFF
   maps CIDs to its glyphs through its charset (ISO 32000-2 §9.7.4.2, "CIDFontType0": the CIDs select
   glyphs through the CFF charset), and HarfBuzz writes the original CIDs into the subset's charset. Each
   renumbered subset is checked to map every used id to itself before it is used; any other face
   (TrueType, name-keyed CFF, a face with .notdef stand-ins) keeps WeasyPrint's own subsetting, cached.

A renumbered subset is embedded as a bare CFF program (FontFile3 /CIDFontType0C, as pdfTeX and Ghostscript
embed CJK faces): poppler honours the charset of a bare CFF but not of a CFF inside an OpenType wrapper.

`install()` applies the hook; it refuses a WeasyPrint whose `Font.subset` it does not know, leaving the
stock behaviour (slower, same documents).
"""
from __future__ import annotations

import io
import logging
import os
import threading
from collections import OrderedDict
from typing import Any

import weasyprint
from fontTools.ttLib import TTFont
from weasyprint.pdf import fonts as wp_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

log = logging.getLogger(__name__)

SUPPORTED_WEASYPRINT = ("70.",)          # versions whose pdf/fonts.py this module knows
CACHE_BYTES = 8 * 1024 * 1024             # of subsets per process: titles and labels repeat, names rarely (5–40 KB each)
# what WeasyPrint 70 drops from every subset (pdf/fonts.py Font._harfbuzz_subset)
DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
CFF_HEADER = b"\x01\x00"                  # CFF 1.0: what a bare CFF program starts with

_stock = {"subset": wp_fonts.Font.subset, "type": wp_fonts.Font.type,
          "vector": wp_fonts._build_vector_font_dictionary, "face": wp_fonts.get_pango_font_hb_face,
          "data": wp_fonts.get_hb_object_data}
_installed = False


class SubsetCache:
    """Subsets by (face, glyph ids, hinting), least recently used dropped past a byte budget, and the bytes
    of each face the fonts of pages use (copied once, not on every render); thread-safe.

    A face is named by its address and pinned (a HarfBuzz reference is kept), so that no other face can
    take that address while this process lives; the faces belong to the process's one FontConfiguration
    and live as long anyway.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._faces: dict[int, object] = {}     # address -> the pinning reference
        self._face_bytes: dict[int, bytes] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def pin(self, hb_face: Any) -> int:
        """Return the address naming a face, pinning the face."""
        address = int(ffi.cast("uintptr_t", hb_face))
        with self._lock:
            if address not in self._faces:
                self._faces[address] = ffi.gc(harfbuzz.hb_face_reference(hb_face), harfbuzz.hb_face_destroy)
        return address

    def face_bytes(self, hb_face: Any) -> bytes | None:
        """Return the whole font file of a pinned face (None for any other face, e.g. a fresh subset)."""
        address = int(ffi.cast("uintptr_t", hb_face))
        with self._lock:
            if address not in self._faces:
                return None
            if address not in self._face_bytes:
                self._face_bytes[address] = _stock["data"](hb_face)
            return self._face_bytes[address]

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            content = self._items.get(key)
            if content is None:
                self.misses += 1
            else:
                self.hits += 1
                self._items.move_to_end(key)
            return content

    def put(self, key: tuple, content: bytes) -> None:
        with self._lock:
            if key in self._items or len(content) > self.max_bytes:
                return
            self._items[key] = content
            self._bytes += len(content)
            while self._bytes > self.max_bytes:
                self._bytes -= len(self._items.popitem(last=False)[1])

    def clear(self) -> None:
        """Forget the subsets (not the faces)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0


CACHE = SubsetCache()
# a process forked while another thread held the lock would wait for it forever (the batch process pool forks)
os.register_at_fork(after_in_child=lambda: setattr(CACHE, "_lock", threading.Lock()))


def install() -> bool:
    """Hook docgen's subsetting into WeasyPrint once per process; return whether it is active."""
    global _installed
    if _installed:
        return True
    if not weasyprint.__version__.startswith(SUPPORTED_WEASYPRINT):
        log.warning("WeasyPrint %s: font subsets neither cached nor renumbered (docgen knows %s)",
                    weasyprint.__version__, ", ".join(SUPPORTED_WEASYPRINT))
        return False
    wp_fonts.Font.subset = _subset
    wp_fonts.Font.type = property(_type)
    wp_fonts._build_vector_font_dictionary = _build_vector_font_dictionary
    wp_fonts.get_pango_font_hb_face = _pango_font_hb_face
    wp_fonts.get_hb_object_data = _hb_object_data
    _installed = True
    return True


def uninstall() -> None:
    """Restore WeasyPrint's own subsetting (for tests comparing with it)."""
    global _installed
    wp_fonts.Font.subset = _stock["subset"]
    wp_fonts.Font.type = _stock["type"]
    wp_fonts._build_vector_font_dictionary = _stock["vector"]
    wp_fonts.get_pango_font_hb_face = _stock["face"]
    wp_fonts.get_hb_object_data = _stock["data"]
    _installed = False


def _subset(font: Any, to_unicode: dict, hinting: bool) -> None:
    """Replace Font.subset: set font.file_content to the subset of the glyphs in to_unicode (glyph id → text)."""
    if not to_unicode:
        return
    key = (CACHE.pin(font.hb_face), tuple(sorted(to_unicode)), bool(hinting), bool(font.missing))
    content = CACHE.get(key)
    if content is None:
        content = cff_subset(font.hb_face, key[1], hinting) if _renumberable(font) else None
        if content is None:
            _stock["subset"](font, to_unicode, hinting)
            content = font.file_content
        CACHE.put(key, content)
    font.file_content = content


def _pango_font_hb_face(pango_font: Any) -> Any:
    """Replace get_pango_font_hb_face in Font.__init__: the same face, pinned, so its bytes are kept."""
    hb_face = _stock["face"](pango_font)
    CACHE.pin(hb_face)
    return hb_face


def _hb_object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
    """Replace get_hb_object_data in pdf/fonts.py: a pinned face's file is copied once per process
    (Font.__init__ copies the whole file, 5–26 MB, for every font of every PDF)."""
    if ot_color is None:
        content = CACHE.face_bytes(hb_object)
        if content is not None:
            return content
    return _stock["data"](hb_object, ot_color, glyph)


def _type(font: Any) -> str:
    """Font.type, knowing a bare CFF program (a renumbered subset) for the CFF it is."""
    return "otf" if font.file_content[:2] == CFF_HEADER else _stock["type"].fget(font)


def _build_vector_font_dictionary(font_dictionary: Any, pdf: Any, font: Any, widths: Any, compress: bool,
                                   reference: Any, pdf_version: Any) -> Any:
    """Build WeasyPrint's font dictionaries, then declare a bare CFF font file as such (not /OpenType)."""
    _stock["vector"](font_dictionary, pdf, font, widths, compress, reference, pdf_version)
    font_file = pdf.objects[int(reference.split()[0])]
    if font_file.stream[0][:2] == CFF_HEADER:
        font_file.extra["Subtype"] = "/CIDFontType0C"
        descendant = pdf.objects[int(font_dictionary["DescendantFonts"][0].split()[0])]
        descendant.pop("CIDToGIDMap", None)    # a TrueType-only entry (ISO 32000-2 Table 115)


def _renumberable(font: Any) -> bool:
    # .notdef stand-ins (font.missing) are ids past the face's glyphs, mapped by WeasyPrint to 0: keep stock;
    # a variable face is instanced by WeasyPrint from the full file after subsetting: keep stock
    return (not font.missing and "CFF " in font.tables and "fvar" not in font.tables
            and bool(harfbuzz_subset) and harfbuzz.hb_version_atleast(4, 1, 0))


def cff_subset(hb_face: Any, glyphs: tuple[int, ...], hinting: bool = False, cids: tuple[int, ...] = ()
               ) -> bytes | None:
    """Return the bare CFF program of a HarfBuzz face's glyphs numbered 0…n-1 whose charset gives each glyph its
    original id as CID (or its CID in `cids`, the face's own where it numbers glyphs otherwise: FandolFang's “–”), or
    None when the face does not allow that (WeasyPrint's stock subset is used then; the direct writers,
    docgen.render.direct_pdf, fall back to WeasyPrint)."""
    wanted = glyphs if glyphs[0] == 0 else (0, *glyphs)   # .notdef stays glyph 0
    named = wanted if not cids else cids if glyphs[0] == 0 else (0, *cids)
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                          harfbuzz_subset.hb_subset_input_destroy)
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(glyph_set, ffi.new(f"hb_codepoint_t[{len(wanted)}]", wanted), len(wanted))
    flags = (harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
             | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    drop = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(name, -1) for name in DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    face = harfbuzz_subset.hb_subset_or_fail(hb_face, subset_input)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    content = _stock["data"](face)
    return _bare_cff(content, named) if content else None


def _bare_cff(content: bytes, wanted: tuple[int, ...]) -> bytes | None:
    """Return the CFF table of an OpenType subset if glyph i has CID wanted[i] (what a PDF reader selects
    by the ids on the page), else None."""
    try:
        otf = TTFont(io.BytesIO(content), lazy=True)
        top = otf["CFF "].cff.topDictIndex[0]
        if not hasattr(top, "ROS"):           # name-keyed CFF: a reader would take CIDs as glyph ids
            return None
        charset = list(top.charset)
        cff = otf.reader["CFF "]
    except Exception:                         # fontTools cannot read the subset: use the stock one
        log.exception("renumbered font subset unreadable; using WeasyPrint's")
        return None
    expected = [".notdef"] + [f"cid{gid:05d}" for gid in wanted[1:]]
    return cff if charset == expected and cff[:2] == CFF_HEADER else None
