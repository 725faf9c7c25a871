"""PDF pages written directly with pydyf: fonts as CID-keyed CFF subsets, text runs and rules, the file around them
(what docgen.render.letter_pdf and docgen.render.grid_pdf set instead of WeasyPrint laying the HTML out again)."""
from __future__ import annotations

import ctypes.util
import hashlib
import io
import os
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

import cffi
import pydyf
from fontTools.ttLib import TTFont
from weasyprint.text.ffi import ffi as wp_ffi
from weasyprint.text.ffi import fontconfig, gobject, pango, pangoft2

from docgen.render import fonts, subsets

MM = 72 / 25.4
# templates/_base/gbt9704.css .blank: transparent underscores over a rule, a margin after it
BLANK_MARGIN_EMS, BLANK_RULE = 0.278, 0.75
PANGO_UNITS = 1024               # Pango measures in 1024ths of a CSS px
PX = 0.75                        # pt: WeasyPrint gives Pango its sizes in CSS px


class Unsupported(Exception):
    """The document uses something these writers do not set: WeasyPrint renders it."""


@dataclass
class Font:
    """One font file as the PDF embeds it: glyph ids, advances (per 1000 units), vertical metrics, HarfBuzz face, and
    the CIDs of a CID-keyed face's glyphs where they are not their ids (the codes written: FandolFang's “–” is glyph
    8899, CID 9910)."""

    path: str
    name: str
    family: str
    gids: dict[int, int]
    widths: dict[int, int]
    ascent: float
    descent: float
    hb_face: Any
    cids: dict[int, int] = field(default_factory=dict)

    def cid(self, gid: int) -> int:
        """Return the CID a glyph is written as (its id unless the face numbers it otherwise)."""
        return self.cids.get(gid, gid)

    def has(self, char: str) -> bool:
        """Tell whether the font draws a character."""
        return ord(char) in self.gids

    def gid(self, char: str) -> int:
        """Return the glyph id of a character, or raise Unsupported when the face lacks it (fontconfig's fallback)."""
        gid = self.gids.get(ord(char))
        if gid is None:
            raise Unsupported(f"{self.family} lacks {char!r}")
        return gid

    def width(self, text: str, size: float, spacing: float) -> float:
        """Return the advance of a text at a size with a letter spacing after each character (pt)."""
        return sum(self.widths[self.gid(c)] for c in text) * size / 1000 + spacing * len(text)


_hb = cffi.FFI()
_hb.cdef("typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;"
         "hb_blob_t *hb_blob_create_from_file(const char *file_name);"
         "hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);")
_hb_lib = _hb.dlopen(ctypes.util.find_library("harfbuzz") or "libharfbuzz.so.0")
_font_lock = threading.Lock()
# a process forked while another thread held the lock would wait for it forever (the batch process pool forks)
os.register_at_fork(after_in_child=lambda: globals().update(_font_lock=threading.Lock()))


def face_font(face: str, style: str = "") -> Font:
    """Return the font fontconfig gives an official face name (仿宋_GB2312 → FandolFang), named with `style` as
    WeasyPrint names it."""
    with _font_lock:
        return _font_of_file(fonts.font_file(face), style)


def fallback_font(face: str, char: str, style: str = "") -> Font:
    """Return the font fontconfig falls back to for a character the face lacks (Noto CJK for 喆), named with the
    face's `style` as WeasyPrint names it (the title's: Noto-Serif-CJK-SC-Bold), or raise Unsupported."""
    with _font_lock:
        for path, index in fonts.fallback_files(face):
            found = _font_of_file(path, style, index)
            if found.has(char):
                return found
    raise Unsupported(f"no font for {char!r}")


def runs(text: str, face: str, size: float, style: str = "", spacing: float = 0.0) -> list[Run]:
    """Split a text into runs of the face's font and, for characters it lacks, fontconfig's fallback (喆)."""
    main = face_font(face, style)
    out: list[Run] = []
    for char in text:
        font = main if main.has(char) else fallback_font(face, char, style)
        if out and out[-1].font is font:
            out[-1].text += char
        else:
            out.append(Run(char, font, size, spacing))
    return out or [Run("", main, size, spacing)]


_pango_lock = threading.Lock()
_pango: dict[int, Any] = {}      # process id → its Pango context (a forked batch worker makes its own)
# a process forked while another thread held the lock would wait for it forever (the batch process pool forks)
os.register_at_fork(after_in_child=lambda: globals().update(_pango_lock=threading.Lock()))


