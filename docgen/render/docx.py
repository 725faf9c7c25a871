"""DOCX rendering with docxtpl: templates built from their builders, autoescaped, in a sandboxed Jinja environment."""
from __future__ import annotations

import importlib.util
import threading
from functools import cache
from io import BytesIO
from pathlib import Path

from docxtpl import DocxTemplate

from docx.oxml.ns import qn

from docgen.render import pictures
from docgen.render.docx_builder import LINE, slim
from docgen.render.jinja import docx_env

BUILDER = "docx.py"   # templates/<folder>/docx.py: build() -> the Word template (python-docx Document)


class DocxRenderer:
    """Render the DOCX template of templates/<folder>/ to DOCX bytes.

    A template is built by its builder (templates/<folder>/docx.py) the first time a process needs it and
    kept in memory: no generated file is committed, so none can go stale.
    """

    def __init__(self, templates_dir: Path):
        self.templates_dir = Path(templates_dir)
        self.env = docx_env()
        self._lock = threading.Lock()

    def template_bytes(self, folder: str) -> bytes:
        """Return the built template of a folder (built once per process)."""
        with self._lock:   # two threads asking at once build it once
            return self._build(folder)

    @cache
    def _build(self, folder: str) -> bytes:
        path = self.templates_dir / folder / BUILDER
        spec = importlib.util.spec_from_file_location(f"docgen_templates.{folder.replace('-', '_')}", path)
        if spec is None or spec.loader is None or not path.is_file():
            raise FileNotFoundError(f"no DOCX builder {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        doc = module.build()
        slim(doc)
        out = BytesIO()
        doc.save(out)
        return out.getvalue()

    def template(self, folder: str) -> DocxTemplate:
        """Open a fresh copy of a template (docxtpl mutates what it renders)."""
        return DocxTemplate(BytesIO(self.template_bytes(folder)))

    def render(self, folder: str, context: dict, lines_per_page: int = 22) -> bytes:
        """Render the template with the context to DOCX bytes; `&`, `<`, `>` in values stay text.

        `lines_per_page` other than 22 sets the letter's exact line pitch to 225 mm / that number, as the
        PDF was fitted (docgen/render/pdf.py): both formats keep the same letter on one page."""
        doc = self.template(folder)
        doc.render(pictures.for_docx(context, doc), jinja_env=self.env, autoescape=True)
        if lines_per_page != 22:
            _set_pitch(doc.docx, lines_per_page)
        out = BytesIO()
        doc.save(out)
        return out.getvalue()


@cache
def renderer(templates_dir: str) -> DocxRenderer:
    """Return this process's DOCX renderer for this folder."""
    return DocxRenderer(Path(templates_dir))


def _set_pitch(document, lines_per_page: int) -> None:
    """Set every exact 22-lines-a-page spacing (line pitch, the title's space after) to 225 mm / N."""
    standard = str(int(LINE.twips))
    pitch = str(round(LINE.twips * 22 / lines_per_page))
    for spacing in document.styles.element.iter(qn("w:spacing")):
        for key in ("w:line", "w:after"):
            if spacing.get(qn(key)) == standard:
                spacing.set(qn(key), pitch)
