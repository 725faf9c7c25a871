"""Text measurement: page units, widths of text in the faces that print it, and the lines it takes.

Every kind that sizes a cell or counts lines (the roster's rows, the 免学表's reason cell, the 评审表's cover)
measures here, with the advance widths of the fonts the PDF prints with (docgen.render.fonts), so that a
licensed 仿宋_GB2312 dropped into the fonts folder is measured as it prints.
"""
from __future__ import annotations

import math

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


def pt_to_eighths(pt: float) -> int:
    """Return a rule's width in points in whole eighths of a point (w:sz of a DOCX border)."""
    return round(pt * 8)


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


# --- Lines (breaking them, GB/T 15834 禁则: docgen.render.lines)

def line_count(text: str, width_em: float, measure: fonts.Face, indent_em: float = 0) -> int:
    """Count the lines text fills in a measure, its advance (after a first-line indent) flowing line to line."""
    return math.ceil((measure.ems(text) + indent_em) / width_em)


def kinsoku_measure(width_em: float) -> int:
    """Return the ems a line of CJK text surely holds: whole characters, one less for a punctuation mark
    that 禁则 keeps off the next line's start (it takes its character down with it)."""
    return math.floor(width_em) - 1
