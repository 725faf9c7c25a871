"""The pages of a form book (the 评审表, templates/evaluation-form) written directly from its HTML: a cover, then
headed sections of ruled tables and boxes flowing over the pages a forced break starts, as WeasyPrint paginates them.

The cover: the title between the spaces its style gives, a table of labels and ruled values, the issuer and the
print note. Then h2 headings (黑体, a .first or .page one starting a page), table.grid tables on a grid (colspans, a
photo cell spanning rows, cells at the top, padded, of a least height) and div.box boxes of paragraphs (text, hint,
ruled lines to write on, a sign-off flush right) — as templates/evaluation-form/document.css styles them, its sizes
read from the kind's layout (the custom properties the stylesheet reads: Sizes), held equal to WeasyPrint's reading
of it by tests/render/test_book_pdf.py. Text is set by docgen.render.form_pdf
(Pango's breaks, the fonts' advances). A table breaks between rows, a box between lines (sliced, two lines of a
paragraph each side), a heading goes with what follows it; pages are numbered — 2 — on the left of an even page and
on the right of an odd one, none on the cover (GB/T 9704 §7.5). Anything else — another element, class or style, a
row at a page's end, a box of ruled lines across pages — raises Unsupported and WeasyPrint renders the document.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from lxml import html as lxml_html

from docgen.render.direct_pdf import MM, Bitmap, Sheet, Unsupported, Used, info_of, runs
from docgen.render.direct_pdf import write as write_pdf
from docgen.render.form_pdf import (INDENT_EMS, NEAR, Cell, Line, Page, Para, _advance, _attributes, _count,
                                    _inline, _set, _text, length)
from docgen.render.letter_pdf import (FACES, LEFT, PAGE_H, PAGE_W, RIGHT_EDGE, TEXT_BOTTOM, TOP,
                                      folio_ops)

MARKER = '<table class="cover">'
WIDTH = RIGHT_EDGE - LEFT
BODY = FACES["body"][0]                       # html: 仿宋 (document.css)
TITLE_FACE, TITLE_STYLE = FACES["title"]      # h1.title: 小标宋
HEAD_FACE = FACES["label"][0]                 # h2: 黑体
# pt: a block ending this near the page's end is for rounding to place (refused); this writer's positions agree
# with WeasyPrint's within 0.001 pt (tests/render/test_book_pdf.py holds them within 0.5)
EDGE = 0.01
_MARGIN = re.compile(r"^\s*margin-(top|bottom):\s*([\d.]+mm)\s*$")
_IMG = re.compile(r"^\s*width:\s*([\d.]+)mm;\s*height:\s*([\d.]+)mm\s*$")
_COL = re.compile(r"^\s*width:\s*([\d.]+)mm\s*$")


@dataclass(frozen=True)
class Sizes:
    """The form's sizes in pt, as document.css reads them: the kind's layout (docgen.kinds.evaluation_form.LAYOUT),
    each by its custom property's name (body_size: --body-size)."""

    body_size: float              # html: 仿宋 on its lines (an empty cell or box paragraph keeps a line)
    line: float
    title_size: float             # h1.title: its type, line and letter spacing
    title_line: float
    title_spacing: float
    cover_width: float            # table.cover: its width, its margin each side, the label column, the value's inset
    cover_side: float
    cover_label: float
    cover_inset: float
    cover_size: float             # table.cover and p.issuer: type and line; table.cover th, td padding above and below
    cover_line: float
    cover_pad: float
    small_size: float             # p.note and .box p.hint
    note_gap: float               # p.note margin-top
    head_size: float              # h2: type, line, margins above and below
    head_line: float
    head_before: float
    head_after: float
    rule: float                   # table.grid th, td and .box border, table.cover td border-bottom
    grid: float                   # a grid column (col span)
    cell_pad_y: float             # table.grid th, td padding
    cell_pad_x: float
    basic_height: float           # table.basic th, td height (table.grid's: a line)
    box_pad_y: float              # .box padding
    box_pad_x: float
    achievements_height: float    # .achievements min-height
    ruled_height: float           # .box p.ruled: border-box height, its border-bottom
    ruled_rule: float
    sign_gap: float               # .box p.sign after ruled lines (or first)

    @classmethod
    def of(cls, layout: Mapping[str, str]) -> Sizes:
        """Read the kind's layout (docgen.kinds.evaluation_form.LAYOUT)."""
        try:
            return cls(*(length(layout[size.name.replace("_", "-")]) for size in fields(cls)))
        except KeyError as exc:
            raise Unsupported(f"layout {exc}") from None

    @property
    def box_width(self) -> float:
        """Return the width of a box's paragraphs: the text's less the box's rules and padding."""
        return WIDTH - 2 * self.rule - 2 * self.box_pad_x


