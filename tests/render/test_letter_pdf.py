"""The letters' PDF written directly (docgen.render.letter_pdf) against WeasyPrint's: the same lines, fonts and pages."""
from __future__ import annotations

import io

import pdfplumber
import pikepdf
import pytest

from docgen.documents import Options, sample
from docgen.render import letter_pdf
from docgen.render import pdf as pdf_render
from tests.layout.test_letters_layout import LETTERS, NAMES, PROFILES, UNITS, payload

CLOSE = 0.5   # pt: baselines, line starts, rules and anchors agree this closely
MAXIMAL = (NAMES[4], UNITS[5], 500)   # a name with “·”, the longest unit, 500 characters of free text
# the letters whose sample (default profile) is written directly; the others need WeasyPrint (a table, two pages)
DIRECT = {"authenticity-guarantee", "commitment", "integrity-certificate", "notice-result", "political-appraisal",
          "public-notice", "recommendation", "unit-nature-certificate", "work-history-certificate"}


def _context(renderer, slug: str, data: dict | None, profile: str | None) -> dict:
    """Return the context the renderer gives a letter's template (a blank form's when data is None)."""
    if data is None:
        return {**renderer.kind(slug).blank(renderer.profile(profile), Options(copies=1, blank=True)),
                "document_id": ""}
    kind, model, _, context, _ = renderer.prepare(slug, data, profile)
    return {**context, "keep_together": [kind.subject(model)], "document_id": "f" * 32}


def _pdfs(renderer, monkeypatch, slug: str, data: dict | None, profile: str | None) -> tuple[bytes | None, bytes]:
    """Return the direct PDF (None when the writer refuses the letter) and WeasyPrint's, each fitted anew."""
    pdf = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))
    template, context = f"{slug}/document.html", _context(renderer, slug, data, profile)
    try:
        direct, lines = letter_pdf.write(pdf.html(template, context), range(22, 29))
    except letter_pdf.Unsupported:
        direct, lines = None, 0
    pdf._fits.clear()   # WeasyPrint fits it itself, not from the direct writer's answer
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    weasy = pdf.render(template, context)
    if direct is not None:
        assert pdf.lines_per_page(template, context) == lines
    return direct, weasy


def _pages(content: bytes) -> int:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return len(pdf.pages)


def _lines(content: bytes) -> list[list[tuple[float, float, str, frozenset[str]]]]:
    """Return each page's printed lines: (baseline from the top, left, text, fonts less their subset tags)."""
    pages = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            rows: list[list[dict]] = []
            for char in sorted(page.chars, key=lambda c: (round(c["matrix"][5], 1), c["x0"])):
                if rows and abs(rows[-1][0]["matrix"][5] - char["matrix"][5]) < 1:
                    rows[-1].append(char)
                else:
                    rows.append([char])
            pages.append([(page.height - row[0]["matrix"][5], min(c["x0"] for c in row),
                           "".join(c["text"] for c in sorted(row, key=lambda c: c["x0"])),
                           frozenset(c["fontname"].split("+")[-1] for c in row)) for row in reversed(rows)])
    return pages


