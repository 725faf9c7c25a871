"""Text measurement: page units, widths of text in the faces that print it, and the lines it takes.

Every kind that sizes a cell or counts lines (the roster's rows, the 免学表's reason cell, the 评审表's cover)
measures here, with the advance widths of the fonts the PDF prints with (docgen.render.fonts), so that a
licensed 仿宋_GB2312 dropped into the fonts folder is measured as it prints.
"""
from __future__ import annotations

import math
import re

from docgen.render import fonts

# --- Units. A point is 1/72 inch, a twip (Word's dxa) 1/20 point, an inch 25.4 mm.
MM_PER_INCH, PT_PER_INCH, TWIPS_PER_PT = 25.4, 72, 20
TWIPS_PER_INCH = PT_PER_INCH * TWIPS_PER_PT
TWIPS_PER_MM = TWIPS_PER_INCH / MM_PER_INCH


def pt_to_mm(pt: float) -> float:
    """Return a length in points (a type size: one em) in millimetres."""
    return pt * MM_PER_INCH / PT_PER_INCH


def mm_to_pt(mm: float) -> float:
    """Return a length in millimetres in points."""
    return mm * PT_PER_INCH / MM_PER_INCH


def mm_to_twips(mm: float) -> int:
    """Return a length in millimetres in whole twips (w:trHeight, w:tcMar, w:spacing of a DOCX)."""
    return round(mm / MM_PER_INCH * TWIPS_PER_INCH)


def ems_in(width_mm: float, size_pt: float) -> float:
    """Return how many ems of a type size fit in a width."""
    return width_mm / pt_to_mm(size_pt)


# --- Widths

def face(name: str) -> fonts.Face:
    """Return the measurer of a face name as this process's fonts resolve it."""
    return fonts.face(name)


def width_mm(text: str, face_name: str, size_pt: float) -> float:
    """Return the advance of a text at a type size, in mm."""
    return face(face_name).ems(text) * pt_to_mm(size_pt)


# --- Lines. GB/T 15834 禁则: no line starts with closing punctuation or “·”.

CLOSING = "，。、；：！？）》」』】〕’”·,.;:!?)%"
OPENING = "（《「『【〔‘“(["
# what is kept on one line when possible: a bracketed group, a Latin/digit run, a character and the
# closing punctuation after it (no line starts with ） or ，)
_TOKEN = re.compile(rf"[（(][^（）()]{{0,10}}[）)]|[A-Za-z0-9.\-/]+[{CLOSING}]*|.[{CLOSING}]*", re.S)
_NAME_PART = re.compile(r"[^·]+·?")
_EPSILON = 1e-9


def _tokens(text: str) -> list[str]:
    """Split text into what is kept together: a transliterated name (阿不都热合曼·买买提) breaks after its
    dots, not inside a name part; other text by _TOKEN."""
    return _NAME_PART.findall(text) if "·" in text else _TOKEN.findall(text)


class _Lines:
    """The lines being filled by wrap(): the finished ones, the current one and its advance."""

    def __init__(self, measure: fonts.Face, width_em: float):
        self.face, self.width = measure, width_em
        self.done: list[str] = []
        self.line, self.used = "", 0.0

    def fits(self, w: float) -> bool:
        return self.used + w <= self.width + _EPSILON

    def add(self, text: str, w: float) -> None:
        self.line, self.used = self.line + text, self.used + w

    def new_line(self, start: str = "") -> None:
        self.done.append(self.line)
        self.line, self.used = start, self.face.ems(start)

    def add_broken(self, token: str) -> None:
        """Add a token longer than a line character by character; no line starts with closing punctuation:
        the character before goes down with it."""
        for ch in token:
            cw = self.face.ems(ch)
            if self.line and not self.fits(cw):
                carry = self.line[-1] if ch in CLOSING and len(self.line) > 1 else ""
                self.line = self.line[:len(self.line) - len(carry)]
                self.new_line(carry)
            self.add(ch, cw)

    def result(self) -> list[str]:
        if self.line or not self.done:
            self.done.append(self.line)
        return self.done


def wrap(text: str, width_em: float, measure: fonts.Face) -> list[str]:
    """Break `text` into lines of at most `width_em`, keeping tokens together where they fit (禁则)."""
    lines = _Lines(measure, width_em)
    for token in _tokens(text):
        w = measure.ems(token)
        if lines.fits(w):
            lines.add(token, w)
        elif lines.line and w <= width_em:
            lines.new_line()
            lines.add(token, w)
        else:
            lines.add_broken(token)
    return lines.result()


def balanced(text: str, width_em: float, measure: fonts.Face) -> list[str]:
    """Wrap into as few lines as `wrap` does, but of even length (拟晋升专业 / 技术职务)."""
    lines = wrap(text, width_em, measure)
    target = measure.ems(text) / len(lines)
    while target < width_em:
        even = wrap(text, target, measure)
        if len(even) == len(lines):
            return even
        target += 0.5
    return lines


def line_count(text: str, width_em: float, measure: fonts.Face, indent_em: float = 0) -> int:
    """Count the lines text fills in a measure, its advance (after a first-line indent) flowing line to line."""
    return math.ceil((measure.ems(text) + indent_em) / width_em)


def kinsoku_measure(width_em: float) -> int:
    """Return the ems a line of CJK text surely holds: whole characters, one less for a punctuation mark
    that 禁则 keeps off the next line's start (it takes its character down with it)."""
    return math.floor(width_em) - 1
