"""templates/notice-result/document.docx — 推荐单位公示结果."""
from docx_templates.base import add, add_signoff, new_document


def build():
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{%p for paragraph in paragraphs %}")
    add(doc, "{{r paragraph|ruled }}")
    add(doc, "{%p endfor %}")
    add_signoff(doc)
    return doc
