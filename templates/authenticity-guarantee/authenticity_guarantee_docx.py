"""The DOCX template of 专业技术资格评审材料真实性保证书."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import add, add_paragraphs, add_ruled_lines, add_signoff, keep_with_signoff, new_document


def build() -> Document:
    """Return the Word template: the guarantee, the unit leader's opinion (typed, or lines to write on), then one
    sign-off for the unit and the applicant, as the seed sets them (003 附件5)."""
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add_paragraphs(doc)
    # the unit leader's opinion goes on the page of the signatures
    first = len(doc.paragraphs)
    add(doc, "", "Plain")   # a line of room, as in the seed
    add(doc, "{{ leader_label }}", "Plain")
    add_paragraphs(doc, "opinion")
    add_ruled_lines(doc, "lines")
    add_signoff(doc)
    keep_with_signoff(doc, first)
    return doc
