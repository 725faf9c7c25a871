"""A ruled table's PDF (the roster's: docgen.render.grid) written directly from its HTML, without WeasyPrint.

docgen.render.grid has placed every cell's lines already: each page of the HTML is a title, the unit's line, the
grid's rules as one SVG path and the cells as preformatted lines under it. Setting those takes a few ms a page;
WeasyPrint's layout of the same took ~150 ms a page (issue 26: the 1000-row roster). Sizes come from the kind's
layout (the CSS custom properties templates/roster/document.css reads); anything else raises Unsupported and
WeasyPrint renders the document.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

from docgen.render.direct_pdf import MM, Run, Sheet, Unsupported, Used, baseline, info_of, run_ops, runs
from docgen.render.direct_pdf import write as write_pdf

MARKER = '<svg class="grid"'      # what a grid document's HTML holds (templates/roster/document.html)
PAGE = '<section class="page">'    # one a page: docgen.render.grid has placed every line


def pages(html: str) -> int:
    """Return the pages a grid document's HTML takes (what its PDF has, tests/render/test_grid_pdf.py)."""
    return html.count(PAGE)
TITLE_PT = 22.0                   # document.css h1.title: 2号
TITLE_FACE = ("方正小标宋简体", "Bold")   # gbt9704.css h1.title (fonts.conf: the free fallback's Bold style)
RULE_MM = 0.25                    # document.css svg.grid path stroke-width (the SVG's unit is the mm)
ANCHORS = ("docgen-seal-unit", "docgen-seal-unit-end")   # the unit's name, where the seal goes (docgen.render.seal)
_MM = re.compile(r"^(-?[\d.]+)mm$")
_PT = re.compile(r"^\s*font-size:\s*([\d.]+)pt;?\s*$")
_HEIGHT = re.compile(r"^\s*height:\s*([\d.]+)mm;?\s*$")
_MARGIN = re.compile(r"^\s*margin-top:\s*(-?[\d.]+)mm;?\s*$")
_SEGMENT = re.compile(r"M([\d.]+) ([\d.]+)([HV])([\d.]+)")


def _mm(value: str) -> float:
    """Return a length of the layout (“6mm”) in pt."""
    found = _MM.match(value.strip())
    if not found:
        raise Unsupported(f"length {value!r}")
    return float(found.group(1)) * MM


def _style(element: Any, pattern: re.Pattern[str]) -> float:
    """Return the one number of an element's style attribute as the pattern reads it."""
    found = pattern.match(element.get("style") or "")
    if not found:
        raise Unsupported(f"style {element.get('style')!r}")
    return float(found.group(1))


@dataclass(frozen=True)
class Layout:
    """The numbers the kind gives its stylesheet (Kind.layout), in pt."""

    width: float
    height: float
    top: float
    left: float
    size: float
    line: float
    head_line: float
    title: float
    unit: float
    folio: float
    body_face: str
    head_face: str

    @classmethod
    def of(cls, layout: Mapping[str, str]) -> Layout:
        """Read the layout's custom properties (page-size “297mm 210mm”, page-margin “15mm 15mm 10mm”, …)."""
        try:
            width, height = (_mm(v) for v in layout["page-size"].split())
            top, left = (_mm(v) for v in layout["page-margin"].split()[:2])
            size = float(layout["font-size"].removesuffix("pt"))
            return cls(width, height, top, left, size, _mm(layout["line"]), _mm(layout["head-half-line"]),
                       _mm(layout["title-height"]), _mm(layout["unit-height"]), _mm(layout["folio-height"]),
                       layout["body-face"].strip('"'), layout["head-face"].strip('"'))
        except (KeyError, ValueError) as exc:
            raise Unsupported(f"layout {exc}") from None


@dataclass
class _Page:
    """A page being set: its operators, the next line box's top (pt from the page's top), its anchors."""

    layout: Layout
    used: Used
    y: float
    ops: list[str] = field(default_factory=lambda: ["/Ink gs 0 0 0 rg"])
    dests: dict[str, tuple[float, float]] = field(default_factory=dict)

    def text(self, runs: list[Run], x: float, line_height: float) -> None:
        """Set a line of runs at x in the next line box of that height (baseline from the first run's font)."""
        base = self.layout.height - baseline(self.y, line_height, runs[0].font, runs[0].size)
        for run in runs:
            if run.anchor:
                self.dests[run.anchor] = (x, self.layout.height - self.y)
            if run.text:
                drawn, x = run_ops(run, x, base, self.used, [])
                self.ops += drawn
        self.y += line_height


