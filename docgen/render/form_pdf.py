"""A one-page document of a title, lines, one ruled table and notes (the 免学表, the 目录) written directly from its HTML.

Its shape comes from its table's class (SHAPES): the 免学表's form is a title, one table on a grid of equal columns
(colspans, rows of a fixed least height, cells aligned and padded as templates/ce-exemption/document.css says) and
notes under it; the 目录's list a title, the applicant's header lines (ruled blanks on the blank cover), a table of
the layout's column widths with a head row and the note (templates/material-list/document.css). Text is broken into
lines as Pango breaks Chinese text (UAX #14 for the characters allowed here) with the fonts' own advances, and
justified lines are spread between their characters as docgen.render.justify has WeasyPrint spread them. The sizes
come from the kind's layout (the CSS custom properties its stylesheet reads); anything else — another element, class
or style, a character outside the classes below, a line Pango's rounding could break either way, a cell overflowing
its fixed height, a second page — raises Unsupported and WeasyPrint renders the document (issue 26: 15–30× the
direct writer's time).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from lxml import html as lxml_html

from docgen.render import justify
from docgen.render.direct_pdf import (BLANK_MARGIN_EMS, MM, PANGO_UNITS, PX, Bitmap, Font, Run, Sheet, Unsupported,
                                      Used, face_font, info_of, line_box, run_ops, runs, text_extents)
from docgen.render.direct_pdf import write as write_pdf
from docgen.render.letter_pdf import (BLANK_SPACING_EMS, FACES, LEFT, OVERFLOW_SLACK, PAGE_H, PAGE_W, RIGHT_EDGE,
                                      TEXT_BOTTOM, TITLE_LINE, TITLE_PT, TOP, folio_ops)
from docgen.render.lines import HAN

TITLE_FACE = ("方正小标宋简体", "Bold")   # gbt9704.css h1.title (fonts.conf: the free fallback's Bold style)
RULE = 0.75                      # document.css th, td: border 0.75pt, collapsed (half on each side of the line)
INDENT_EMS = 2.0                 # document.css td.text p text-indent, p.seal padding-right, .notes p padding-left
NEAR = 0.02                      # pt: a line this near its measure is for Pango's rounding to break (refused)
# what a line may not break before / after (UAX #14 LB13, LB19, LB21: CL, EX, NS, IS, QU, BA; LB14, LB19: OP, QU)
NO_BREAK_BEFORE = frozenset("，。、；：？！）》」』】〕〉.“”‘’\u3000")
NO_BREAK_AFTER = frozenset("（《「『【〔〈“”‘’")
# AL, NU (“·” and a blind copy's mask “■” are AI, Pango's AL; a blank's “_” AL): no break inside a word (LB23, LB25,
# LB28)
WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789·_■")
# set only on a line of their own paragraph, where no break is asked of them: “/” (SY) and “–” (BA), as in 原件/复印件 and
# a 目录's page range 3–6
ONE_LINE = frozenset("/–")
UNSETTABLE = re.compile(rf"[^{HAN}\u3000 —■A-Za-z0-9·.{''.join(NO_BREAK_BEFORE | NO_BREAK_AFTER | ONE_LINE)}]")
SPACES = re.compile(r"^ | $|  ")   # collapsible: a space at a block's ends or beside another (CSS Text 3 §4.1.1)
_DECLARATION = re.compile(r"^\s*(height|font-size|line-height):\s*([\d.]+(?:mm|pt))\s*$")


def length(value: str) -> float:
    """Return a length of the layout or a style (“6mm”, “12pt”) in pt."""
    found = re.fullmatch(r"\s*(-?[\d.]+)(mm|pt)\s*", value)
    if not found:
        raise Unsupported(f"length {value!r}")
    return float(found.group(1)) * (MM if found.group(2) == "mm" else 1.0)


@dataclass(frozen=True)
class Layout:
    """The numbers the kind gives its stylesheet (Kind.layout, docgen.kinds.ce_exemption.LAYOUT), in pt."""

    title_gap: float
    width: float
    grid: float
    face: str
    size: float
    line: float
    padding: float
    row: float
    review: float
    note_size: float
    note_line: float
    note_gap: float

    @classmethod
    def of(cls, layout: Mapping[str, str]) -> Layout:
        """Read the layout's custom properties (title-gap “4mm”, grid “6mm”, cell-face “"仿宋_GB2312"”, …)."""
        names = ("title-gap", "table-width", "grid", "cell-face", "cell-font-size", "cell-line", "cell-padding",
                 "row-height", "review-height", "note-font-size", "note-line", "note-gap")
        try:
            values = [layout[name] for name in names]
        except KeyError as exc:
            raise Unsupported(f"layout {exc}") from None
        title_gap, width, grid, size, line, padding, row, review, note_size, note_line, note_gap = (
            length(v) for v in values[:3] + values[4:])
        return cls(title_gap, width, grid, values[3].strip('"'), size, line, padding, row, review, note_size,
                   note_line, note_gap)


