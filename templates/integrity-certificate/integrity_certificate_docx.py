"""The DOCX template of 廉政情况证明: the plain letter."""
from docgen.render.docx_builder import simple_letter


def build():
    return simple_letter()
