"""The 评审表 written directly (docgen.render.book_pdf) against WeasyPrint's: on every page the same characters in
the same fonts and sizes at the same places, the same rules, filled borders, photo and metadata; what it does not
set (a section longer than its page, anything outside its vocabulary) is refused and WeasyPrint renders it."""
from __future__ import annotations

import copy
import io
import json
import random
import re

import pdfplumber
import pytest

from docgen import profiles
from docgen.config import ROOT
from docgen.documents import Options, sample
from docgen.kinds import evaluation_form
from docgen.render import book_pdf, finish
from docgen.render import pdf as pdf_render
from tests.render.test_form_pdf import _producer, _rules
from tests.render.test_grid_pdf import _chars, _close, _metadata, assert_same_chars

TEMPLATE = "evaluation-form/document.html"
LONG = json.loads((ROOT / "samples" / "long" / "evaluation-form.json").read_text("utf-8"))
HAN = "的是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法" \
      "所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开"
# Han, closing and opening punctuation, quotes, digits, Latin, the dash of a period, a space
ALPHABET = HAN * 3 + "，，。、；：（）《》“”0123456789ABCxyz— "


def _html(renderer, data: dict | None, profile: str, *, blind: bool = False) -> str:
    """Return the 评审表's HTML as Renderer.render makes it (a blind copy masked; the blank form's for None)."""
    kind = renderer.kind(evaluation_form.SLUG)
    if data is None:
        context = kind.blank(renderer.profile(profile), Options(copies=2, blank=True))
    else:
        _, model, _, context, _ = renderer.prepare(evaluation_form.SLUG, data, profile)
        context = {**context, "keep_together": [kind.subject(model)]}
        if blind:
            context = finish.mask(context, kind.blind_fields)
    return _pdf(renderer).html(TEMPLATE, {**context, "document_id": "e" * 32})


def _pdf(renderer) -> pdf_render.PdfRenderer:
    return pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))


def _weasyprint(renderer, html: str) -> bytes:
    document, _ = _pdf(renderer)._fitted(TEMPLATE, html, {}, evaluation_form.LAYOUT)
    return document.write_pdf()


def _drawn(content: bytes) -> tuple[list, list]:
    """Return each page's filled shapes (the boxes' borders, ruled lines) and images: left, right, top, bottom."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return ([sorted((r["x0"], r["x1"], r["top"], r["bottom"]) for r in page.rects if r["fill"])
                 for page in pdf.pages],
                [sorted((i["x0"], i["x1"], i["top"], i["bottom"]) for i in page.images) for page in pdf.pages])


def assert_same_pages(direct: bytes, weasy: bytes) -> None:
    """Assert the direct PDF prints on every page what WeasyPrint's does."""
    assert assert_same_chars(direct, weasy) >= 4
    for page, page_w in zip(_rules(direct), _rules(weasy), strict=True):
        assert len(page) == len(page_w)
        assert all(_close(rule, other) for rule, other in zip(page, page_w, strict=True)), (page, page_w)
    for shapes, shapes_w in zip(_drawn(direct), _drawn(weasy), strict=True):   # borders, then images
        for page, page_w in zip(shapes, shapes_w, strict=True):
            assert len(page) == len(page_w)
            assert all(_close(shape, other) for shape, other in zip(page, page_w, strict=True)), (page, page_w)
    assert _metadata(direct) == _metadata(weasy)


def _same(renderer, html: str) -> bytes:
    direct, pages = book_pdf.write(html, evaluation_form.LAYOUT)
    assert_same_pages(direct, _weasyprint(renderer, html))
    assert pages == len(_chars(direct))
    return direct


@pytest.mark.parametrize("profile", profiles.ids())
def test_every_profiles_sample_blank_form_and_blind_copy_print_as_weasyprint_sets_them(renderer, profile):
    """The sample (its photo a JPEG), the blank form (a label where the photo goes, empty cells, blanks) and the
    blind copy of the long sample (■ for the name and unit, the photo a PNG with its eyes blacked out)."""
    _same(renderer, _html(renderer, sample(evaluation_form.SLUG), profile))
    _same(renderer, _html(renderer, None, profile))
    blind = _same(renderer, _html(renderer, LONG, profile, blind=True))
    assert "■" in "".join(c[0] for c in _chars(blind)[1])


