"""The letters' one-page PDF written directly from the HTML of docgen's own lines, without WeasyPrint's layout."""
from __future__ import annotations

import ctypes.util
import hashlib
import io
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import cffi
import pydyf
from fontTools.ttLib import TTFont
from lxml import html as lxml_html
from weasyprint.text.ffi import ffi as wp_ffi

from docgen.render import fonts, subsets

# GB/T 9704-2012 page and type as templates/_base/gbt9704.css sets them (the comparison test holds both equal)
MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM                   # §5.2.1 A4
LEFT, TOP, RIGHT_EDGE = 28 * MM, 37 * MM, 184 * MM    # §5.2.2 订口 28 mm, 天头 37 mm, 版心 156 mm wide
TEXT_HEIGHT_MM = 225                                  # §5.2.2 版心高
TEXT_BOTTOM = TOP + TEXT_HEIGHT_MM * MM
LEADER_GAP = 10.227 * MM                              # authenticity-guarantee/document.css .leader margin-top
BODY_PT, TITLE_PT, FOLIO_PT = 16.0, 22.0, 14.0        # 3号, 2号, 4号
TITLE_LINE = 12 * MM                                  # h1.title line-height
BASE_SPACING = -0.2                                   # html letter-spacing (pt)
INDENT_EMS = 2.0                                      # .body text-indent
BLANK_SPACING_EMS, BLANK_MARGIN_EMS = -0.278, 0.278   # .blank letter-spacing and margin-right
BLANK_RULE, BLANKLINE_RULE = 0.75, 0.5                # .blank and .blankline border-bottom (pt)
FOLIO_GAP = 7 * MM                                    # §7.5 页码 下距版心 7 mm, 单页居右空一字
OVERFLOW_SLACK = 0.5                                  # pt: nearer the page's end than this, WeasyPrint decides
ANCHORS = ("docgen-seal", "docgen-seal-end")          # the 成文日期 marked for the seal (docgen.render.seal)
# each role's official face name and the style in the name WeasyPrint gives its font (fonts.conf asks 小标宋's
# fallback in its Bold style; 宋体 and 黑体 resolve to Fandol's Bold files too, named by their family alone)
FACES = {"body": ("仿宋_GB2312", ""), "title": ("方正小标宋简体", "Bold"), "label": ("黑体", ""), "folio": ("宋体", "")}
_SPACING = re.compile(r"^\s*letter-spacing:\s*(-?[\d.]+)pt;?\s*$")
_PADDING = re.compile(r"^\s*padding-right:\s*(-?[\d.]+)em;?\s*$")
_COLLAPSIBLE = re.compile(r"[ \t\n\r]")


class Unsupported(Exception):
    """The letter uses something this writer does not set: WeasyPrint renders it."""


@dataclass
class Font:
    """One font file as the PDF embeds it: glyph ids, advances (per 1000 units), vertical metrics, HarfBuzz face."""

    path: str
    name: str
    family: str
    gids: dict[int, int]
    widths: dict[int, int]
    ascent: float
    descent: float
    hb_face: Any

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


@cache
def _font_of_file(path: str, style: str) -> Font:
    """Read a font file once per process: its cmap as glyph ids, advances, metrics and a HarfBuzz face; its PDF
    name is its family and the style asked for."""
    with TTFont(path, lazy=True) as otf:   # the tables read, the file closed
        upm = otf["head"].unitsPerEm
        metrics, order = otf["hmtx"].metrics, {name: gid for gid, name in enumerate(otf.getGlyphOrder())}
        gids = {cp: order[name] for cp, name in otf.getBestCmap().items()}
        widths = {order[name]: round(advance * 1000 / upm) for name, (advance, _) in metrics.items()}
        names = otf["name"]
        family = str(names.getDebugName(16) or names.getDebugName(1))
        ascent, descent = otf["hhea"].ascent / upm, -otf["hhea"].descent / upm
    raw = _hb_lib.hb_face_create(_hb_lib.hb_blob_create_from_file(path.encode()), 0)
    hb_face = wp_ffi.cast("hb_face_t *", int(_hb.cast("uintptr_t", raw)))
    return Font(path, family + (f"-{style}" if style else ""), family, gids, widths, ascent, descent, hb_face)


def font(role: str) -> Font:
    """Return the font of a role (body, title, label, folio) as fontconfig resolves its face name."""
    with _font_lock:
        face, style = FACES[role]
        return _font_of_file(fonts.font_file(face), style)


