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
ROUNDING = 0.001   # pt: as near, on a page of line boxes each its line height (22 of 10.227 mm end 0.017 pt short)
LINES_PER_PAGE = 22                                   # §5.2.3; a letter of more pages is never tightened
REVIEW_GAP = 10.227 * MM                              # work-summary/document.css .review margin-top
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
class Item:
    """One line box of the flow: its line (None: a ruled line to write on, .blankline), its left x, the space above
    it (a margin: the first item's is truncated at the top of every page after the first) and its strut's role."""

    line: Line | None
    x: float
    gap: float = 0.0
    role: str = "body"


@dataclass
class Block:
    """A block of the body as WeasyPrint breaks pages around and inside it: a paragraph (`split`) may break between
    its lines, two at least on each side (orphans and widows: 2, CSS's initial values); any other block moves whole
    (the title, a ruled line, the sign-off and the review: one line, or break-inside avoid). `keep_after`: no break
    after it (h1 in WeasyPrint's UA sheet, .keep-with-signoff); `after`: its margin-bottom (the title's line)."""

    items: list[Item]
    split: bool = False
    keep_after: bool = False
    after: float = 0.0


@dataclass
class Placed:
    """A line placed on the page: left x of its first run, its strut's top (where an inline box starts: the seal's
    anchors) and its baseline (pt from the page's top)."""

    line: Line
    x: float
    top: float
    baseline: float


At = tuple[int, int]   # a place in the flow: (block, item)


@dataclass
class Page:
    """What the page holds: placed lines, rules (x, top, width, height), the next line's top and the pitch; for each
    item placed, its place in the flow with the lines and rules before it (a break moved earlier takes it off
    again); `exact` while every line box on it is its line height (no text box taller than the strut: where its
    end falls is sure to float rounding)."""

    lines: list[Placed] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)
    y: float = TOP
    pitch: float = 0.0
    starts: list[tuple[At, int, int]] = field(default_factory=list)
    exact: bool = True


def _extent(item: Item, pitch: float) -> tuple[float, float, bool]:
    """Return how far an item's line box reaches above and below its baseline, and whether it is exactly its line
    height: the title's 12 mm, else the pitch, grown where a text box mixing a fallback face stands higher than the
    strut of its block's font (喆: WeasyPrint's line_box_verticality); exact where every text box is in the strut's
    own metrics (another face's, Pango's rounding may tip it), a ruled line its pitch."""
    if item.line is None:
        return 0.0, pitch, True
    strut, (size, height) = font(item.role), (TITLE_PT, TITLE_LINE) if item.role == "title" else (BODY_PT, pitch)
    above, below = line_box(item.line.texts, strut, size, height)
    own = (strut.ascent * size, strut.descent * size)
    return above, below, all(text == own for text in item.line.texts)


def _place(page: Page, item: Item, gap: float, at: At) -> None:
    """Place an item `gap` below the last: a line at its x, its baseline where its line box puts it; a ruled line's
    rule at the bottom of its box (.blankline: border-box, a 0.5 pt border)."""
    page.starts.append((at, len(page.lines), len(page.rules)))
    page.y += gap
    above, below, exact = _extent(item, page.pitch)
    page.exact = page.exact and exact
    if item.line is None:
        page.rules.append((LEFT, page.y + page.pitch - BLANKLINE_RULE, RIGHT_EDGE - LEFT, BLANKLINE_RULE))
    else:
        size, height = (TITLE_PT, TITLE_LINE) if item.role == "title" else (BODY_PT, page.pitch)
        strut_above, _ = line_box([], font(item.role), size, height)
        page.lines.append(Placed(item.line, item.x, page.y + above - strut_above, page.y + above))
    page.y += above + below


def _title(h1: Any, pitch: float) -> Block:
    """Return the title centred in its 12 mm line, a blank line under it (h1.title)."""
    if h1.get("class") != "title" or len(h1) or not h1.text:
        raise Unsupported("h1")
    line = Line()
    line.add(_text(h1.text), Style("title", 0.0), TITLE_PT)
    x = LEFT + (RIGHT_EDGE - LEFT - line.width()) / 2
    if x < LEFT:
        raise Unsupported("a title longer than a line")
    return Block([Item(line, x, role="title")], keep_after=True, after=pitch)


