"""The DOCX template of 廉政情况证明: the plain letter."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import simple_letter


def build() -> Document:
    """Return the Word template."""
    return simple_letter()