@dataclass
class Book:
    """The form's sizes, the pages set so far, the page being set, the margin owed above the next block (collapsed with
    its own: CSS 2 §8.3.1), whether the page is fresh from an unforced break (a margin there is truncated to zero: CSS Fragmentation
    §5.2) and the heading just set (break-after: avoid: it goes with its table's first row)."""

    sizes: Sizes
    pages: list[Page] = field(default_factory=list)
    margin: float = 0.0
    fresh: bool = False
    heading: tuple[int, float, float, Any] | None = None   # its page's ops and y before it, the margin, the h2

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self, forced: bool = True) -> None:
        """Start a page (at a forced break, or an unforced one: its first block's top margin truncated); the margin
        owed is dropped."""
        if self.pages:
            self.check_end()
        self.pages.append(Page(self.pages[0].used if self.pages else Used()))
        self.margin, self.fresh, self.heading = 0.0, not forced, None

    def check_end(self) -> None:
        """Raise Unsupported if the page's sections run past its end (a table's last rule may, by half)."""
        if self.page.y > TEXT_BOTTOM + self.sizes.rule / 2 + EDGE:
            raise Unsupported(f"a page's sections run past its end ({self.page.y - TEXT_BOTTOM:+.2f} pt)")

    def block(self, top: float, bottom: float = 0.0) -> None:
        """Open a block with margins `top` and `bottom`: the page's y moves past the collapsed margin."""
        self.page.y += 0.0 if self.fresh else max(self.margin, top)
        self.margin, self.fresh = bottom, False

    def text(self, line: Line, left: float) -> None:
        """Draw a line whose box's left is given at the page's y, and move past it."""
        self.page.line(line, left, self.page.y)
        self.page.y += line.height


def _fits(bottom: float) -> bool:
    """Tell whether a block ending at `bottom` stays on its page, or raise Unsupported so near the page's end that
    rounding decides."""
    if abs(bottom - TEXT_BOTTOM) < EDGE:
        raise Unsupported(f"a block ending at the page's end ({bottom - TEXT_BOTTOM:+.2f} pt)")
    return bottom < TEXT_BOTTOM


def _margins(element: Any) -> dict[str, float]:
    """Return the margins an element's style sets (margin-top, margin-bottom in mm), in pt."""
    out = {}
    for declaration in filter(str.strip, (element.get("style") or "").split(";")):
        found = _MARGIN.match(declaration)
        if not found:
            raise Unsupported(f"style {declaration!r}")
        out[found.group(1)] = length(found.group(2))
    return out


def _one_line(text: str, face: str, size: float, style: str = "", spacing: float = 0.0) -> tuple[list, float]:
    """Return a line's characters in the face's fonts (and fallbacks) and its advance with a letter spacing."""
    chars = [(char, run.font, False) for run in runs(_text(text), face, size, style) for char in run.text]
    return chars, sum(_advance(char, font, size) + spacing for char, font, _ in chars)


def _title(book: Book, h1: Any) -> None:
    """Set the title centred on its line, letter-spaced, between the margins its style gives."""
    _attributes(h1, {"class": "title", "style": None})
    margins = _margins(h1)
    if len(h1) or not h1.text or set(margins) != {"top", "bottom"}:
        raise Unsupported("h1")
    sizes = book.sizes
    chars, used = _one_line(h1.text, TITLE_FACE, sizes.title_size, TITLE_STYLE, sizes.title_spacing)
    if used > WIDTH - NEAR:
        raise Unsupported("a title line WeasyPrint would wrap")
    book.block(margins["top"], margins["bottom"])
    book.text(Line.of(chars, (WIDTH - used) / 2, sizes.title_spacing, TITLE_FACE, sizes.title_size, sizes.title_line),
              LEFT)


