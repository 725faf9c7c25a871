"""PDF rendering with WeasyPrint: one FontConfiguration per process, fetching only our own files."""
from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from docgen.render.fonts import use_fonts_dir
from docgen.render.jinja import html_env


class PdfRenderer:
    """Render templates/<name>.html to PDF bytes."""

    def __init__(self, templates_dir: Path, fonts_dir: Path):
        use_fonts_dir(fonts_dir)  # before the FontConfiguration reads fontconfig's files
        self.templates_dir = Path(templates_dir).resolve()
        self.env = html_env(self.templates_dir)
        # FACTS.md: a FontConfiguration per render grows RSS without bound; one per process
        self.font_config = FontConfiguration()
        self._lock = threading.Lock()
        self.fetcher = _LocalFetcher(roots=(self.templates_dir, Path(fonts_dir).resolve()))

    def html(self, template: str, context: dict) -> str:
        """Return the HTML a template renders for a context (also what the text-equality test reads)."""
        return self.env.get_template(template).render(context)

    def render(self, template: str, context: dict) -> bytes:
        """Render the template with the context to PDF bytes."""
        html = self.html(template, context)
        with self._lock:  # one FontConfiguration per process, and WeasyPrint is not thread-safe
            return weasyprint.HTML(string=html, base_url=str(self.templates_dir) + "/",
                                   url_fetcher=self.fetcher).write_pdf(font_config=self.font_config)


class _LocalFetcher(URLFetcher):
    """Serve data: URLs and files under our template and font folders; refuse everything else."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols={"data", "file"}, timeout=1)
        self.roots = roots

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"docgen loads no file outside its templates and fonts: {url}")
        return super().fetch(url, headers)


@cache
def renderer(templates_dir: str, fonts_dir: str) -> PdfRenderer:
    """Return this process's renderer for these folders."""
    return PdfRenderer(Path(templates_dir), Path(fonts_dir))
