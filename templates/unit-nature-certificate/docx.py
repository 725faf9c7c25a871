"""The DOCX template of 单位性质证明: the plain letter."""
from docgen.render.docx_builder import simple_letter


def build():
    return simple_letter()
