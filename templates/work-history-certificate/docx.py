"""The DOCX template of 从事专业技术工作经历证明: the plain letter, a paragraph a period."""
from docgen.render.docx_builder import simple_letter


def build():
    return simple_letter()