def _paragraph(p: Any, pitch: float) -> Block:
    """Return a paragraph: docgen's lines (span.lines) each as it is, any other text on one line; a blank line
    ruled."""
    classes = set((p.get("class") or "").split())
    if not classes <= {"body", "keep-with-signoff", "leader", "blankline"} or p.get("style"):
        raise Unsupported(f"p class {classes}")
    gap = LEADER_GAP if "leader" in classes else 0.0   # authenticity-guarantee/document.css: a line of room above
    if "blankline" in classes:
        if p.text_content().strip("\u3000 ") or len(p):
            raise Unsupported("text on a blank line")
        return Block([Item(None, LEFT, gap)])
    lines = [Line()]
    _inline(p, Style("body", BASE_SPACING), lines)
    indent = INDENT_EMS * BODY_PT if "body" in classes else 0
    if not any("lines" in (s.get("class") or "").split() for s in p.iter("span")):
        # text WeasyPrint wraps itself: set here only when it takes one line (an addressee, a label)
        if len(lines) > 1 or LEFT + indent + lines[0].width() > RIGHT_EDGE:
            raise Unsupported("a paragraph WeasyPrint would wrap")
    if not all(any(run.text for run in line.runs) for line in lines):   # CSS 2 §9.4.2: an empty line box has
        raise Unsupported("an empty line")                              # no height (WeasyPrint's to decide)
    items = [Item(line, LEFT + (indent if i == 0 else 0)) for i, line in enumerate(lines)]   # docgen's lines are
    items[0].gap = gap                                                                         # never broken again
    return Block(items, split=True, keep_after="keep-with-signoff" in classes)


def _signoff_items(div: Any, pitch: float) -> list[Item]:
    """Return the sign-off lines flush right less their padding (signoff() in docgen.render.jinja; 2em, .signoff p,
    without one), a line below the text."""
    if div.get("class") != "signoff" or (div.text or "").strip():
        raise Unsupported("div")
    items = []
    for p in div:
        padding = _PADDING.match(p.get("style") or "padding-right: 2em")
        if p.tag != "p" or not padding or p.get("class") or (p.tail or "").strip():
            raise Unsupported("a sign-off line")
        lines = [Line()]
        _inline(p, Style("body", BASE_SPACING), lines)
        if len(lines) != 1:
            raise Unsupported("a sign-off line broken")
        right = RIGHT_EDGE - float(padding.group(1)) * BODY_PT
        items.append(Item(lines[0], right - lines[0].width()))
    if not items:
        raise Unsupported("an empty sign-off")
    items[0].gap = pitch
    return items


def _signoff(div: Any, pitch: float) -> Block:
    """Return the sign-off (.signoff: break-inside avoid)."""
    return Block(_signoff_items(div, pitch))


def _review(div: Any, pitch: float) -> Block:
    """Return the 组织人事部门's review (work-summary/document.css .review: a 10.227 mm margin, break-inside
    avoid): its opinion on one line, then its own sign-off."""
    if div.get("class") != "review" or (div.text or "").strip() or [child.tag for child in div] != ["p", "div"]:
        raise Unsupported("a review")
    opinion, signoff = div
    if opinion.get("class") or (opinion.tail or "").strip():
        raise Unsupported("a review's opinion")
    items = _paragraph(opinion, pitch).items
    if len(items) != 1:
        raise Unsupported("a review's opinion broken")
    items[0].gap = REVIEW_GAP
    return Block(items + _signoff_items(signoff, pitch))


def _division(div: Any, pitch: float) -> Block:
    """Return a sign-off or a review."""
    return (_review if div.get("class") == "review" else _signoff)(div, pitch)


def _blocks(body: Any, lines: int) -> tuple[list[Block], float]:
    """Return the body's blocks set in `lines` lines a page (the pitch docgen.render.pdf gives WeasyPrint), each
    first item's gap its margin collapsed with the block's before, and the pitch."""
    pitch = round(TEXT_HEIGHT_MM / lines, 3) * MM   # 22: gbt9704.css's 10.227 mm
    setters = {"h1": _title, "p": _paragraph, "div": _division}
    blocks: list[Block] = []
    for element in body:
        if element.tag not in setters or (element.tail or "").strip() or element.get("id") or (
                element.tag != "p" and element.get("style")):   # an id: a named destination of WeasyPrint's
            raise Unsupported(f"<{element.tag}>")
        block = setters[element.tag](element, pitch)
        if blocks:   # CSS 2 §8.3.1: adjoining positive margins collapse to the largest
            block.items[0].gap = max(block.items[0].gap, blocks[-1].after)
        blocks.append(block)
    return blocks, pitch