@dataclass
class Run:
    """Characters in one font, size and letter spacing; a blank is drawn as a rule, its underscores invisible."""

    text: str
    font: Font
    size: float
    spacing: float
    blank: bool = False
    anchor: str = ""   # a named destination at the run's start


@dataclass
class Style:
    """What a span passes down: the font and the letter spacing."""

    font: Font
    spacing: float
    blank: bool = False


@dataclass
class Line:
    """The runs of one line, left to right."""

    runs: list[Run] = field(default_factory=list)

    def width(self) -> float:
        """Return the advance of the line (a blank's margin included)."""
        return sum(r.font.width(r.text, r.size, r.spacing) + (BLANK_MARGIN_EMS * r.size if r.blank else 0)
                   for r in self.runs)


def _text(text: str | None) -> str:
    """Return a text node's characters; collapsible white space is outside what this writer sets."""
    if text and _COLLAPSIBLE.search(text):
        raise Unsupported(f"white space in {text!r}")
    return text or ""


def _span_style(span: Any, style: Style) -> Style:
    """Return the style inside a span of the letters' vocabulary (templates/_base, docgen.render.jinja)."""
    classes = set((span.get("class") or "").split())
    spacing = _SPACING.match(span.get("style") or "")
    if span.get("style") and not (classes == {"ln"} and spacing):
        raise Unsupported(f"style {span.get('style')!r}")
    if classes == {"ln"}:
        return Style(style.font, float(spacing.group(1)) if spacing else style.spacing)
    if classes == {"label"}:
        return Style(font("label"), style.spacing)
    if classes == {"blank"}:
        return Style(style.font, BLANK_SPACING_EMS * BODY_PT, blank=True)
    if classes <= {"lines", "keep"}:
        return style
    raise Unsupported(f"span class {classes}")


def _inline(element: Any, style: Style, lines: list[Line]) -> None:
    """Append an element's content to the lines: a <br> starts a line; spans set fonts and spacing."""
    text = _text(element.text)
    if text:
        lines[-1].runs.append(Run(text, style.font, BODY_PT, style.spacing, style.blank))
    for child in element:
        if child.tag == "br":
            lines.append(Line())
        elif child.tag == "span":
            anchor = child.get("id") or ""
            if anchor and anchor not in ANCHORS:
                raise Unsupported(f"id {anchor}")
            if anchor:
                lines[-1].runs.append(Run("", style.font, BODY_PT, style.spacing, anchor=anchor))
            _inline(child, _span_style(child, style), lines)
        else:
            raise Unsupported(f"<{child.tag}>")
        tail = _text(child.tail)
        if tail:
            lines[-1].runs.append(Run(tail, style.font, BODY_PT, style.spacing, style.blank))


@dataclass
class Placed:
    """A line placed on the page: left x of its first run, its box's top and its baseline (pt from the top)."""

    line: Line
    x: float
    top: float
    baseline: float


@dataclass
class Page:
    """What the page holds: placed lines, rules (x, top, width, height), the next line's top and the pitch."""

    lines: list[Placed] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)
    y: float = TOP
    pitch: float = 0.0


def _baseline(top: float, line_height: float, face: Font, size: float) -> float:
    """Return the baseline of a line box: half the leading above the face's ascent (CSS 2 §10.8.1)."""
    return top + (line_height - (face.ascent + face.descent) * size) / 2 + face.ascent * size


def _place(page: Page, line: Line, x: float) -> None:
    """Place a line at x in the next line box."""
    page.lines.append(Placed(line, x, page.y, _baseline(page.y, page.pitch, font("body"), BODY_PT)))
    page.y += page.pitch


def _title(page: Page, h1: Any) -> None:
    """Set the title centred in its 12 mm line, a blank line under it (h1.title)."""
    if h1.get("class") != "title" or len(h1) or not h1.text:
        raise Unsupported("h1")
    title = font("title")
    line = Line([Run(_text(h1.text), title, TITLE_PT, 0.0)])
    x = LEFT + (RIGHT_EDGE - LEFT - line.width()) / 2
    if x < LEFT:
        raise Unsupported("a title longer than a line")
    page.lines.append(Placed(line, x, page.y, _baseline(page.y, TITLE_LINE, title, TITLE_PT)))
    page.y += TITLE_LINE + page.pitch


