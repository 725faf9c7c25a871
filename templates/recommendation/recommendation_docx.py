"""The DOCX template of 单位推荐意见 / 主管单位推荐意见."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import add, add_paragraphs, add_ruled_lines, add_signoff, keep_with_signoff, new_document


def build() -> Document:
    """Return the Word template."""
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{{ addressee }}", "Plain")
    add(doc, "{{r lead|lines }}")
    add_paragraphs(doc, "remarks")
    add_ruled_lines(doc, "lines")
    first = len(doc.paragraphs)
    add_paragraphs(doc, "conclusion")
    add_signoff(doc)
    keep_with_signoff(doc, first)   # the signature block never stands alone on a page
    return doc
