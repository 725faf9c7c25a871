"""DOCX rendering: each template built from its builder and compiled once into its parts and its body as a Jinja
template (docxtpl's patching), rendered into a package that the finish adds to and writes once."""
from __future__ import annotations

import importlib.util
import itertools
import re
import threading
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Template
from lxml import etree

from docx.oxml.ns import qn

from docgen.render import pictures
from docgen.render.docx_builder import LINE, RULE_ALLOWANCE, Builder, slim
from docgen.render.jinja import docx_env
from docgen.render.package import BODY, STYLES, Deflated, Package

LISTING = "\n\a\t\f"   # what docxtpl's resolve_listing turns into line breaks, paragraphs, tabs and page breaks
PARAGRAPH_END = "</w:p>"
_PARAGRAPH = re.compile(r"<w:p([ >])")   # render_xml_part puts \n before each paragraph for Jinja
_BODY_START = re.compile(r"<w:body[ >][^>]*>")   # its namespaces declared again: the document has them
BODY_START = "<w:body>"
_DRAWING_ID = re.compile(r'(<wp:docPr\b[^>]*?\sid=")\d*(")')
_SPACING = re.compile(rb"<w:spacing [^>]*>")
_PITCH = re.compile(rb'( w:(?:line|after)=")(\d+)(")')
_TEMPLATED = re.compile(r"\{[{%#]")   # Jinja's tags, as patch_xml leaves them
_CONTROL_ROW = re.compile(r"\{([%{#])(tr|tc) ")   # a row or cell docxtpl's patch_xml replaces by its tag
_BLOCK_TAG = re.compile(r"\{%-?\s*(?:(?:tr|tc|p|r)\s+)?(\w+)")
OPENERS = {"for", "if", "with", "macro", "call", "filter", "block", "raw", "autoescape"}
CELL_TAGS = {"colspan", "cellbg", "hm", "vm"}   # docxtpl's tags that change a row's cells
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")   # docxtpl's render_properties
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
DRAWING_IDS = 1000   # docxtpl's fix_docpr_ids numbers the body's drawings from 1001


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
    patched for Jinja once per process (patch_xml depends on the XML alone)."""

    def patch_xml(self, src_xml: str) -> str:
        patched = _PATCHED.get(src_xml)
        if patched is None:
            if len(_PATCHED) >= PATCHED_REMEMBERED:   # templates are few: a safeguard, not an eviction policy
                _PATCHED.clear()
            patched = _PATCHED[src_xml] = super().patch_xml(src_xml)
        return patched


_PATCHED: dict[str, str] = {}   # a template part's XML → patched for Jinja (each type's body, headers, footers)
PATCHED_REMEMBERED = 256


class DocxRenderer:
    """Render the DOCX template of templates/<folder>/ to a DOCX package.

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
        return _Template(BytesIO(self.template_bytes(folder)))

    def render(self, folder: str, context: dict, lines_per_page: int = 22) -> bytes:
        """Render the template with the context to DOCX bytes (see `package`)."""
        return self.package(folder, context, lines_per_page).save()

    def package(self, folder: str, context: dict, lines_per_page: int = 22) -> Package:
        """Render the template with the context into a DOCX package; `&`, `<`, `>` in values stay text.

        The package is what docxtpl renders and saves (tests/render/test_docx_compiled.py), made from the compiled
        template, or by docxtpl for a template whose headers, footers, footnotes or properties hold tags.
        `lines_per_page` other than 22 sets the letter's exact line pitch to 225 mm / that number, as the
        PDF was fitted (docgen/render/pdf.py): both formats keep the same letter on one page."""
        compiled = self.compiled(folder)
        package = compiled.render(context) if compiled else self.docxtpl(folder, context)
        if lines_per_page != 22:
            package.parts[STYLES] = _set_pitch(package.parts[STYLES], lines_per_page)
        return package

    def docxtpl(self, folder: str, context: dict) -> Package:
        """Render the template with docxtpl alone."""
        doc = self.template(folder)
        doc.render(pictures.for_docx(context, doc), jinja_env=self.env, autoescape=True)
        out = BytesIO()
        doc.save(out)
        return Package.read(out.getvalue())

    @cache
    def compiled(self, folder: str) -> Compiled | None:
        """Return the template compiled (once per process), or None where docxtpl must render it."""
        return Compiled.of(self.template_bytes(folder), self.env)