def _paragraph(page: Page, p: Any) -> None:
    """Set a paragraph: docgen's lines (span.lines) each as it is, any other text on one line; a blank line ruled."""
    classes = set((p.get("class") or "").split())
    if not classes <= {"body", "keep-with-signoff", "leader", "blankline"} or p.get("style"):
        raise Unsupported(f"p class {classes}")
    if "leader" in classes:   # authenticity-guarantee/document.css: a line of room above
        page.y += LEADER_GAP
    if "blankline" in classes:
        if p.text_content().strip("\u3000 ") or len(p):
            raise Unsupported("text on a blank line")
        page.rules.append((LEFT, page.y + page.pitch - BLANKLINE_RULE, RIGHT_EDGE - LEFT, BLANKLINE_RULE))
        page.y += page.pitch
        return
    lines = [Line()]
    _inline(p, Style(font("body"), BASE_SPACING), lines)
    indent = INDENT_EMS * BODY_PT if "body" in classes else 0
    if not any("lines" in (s.get("class") or "").split() for s in p.iter("span")):
        # text WeasyPrint wraps itself: set here only when it takes one line (an addressee, a label)
        if len(lines) > 1 or LEFT + indent + lines[0].width() > RIGHT_EDGE:
            raise Unsupported("a paragraph WeasyPrint would wrap")
    if not all(any(run.text for run in line.runs) for line in lines):   # CSS 2 §9.4.2: an empty line box has
        raise Unsupported("an empty line")                              # no height (WeasyPrint's to decide)
    for i, line in enumerate(lines):   # docgen's lines are never broken again (.lines: nowrap)
        _place(page, line, LEFT + (indent if i == 0 else 0))


def _signoff(page: Page, div: Any) -> None:
    """Set the sign-off lines flush right less their padding (signoff() in docgen.render.jinja), a line below the text."""
    if div.get("class") != "signoff" or (div.text or "").strip():
        raise Unsupported("div")
    page.y += page.pitch
    for p in div:
        padding = _PADDING.match(p.get("style") or "")
        if p.tag != "p" or not padding or p.get("class") or (p.tail or "").strip():
            raise Unsupported("a sign-off line")
        lines = [Line()]
        _inline(p, Style(font("body"), BASE_SPACING), lines)
        if len(lines) != 1:
            raise Unsupported("a sign-off line broken")
        right = RIGHT_EDGE - float(padding.group(1)) * BODY_PT
        _place(page, lines[0], right - lines[0].width())


def _lay_out(body: Any, lines: int) -> Page:
    """Set the body's blocks in `lines` lines a page (the pitch docgen.render.pdf gives WeasyPrint)."""
    page = Page(pitch=round(TEXT_HEIGHT_MM / lines, 3) * MM)   # 22: gbt9704.css's 10.227 mm
    setters = {"h1": _title, "p": _paragraph, "div": _signoff}
    for element in body:
        if element.tag not in setters or (element.tail or "").strip() or element.get("id") or (
                element.tag != "p" and element.get("style")):   # an id: a named destination of WeasyPrint's
            raise Unsupported(f"<{element.tag}>")
        setters[element.tag](page, element)
    return page


def layout(html: str, tries: Iterable[int]) -> tuple[Page, dict[str, str], int]:
    """Lay a letter's HTML out on one page in the first of `tries` lines a page that keeps it there; return the
    page, the document's metadata (title, keywords, creator, lang) and the lines a page.

    Raises Unsupported for anything outside the letters' vocabulary, a letter none of them keeps on one page,
    or one that ends so near the page's end that WeasyPrint's own rounding decides (it sets those)."""
    root = lxml_html.document_fromstring(html)
    meta = {m.get("name"): m.get("content") or "" for m in root.iter("meta") if m.get("name")}
    info = {"title": root.findtext(".//title") or "", "keywords": meta.get("keywords", ""),
            "creator": meta.get("generator", ""), "lang": root.get("lang") or ""}
    body = root.find("body")
    if body is None or (body.text or "").strip():
        raise Unsupported("no body")
    for lines in tries:
        page = _lay_out(body, lines)
        if abs(page.y - TEXT_BOTTOM) < OVERFLOW_SLACK:
            raise Unsupported("ends at the page's end")
        if page.y < TEXT_BOTTOM:
            return page, info, lines
    raise Unsupported("more than one page")


# --- writing the PDF