def _pango_context() -> Any:
    """Return this process's Pango context over fontconfig's fonts, as WeasyPrint's FontConfiguration makes it."""
    context = _pango.get(os.getpid())
    if context is None:
        config = fontconfig.FcInitLoadConfigAndFonts()
        font_map = wp_ffi.gc(pangoft2.pango_ft2_font_map_new(), gobject.g_object_unref)
        pangoft2.pango_fc_font_map_set_config(wp_ffi.cast("PangoFcFontMap *", font_map), config)
        fontconfig.FcConfigDestroy(config)
        context = _pango[os.getpid()] = (font_map, wp_ffi.gc(pango.pango_font_map_create_context(font_map),
                                                              gobject.g_object_unref))
    return context[1]


@lru_cache(maxsize=1024)
def pango_extents(text: str, face: str, size: float) -> tuple[float, float]:
    """Return the ascent and descent (pt) Pango gives a line of text in a face: a line mixing the face and a
    fallback (王䶮) is not the union of their metrics (FandolFang and Noto: 1.224 and 0.213 em, not 1.151 and 0.286)."""
    with _pango_lock:
        layout = wp_ffi.gc(pango.pango_layout_new(_pango_context()), gobject.g_object_unref)
        description = wp_ffi.gc(pango.pango_font_description_new(), pango.pango_font_description_free)
        pango.pango_font_description_set_family(description, face.encode())
        pango.pango_font_description_set_absolute_size(description, int(size / PX * PANGO_UNITS))
        pango.pango_layout_set_font_description(layout, description)
        encoded = text.encode()
        pango.pango_layout_set_text(layout, encoded, len(encoded))
        extents = wp_ffi.new("PangoRectangle *")
        pango.pango_layout_line_get_extents(pango.pango_layout_get_line_readonly(layout, 0), wp_ffi.NULL, extents)
        baseline = pango.pango_layout_get_baseline(layout)
        return baseline / PANGO_UNITS * PX, (extents.height - baseline) / PANGO_UNITS * PX


def text_extents(text: str, drawn_in: Iterable[Font], face: str, size: float) -> tuple[float, float]:
    """Return the ascent and descent (pt) WeasyPrint gives a text box: those of the one font that draws it, Pango's
    when the face and a fallback share it."""
    drawn = {id(font): font for font in drawn_in}
    if len(drawn) == 1:
        (font,) = drawn.values()
        return font.ascent * size, font.descent * size
    return pango_extents(text, face, size)


def line_box(texts: Iterable[tuple[float, float]], strut: Font, size: float, line: float) -> tuple[float, float]:
    """Return how far a line box of a fixed line height reaches above and below its baseline: the strut of its
    block's font and each text box (ascent, descent) with half the leading above and below (CSS 2 §10.8.1,
    WeasyPrint's line_box_verticality): a box mixing a fallback face stands higher and the line grows."""
    boxes = [(strut.ascent * size, strut.descent * size), *texts]
    return (max(ascent + (line - ascent - descent) / 2 for ascent, descent in boxes),
            max(descent + (line - ascent - descent) / 2 for ascent, descent in boxes))


@cache
def _font_of_file(path: str, style: str, index: int = 0) -> Font:
    """Read a font file once per process: its cmap as glyph ids, advances, metrics and a HarfBuzz face; its PDF
    name is its family and the style asked for."""
    with TTFont(path, lazy=True, fontNumber=index) as otf:   # the tables read, the file closed
        upm = otf["head"].unitsPerEm
        metrics, order = otf["hmtx"].metrics, {name: gid for gid, name in enumerate(otf.getGlyphOrder())}
        gids = {cp: order[name] for cp, name in otf.getBestCmap().items()}
        widths = {order[name]: round(advance * 1000 / upm) for name, (advance, _) in metrics.items()}
        names = otf["name"]
        family = str(names.getDebugName(16) or names.getDebugName(1))
        ascent, descent = otf["hhea"].ascent / upm, -otf["hhea"].descent / upm
        cids = {gid: int(name[3:]) for name, gid in order.items()
                if name.startswith("cid") and name[3:].isdigit() and int(name[3:]) != gid}
    raw = _hb_lib.hb_face_create(_hb_lib.hb_blob_create_from_file(path.encode()), index)
    hb_face = wp_ffi.cast("hb_face_t *", int(_hb.cast("uintptr_t", raw)))
    return Font(path, family.replace(" ", "-") + (f"-{style}" if style else ""), family, gids, widths, ascent,
                descent, hb_face, cids)