@dataclass(frozen=True)
class Compiled:
    """A template as docxtpl renders it, done once: every part but the body as docxtpl saves it (nothing in them
    templated), the body patched for Jinja by docxtpl's patch_xml; a render is Jinja on the body's text, docxtpl's
    resolve_listing where the text holds a listing, and the pictures added as python-docx adds them."""

    parts: dict[str, bytes]       # the parts as docxtpl saves them, word/document.xml's left to the render
    deflated: dict[str, Deflated]  # and compressed for the zip
    head: str                     # word/document.xml up to its body
    tail: str                     # and after it
    body: Template                # from <w:body>, its namespaces taken from the document
    body_start: str               # <w:body> declaring them, for fix_tables
    docxtpl: DocxTemplate         # for resolve_listing and fix_tables
    fix_tables: bool              # a table may change (_tables_stay): the body parsed and fixed as docxtpl does
    next_id: int                  # the shape id python-docx gives a picture (StoryPart.next_id)

    @classmethod
    def of(cls, source: bytes, env: Any) -> Compiled | None:
        """Return a template compiled, or None if tags outside its body (or footnotes) need docxtpl."""
        doc = _Template(BytesIO(source))
        doc.render_init()
        if _tagged_outside_body(doc):
            return None
        for uri in (doc.HEADER_URI, doc.FOOTER_URI):   # rendered as docxtpl does: none holds a tag
            for key, xml in doc.build_headers_footers_xml({}, uri, env):
                doc.map_headers_footers_xml(key, xml)
        doc.render_properties({}, env)
        body = doc.docx.element.body
        source_xml = doc.get_xml()
        next_id = doc.docx.part.next_id
        doc.is_rendered = True   # else docxtpl's save opens the template again
        out = BytesIO()
        doc.save(out)
        package = Package.read(out.getvalue())
        document = package.parts[BODY].decode("utf-8")
        package.parts[BODY] = b""   # the rendered body's, in its place
        patched = doc.patch_xml(source_xml)
        start = _BODY_START.match(patched)
        if start is None:
            raise ValueError("the template's body has no <w:body>")
        deflated = {name: Deflated.of(data, name) for name, data in package.parts.items() if name != BODY}
        head, tail = document[:document.index("<w:body")], document[document.rindex("</w:body>") + len("</w:body>"):]
        return cls(package.parts, deflated, head, tail,
                   env.from_string(_PARAGRAPH.sub(r"\n<w:p\1", BODY_START + patched[start.end():])), start[0],
                   doc, not _tables_stay(body), next_id)

    def render(self, context: dict) -> Package:
        """Render the body with the context into a package of the template's parts."""
        package = Package(dict(self.parts), self.deflated)
        xml = self.body.render(pictures.for_docx(context, _Pictures(package, self.next_id)))
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")   # render_xml_part's \n taken out
        if "{_" in xml or "_}" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in LISTING):
            xml = _resolve_listing(self.docxtpl, xml)
        if self.fix_tables:
            tree = self.docxtpl.fix_tables(self.body_start + xml.removeprefix(BODY_START))
            xml = BODY_START + _BODY_START.sub("", etree.tostring(tree, encoding="unicode"), count=1)
        if "<wp:docPr" in xml:
            ids = itertools.count(DRAWING_IDS + 1)
            xml = _DRAWING_ID.sub(lambda m: f"{m[1]}{next(ids)}{m[2]}", xml)
        package.parts[BODY] = (self.head + xml + self.tail).encode("utf-8")
        return package


class _Pictures:
    """What docxtpl's InlineImage asks of the template it renders into (its current part's new_pic_inline): the
    picture added to the package as python-docx's StoryPart adds it."""

    def __init__(self, package: Package, next_id: int):
        self.package = package
        self.next_id = next_id

    @property
    def current_rendering_part(self) -> _Pictures:
        return self

    def new_pic_inline(self, image_descriptor: Any, width: int | None = None, height: int | None = None) -> Any:
        """Return the w:inline of a picture, its part and relationship added to the package."""
        from docx.image.image import Image
        from docx.oxml.shape import CT_Inline

        image = Image.from_file(image_descriptor)
        target = self.package.add_media(image.blob, image.ext, image.content_type).removeprefix("word/")
        cx, cy = image.scaled_dimensions(width, height)
        return CT_Inline.new_pic_inline(self.next_id, self.package.relate("image", target), image.filename, cx, cy)


def _resolve_listing(docxtpl: DocxTemplate, xml: str) -> str:
    """Return docxtpl's resolve_listing of the XML, run on the paragraphs that hold a listing only (it rewrites
    each paragraph on its own, from its start to the first </w:p>: the same result, without matching every
    paragraph of a 1000-row table)."""
    held = [c for c in LISTING if c in xml]   # str.find, not a regular expression: 10 ms less on 2.4 MB
    pieces, done = [], 0
    while (at := _first(xml, held, done)) >= 0:
        start = xml.rfind(PARAGRAPH_END, done, at)
        start = done if start < 0 else start + len(PARAGRAPH_END)
        end = xml.find(PARAGRAPH_END, at)
        end = len(xml) if end < 0 else end + len(PARAGRAPH_END)
        pieces += [xml[done:start], docxtpl.resolve_listing(xml[start:end])]
        done = end
    return "".join(pieces) + xml[done:]