def _cover(book: Book, table: Any) -> None:
    """Set the cover's table: each label justified in its column (the last line too), each value flush left
    under its rule, both at the top of their row."""
    _attributes(table, {"class": "cover"})
    trs = [tr for part in table for tr in (part if part.tag == "tbody" else [part])]
    book.block(0.0)
    sizes = book.sizes
    size, pitch, pad, rule = sizes.cover_size, sizes.cover_line, sizes.cover_pad, sizes.rule
    left = LEFT + sizes.cover_side
    value_left = left + sizes.cover_label + sizes.cover_inset
    value_width = sizes.cover_width - sizes.cover_label - sizes.cover_inset
    y, rules = book.page.y, []
    for n, tr in enumerate(trs):
        if tr.tag != "tr" or tr.attrib or [cell.tag for cell in tr] != ["th", "td"] or any(
                cell.attrib for cell in tr):
            raise Unsupported("a cover row")
        label = _set(Para(*_inline(tr[0]), BODY, size, pitch, "justify-all"), sizes.cover_label)
        value = _set(Para(*_inline(tr[1]), BODY, size, pitch), value_width)
        above = rule / 2 if n else 0.0      # the rule above a value: the row before's, half of it its own
        height = max(pad + _height(label, pitch) + pad, above + pad + _height(value, pitch) + pad + rule / 2)
        top = y + pad
        for line in label:
            book.page.line(line, left, top)
            top += line.height
        top = y + above + pad
        for line in value:
            book.page.line(line, value_left, top)
            top += line.height
        y += height
        rules.append(y)   # the rule centred on the rows' boundary
    x0, x1 = left + sizes.cover_label, left + sizes.cover_width
    book.page.ops += [f"q {rule} w 0 0 0 RG"] + [
        f"{x0:.3f} {PAGE_H - at:.3f} m {x1:.3f} {PAGE_H - at:.3f} l" for at in rules] + ["S Q"]
    book.page.y = y + rule / 2   # the last rule's lower half


def _height(lines: tuple[Line, ...], least: float) -> float:
    """Return the height of a cell's lines, at least one line's (an empty cell keeps it: height in the CSS)."""
    return max(sum(line.height for line in lines), least)


def _paragraph(book: Book, p: Any) -> None:
    """Set the issuer or the print note centred, its top margin from its style or the stylesheet; an empty one
    takes no room and its margin collapses with the next (CSS 2 §8.3.1)."""
    _attributes(p, {"class": None, "style": None})
    kind = p.get("class")
    if kind not in ("issuer", "note"):
        raise Unsupported(f"<p class={kind}>")
    sizes = book.sizes
    size, line = (sizes.cover_size, sizes.cover_line) if kind == "issuer" else (sizes.small_size, sizes.line)
    top = _margins(p).get("top", 0.0 if kind == "issuer" else sizes.note_gap)
    para = Para(*_inline(p), BODY, size, line, "center")
    if not para.text:
        book.margin = max(book.margin, top)
        return
    book.block(top)
    for set_line in _set(para, WIDTH):
        book.text(set_line, LEFT)


def _heading(book: Book, h2: Any) -> None:
    """Set a section's heading (h2: 黑体, flush left); .first and .page start a page."""
    _attributes(h2, {"class": None})
    kind = h2.get("class")
    if kind not in (None, "first", "page") or len(h2):
        raise Unsupported(f"<h2 class={kind}>")
    sizes = book.sizes
    chars, used = _one_line(h2.text or "", HEAD_FACE, sizes.head_size)
    if used > WIDTH - NEAR:
        raise Unsupported("a heading WeasyPrint would wrap")
    if kind:
        book.new_page()
    elif not _fits(book.page.y + (0.0 if book.fresh else max(book.margin, sizes.head_before)) + sizes.head_line):
        book.new_page(forced=False)
    before = (len(book.page.ops), book.page.y, book.margin, h2)
    book.block(0.0 if kind else sizes.head_before, sizes.head_after)
    book.text(Line.of(chars, 0.0, 0.0, HEAD_FACE, sizes.head_size, sizes.head_line), LEFT)
    book.heading = before


def _carry_heading(book: Book) -> None:
    """Start a page for a block none of which fits on this one, the heading before it (if any) taken along."""
    heading = book.heading
    if heading:
        ops, book.page.y, book.margin, _ = heading
        del book.page.ops[ops:]
    book.new_page(forced=False)
    if heading:
        _heading(book, heading[3])
    book.block(0.0)   # the block's own top, past the heading's bottom margin


@dataclass
class Slot(Cell):
    """A grid cell as this writer reads it: a Cell, the rows it spans and its picture (the photo)."""

    rows: int = 1
    picture: tuple[Bitmap, float, float] | None = None   # the image, its width and height (pt)


def _columns(table: Any, grid: float) -> tuple[tuple[float, ...], list[Any]]:
    """Return a grid table's column edges (pt from its left: a col span="26" of the grid's columns, or cols of a
    width each) and its rows."""
    rows = [element for part in table for element in (part if part.tag == "tbody" else [part])]
    colgroup = rows.pop(0) if rows and rows[0].tag == "colgroup" else None
    if colgroup is None or colgroup.attrib or not len(colgroup) or not rows or any(r.tag != "tr" for r in rows):
        raise Unsupported("a table without its columns")
    widths: list[float] = []
    for col in colgroup:
        _attributes(col, {"span": None, "style": None})
        found = _COL.match(col.get("style") or "")
        if col.tag != "col" or ("span" in col.attrib) == bool(found):
            raise Unsupported("a col")
        widths += [length(found.group(1) + "mm")] if found else [grid] * _count(col.get("span"))
    if abs(sum(widths) - WIDTH) > 1e-6:
        raise Unsupported("columns other than the text's width")
    return tuple(sum(widths[:i]) for i in range(len(widths) + 1)), rows


