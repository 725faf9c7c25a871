"""The DOCX template of 免除继续教育学习申请表 (seed 002 附件4).

Widths, heights and type sizes are those of the fit rule in docgen/kinds/ce_exemption.py (imported from
there; document.css reads the same numbers). The reason row's height and type come from the context (reason_mm,
reason_pt, reason_line_pt), written into the row, paragraph and run properties as Jinja expressions.
"""
from __future__ import annotations

from typing import Any

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from docgen.kinds.ce_exemption import (FORM_ROWS, CELL_LINE_PT, CELL_PT, GRID_MM, NOTE_GAP_MM, NOTE_LINE_PT, NOTE_PT,
                                       PADDING_MM, REVIEW_MM, ROW_MM, TITLE_GAP_MM, WIDTH_MM)
from docgen.render.docx_builder import FANGSONG, add, new_document, paragraph_style
from docgen.render.measure import TWIPS_PER_MM, mm_to_twips

GRID_UNITS = WIDTH_MM // GRID_MM
CELL_LINE, NOTE_LINE = Pt(CELL_LINE_PT), Pt(NOTE_LINE_PT)   # 小四, 五号

# (label or value, grid units spanned); "{{…}}" cells are values — FORM_ROWS of the kind
ROWS = tuple(tuple(cell for label, label_units, key, units in row
                   for cell in ((label, label_units), (f"{{{{ person.{key} }}}}", units))) for row in FORM_ROWS)


def _styles(doc: Document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph_style(doc, "Cell", FANGSONG, CELL_PT, align=center, line=CELL_LINE)
    paragraph_style(doc, "CellLeft", FANGSONG, CELL_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=CELL_LINE)
    # left, not justified: LibreOffice's justification drops a ， that ends a full CJK line
    paragraph_style(doc, "CellText", FANGSONG, CELL_PT, align=WD_ALIGN_PARAGRAPH.LEFT, indent_chars=2,
                     line=CELL_LINE)
    paragraph_style(doc, "CellSeal", FANGSONG, CELL_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=2,
                     line=CELL_LINE)
    first = paragraph_style(doc, "NoteFirst", FANGSONG, NOTE_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=NOTE_LINE)
    first.paragraph_format.left_indent = Pt(NOTE_PT * 2)       # 注： hangs; wrapped lines align under 1.
    first.paragraph_format.first_line_indent = Pt(-NOTE_PT * 2)
    first.paragraph_format.space_before = Mm(NOTE_GAP_MM)
    rest = paragraph_style(doc, "Note", FANGSONG, NOTE_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=NOTE_LINE)
    rest.paragraph_format.left_indent = Pt(NOTE_PT * 2)


def _set(parent: Any, tag: str, *successors: str, **attrs: str) -> None:
    """Set an element's attributes, creating it before its schema successors if it is missing."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.insert_element_before(el, *successors)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)


def _sides(parent: Any, tag: str, sides_mm: dict[str, float], *successors: str) -> None:
    """Add cell margins (w:tblCellMar or w:tcMar) in mm."""
    margins = OxmlElement(tag)
    for side, mm in sides_mm.items():
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(mm_to_twips(mm)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    parent.insert_element_before(margins, *successors)


def _table_properties(table: Table) -> None:
    """Fixed layout on the 6 mm grid, 0.75 pt borders, 1 mm cell margins left and right."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _set(tbl_pr, "w:tblW", w=str(mm_to_twips(GRID_MM * GRID_UNITS)), type="dxa")
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "6"), ("space", "0"), ("color", "000000")):
            el.set(qn(f"w:{key}"), value)
        borders.append(el)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    _sides(tbl_pr, "w:tblCellMar", {"top": 0, "left": PADDING_MM, "bottom": 0, "right": PADDING_MM}, "w:tblLook")
    for col in table.columns:
        col.width = Mm(GRID_MM)
        for cell in col.cells:
            cell.width = Mm(GRID_MM)


def _margin(cell: _Cell, **sides_mm: float) -> None:
    """Set a cell's own margins (document.css: PADDING_MM above the reason and its label, below the seal)."""
    _sides(cell._tc.get_or_add_tcPr(), "w:tcMar", sides_mm, "w:textDirection", "w:tcFitText", "w:vAlign",
           "w:hideMark")


def _write(cell: _Cell, text: str, style: str) -> None:
    """Write a fixed label or one tag into the cell's first paragraph."""
    p = cell.paragraphs[0]
    p.style = style
    p.add_run(text)


