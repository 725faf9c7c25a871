"""The letters' PDF written directly (docgen.render.letter_pdf) against WeasyPrint's: the same lines, fonts and pages."""
from __future__ import annotations

import io
import json
import random

import pdfplumber
import pikepdf
import pytest
from lxml import html as lxml_html

from docgen import profiles
from docgen.config import ROOT
from docgen.documents import Options, sample
from docgen.kinds import work_summary
from docgen.render import letter_pdf
from docgen.render import pdf as pdf_render
from tests.layout.test_letters_layout import LETTERS, NAMES, PROFILES, UNITS, payload
from tests.render.test_grid_pdf import _anchors, _metadata

CLOSE = 0.5   # pt: baselines, line starts, rules and anchors agree this closely
MAXIMAL = (NAMES[4], UNITS[5], 500)   # a name with “·”, the longest unit, 500 characters of free text
# the letters whose sample (default profile) is written directly; the others need WeasyPrint (a table, two pages)
DIRECT = {"authenticity-guarantee", "commitment", "integrity-certificate", "notice-result", "political-appraisal",
          "public-notice", "recommendation", "unit-nature-certificate", "work-history-certificate"}
# names and a unit holding characters the faces (Fandol) lack: fontconfig's next font (Noto CJK) draws them
RARE_NAMES = ("张喆", "刘䶮", "陈昇", "赵珺玥", "钱赟", "李𠈌喆")
RARE_UNIT = "新疆喆赟𠈌农业科技有限公司"
RARE = set("喆䶮昇珺玥赟𠈌")
# the profiles whose list of materials has the 工作总结 (tacheng-2023 with the 组织人事部门's review)
SUMMARY_PROFILES = tuple(p for p in profiles.ids()
                         if any(m.document == work_summary.SLUG for m in profiles.get(p).materials))
SUMMARY = f"{work_summary.SLUG}/document.html"
LONG_SUMMARY = json.loads((ROOT / "samples" / "long" / "work-summary.json").read_text("utf-8"))
HAN = "的是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法" \
      "所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开"
PUNCTUATION = "，，，、；：“”（）《》。"
# what the writer names when it leaves a work summary to WeasyPrint (a break it does not reproduce)
REFUSALS = ("a line at the page's end",)


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
        direct, lines, _ = letter_pdf.write(pdf.html(template, context), range(22, 29))
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


def _rules(content: bytes) -> list[list[tuple[float, float, float]]]:
    """Return each page's filled rules (blanks, lines to write on): left, right and bottom of each rectangle."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [[(r["x0"], r["x1"], r["bottom"]) for r in page.rects] for page in pdf.pages]


def assert_same_pages(direct: bytes, weasy: bytes, pages: int | None = None) -> None:
    """Assert the direct PDF prints what WeasyPrint's does, page for page (`pages` of them, if given): lines (text,
    fonts, baseline, start; the page number's “— n —” among them, flush right or left), rules, the seal's anchors
    and their page, the metadata."""
    ours, theirs = _lines(direct), _lines(weasy)
    assert len(ours) == len(theirs) == (pages or len(theirs))
    for n, (page, page_w) in enumerate(zip(ours, theirs, strict=True), 1):
        assert [line[2] for line in page] == [line[2] for line in page_w], f"page {n}"
        assert page[-1][2] == f"— {n} —"
        for (base, left, text, faces), (base_w, left_w, _, faces_w) in zip(page, page_w, strict=True):
            assert abs(base - base_w) <= CLOSE and abs(left - left_w) <= CLOSE, (n, text, base, base_w, left, left_w)
            assert faces == faces_w, (n, text, faces, faces_w)
    for n, (rules, rules_w) in enumerate(zip(_rules(direct), _rules(weasy), strict=True), 1):
        assert len(rules_w) == 2 * len(rules), n    # WeasyPrint fills a border as the ring between two rectangles
        for rule in rules:
            assert any(all(abs(a - b) <= CLOSE for a, b in zip(rule, other, strict=True)) for other in rules_w), (
                n, rule)
    anchors, anchors_w = _anchors(direct), _anchors(weasy)
    assert anchors.keys() == anchors_w.keys()
    for name, (page, x, y) in anchors.items():
        assert page == anchors_w[name][0], name
        assert abs(x - anchors_w[name][1]) <= CLOSE and abs(y - anchors_w[name][2]) <= CLOSE, name
    assert _metadata(direct) == _metadata(weasy)


def assert_same_page(direct: bytes, weasy: bytes) -> None:
    """Assert the direct PDF prints on its one page what WeasyPrint's does."""
    assert_same_pages(direct, weasy, 1)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("slug", LETTERS)
