"""templates/integrity-certificate/document.docx — 廉政情况证明."""

from docx_templates.base import add, add_signoff, new_document


def build():
    doc = new_document()
    # LibreOffice hangs a line-end ，。 in the margin and, in a justified paragraph, does not draw it
    # (the text would lose a comma); CJK lines are full either way, so align left like the PDF
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{%p for paragraph in paragraphs %}")
    add(doc, "{{r paragraph|ruled }}")
    add(doc, "{%p endfor %}")
    add_signoff(doc)
    return doc
