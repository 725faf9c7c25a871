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
# names and a unit holding characters the faces (Fandol) lack: fontconfig's next font (Noto CJK) draws them
RARE_NAMES = ("张喆", "刘䶮", "陈昇", "赵珺玥", "钱赟", "李𠈌喆")
RARE_UNIT = "新疆喆赟𠈌农业科技有限公司"
RARE = set("喆䶮昇珺玥赟𠈌")


def _context(renderer, slug: str, data: dict | None, profile: str | None) -> dict:
    """Return the context the renderer gives a letter's template (a blank form's when data is None)."""
    if data is None:
        return {**renderer.kind(slug).blank(renderer.profile(profile), Options(copies=1, blank=True)),
                "document_id": ""}
    kind, model, _, context, _ = renderer.prepare(slug, data, profile)
    return {**context, "keep_together": [kind.subject(model)], "document_id": "f" * 32}


def _pdfs(renderer, monkeypatch, slug: str, data: dict | None, profile: str | None
          ) -> tuple[bytes | None, bytes, int]:
    """Return the direct PDF (None when the writer refuses the letter), WeasyPrint's, each fitted anew, and the lines
    a page the direct writer set it in."""
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
    return direct, weasy, lines


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
    direct, weasy, _ = _pdfs(renderer, monkeypatch, slug, sample(slug), profile)
    if direct is None:   # refused only where WeasyPrint needs a second page
        assert _pages(weasy) > 1, slug
    else:
        assert_same_page(direct, weasy)


@pytest.mark.parametrize("slug", LETTERS)
def test_maximal_and_blank_letters_print_as_weasyprint_sets_them(renderer, monkeypatch, slug):
    """The longest content that still fits one page (fitted in up to 28 lines), longer content, the blank form."""
    for data in (payload(slug, *MAXIMAL), payload(slug, NAMES[-1], UNITS[4], 150), None):
        direct, weasy, _ = _pdfs(renderer, monkeypatch, slug, data, "bazhou-2024")
        if direct is None:
            assert _pages(weasy) > 1, slug
        else:
            assert_same_page(direct, weasy)


def _gaps(content: bytes) -> list[float]:
    """Return the distances between the baselines of a page's consecutive lines (pt)."""
    bases = [line[0] for line in _lines(content)[0]]
    return [b - a for a, b in zip(bases, bases[1:], strict=False)]


@pytest.mark.parametrize("name", RARE_NAMES)
@pytest.mark.parametrize("slug", LETTERS)
def test_rare_characters_print_as_weasyprint_sets_them(renderer, monkeypatch, slug, name):
    """A name and a unit holding characters the body face lacks: set directly, each such character in Noto (Fandol
    beside it), the same lines, fonts, baselines, rules and anchors as WeasyPrint's; the 承诺书 prints neither."""
    direct, weasy, _ = _pdfs(renderer, monkeypatch, slug, payload(slug, name, RARE_UNIT, 100), "bazhou-2024")
    assert _pages(weasy) == 1 and direct is not None
    assert_same_page(direct, weasy)
    lines = _lines(direct)[0]
    rare = [line for line in lines if RARE & set(line[2])]
    assert bool(rare) == (slug != "commitment")
    assert all({"FandolFang", "Noto-Serif-CJK-SC"} <= line[3] for line in rare), rare


def test_a_line_holding_a_fallback_face_grows_as_weasyprint_s(renderer, monkeypatch):
    """Pango gives a text box mixing Fandol and Noto a taller ascent than the strut's: with the fixed line height its
    line box grows (2 pt at 3号) and every line below moves down, in both PDFs."""
    direct, weasy, lines = _pdfs(renderer, monkeypatch, "notice-result", payload("notice-result", "赵珺玥", UNITS[0], 100),
                                 "bazhou-2024")
    assert direct is not None
    pitch = letter_pdf.TEXT_HEIGHT_MM / lines * letter_pdf.MM
    for content in (direct, weasy):
        assert max(gap - pitch for gap in _gaps(content)) > 1.5
    assert_same_page(direct, weasy)


@pytest.mark.parametrize("long_chars", range(100, 201, 20))
def test_long_letters_with_rare_characters_fit_as_weasyprint_fits_them(renderer, monkeypatch, long_chars):
    """A 公示 of an applicant and unit with rare characters, 100–200 characters of achievements: one page at 23 to 28
    lines, the grown lines counted, as WeasyPrint fits it; 20 more characters and both go to a second page."""
    direct, weasy, lines = _pdfs(renderer, monkeypatch, "public-notice",
                                 payload("public-notice", "赵珺玥", RARE_UNIT, long_chars), "bazhou-2024")
    assert direct is not None and lines == 23 + (long_chars - 100) // 20
    assert_same_page(direct, weasy)
    if long_chars == 200:
        direct, weasy, _ = _pdfs(renderer, monkeypatch, "public-notice",
                                 payload("public-notice", "赵珺玥", RARE_UNIT, 220), "bazhou-2024")
        assert direct is None and _pages(weasy) == 2


def test_a_title_and_a_label_with_rare_characters_print_as_weasyprint_sets_them(renderer, monkeypatch):
    """A profile's title or section label holding a rare character (none of the shipped ones does): the title's from
    Noto Serif Bold, the 黑体 label's from Noto Sans, as WeasyPrint draws them, the seal's anchors where WeasyPrint
    puts them on a line that grew; a character no font has is refused."""
    pdf = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))
    template = "public-notice/document.html"
    html = pdf.html(template, _context(renderer, "public-notice", payload("public-notice", "刘䶮", UNITS[0], 100),
                                       "bazhou-2024"))
    assert "推荐单位公示</h1>" in html and "基本信息：" in html and '<span id="docgen-seal">' in html
    html = html.replace("推荐单位公示</h1>", "推荐单位喆公示</h1>").replace("基本信息：", "基本信喆：").replace(
        '<span id="docgen-seal">', '<span id="docgen-seal">䶮')   # the seal's anchors on a grown line
    direct, lines = letter_pdf.write(html, range(22, 29))
    sheets = [*pdf.stylesheets(template), pdf_render._pitch_css(lines, pdf.font_config)]
    weasy = pdf._layout(html, sheets).write_pdf()
    assert_same_page(direct, weasy)
    title, *body = _lines(direct)[0]
    label = next(line for line in body if line[2].startswith("基本信喆："))
    assert "Noto-Serif-CJK-SC-Bold" in title[3] and "Noto-Sans-CJK-SC" in label[3]
    with pytest.raises(letter_pdf.Unsupported):
        letter_pdf.write(html.replace("刘䶮", "刘\U0010fffd"))


def test_the_renderer_writes_the_letters_directly_unless_told(renderer, monkeypatch):
    """PdfRenderer takes the direct path for the one-page letters (DIRECT), also for a name the body face lacks
    (赟: Noto's, per character), WeasyPrint for the rest; with DOCGEN_LETTER_WRITER=weasyprint WeasyPrint for every
    letter."""
    def producer(slug: str, data: dict) -> str:
        content = renderer.render(slug, data, "pdf").content
        with pikepdf.open(io.BytesIO(content)) as pdf:
            return str(pdf.docinfo["/Producer"])

    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    direct = {slug for slug in (*LETTERS, "work-summary", "ce-exemption")
              if producer(slug, sample(slug)) == "docgen"}
    assert direct == {*DIRECT, "ce-exemption"}   # the 免学表: a form, docgen.render.form_pdf (tests/render/test_form_pdf.py)
    assert producer("notice-result", payload("notice-result", "赵赟", UNITS[0], 100)) == "docgen"
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
