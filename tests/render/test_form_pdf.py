"""The 免学表 written directly (docgen.render.form_pdf) against WeasyPrint's: the same characters in the same fonts
and sizes at the same places, the same rules, pages and metadata; what it does not set is refused."""
from __future__ import annotations

import copy
import io
import random

import pdfplumber
import pikepdf
import pytest

from docgen import profiles
from docgen.documents import Options, sample
from docgen.kinds import ce_exemption
from docgen.render import form_pdf
from docgen.render import pdf as pdf_render
from tests.render.test_grid_pdf import _anchors, _chars, _close, _metadata

TEMPLATE = "ce-exemption/document.html"
REASON = sample("ce-exemption")["reason"]
RARE = ("王䶮", "李𠈌喆", "赵赟")   # Noto's glyphs, per character (fontconfig's fallback for 仿宋)
# what Pango breaks by UAX #14 and form_pdf reproduces: Han, closing and opening punctuation, quotes, digits, Latin
ALPHABET = "的是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方" \
           "后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开" \
           "，，，。。、；：？！（）《》“”0123456789ABCxyz·." + "".join(RARE)


def _payload(**changes: object) -> dict:
    data = copy.deepcopy(sample("ce-exemption"))
    applicant = changes.pop("applicant", {})
    data["applicant"].update(applicant)
    data.update(changes)
    return data


def _html(renderer, data: dict | None, profile: str) -> str:
    """Return the 免学表's HTML for a payload (the blank form's for None)."""
    kind = renderer.kind("ce-exemption")
    if data is None:
        context = kind.blank(renderer.profile(profile), Options(copies=1, blank=True))
    else:
        context = renderer.prepare("ce-exemption", data, profile)[3]
    return _pdf(renderer).html(TEMPLATE, {**context, "document_id": "f" * 32})


def _pdf(renderer) -> pdf_render.PdfRenderer:
    return pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))


def _weasyprint(renderer, html: str) -> bytes:
    document, _ = _pdf(renderer)._fitted(TEMPLATE, html, {}, ce_exemption.LAYOUT)
    return document.write_pdf()


def _rules(content: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Return each page's stroked lines as ink: collinear segments of one width merged (WeasyPrint strokes a
    table's collapsed borders a column and a row at a time, overlapping at the cells' sides); filled rectangles
    (a blank's rule) are left to _filled."""
    pages = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            lines: dict[tuple[str, float, float], list[list[float]]] = {}
            for e in sorted((e for e in page.edges if e["object_type"] == "line"), key=lambda e: (e["x0"], e["top"])):
                h = e["orientation"] == "h"
                key = ("h" if h else "v", round(e["top"] if h else e["x0"], 1), e["linewidth"])
                start, end = (e["x0"], e["x1"]) if h else (e["top"], e["bottom"])
                spans = lines.setdefault(key, [])
                if spans and start <= spans[-1][1] + 0.01:
                    spans[-1][1] = max(spans[-1][1], end)
                else:
                    spans.append([start, end])
            pages.append(sorted((kind, at, width, *span) for (kind, at, width), spans in lines.items()
                                for span in spans))
    return pages


def _filled(content: bytes) -> list[tuple[float, float, float]]:
    """Return the first page's filled rectangles (a blank's rule): left, right, top and bottom."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return sorted((r["x0"], r["x1"], r["top"], r["bottom"]) for r in pdf.pages[0].rects if r["fill"])


def assert_same_page(direct: bytes, weasy: bytes, least_rules: int = 21) -> None:
    """Assert the direct PDF prints what WeasyPrint's does (a table of at least `least_rules` ruled lines)."""
    ours, theirs = _chars(direct), _chars(weasy)
    assert len(ours) == len(theirs) == 1
    assert [c[0] for c in ours[0]] == [c[0] for c in theirs[0]], "other text"
    for char in ours[0]:   # sorted by text: a character's twins are matched by place
        assert any(_close(char, other) for other in theirs[0] if other[0] == char[0]), char
    rules, rules_w = _rules(direct)[0], _rules(weasy)[0]
    assert len(rules) == len(rules_w) >= least_rules
    assert all(_close(rule, other) for rule, other in zip(rules, rules_w, strict=True)), (rules, rules_w)
    filled, filled_w = _filled(direct), _filled(weasy)   # blanks: a border filled as the ring between two rectangles
    assert len(filled) == len(filled_w)
    assert all(_close(rule, other) for rule, other in zip(filled, filled_w, strict=True)), (filled, filled_w)
    assert _anchors(direct) == _anchors(weasy) == {}   # the form marks no place for a seal
    assert _metadata(direct) == _metadata(weasy)


def _producer(content: bytes) -> str:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return str(pdf.docinfo["/Producer"])


def _same(renderer, html: str) -> bytes:
    direct = form_pdf.write(html, ce_exemption.LAYOUT)
    assert_same_page(direct, _weasyprint(renderer, html))
    return direct


@pytest.mark.parametrize("profile", profiles.ids())
def test_every_profiles_sample_prints_as_weasyprint_sets_it(renderer, profile):
    _same(renderer, _html(renderer, sample("ce-exemption"), profile))


LONG_VALUES = {"work_unit": "新疆维吾尔自治区巴音郭楞蒙古自治州和静县巴伦台镇人民政府农业农村综合服务中心畜牧兽医站和草原"
                            "工作站及林业工作站联合办公室",
               "graduation": "2011年7月毕业于新疆农业大学动物医学院动物医学专业（本科），2015年取得硕士学位后参加工作",
               "current_title": "助理农业经济师（畜牧兽医）", "target_title": "农业经济师（畜牧兽医方向）"}


@pytest.mark.parametrize(("pt", "line_pt"), ce_exemption.REASON_SIZES)
def test_the_longest_reason_at_each_type_size_prints_as_weasyprint_sets_it(renderer, pt, line_pt):
    """Beside long values, the longest reason the fit rule sets in each of its type sizes (the last: all the cell
    holds), justified between its characters."""
    data = _payload(applicant=LONG_VALUES)
    room = ce_exemption.reason_room(renderer.prepare("ce-exemption", data, "bazhou-2024")[3]["person"])
    for length in range(room, 0, -5):   # the fit rule steps down its sizes as the reason grows
        data["reason"] = (REASON * 5)[:length]
        if renderer.prepare("ce-exemption", data, "bazhou-2024")[3]["reason_pt"] == pt:
            break
    html = _html(renderer, data, "bazhou-2024")
    assert f"font-size: {pt:g}pt; line-height: {line_pt:g}pt" in html
    direct = _same(renderer, html)
    assert {c[4] for c in _chars(direct)[0]} >= {pt, 10.5, 12, 22}


@pytest.mark.parametrize("name", [*RARE, "阿依古丽·买买提艾力·阿不都热合曼"])
def test_rare_characters_and_long_names_print_as_weasyprint_sets_them(renderer, name):
    data = _payload(applicant={"name": name}, reason=f"{name}同志{REASON}\n本人{RARE[1]}、{RARE[0]}、{RARE[2]}。",
                    review=f"经核实，{name}情况属实，同意。")
    try:
        direct = _same(renderer, _html(renderer, data, "bazhou-2024"))
    except form_pdf.Unsupported as refused:   # a long name wrapping around its kept “·”: WeasyPrint's to set
        assert "·" in name and "kept" in str(refused)
        return
    if "·" not in name:
        assert "NotoSerifCJKSC" in str(_chars(direct)).replace("-", "")


def test_mixed_text_breaks_where_pango_breaks_it(renderer):
    """Reasons and units drawn at random from Han, punctuation (closing, opening, quotes), digits and Latin: each
    line breaks where WeasyPrint's Pango breaks it, or the writer refuses (a line at its measure's rounding)."""
    rng = random.Random(26)
    refused = 0
    for _ in range(12):
        reason = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(40, 160)))
        unit = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(8, 40)))
        html = _html(renderer, _payload(reason=reason.strip("."), applicant={"work_unit": unit}), "bazhou-2024")
        try:
            _same(renderer, html)
        except form_pdf.Unsupported:
            refused += 1
    assert refused <= 2