def test_sample_letters_print_as_weasyprint_sets_them(renderer, monkeypatch, slug, profile):
    direct, weasy, _ = _pdfs(renderer, monkeypatch, slug, sample(slug), profile)
    assert direct is not None, slug   # on one page or, in 22 lines, on as many as WeasyPrint's
    assert_same_pages(direct, weasy)


@pytest.mark.parametrize("slug", LETTERS)
def test_maximal_and_blank_letters_print_as_weasyprint_sets_them(renderer, monkeypatch, slug):
    """The longest content that still fits one page (fitted in up to 28 lines), longer content, the blank form."""
    for data in (payload(slug, *MAXIMAL), payload(slug, NAMES[-1], UNITS[4], 150), None):
        direct, weasy, _ = _pdfs(renderer, monkeypatch, slug, data, "bazhou-2024")
        assert direct is not None, slug
        assert_same_pages(direct, weasy)


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
    lines, the grown lines counted, as WeasyPrint fits it; 20 more characters and both go to a second page, at 22
    lines, broken alike."""
    direct, weasy, lines = _pdfs(renderer, monkeypatch, "public-notice",
                                 payload("public-notice", "赵珺玥", RARE_UNIT, long_chars), "bazhou-2024")
    assert direct is not None and lines == 23 + (long_chars - 100) // 20
    assert_same_page(direct, weasy)
    if long_chars == 200:
        direct, weasy, lines = _pdfs(renderer, monkeypatch, "public-notice",
                                     payload("public-notice", "赵珺玥", RARE_UNIT, 220), "bazhou-2024")
        assert direct is not None and lines == 22
        assert_same_pages(direct, weasy, 2)


def test_a_title_and_a_label_with_rare_characters_print_as_weasyprint_sets_them(renderer, monkeypatch):
    """A profile's title or section label holding a rare character (none of the shipped ones does): the title's from
    Noto Serif Bold, the 黑体 label's from Noto Sans, as WeasyPrint draws them, the seal's anchors where WeasyPrint
    puts them on a line that grew; a character no font has is refused."""
    pdf = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))
    template = "public-notice/document.html"
    html = pdf.html(template, _context(renderer, "public-notice", payload("public-notice", "刘䶮", UNITS[0], 100),
                                       "bazhou-2024"))
    assert "推荐单位公示</h1>" in html and "基本信息：" in html and '<span id="docgen-seal">' in html
    assert "<title>推荐单位公示</title>" in html
    html = html.replace("推荐单位公示</", "推荐单位喆公示</").replace("基本信息：", "基本信喆：").replace(
        '<span id="docgen-seal">', '<span id="docgen-seal">䶮')   # the seal's anchors on a grown line
    direct, lines, _ = letter_pdf.write(html, range(22, 29))
    sheets = [*pdf.stylesheets(template), pdf_render._pitch_css(lines, pdf.font_config)]
    weasy = pdf._layout(html, sheets).write_pdf()
    assert_same_page(direct, weasy)
    title, *body = _lines(direct)[0]
    label = next(line for line in body if line[2].startswith("基本信喆："))
    assert "Noto-Serif-CJK-SC-Bold" in title[3] and "Noto-Sans-CJK-SC" in label[3]
    with pytest.raises(letter_pdf.Unsupported):
        letter_pdf.write(html.replace("刘䶮", "刘\U0010fffd"))


def test_the_renderer_writes_the_letters_directly_unless_told(renderer, monkeypatch):
    """PdfRenderer takes the direct path for the letters (DIRECT, the 工作总结), also for a name the body face lacks
    (赟: Noto's, per character), WeasyPrint for the rest; with DOCGEN_LETTER_WRITER=weasyprint WeasyPrint for every
    letter."""
    def producer(slug: str, data: dict) -> str:
        content = renderer.render(slug, data, "pdf").content
        with pikepdf.open(io.BytesIO(content)) as pdf:
            return str(pdf.docinfo["/Producer"])

    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    direct = {slug for slug in (*LETTERS, "work-summary", "ce-exemption")
              if producer(slug, sample(slug)) == "docgen"}
    # the 工作总结 on its pages; the 免学表: a form, docgen.render.form_pdf (tests/render/test_form_pdf.py)
    assert direct == {*DIRECT, "work-summary", "ce-exemption"}
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


def _summary(renderer, profile: str, data: dict | None = None, texts: list[str] | None = None) -> tuple[str, dict]:
    """Return a work summary's HTML and context: a payload's, or the sample's with other paragraphs (any length:
    the profile's bounds are the payload's to check, not the writer's)."""
    context = _context(renderer, work_summary.SLUG, data or sample(work_summary.SLUG), profile)
    if texts is not None:
        context = {**context, "paragraphs": texts[:-1], "closing": texts[-1:]}
    return _pdf(renderer).html(SUMMARY, context), context


def _pdf(renderer) -> pdf_render.PdfRenderer:
    return pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))