def _inline(element: Any, face: str, size: float, style: str = "") -> list[Run]:
    """Return a one-line element's text as runs; its spans (.keep, the seal's anchors) set nothing else."""
    out = runs(element.text or "", face, size, style)
    for span in element:
        classes = (span.get("class") or "").split()
        anchor = span.get("id") or ""
        if span.tag != "span" or classes not in ([], ["keep"]) or (anchor and anchor not in ANCHORS):
            raise Unsupported(f"<{span.tag} class={classes} id={anchor}>")
        if anchor:
            out.append(Run("", out[-1].font, size, 0.0, anchor=anchor))
        out += _inline(span, face, size, style)
        out += runs(span.tail or "", face, size, style)
    return [run for run in out if run.text or run.anchor]


def _width(runs: list[Run]) -> float:
    return sum(run.font.width(run.text, run.size, run.spacing) for run in runs)


def _title(page: _Page, h1: Any) -> None:
    """Set the title centred on the table's width in its line (h1.title, 2号小标宋); a title holding a character
    its face lacks (a rare one in the 专业) is WeasyPrint's: the fallback's metrics move its baseline."""
    title = _inline(h1, TITLE_FACE[0], TITLE_PT, TITLE_FACE[1])
    if any(run.font is not title[0].font for run in title if run.text):
        raise Unsupported("a title in two faces")
    lay = page.layout
    page.text(title, lay.left + (lay.width - 2 * lay.left - _width(title)) / 2, lay.title)


def _cells(page: _Page, cells: Any, table_height: float) -> None:
    """Set the header's and the rows' preformatted lines over the grid: a line box each, cells placed by spaces."""
    lay = page.layout
    page.y -= table_height
    for block in cells:
        classes = set((block.get("class") or "").split())
        if block.tag != "div" or len(block) or classes not in ({"head"}, {"body"}, {"body", "fallback"}):
            raise Unsupported(f"cell block {classes}")
        height, top = _style(block, _HEIGHT) * MM, page.y
        face, line = (lay.head_face, lay.head_line) if "head" in classes else (lay.body_face, lay.line)
        for text in (block.text or "").split("\n") if block.text else []:
            page.text(runs(text, face, lay.size), lay.left, line)
        page.y = top + height


def _section(section: Any, lay: Layout, used: Used) -> Sheet:
    """Set one page of the table."""
    page = _Page(lay, used, lay.top)
    grid_height = None
    for element in section:
        classes = element.get("class")
        if element.tag == "h1" and classes == "title":
            _title(page, element)
        elif element.tag == "p" and classes == "unit":
            page.text(_inline(element, lay.body_face, _style(element, _PT)), lay.left, lay.unit)
        elif element.tag == "svg" and classes == "grid":
            grid_height = float(element.get("height", "").removesuffix("mm")) * MM
            page.ops += _rules(element, lay.left, lay.height - page.y)
            page.y += grid_height
        elif element.tag == "div" and classes == "cells" and grid_height is not None:
            _cells(page, element, grid_height)
        elif element.tag == "p" and classes == "folio" and not len(element):
            page.y += _style(element, _MARGIN) * MM
            folio = runs(" ".join((element.text or "").split()), lay.body_face, lay.size)
            page.text(folio, (lay.width - _width(folio)) / 2, lay.folio)
        else:
            raise Unsupported(f"<{element.tag} class={classes}>")
    return Sheet("\n".join(page.ops).encode(), lay.width, lay.height, page.dests)


def _rules(svg: Any, left: float, top: float) -> list[str]:
    """Return the operators stroking the grid's path (horizontal and vertical segments, in mm from its corner)."""
    paths = [p.get("d") or "" for p in svg]
    if len(paths) != 1 or _SEGMENT.sub("", paths[0]):
        raise Unsupported("a grid path other than M…H/V segments")
    ops = [f"q {RULE_MM * MM:.4f} w 0 0 0 RG"]
    for x, y, axis, to in _SEGMENT.findall(paths[0]):
        x0, y0 = left + float(x) * MM, top - float(y) * MM
        x1, y1 = (left + float(to) * MM, y0) if axis == "H" else (x0, top - float(to) * MM)
        ops.append(f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l")
    return [*ops, "S Q"]


def write(html: str, layout: Mapping[str, str]) -> bytes:
    """Return the PDF of a grid document's HTML, or raise Unsupported (WeasyPrint renders it then)."""
    lay = Layout.of(layout)
    root = lxml_html.document_fromstring(html)
    body = root.find("body")
    if body is None or not len(body) or (body.text or "").strip():
        raise Unsupported("no body")
    used = Used()
    sheets = []
    for section in body:
        if section.tag != "section" or section.get("class") != "page" or (section.tail or "").strip():
            raise Unsupported(f"<{section.tag}>")
        sheets.append(_section(section, lay, used))
    return write_pdf(sheets, used, info_of(root, (lay.left, lay.height - lay.top)))
