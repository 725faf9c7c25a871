"""The DOCX template of 个人承诺书."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import add, add_paragraphs, add_ruled_lines, add_signoff, new_document


def build() -> Document:
    """Return the Word template."""
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add_paragraphs(doc)
    add(doc, "{%p if hand_copy_label %}", "Plain")
    add(doc, "{{ hand_copy_label }}", "Plain")
    add_ruled_lines(doc, "hand_copy_lines")
    add(doc, "{%p endif %}", "Plain")
    add_signoff(doc)
    return doc
