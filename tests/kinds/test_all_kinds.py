"""Every document type × every profile: what a user sees in the PDF and the DOCX, and that they agree."""
from __future__ import annotations

import re

import jinja2.meta
import pytest

from docgen import profiles
from docgen.documents import sample
from docgen.kinds import KINDS
from docgen.render.docx import renderer as docx_renderer
from tests.helpers import (docx_text, same_text, pdf_fonts, pdf_page_sizes_mm, pdf_pages_text, pdf_text, pdf_text_boxes_mm,
                           squash)

CASES = [(slug, pid) for slug in KINDS for pid in profiles.ids()]
TOLERANCE_MM = 1.5


def _portrait_letter(kind) -> bool:
    return not kind.landscape


@pytest.fixture(scope="module")
def rendered(renderer):
    """Render each sample once per profile in both formats (shared by the tests below)."""
    cache = {}

    def get(slug, pid, fmt):
        key = (slug, pid, fmt)
        if key not in cache:
            cache[key] = renderer.render(slug, sample(slug), fmt, pid).content
        return cache[key]

    return get


@pytest.mark.parametrize("slug,pid", CASES)
def test_pdf_and_docx_say_the_same(renderer, rendered, slug, pid):
    pdf, docx = pdf_text(rendered(slug, pid, "pdf")), docx_text(rendered(slug, pid, "docx"))
    assert same_text(pdf, docx, KINDS[slug])
    title = squash(renderer.prepare(slug, sample(slug), pid)[3]["title"])   # the profile's title, filled in
    assert len(title) >= 4 and title in squash(pdf) and title in squash(docx)


@pytest.mark.parametrize("slug,pid", CASES)
def test_pdf_is_a4_inside_its_text_area(rendered, slug, pid):
    kind = KINDS[slug]
    pdf = rendered(slug, pid, "pdf")
    expected = (297, 210) if kind.landscape else (210, 297)
    assert set(pdf_page_sizes_mm(pdf)) == {expected}
    for box in pdf_text_boxes_mm(pdf):
        assert box, "empty page"
        if _portrait_letter(kind):
            # GB/T 9704: text area 156 × 225 mm at 28 mm from the left and 37 mm from the top
            assert box["left"] >= 28 - TOLERANCE_MM
            assert box["right"] <= 28 + 156 + TOLERANCE_MM
            assert box["top"] >= 37 - TOLERANCE_MM
            assert box["bottom"] <= 37 + 225 + TOLERANCE_MM
        else:
            assert box["right"] <= box["width"] and box["bottom"] <= box["height"]


@pytest.mark.parametrize("slug,pid", CASES)
def test_fonts_embedded_and_cjk(rendered, slug, pid):
    fonts = pdf_fonts(rendered(slug, pid, "pdf"))
    assert fonts
    for name, info in fonts.items():
        assert info["embedded"], name
        assert info["subtype"] != "/Type3", name
    assert any("Fandol" in n or "Noto" in n or "WenKai" in n for n in fonts)


FOLIO = re.compile(r"—\s*(\d+)\s*—|第\s*(\d+)\s*页\s*共\s*\d+\s*页")
COVERED = {"evaluation-form"}   # a cover page carries no number (GB/T 9704 §7.5 numbers the text pages)


@pytest.mark.parametrize("slug", list(KINDS))
def test_pages_numbered(rendered, slug):
    """Every page prints its own number (each copy of a multi-copy form numbered from 1), the cover none."""
    kind = KINDS[slug]
    pages = pdf_pages_text(rendered(slug, "xinjiang", "pdf"), folios=True)
    copies = kind.copies(profiles.get("xinjiang")) if kind.copies else 1
    per_copy = len(pages) // copies
    for index, text in enumerate(pages):
        found = [int(a or b) for a, b in FOLIO.findall(text)]
        number = index % per_copy + 1
        assert found == ([] if number == 1 and slug in COVERED else [number]), (index, text[-80:])


@pytest.mark.parametrize("slug", list(KINDS))
def test_templates_use_the_same_variables(renderer, slug):
    """The DOCX and the HTML template read the same context keys (STYLE.md: keeping DOCX and PDF in step)."""
    env = renderer_env(renderer)
    html_vars = _html_variables(env, f"{slug}/document.html")
    docx_vars = docx_renderer(str(renderer.templates_dir)).template(slug).get_undeclared_template_variables(
        jinja_env=env)
    html_vars -= {"document_id"}  # PDF metadata only
    assert docx_vars == html_vars


def _html_variables(env, name: str) -> set[str]:
    """Return the variables a template and the templates it extends or includes read."""
    ast = env.parse(env.loader.get_source(env, name)[0])
    found = jinja2.meta.find_undeclared_variables(ast)
    for parent in jinja2.meta.find_referenced_templates(ast):
        found |= _html_variables(env, parent)
    return found


def renderer_env(renderer):
    from docgen.render.pdf import renderer as pdf_renderer
    return pdf_renderer(str(renderer.templates_dir), str(renderer.fonts_dir)).env


@pytest.mark.parametrize("slug,pid", CASES)
def test_blank_form_renders(renderer, slug, pid):
    pdf = renderer.blank(slug, "pdf", pid).content
    docx = renderer.blank(slug, "docx", pid).content
    assert same_text(pdf_text(pdf), docx_text(docx), KINDS[slug])
    # somewhere to write: underscores, a ruled blank (underlined no-break spaces in the DOCX) or a date to fill
    assert any(mark in docx_text(docx) for mark in ("____", "\xa0" * 4, "　年　")) or KINDS[slug].landscape


def test_every_module_of_kinds_is_registered():
    """Kinds are found, not listed: each module of docgen/kinds/ (but the shared ones) is a registered kind."""
    import pkgutil

    import docgen.kinds

    modules = {info.name for info in pkgutil.iter_modules(docgen.kinds.__path__)} - docgen.kinds.SHARED
    assert modules == {slug.replace("-", "_") for slug in KINDS}
    assert len(KINDS) == 14