@dataclass(frozen=True)
class Para:
    """A paragraph to set: its text (the indices of characters in a .keep span, and in a .blank: underscores drawn as
    a rule), face, type and alignment; the first line's indent and the paragraph's side paddings (pt)."""

    text: str
    kept: frozenset[int]
    blanks: frozenset[int]
    face: str
    size: float
    line: float
    align: str = "left"
    indent: float = 0.0
    pad_left: float = 0.0
    pad_right: float = 0.0


# a character, its font, whether it is kept with its neighbours, its advance, whether it is a blank's
Glyph = tuple[str, Font, bool, float, bool]


@dataclass
class Line:
    """A line as set: its characters and fonts, x from its box's left, the spacing after each character, its type
    and line height, and its box's extents above and below the baseline (pt)."""

    chars: list[tuple[str, Font, bool]]   # a character, its font, whether it is a blank's
    x: float
    spacing: float
    size: float
    above: float
    below: float

    @classmethod
    def of(cls, chars: list[tuple[str, Font, bool]], x: float, spacing: float, face: str, size: float, line: float
           ) -> Line:
        """Return a line whose box holds the strut of its face's font and its text, each with half the leading of
        the line height above and below (CSS 2 §10.8.1; WeasyPrint reads a text's extents off Pango)."""
        text = text_extents("".join(char for char, _, _ in chars), [font for _, font, _ in chars], face, size)
        return cls(chars, x, spacing, size, *line_box([text], face_font(face), size, line))

    @property
    def height(self) -> float:
        """Return the height of the line box."""
        return self.above + self.below

    @cached_property
    def runs(self) -> list[Run]:
        """Return the line's characters as runs of one font each (a line is set once, drawn in every document
        that has it)."""
        out: list[Run] = []
        for char, font, blank in self.chars:
            if out and out[-1].font is font and out[-1].blank == blank:
                out[-1].text += char
            else:
                out.append(Run(char, font, self.size, BLANK_SPACING_EMS * self.size if blank else self.spacing,
                               blank))
        return out


def _advance(char: str, font: Font, size: float) -> float:
    """Return a character's advance in a font at a size (pt)."""
    return font.widths[font.gid(char)] * size / 1000


def _glyphs(para: Para) -> list[Glyph]:
    """Return the paragraph's characters with their fonts (the face's, or fontconfig's fallback) and advances."""
    out: list[Glyph] = []
    for run in runs(para.text, para.face, para.size):
        out += [(char, run.font, len(out) + i in para.kept, _advance(char, run.font, para.size), len(out) + i in
                 para.blanks) for i, char in enumerate(run.text)]
    for i, (char, font, kept, advance, blank) in enumerate(out):   # gbt9704.css .blank: its spacing, a margin after
        if blank:
            ends = i + 1 == len(out) or not out[i + 1][4]
            out[i] = (char, font, kept, advance + (BLANK_SPACING_EMS + BLANK_MARGIN_EMS * ends) * para.size, blank)
    return out


def _breaks_before(before: Glyph, glyph: Glyph) -> bool:
    """Tell whether a line may break between two characters (UAX #14 as Pango applies it to these classes)."""
    if glyph[2] and before[2] or glyph[0] in NO_BREAK_BEFORE or before[0] in NO_BREAK_AFTER or glyph[0] == " ":
        return False   # LB7: no break before a space (LB18: one after it)
    if glyph[0] == before[0] == "—":
        return False   # LB17: B2 × B2 (“——”); a single “—” breaks before and after
    return not (glyph[0] in WORD and (before[0] in WORD or before[0] == "."))   # LB29: IS × AL