def _slot(element: Any, start: int, least: float, sizes: Sizes) -> Slot:
    """Read a th or td (centred, a td.left flush left, a td.photo its picture or label) at the top of its row."""
    _attributes(element, {"colspan": None, "rowspan": None, "class": None})
    kind = element.get("class")
    if kind not in (None, "left", "photo") or (kind and element.tag != "td"):
        raise Unsupported(f"<{element.tag} class={kind}>")
    slot = Slot(start, _count(element.get("colspan", "1")), [], "top", sizes.cell_pad_y, sizes.cell_pad_y, least,
                rows=_count(element.get("rowspan", "1")))
    if kind == "photo":
        _photo(slot, element, sizes)
    else:
        slot.paras.append(Para(*_inline(element), BODY, sizes.body_size, sizes.line, "left" if kind else "center"))
    return slot


def _photo(slot: Slot, td: Any, sizes: Sizes) -> None:
    """Read the photo cell: an image of the size its style gives, centred at the top, or the label to stick a
    photo on (a span, centred); padded as every cell (td.photo's own padding gives way to table.grid td's)."""
    if (td.text or "").strip() or len(td) != 1 or (td[0].tail or "").strip():
        raise Unsupported("a photo cell")
    child = td[0]
    if child.tag == "span" and not child.attrib and not len(child):
        slot.paras.append(Para(_text(child.text), frozenset(), frozenset(), BODY, sizes.body_size, sizes.line,
                               "center"))
        return
    _attributes(child, {"src": None, "style": None})
    size = _IMG.match(child.get("style") or "")
    found = re.fullmatch(r"data:(image/(?:jpeg|png));base64,([A-Za-z0-9+/=]+)", child.get("src") or "")
    if child.tag != "img" or not size or not found:
        raise Unsupported("a photo")
    slot.picture = (Bitmap(base64.b64decode(found.group(2)), found.group(1)), float(size.group(1)) * MM,
                    float(size.group(2)) * MM)


def _grid(book: Book, table: Any) -> None:
    """Set a grid table: its rows' cells top-aligned in their columns less the rules and paddings, each row as
    high as its tallest cell; a cell spanning rows (the photo) as high as they are; rules collapsed on the grid
    lines (WeasyPrint strokes each cell's side)."""
    _attributes(table, {"class": None})
    kind = table.get("class")
    if kind not in ("grid", "grid basic"):
        raise Unsupported(f"<table class={kind}>")
    sizes = book.sizes
    edges, trs = _columns(table, sizes.grid)
    book.block(0.0)
    rows, spanning = _read_rows(trs, edges, sizes.basic_height if kind == "grid basic" else sizes.line, sizes)
    _draw_grid(book, rows, edges, spanning)


def _read_rows(trs: list[Any], edges: tuple[float, ...], least: float, sizes: Sizes
               ) -> tuple[list[list[Slot]], list[tuple[Slot, int]]]:
    """Read a grid's rows, each cell's lines set in its columns' width less the rules and paddings, at least
    `least` high; return them and the cells spanning rows with the row each ends in."""
    columns = len(edges) - 1
    spanning: list[tuple[Slot, int]] = []
    rows: list[list[Slot]] = []
    for n, tr in enumerate(trs):
        if tr.attrib or (tr.text or "").strip():
            raise Unsupported("a row")
        taken = {c for slot, last in spanning if last >= n for c in range(slot.start, slot.start + slot.span)}
        cells, start = [], 0
        for element in tr:
            if element.tag not in ("th", "td") or (element.tail or "").strip():
                raise Unsupported(f"<{element.tag}> in a row")
            while start in taken:
                start += 1
            slot = _slot(element, start, least, sizes)
            if start + slot.span > columns or taken & set(range(start, start + slot.span)):
                raise Unsupported("a row wider than the table")
            width = edges[start + slot.span] - edges[start] - sizes.rule - 2 * sizes.cell_pad_x
            slot.lines = [line for para in slot.paras for line in _set(para, width)]
            if slot.rows > 1:
                spanning.append((slot, n + slot.rows - 1))
            cells.append(slot)
            start += slot.span
        if len(taken | {c for s in cells for c in range(s.start, s.start + s.span)}) != columns:
            raise Unsupported("a row not spanning the grid")
        rows.append(cells)
    if any(last >= len(rows) for _, last in spanning):
        raise Unsupported("a cell spanning rows past the table")
    return rows, spanning


