"""DOCX rendering with docxtpl: templates built from their builders, autoescaped, in a sandboxed Jinja environment."""
from __future__ import annotations

import importlib.util
import re
import threading
import zipfile
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Template

from docx.document import Document
from docx.oxml.ns import qn

from docgen.render import pictures
from docgen.render.docx_builder import LINE, RULE_ALLOWANCE, Builder, slim
from docgen.render.jinja import docx_env

BODY = "word/document.xml"
_ROW = r"<w:tr[ >](?:(?!</w:tr>).)*</w:tr>"
# a table-row loop of one body row: {%tr for row in table.rows %} row {%tr endfor %}
_ROW_LOOP = re.compile(rf"<w:tr[ >](?:(?!</w:tr>).)*\{{%tr for (\w+) in ([^%]+?) %\}}(?:(?!</w:tr>).)*</w:tr>"
                       rf"({_ROW})<w:tr[ >](?:(?!</w:tr>).)*\{{%tr endfor %\}}(?:(?!</w:tr>).)*</w:tr>", re.DOTALL)
_DOCXTPL_TAG = re.compile(r"\{%[prc]|\{\{[prc] |\{%tr|\{%tc|\{#")   # tags only docxtpl understands
MARKER = "docgen-streamed-rows-{}"
ZIP_LEVEL = 1   # the body of a 1000-row roster is 2.3 MB of XML: level 6 takes 3× longer for 10 % less


def builder_file(folder: str) -> str:
    """Return the file name of a template folder's DOCX builder: public-notice → public_notice_docx.py.

    Each name is a valid module name of its own (the folders' hyphens make them no package), so mypy checks
    every builder (pyproject: files) and none shadows python-docx's `docx`.
    """
    return f"{folder.replace('-', '_')}_docx.py"


