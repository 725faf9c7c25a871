"""templates/notice-result/document.docx — 推荐单位公示结果: the plain letter."""
from docx_templates.base import simple_letter


def build():
    return simple_letter()