def _row(table: Table, index: int, height_mm: float, align: WD_CELL_VERTICAL_ALIGNMENT) -> tuple[_Cell, ...]:
    row = table.rows[index]
    row.height, row.height_rule = Mm(height_mm), WD_ROW_HEIGHT_RULE.AT_LEAST
    tr_pr = row._tr.get_or_add_trPr()
    _set(tr_pr, "w:cantSplit", "w:trHeight")
    for cell in row.cells:
        cell.vertical_alignment = align
    return row.cells


def _reason_paragraph(cell: _Cell) -> None:
    """One paragraph per reason paragraph, at the type size the fit rule chose."""
    cell.paragraphs[0].style = "CellText"
    cell.paragraphs[0].add_run("{%p for paragraph in reason %}")
    p = cell.add_paragraph(style="CellText")
    p_pr = p._p.get_or_add_pPr()
    _set(p_pr, "w:spacing", "w:ind", "w:jc", "w:rPr", line="{{ (reason_line_pt * 20) | int }}", lineRule="exact")
    _set(p_pr, "w:ind", "w:jc", "w:rPr", firstLine="{{ (reason_pt * 40) | int }}")
    run = p.add_run("{{ paragraph }}")
    r_pr = run._r.get_or_add_rPr()
    _set(r_pr, "w:sz", "w:szCs", "w:lang", val="{{ (reason_pt * 2) | int }}")
    _set(r_pr, "w:szCs", "w:lang", val="{{ (reason_pt * 2) | int }}")
    cell.add_paragraph(style="CellText").add_run("{%p endfor %}")


def _review_paragraphs(cell: _Cell) -> None:
    """The opinion, then the seal and the date at the bottom right of the cell."""
    first = cell.paragraphs[0]
    first.style = "CellText"
    first.add_run("{%p for paragraph in review %}")
    for text, style in (("{{ paragraph }}", "CellText"), ("{%p endfor %}", "CellText"),
                        ("{%p for line in signatures %}", "CellSeal"), ("{{ line }}", "CellSeal"),
                        ("{%p endfor %}", "CellSeal"), ("{{ date }}", "CellSeal")):
        cell.add_paragraph(style=style).add_run(text)


def _value_rows(table: Table) -> None:
    """Rows 1–5: labels and values, each cell spanning its grid units."""
    for index, cells in enumerate(ROWS):
        row = _row(table, index, ROW_MM, WD_CELL_VERTICAL_ALIGNMENT.CENTER)
        column = 0
        for text, span in cells:
            cell = row[column].merge(row[column + span - 1])
            _write(cell, text, "CellLeft" if index == 2 and column else "Cell")
            column += span


def _reason_row(table: Table) -> None:
    """Row 6: the label at the top, on the reason's first line (document.css); the height the fit rule chose."""
    row = _row(table, 5, ROW_MM, WD_CELL_VERTICAL_ALIGNMENT.TOP)
    _set(table.rows[5]._tr.trPr, "w:trHeight", val=f"{{{{ (reason_mm * {TWIPS_PER_MM:.3f}) | round | int }}}}")
    label, reason = row[0].merge(row[3]), row[4].merge(row[GRID_UNITS - 1])
    _write(label, "免学理由", "Cell")
    _reason_paragraph(reason)
    _margin(label, top=PADDING_MM)
    _margin(reason, top=PADDING_MM)


def _review_row(table: Table) -> None:
    """Row 7: the label at the top; the opinion, seal and date at the bottom."""
    row = _row(table, 6, REVIEW_MM, WD_CELL_VERTICAL_ALIGNMENT.BOTTOM)
    label = row[0].merge(row[3])
    _write(label, "{{ review_label }}", "Cell")
    label.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    _margin(label, top=PADDING_MM)
    review = row[4].merge(row[GRID_UNITS - 1])
    _review_paragraphs(review)
    _margin(review, bottom=PADDING_MM)


def _notes(doc: Document) -> None:
    """The notes under the table: the first hangs 注：, the others align under its text."""
    add(doc, "{%p for note in notes %}", "Note")
    add(doc, "{%p if loop.first %}", "Note")
    add(doc, "{{ note }}", "NoteFirst")
    add(doc, "{%p else %}", "Note")
    add(doc, "{{ note }}", "Note")
    add(doc, "{%p endif %}", "Note")
    add(doc, "{%p endfor %}", "Note")


def build() -> Document:
    """Return the Word template: title, the bordered form on its 6 mm grid, the notes."""
    doc = new_document()
    _styles(doc)
    title = add(doc, "{{ title }}", "DocTitle")
    title.paragraph_format.space_after = Mm(TITLE_GAP_MM)
    table = doc.add_table(rows=7, cols=GRID_UNITS)
    table.style = doc.styles["Table Grid"]
    _table_properties(table)
    _value_rows(table)
    _reason_row(table)
    _review_row(table)
    _notes(doc)
    return doc
