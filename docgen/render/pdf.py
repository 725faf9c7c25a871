"""PDF rendering with WeasyPrint: one FontConfiguration per process, fetching only our own files."""
from __future__ import annotations

import hashlib
import os
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.request import url2pathname

import pydyf
import weasyprint
from jinja2 import meta
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from docgen.render import book_pdf, form_pdf, grid_pdf, justify, letter_pdf
from docgen.render.jinja import html_env

BASE_CSS = "_base/gbt9704.css"   # GB/T 9704 page and type: under every document's own stylesheet
# pydyf deflates every stream at level 9. Measured on our PDFs (bench/run): level 3 writes them 1.3–3.5×
# faster than 9 (0.3–4.6 ms a page) for 1.4 % more bytes; level 1 saves another ~0.1 ms for 1 % more.
ZLIB_LEVEL = 3


class _Deflate:
    """pydyf's zlib, at docgen's level (pydyf calls zlib.compressobj(level=9) and zlib.compress(data))."""

    @staticmethod
    def compressobj(level: int = ZLIB_LEVEL, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(ZLIB_LEVEL, *args, **kwargs)

    @staticmethod
    def compress(data: bytes, level: int = ZLIB_LEVEL) -> bytes:
        return zlib.compress(data, ZLIB_LEVEL)


def install_deflate() -> None:
    """Make pydyf deflate at ZLIB_LEVEL (docgen.bootstrap calls it once per process)."""
    pydyf.zlib = _Deflate


LETTER = "_base/letter.html"
# One-page letters are written by docgen.render.letter_pdf (the default, "direct"); DOCGEN_LETTER_WRITER=weasyprint
# sends every document through WeasyPrint (tests compare the two: tests/render/test_letter_pdf.py)
LETTER_WRITER = "DOCGEN_LETTER_WRITER"
LINES_PER_PAGE, MAX_LINES_PER_PAGE = letter_pdf.LINES_PER_PAGE, 28   # 28: a 1.4 line pitch, still open to read
TEXT_HEIGHT_MM = 225   # GB/T 9704 §5.2.2 版心高


FITS_REMEMBERED = 256   # documents whose lines a page and pages are kept: the DOCX of a batch item follows its PDF
SURELY_FITS = 14   # body lines that leave room for the title, the sign-off and its seal on one page
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _estimated_lines(html: str) -> int:
    """Count the lines the paragraphs of a letter take, at 28 characters a line (at most one too many each)."""
    return sum(len(_TAG.sub("", text).strip()) // 27 + 1 for text in _PARAGRAPH.findall(html))


def _surely_overflows(html: str) -> bool:
    """Tell whether a letter's paragraphs fill more than a page even at the tightest pitch (a long text such as
    the work summary): counted at half an em a character (Latin digits), a lower bound of its lines."""
    return sum(len(_TAG.sub("", text).strip()) // 56 for text in _PARAGRAPH.findall(html)) > MAX_LINES_PER_PAGE


def _fit_key(html: str, context: dict, layout: Mapping[str, str] | None) -> str:
    """Key a letter's fit by its HTML and layout, less its document id (fixed length: the same lines either way)."""
    html = html.replace(context["document_id"], "") if context.get("document_id") else html
    return hashlib.sha256(repr((html, sorted((layout or {}).items()))).encode()).hexdigest()


@cache
def _pitch_css(lines: int, font_config: FontConfiguration) -> weasyprint.CSS:
    """Return the stylesheet that sets a letter in `lines` lines a page (the title and blank lines follow)."""
    pitch = f"{TEXT_HEIGHT_MM / lines:.3f}mm"
    return weasyprint.CSS(string=f"html {{ line-height: {pitch}; }} h1.title {{ margin-bottom: {pitch}; }} "
                                 f".signoff {{ margin-top: {pitch}; }} .blankline {{ height: {pitch}; }}",
                          font_config=font_config)


class PdfRenderer:
    """Render templates/<name>.html to PDF bytes."""

    def __init__(self, templates_dir: Path, fonts_dir: Path):
        if not justify.installed():   # docgen.bootstrap patches WeasyPrint and points fontconfig at the fonts
            raise RuntimeError("docgen.bootstrap.bootstrap() has not run in this process: call it at start")
        self.templates_dir = Path(templates_dir).resolve()
        self.env = html_env(self.templates_dir)
        # FACTS.md: a FontConfiguration per render grows RSS without bound; one per process
        self.font_config = FontConfiguration()
        self._lock = threading.Lock()
        # a document's HTML and layout → the lines a page and the pages its PDF took (one copy, before finishing)
        self._fits: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self.fetcher = _LocalFetcher(roots=(self.templates_dir, Path(fonts_dir).resolve()))

    def html(self, template: str, context: dict) -> str:
        """Return the HTML a template renders for a context (also what the text-equality test reads)."""
        return self.env.get_template(template).render(context)

    def render(self, template: str, context: dict, layout: Mapping[str, str] | None = None) -> bytes:
        """Render the template with the context to PDF bytes; `layout` are CSS custom properties
        (name → value) its stylesheet reads with var(--name): numbers the Python code needs too. A letter is kept
        on one page where it can be (lines_per_page). A PDF/A copy is this PDF finished (docgen.render.finish)."""
        html = self.html(template, context)
        if (direct := self._directly(template, html, context, layout)) is not None:
            return direct
        document, _ = self._fitted(template, html, context, layout)
        with self._lock:
            return document.write_pdf()

    def _directly(self, template: str, html: str, context: dict, layout: Mapping[str, str] | None) -> bytes | None:
        """Write the document without WeasyPrint where a direct writer sets it (a one-page letter, the roster, a
        one-page form), remembering its lines and pages; None where WeasyPrint lays it out, or with
        DOCGEN_LETTER_WRITER=weasyprint."""
        if os.environ.get(LETTER_WRITER, "direct") != "direct":
            return None
        return self._direct(template, html, context) if not layout else self._table(html, context, layout)

    def _known(self, template: str, html: str, context: dict, layout: Mapping[str, str] | None
               ) -> tuple[int, int] | None:
        """Return the lines a page and pages of a document: remembered from its PDF, else found by writing it
        directly (~3 ms: a DOCX asked alone, or before its PDF, lays out nothing); None if WeasyPrint must."""
        key = _fit_key(html, context, layout)
        known = self._fits.get(key)
        if known is None and self._directly(template, html, context, layout) is not None:
            known = self._fits.get(key)
        return known

    def _direct(self, template: str, html: str, context: dict) -> bytes | None:
        """Write a letter directly (docgen.render.letter_pdf) in the lines a page _fitted would give it, on one page
        or, at 22 lines, on as many as WeasyPrint breaks it onto (the 工作总结); None for any other document (a form,
        a character no CFF font of fontconfig's draws, a break the writer does not reproduce), which WeasyPrint
        renders."""
        if not self._is_letter(template):
            return None
        key = _fit_key(html, context, None)
        known = self._fits.get(key)
        tries = [known[0]] if known else [LINES_PER_PAGE] if _surely_overflows(html) else range(
            LINES_PER_PAGE, MAX_LINES_PER_PAGE + 1)
        try:
            content, lines, pages = letter_pdf.write(html, tries)
        except letter_pdf.Unsupported:
            return None
        with self._lock:   # its DOCX is set in as many lines a page, its copies padded to as many pages
            self._remember(key, lines, pages)
        return content

    def _table(self, html: str, context: dict, layout: Mapping[str, str]) -> bytes | None:
        """Write a ruled table directly: the roster docgen.render.grid laid out (docgen.render.grid_pdf), a one-page
        form or list (docgen.render.form_pdf), the 评审表's pages (docgen.render.book_pdf) — the pages of the last two
        remembered: their DOCX's fit asks no layout; None for any other document, or one they do not set (a fallback
        face they cannot embed, a row at a page's end)."""
        form, book = form_pdf.marked(html), book_pdf.marked(html)
        if not (form or book) and grid_pdf.MARKER not in html:
            return None
        try:
            if book:
                content, pages = book_pdf.write(html, layout)
            else:
                content, pages = form_pdf.write(html, layout) if form else grid_pdf.write(html, layout), 1
        except form_pdf.Unsupported:
            return None
        if form or book:
            with self._lock:
                self._remember(_fit_key(html, context, layout), LINES_PER_PAGE, pages)
        return content

    def lines_per_page(self, template: str, context: dict, layout: Mapping[str, str] | None = None) -> int:
        """Return the lines per page the letter is set in: 22, or up to 28 when that keeps it on one page.

        Laid out only when a count of its paragraphs' lines says it may not fit (the DOCX asks this); a document
        that is no letter (the template's ancestry, read once) is not even rendered to HTML (issue 26: a roster
        ×1000 DOCX spent a third of its time on that).
        """
        if not self._is_letter(template):
            return LINES_PER_PAGE
        html = self.html(template, context)
        if _estimated_lines(html) <= SURELY_FITS:
            return LINES_PER_PAGE
        known = self._known(template, html, context, layout)
        return known[0] if known is not None else self._fitted(template, html, context, layout)[1]

    def fit(self, template: str, context: dict, layout: Mapping[str, str] | None = None) -> tuple[int, int]:
        """Return the lines per page the document is set in (as lines_per_page) and the pages it takes (a DOCX's
        copies are padded to it; a one-page letter is checked with it): those of its PDF when the same content was
        rendered lately (a batch item's DOCX follows its PDF), else from writing it directly, else from one layout."""
        html = self.html(template, context)
        if grid_pdf.MARKER in html:    # the roster: its pages placed already (docgen.render.grid)
            return LINES_PER_PAGE, grid_pdf.pages(html)
        known = self._known(template, html, context, layout)
        if known is not None:
            return known
        document, lines = self._fitted(template, html, context, layout)
        return lines, len(document.pages)

    def _fitted(self, template: str, html: str, context: dict[str, Any], layout: Mapping[str, str] | None
                ) -> tuple[Any, int]:
        """Lay the document out; a letter that runs onto a second page is tried with 23 to 28 lines a page.

        GB/T 9704-2012 §5.2.3: 22 lines a page, “特定情况可以作适当调整”: a notice with ordinary long
        content stays on one page rather than leaving its sign-off alone on the next.
        """
        sheets = self.stylesheets(template, tuple(sorted((layout or {}).items())))
        key = _fit_key(html, context, layout)
        with self._lock:  # one FontConfiguration per process, and WeasyPrint is not thread-safe
            known = self._fits.get(key) if self._is_letter(template) else None
            if known is not None:   # fitted before (its DOCX, or the same letter again): lay out once
                pitch = [] if known[0] == LINES_PER_PAGE else [_pitch_css(known[0], self.font_config)]
                return self._layout(html, [*sheets, *pitch]), known[0]
            document, lines = self._layout(html, sheets), LINES_PER_PAGE
            if len(document.pages) > 1 and self._is_letter(template) and not _surely_overflows(html):
                for tighter_lines in range(LINES_PER_PAGE + 1, MAX_LINES_PER_PAGE + 1):
                    tighter = self._layout(html, [*sheets, _pitch_css(tighter_lines, self.font_config)])
                    if len(tighter.pages) == 1:
                        document, lines = tighter, tighter_lines
                        break
            self._remember(key, lines, len(document.pages))
        return document, lines

    def _remember(self, key: str, lines: int, pages: int) -> None:
        """Record the lines a page and the pages a document took, the oldest forgotten past FITS_REMEMBERED
        (the caller holds the lock)."""
        self._fits[key] = lines, pages
        self._fits.move_to_end(key)
        while len(self._fits) > FITS_REMEMBERED:
            self._fits.popitem(last=False)

    def _layout(self, html: str, stylesheets: list[weasyprint.CSS]) -> Any:
        """Lay the HTML out with the stylesheets (WeasyPrint's Document: its pages, not yet written)."""
        return weasyprint.HTML(string=html, base_url=str(self.templates_dir) + "/",
                               url_fetcher=self.fetcher).render(stylesheets=stylesheets, font_config=self.font_config)

    @cache
    def _is_letter(self, template: str) -> bool:
        """Tell whether a template extends the GB/T 9704 letter (_base/letter.html)."""
        def ancestors(name: str) -> set[str]:
            assert self.env.loader is not None
            source = self.env.loader.get_source(self.env, name)[0]
            parents = {p for p in meta.find_referenced_templates(self.env.parse(source)) if p is not None}
            return parents.union(*(ancestors(p) for p in parents))
        return LETTER in ancestors(template)

    @cache
    def stylesheets(self, template: str, layout: tuple[tuple[str, str], ...] = ()) -> list:
        """Return the parsed stylesheets of a template, parsed once per process (about 10 ms a render):
        the GB/T 9704 base (templates/_base/gbt9704.css) always, the document.css beside the template
        when there is one, and the layout's custom properties."""
        sheets = [weasyprint.CSS(filename=str(self.templates_dir / BASE_CSS), url_fetcher=self.fetcher,
                                 font_config=self.font_config)]
        own = self.templates_dir / Path(template).with_name("document.css")
        if own.is_file():
            sheets.append(weasyprint.CSS(filename=str(own), url_fetcher=self.fetcher, font_config=self.font_config))
        if layout:
            properties = "".join(f"--{name}: {value};" for name, value in layout)
            sheets.append(weasyprint.CSS(string=f":root {{{properties}}}", font_config=self.font_config))
        return sheets


class _LocalFetcher(URLFetcher):
    """Serve data: URLs and files under our template and font folders; refuse everything else."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols={"data", "file"}, timeout=1)
        self.roots = roots

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("file:"):
            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"docgen loads no file outside its templates and fonts: {url}")
        return super().fetch(url, headers)


@cache
def renderer(templates_dir: str, fonts_dir: str) -> PdfRenderer:
    """Return this process's renderer for these folders."""
    return PdfRenderer(Path(templates_dir), Path(fonts_dir))