def baseline(top: float, line_height: float, face: Font, size: float) -> float:
    """Return the baseline of a line box: half the leading above the face's ascent (CSS 2 §10.8.1)."""
    return top + (line_height - (face.ascent + face.descent) * size) / 2 + face.ascent * size


@dataclass
class Run:
    """Characters in one font, size and letter spacing; a blank is drawn as a rule, its underscores invisible."""

    text: str
    font: Font
    size: float
    spacing: float
    blank: bool = False
    anchor: str = ""   # a named destination at the run's start

    @cached_property
    def glyphs(self) -> tuple[tuple[int, ...], str]:
        """Return the glyph ids of the run's characters and their hex CIDs (once: a form's cached lines are drawn in
        every document that has them, docgen.render.form_pdf)."""
        gids = tuple(self.font.gid(char) for char in self.text)
        return gids, "".join(f"{self.font.cid(gid):04x}" for gid in gids)

    @cached_property
    def advance(self) -> float:
        """Return the run's advance (pt), its letter spacing included."""
        return self.font.width(self.text, self.size, self.spacing)


@dataclass
class Used:
    """The glyphs a document uses of each font (gid → text), named /F0, /F1, … in the order first used."""

    glyphs: dict[str, dict[int, str]] = field(default_factory=dict)
    fonts: dict[str, Font] = field(default_factory=dict)

    def key(self, run: Run) -> tuple[str, str]:
        """Return the resource name of a run's font and the hex CIDs (the face's glyph ids) of its text."""
        face = run.font
        name = next((k for k, f in self.fonts.items() if f is face), f"F{len(self.fonts)}")
        self.fonts[name] = face
        gids, cids = run.glyphs
        self.glyphs.setdefault(name, {}).update(zip(gids, run.text, strict=True))
        return name, cids


def run_ops(run: Run, x: float, baseline: float, used: Used, rules: list[tuple[float, float, float, float]]
            ) -> tuple[list[str], float]:
    """Return the operators drawing a run at x on a baseline (PDF coordinates) and where the next run starts; a
    blank's rule goes into `rules` (x, y, width, height in PDF coordinates)."""
    width = run.advance
    name, cids = used.key(run)
    ops = [f"BT /{name} {run.size:g} Tf {run.spacing:.4f} Tc 1 0 0 1 {x:.3f} {baseline:.3f} Tm <{cids}> Tj ET"]
    if run.blank:   # .blank: transparent underscores over a rule at the bottom of the glyphs' box
        ops = ["/Clear gs", *ops, "/Ink gs"]
        rules.append((x, baseline - run.font.descent * run.size - BLANK_RULE, width, BLANK_RULE))
        width += BLANK_MARGIN_EMS * run.size
    return ops, x + width


def _embedded(face: Font, glyphs: dict[int, str]) -> tuple[bytes, bytes, bytes]:
    """Return what a font embeds for the glyphs: its deflated CFF subset, its /W array and its deflated ToUnicode
    CMap, kept as one entry of the subsets' cache (docgen.render.subsets): a title's, a page number's and a form's
    glyphs repeat from document to document."""
    key = ("direct", face.path, face.name, tuple(sorted(glyphs.items())))
    packed = subsets.CACHE.get(key)
    if packed is None:
        gids = sorted(glyphs)
        program, widths = _subset(face, tuple(gids)), bytes(_widths(face, gids).data)
        packed = struct.pack("<II", len(program), len(widths)) + program + widths + bytes(
            pydyf.zlib.compress(_to_unicode({face.cid(gid): char for gid, char in glyphs.items()})))
        subsets.CACHE.put(key, packed)
    program_end, widths_length = struct.unpack_from("<II", packed)
    program_end += 8
    return packed[8:program_end], packed[program_end:program_end + widths_length], packed[
        program_end + widths_length:]


def _subset(face: Font, glyphs: tuple[int, ...]) -> bytes:
    """Return the bare CFF program of the glyphs, CID = the face's glyph id (docgen.render.subsets), deflated
    (at pydyf's level, docgen.render.pdf.install_deflate)."""
    program = subsets.cff_subset(face.hb_face, glyphs, cids=tuple(face.cid(gid) for gid in glyphs) if any(
        gid in face.cids for gid in glyphs) else ())
    if program is None:
        raise Unsupported(f"{face.name}: not a CID-keyed CFF face")
    return bytes(pydyf.zlib.compress(program))


class _Serialised(pydyf.Object):
    """A PDF object written already (a font's /W array, cached with its subset)."""

    def __init__(self, data: bytes):
        super().__init__()
        self.serialised = data

    @property
    def data(self) -> bytes:
        return self.serialised


