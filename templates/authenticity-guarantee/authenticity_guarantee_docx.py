"""The DOCX template of 专业技术资格评审材料真实性保证书."""
from __future__ import annotations

from docx.document import Document

from docgen.render.docx_builder import add, add_paragraphs, add_ruled_lines, keep_with_signoff, simple_letter


def build() -> Document:
    """Return the Word template."""
    doc = simple_letter()
    # the unit's part: the leader's opinion (typed, or lines to write on), signature, seal and date
    first = len(doc.paragraphs)
    add(doc, "", "Plain")
    add(doc, "{{ leader_label }}", "Plain")
    add_paragraphs(doc, "opinion")
    add_ruled_lines(doc, "lines")
    add(doc, "", "Plain")   # room for the seal, as above the applicant's signature
    add(doc, "{%p for line in unit_signatures %}", "Signoff")
    add(doc, "{{r line|ruled }}", "Signoff")
    add(doc, "{%p endfor %}", "Signoff")
    add(doc, "{{ unit_date }}", "Signoff")
    keep_with_signoff(doc, first)
    return doc
