"""Bundles: parts in order, a bookmark at each part's first page, page ranges as the reader counts them."""
from __future__ import annotations

import io

import pikepdf
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
        assert doc.Root.PageMode == "/UseOutlines"
        assert float(doc.pages[10].mediabox[2]) == pytest.approx(841.89)   # a landscape part stays landscape
    assert marks == [("申报材料目录", 0), ("推荐单位公示", 1), ("专业技术职务任职资格评审表", 2), ("身份证复印件", 10)]


def test_merge_for_duplex_pads_odd_documents():
    assert page_count(merge_for_duplex([_pdf(1), _pdf(2), _pdf(3)])) == 8
