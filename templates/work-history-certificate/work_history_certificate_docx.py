"""The DOCX template of 从事专业技术工作经历证明: the plain letter, a paragraph a period."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import simple_letter


def build() -> Document:
    """Return the Word template."""
    return simple_letter()
