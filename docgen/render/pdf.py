"""PDF rendering with WeasyPrint: one FontConfiguration per process, fetching only our own files."""
from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from urllib.request import url2pathname

import weasyprint
from jinja2 import meta
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from docgen.render.fonts import use_fonts_dir
from docgen.render.jinja import html_env

BASE_TEMPLATE, BASE_CSS = "_base/letter.html", "_base/gbt9704.css"


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
                                   url_fetcher=self.fetcher).write_pdf(stylesheets=self.stylesheets(template),
                                                                       font_config=self.font_config)

    @cache
    def stylesheets(self, template: str) -> list:
        """Return the parsed stylesheets of a template, parsed once per process (about 10 ms a render).

        By convention: templates/_base/gbt9704.css for every template built on _base/letter.html, and the
        document.css beside the template when there is one.
        """
        names = [BASE_CSS] if BASE_TEMPLATE in self._ancestors(template) else []
        own = Path(template).with_name("document.css")
        if (self.templates_dir / own).is_file():
            names.append(str(own))
        return [weasyprint.CSS(filename=str(self.templates_dir / name), url_fetcher=self.fetcher,
                               font_config=self.font_config) for name in names]

    def _ancestors(self, template: str) -> set[str]:
        source = self.env.loader.get_source(self.env, template)[0]
        parents = set(meta.find_referenced_templates(self.env.parse(source))) - {None}
        return parents.union(*(self._ancestors(p) for p in parents))


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