def _weasyprint(renderer, monkeypatch, context: dict) -> bytes:
    """Return WeasyPrint's PDF of a work summary, fitted anew (22 lines a page: no pitch keeps it on one)."""
    pdf = _pdf(renderer)
    pdf._fits.clear()
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    return pdf.render(SUMMARY, context)


@pytest.mark.parametrize("long", [False, True], ids=["sample", "long"])
@pytest.mark.parametrize("profile", SUMMARY_PROFILES)
def test_work_summaries_print_as_weasyprint_sets_them(renderer, monkeypatch, profile, long):
    """The sample and the long 工作总结 of every profile that asks for one: written directly on 4 pages or more at
    22 lines, page for page as WeasyPrint sets them — the same characters at the same places in the same fonts, the
    page numbers right and left, the rules, the seal's anchors on the page of the 成文日期, the metadata; the review
    after the sign-off where the profile asks for it (tacheng) or the payload gives one (the long sample)."""
    html, context = _summary(renderer, profile, LONG_SUMMARY if long else None)
    direct, lines, pages = letter_pdf.write(html, range(22, 29))
    weasy = _weasyprint(renderer, monkeypatch, context)
    assert lines == 22 and pages == _pages(weasy) >= 4
    assert_same_pages(direct, weasy)
    printed = _lines(direct)
    review = "所在单位组织人事部门审核意见：已审核，情况属实。"
    assert any(line[2] == review for line in printed[-1]) == (profile == "tacheng-2023" or long)   # its payload's
    seal_page = next(n for n, page in enumerate(printed) if any(line[2] == context["date"] for line in page))
    assert {page for page, _, _ in _anchors(direct).values()} == {seal_page}


@pytest.mark.parametrize("profile", SUMMARY_PROFILES)
def test_blank_work_summaries_print_as_weasyprint_sets_them(renderer, monkeypatch, profile):
    """The blank 工作总结: its ruled lines, the sign-off and (tacheng) the review with its blanks, on one page as
    WeasyPrint sets it."""
    context = _context(renderer, work_summary.SLUG, None, profile)
    direct, lines, pages = letter_pdf.write(_pdf(renderer).html(SUMMARY, context), range(22, 29))
    weasy = _weasyprint(renderer, monkeypatch, context)
    assert (lines, pages) == (22, 1)
    assert_same_page(direct, weasy)
    ruled = work_summary.BLANK_LINES - (work_summary.REVIEW_LINES if profile == "tacheng-2023" else 0)
    assert len(_rules(direct)[0]) >= ruled