def _to_unicode(codes: dict[int, str]) -> bytes:
    """Return the ToUnicode CMap of the codes written (CIDs → text: extraction and search)."""
    pairs = [f"<{cid:04x}> <{char.encode('utf-16-be').hex()}>" for cid, char in sorted(codes.items())]
    chunks = [f"{len(pairs[i:i + 100])} beginbfchar\n" + "\n".join(pairs[i:i + 100]) + "\nendbfchar"
              for i in range(0, len(pairs), 100)]
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
            "<< /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n"
            "/CMapType 2 def\n1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n" + "\n".join(chunks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend").encode()


def _widths(face: Font, gids: list[int]) -> pydyf.Array:
    """Return the /W array of the glyphs: runs of consecutive CIDs with their widths."""
    widths = sorted((face.cid(gid), face.widths[gid]) for gid in gids)
    out, known = pydyf.Array(), {cid for cid, _ in widths}
    for cid, width in widths:
        if cid - 1 not in known:
            out.extend([cid, pydyf.Array()])
        out[-1].append(width)
    return out


def _font_dictionary(pdf: pydyf.PDF, face: Font, glyphs: dict[int, str]) -> pydyf.Dictionary:
    """Add a Type 0 font embedding the subset of the glyphs (CID-keyed CFF, Identity-H, ToUnicode) to the PDF."""
    gids = sorted(glyphs)
    tag = "".join(chr(65 + b % 26) for b in hashlib.md5(repr((face.name, gids)).encode(),
                                                         usedforsecurity=False).digest()[:6])
    name = f"/{tag}+{face.name}"
    subset, widths, cmap = _embedded(face, glyphs)
    program = pydyf.Stream([subset], {"Subtype": "/CIDFontType0C", "Filter": "/FlateDecode"})
    unicode = pydyf.Stream([cmap], {"Filter": "/FlateDecode"})
    ascent, descent = round(face.ascent * 1000), round(-face.descent * 1000)
    descriptor = pydyf.Dictionary({
        "Type": "/FontDescriptor", "FontName": name, "FontFamily": pydyf.String(face.family), "Flags": 4,
        "FontBBox": pydyf.Array([0, descent, max(face.widths[g] for g in gids), ascent]), "ItalicAngle": 0,
        "Ascent": ascent, "Descent": descent, "CapHeight": ascent, "StemV": 80, "StemH": 80})
    for obj in (program, unicode, descriptor):
        pdf.add_object(obj)
    descriptor["FontFile3"] = program.reference
    cid_font = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/CIDFontType0", "BaseFont": name, "FontDescriptor": descriptor.reference,
        "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"),
                                           "Supplement": 0}),
        "W": _Serialised(widths)})
    pdf.add_object(cid_font)
    return pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type0", "BaseFont": name, "Encoding": "/Identity-H",
                             "DescendantFonts": pydyf.Array([cid_font.reference]), "ToUnicode": unicode.reference})


@dataclass
class Sheet:
    """A page to write: its content stream, size (pt) and named destinations on it (name → x, y)."""

    content: bytes
    width: float
    height: float
    dests: dict[str, tuple[float, float]] = field(default_factory=dict)
    images: dict[str, Bitmap] = field(default_factory=dict)   # the XObjects its content draws by name


@dataclass(frozen=True)
class Bitmap:
    """An image as the PDF embeds it, as WeasyPrint does: a JPEG's own bytes (DCTDecode), a PNG's pixel rows
    (FlateDecode, PNG predictors); interpolated (image-rendering: auto)."""

    data: bytes
    mime: str

    def xobject(self) -> pydyf.Stream:
        """Return the image XObject, or raise Unsupported for pixels other than 8-bit RGB or grey."""
        from PIL import Image

        with Image.open(io.BytesIO(self.data)) as image:
            mode, width, height, fmt = image.mode, image.width, image.height, image.format
            if mode not in ("RGB", "L") or fmt not in ("JPEG", "PNG"):
                raise Unsupported(f"a {fmt} image in mode {mode}")
            extra = pydyf.Dictionary({"Type": "/XObject", "Subtype": "/Image", "Width": width, "Height": height,
                                      "ColorSpace": "/DeviceRGB" if mode == "RGB" else "/DeviceGray",
                                      "BitsPerComponent": 8, "Interpolate": "true"})
            if fmt == "JPEG":
                extra["Filter"] = "/DCTDecode"
                return pydyf.Stream([self.data], extra)
            extra["Filter"] = "/FlateDecode"
            extra["DecodeParms"] = pydyf.Dictionary({"Predictor": 15, "Columns": width,
                                                     **({"Colors": 3} if mode == "RGB" else {})})
            return pydyf.Stream([_idat(image)], extra)