@dataclass
class Used:
    """The glyphs a document uses of each font (gid → text), named /F0, /F1, … in the order first used."""

    glyphs: dict[str, dict[int, str]] = field(default_factory=dict)
    fonts: dict[str, Font] = field(default_factory=dict)

    def key(self, face: Font, text: str) -> tuple[str, str]:
        """Return the resource name of a font and the hex CIDs (the face's glyph ids) of a text in it."""
        name = next((k for k, f in self.fonts.items() if f is face), f"F{len(self.fonts)}")
        self.fonts[name] = face
        glyphs = self.glyphs.setdefault(name, {})
        cids = []
        for char in text:
            gid = face.gid(char)
            glyphs[gid] = char
            cids.append(f"{gid:04x}")
        return name, "".join(cids)


def _run_ops(run: Run, x: float, baseline: float, used: Used, rules: list[tuple[float, float, float, float]]
             ) -> tuple[list[str], float]:
    """Return the operators drawing a run at x on a baseline (PDF coordinates) and where the next run starts."""
    width = run.font.width(run.text, run.size, run.spacing)
    name, cids = used.key(run.font, run.text)
    ops = [f"BT /{name} {run.size:g} Tf {run.spacing:.4f} Tc 1 0 0 1 {x:.3f} {baseline:.3f} Tm <{cids}> Tj ET"]
    if run.blank:   # .blank: transparent underscores over a rule at the bottom of the glyphs' box
        ops = ["/Clear gs", *ops, "/Ink gs"]
        rules.append((x, PAGE_H - baseline + run.font.descent * run.size, width, BLANK_RULE))
        width += BLANK_MARGIN_EMS * run.size
    return ops, x + width


def _page_ops(page: Page, used: Used, dests: dict[str, tuple[float, float]]) -> bytes:
    """Return the page's content stream: the text, the rules, the page number; fill `dests` with the anchors."""
    ops, rules = ["/Ink gs 0 0 0 rg"], list(page.rules)
    for placed in page.lines:
        x, baseline = placed.x, PAGE_H - placed.baseline
        for run in placed.line.runs:
            if run.anchor:
                dests[run.anchor] = (x, PAGE_H - placed.top)
            if run.text:
                drawn, x = _run_ops(run, x, baseline, used, rules)
                ops += drawn
    ops += [f"{x:.3f} {PAGE_H - top - height:.3f} {width:.3f} {height:.3f} re f" for x, top, width, height in rules]
    folio_font = font("folio")
    folio = Run("— 1 —", folio_font, FOLIO_PT, BASE_SPACING)   # gbt9704.css @bottom-right, padding-right one 字
    x = RIGHT_EDGE - FOLIO_PT - folio_font.width(folio.text, FOLIO_PT, BASE_SPACING)
    ops += _run_ops(folio, x, PAGE_H - (TEXT_BOTTOM + FOLIO_GAP + folio_font.ascent * FOLIO_PT), used, [])[0]
    return "\n".join(ops).encode()


def _subset(face: Font, glyphs: tuple[int, ...]) -> bytes:
    """Return the bare CFF program of the glyphs, CID = the face's glyph id (docgen.render.subsets), deflated
    (at pydyf's level, docgen.render.pdf.install_deflate); cached: a title's and a page number's glyphs repeat."""
    key = ("direct", face.path, glyphs)
    content = subsets.CACHE.get(key)
    if content is None:
        program = subsets.cff_subset(face.hb_face, glyphs)
        if program is None:
            raise Unsupported(f"{face.name}: not a CID-keyed CFF face")
        content = pydyf.zlib.compress(program)
        subsets.CACHE.put(key, content)
    return content