def test_the_long_sample_prints_as_weasyprint_sets_it(renderer):
    """Values wrapping in the cover's cells and the grid's, a period's dash, spaces, blanks wrapping with their
    text; each page numbered on its side (— 2 — left, — 3 — right), the cover not."""
    direct = _same(renderer, _html(renderer, LONG, "aksu-archives-2024"))
    folios = [[c for c in page if c[4] == 14.0 and c[2] > 700] for page in _chars(direct)]
    assert folios[0] == []
    assert [round(min(c[1] for c in page)) for page in folios[1:]] == [93, 463, 93]


def _random_payload(rng: random.Random, rows: int) -> dict:
    """Return the long sample with lists of up to about `rows` rows of random texts (spaces typed once: two would
    collapse, refused)."""
    def text(least: int, most: int) -> str:
        drawn = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(least, most)))
        return re.sub(" +", " ", drawn).strip(" —") or "无"

    def some(most: int) -> range:
        return range(rng.randint(0, max(most, rows)))

    data = copy.deepcopy(LONG)
    data["applicant"]["work_unit"] = text(5, 60)
    data["education"] = [{"start": "2001-09", "end": "2004-07", "school": text(2, 60), "degree": text(1, 6)}
                         for _ in range(rng.randint(0, 4))]
    data["work"] = [{"start": "2001-09", "unit": text(2, 80)} for _ in some(4)]
    data["achievements"] = [text(10, 300) for _ in some(3)]
    data["assessments"] = [{"year": 2000 + k, "result": rng.choice(["合格", "优秀", "基本合格"])} for k in some(0)]
    data["papers"] = [{"date": "2020-05", "role": text(1, 4), "title": text(2, 120)} for _ in some(3)]
    data["awards"] = [{"date": "2020-05", "level": text(1, 6), "name": text(2, 120)} for _ in some(2)]
    data["trainings"] = [{"year": 2022, "hours": 90, "content": text(2, 120)} for _ in some(3)]
    return data


@pytest.mark.parametrize("rows", [3, 12])
def test_random_content_prints_as_weasyprint_sets_it_or_is_refused_when_a_page_overflows(renderer, rows):
    """Lists of random length with texts drawn from Han, punctuation, digits, Latin, dashes and spaces, on four
    pages or (up to 12 rows a list, achievements and assessments) on more: tables broken between rows, boxes
    sliced between lines, a heading going with its table's first row or its box to the next page. Each document
    is WeasyPrint's, line for line and page for page, or refused — and refused only for a table row or block ending
    at a page's end or a line at its measure (Pango's rounding decides)."""
    rng = random.Random(26 + rows)
    same, pages = 0, set()
    for _ in range(14):
        html = _html(renderer, _random_payload(rng, rows), "xinjiang")
        try:
            pages.add(len(_chars(_same(renderer, html))))
            same += 1
        except book_pdf.Unsupported as refused:
            assert any(reason in str(refused) for reason in ("page's end", "measure")), refused
    assert same >= 11
    assert (max(pages) > 4) if rows > 3 else (4 in pages)
def test_the_renderer_writes_the_form_directly_and_remembers_its_pages(renderer, monkeypatch):
    """The PDF is docgen's, its pages remembered: the DOCX's fit (its copies padded to even pages) lays nothing out
    in WeasyPrint; with DOCGEN_LETTER_WRITER=weasyprint it is WeasyPrint's."""
    data = copy.deepcopy(LONG)
    data["achievements"].append("（直接写出）")
    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    content = renderer.render(evaluation_form.SLUG, data, "pdf", copies=1).content
    assert _producer(content) == "docgen"
    context = renderer.prepare(evaluation_form.SLUG, data)[3]
    pdf = _pdf(renderer)
    monkeypatch.setattr(pdf, "_layout", lambda *a: pytest.fail("laid out again"))
    key_context = {**context, "keep_together": [data["applicant"]["name"]], "document_id": "0" * 32}
    assert pdf.fit(TEMPLATE, key_context, evaluation_form.LAYOUT) == (pdf_render.LINES_PER_PAGE, 4)
    monkeypatch.undo()
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    assert _producer(renderer.render(evaluation_form.SLUG, data, "pdf", copies=1).content).startswith("WeasyPrint")


