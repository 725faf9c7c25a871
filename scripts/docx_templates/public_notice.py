"""templates/public-notice/document.docx — 推荐单位公示."""
from docx_templates.base import add, add_labelled, add_signoff, bottom_border, new_document


def build():
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{{r lead|ruled }}")
    add(doc, "{%p for section in sections %}")
    add_labelled(doc, "{{ section.label }}", "{{r section.text|ruled }}")
    add(doc, "{%p for paragraph in section.more %}")
    add(doc, "{{ paragraph }}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p for line in section.lines %}", "Plain")
    bottom_border(add(doc, "{{ line }}", "Plain"))
    add(doc, "{%p endfor %}", "Plain")
    add(doc, "{%p endfor %}")
    first = len(doc.paragraphs)
    add(doc, "{{r period|ruled }}")
    add(doc, "{%p if contact %}")
    add(doc, "{{r contact|ruled }}")
    add(doc, "{%p endif %}")
    add_signoff(doc)
    # GB/T 9704 §7.3.5: the signature block and its date never stand alone on a page when a long 业绩成果
    # runs on; the last paragraphs of text go with them
    for paragraph in doc.paragraphs[first:-1]:
        paragraph.paragraph_format.keep_with_next = True
    return doc