def _first(text: str, chars: list[str], start: int) -> int:
    """Return where the first of the characters is in the text from `start`, or -1."""
    return min((i for i in (text.find(c, start) for c in chars) if i >= 0), default=-1)


def _tagged_outside_body(doc: DocxTemplate) -> bool:
    """Tell whether a header, footer, footnotes part or core property holds a Jinja tag (docxtpl renders them too)."""
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        if any(_TEMPLATED.search(doc.patch_xml(doc.get_part_xml(part))) for _, part in doc.get_headers_footers(uri)):
            return True
    if any(part.content_type == FOOTNOTES for part in doc.docx.part.package.parts):
        return True
    return any("{" in (getattr(doc.docx.core_properties, name) or "") for name in PROPERTIES)


def _tables_stay(body: Any) -> bool:
    """Tell whether docxtpl's fix_tables leaves the tables of every rendering of this body as they are.

    It widens a table's grid to its row of the most cells and narrows it to its widest row. Neither happens when
    rows are only repeated or left out whole ({%tr %}), each cell's blocks open and close inside it, no tag
    changes cells ({%tc %}, colspan, hm, vm), no row has more cells than the grid, and a row as wide as the grid
    is always there (outside every {%tr %} block). Values print runs, never cells."""
    return all(_table_stays(table) for table in body.iter(qn("w:tbl")))


def _table_stays(table: Any) -> bool:
    """Tell whether fix_tables leaves this table as it is in every rendering (_tables_stay)."""
    if any(inner is not table for inner in table.iter(qn("w:tbl"))):
        return False   # fix_tables counts a nested table's rows as the outer one's
    columns = len(table.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}"))
    depth, full = 0, False
    for row in table.iter(qn("w:tr")):
        control = _CONTROL_ROW.search("".join(row.itertext()))
        change = _control_change(control) if control else _row_change(row, columns)
        if change is None or depth + change < 0:
            return False
        depth += change
        full = full or (not control and depth == 0 and sum(map(_span, row.findall(qn("w:tc")))) >= columns)
    return depth == 0 and full


def _control_change(control: re.Match[str]) -> int | None:
    """Return how a row that patch_xml replaces by its first tag ({%tr for %}) opens (1) or closes (-1) a block,
    or None for a cell's tag ({%tc %})."""
    if control[2] == "tc":
        return None
    if control[1] != "%":
        return 0   # {{tr x }}, {#tr #}: no block
    keywords = _BLOCK_TAG.findall(control.string, control.start())
    return _change(keywords[0]) if keywords else None


def _row_change(row: Any, columns: int) -> int | None:
    """Return 0 for a row whose cells fit the grid and keep their blocks inside, else None."""
    cells = row.findall(qn("w:tc"))
    if len(cells) > columns or not all(_balanced(_BLOCK_TAG.findall("".join(cell.itertext()))) for cell in cells):
        return None
    return 0


def _change(keyword: str) -> int | None:
    """Return how a tag opens (1) or closes (-1) a block, or None for a tag that changes cells."""
    if keyword in CELL_TAGS:
        return None
    return 1 if keyword in OPENERS else -1 if keyword.startswith("end") else 0


def _balanced(keywords: list[str]) -> bool:
    """Tell whether tags (their keywords, in order) close every block they open and no other, changing no cell."""
    depth = 0
    for keyword in keywords:
        change = _change(keyword)
        if change is None or depth + change < 0:
            return False
        depth += change
    return depth == 0


def _span(cell: Any) -> int:
    span = cell.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
    return int(span.get(qn("w:val"))) if span is not None else 1


@cache
def renderer(templates_dir: str) -> DocxRenderer:
    """Return this process's DOCX renderer for this folder."""
    return DocxRenderer(Path(templates_dir))


def _set_pitch(styles: bytes, lines_per_page: int) -> bytes:
    """Return styles.xml with every exact 22-lines-a-page spacing (line pitch, the title's space after) set to
    225 mm / N, the ruled lines' (docx_builder.RULE_ALLOWANCE less) to match."""
    pitch = round(LINE.twips * 22 / lines_per_page)
    pitches = {str(int(LINE.twips)).encode(): str(pitch).encode(),
               str(int(LINE.twips - RULE_ALLOWANCE.twips)).encode(): str(pitch - int(RULE_ALLOWANCE.twips)).encode()}

    def spacing(match: re.Match[bytes]) -> bytes:
        return _PITCH.sub(lambda value: value[1] + pitches.get(value[2], value[2]) + value[3], match[0])
    return _SPACING.sub(spacing, styles)
