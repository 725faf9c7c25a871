"""templates/authenticity-guarantee/document.docx — 专业技术资格评审材料真实性保证书."""

from docx_templates.base import add, add_signoff, bottom_border, new_document


def build():
    doc = new_document()
    # LibreOffice hangs a line-end ，。 in the margin and, in a justified paragraph, does not draw it
    # (the text would lose a comma); CJK lines are full either way, so align left like the PDF
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{%p for paragraph in paragraphs %}")
    add(doc, "{{r paragraph|ruled }}")
    add(doc, "{%p endfor %}")
    add_signoff(doc)
    # the unit's part: the leader's opinion (typed, or lines to write on), signature, seal and date
    first = len(doc.paragraphs)
    add(doc, "", "Plain")
    add(doc, "{{ leader_label }}", "Plain")
    add(doc, "{%p for paragraph in opinion %}")
    add(doc, "{{ paragraph }}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p for line in lines %}", "Plain")
    bottom_border(add(doc, "{{ line }}", "Plain"))
    add(doc, "{%p endfor %}", "Plain")
    add(doc, "", "Plain")   # room for the seal, as above the applicant's signature
    add(doc, "{%p for line in unit_signatures %}", "Signoff")
    add(doc, "{{r line|ruled }}", "Signoff")
    add(doc, "{%p endfor %}", "Signoff")
    add(doc, "{{ unit_date }}", "Signoff")
    for paragraph in doc.paragraphs[first:-1]:
        paragraph.paragraph_format.keep_with_next = True
    return doc
