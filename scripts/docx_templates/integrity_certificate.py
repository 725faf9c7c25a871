"""templates/integrity-certificate/document.docx — 廉政情况证明: the plain letter."""
from docx_templates.base import simple_letter


def build():
    return simple_letter()
