"""DOCX rendering with docxtpl: autoescaped, in a sandboxed Jinja environment."""
from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from docxtpl import DocxTemplate

from docgen.render import pictures
from docgen.render.jinja import docx_env


class DocxRenderer:
    """Render templates/<name>.docx to DOCX bytes."""

    def __init__(self, templates_dir: Path):
        self.templates_dir = Path(templates_dir)
        self.env = docx_env()

    @cache
    def _template_bytes(self, template: str) -> bytes:
        return (self.templates_dir / template).read_bytes()

    def template(self, template: str) -> DocxTemplate:
        """Open a fresh copy of a template (docxtpl mutates what it renders)."""
        return DocxTemplate(BytesIO(self._template_bytes(template)))

    def render(self, template: str, context: dict) -> bytes:
        """Render the template with the context to DOCX bytes; `&`, `<`, `>` in values stay text."""
        doc = self.template(template)
        doc.render(pictures.for_docx(context, doc), jinja_env=self.env, autoescape=True)
        out = BytesIO()
        doc.save(out)
        return out.getvalue()


@cache
def renderer(templates_dir: str) -> DocxRenderer:
    """Return this process's DOCX renderer for this folder."""
    return DocxRenderer(Path(templates_dir))
