"""The ruled table typesetter: columns of fixed width, every cell wrapped by docgen.render.lines, whole rows
paginated under a repeated header; the PDF prints its pages, the DOCX and XLSX its columns and rows.

The PDF does not use an HTML table: WeasyPrint spends 10–15 ms per table row (FACTS.md), 15 s for 1000
rows. Instead the table is paginated in Python. Each cell is wrapped to its column width with the font's
own advance widths, so each row's height is known and no row is ever split; each page is then one grid
drawing plus one preformatted text block whose lines place every cell at its column with spaces.
WeasyPrint lays out one line box per printed line instead of a dozen boxes per cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from docgen.render import fonts, lines, measure


@dataclass(frozen=True)
class Column:
    """A printed column: its header, its width in mm, how its text sits, and where the DOCX breaks it."""

    header: str
    width: float
    flush_left: bool = False      # long text reads better flush left; the rest is centred
    # Word and LibreOffice break Chinese between any two characters whatever joins them: a column whose
    # text must break where the PDF breaks it (a name after its “·”) gets the PDF's lines in the DOCX
    docx_breaks: bool = False


@dataclass(frozen=True)
class Geometry:
    """The table's columns, type and line pitches, and the room it has on a page (all lengths in mm)."""

    columns: tuple[Column, ...]
    font_pt: float
    body_face: str
    head_face: str
    cell_pad: float               # inner space each side of a cell
    line: float                   # line pitch of the body rows
    head_line: float              # line pitch inside the header row
    room: float                   # height for the table on a page
    first_page_room: float        # … on the first page (under the title)

    @property
    def widths(self) -> tuple[float, ...]:
        return tuple(c.width for c in self.columns)

    @property
    def width(self) -> float:
        return sum(self.widths)

    @property
    def em(self) -> float:
        """Return the mm of one em of the table's type."""
        return measure.pt_to_mm(self.font_pt)

    @property
    def inner_ems(self) -> tuple[float, ...]:
        """Return each cell's measure in em."""
        return tuple((w - 2 * self.cell_pad) / self.em for w in self.widths)

    @property
    def starts(self) -> list[float]:
        """Return the left edge of each column, in mm from the table's left edge."""
        return [sum(self.widths[:i]) for i in range(len(self.columns))]


