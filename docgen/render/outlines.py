"""Text drawn as filled glyph outlines (PDF path operators), for stamps added after rendering.

A stamp drawn as outlines is a real filled area on paper and on a scan, and it is no text: text extraction,
search and copy-paste see only the document's own words (the PDF and DOCX of a document say the same).
"""
from __future__ import annotations

from functools import cache
from typing import Any

from fontTools.pens.basePen import BasePen

from docgen.render import fonts

Point = tuple[float, float]

STAMP_FACE = "黑体:bold"    # resolved through fonts/fonts.conf (FandolHei Bold, else Noto Sans CJK)


class _PathPen(BasePen):
    """Collect a glyph's outline as PDF path operators in font units."""

    def __init__(self, glyph_set: Any) -> None:
        super().__init__(glyph_set)
        self.ops: list[str] = []

    def _moveTo(self, p: Point) -> None:
        self.ops.append(f"{p[0]:g} {p[1]:g} m")

    def _lineTo(self, p: Point) -> None:
        self.ops.append(f"{p[0]:g} {p[1]:g} l")

    def _curveToOne(self, p1: Point, p2: Point, p3: Point) -> None:
        self.ops.append(f"{p1[0]:g} {p1[1]:g} {p2[0]:g} {p2[1]:g} {p3[0]:g} {p3[1]:g} c")

    def _qCurveToOne(self, p1: Point, p2: Point) -> None:
        # a quadratic Bézier as the cubic with the same curve
        p0 = self._getCurrentPoint()
        c1 = (p0[0] + 2 / 3 * (p1[0] - p0[0]), p0[1] + 2 / 3 * (p1[1] - p0[1]))
        c2 = (p2[0] + 2 / 3 * (p1[0] - p2[0]), p2[1] + 2 / 3 * (p1[1] - p2[1]))
        self._curveToOne(c1, c2, p2)

    def _closePath(self) -> None:
        self.ops.append("h")


def stamp_font_file() -> str:
    """Return the file of the stamp face, resolved through the configured fonts; it must draw Chinese."""
    for name in (STAMP_FACE, "Noto Sans CJK SC:bold"):
        try:
            face = fonts.face(name)
        except fonts.FontMissing:
            continue
        if face.has("新"):
            return face.path
    raise fonts.FontMissing("no Chinese font for stamps: install fonts-noto-cjk or the Fandol fonts "
                            "(scripts/install-system.sh)")


class OutlineFont:
    """One font's glyph outlines, cached per character; widths from the text measurer (fonts.Face)."""

    def __init__(self, path: str):
        self.face = fonts.face_of_file(path)
        self.glyphs = self.face.font.getGlyphSet()
        self.upm = self.face.upm

    @cache
    def glyph(self, char: str) -> str:
        """Return a character's outline as PDF path operators in font units ("" when the face lacks it)."""
        name = self.face.cmap.get(ord(char))
        if name is None:
            return ""
        pen = _PathPen(self.glyphs)
        self.glyphs[name].draw(pen)
        return " ".join(pen.ops)

    def width(self, text: str, size: float) -> float:
        """Return the width of a text at a size (pt)."""
        return self.face.width(text, size)

    def draw(self, text: str, size: float) -> str:
        """Return the operators that fill a text's outlines at a size (pt), baseline at the origin.

        Each glyph is painted on its own (a path cannot span a change of the transformation matrix).
        """
        scale = size / self.upm
        out, x = [], 0.0
        for ch in text:
            path = self.glyph(ch)
            if path:
                out.append(f"q {scale:g} 0 0 {scale:g} {x:.2f} 0 cm {path} f Q")
            x += self.face.advance(ch) * size
        return "\n".join(out)


def stamp_font() -> OutlineFont:
    """Return this process's stamp font (for the configured fonts)."""
    return _outline_font(stamp_font_file())


@cache
def _outline_font(path: str) -> OutlineFont:
    return OutlineFont(path)