def test_the_renderer_writes_the_form_directly_and_remembers_its_page(renderer, monkeypatch):
    """The PDF is docgen's, its one page remembered: the DOCX's fit() lays nothing out in WeasyPrint."""
    data = _payload(reason=REASON + "（直接写出）")
    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    content = renderer.render("ce-exemption", data, "pdf").content
    assert _producer(content) == "docgen"
    context = renderer.prepare("ce-exemption", data)[3]
    pdf = _pdf(renderer)
    monkeypatch.setattr(pdf, "_layout", lambda *a: pytest.fail("laid out again"))
    assert pdf.fit(TEMPLATE, {**context, "document_id": "0" * 32}, ce_exemption.LAYOUT) == (
        pdf_render.LINES_PER_PAGE, 1)
    monkeypatch.undo()
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    assert _producer(renderer.render("ce-exemption", data, "pdf").content).startswith("WeasyPrint")


def test_what_the_writer_does_not_set_is_refused(renderer):
    """Another element, class or style, a character outside its classes, a cell overflowing its fixed height, a
    second page, a layout it cannot read: WeasyPrint's to render, never guessed."""
    html = _html(renderer, sample("ce-exemption"), "bazhou-2024")
    for changed in (html.replace('<div class="notes">', '<div class="notes"><b>粗</b>'),
                    html.replace('class="left"', 'class="right"'),
                    html.replace('<th colspan="4">姓名', '<th colspan="4" style="color: red">姓名'),
                    html.replace("阿克苏地区档案馆", "阿克苏地区档案馆 (A)"),
                    html.replace("情况属实", "情况属实<br>"),
                    html.replace("height: 74mm", "height: 10mm"),
                    html.replace('<colgroup><col span="26">', '<colgroup><col span="25">'),
                    html.replace("</table>", "</table><p>" + "继续" * 900 + "</p>"),
                    html.replace("<p>本人", '<p id="x">本人'),
                    html.replace('colspan="9"', 'colspan="9x"', 1),
                    html.replace('<h1 class="title">', '<h1 class="title">\n')):
        assert changed != html
        with pytest.raises(form_pdf.Unsupported):
            form_pdf.write(changed, ce_exemption.LAYOUT)
    with pytest.raises(form_pdf.Unsupported):
        form_pdf.write(html, {**ce_exemption.LAYOUT, "grid": "5mm"})


@pytest.mark.parametrize("profile", ["bazhou-2024", "tacheng-2023"])
def test_the_blank_form_prints_as_weasyprint_sets_it_or_is_left_to_it(renderer, profile):
    html = _html(renderer, None, profile)
    try:
        direct = form_pdf.write(html, ce_exemption.LAYOUT)
    except form_pdf.Unsupported:
        assert "_" in html   # the date's blanks are WeasyPrint's to draw
        return
    assert_same_page(direct, _weasyprint(renderer, html))
