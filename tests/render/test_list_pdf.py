"""The 目录 (申报材料目录) written directly (docgen.render.form_pdf) against WeasyPrint's: the same characters in the
same fonts and sizes at the same places, the same rules, pages and metadata; what it does not set is refused."""
from __future__ import annotations

import copy
import io
import random

import pdfplumber
import pytest

from docgen import profiles
from docgen.documents import Options, sample
from docgen.kinds import material_list
from docgen.render import form_pdf
from docgen.render import pdf as pdf_render
from docgen.render.direct_pdf import MM
from tests.render.test_form_pdf import RARE, _filled, _pdf, _producer, assert_same_page
from tests.render.test_grid_pdf import _chars

TEMPLATE = "material-list/document.html"
LAYOUT = material_list.LAYOUT
NOTES = ("未上传", "空白表，手工填写", "原件已于2024年8月28日交人事科核验")   # the last: 20 characters


def _payload(profile: str, **applicant: str) -> dict:
    data = copy.deepcopy(sample("material-list"))
    data["profile"] = profile
    data["applicant"].update(applicant)
    return data


def _html(renderer, data: dict | None, profile: str) -> str:
    """Return the 目录's HTML for a payload, its applicant's name kept whole as Renderer.render keeps it (the blank
    cover's for None)."""
    if data is None:
        context = renderer.kind("material-list").blank(renderer.profile(profile), Options(copies=1, blank=True))
    else:
        context = renderer.prepare("material-list", data, profile)[3]
        context["keep_together"] = [data["applicant"]["name"]]
    return _pdf(renderer).html(TEMPLATE, {**context, "document_id": "e" * 32})


def _weasyprint(renderer, html: str) -> bytes:
    document, _ = _pdf(renderer)._fitted(TEMPLATE, html, {}, LAYOUT)
    return document.write_pdf()


def _same(renderer, html: str) -> bytes:
    """Write the 目录 directly and hold it to WeasyPrint's: one page, its rules the rows' and the six sides'."""
    direct = form_pdf.write(html, LAYOUT)
    rows = html.count("<tr>")
    assert_same_page(direct, _weasyprint(renderer, html), least_rules=rows + 1 + 6)
    return direct


def _text(content: bytes) -> str:
    """Return the page's text in reading order, without spaces and line ends."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "".join(pdf.pages[0].extract_text().split())


@pytest.mark.parametrize("profile", profiles.ids())
def test_every_profiles_sample_prints_as_weasyprint_sets_it(renderer, profile):
    """The sample: the whole list of the profile, its pages left blank to write by hand."""
    direct = _same(renderer, _html(renderer, _payload(profile), profile))
    fonts = {c[3] for c in _chars(direct)[0]}
    assert {"FandolFang", "FandolHei"} <= fonts   # the rows in 仿宋, the head in 黑体
    assert "序号" in _text(direct)


@pytest.mark.parametrize("profile", profiles.ids())
def test_the_longest_list_with_page_ranges_and_notes_prints_as_weasyprint_sets_it(renderer, profile):
    """Every material of the profile (its longest names wrap), each with a page range up to 9999 and a note of up
    to 20 characters, under a header with a long unit and a dotted name."""
    materials = renderer.profile(profile).materials
    start = 9999 - 2 * len(materials)
    items = [{"key": m.key, "pages": f"{start + 2 * i}-{start + 2 * i + 1}", "note": NOTES[i % len(NOTES)]}
             for i, m in enumerate(materials)]
    data = _payload(profile, name="阿依古丽·买买提艾力·阿不都", work_unit="巴音郭楞蒙古自治州农业科学研究所畜牧兽医研究室")
    data["items"] = items
    html = _html(renderer, data, profile)
    try:
        direct = _same(renderer, html)
    except form_pdf.Unsupported as refused:   # a list past one page: WeasyPrint's two pages
        assert "more than one page" in str(refused)
        assert len(_chars(_weasyprint(renderer, html))) == 2
        return
    text = _text(direct)
    assert all(f"{start + 2 * i}–{start + 2 * i + 1}" in text for i in range(len(materials)))
    assert "阿依古丽·买买提艾力·阿不都" in text


@pytest.mark.parametrize("profile", profiles.ids())
def test_the_blank_cover_prints_as_weasyprint_sets_it(renderer, profile):
    """The cover to fill by hand: the header's blanks ruled (transparent underscores over a rule) as WeasyPrint
    draws them, the list's pages left empty."""
    html = _html(renderer, None, profile)
    blanks = html.count('<span class="blank">')
    assert blanks >= 4
    direct = _same(renderer, html)
    assert len(_filled(direct)) == 2 * blanks   # each the ring between two rectangles, as WeasyPrint fills it


def test_a_header_line_that_wraps_prints_as_weasyprint_sets_it(renderer):
    """A unit longer than the header's line: broken where Pango breaks it, its kept end on the last line."""
    data = _payload("bazhou-2024", work_unit="新疆维吾尔自治区巴音郭楞蒙古自治州和静县巴伦台镇人民政府农业农村综合服务中心")
    html = _html(renderer, data, "bazhou-2024")
    direct = _same(renderer, html)
    assert "巴伦台镇人民政府" in _text(direct)


def test_page_numbers_filled_and_blank_print_as_weasyprint_sets_them(renderer):
    """Single pages, ranges and rows left blank, in the order asked."""
    materials = renderer.profile("bazhou-2024").materials
    data = _payload("bazhou-2024")
    data["items"] = [{"key": materials[0].key, "pages": "1"}, {"key": materials[3].key, "pages": "2-5"},
                     {"key": materials[1].key}, {"key": materials[2].key, "start": 6, "end": 18}]
    direct = _same(renderer, _html(renderer, data, "bazhou-2024"))
    assert "1" in _text(direct) and "2–5" in _text(direct) and "6–18" in _text(direct)