def _draw_grid(book: Book, rows: list[list[Slot]], edges: tuple[float, ...],
               spanning: list[tuple[Slot, int]]) -> None:
    """Draw a grid table's rows from the page's y, broken between rows where they run past the page's end."""
    rule = book.sizes.rule
    first_row = {id(slot): n for n, cells in enumerate(rows) for slot in cells}
    heights = [max(_need(slot) for slot in cells if slot.rows == 1) for cells in rows]
    for slot, last in spanning:   # a cell taller than its rows makes the last of them taller (WeasyPrint)
        first = first_row[id(slot)]
        heights[last] += max(0.0, _need(slot) - sum(heights[first:last + 1]) - rule * (last - first))
    start = 0
    while start < len(rows):
        end = _fragment(book, heights, start)
        if any(first_row[id(slot)] < end <= last for slot, last in spanning):
            raise Unsupported("a page break across a cell spanning rows")
        _draw_rows(book, rows[start:end], heights[start:end], edges)
        if end < len(rows):
            book.new_page(forced=False)
        start = end
    book.heading = None


def _fragment(book: Book, heights: list[float], start: int, carried: bool = False) -> int:
    """Return the end of the rows from `start` that fit on the page (WeasyPrint breaks a table between rows); where
    not even the table's first row does, start a page for it and the heading before it."""
    rule = book.sizes.rule
    y, end = book.page.y + rule / 2, start      # the first rule's centre
    while end < len(heights) and _row_fits(y + heights[end] + rule, rule):
        y += heights[end] + rule
        end += 1
    if end == 1 < len(heights):
        end = 0   # the head row goes on with the first row (table.grid tr:first-child: break-after: avoid)
    if end > start:
        return end
    if start or carried or book.page.y <= TOP + NEAR:
        raise Unsupported("a row taller than a page")
    _carry_heading(book)
    return _fragment(book, heights, start, carried=True)


def _row_fits(centre: float, rule: float) -> bool:
    """Tell whether a row whose bottom rule is centred at `centre` stays on its page: its rule within the page; one
    whose rule's lower half would pass the page's end is refused (WeasyPrint kept such a table's first row and
    carried a later one over: it is WeasyPrint's to place)."""
    if TEXT_BOTTOM - rule / 2 - EDGE < centre < TEXT_BOTTOM + EDGE:
        raise Unsupported(f"a table row ending at the page's end ({centre - TEXT_BOTTOM:+.2f} pt)")
    return centre < TEXT_BOTTOM


def _draw_rows(book: Book, rows: list[list[Slot]], heights: list[float], edges: tuple[float, ...]) -> None:
    """Draw rows of a grid table at the page's y: cells, the photo and the collapsed rules."""
    page, rule, pad_x = book.page, book.sizes.rule, book.sizes.cell_pad_x
    grid0 = LEFT + rule / 2
    y = page.y + rule / 2           # the first rule's centre
    tops = [y]
    for height in heights:
        y += rule + height
        tops.append(y)
    for n, cells in enumerate(rows):
        for slot in cells:
            top = tops[n] + rule / 2 + slot.pad_top
            left = grid0 + edges[slot.start] + rule / 2
            if slot.picture:
                picture, width, height = slot.picture
                room = edges[slot.start + slot.span] - edges[slot.start] - rule - 2 * pad_x
                name = f"Im{len(page.images)}"
                page.images[name] = picture
                x, bottom = left + pad_x + (room - width) / 2, PAGE_H - top - height
                page.ops.append(f"q {width:.3f} 0 0 {height:.3f} {x:.3f} {bottom:.3f} cm /{name} Do Q")
                continue
            for line in slot.lines:
                page.line(line, left + pad_x, top)
                top += line.height
    page.ops += _rules([grid0 + x for x in edges], tops, rows, rule)
    page.y = y + rule / 2
    book.fresh = False


def _need(slot: Slot) -> float:
    """Return the height a cell needs between its rules: its lines or picture, at least its least, padded."""
    content = slot.picture[2] if slot.picture else slot.content()
    return max(slot.height, content) + slot.pad_top + slot.pad_bottom