def _one_page(blocks: list[Block], pitch: float) -> Page:
    """Set the blocks one under the other on one page, however far down they reach."""
    page = Page(pitch=pitch)
    for b, block in enumerate(blocks):
        for i, item in enumerate(block.items):
            _place(page, item, item.gap, (b, i))
    return page


def _overflows(page: Page, item: Item, gap: float) -> bool:
    """Tell whether an item placed next would end past the page's end (WeasyPrint's overflows_page); raise
    Unsupported where the end is too near to tell: within float rounding while every line box on the page is its
    line height, within OVERFLOW_SLACK once one grew with a fallback face's extents (Pango's, rounded)."""
    above, below, exact = _extent(item, page.pitch)
    bottom = page.y + gap + above + below
    if abs(bottom - TEXT_BOTTOM) < (ROUNDING if page.exact and exact else OVERFLOW_SLACK):
        raise Unsupported("a line at the page's end")
    return bottom > TEXT_BOTTOM


def _earlier(page: Page, blocks: list[Block], b: int) -> At:
    """Return where the page breaks instead of before block b, which may not start the next page (the sign-off after
    .keep-with-signoff): WeasyPrint's find_earlier_page_break, from the last block on the page back: between two
    blocks not kept together, else before a paragraph's last two lines if two stay (orphans, widows); where there is
    no such place, before block b all the same (the body, html's first child, always starts its page: WeasyPrint's
    _in_flow_layout then ignores the avoid)."""
    first = page.starts[0][0][0]
    for c in range(b - 1, first - 1, -1):
        if c < b - 1 and not blocks[c].keep_after:
            return c + 1, 0
        on_page = [at[1] for at, _, _ in page.starts if at[0] == c]
        if blocks[c].split and len(on_page) >= 4:
            return c, on_page[-2]
    return b, 0


def _break_before(page: Page, blocks: list[Block], b: int) -> At:
    """Return where the page breaks when block b does not fit under what it holds."""
    if not any(at[0] < b for at, _, _ in page.starts):   # WeasyPrint sets what starts a page however far it reaches
        raise Unsupported("a block taller than a page")
    return _earlier(page, blocks, b) if blocks[b - 1].keep_after else (b, 0)


def _fill_paragraph(page: Page, blocks: list[Block], b: int, i: int, first: bool) -> At | None:
    """Place a paragraph's lines from its item i on; return where the page breaks if they do not all fit: before
    the line that overflows, a line earlier where only it would go on (widows 2), or before the whole paragraph
    where fewer than two lines would stay (orphans 2)."""
    items, empty = blocks[b].items, not page.starts
    for k, item in enumerate(items[i:]):
        gap = 0.0 if k == 0 and empty and not first else item.gap   # truncated at an unforced break
        if (k or not empty) and _overflows(page, item, gap):
            stay = k - 1 if len(items) - i - k == 1 else k
            if stay >= 2:
                return b, i + stay
            return _break_before(page, blocks, b)
        _place(page, item, gap, (b, i + k))
    return None


def _fill_block(page: Page, blocks: list[Block], b: int, first: bool) -> At | None:
    """Place a block that moves whole; return where the page breaks if it does not fit."""
    trial = Page(y=page.y, pitch=page.pitch, exact=page.exact)
    for k, item in enumerate(blocks[b].items):
        gap = 0.0 if k == 0 and not page.starts and not first else item.gap
        if _overflows(trial, item, gap):
            return _break_before(page, blocks, b)
        _place(trial, item, gap, (b, k))
    for at, lines, rules in trial.starts:
        page.starts.append((at, len(page.lines) + lines, len(page.rules) + rules))
    page.lines += trial.lines
    page.rules += trial.rules
    page.y, page.exact = trial.y, trial.exact
    return None


def _truncate(page: Page, at: At) -> None:
    """Take off the page what was placed from `at` on (a break moved earlier)."""
    for n, (placed_at, lines, rules) in enumerate(page.starts):
        if placed_at >= at:
            del page.lines[lines:], page.rules[rules:], page.starts[n:]
            return


