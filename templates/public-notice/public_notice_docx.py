"""The DOCX template of 推荐单位公示."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import add, add_sections, add_signoff, keep_with_signoff, new_document


def build() -> Document:
    """Return the Word template."""
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{{r lead|lines }}")
    add_sections(doc)
    first = len(doc.paragraphs)
    add(doc, "{{r period|lines }}")
    add(doc, "{%p if contact %}")
    add(doc, "{{r contact|lines }}")
    add(doc, "{%p endif %}")
    add_signoff(doc)
    # GB/T 9704 §7.3.5: the signature block and its date never stand alone on a page when a long 业绩成果
    # runs on; the last paragraphs of text go with them
    keep_with_signoff(doc, first)
    return doc