def _texts(rng: random.Random, rare: str = "") -> list[str]:
    """Return a work summary's paragraphs of Han and punctuation, 1500–4000 characters in all, each up to the
    payload's 600."""
    total = rng.randint(1500, 4000)
    count = rng.randint(-(-total // work_summary.PARAGRAPH_MAX), 16)
    cuts = sorted(rng.sample(range(20, total - 20), count - 1))
    lengths = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    alphabet = HAN * 2 + PUNCTUATION + rare
    return ["".join(rng.choice(alphabet) for _ in range(max(length, 2) - 1)) + "。" for length in lengths]


def _breaks(html: str) -> set[str]:
    """Return where the writer's pages break: inside a paragraph, between blocks, and before the sign-off: a page
    starting with the paragraph kept with it (its last two lines, or all of it) after one left two lines short or
    more (a widow or an orphan moved leaves one)."""
    pages, _, _ = letter_pdf.layout(html, [22])
    body = lxml_html.document_fromstring(html).find("body")
    keep = next(n for n, element in enumerate(body) if "keep-with-signoff" in (element.get("class") or ""))
    pitch = round(letter_pdf.TEXT_HEIGHT_MM / 22, 3)
    full = [1 + int((letter_pdf.TEXT_HEIGHT_MM - 12 - pitch) // pitch)] + [int(letter_pdf.TEXT_HEIGHT_MM // pitch)] * (
        len(pages) - 1)   # the title and 19 lines, then 22 lines a page
    kinds = set()
    for n, page in enumerate(pages[1:], 1):
        block, item = page.starts[0][0]
        kinds.add("inside" if item else "between")
        if block == keep and len(pages[n - 1].lines) <= full[n - 1] - 2:
            kinds.add("before the sign-off")
    return kinds


@pytest.mark.parametrize(("rare", "cases"), [("", 48), ("喆䶮" * 3, 32)], ids=["plain", "rare"])
def test_random_work_summaries_print_as_weasyprint_sets_them_or_are_refused(renderer, monkeypatch, rare, cases):
    """Seeded random summaries (1500–4000 characters of Han and punctuation in up to 16 paragraphs) in every
    profile, their pages breaking inside paragraphs, between them and early before the sign-off: each written page
    for page as WeasyPrint sets it, or refused for a reason the writer names; at least 80 % written. With rare
    characters (Noto's: their lines grow by Pango's extents) some pages end too near their end to tell."""
    rng, same, refused, kinds = random.Random(20261204 + len(rare)), 0, [], set()
    for case in range(cases):
        profile = SUMMARY_PROFILES[case % len(SUMMARY_PROFILES)]
        html, context = _summary(renderer, profile, texts=_texts(rng, rare))
        weasy = _weasyprint(renderer, monkeypatch, context)
        try:
            direct, lines, pages = letter_pdf.write(html, range(22, 29))
        except letter_pdf.Unsupported as refusal:
            assert any(reason in str(refusal) for reason in REFUSALS), refusal
            refused.append(str(refusal))
            continue
        assert lines == 22 and pages == _pages(weasy) > 1
        assert_same_pages(direct, weasy)
        kinds |= _breaks(html)
        same += 1
    assert same + len(refused) == cases and same >= 0.8 * cases, refused
    assert bool(refused) == bool(rare), refused   # pages of plain lines end where the writer is sure of it
    assert kinds == {"inside", "between", "before the sign-off"}


def test_paragraphs_each_kept_with_the_next_break_as_weasyprint_breaks_them(renderer):
    """Every paragraph .keep-with-signoff (break-after: avoid), 4 to 16 of them, 3 or 4 lines each: a break moves
    back before the last two lines of a paragraph that has four on the page, else WeasyPrint finds no place it
    allows and breaks where the block did not fit all the same — page for page as WeasyPrint sets them."""
    pdf, ignored = _pdf(renderer), 0
    for count, length in ((count, length) for count in range(4, 17) for length in (60, 100)):
        texts = [(HAN * 3)[n * 7:n * 7 + length - 1] + "。" for n in range(count)]
        html = _summary(renderer, "xinjiang", texts=texts)[0].replace('class="body"', 'class="body keep-with-signoff"')
        direct, lines, pages = letter_pdf.write(html)
        assert_same_pages(direct, pdf._layout(html, pdf.stylesheets(SUMMARY)).write_pdf())
        # a page that starts with a paragraph's first line after one kept with it: the avoid ignored
        ignored += sum(page.starts[0][0][1] == 0 and page.starts[0][0][0] > 1
                       for page in letter_pdf.layout(html, [22])[0][1:])
    assert ignored


def test_the_renderer_writes_a_work_summary_directly_and_its_docx_lays_nothing_out(renderer, monkeypatch):
    """Renderer().render gives the 工作总结's PDF from docgen (its pages remembered: the DOCX after it lays nothing
    out in WeasyPrint), and with DOCGEN_LETTER_WRITER=weasyprint WeasyPrint's."""
    def producer(content: bytes) -> str:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            return str(pdf.docinfo["/Producer"])

    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    pdf = _pdf(renderer)
    pdf._fits.clear()
    content = renderer.render(work_summary.SLUG, LONG_SUMMARY, "pdf", "tacheng-2023").content
    assert producer(content) == "docgen" and _pages(content) >= 4
    layouts: list[str] = []
    monkeypatch.setattr(pdf_render.PdfRenderer, "_layout", lambda self, html, *a: layouts.append(html))
    docx = renderer.render(work_summary.SLUG, LONG_SUMMARY, "docx", "tacheng-2023")
    assert docx.content and layouts == []
    monkeypatch.undo()
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    assert producer(renderer.render(work_summary.SLUG, LONG_SUMMARY, "pdf", "tacheng-2023").content).startswith(
        "WeasyPrint")