def _rules(xs: list[float], tops: list[float], rows: list[list[Slot]], rule: float) -> list[str]:
    """Return the operators stroking a grid's collapsed rules: each horizontal line across the columns no cell
    spans over, each column's side over the run of rows that have it."""
    over: list[set[int]] = [set() for _ in tops]       # per horizontal line: columns a cell spans across it
    sides: list[set[int]] = [set() for _ in rows]      # per row: the grid lines a cell's side stands on
    for n, cells in enumerate(rows):
        for slot in cells:
            for row in range(n, n + slot.rows):
                sides[row] |= {slot.start, slot.start + slot.span}
            for line in range(n + 1, n + slot.rows):
                over[line] |= set(range(slot.start, slot.start + slot.span))
    return [f"q {rule} w 0 0 0 RG", *_across(xs, tops, over, rule), *_down(xs, tops, sides, rule), "S Q"]


def _across(xs: list[float], tops: list[float], over: list[set[int]], rule: float) -> list[str]:
    """Return the segments of each horizontal line, broken where a cell spans across it."""
    ops = []
    for at, spanned in zip(tops, over, strict=True):
        column = 0
        while column < len(xs) - 1:
            end = column
            while end < len(xs) - 1 and end not in spanned:
                end += 1
            if end > column:
                ops.append(f"{xs[column] - rule / 2:.3f} {PAGE_H - at:.3f} m {xs[end] + rule / 2:.3f} "
                           f"{PAGE_H - at:.3f} l")
            column = end + 1
    return ops


def _down(xs: list[float], tops: list[float], sides: list[set[int]], rule: float) -> list[str]:
    """Return each grid line's vertical segments: one over each run of rows a cell's side stands on it."""
    ops = []
    for line, x in enumerate(xs):
        start = None
        for n, row_sides in enumerate([*sides, set()]):
            if line in row_sides and start is None:
                start = n
            elif line not in row_sides and start is not None:
                ops.append(f"{x:.3f} {PAGE_H - tops[start] + rule / 2:.3f} m {x:.3f} {PAGE_H - tops[n] - rule / 2:.3f} l")
                start = None
    return ops


def _box(book: Book, div: Any) -> None:
    """Set a box: its paragraphs (flush left; .text indented two characters, .hint 五号, .ruled a line to write on,
    .sign flush right less two characters) inside its rule and padding; .achievements of a least height. A box of
    one paragraph of at most three lines that runs past the page's end goes to the next page with its heading (two
    lines each side of a break: orphans, widows); any other WeasyPrint splits between lines (refused)."""
    _attributes(div, {"class": None})
    kind = div.get("class")
    if kind not in ("box", "box achievements", "box line") or (div.text or "").strip():
        raise Unsupported(f"<div class={kind}>")
    ops, y, margin = len(book.page.ops), book.page.y, book.margin
    lines = _draw_box(book, div, kind)
    if not _fits(book.page.y):
        del book.page.ops[ops:]
        book.page.y, book.margin = y, margin
        if len(div) == 1 and lines <= 3 and book.heading:
            _carry_heading(book)
            _draw_box(book, div, kind)
            if not _fits(book.page.y):
                raise Unsupported("a box longer than a page")
        else:
            _split_box(book, div)
    book.heading = None


def _paragraphs(div: Any, sizes: Sizes) -> list[tuple[Line, ...]]:
    """Return the lines of each paragraph of a box that may break across pages (no ruled or sign-off lines), or
    raise Unsupported."""
    out = []
    for p in div:
        kind = p.get("class")
        if kind not in (None, "text", "hint"):
            raise Unsupported("a box of ruled or sign-off lines across pages")
        para = _box_para(p, kind, sizes)
        lines = _set(para, sizes.box_width) if para.text else ()
        if not lines or any(abs(line.height - sizes.line) > NEAR for line in lines):
            raise Unsupported("an empty paragraph or a taller line in a box across pages")
        out.append(lines)
    return out


def _split_box(book: Book, div: Any, carried: bool = False) -> None:
    """Set a box across pages as WeasyPrint slices it: its paragraphs' lines on a page while they fit, at least two
    lines of a paragraph each side of a break (orphans, widows: else the break moves earlier); the first piece
    without its bottom rule and padding, the next without their top ones (box-decoration-break: slice); all the
    lines fitting but not the bottom rule: the last lines go on (WeasyPrint lays the box out again less it)."""
    sizes = book.sizes
    paragraphs = _paragraphs(div, sizes)
    least = sizes.achievements_height if div.get("class") == "box achievements" else 0.0
    book.block(0.0)
    at, first = (0, 0), True
    while True:
        top = book.page.y
        start = top + (sizes.rule + sizes.box_pad_y if first else 0.0)
        end = _lines_to(paragraphs, at, start, TEXT_BOTTOM)
        last = end == (len(paragraphs), 0)
        if last and not _fits(start + max(_span(paragraphs, at, end), least) + sizes.box_pad_y + sizes.rule):
            end = _lines_to(paragraphs, at, start, TEXT_BOTTOM - sizes.box_pad_y - sizes.rule)
            last = False
        if end == at:
            if not first or carried or not book.heading:
                raise Unsupported("a box whose paragraph cannot break")
            _carry_heading(book)   # none of it here: the box goes on with its heading
            return _split_box(book, div, carried=True)
        _draw_piece(book, paragraphs, at, end, first=first, last=last, least=least)
        if last:
            return None
        book.new_page(forced=False)
        book.fresh = False
        at, first = end, False