def _idat(image: Any) -> bytes:
    """Return a PNG's deflated rows (its IDAT chunks) as Pillow writes it (WeasyPrint's _get_png_data)."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    data, at, chunks = out.getvalue(), 8, []
    while at < len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return b"".join(chunks)


@dataclass
class Info:
    """What WeasyPrint writes besides the pages: metadata, language, and where the title's bookmark points."""

    title: str = ""
    keywords: str = ""
    creator: str = ""
    lang: str = ""
    title_at: tuple[float, float] = (0.0, 0.0)   # on the first page


def info_of(root: Any, title_at: tuple[float, float]) -> Info:
    """Return the metadata of a parsed HTML document (its title, the document id WeasyPrint writes as keywords, the
    generator, the language) with where its bookmark points."""
    meta = {m.get("name"): m.get("content") or "" for m in root.iter("meta") if m.get("name")}
    return Info(root.findtext(".//title") or "", meta.get("keywords", ""), meta.get("generator", ""),
                root.get("lang") or "", title_at)


def write(sheets: list[Sheet], used: Used, info: Info) -> bytes:
    """Return the PDF of the pages, embedding the subsets of the glyphs they use."""
    pdf = pydyf.PDF()
    font_resources = pydyf.Dictionary()
    for name, face in used.fonts.items():
        dictionary = _font_dictionary(pdf, face, used.glyphs[name])
        pdf.add_object(dictionary)
        font_resources[name] = dictionary.reference
    states = pydyf.Dictionary({"Ink": pydyf.Dictionary({"ca": 1}), "Clear": pydyf.Dictionary({"ca": 0})})
    pages = []
    for sheet in sheets:
        stream = pydyf.Stream([sheet.content], compress=True)
        pdf.add_object(stream)
        box = pydyf.Array([0, 0, round(sheet.width, 6), round(sheet.height, 6)])
        # each page its own resources (the finish adds its marks' XObjects page by page)
        resources = pydyf.Dictionary({"Font": font_resources, "ExtGState": states})
        if sheet.images:
            resources["XObject"] = pydyf.Dictionary()
            for name, picture in sheet.images.items():
                xobject = picture.xobject()
                pdf.add_object(xobject)
                resources["XObject"][name] = xobject.reference
        page = pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference, "MediaBox": box, "TrimBox": box,
                                 "BleedBox": box, "Contents": stream.reference, "Resources": resources})
        pdf.add_page(page)
        pages.append(page)
    _catalog(pdf, pages, sheets, info)
    output = io.BytesIO()
    pdf.write(output, version=b"1.7", compress=True)
    return output.getvalue()


def _catalog(pdf: pydyf.PDF, pages: list[pydyf.Dictionary], sheets: list[Sheet], info: Info) -> None:
    """Add what WeasyPrint writes besides the pages: metadata, language, the title's bookmark, named anchors."""
    for key, value in (("Title", info.title), ("Keywords", info.keywords), ("Creator", info.creator)):
        if value:
            pdf.info[key] = pydyf.String(value)
    pdf.info["Producer"] = pydyf.String("docgen")
    if info.lang:
        pdf.catalog["Lang"] = pydyf.String(info.lang)
    if info.title:
        outlines = pydyf.Dictionary({"Count": 1})
        pdf.add_object(outlines)
        x, y = info.title_at
        item = pydyf.Dictionary({"Title": pydyf.String(info.title), "Parent": outlines.reference, "Count": 0,
                                 "Dest": pydyf.Array([pages[0].reference, "/XYZ", round(x, 6), round(y, 6), 0])})
        pdf.add_object(item)
        outlines["First"] = outlines["Last"] = item.reference
        pdf.catalog["Outlines"] = outlines.reference
    dests = sorted(((anchor, page, xy) for page, sheet in zip(pages, sheets, strict=True)
                    for anchor, xy in sheet.dests.items()), key=lambda dest: dest[0])
    if dests:
        names = pydyf.Array()
        for anchor, page, (x, y) in dests:
            names.extend([pydyf.String(anchor), pydyf.Array([page.reference, "/XYZ", round(x, 6), round(y, 6), 0])])
        pdf.catalog["Names"] = pydyf.Dictionary({"Dests": pydyf.Dictionary({"Names": names})})
