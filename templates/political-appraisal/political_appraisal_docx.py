"""The DOCX template of 现实表现政治鉴定材料: the lead, the four labelled parts, two signers and the seal."""
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
    add(doc, "{{r closing|lines }}")
    add_signoff(doc)
    keep_with_signoff(doc, first)   # the signature block never stands alone on a page (§7.3.5)
    return doc