def _span(paragraphs: list[tuple[Line, ...]], at: tuple[int, int], end: tuple[int, int]) -> float:
    """Return the height of the lines from `at` to `end` (paragraph, line)."""
    return sum(line.height for n, lines in enumerate(paragraphs) for i, line in enumerate(lines)
               if at <= (n, i) < end)


def _lines_to(paragraphs: list[tuple[Line, ...]], at: tuple[int, int], y: float, limit: float) -> tuple[int, int]:
    """Return where the lines from `at` set from y stop before `limit`: the end, or a break with two lines of its
    paragraph each side (the break before the paragraph where it cannot have them)."""
    n, i = at
    while n < len(paragraphs):
        lines = paragraphs[n]
        k = i
        while k < len(lines) and _fits(y + lines[k].height):
            if y + lines[k].height > limit:
                break
            y += lines[k].height
            k += 1
        if k == len(lines):
            n, i = n + 1, 0
            continue
        k = min(k, len(lines) - 2)            # widows
        return (n, k) if k - i >= 2 else (n, i)   # orphans: else the break before the paragraph's lines here
    return n, 0


def _draw_piece(book: Book, paragraphs: list[tuple[Line, ...]], at: tuple[int, int], end: tuple[int, int], *,
                first: bool, last: bool, least: float) -> None:
    """Draw the piece of a sliced box from `at` to `end` at the page's y: its lines, its rule's sides (its top
    one on the first piece, its bottom one on the last, with their paddings) as WeasyPrint draws a border with a
    side of no width: side by side, each clipped to its band."""
    page, sizes = book.page, book.sizes
    top = page.y
    page.y += sizes.rule + sizes.box_pad_y if first else 0.0
    left = LEFT + sizes.rule + sizes.box_pad_x
    content = page.y
    for n, lines in enumerate(paragraphs):
        for i, line in enumerate(lines):
            if at <= (n, i) < end:
                page.line(line, left, page.y)
                page.y += line.height
    # a piece the page breaks reaches the page's end; the last one is as high as the box's least height (each
    # piece's, as WeasyPrint applies min-height) and closed by its padding and rule
    end_y = max(page.y, content + least) + sizes.box_pad_y + sizes.rule if last else TEXT_BOTTOM
    page.y = end_y if last else page.y
    page.ops += _frame(top, end_y, sizes.rule, first=first, last=last)


def _frame(top: float, end_y: float, rule: float, *, first: bool, last: bool) -> list[str]:
    """Return the operators drawing a box's rule from `top` to `end_y` (pt from the page's top) as WeasyPrint draws a
    border: four sides as one ring, its border box filled less its padding box; a piece of a sliced box (no top
    side, or no bottom one) side by side, each side's ring clipped to its band."""
    widths = (rule if first else 0.0, rule, rule if last else 0.0, rule)   # top, right, bottom, left
    bottom = PAGE_H - end_y
    outer = (LEFT, bottom, WIDTH, end_y - top)
    inner = (LEFT + widths[3], bottom + widths[2], WIDTH - widths[1] - widths[3],
             end_y - top - widths[0] - widths[2])
    ring = "{:.3f} {:.3f} {:.3f} {:.3f} re {:.3f} {:.3f} {:.3f} {:.3f} re f*".format(*inner, *outer)
    if first and last:
        return [f"q {ring} Q"]
    bands = {2: (LEFT, bottom, WIDTH, widths[2]), 3: (LEFT, bottom, widths[3], end_y - top),
             1: (LEFT + WIDTH - widths[1], bottom, widths[1], end_y - top),
             0: (LEFT, PAGE_H - top - widths[0], WIDTH, widths[0])}
    return ["q {:.3f} {:.3f} {:.3f} {:.3f} re W n ".format(*bands[side]) + ring + " Q"
            for side in (2, 3, 1, 0) if widths[side]]   # WeasyPrint's order: bottom, left, right, top


