"""The DOCX template of 推荐单位公示结果: the plain letter."""
from docgen.render.docx_builder import simple_letter


def build():
    return simple_letter()
