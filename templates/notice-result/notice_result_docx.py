"""The DOCX template of 推荐单位公示结果: the plain letter."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import simple_letter


def build() -> Document:
    """Return the Word template."""
    return simple_letter()