def _fill(page: Page, blocks: list[Block], at: At, first: bool) -> At | None:
    """Fill a page from a place in the flow; return where the next page starts (None: the flow ended)."""
    b, i = at
    while b < len(blocks):
        stop = (_fill_paragraph(page, blocks, b, i, first) if blocks[b].split
                else _fill_block(page, blocks, b, first))
        if stop is not None:
            _truncate(page, stop)
            if stop <= at:
                raise Unsupported("nothing fits on a page")
            return stop
        b, i = b + 1, 0
    return None


def _paginate(blocks: list[Block], pitch: float) -> list[Page]:
    """Set the blocks on as many pages as WeasyPrint breaks them onto."""
    pages: list[Page] = []
    at: At | None = (0, 0)
    while at is not None:
        pages.append(Page(pitch=pitch))
        at = _fill(pages[-1], blocks, at, first=len(pages) == 1)
    return pages


def layout(html: str, tries: Iterable[int]) -> tuple[list[Page], Info, int]:
    """Lay a letter's HTML out on one page in the first of `tries` lines a page that keeps it there, else, where the
    first try is LINES_PER_PAGE (WeasyPrint's first layout, kept when nothing tighter fits one page), on as many
    pages as WeasyPrint breaks it onto at 22 lines; return the pages, the document's metadata (title, keywords,
    creator, lang) and the lines a page.

    Raises Unsupported for anything outside the letters' vocabulary, a letter none of them keeps on one page (with
    another first try), or one that ends a page so near its end that WeasyPrint's own rounding decides (it sets
    those)."""
    root = lxml_html.document_fromstring(html)
    info = info_of(root, (LEFT, PAGE_H - TOP))
    body = root.find("body")
    if body is None or (body.text or "").strip():
        raise Unsupported("no body")
    loose: tuple[list[Block], float] | None = None
    for n, lines in enumerate(tries):
        blocks, pitch = _blocks(body, lines)
        page = _one_page(blocks, pitch)
        if abs(page.y - TEXT_BOTTOM) < OVERFLOW_SLACK:
            raise Unsupported("ends at the page's end")
        if page.y < TEXT_BOTTOM:
            return [page], info, lines
        if n == 0 and lines == LINES_PER_PAGE:   # WeasyPrint's first layout, kept if no tighter one fits a page
            loose = blocks, pitch
    if loose is None:
        raise Unsupported("more than one page")
    return _paginate(*loose), info, LINES_PER_PAGE


def _page_ops(page: Page, used: Used, dests: dict[str, tuple[float, float]], number: int = 1) -> bytes:
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
    return "\n".join(ops + folio_ops(used, number)).encode()


def folio_ops(used: Used, number: int = 1, spacing: float = BASE_SPACING) -> list[str]:
    """Return the operators drawing a page's number, “— 1 —”, in the letter spacing of the document's html (the
    page's margin boxes inherit it): an odd page's flush right less one 字, an even page's flush left plus one
    (gbt9704.css @bottom-right, @page :left @bottom-left; GB/T 9704 §7.5 单页居右, 双页居左)."""
    folio_font = font("folio")
    folio = Run(f"— {number} —", folio_font, FOLIO_PT, spacing)
    x = LEFT + FOLIO_PT if number % 2 == 0 else (
        RIGHT_EDGE - FOLIO_PT - folio_font.width(folio.text, FOLIO_PT, spacing))
    return run_ops(folio, x, PAGE_H - (TEXT_BOTTOM + FOLIO_GAP + folio_font.ascent * FOLIO_PT), used, [])[0]


def write(html: str, tries: Iterable[int] = (LINES_PER_PAGE,)) -> tuple[bytes, int, int]:
    """Return the PDF of a letter's HTML, the lines a page it is set in (the first of `tries` that keeps it on one
    page, else 22 on more) and its pages, or raise Unsupported (WeasyPrint renders it then)."""
    pages, info, lines = layout(html, tries)
    used, sheets = Used(), []
    for number, page in enumerate(pages, 1):
        dests = dict[str, tuple[float, float]]()
        content = _page_ops(page, used, dests, number)
        sheets.append(Sheet(content, PAGE_W, PAGE_H, dests))
    return write_pdf(sheets, used, info), lines, len(pages)
