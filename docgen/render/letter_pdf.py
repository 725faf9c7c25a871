"""The letters' one-page PDF written directly from the HTML of docgen's own lines, without WeasyPrint's layout."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

from docgen.render.direct_pdf import (BLANK_MARGIN_EMS, MM, Font, Info, Run, Sheet, Unsupported, Used, face_font,
                                      info_of, line_box, run_ops, runs, text_extents)
from docgen.render.direct_pdf import write as write_pdf

# GB/T 9704-2012 page and type as templates/_base/gbt9704.css sets them (the comparison test holds both equal)
PAGE_W, PAGE_H = 210 * MM, 297 * MM                   # §5.2.1 A4
LEFT, TOP, RIGHT_EDGE = 28 * MM, 37 * MM, 184 * MM    # §5.2.2 订口 28 mm, 天头 37 mm, 版心 156 mm wide
TEXT_HEIGHT_MM = 225                                  # §5.2.2 版心高
TEXT_BOTTOM = TOP + TEXT_HEIGHT_MM * MM
LEADER_GAP = 10.227 * MM                              # authenticity-guarantee/document.css .leader margin-top
BODY_PT, TITLE_PT, FOLIO_PT = 16.0, 22.0, 14.0        # 3号, 2号, 4号
TITLE_LINE = 12 * MM                                  # h1.title line-height
BASE_SPACING = -0.2                                   # html letter-spacing (pt)
INDENT_EMS = 2.0                                      # .body text-indent
BLANK_SPACING_EMS = -0.278                            # .blank letter-spacing (its margin and rule: direct_pdf)
BLANKLINE_RULE = 0.5                                  # .blankline border-bottom (pt)
FOLIO_GAP = 7 * MM                                    # §7.5 页码 下距版心 7 mm, 单页居右空一字
OVERFLOW_SLACK = 0.5                                  # pt: nearer the page's end than this, WeasyPrint decides
ANCHORS = ("docgen-seal", "docgen-seal-end")          # the 成文日期 marked for the seal (docgen.render.seal)
# each role's official face name and the style in the name WeasyPrint gives its font (fonts.conf asks 小标宋's
# fallback in its Bold style; 宋体 and 黑体 resolve to Fandol's Bold files too, named by their family alone)
FACES = {"body": ("仿宋_GB2312", ""), "title": ("方正小标宋简体", "Bold"), "label": ("黑体", ""), "folio": ("宋体", "")}
_SPACING = re.compile(r"^\s*letter-spacing:\s*(-?[\d.]+)pt;?\s*$")
_PADDING = re.compile(r"^\s*padding-right:\s*(-?[\d.]+)em;?\s*$")
_COLLAPSIBLE = re.compile(r"[ \t\n\r]")


def font(role: str) -> Font:
    """Return the font of a role (body, title, label, folio) as fontconfig resolves its face name."""
    return face_font(*FACES[role])


@dataclass
class Style:
    """What a span passes down: the font's role (FACES) and the letter spacing."""

    role: str
    spacing: float
    blank: bool = False


@dataclass
class Line:
    """The runs of one line, left to right, and the extents (ascent, descent) of its text boxes."""

    runs: list[Run] = field(default_factory=list)
    texts: list[tuple[float, float]] = field(default_factory=list)

    def add(self, text: str, style: Style, size: float = BODY_PT) -> None:
        """Append a text box (a text node of the HTML): its runs, a character the face lacks from fontconfig's next
        font (喆, Noto's), and its extents as WeasyPrint takes them (Pango's, where it mixes the two)."""
        face, weight = FACES[style.role]
        parts = runs(text, face, size, weight, style.spacing)
        for part in parts:
            part.blank = style.blank
        self.runs += parts
        self.texts.append(text_extents(text, [part.font for part in parts], face, size))

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
        return Style(style.role, float(spacing.group(1)) if spacing else style.spacing)
    if classes == {"label"}:
        return Style("label", style.spacing)
    if classes == {"blank"}:
        return Style(style.role, BLANK_SPACING_EMS * BODY_PT, blank=True)
    if classes <= {"lines", "keep"}:
        return style
    raise Unsupported(f"span class {classes}")


def _inline(element: Any, style: Style, lines: list[Line]) -> None:
    """Append an element's content to the lines: a <br> starts a line; spans set fonts and spacing."""
    text = _text(element.text)
    if text:
        lines[-1].add(text, style)
    for child in element:
        if child.tag == "br":
            lines.append(Line())
        elif child.tag == "span":
            anchor = child.get("id") or ""
            if anchor and anchor not in ANCHORS:
                raise Unsupported(f"id {anchor}")
            if anchor:
                lines[-1].runs.append(Run("", font(style.role), BODY_PT, style.spacing, anchor=anchor))
            _inline(child, _span_style(child, style), lines)
        else:
            raise Unsupported(f"<{child.tag}>")
        tail = _text(child.tail)
        if tail:
            lines[-1].add(tail, style)