@pytest.mark.parametrize("name", [*RARE, "阿依古丽·买买提艾力·阿不都热合曼"])
def test_rare_characters_print_as_weasyprint_sets_them(renderer, name):
    """A name and a note with characters 仿宋 lacks (fontconfig's Noto, per character, and Pango's extents)."""
    data = _payload("bazhou-2024", name=name)
    data["items"] = [{"key": m.key, "note": f"{RARE[0]}{RARE[2]}"} for m in renderer.profile("bazhou-2024").materials[:8]]
    direct = _same(renderer, _html(renderer, data, "bazhou-2024"))
    assert name in _text(direct).replace(" ", "")
    assert "NotoSerifCJKSC" in str(_chars(direct)).replace("-", "")


def test_random_lists_print_as_weasyprint_sets_them(renderer):
    """Lists drawn at random: the profile, which materials in which order, pages, notes of Han, punctuation and
    digits, a unit and a name; each the same as WeasyPrint's or refused."""
    rng = random.Random(26)
    alphabet = "的是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可，。、；：（）《》“”0123456789"
    refused = 0
    for profile in profiles.ids():
        materials = renderer.profile(profile).materials
        for _ in range(2):
            data = _payload(profile, name=rng.choice([*RARE, "张三", "阿依古丽·买买提"]),
                            work_unit="".join(rng.choice(alphabet[:40]) for _ in range(rng.randint(4, 24))))
            data["items"] = [{"key": m.key, "pages": str(rng.randint(1, 9999)),
                              "note": "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20)))}
                             for m in rng.sample(materials, rng.randint(1, len(materials)))]
            try:
                _same(renderer, _html(renderer, data, profile))
            except form_pdf.Unsupported:
                refused += 1
    assert refused <= 2


def _measure_layout() -> dict[str, str]:
    """Return the layout with the 份数 column as wide as its head “份数” in 黑体 (two ems of 12 pt) leaves room."""
    width = (2 * material_list.CELL_PT + form_pdf.RULE) / MM + 2 * material_list.PAD_MM
    return {**LAYOUT, "col-2": f"{width:.6f}mm", "col-1": f"{79 + 13 - width:.6f}mm"}


def test_what_the_writer_does_not_set_is_refused(renderer):
    """Another element, class or style, a character outside its classes, a header line that wraps around a kept
    name, “/” in a cell that wraps, a line at its measure, blocks out of order, a second page, a layout it cannot
    read: WeasyPrint's to render, never guessed."""
    html = _html(renderer, _payload("bazhou-2024"), "bazhou-2024")
    blank = _html(renderer, None, "bazhou-2024")
    refused = [blank.replace('<span class="blank">', '<span class="blank" style="color: red">', 1),
               html.replace("<td>1</td>", "<td><b>1</b></td>", 1),
               html.replace('<td class="name">', '<td class="wide">', 1),
               html.replace("<th>序号</th>", '<th style="color: red">序号</th>'),
               html.replace("所在单位性质证明", "所在单位性质证明 (A)"),
               html.replace("　　申报级", "　　" + "新疆维吾尔自治区" * 3 + "申报级"),
               html.replace("原件/复印件", "原件/复印件" * 4),
               html.replace('<p class="note">', '<p class="remark">'),
               html.replace("</table>", "</table><p>再</p>"),
               html.replace("</tbody>", "</tbody><tbody></tbody>"),
               html.replace("<tbody>", "<tbody>" + "<tr><td>0</td><td>另</td><td>1</td><td>原件</td><td></td></tr>" * 20),
               html.replace('<col class="c4">', "")]
    for changed in refused:
        assert changed != html
        with pytest.raises(form_pdf.Unsupported):
            form_pdf.write(changed, LAYOUT)
    with pytest.raises(form_pdf.Unsupported, match="at its measure"):
        form_pdf.write(html, _measure_layout())
    with pytest.raises(form_pdf.Unsupported):
        form_pdf.write(html, {**LAYOUT, "col-4": "20mm"})   # the columns then fall short of the text's width


def test_a_header_line_wrapping_with_its_blanks_prints_as_weasyprint_sets_it(renderer):
    """A blank is a word (its underscores AL: no break inside it, one before and after it), its margin on the line
    it ends."""
    blank = _html(renderer, None, "bazhou-2024")
    for extra in ("新疆维吾尔自治区" * 3, "新疆维吾尔自治区巴州", "新疆" * 9):
        _same(renderer, blank.replace("系列　", "系列　" + extra))


def test_the_renderer_writes_the_list_directly_and_remembers_its_page(renderer, monkeypatch):
    """The PDF is docgen's, the blank cover's too, its one page remembered: the DOCX's fit() lays nothing out in
    WeasyPrint; with DOCGEN_LETTER_WRITER=weasyprint, WeasyPrint writes it."""
    data = _payload("bazhou-2024", name="李四")
    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    pdf, seen = _pdf(renderer), {}
    table = pdf._table
    monkeypatch.setattr(pdf, "_table", lambda html, context, layout: seen.update(context=context) or table(
        html, context, layout))
    assert _producer(renderer.render("material-list", data, "pdf").content) == "docgen"
    monkeypatch.setattr(pdf, "_layout", lambda *a: pytest.fail("laid out again"))
    assert pdf.fit(TEMPLATE, seen["context"], LAYOUT) == (pdf_render.LINES_PER_PAGE, 1)
    monkeypatch.undo()
    blank = renderer.blank("material-list", "pdf", "bazhou-2024").content
    assert _producer(blank) == "docgen"
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    assert _producer(renderer.render("material-list", data, "pdf").content).startswith("WeasyPrint")
