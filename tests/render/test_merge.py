"""Bundles and print files: parts in order, a bookmark at each part's first page, page ranges as the reader counts them."""
from __future__ import annotations

import io

import pikepdf
import pypdf
import pytest

from docgen.render.merge import Part, bundle, merge_for_duplex, page_count, page_ranges


def _pdf(pages: int, width: float = 595.28, height: float = 841.89) -> bytes:
    doc = pikepdf.new()
    for _ in range(pages):
        doc.add_blank_page(page_size=(width, height))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_page_ranges_follow_each_other_and_skip_empty_parts():
    assert page_ranges([1, 3, 0, 2]) == [(1, 1), (2, 4), None, (5, 6)]
    assert page_ranges([2], first=3) == [(3, 4)]


def test_bundle_puts_a_bookmark_at_each_parts_first_page():
    parts = [Part("申报材料目录", (_pdf(1),)), Part("推荐单位公示", (_pdf(1),)), Part("没有页的项", ()),
             Part("专业技术职务任职资格评审表", (_pdf(4), _pdf(4))), Part("身份证复印件", (_pdf(1, 841.89, 595.28),))]
    content = bundle(parts, title="张三-申报材料")
    assert page_count(content) == 11
    with pikepdf.open(io.BytesIO(content)) as doc:
        with doc.open_outline() as outline:
            marks = [(item.title, doc.pages.index(pikepdf.Page(item.destination[0])))
                     for item in outline.root]
        assert doc.docinfo["/Title"] == "张三-申报材料"
        assert doc.Root.PageMode == "/UseOutlines" and str(doc.Root.Lang) == "zh-CN"   # as each part says
        assert float(doc.pages[10].mediabox[2]) == pytest.approx(841.89)   # a landscape part stays landscape
    assert marks == [("申报材料目录", 0), ("推荐单位公示", 1), ("专业技术职务任职资格评审表", 2), ("身份证复印件", 10)]


def _merged(pdfs: list) -> bytes:
    out = io.BytesIO()
    merge_for_duplex(pdfs, out)
    return out.getvalue()


def test_merge_for_duplex_pads_odd_documents():
    merged = _merged([_pdf(1), _pdf(2), _pdf(3)])
    assert page_count(merged) == 8
    with pikepdf.open(io.BytesIO(merged)) as doc:     # print.pdf: Chinese, as each document in it
        assert str(doc.Root.Lang) == "zh-CN"


def test_merge_for_duplex_reads_files_and_keeps_each_page(tmp_path):
    """Sources read from files: every page in order with its text and size, each document from a front side,
    the blank after an odd one of its last page's size; the file reads back strictly."""
    landscape = tmp_path / "landscape.pdf"
    landscape.write_bytes(_pdf(1, 841.89, 595.28))
    with open(landscape, "rb") as first:
        content = _merged([first, _text_pdf(["一", "二"]), _text_pdf(["三"])])
    reader = pypdf.PdfReader(io.BytesIO(content), strict=True)
    assert [round(float(p.mediabox.width)) for p in reader.pages] == [842, 842, 595, 595, 595, 595]
    assert [p.extract_text().strip() for p in reader.pages] == ["", "", "一", "二", "三", ""]


def test_merge_for_duplex_copies_what_a_page_inherits_and_links_within_its_document():
    """A page size held by the source's page tree stays the page's; a link to another page of the same
    document lands on that page in the merged file."""
    doc = pikepdf.new()
    for _ in range(2):
        doc.add_blank_page(page_size=(300, 400))
    doc.Root.Pages.MediaBox = pikepdf.Array([0, 0, 300, 400])
    for page in doc.pages:
        del page.obj["/MediaBox"]
    doc.pages[0].obj.Annots = doc.make_indirect(pikepdf.Array([doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10],
        Dest=pikepdf.Array([doc.pages[1].obj, pikepdf.Name.Fit])))]))
    buffer = io.BytesIO()
    doc.save(buffer)
    with pikepdf.open(io.BytesIO(_merged([_pdf(1), buffer.getvalue()]))) as merged:
        assert [float(p.mediabox[3]) for p in merged.pages][2:] == [400, 400]
        target = merged.pages[2].obj.Annots[0].Dest[0]
        assert merged.pages.index(pikepdf.Page(target)) == 3


def _text_pdf(lines: list[str]) -> bytes:
    """Return a PDF of one page a line, each page showing its line (rendered by WeasyPrint)."""
    from weasyprint import HTML

    body = "".join(f'<p style="page-break-after: always">{line}</p>' for line in lines[:-1])
    return HTML(string=f"<html><body>{body}<p>{lines[-1]}</p></body></html>").write_pdf()