def _atoms(glyphs: list[Glyph]) -> Iterator[list[Glyph]]:
    """Yield the pieces between a paragraph's break opportunities."""
    start = 0
    for i in range(1, len(glyphs)):
        if _breaks_before(glyphs[i - 1], glyphs[i]):
            yield glyphs[start:i]
            start = i
    if glyphs:
        yield glyphs[start:]


def _broken(glyphs: list[Glyph], width: float, indent: float) -> list[list[Glyph]]:
    """Break a paragraph into lines of at most `width` less the first line's indent, greedily at its break
    opportunities (Pango's); raise Unsupported where its rounding could decide or a piece is wider than a line."""
    lines: list[list[Glyph]] = []
    line: list[Glyph] = []
    used, units, room = 0.0, 0, width - indent      # the line's width so far, in pt and in Pango units
    for atom in _atoms(glyphs):
        inked = _trimmed(atom)                          # a space at a line's end hangs
        ink = sum(glyph[3] for glyph in inked)
        over = units + _units(inked) - int(room / PX * PANGO_UNITS)
        if abs(over) <= 1:
            raise Unsupported(f"a line at its measure ({used + ink:.3f} of {room:.3f} pt)")
        if over > 0 and line:
            lines.append(_trimmed(line))
            line, used, units, room = [], 0.0, 0, width
        if ink > room:
            raise Unsupported("a word wider than its line")   # overflow-wrap: anywhere breaks it
        line += atom
        used += sum(glyph[3] for glyph in atom)
        units += _units(atom)
    if len(lines) and any(glyph[2] for line in lines for glyph in line):
        raise Unsupported("a kept span in a paragraph that wraps")   # where Pango breaks around it: not set here
    if len(lines) and any(glyph[0] in ONE_LINE for glyph in glyphs):
        raise Unsupported("“/” or “–” in a paragraph that wraps")
    return [*lines, line] if line else lines


def _units(glyphs: list[Glyph]) -> int:
    """Return the width of glyphs in Pango units as Pango adds them (each advance rounded to a unit)."""
    return sum(round(glyph[3] / PX * PANGO_UNITS) for glyph in glyphs)


def _trimmed(glyphs: list[Glyph]) -> list[Glyph]:
    """Return a line without the spaces it ends in (WeasyPrint removes them: they neither count nor show)."""
    end = len(glyphs)
    while end and glyphs[end - 1][0] == " ":
        end -= 1
    return glyphs[:end]


