"""docgen/render/grid.py: whole rows paginated under a repeated header, cells placed at their columns."""
from __future__ import annotations

from docgen.render.grid import Column, Geometry, Table

GEOMETRY = Geometry(columns=(Column("序号", 10), Column("姓名", 30, docx_breaks=True), Column("备注", 40, flush_left=True)),
                    font_pt=10.5, body_face="仿宋_GB2312", head_face="黑体", cell_pad=0.8, line=6, head_line=5,
                    room=60, first_page_room=40)


def test_rows_are_never_split_and_every_page_repeats_the_header():
    rows = [[str(i), "阿不都热合曼·买买提", "备注" * (i % 4 + 1) * 5] for i in range(1, 21)]
    pages = Table(GEOMETRY, rows).pages
    assert len(pages) > 2 and pages[0].first and not any(p.first for p in pages[1:])
    for page, room in zip(pages, [40] + [60] * (len(pages) - 1), strict=True):
        assert page.table_height <= room + 1e-9
        assert "序号" in page.head_text and "姓名" in page.head_text
        assert page.row_edges[0] == page.head_height
    printed = "\n".join(text for p in pages for text, _, _ in p.segments)
    assert [line.split()[0] for line in printed.splitlines() if line.split() and line.split()[0].isdigit()] == \
        [str(i) for i in range(1, 21)]


def test_the_docx_gets_the_pdf_breaks_only_where_a_column_asks():
    table = Table(GEOMETRY, [["1", "阿不都热合曼·买买提", "阿不都热合曼·买买提" * 3]])
    assert table.docx_rows[0][1] == "阿不都热合曼·\n买买提"
    assert "\n" not in table.docx_rows[0][2]


def test_blank_rows_keep_their_height_and_twips():
    table = Table(GEOMETRY, [["1", "", ""]], min_row_height=9)
    assert table.pages[0].row_edges[1] - table.pages[0].row_edges[0] == 9
    assert table.min_row_twips == 510
    assert table.width == 80 and table.columns == ["序号", "姓名", "备注"]
