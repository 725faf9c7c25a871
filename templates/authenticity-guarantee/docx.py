"""The DOCX template of 专业技术资格评审材料真实性保证书."""
from docgen.render.docx_builder import add, add_paragraphs, add_ruled_lines, add_signoff, keep_with_signoff, new_document


def build():
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add_paragraphs(doc)
    # the unit leader's opinion (typed, or lines to write on) goes on the page of the signatures
    first = len(doc.paragraphs)
    add(doc, "", "Plain")   # a line of room, as in the seed
    add(doc, "{{ leader_label }}", "Plain")
    add_paragraphs(doc, "opinion")
    add_ruled_lines(doc, "lines")
    add_signoff(doc)
    keep_with_signoff(doc, first)
    return doc
