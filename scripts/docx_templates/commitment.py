"""templates/commitment/document.docx — 个人承诺书."""
from docx_templates.base import add, add_signoff, bottom_border, new_document


def build():
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{{ identity }}", "Plain")
    add(doc, "{%p for paragraph in paragraphs %}")
    add(doc, "{{ paragraph }}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p if hand_copy_label %}", "Plain")
    add(doc, "{{ hand_copy_label }}", "Plain")
    add(doc, "{%p for line in hand_copy_lines %}", "Plain")
    bottom_border(add(doc, "{{ line }}", "Plain"))
    add(doc, "{%p endfor %}", "Plain")
    add(doc, "{%p endif %}", "Plain")
    add_signoff(doc)
    return doc