class _LineBuilder:
    """Compose one printed line: each cell's text placed at its column with ideographic and plain spaces."""

    def __init__(self, geometry: Geometry, face: fonts.Face):
        self.geometry, self.face = geometry, face
        self.space = face.advance(" ")
        self.ideo = face.advance("\u3000")
        self.starts = geometry.starts

    def _start(self, col: int, w: float) -> float:
        """Return where a cell's text of advance `w` starts, in em from the table's left edge."""
        g = self.geometry
        if g.columns[col].flush_left:
            return (self.starts[col] + g.cell_pad) / g.em
        return (self.starts[col] + g.widths[col] / 2) / g.em - w / 2

    def line(self, cells: list[tuple[int, str]]) -> str:
        out, pos = [], 0.0                       # pos: where the text so far ends, in em
        for col, text in cells:
            w = self.face.ems(text)
            gap = max(self._start(col, w) - pos, 0.0)
            ideo = int(gap // self.ideo)
            plain = int(round((gap - ideo * self.ideo) / self.space))
            out.append("\u3000" * ideo + " " * plain)
            pos += ideo * self.ideo + plain * self.space + w
            out.append(text)
        return "".join(out)


@dataclass
class Page:
    """One PDF page: grid lines (mm, from the table's top edge) and the text of the header and rows."""

    first: bool
    head_height: float
    head_text: str
    segments: list[tuple[str, float, bool]]  # (lines, height in mm, has fallback glyphs): fixed-height blocks
    row_edges: list[float]
    folio_gap: float              # space between the table and the page number
    widths: tuple[float, ...]

    @property
    def table_height(self) -> float:
        return self.row_edges[-1]

    @property
    def grid_path(self) -> str:
        """Return the SVG path of the table's rules."""
        width, height = sum(self.widths), self.table_height
        rules_ = [f"M0 {y:.3f}H{width:.3f}" for y in self.row_edges]
        x = 0.0
        for w in (0.0, *self.widths):
            x += w
            rules_.append(f"M{x:.3f} 0V{height:.3f}")
        return "".join(rules_)


@dataclass
class Table:
    """A table's header labels and rows of printable cells; `pages` lays it out for the PDF."""

    geometry: Geometry
    rows: list[list[str]]
    min_row_height: float = 0.0   # mm: a blank form's rows are tall enough to write in by hand

    @property
    def columns(self) -> list[str]:
        return [c.header for c in self.geometry.columns]

    @property
    def width(self) -> float:
        return self.geometry.width

    @property
    def min_row_twips(self) -> int:
        """Return the least row height for the DOCX (w:trHeight)."""
        return measure.mm_to_twips(self.min_row_height)

    @cached_property
    def docx_rows(self) -> list[list[str]]:
        """Return the rows with the text of `docx_breaks` columns broken where the PDF breaks it."""
        face = fonts.face(self.geometry.body_face)
        keep = [i for i, c in enumerate(self.geometry.columns) if c.docx_breaks]
        inner = self.geometry.inner_ems
        return [[("\n".join(lines.wrap(text, inner[i], face)) if i in keep else text) for i, text in enumerate(row)]
                for row in self.rows]

    @cached_property
    def pages(self) -> list[Page]:
        """Paginate: wrap every cell, then fill each page with whole rows under a repeated header."""
        return _Paginator(self.geometry, self.min_row_height).run(self.rows)


class _Paginator:
    """Fill pages with whole rows: each row as tall as its tallest cell, the header repeated on each page."""

    def __init__(self, geometry: Geometry, min_row_height: float):
        self.g, self.min_row_height = geometry, min_row_height
        self.body_font = fonts.face(geometry.body_face)
        self.body = _LineBuilder(geometry, self.body_font)
        head_font = fonts.face(geometry.head_face)
        head_cells = [lines.balanced(c.header, inner, head_font)
                      for c, inner in zip(geometry.columns, geometry.inner_ems, strict=True)]
        self.head_text, self.head_height = _centred_header(head_cells, _LineBuilder(geometry, head_font),
                                                           geometry.head_line)
        self.pages: list[Page] = []
        self.lines: list[str | float] = []     # printed lines, and empty space (mm) in a taller row
        self.edges = [self.head_height]
        self.first = True

    def room(self) -> float:
        return (self.g.first_page_room if self.first else self.g.room) - self.edges[-1]

    def close(self) -> None:
        self.pages.append(Page(self.first, self.head_height, self.head_text,
                               _segments(self.lines, self.body_font, self.g.line), list(self.edges),
                               max(self.room(), 0.0), self.g.widths))

    def add(self, row: list[str]) -> None:
        cells = [lines.wrap(text, inner, self.body_font) for text, inner in zip(row, self.g.inner_ems, strict=True)]
        count = max(map(len, cells))
        height = max(count * self.g.line, self.min_row_height)
        if height > self.room() and len(self.edges) > 1:
            self.close()
            self.lines, self.edges, self.first = [], [self.head_height], False
        pad = (height - count * self.g.line) / 2     # a taller row (a blank form's) holds its line mid-row
        if pad:
            self.lines.append(pad)
        for n in range(count):
            self.lines.append(self.body.line([(i, c[n]) for i, c in enumerate(cells) if n < len(c) and c[n]]))
        if pad:
            self.lines.append(pad)
        self.edges.append(self.edges[-1] + height)

    def run(self, rows: list[list[str]]) -> list[Page]:
        for row in rows:
            self.add(row)
        self.close()
        return self.pages


def _segments(printed: list[str | float], face: fonts.Face, line_mm: float) -> list[tuple[str, float, bool]]:
    """Group lines into fixed-height blocks; a line with a character the body font lacks stands alone, and
    empty space (a number of mm) is a block of its own.

    A fallback font (Noto CJK for 䶮 𠈌 喆 赟 堃) has a taller ascent: its line box grows and would push
    every later row off its grid line. In a block of fixed height the growth stays inside that line
    (the template lifts such a line by the 0.47 mm its baseline sinks).
    """
    out: list[tuple[str, float, bool]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(("\n".join(run), len(run) * line_mm, False))
            run.clear()

    for line in printed:
        if isinstance(line, float):
            flush()
            out.append(("", line, False))
        elif all(map(face.has, line)):
            run.append(line)
        else:
            flush()
            out.append((line, line_mm, True))
    flush()
    return out


def _centred_header(cells: list[list[str]], builder: _LineBuilder, head_line: float) -> tuple[str, float]:
    """Return the header's text on a half-line grid, each label centred vertically, and its height.

    The header is 2k + 1 half-lines high (k: lines of the longest label); a label of n lines printed
    from half-line k - n + 1, one line every two half-lines, has its middle at the header's middle.
    """
    k = max(map(len, cells))
    slots: list[list[tuple[int, str]]] = [[] for _ in range(2 * k + 1)]
    for col, cell in enumerate(cells):
        for n, text in enumerate(cell):
            slots[k - len(cell) + 1 + 2 * n].append((col, text))
    return "\n".join(builder.line(s) for s in slots), (2 * k + 1) * head_line / 2
