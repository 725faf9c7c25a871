"""Text drawn as filled glyph outlines (PDF path operators), for stamps added after rendering.

A stamp drawn as outlines is a real filled area on paper and on a scan, and it is no text: text extraction,
search and copy-paste see only the document's own words (the PDF and DOCX of a document say the same).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

FONTS_CONF = Path(__file__).resolve().parents[2] / "fonts" / "fonts.conf"
STAMP_FACE = "黑体:bold"    # resolved through fonts/fonts.conf (FandolHei Bold, else Noto Sans CJK)


class _PathPen(BasePen):
    """Collect a glyph's outline as PDF path operators in font units."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.ops: list[str] = []

    def _moveTo(self, p):
        self.ops.append(f"{p[0]:g} {p[1]:g} m")

    def _lineTo(self, p):
        self.ops.append(f"{p[0]:g} {p[1]:g} l")

    def _curveToOne(self, p1, p2, p3):
        self.ops.append(f"{p1[0]:g} {p1[1]:g} {p2[0]:g} {p2[1]:g} {p3[0]:g} {p3[1]:g} c")

    def _qCurveToOne(self, p1, p2):
        # a quadratic Bézier as the cubic with the same curve
        p0 = self._getCurrentPoint()
        c1 = (p0[0] + 2 / 3 * (p1[0] - p0[0]), p0[1] + 2 / 3 * (p1[1] - p0[1]))
        c2 = (p2[0] + 2 / 3 * (p1[0] - p2[0]), p2[1] + 2 / 3 * (p1[1] - p2[1]))
        self._curveToOne(c1, c2, p2)

    def _closePath(self):
        self.ops.append("h")


@cache
def stamp_font_file() -> str:
    """Return the file of the stamp face, resolved through fonts/fonts.conf (whether or not WeasyPrint has
    set FONTCONFIG_FILE yet in this process); it must draw Chinese."""
    env = {**os.environ, "FONTCONFIG_FILE": os.environ.get("FONTCONFIG_FILE") or str(FONTS_CONF)}
    if shutil.which("fc-match"):
        for face in (STAMP_FACE, "Noto Sans CJK SC:bold"):
            out = subprocess.run(["fc-match", "-f", "%{file}", face], capture_output=True, text=True,
                                 env=env, timeout=10).stdout.strip()
            if out.lower().endswith((".otf", ".ttf", ".ttc", ".otc")) and _draws_chinese(out):
                return out
    raise RuntimeError("no Chinese font for stamps: install fonts-noto-cjk or the Fandol fonts "
                       "(scripts/install-system.sh)")


def _draws_chinese(path: str) -> bool:
    with TTFont(path, fontNumber=0, lazy=True) as font:
        return ord("新") in font.getBestCmap()


class OutlineFont:
    """One font's glyph outlines, cached per character."""

    def __init__(self, path: str):
        self.font = TTFont(path, fontNumber=0, lazy=True)
        self.glyphs = self.font.getGlyphSet()
        self.cmap = self.font.getBestCmap()
        self.upm = self.font["head"].unitsPerEm

    @cache
    def glyph(self, char: str) -> tuple[str, float]:
        """Return a character's outline (PDF path operators, font units) and its advance (font units)."""
        name = self.cmap.get(ord(char))
        if name is None:
            return "", self.upm / 2
        pen = _PathPen(self.glyphs)
        self.glyphs[name].draw(pen)
        return " ".join(pen.ops), self.glyphs[name].width

    def width(self, text: str, size: float) -> float:
        """Return the width of a text at a size (pt)."""
        return sum(self.glyph(ch)[1] for ch in text) * size / self.upm

    def draw(self, text: str, size: float) -> str:
        """Return the operators that fill a text's outlines at a size (pt), baseline at the origin.

        Each glyph is painted on its own (a path cannot span a change of the transformation matrix).
        """
        scale = size / self.upm
        out, x = [], 0.0
        for ch in text:
            path, advance = self.glyph(ch)
            if path:
                out.append(f"q {scale:g} 0 0 {scale:g} {x:.2f} 0 cm {path} f Q")
            x += advance * scale
        return "\n".join(out)


@cache
def stamp_font() -> OutlineFont:
    """Return this process's stamp font."""
    return OutlineFont(stamp_font_file())