def _draw_box(book: Book, div: Any, kind: str) -> int:
    """Draw a box at the page's y, move past it and return how many lines its paragraphs took."""
    book.block(0.0)
    page, sizes = book.page, book.sizes
    top = page.y
    left = LEFT + sizes.rule + sizes.box_pad_x
    page.y += sizes.rule + sizes.box_pad_y
    content_top = page.y
    before, lines = None, 0
    for n, p in enumerate(div):
        _attributes(p, {"class": None})
        if p.tag != "p" or (p.tail or "").strip():
            raise Unsupported(f"<{p.tag}> in a box")
        lines += _box_paragraph(book, p, p.get("class"), sizes.box_width, left, first=n == 0, before=before)
        before = p.get("class")
    least = sizes.achievements_height if kind == "box achievements" else 0.0
    page.y = max(page.y, content_top + least) + sizes.box_pad_y + sizes.rule
    page.ops += _frame(top, page.y, sizes.rule, first=True, last=True)
    return lines


def _box_paragraph(book: Book, p: Any, kind: str | None, width: float, left: float, *, first: bool,
                   before: str | None) -> int:
    """Set a paragraph of a box at the page's y (each at least a line high; a ruled one as high as the stylesheet
    says, with its rule); return its lines."""
    page, sizes = book.page, book.sizes
    if kind not in (None, "text", "hint", "ruled", "sign"):
        raise Unsupported(f"<p class={kind}>")
    if kind == "sign" and (first or before == "ruled"):
        page.y += sizes.sign_gap
    para = _box_para(p, kind, sizes)
    lines = _set(para, width) if para.text else ()
    top = page.y
    for line in lines:
        page.line(line, left, page.y)
        page.y += line.height
    if kind == "ruled":
        if len(lines) > 1:
            raise Unsupported("a ruled line's text wraps")
        page.y = top + sizes.ruled_height
        page.ops.append(_bottom_rule(left, page.y, width, sizes.ruled_height, sizes.ruled_rule))
    else:
        page.y = max(page.y, top + sizes.line)   # .box p min-height
    return len(lines)


def _box_para(p: Any, kind: str | None, sizes: Sizes) -> Para:
    """Return a box's paragraph as document.css styles it: flush left, .text indented two characters, .hint 五号,
    .sign flush right less two characters."""
    size = sizes.small_size if kind == "hint" else sizes.body_size
    return Para(*_inline(p), BODY, size, sizes.line, "right" if kind == "sign" else "left",
                indent=INDENT_EMS * size if kind == "text" else 0.0,
                pad_right=INDENT_EMS * size if kind == "sign" else 0.0)


def _bottom_rule(left: float, bottom: float, width: float, height: float, rule: float) -> str:
    """Return the operators drawing a block's bottom border (`rule` wide) as WeasyPrint does: its border box filled
    less its padding box, clipped to the border's band."""
    y = PAGE_H - bottom
    return (f"q {left + width:.3f} {y:.3f} m {left:.3f} {y:.3f} l {left:.3f} {y + rule:.3f} l "
            f"{left + width:.3f} {y + rule:.3f} l W* n {left:.3f} {y + rule:.3f} {width:.3f} "
            f"{height - rule:.3f} re {left:.3f} {y:.3f} {width:.3f} {height:.3f} re f* Q")


Setter = Callable[[Book, Any], None]
SETTERS: dict[str, Setter] = {"h1": _title, "p": _paragraph, "h2": _heading, "div": _box}
TABLES: dict[str, Setter] = {"cover": _cover, "grid": _grid, "grid basic": _grid}


def marked(html: str) -> bool:
    """Tell whether a document's HTML is a form book this writer sets (its cover's table)."""
    return MARKER in html


def write(html: str, layout: Mapping[str, str]) -> tuple[bytes, int]:
    """Return the PDF of a form book's HTML and its pages, or raise Unsupported (WeasyPrint renders it then)."""
    root = lxml_html.document_fromstring(html)
    body = root.find("body")
    if body is None or (body.text or "").strip():
        raise Unsupported("no body")
    book = Book(Sizes.of(layout))
    book.new_page()
    for element in body:
        if (element.tail or "").strip():
            raise Unsupported(f"text after <{element.tag}>")
        setter = TABLES.get(element.get("class") or "") if element.tag == "table" else SETTERS.get(element.tag)
        if setter is None:
            raise Unsupported(f"<{element.tag}>")
        setter(book, element)
    book.check_end()
    used = book.page.used
    sheets = [Sheet("\n".join(page.ops + (folio_ops(used, n, spacing=0.0) if n > 1 else [])).encode(), PAGE_W, PAGE_H,
                    images=page.images) for n, page in enumerate(book.pages, 1)]
    return write_pdf(sheets, used, info_of(root, (LEFT, PAGE_H - TOP))), len(sheets)