def load_builder(templates_dir: Path, folder: str) -> Builder:
    """Import templates/<folder>/<folder>_docx.py and return its `build`."""
    path = templates_dir / folder / builder_file(folder)
    spec = importlib.util.spec_from_file_location(f"docgen_templates.{path.stem}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise FileNotFoundError(f"no DOCX builder {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    build: Builder = module.build
    return build


class _Template(DocxTemplate):
    """docxtpl's template, less the work that gives the same result at every render: the template's XML is
    patched for Jinja once per process (patch_xml depends on the XML alone), and the rendered XML is scanned
    for listings only when it holds one (resolve_listing changes nothing else)."""

    def patch_xml(self, src_xml: str) -> str:
        patched = _PATCHED.get(src_xml)
        if patched is None:
            if len(_PATCHED) >= PATCHED_REMEMBERED:   # templates are few: a safeguard, not an eviction policy
                _PATCHED.clear()
            patched = _PATCHED[src_xml] = super().patch_xml(src_xml)
        return patched

    def resolve_listing(self, xml: str) -> str:
        return super().resolve_listing(xml) if any(c in xml for c in LISTING) else xml


_PATCHED: dict[str, str] = {}   # a template part's XML → patched for Jinja (each type's body, headers, footers)
PATCHED_REMEMBERED = 256


class DocxRenderer:
    """Render the DOCX template of templates/<folder>/ to DOCX bytes.

    A template is built by its builder (templates/<folder>/<folder>_docx.py, see `builder_file`) the first
    time a process needs it and kept in memory: no generated file is committed, so none can go stale.
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
        doc = load_builder(self.templates_dir, folder)()
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
        streamed = self._streamed(folder)
        doc = _Template(BytesIO(streamed.template))
        context = pictures.for_docx(context, doc)
        doc.render(context, jinja_env=self.env, autoescape=True)
        if lines_per_page != 22:
            _set_pitch(doc.docx, lines_per_page)
        out = BytesIO()
        doc.save(out)
        if not streamed.loops:
            return out.getvalue()
        return _splice(out.getvalue(), {MARKER.format(n): loop.render(doc, context)
                                        for n, loop in enumerate(streamed.loops)})

    @cache
    def _streamed(self, folder: str) -> _Streamed:
        """Return the template with its simple row loops taken out, to be expanded by _RowLoop."""
        source = self.template_bytes(folder)
        with zipfile.ZipFile(BytesIO(source)) as package:
            xml = package.read(BODY).decode("utf-8")
        loops: list[_RowLoop] = []
        patcher = DocxTemplate(BytesIO(source))

        def take(match: re.Match) -> str:
            name, expression, body = match.groups()
            if _DOCXTPL_TAG.search(body):
                return match.group(0)              # docxtpl's own tags inside: leave the loop to docxtpl
            body = patcher.patch_xml(body)         # the row as docxtpl would render it (tags, spaces kept)
            loops.append(_RowLoop(self.env.from_string(
                f"{{% for {name} in {expression} %}}{body}{{% endfor %}}")))
            return (f"<w:tr><w:tc><w:p><w:r><w:t>{MARKER.format(len(loops) - 1)}</w:t></w:r></w:p></w:tc>"
                    "</w:tr>")

        xml = _ROW_LOOP.sub(take, xml)
        if not loops:
            return _Streamed(source, ())
        out = BytesIO()
        with zipfile.ZipFile(BytesIO(source)) as package, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for item in package.infolist():
                copy.writestr(item, xml.encode("utf-8") if item.filename == BODY else package.read(item))
        return _Streamed(out.getvalue(), tuple(loops))


LISTING = "\n\a\t"    # what docxtpl's resolve_listing turns into line breaks, paragraphs and tabs
CELL_END = "</w:tc>"   # a plain row's cells hold whole paragraphs


@dataclass(frozen=True)
class _Streamed:
    template: bytes
    loops: tuple[_RowLoop, ...]


@dataclass(frozen=True)
class _RowLoop:
    """A `{%tr for %}` loop over one plain table row, expanded without docxtpl.

    docxtpl post-processes the whole rendered document with regular expressions per paragraph and cell
    (listings, tables), ~2 ms a row: 2 s for a 1000-row roster. Here Jinja renders the rows in one loop
    (the row as docxtpl's patch_xml prepares it) and the XML text replaces the marker row that docxtpl saw
    instead of the loop; tests/render/test_docx_rows.py checks the result equals docxtpl's.
    """

    rows: Template

    def render(self, doc: DocxTemplate, context: dict) -> str:
        xml = self.rows.render(context)
        if not any(c in xml for c in LISTING):
            return xml
        # line breaks, paragraphs, tabs in values (a long name broken in two): as docxtpl does, paragraph by
        # paragraph, so only in the cells that hold one (all 12000 cells of a 1000-row roster took 40 % of it)
        return CELL_END.join(doc.resolve_listing(cell) if any(c in cell for c in LISTING) else cell
                             for cell in xml.split(CELL_END))


def _splice(docx: bytes, rows: dict[str, str]) -> bytes:
    """Put each marker row's rows into the body of a saved DOCX (text, not a tree: parsing 1000 rows
    costs more than rendering them)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(docx)) as package, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in package.infolist():
            data = package.read(item)
            if item.filename == BODY:
                xml = data.decode("utf-8")
                for marker, xml_rows in rows.items():
                    def keep(_: re.Match, text: str = xml_rows) -> str:   # the rows as they are, no \1 expansion
                        return text
                    xml, n = re.subn(rf"<w:tr>(?:(?!</w:tr>).)*>{marker}<(?:(?!</w:tr>).)*</w:tr>",
                                     keep, xml, count=1, flags=re.DOTALL)
                    if n != 1:
                        raise RuntimeError(f"DOCX row marker {marker} lost by docxtpl")
                data = xml.encode("utf-8")
            copy.writestr(item, data, compresslevel=ZIP_LEVEL if item.filename == BODY else None)
    return out.getvalue()


@cache
def renderer(templates_dir: str) -> DocxRenderer:
    """Return this process's DOCX renderer for this folder."""
    return DocxRenderer(Path(templates_dir))


def _set_pitch(document: Document, lines_per_page: int) -> None:
    """Set every exact 22-lines-a-page spacing (line pitch, the title's space after) to 225 mm / N, the ruled
    lines' (docx_builder.RULE_ALLOWANCE less) to match."""
    pitch = round(LINE.twips * 22 / lines_per_page)
    pitches = {str(int(LINE.twips)): str(pitch),
               str(int(LINE.twips - RULE_ALLOWANCE.twips)): str(pitch - int(RULE_ALLOWANCE.twips))}
    for spacing in document.styles.element.iter(qn("w:spacing")):
        for key in ("w:line", "w:after"):
            if spacing.get(qn(key)) in pitches:
                spacing.set(qn(key), pitches[spacing.get(qn(key))])