def test_a_form_of_more_pages_prints_as_weasyprint_sets_it(renderer, monkeypatch):
    """Twenty papers: the table breaks between rows onto a fifth page; eight long achievements: their box is
    sliced across pages (its first piece open at the bottom and reaching the page's end, the last one at least
    40 mm high, two lines of a paragraph each side of a break). docgen's PDF, as WeasyPrint sets it."""
    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    data = copy.deepcopy(LONG)
    data["papers"] = data["papers"] * 10
    pages = len(_chars(_same(renderer, _html(renderer, data, "xinjiang"))))
    data["achievements"] = [LONG["achievements"][0] * 4] * 8
    assert len(_chars(_same(renderer, _html(renderer, data, "xinjiang")))) > pages > 4
    content = renderer.render(evaluation_form.SLUG, data, "pdf", copies=1).content
    assert _producer(content) == "docgen"


HEAD_ROWS = ("起止时间 学历学位 学校及专业", "起止时间 工作单位及职务", "发表时间 本人作用 题目及刊物（出版社）",
             "获奖时间 奖励等级 奖项名称及授奖部门", "年度 学时 学习内容")


def test_a_lists_head_row_never_ends_a_page_alone(renderer):
    """Eight long achievements put 八、继续教育 and its head row at a page's end, its rows on the next (CSS allows
    it): the head row's break-after: avoid takes the heading and the head row on with the first row, in both
    writers, as the DOCX's keep-with-next does."""
    data = copy.deepcopy(LONG)
    data["achievements"] = [LONG["achievements"][0] * 4] * 8
    direct = _same(renderer, _html(renderer, data, "aksu-archives-2024"))
    with pdfplumber.open(io.BytesIO(direct)) as pdf:
        lines = [(page.extract_text() or "").splitlines() for page in pdf.pages[1:]]
    assert not {page[-2] for page in lines} & set(HEAD_ROWS), lines   # the line before the folio
    assert ["八、继续教育", HEAD_ROWS[-1]] in [page[:2] for page in lines]   # both carried to the next page


def test_what_the_writer_does_not_set_is_refused(renderer):
    """Another element, class or style, a character outside its classes, a photo it cannot embed, a box of ruled
    lines across pages, a layout it cannot read: WeasyPrint's to render, never guessed."""
    html = _html(renderer, LONG, "xinjiang")
    for changed in (html.replace('<h2>五、论文著作</h2>', '<h2>五、论文著作</h2><b>粗</b>'),
                    html.replace('class="left"', 'class="right"', 1),
                    html.replace('<th colspan="4">姓名', '<th colspan="4" style="color: red">姓名'),
                    html.replace("高级农艺师", "高级农艺师 (A)", 1),
                    html.replace("<p>请本人", "<p>请本人<br>"),
                    html.replace('<colgroup><col span="26">', '<colgroup><col span="25">'),
                    html.replace('<h2 class="page">九', '<h2 class="page" id="x">九'),
                    html.replace('colspan="17"', 'colspan="17x"', 1),
                    html.replace('<div class="box line">', '<div class="box wide">'),
                    html.replace("data:image/jpeg", "data:image/gif"),
                    html.replace('<p class="note">', '<p class="note" style="color: red">'),
                    html.replace('<p class="ruled">', '<p class="ruled">　</p>' * 40 + '<p class="ruled">', 1)):
        assert changed != html
        with pytest.raises(book_pdf.Unsupported):
            book_pdf.write(changed, evaluation_form.LAYOUT)
    with pytest.raises(book_pdf.Unsupported):
        book_pdf.write(html, {k: v for k, v in evaluation_form.LAYOUT.items() if k != "cover-label"})