def _to_unicode(glyphs: dict[int, str]) -> bytes:
    """Return the ToUnicode CMap of the glyphs (text extraction and search)."""
    pairs = [f"<{gid:04x}> <{char.encode('utf-16-be').hex()}>" for gid, char in sorted(glyphs.items())]
    chunks = [f"{len(pairs[i:i + 100])} beginbfchar\n" + "\n".join(pairs[i:i + 100]) + "\nendbfchar"
              for i in range(0, len(pairs), 100)]
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
            "<< /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n"
            "/CMapType 2 def\n1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n" + "\n".join(chunks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend").encode()


def _widths(face: Font, gids: list[int]) -> pydyf.Array:
    """Return the /W array of the glyphs: runs of consecutive CIDs with their widths."""
    out = pydyf.Array()
    for gid in gids:
        if gid - 1 not in gids:
            out.extend([gid, pydyf.Array()])
        out[-1].append(face.widths[gid])
    return out


def _font_dictionary(pdf: pydyf.PDF, face: Font, glyphs: dict[int, str]) -> pydyf.Dictionary:
    """Add a Type 0 font embedding the subset of the glyphs (CID-keyed CFF, Identity-H, ToUnicode) to the PDF."""
    gids = sorted(glyphs)
    tag = "".join(chr(65 + b % 26) for b in hashlib.md5(repr((face.name, gids)).encode(),
                                                         usedforsecurity=False).digest()[:6])
    name = f"/{tag}+{face.name}"
    program = pydyf.Stream([_subset(face, tuple(gids))], {"Subtype": "/CIDFontType0C", "Filter": "/FlateDecode"})
    unicode = pydyf.Stream([_to_unicode(glyphs)], compress=True)
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
        "W": _widths(face, gids)})
    pdf.add_object(cid_font)
    return pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type0", "BaseFont": name, "Encoding": "/Identity-H",
                             "DescendantFonts": pydyf.Array([cid_font.reference]), "ToUnicode": unicode.reference})


def write(html: str, tries: Iterable[int] = (22,)) -> tuple[bytes, int]:
    """Return the one-page PDF of a letter's HTML and the lines a page it is set in (the first of `tries` that
    keeps it on one page), or raise Unsupported (WeasyPrint renders it then)."""
    page, info, lines = layout(html, tries)
    used, dests = Used(), dict[str, tuple[float, float]]()
    content = _page_ops(page, used, dests)
    pdf = pydyf.PDF()
    font_resources = pydyf.Dictionary()
    for name, face in used.fonts.items():
        dictionary = _font_dictionary(pdf, face, used.glyphs[name])
        pdf.add_object(dictionary)
        font_resources[name] = dictionary.reference
    stream = pydyf.Stream([content], compress=True)
    pdf.add_object(stream)
    box = pydyf.Array([0, 0, round(PAGE_W, 6), round(PAGE_H, 6)])
    states = pydyf.Dictionary({"Ink": pydyf.Dictionary({"ca": 1}), "Clear": pydyf.Dictionary({"ca": 0})})
    page_object = pydyf.Dictionary({
        "Type": "/Page", "Parent": pdf.pages.reference, "MediaBox": box, "TrimBox": box, "BleedBox": box,
        "Contents": stream.reference,
        "Resources": pydyf.Dictionary({"Font": font_resources, "ExtGState": states})})
    pdf.add_page(page_object)
    _catalog(pdf, page_object, info, dests)
    output = io.BytesIO()
    pdf.write(output, version=b"1.7", compress=True)
    return output.getvalue(), lines


def _catalog(pdf: pydyf.PDF, page: pydyf.Dictionary, info: dict[str, str], dests: dict[str, tuple[float, float]]
             ) -> None:
    """Add what WeasyPrint writes besides the page: metadata, language, the title's bookmark, the seal's anchors."""
    for key, value in (("Title", info["title"]), ("Keywords", info["keywords"]), ("Creator", info["creator"])):
        if value:
            pdf.info[key] = pydyf.String(value)
    pdf.info["Producer"] = pydyf.String("docgen")
    if info["lang"]:
        pdf.catalog["Lang"] = pydyf.String(info["lang"])
    if info["title"]:
        outlines = pydyf.Dictionary({"Count": 1})
        pdf.add_object(outlines)
        item = pydyf.Dictionary({"Title": pydyf.String(info["title"]), "Parent": outlines.reference, "Count": 0,
                                 "Dest": pydyf.Array([page.reference, "/XYZ", round(LEFT, 6),
                                                      round(PAGE_H - TOP, 6), 0])})
        pdf.add_object(item)
        outlines["First"] = outlines["Last"] = item.reference
        pdf.catalog["Outlines"] = outlines.reference
    if dests:
        names = pydyf.Array()
        for anchor in sorted(dests):
            x, y = dests[anchor]
            names.extend([pydyf.String(anchor), pydyf.Array([page.reference, "/XYZ", round(x, 6), round(y, 6), 0])])
        pdf.catalog["Names"] = pydyf.Dictionary({"Dests": pydyf.Dictionary({"Names": names})})