def _rules(content: bytes) -> list[tuple[float, float, float]]:
    """Return the filled rules (blanks, lines to write on): left, right and bottom of each rectangle."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [(r["x0"], r["x1"], r["bottom"]) for page in pdf.pages for r in page.rects]


def _anchors(content: bytes) -> dict[str, tuple[float, float]]:
    """Return the named destinations (the seal's) with their positions."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        if "/Names" not in pdf.Root:
            return {}
        return {str(k): (float(v[2]), float(v[3])) for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}


def _metadata(content: bytes) -> dict[str, str]:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return {key: str(pdf.docinfo.get(f"/{key}", "")) for key in ("Title", "Keywords", "Creator")}


def assert_same_page(direct: bytes, weasy: bytes) -> None:
    """Assert the direct PDF prints what WeasyPrint's does: pages, lines (text, fonts, baseline, start), rules,
    the seal's anchors and the metadata."""
    ours, theirs = _lines(direct), _lines(weasy)
    assert len(ours) == len(theirs) == 1
    assert [line[2] for line in ours[0]] == [line[2] for line in theirs[0]]
    for (base, left, text, faces), (base_w, left_w, _, faces_w) in zip(ours[0], theirs[0], strict=True):
        assert abs(base - base_w) <= CLOSE and abs(left - left_w) <= CLOSE, (text, base, base_w, left, left_w)
        assert faces == faces_w, (text, faces, faces_w)
    rules, rules_w = _rules(direct), _rules(weasy)
    assert len(rules_w) == 2 * len(rules)    # WeasyPrint fills a border as the ring between two rectangles
    for rule in rules:
        assert any(all(abs(a - b) <= CLOSE for a, b in zip(rule, other, strict=True)) for other in rules_w), rule
    anchors, anchors_w = _anchors(direct), _anchors(weasy)
    assert anchors.keys() == anchors_w.keys()
    for name, (x, y) in anchors.items():
        assert abs(x - anchors_w[name][0]) <= CLOSE and abs(y - anchors_w[name][1]) <= CLOSE, name
    assert _metadata(direct) == _metadata(weasy)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("slug", LETTERS)
def test_sample_letters_print_as_weasyprint_sets_them(renderer, monkeypatch, slug, profile):
    direct, weasy = _pdfs(renderer, monkeypatch, slug, sample(slug), profile)
    if direct is None:   # refused only where WeasyPrint needs a second page
        assert _pages(weasy) > 1, slug
    else:
        assert_same_page(direct, weasy)


@pytest.mark.parametrize("slug", LETTERS)
def test_maximal_and_blank_letters_print_as_weasyprint_sets_them(renderer, monkeypatch, slug):
    """The longest content that still fits one page (fitted in up to 28 lines), longer content, the blank form."""
    for data in (payload(slug, *MAXIMAL), payload(slug, NAMES[-1], UNITS[4], 150), None):
        direct, weasy = _pdfs(renderer, monkeypatch, slug, data, "bazhou-2024")
        if direct is None:
            assert _pages(weasy) > 1, slug
        else:
            assert_same_page(direct, weasy)


def test_the_renderer_writes_the_letters_directly_unless_told(renderer, monkeypatch):
    """PdfRenderer takes the direct path for the one-page letters (DIRECT), WeasyPrint for the rest and for a name
    the body face lacks (赟: Noto's, per character); with DOCGEN_LETTER_WRITER=weasyprint WeasyPrint for every
    letter."""
    def producer(slug: str, data: dict) -> str:
        content = renderer.render(slug, data, "pdf").content
        with pikepdf.open(io.BytesIO(content)) as pdf:
            return str(pdf.docinfo["/Producer"])

    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    direct = {slug for slug in (*LETTERS, "work-summary", "ce-exemption")
              if producer(slug, sample(slug)) == "docgen"}
    assert direct == {*DIRECT, "ce-exemption"}   # the 免学表: a form, docgen.render.form_pdf (tests/render/test_form_pdf.py)
    assert producer("notice-result", payload("notice-result", "赵赟", UNITS[0], 100)).startswith("WeasyPrint")
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    assert producer("commitment", sample("commitment")).startswith("WeasyPrint")


def test_a_letter_outside_the_vocabulary_is_refused():
    """Anything the writer does not set is refused, not guessed (WeasyPrint then renders it)."""
    page = '<html lang="zh-CN"><head><title>t</title></head><body><h1 class="title">标题</h1>{}</body></html>'
    assert letter_pdf.write(page.format('<p class="body">正文</p>'))[1] == 22
    for content in ('<table><tr><td>表</td></tr></table>', '<p class="note">注</p>', '<p>正文<b>粗</b></p>',
                    '<p class="body">' + "很长的一段正文" * 10 + "</p>", '<p style="color: red">红</p>'):
        with pytest.raises(letter_pdf.Unsupported):
            letter_pdf.write(page.format(content))
