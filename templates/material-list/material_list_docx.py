"""The DOCX template of 申报材料目录: the header, then a table whose rows come from a {%tr for %} loop."""
from __future__ import annotations

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from docgen.kinds.material_list import CELL_LINE_PT, CELL_PT, COLUMN_WIDTHS_MM, HEADER_LINE_PT, HEADER_PT, ROW_MM
from docgen.render.docx_builder import FANGSONG, HEITI, paragraph_style, add, new_document

CELLS = ("{{ row.number }}", "{{ row.title }}", "{{ row.copies }}", "{{ row.original }}", "{{ row.pages }}")


def build() -> Document:
    """Return the Word template."""
    doc = new_document()
    center, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    paragraph_style(doc, "CoverHeader", FANGSONG, HEADER_PT, align=left, line=Pt(HEADER_LINE_PT))
    paragraph_style(doc, "Cell", FANGSONG, CELL_PT, align=center, line=Pt(CELL_LINE_PT))
    paragraph_style(doc, "CellLeft", FANGSONG, CELL_PT, align=left, line=Pt(CELL_LINE_PT))
    paragraph_style(doc, "HeadCell", HEITI, CELL_PT, align=center, line=Pt(CELL_LINE_PT))
    paragraph_style(doc, "Note", FANGSONG, CELL_PT, align=left, indent_chars=2, line=Pt(CELL_LINE_PT))
    add(doc, "{{ title }}", "DocTitle")
    add(doc, "{%p for line in header %}", "CoverHeader")
    add(doc, "{{r line|ruled }}", "CoverHeader")
    add(doc, "{%p endfor %}", "CoverHeader")
    table = doc.add_table(rows=4, cols=len(CELLS))
    table.style, table.autofit = doc.styles["Table Grid"], False
    for column, width in zip(table.columns, COLUMN_WIDTHS_MM, strict=True):   # LibreOffice reads the grid, Word the cells
        column.width = Mm(width)
    for row in table.rows:
        row.height, row.height_rule = Mm(ROW_MM), WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell, width in zip(row.cells, COLUMN_WIDTHS_MM, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    head, loop, body, end = table.rows
    for i, cell in enumerate(head.cells):
        cell.paragraphs[0].style = "HeadCell"
        cell.paragraphs[0].add_run(f"{{{{ columns[{i}] }}}}")
    for cell, text in zip(body.cells, CELLS, strict=True):
        cell.paragraphs[0].style = "CellLeft" if "title" in text else "Cell"
        cell.paragraphs[0].add_run(text)
    loop.cells[0].paragraphs[0].add_run("{%tr for row in rows %}")
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    add(doc, "{%p if note %}", "Note")
    add(doc, "{{ note }}", "Note")
    add(doc, "{%p endif %}", "Note")
    return doc
