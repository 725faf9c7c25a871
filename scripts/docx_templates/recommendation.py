"""templates/recommendation/document.docx — 单位推荐意见 / 主管单位推荐意见."""

from docx_templates.base import add, add_signoff, bottom_border, new_document


def build():
    doc = new_document()
    # LibreOffice hangs a line-end ，。 in the margin and, in a justified paragraph, does not draw it
    # (the text would lose a comma); CJK lines are full either way, so align left like the PDF
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{{ addressee }}", "Plain")
    add(doc, "{{r lead|ruled }}")
    add(doc, "{%p for paragraph in remarks %}")
    add(doc, "{{ paragraph }}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p for line in lines %}", "Plain")
    bottom_border(add(doc, "{{ line }}", "Plain"))
    add(doc, "{%p endfor %}", "Plain")
    first = len(doc.paragraphs)
    add(doc, "{%p for paragraph in conclusion %}")
    add(doc, "{{r paragraph|ruled }}")
    add(doc, "{%p endfor %}")
    add_signoff(doc)
    # GB/T 9704 §7.3.5: the signature block never stands alone on a page — the conclusion goes with it
    for paragraph in doc.paragraphs[first:-1]:
        paragraph.paragraph_format.keep_with_next = True
    return doc
