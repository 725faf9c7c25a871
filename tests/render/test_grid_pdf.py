"""The roster's PDF written directly (docgen.render.grid_pdf) against WeasyPrint's: the same characters in the same
fonts at the same places, the same rules, pages, seal anchors and metadata."""
from __future__ import annotations

import io

import pdfplumber
import pikepdf
import pytest

from docgen.documents import Options, sample
from docgen.render import grid_pdf
from docgen.render import pdf as pdf_render
from tests.layout.test_roster_layout import roster

CLOSE = 0.5   # pt
PROFILES = ("bazhou-2024", "aksu-archives-2024", "tacheng-2023", "urumqi-etdz-2024")


def _html(renderer, data: dict | None, profile: str) -> tuple[str, dict]:
    """Return the roster's HTML for a payload (the blank form's for None) and its layout."""
    kind = renderer.kind("roster")
    if data is None:
        context = kind.blank(renderer.profile(profile), Options(copies=1, blank=True))
    else:
        context = renderer.prepare("roster", data, profile)[3]
    pdf = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))
    return pdf.html("roster/document.html", {**context, "document_id": "f" * 32}), kind.layout


def _weasyprint(renderer, monkeypatch, html: str, layout: dict) -> bytes:
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    pdf = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))
    document, _ = pdf._fitted("roster/document.html", html, {}, layout)
    return document.write_pdf()


def _chars(content: bytes) -> list[list[tuple[str, float, float, str, float]]]:
    """Return each page's printed characters: text, left, top, font (less its subset tag), size."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [sorted((c["text"], c["x0"], c["top"], c["fontname"].split("+")[-1], round(c["size"], 2))
                       for c in page.chars if c["text"].strip()) for page in pdf.pages]


def _edges(content: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Return each page's ruled segments: orientation and ends."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [sorted((e["orientation"], e["x0"], e["x1"], e["top"], e["bottom"]) for e in page.edges)
                for page in pdf.pages]


def _anchors(content: bytes) -> dict[str, tuple[int, float, float]]:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        if "/Names" not in pdf.Root:
            return {}
        pages = [page.obj.objgen for page in pdf.pages]
        return {str(k): (pages.index(v[0].objgen), float(v[2]), float(v[3]))
                for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}


def _metadata(content: bytes) -> dict[str, str]:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return {key: str(pdf.docinfo.get(f"/{key}", "")) for key in ("Title", "Keywords", "Creator")} | {
            "Lang": str(pdf.Root.get("/Lang", "")), "Outline": str([o.title for o in pdf.open_outline().root])}


def _close(a: tuple, b: tuple) -> bool:
    return all(x == y if isinstance(x, str) else abs(x - y) <= CLOSE for x, y in zip(a, b, strict=True))


def assert_same_chars(direct: bytes, weasy: bytes) -> int:
    """Assert both PDFs print the same characters on each page, each at the same place in the same font and size;
    return the pages."""
    ours, theirs = _chars(direct), _chars(weasy)
    assert len(ours) == len(theirs)
    for n, (page, page_w) in enumerate(zip(ours, theirs, strict=True), 1):
        assert [c[0] for c in page] == [c[0] for c in page_w], f"page {n}: other text"
        for char in page:   # sorted by text: a character's twins are matched by place
            assert any(_close(char, other) for other in page_w if other[0] == char[0]), (n, char)
    return len(ours)


def assert_same_pages(direct: bytes, weasy: bytes) -> None:
    """Assert the direct PDF prints what WeasyPrint's does."""
    assert_same_chars(direct, weasy)
    for page, page_w in zip(_edges(direct), _edges(weasy), strict=True):
        assert len(page) == len(page_w)
        assert all(_close(edge, other) for edge, other in zip(page, page_w, strict=True)), (page[:3], page_w[:3])
    anchors, anchors_w = _anchors(direct), _anchors(weasy)
    assert anchors.keys() == anchors_w.keys() == {"docgen-seal-unit", "docgen-seal-unit-end"}
    assert all(_close(anchors[k], anchors_w[k]) for k in anchors), (anchors, anchors_w)
    assert _metadata(direct) == _metadata(weasy)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_sample_roster_prints_as_weasyprint_sets_it(renderer, monkeypatch, profile):
    html, layout = _html(renderer, sample("roster"), profile)
    assert_same_pages(grid_pdf.write(html, layout), _weasyprint(renderer, monkeypatch, html, layout))


@pytest.mark.parametrize(("count", "remark"), [(23, 100), (60, 30)])
def test_a_long_roster_with_rare_characters_prints_as_weasyprint_sets_it(renderer, monkeypatch, count, remark):
    """Pages of applicants named 王䶮 李𠈌喆 赵赟 (Noto's glyphs, per character), long remarks, long names."""
    html, layout = _html(renderer, roster(count, remark), "bazhou-2024")
    direct = grid_pdf.write(html, layout)
    assert len(_chars(direct)) > 2 and "NotoSerifCJKSC" in str(_chars(direct)).replace("-", "")
    weasy = _weasyprint(renderer, monkeypatch, html, layout)
    assert_same_pages(direct, weasy)
    assert grid_pdf.pages(html) == len(_chars(weasy)) > 1   # what a DOCX's copies are padded to, read off the HTML


def test_the_renderer_writes_the_roster_directly_unless_told(renderer, monkeypatch):
    def producer() -> str:
        content = renderer.render("roster", sample("roster"), "pdf").content
        with pikepdf.open(io.BytesIO(content)) as pdf:
            return str(pdf.docinfo["/Producer"])

    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    assert producer() == "docgen"
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")
    assert producer().startswith("WeasyPrint")


def test_what_the_writer_does_not_set_is_refused(renderer):
    """The blank form's ruled blanks, another element or an unknown style go to WeasyPrint, never guessed."""
    html, layout = _html(renderer, sample("roster"), "bazhou-2024")
    for changed in (html.replace('<p class="unit"', '<p class="note"'),
                    html.replace('class="body"', 'class="body" title="x"').replace("height:", "min-height:"),
                    html.replace("<h1 class=\"title\">", "<h1 class=\"title\"><b>粗</b>"),
                    html.replace("花名册</span></h1>", "花名册喆</span></h1>")):   # a title in two faces
        with pytest.raises(grid_pdf.Unsupported):
            grid_pdf.write(changed, layout)
    with pytest.raises(grid_pdf.Unsupported):
        grid_pdf.write(html, {**layout, "line": "6pt"})


def test_the_blank_roster_prints_as_weasyprint_sets_it_or_is_left_to_it(renderer, monkeypatch):
    html, layout = _html(renderer, None, "bazhou-2024")
    try:
        direct = grid_pdf.write(html, layout)
    except grid_pdf.Unsupported:
        assert 'class="blank"' in html   # its ruled blanks are WeasyPrint's to draw
        return
    assert_same_pages(direct, _weasyprint(renderer, monkeypatch, html, layout))