def _drawn_spacing(spacing: float, size: float) -> float:
    """Return the letter spacing (pt) WeasyPrint draws for what docgen.render.justify asks Pango for between the
    characters of a line: Pango's whole units of a px, half of it before each glyph (its x offset), which WeasyPrint
    writes as thousandths of an em off by 1024/1000 and takes back, truncated, after the glyph (draw/text.py)."""
    units = int(spacing / PX * PANGO_UNITS)           # pango_attr_letter_spacing_new
    left = units // 2                                 # Pango's distribute_letter_spacing
    if units % PANGO_UNITS == 0:
        left = (left + PANGO_UNITS // 2) & ~(PANGO_UNITS - 1)
    font_px = size / PX
    offset, widened = left / font_px, units * 1000 / PANGO_UNITS / font_px
    return (offset - int(offset - widened)) * size / 1000


@lru_cache(maxsize=1024)
def _set(para: Para, width: float) -> tuple[Line, ...]:
    """Set a paragraph in a box `width` wide: its lines aligned, a justified one spread between its characters as
    docgen.render.justify does (not its last line, nor one that would open gaps); kept: labels, notes and titles
    repeat from document to document."""
    width -= para.pad_left + para.pad_right
    broken = _broken(_glyphs(para), width, para.indent)
    out = []
    for i, glyphs in enumerate(broken):
        room = width - (para.indent if i == 0 else 0.0)
        used = sum(glyph[3] for glyph in glyphs)
        offset = {"center": (room - used) / 2, "right": room - used}.get(para.align, 0.0)
        spacing = 0.0
        extra = room - used
        last = i == len(broken) - 1 and para.align != "justify-all"   # text-align-last: justify spreads it too
        if para.align.startswith("justify") and not last and len(glyphs) > 1 and 0 < extra and (
                extra / len(glyphs) <= justify.MAX_SPACING_EM * para.size):
            spacing = _drawn_spacing(extra / len(glyphs), para.size)
        out.append(Line.of([(c, f, blank) for c, f, _, _, blank in glyphs], para.pad_left + width - room + offset,
                           spacing, para.face, para.size, para.line))
    return tuple(out)


def _text(text: str | None) -> str:
    """Return a text node's characters, or raise Unsupported for what this writer does not set."""
    found = UNSETTABLE.search(text or "") or SPACES.search(text or "")
    if found:
        raise Unsupported(f"character {found.group()!r}")
    return text or ""


def _attributes(element: Any, allowed: Mapping[str, str | None]) -> None:
    """Refuse an element with an attribute other than those allowed (name → its one value, or None: any)."""
    for name, value in element.attrib.items():
        if name not in allowed or allowed[name] not in (None, value):
            raise Unsupported(f"<{element.tag} {name}={value!r}>")


def _inline(element: Any, kept: bool = False) -> tuple[str, frozenset[int], frozenset[int]]:
    """Return an element's text, the indices of its characters in .keep spans and those of the underscores of .blank
    spans (docgen.render.jinja's ruled: a place to write by hand), its only child elements."""
    text, kept_at, blanks = _text(element.text), set(range(len(element.text or ""))) if kept else set(), set[int]()
    for span in element:
        if span.tag != "span":
            raise Unsupported(f"<{span.tag}>")
        _attributes(span, {"class": None})
        if span.get("class") == "blank" and not kept and not len(span) and re.fullmatch("_+", span.text or ""):
            blanks.update(range(len(text), len(text) + len(span.text)))
            text += span.text
        elif span.get("class") == "keep":
            inner, _, _ = _inline(span, kept=True)
            kept_at.update(range(len(text), len(text) + len(inner)))
            text += inner
        else:
            raise Unsupported(f"<span class={span.get('class')}>")
        if kept:
            kept_at.update(range(len(text), len(text) + len(span.tail or "")))
        text += _text(span.tail)
    return text, frozenset(kept_at), frozenset(blanks)


@dataclass
class Cell:
    """A cell of the form: its grid columns, paragraphs, vertical alignment, paddings and least height (pt)."""

    start: int
    span: int
    paras: list[Para]
    valign: str = "middle"
    pad_top: float = 0.0
    pad_bottom: float = 0.0
    height: float = 0.0
    fixed: bool = False       # a height of its own: its text may not make the row taller
    lines: list[Line] = field(default_factory=list)

    def content(self) -> float:
        """Return the height of the cell's lines."""
        return sum(line.height for line in self.lines)


def _count(value: str) -> int:
    """Return a colspan or a col's span as a number, or raise Unsupported."""
    if not value.isdigit() or not 0 < int(value) <= 1000:   # HTML's limit for a colspan
        raise Unsupported(f"span {value!r}")
    return int(value)


def _style(td: Any) -> dict[str, float]:
    """Return the declarations of a cell's style attribute (height, font-size, line-height), in pt."""
    out = {}
    for declaration in filter(str.strip, (td.get("style") or "").split(";")):
        found = _DECLARATION.match(declaration)
        if not found:
            raise Unsupported(f"style {declaration!r}")
        out[found.group(1)] = length(found.group(2))
    return out


def _text_cell(cell: Cell, td: Any, lay: Layout, row: str) -> None:
    """Read a td.text: its paragraphs, justified and indented two characters, the seal's lines flush right less two
    (document.css); the reason's type and height from its style, the review's height from the layout."""
    style = _style(td)
    size, line = style.get("font-size", lay.size), style.get("line-height", lay.line)
    if (td.text or "").strip() or (row == "review") == bool(style):
        raise Unsupported("a text cell")
    cell.fixed, cell.height = True, style.get("height", lay.review)
    for p in td:
        _attributes(p, {"class": "seal"})
        if p.tag != "p" or (p.tail or "").strip():
            raise Unsupported(f"<{p.tag}> in a text cell")
        indent = INDENT_EMS * size
        seal = bool(p.get("class"))
        cell.paras.append(Para(*_inline(p), lay.face, size, line, "right" if seal else "justify",
                               indent=0.0 if seal else indent, pad_right=indent if seal else 0.0))


def _cell(element: Any, start: int, lay: Layout, row: str) -> Cell:
    """Read a th or td of a row (tr class "", "reason" or "review") as document.css styles it."""
    _attributes(element, {"colspan": None, "class": None, "style": None})
    classes = element.get("class")
    cell = Cell(start, _count(element.get("colspan", "1")), [], height=lay.row)
    if element.tag == "td" and classes == "text" and row:
        _text_cell(cell, element, lay, row)
    elif element.get("style") or classes not in (None, "left") or (element.tag == "th" and classes):
        raise Unsupported(f"<{element.tag} class={classes}>")
    else:
        cell.paras.append(Para(*_inline(element), lay.face, lay.size, lay.line,
                               "left" if classes else "center"))
    if row and element.tag == "th" or row == "reason":   # labels and the reason at the top, below a padding
        cell.valign, cell.pad_top = "top", lay.padding
    elif row == "review":                                   # the review's seal lines at the bottom
        cell.valign, cell.pad_bottom = "bottom", lay.padding
    return cell


CellReader = Callable[[Any, int, str], Cell]   # a th or td, its first column, its row's class → the cell


def _row(tr: Any, read: CellReader, edges: tuple[float, ...], padding: float) -> list[Cell]:
    """Read a row's cells (tr class "", "reason" or "review") and set their lines in their columns' widths less the
    rules and the side paddings."""
    _attributes(tr, {"class": None})
    row = tr.get("class") or ""
    if row not in ("", "reason", "review") or (tr.text or "").strip():
        raise Unsupported(f"<tr class={row}>")
    cells, start = [], 0
    for element in tr:
        if element.tag not in ("th", "td") or (element.tail or "").strip():
            raise Unsupported(f"<{element.tag}> in a row")
        cell = read(element, start, row)
        if start + cell.span >= len(edges):
            raise Unsupported("a row wider than the table")
        width = edges[start + cell.span] - edges[start] - RULE - 2 * padding
        cell.lines = [line for para in cell.paras for line in _set(para, width)]
        if cell.fixed and cell.content() > cell.height:
            raise Unsupported("a cell's text overflows its height")
        cells.append(cell)
        start += cell.span
    if start != len(edges) - 1:
        raise Unsupported("a row not spanning the grid")
    return cells


@dataclass
class Page:
    """The page being set: its operators (text and rules), the next block's top (pt from the page's top) and the
    images its operators draw by name."""

    used: Used
    y: float = TOP
    ops: list[str] = field(default_factory=lambda: ["/Ink gs 0 0 0 rg"])
    images: dict[str, Bitmap] = field(default_factory=dict)

    def line(self, line: Line, left: float, top: float) -> None:
        """Draw a line whose box's left and top are given."""
        x, base = left + line.x, PAGE_H - top - line.above
        for run in line.runs:
            rules: list[tuple[float, float, float, float]] = []   # a blank's (x, y, width, height)
            drawn, x = run_ops(run, x, base, self.used, rules)
            self.ops += drawn + [_blank_rule(run, *rule) for rule in rules]


def _blank_rule(run: Run, x: float, y: float, width: float, height: float) -> str:
    """Return the operators drawing a blank's rule as WeasyPrint draws an inline's bottom border: the ring between
    its border and padding boxes, clipped to the border (the same ink; a plain rectangle rasterises a row apart)."""
    box = run.size * (run.font.ascent + run.font.descent)
    return (f"q {x:.3f} {y:.3f} {width:.3f} {height:.3f} re W* n {x:.3f} {y:.3f} {width:.3f} {box + height:.3f} re "
            f"{x:.3f} {y + height:.3f} {width:.3f} {box:.3f} re f* Q")


def _title(page: Page, h1: Any, gap: float, pre_line: bool = False) -> None:
    """Set the title's lines centred (white-space: pre-line breaks them where the profile's \\n says), `gap` under
    them."""
    _attributes(h1, {"class": "title"})
    if len(h1) or not h1.text or re.search(r"[ \t\r]|^\n|\n$|\n\n", h1.text) or (
            "\n" in h1.text and not pre_line):   # pre-line: no empty line
        raise Unsupported("h1")
    for text in h1.text.split("\n"):
        chars = [(char, run.font, False) for run in runs(_text(text), *TITLE_FACE[:1], TITLE_PT, TITLE_FACE[1])
                 for char in run.text]
        used = sum(_advance(char, font, TITLE_PT) for char, font, _ in chars)
        if used > RIGHT_EDGE - LEFT - NEAR:
            raise Unsupported("a title line WeasyPrint would wrap")
        line = Line.of(chars, (RIGHT_EDGE - LEFT - used) / 2, 0.0, TITLE_FACE[0], TITLE_PT, TITLE_LINE)
        page.line(line, LEFT, page.y)
        page.y += line.height
    page.y += gap


def _columns(table: Any, lay: Layout) -> tuple[tuple[float, ...], list[Any]]:
    """Return the grid's column edges (one col with a span, as wide as the table; pt from its first grid line) and
    the table's rows."""
    _attributes(table, {"class": "form"})
    rows = [element for part in table for element in (part if part.tag == "tbody" else [part])]
    colgroup = rows.pop(0) if rows and rows[0].tag == "colgroup" else None
    cols = list(colgroup) if colgroup is not None else []
    if len(cols) != 1 or cols[0].tag != "col" or colgroup is None or len(colgroup.attrib) or not rows:
        raise Unsupported("a table without its one col")
    _attributes(cols[0], {"span": None})
    columns = _count(cols[0].get("span", "1"))
    if abs(columns * lay.grid - lay.width) > 1e-6 or any(row.tag != "tr" for row in rows):
        raise Unsupported("columns other than the table's width")
    return tuple(i * lay.grid for i in range(columns + 1)), rows


def _table(page: Page, table: Any, lay: Layout) -> None:
    """Set the form's table on its grid of equal columns."""
    edges, trs = _columns(table, lay)
    _ruled(page, [_row(tr, lambda element, start, row: _cell(element, start, lay, row), edges, lay.padding)
                  for tr in trs], edges, lay.padding)


def _ruled(page: Page, rows: list[list[Cell]], edges: tuple[float, ...], padding: float) -> None:
    """Set a table's rows at the page's left: their rules (collapsed, centred on the grid lines) and cells' lines,
    each cell aligned in its row's height less its paddings."""
    grid0 = LEFT + RULE / 2
    y = page.y + RULE / 2           # the first rule's centre
    tops, boundaries = [y], []
    for cells in rows:
        height = max(max(cell.height, cell.content()) + cell.pad_top + cell.pad_bottom for cell in cells)
        for cell in cells:
            free = height - cell.pad_top - cell.pad_bottom - cell.content()
            top = y + RULE / 2 + cell.pad_top + {"top": 0.0, "middle": free / 2, "bottom": free}[cell.valign]
            left = grid0 + edges[cell.start] + RULE / 2 + padding
            for line in cell.lines:
                page.line(line, left, top)
                top += line.height
        boundaries.append({cell.start for cell in cells} | {len(edges) - 1})
        y += RULE + height
        tops.append(y)
    page.ops += _rules([grid0 + x for x in edges], tops, boundaries)
    page.y = y + RULE / 2


def _rules(xs: list[float], tops: list[float], boundaries: list[set[int]]) -> list[str]:
    """Return the operators stroking the rows' rules across the table and the cells' sides (x of each grid line),
    each side's run of rows as one line (what WeasyPrint draws a segment a column and a row)."""
    right = xs[max(max(b) for b in boundaries)] + RULE / 2
    ops = [f"q {RULE} w 0 0 0 RG"]
    ops += [f"{xs[0] - RULE / 2:.3f} {PAGE_H - y:.3f} m {right:.3f} {PAGE_H - y:.3f} l" for y in tops]
    for column in sorted(set().union(*boundaries)):
        start = None
        for i, sides in enumerate([*boundaries, set()]):
            if column in sides and start is None:
                start = i
            elif column not in sides and start is not None:
                x = xs[column]
                ops.append(f"{x:.3f} {PAGE_H - tops[start] + RULE / 2:.3f} m {x:.3f} {PAGE_H - tops[i] - RULE / 2:.3f} l")
                start = None
    return [*ops, "S Q"]


def _notes(page: Page, div: Any, lay: Layout) -> None:
    """Set the notes under the table: hanging two characters, the first flush left (document.css .notes)."""
    _attributes(div, {"class": "notes"})
    if (div.text or "").strip():
        raise Unsupported("text in the notes")
    page.y += lay.note_gap
    pad = INDENT_EMS * lay.note_size
    for p in div:
        _attributes(p, {"class": "first"})
        if p.tag != "p" or (p.tail or "").strip():
            raise Unsupported(f"<{p.tag}> in the notes")
        para = Para(*_inline(p), lay.face, lay.note_size, lay.note_line, pad_left=pad,
                    indent=-pad if p.get("class") else 0.0)
        for line in _set(para, RIGHT_EDGE - LEFT):
            page.line(line, LEFT, page.y)
            page.y += line.height


# templates/material-list/document.css: the 目录's own numbers (its sizes and widths are the kind's layout)
LIST_TITLE_GAP = 10.227 * MM    # gbt9704.css h1.title margin-bottom (one line of the 22-line pitch)
LIST_HEADER_GAP = 3 * MM        # .header margin-bottom
LIST_PAD_Y = 0.5 * MM           # table.list th, td padding top and bottom
LIST_NOTE_GAP = 2 * MM          # .note margin-top
BODY_FACE, LABEL_FACE = FACES["body"][0], FACES["label"][0]   # html's face; th's (黑体)


@dataclass(frozen=True)
class ListLayout:
    """The numbers the 目录's kind gives its stylesheet (docgen.kinds.material_list.LAYOUT), in pt."""

    size: float
    line: float
    row: float
    padding: float
    header_size: float
    header_line: float
    widths: tuple[float, ...]

    @classmethod
    def of(cls, layout: Mapping[str, str]) -> ListLayout:
        """Read the layout's custom properties (cell-size “12pt”, row-height “8mm”, col-0 “13mm”, …)."""
        names = ("cell-size", "cell-line", "row-height", "cell-padding", "header-size", "header-line")
        try:
            size, line, row, padding, header_size, header_line = (length(layout[name]) for name in names)
        except KeyError as exc:
            raise Unsupported(f"layout {exc}") from None
        columns = itertools.takewhile(lambda name: name in layout, (f"col-{i}" for i in itertools.count()))
        return cls(size, line, row, padding, header_size, header_line, tuple(length(layout[c]) for c in columns))


def _header(page: Page, div: Any, lay: ListLayout) -> None:
    """Set the header's lines (the applicant, .header p: flush left), its gap under them."""
    _attributes(div, {"class": "header"})
    if (div.text or "").strip():
        raise Unsupported("text in the header")
    for p in div:
        if p.tag != "p" or p.attrib or (p.tail or "").strip():
            raise Unsupported(f"<{p.tag}> in the header")
        for line in _set(Para(*_inline(p), BODY_FACE, lay.header_size, lay.header_line), RIGHT_EDGE - LEFT):
            page.line(line, LEFT, page.y)
            page.y += line.height
    page.y += LIST_HEADER_GAP


def _list_cell(element: Any, start: int, lay: ListLayout) -> Cell:
    """Read a th (黑体) or td of the list, centred, a td.name flush left; each padded and at least a row high."""
    _attributes(element, {"class": "name"} if element.tag == "td" else {})
    align = "left" if element.get("class") else "center"
    face = LABEL_FACE if element.tag == "th" else BODY_FACE
    return Cell(start, 1, [Para(*_inline(element), face, lay.size, lay.line, align)], pad_top=LIST_PAD_Y,
                pad_bottom=LIST_PAD_Y, height=lay.row)


def _list_table(page: Page, table: Any, lay: ListLayout) -> None:
    """Set the list: a colgroup of the layout's column widths (as wide as the text), a thead row and tbody rows."""
    _attributes(table, {"class": "list"})
    parts = [part.tag for part in table]
    if parts != ["colgroup", "thead", "tbody"] or len(table[0].attrib) or len(table[1]) != 1:
        raise Unsupported("a list other than colgroup, thead and tbody")
    for i, col in enumerate(table[0]):
        _attributes(col, {"class": f"c{i}"})
        if col.tag != "col" or "class" not in col.attrib:
            raise Unsupported("a col")
    widths = lay.widths
    if len(table[0]) != len(widths) or abs(sum(widths) - (RIGHT_EDGE - LEFT)) > 1e-6:
        raise Unsupported("columns other than the text's width")
    edges = tuple(sum(widths[:i]) for i in range(len(widths) + 1))
    trs = [tr for part in table[1:] for tr in part]
    if any((part.text or "").strip() or part.attrib for part in table[1:]) or not trs:
        raise Unsupported("a thead or tbody")
    _ruled(page, [_row(tr, lambda element, start, _: _list_cell(element, start, lay), edges, lay.padding)
                  for tr in trs], edges, lay.padding)


def _note(page: Page, p: Any, lay: ListLayout) -> None:
    """Set the note under the list (.note: justified, indented two characters, its gap above)."""
    _attributes(p, {"class": "note"})
    page.y += LIST_NOTE_GAP
    para = Para(*_inline(p), BODY_FACE, lay.size, lay.line, "justify", indent=INDENT_EMS * lay.size)
    for line in _set(para, RIGHT_EDGE - LEFT):
        page.line(line, LEFT, page.y)
        page.y += line.height


@dataclass(frozen=True)
class Shape:
    """A document this writer sets: its layout's reader and the setters of its body's blocks, in their order (a
    block's class on its tag; margins between them are the setters' own)."""

    layout: Callable[[Mapping[str, str]], Any]
    blocks: tuple[tuple[str, Callable[[Page, Any, Any], None]], ...]
    optional: int = 0   # how many of the last blocks may be left out


SHAPES = {   # the class of its table → the document's shape
    "form": Shape(Layout.of, (("h1", lambda page, h1, lay: _title(page, h1, lay.title_gap, pre_line=True)),
                              ("table", _table), ("div", _notes))),
    "list": Shape(ListLayout.of, (("h1", lambda page, h1, _: _title(page, h1, LIST_TITLE_GAP)), ("div", _header), ("table", _list_table), ("p", _note)),
                  optional=1),
}
MARKERS = tuple(f'<table class="{name}"' for name in SHAPES)   # what a document's HTML holds to be set here


def marked(html: str) -> bool:
    """Tell whether a document's HTML holds one of the tables this writer sets."""
    return any(marker in html for marker in MARKERS)


def _shape(body: Any) -> Shape:
    """Return the shape of a document's body: its table's, its blocks in that shape's order, or raise Unsupported."""
    table = body.find("table")
    shape = SHAPES.get(table.get("class") if table is not None else "")
    tags = [element.tag for element in body]
    if shape is None or tags not in ([tag for tag, _ in shape.blocks[:len(shape.blocks) - n]]
                                     for n in range(shape.optional + 1)):
        raise Unsupported(f"blocks {tags}")
    return shape


def write(html: str, layout: Mapping[str, str]) -> bytes:
    """Return the one-page PDF of a form document's HTML, or raise Unsupported (WeasyPrint renders it then)."""
    root = lxml_html.document_fromstring(html)
    body = root.find("body")
    if body is None or (body.text or "").strip():
        raise Unsupported("no body")
    shape = _shape(body)
    lay = shape.layout(layout)
    page = Page(Used())
    for element, (_, setter) in zip(body, shape.blocks, strict=False):
        if (element.tail or "").strip():
            raise Unsupported(f"text after <{element.tag}>")
        setter(page, element, lay)
    if page.y > TEXT_BOTTOM - OVERFLOW_SLACK:
        raise Unsupported("more than one page")
    sheet = Sheet("\n".join(page.ops + folio_ops(page.used)).encode(), PAGE_W, PAGE_H)
    return write_pdf([sheet], page.used, info_of(root, (LEFT, PAGE_H - TOP)))
