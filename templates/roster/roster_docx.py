"""The DOCX template of 申报人员花名册 (seed 000 附件5): one table, rows from a {%tr for %} loop.

Word paginates the table itself: the header row repeats on every page (w:tblHeader) and no row breaks
across pages (w:cantSplit). Its columns are the PDF's (docgen.kinds.roster.GEOMETRY, from its COLUMNS).
"""
from __future__ import annotations

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row

from docgen.kinds.roster import FONT_PT, GEOMETRY
from docgen.render.docx_builder import FANGSONG, HEITI, add, add_with_fields, new_document, paragraph_style, set_font
from docgen.render.measure import mm_to_twips


def _flag(row: _Row, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cell_text(cell: _Cell, text: str, style: str, flush_left: bool = False) -> None:
    p = cell.paragraphs[0]
    p.style = style
    if flush_left:
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    p.add_run(text)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _cell_style(doc: Document, name: str, face: str) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    set_font(style, face, FONT_PT)
    fmt = style.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(15)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False


def _footer(section: Section) -> None:
    """第 1 页 共 N 页, centred."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_with_fields(p, ("第 ", "{PAGE}", " 页 共 ", "{NUMPAGES}", " 页"), FANGSONG, FONT_PT)


def _table(doc: Document) -> Table:
    """Add the table: fixed column widths, the PDF's 0.8 mm inner space (not Word's 1.9 mm)."""
    table = doc.add_table(rows=4, cols=len(GEOMETRY.columns))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(mm_to_twips(GEOMETRY.cell_pad)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblpr.append(margins)
    for i, width in enumerate(GEOMETRY.widths):
        table.columns[i].width = Mm(width)
        for row in table.rows:
            row.cells[i].width = Mm(width)
    return table


def _rows(table: Table) -> None:
    """Fill the header row and the one body row that a {%tr for %} loop repeats."""
    header, loop, body, end = table.rows
    _flag(header, "w:tblHeader")
    _flag(header, "w:cantSplit")
    _flag(body, "w:cantSplit")
    height = OxmlElement("w:trHeight")     # the blank form's rows: tall enough to write in by hand
    height.set(qn("w:val"), "{{ table.min_row_twips }}")
    height.set(qn("w:hRule"), "atLeast")
    body._tr.get_or_add_trPr().append(height)
    for i, column in enumerate(GEOMETRY.columns):
        _cell_text(header.cells[i], f"{{{{ table.columns[{i}] }}}}", "HeadCell")
        _cell_text(body.cells[i], f"{{{{ row[{i}] }}}}", "Cell", column.flush_left)
    loop.cells[0].paragraphs[0].add_run("{%tr for row in table.docx_rows %}")
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")


def build() -> Document:
    """Return the Word template: title, unit line, and the table of applicants."""
    doc = new_document(landscape=True, page_numbers=False)
    section = doc.sections[0]
    section.top_margin, section.bottom_margin = Mm(15), Mm(15)
    section.left_margin, section.right_margin = Mm(15), Mm(15)
    section.footer_distance = Mm(6)
    _footer(section)
    _cell_style(doc, "Cell", FANGSONG)
    _cell_style(doc, "HeadCell", HEITI)

    # blanks (the blank form's year and unit) ruled as in the PDF, not dashed underscores
    title = add(doc, "{{r title|ruled }}", "DocTitle")
    title.paragraph_format.space_after = Pt(6)
    paragraph_style(doc, "UnitLine", FANGSONG, 14, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=4)   # 4号
    add(doc, "{{r (unit_label ~ unit_name)|ruled(unit_pt) }}", "UnitLine")   # shrunk for a long name, as the PDF's (one line)

    _rows(_table(doc))
    return doc
