"""The DOCX itself: Chinese faces in the East Asian slots, A4 with GB/T 9704 margins, odd/even page numbers."""
from __future__ import annotations

import io
import re

from docx import Document

from docgen.documents import sample
from docgen.kinds import KINDS
from tests.helpers import docx_xml


def test_east_asian_faces_declared(renderer):
    """Every font a style names is declared in the East Asian slot too, so Word/WPS show it for Chinese."""
    for slug in KINDS:
        styles = docx_xml(renderer.render(slug, sample(slug), "docx").content, "word/styles.xml")
        assert 'w:eastAsia="仿宋_GB2312"' in styles or 'w:eastAsia="宋体"' in styles, slug
        assert 'w:eastAsia="方正小标宋简体"' in styles, slug
        for ascii_face in re.findall(r'w:ascii="([^"]+)"', styles):
            assert f'w:eastAsia="{ascii_face}"' in styles, (slug, ascii_face)


def test_page_and_margins(renderer):
    for slug, kind in KINDS.items():
        if kind.landscape:
            continue
        doc = Document(io.BytesIO(renderer.render(slug, sample(slug), "docx").content))
        section = doc.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297), slug
        assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28), slug
        assert round(section.page_width.mm - section.left_margin.mm - section.right_margin.mm) == 156, slug


def test_odd_and_even_page_numbers(renderer):
    content = renderer.render("commitment", sample("commitment"), "docx").content
    assert "<w:evenAndOddHeaders" in docx_xml(content, "word/settings.xml")
    doc = Document(io.BytesIO(content))
    odd, even = doc.sections[0].footer.paragraphs[0], doc.sections[0].even_page_footer.paragraphs[0]
    assert "PAGE" in odd._p.xml and "PAGE" in even._p.xml
    assert odd.alignment == 2 and even.alignment == 0  # right on odd pages, left on even pages


def test_ampersand_and_angle_brackets_stay_text(renderer):
    payload = sample("public-notice")
    payload["applicant"]["name"] = "A&B<C>"
    xml = docx_xml(renderer.render("public-notice", payload, "docx").content)
    assert "A&amp;B&lt;C&gt;" in xml



def test_no_hanging_punctuation_in_word(renderer):
    """Word keeps a line-final “，” inside the margin: w:overflowPunct off (ECMA-376 §17.3.1.21), inherited by
    every paragraph from the defaults and Normal, and turned on nowhere."""
    content = renderer.render("public-notice", sample("public-notice"), "docx").content
    styles = docx_xml(content, "word/styles.xml")
    assert styles.count('<w:overflowPunct w:val="0"/>') == 2      # docDefaults and Normal
    assert "w:overflowPunct" not in docx_xml(content) and 'w:overflowPunct w:val="1"' not in styles


def test_copies_docx_after_its_pdf_takes_the_pdfs_pages_not_a_second_layout(renderer, monkeypatch):
    """A 评审表's DOCX pads its copies to the PDF's pages: found by writing the PDF directly (docgen.render.book_pdf),
    never by WeasyPrint's layout, and after the PDF (a batch item) not written again."""
    from docgen.render import book_pdf
    from docgen.render import pdf as pdf_render
    from docgen.render.pdf import PdfRenderer

    pdf = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))
    payload = sample("evaluation-form")
    layouts: list[str] = []
    written: list[str] = []
    monkeypatch.setattr(PdfRenderer, "_layout", lambda self, html, *a: layouts.append(html))
    write = book_pdf.write
    monkeypatch.setattr(book_pdf, "write", lambda html, *a: written.append(html) or write(html, *a))
    monkeypatch.delenv(pdf_render.LETTER_WRITER, raising=False)
    pdf._fits.clear()   # nothing remembered from other tests
    alone = renderer.render("evaluation-form", payload, "docx", copies=3)   # written for its copies' padding
    assert len(written) == 1
    pdf._fits.clear()
    renderer.render("evaluation-form", payload, "pdf", copies=3)                 # as a batch item: PDF, then DOCX
    after = renderer.render("evaluation-form", payload, "docx", copies=3)
    assert len(written) == 2                                                      # the PDF's, no other
    body = [docx_xml(d.content).replace(d.document_id, "ID") for d in (alone, after)]
    assert body[0] == body[1] and body[0].count("<w:sectPr") == 3             # the same 3 copies, padded alike
    other = renderer.render("evaluation-form", {**payload, "applicant": {**payload["applicant"], "name": "李娟"}},
                            "docx", copies=3)
    assert len(written) == 3 and "李娟" in written[-1] and layouts == []        # other content: written again
    assert "李娟" in docx_xml(other.content)
