"""The DOCX template of 任现职以来个人业务技术总结."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import add, add_paragraphs, add_ruled_lines, add_signoff, keep_with_signoff, new_document


def build() -> Document:
    """Return the Word template."""
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add_paragraphs(doc)
    add_ruled_lines(doc, "lines")   # the blank form: lines to write on
    first = len(doc.paragraphs)
    add_paragraphs(doc, "closing")
    add_signoff(doc)
    keep_with_signoff(doc, first)   # the sign-off never stands alone on a page
    # seed 003: the 组织人事部门's opinion, seal and date
    first = len(doc.paragraphs)
    add(doc, "{%p if review %}", "Plain")
    add(doc, "", "Plain")
    add(doc, "{{ review.label }}{{ review.opinion }}", "Plain")
    add(doc, "", "Plain")
    add(doc, "{%p for line in review.signatures %}", "Signoff")
    add(doc, "{{r line|ruled }}", "Signoff")
    add(doc, "{%p endfor %}", "Signoff")
    add(doc, "{{ review.date }}", "Signoff")
    keep_with_signoff(doc, first)   # up to its date, the document's last line
    add(doc, "{%p endif %}", "Plain")
    return doc