@dataclass
class Placed:
    """A line placed on the page: left x of its first run, its strut's top (where an inline box starts: the seal's
    anchors) and its baseline (pt from the page's top)."""

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


def _place(page: Page, line: Line, x: float, role: str = "body") -> None:
    """Place a line at x in the next line box (the title's 12 mm, else the pitch), as high as that unless a text
    box mixing a fallback face stands higher than the strut of its block's font (喆: the line grows by as much,
    WeasyPrint's line_box_verticality)."""
    size, height = (TITLE_PT, TITLE_LINE) if role == "title" else (BODY_PT, page.pitch)
    above, below = line_box(line.texts, font(role), size, height)
    strut_above, _ = line_box([], font(role), size, height)
    page.lines.append(Placed(line, x, page.y + above - strut_above, page.y + above))
    page.y += above + below


def _title(page: Page, h1: Any) -> None:
    """Set the title centred in its 12 mm line, a blank line under it (h1.title)."""
    if h1.get("class") != "title" or len(h1) or not h1.text:
        raise Unsupported("h1")
    line = Line()
    line.add(_text(h1.text), Style("title", 0.0), TITLE_PT)
    x = LEFT + (RIGHT_EDGE - LEFT - line.width()) / 2
    if x < LEFT:
        raise Unsupported("a title longer than a line")
    _place(page, line, x, "title")
    page.y += page.pitch


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
    _inline(p, Style("body", BASE_SPACING), lines)
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
        _inline(p, Style("body", BASE_SPACING), lines)
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


def layout(html: str, tries: Iterable[int]) -> tuple[Page, Info, int]:
    """Lay a letter's HTML out on one page in the first of `tries` lines a page that keeps it there; return the
    page, the document's metadata (title, keywords, creator, lang) and the lines a page.

    Raises Unsupported for anything outside the letters' vocabulary, a letter none of them keeps on one page,
    or one that ends so near the page's end that WeasyPrint's own rounding decides (it sets those)."""
    root = lxml_html.document_fromstring(html)
    info = info_of(root, (LEFT, PAGE_H - TOP))
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


def _page_ops(page: Page, used: Used, dests: dict[str, tuple[float, float]]) -> bytes:
    """Return the page's content stream: the text, the rules, the page number; fill `dests` with the anchors."""
    ops = ["/Ink gs 0 0 0 rg"]
    rules = [(x, PAGE_H - top - height, width, height) for x, top, width, height in page.rules]
    for placed in page.lines:
        x, base = placed.x, PAGE_H - placed.baseline
        for run in placed.line.runs:
            if run.anchor:
                dests[run.anchor] = (x, PAGE_H - placed.top)
            if run.text:
                drawn, x = run_ops(run, x, base, used, rules)
                ops += drawn
    ops += [f"{x:.3f} {y:.3f} {width:.3f} {height:.3f} re f" for x, y, width, height in rules]
    return "\n".join(ops + folio_ops(used)).encode()


def folio_ops(used: Used, number: int = 1, spacing: float = BASE_SPACING) -> list[str]:
    """Return the operators drawing a page's number, “— 1 —”, in the letter spacing of the document's html (the
    page's margin boxes inherit it): an odd page's flush right less one 字, an even page's flush left plus one
    (gbt9704.css @bottom-right, @page :left @bottom-left; GB/T 9704 §7.5 单页居右, 双页居左)."""
    folio_font = font("folio")
    folio = Run(f"— {number} —", folio_font, FOLIO_PT, spacing)
    x = LEFT + FOLIO_PT if number % 2 == 0 else (
        RIGHT_EDGE - FOLIO_PT - folio_font.width(folio.text, FOLIO_PT, spacing))
    return run_ops(folio, x, PAGE_H - (TEXT_BOTTOM + FOLIO_GAP + folio_font.ascent * FOLIO_PT), used, [])[0]


def write(html: str, tries: Iterable[int] = (22,)) -> tuple[bytes, int]:
    """Return the one-page PDF of a letter's HTML and the lines a page it is set in (the first of `tries` that
    keeps it on one page), or raise Unsupported (WeasyPrint renders it then)."""
    page, info, lines = layout(html, tries)
    used, dests = Used(), dict[str, tuple[float, float]]()
    content = _page_ops(page, used, dests)
    return write_pdf([Sheet(content, PAGE_W, PAGE_H, dests)], used, info), lines
