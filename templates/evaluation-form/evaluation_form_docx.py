"""The DOCX template of 专业技术职务任职资格评审表 (seed 000 五(三), 002 (五)1).

The rows and spans of templates/evaluation-form/document.html (26 columns of 6 mm): change the two together. Its
sizes are docgen.kinds.evaluation_form's, as document.css's. Lists are {%tr for %} rows; the boxes signed by hand
are one-cell tables. The watermark, QR code and copies are added after rendering (docgen.render.finish), not here.
"""
from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from docgen.kinds.evaluation_form import (ACHIEVEMENTS_MM, BASIC_HEIGHT_MM, BODY_PT, BOX_PAD_X_MM, BOX_PAD_Y_MM,
                                          CELL_PAD_X_MM, CELL_PAD_Y_MM, COVER_INSET_MM, COVER_LABEL_MM,
                                          COVER_LINE_MM, COVER_PAD_MM, COVER_PT, COVER_USUAL_MM, COVER_VALUE_MM,
                                          GRID_COLUMNS, GRID_MM, HEAD_AFTER_MM, HEAD_BEFORE_MM, HEAD_LINE_MM, HEAD_PT,
                                          LINE_MM, NOTE_GAP_MM, RULE_PT, RULED_MM, RULED_RULE_PT, SIGN_GAP_MM, SMALL_PT,
                                          TITLE_LINE_MM, TITLE_PT, TITLE_SPACING_PT, WIDTH_MM)
from docgen.render.docx_builder import FANGSONG, HEITI, add, bottom_border, new_document, paragraph_style
from docgen.render.measure import mm_to_twips, pt_to_eighths

CELL_LINE = Mm(LINE_MM)
RULE_SZ = str(pt_to_eighths(RULE_PT))   # a border's w:sz
TOP = WD_CELL_VERTICAL_ALIGNMENT.TOP

BASIC = (   # (text, grid units); "{{…}}" cells are values; the photo cell spans rows 1–4
    (("姓名", 4), ("{{ person.name }}", 17),
     ("{% if photo %}{{ photo }}{% else %}{{ photo_label }}{% endif %}", 5)),
    (("性别", 4), ("{{ person.gender }}", 2), ("出生年月", 4), ("{{ person.birth }}", 4), ("民族", 3),
     ("{{ person.ethnicity }}", 4)),
    (("参加工作时间", 6), ("{{ person.work_start }}", 5), ("政治面貌", 4), ("{{ person.political_status }}", 6)),
    (("身份证号", 4), ("{{ person.id_number }}", 17)),
    (("学历学位", 6), ("{{ person.education }}", 20)),
    (("现任专业技术职务及取得时间", 10), ("{{ person.current_title }}", 16)),
    (("工作单位", 6), ("{{ person.work_unit }}", 20)),
    (("申报系列及专业", 6), ("{{ person.series }}", 20)),
    (("申报资格", 6), ("{{ person.target_title }}", 20)),
)
LISTS = (   # heading, context list, (header, key, grid units) per column; the last column is left-aligned
    ("二、学习经历", "education", (("起止时间", "period", 9), ("学历学位", "degree", 5), ("学校及专业", "school", 12))),
    ("三、工作经历", "work", (("起止时间", "period", 9), ("工作单位及职务", "unit", 17))),
    ("五、论文著作", "papers", (("发表时间", "date", 5), ("本人作用", "role", 4), ("题目及刊物（出版社）", "title", 17))),
    ("六、获奖情况", "awards", (("获奖时间", "date", 5), ("奖励等级", "level", 6), ("奖项名称及授奖部门", "name", 15))),
    ("八、继续教育", "trainings", (("年度", "year", 4), ("学时", "hours", 4), ("学习内容", "content", 18))),
)
COVER = (("姓　　名", "person.name"), ("工作单位", "person.work_unit"), ("申报系列（专业）", "person.series"),
         ("申报资格", "person.target_title"), ("填表日期", "person.fill_date"))


def _styles(doc: Document) -> None:
    center, left, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
    paragraph_style(doc, "Cell", FANGSONG, BODY_PT, align=center, line=CELL_LINE)
    paragraph_style(doc, "CellLeft", FANGSONG, BODY_PT, align=left, line=CELL_LINE)
    paragraph_style(doc, "CellText", FANGSONG, BODY_PT, align=left, indent_chars=2, line=CELL_LINE)
    paragraph_style(doc, "CellHint", FANGSONG, SMALL_PT, align=left, line=CELL_LINE)
    paragraph_style(doc, "CellSign", FANGSONG, BODY_PT, align=right, right_chars=2, line=CELL_LINE)
    paragraph_style(doc, "Ruled", FANGSONG, BODY_PT, align=left, line=Mm(RULED_MM))   # ≥ 8 mm to write in by hand
    photo = paragraph_style(doc, "Photo", FANGSONG, BODY_PT, align=center)
    photo.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    cover_line = Mm(COVER_LINE_MM)
    # as the PDF sets the labels: 姓　　名 spaced by hand, not spread over the column (justify spreads a line by at
    # most docgen.render.justify.MAX_SPACING_EM a character: a 4-character label not at all)
    paragraph_style(doc, "CoverLabel", FANGSONG, COVER_PT, align=left, line=cover_line)
    paragraph_style(doc, "CoverValue", FANGSONG, COVER_PT, align=left, line=cover_line)
    paragraph_style(doc, "Issuer", FANGSONG, COVER_PT, align=center, line=cover_line)
    paragraph_style(doc, "Note", FANGSONG, SMALL_PT, align=center, line=CELL_LINE)
    heading = paragraph_style(doc, "Heading2Form", HEITI, HEAD_PT, align=left, line=Mm(HEAD_LINE_MM))
    heading.paragraph_format.space_before = Mm(HEAD_BEFORE_MM)
    heading.paragraph_format.space_after = Mm(HEAD_AFTER_MM)
    heading.paragraph_format.keep_with_next = True


def _borders(table: Table, edges: Sequence[str] = ("top", "left", "bottom", "right", "insideH", "insideV"),
             val: str = "single") -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for key, value in (("val", val if edge in edges else "nil"), ("sz", RULE_SZ), ("space", "0"),
                           ("color", "000000")):
            el.set(qn(f"w:{key}"), value)
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _margins(table: Table, top: float = CELL_PAD_Y_MM, side: float = CELL_PAD_X_MM) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge, mm in (("top", top), ("left", side), ("bottom", top), ("right", side)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(mm_to_twips(mm)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)


def _table(doc: Document, rows: int, cols: int, widths_mm: Sequence[float]) -> Table:
    table = doc.add_table(rows=rows, cols=cols)
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)
        for cell in col.cells:
            cell.width = Mm(width)
    for row in table.rows:
        _cant_split(row)
    return table


def _cant_split(row: _Row) -> None:
    el = OxmlElement("w:cantSplit")
    row._tr.get_or_add_trPr().append(el)


def _grid(doc: Document, rows: int) -> Table:
    table = _table(doc, rows, GRID_COLUMNS, [GRID_MM] * GRID_COLUMNS)
    _borders(table)
    _margins(table)
    return table


def _put(cell: _Cell, text: str, style: str = "Cell") -> None:
    p = cell.paragraphs[0]
    p.style = style
    p.add_run(text)
    cell.vertical_alignment = TOP


def _spans(row: _Row, cells: Sequence[tuple[str, int]], last_left: bool = False) -> None:
    column = 0
    for i, (text, span) in enumerate(cells):
        cell = row.cells[column].merge(row.cells[column + span - 1]) if span > 1 else row.cells[column]
        _put(cell, text, "CellLeft" if last_left and i == len(cells) - 1 else "Cell")
        column += span


def _cover(doc: Document) -> None:
    title = add(doc, "{{ title }}", "DocTitle")
    title.paragraph_format.space_before = Mm(COVER_USUAL_MM["title_before"])
    title.paragraph_format.space_after = Mm(COVER_USUAL_MM["title_after"])
    # less room around the title when long values take more lines (docgen.kinds.evaluation_form._cover_gap)
    spacing = title._p.get_or_add_pPr().get_or_add_spacing()
    spacing.set(qn("w:before"), "{{ cover_gap.title_before_twips }}")
    spacing.set(qn("w:after"), "{{ cover_gap.title_after_twips }}")
    title.runs[0].font.size = Pt(TITLE_PT)
    title.paragraph_format.line_spacing = Mm(TITLE_LINE_MM)      # the PDF's title line and letter spacing
    letters = OxmlElement("w:spacing")
    letters.set(qn("w:val"), str(round(TITLE_SPACING_PT * 20)))
    title.runs[0]._r.get_or_add_rPr().insert_element_before(letters, "w:w", "w:kern", "w:position", "w:sz")
    table = _table(doc, len(COVER), 2, (COVER_LABEL_MM, COVER_INSET_MM + COVER_VALUE_MM))
    _margins(table, top=COVER_PAD_MM, side=0)
    for row, (label, key) in zip(table.rows, COVER, strict=True):
        _put(row.cells[0], label, "CoverLabel")
        _put(row.cells[1], f"{{{{ {key} }}}}", "CoverValue")
        tc_pr = row.cells[1]._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        bottom = OxmlElement("w:bottom")
        for key_, value in (("val", "single"), ("sz", RULE_SZ), ("space", "0"), ("color", "000000")):
            bottom.set(qn(f"w:{key_}"), value)
        borders.append(bottom)
        tc_pr.append(borders)
        margin = OxmlElement("w:tcMar")
        left = OxmlElement("w:left")
        left.set(qn("w:w"), str(mm_to_twips(COVER_INSET_MM)))
        left.set(qn("w:type"), "dxa")
        margin.append(left)
        tc_pr.append(margin)
    issuer = add(doc, "{{ issuer }}", "Issuer")
    # less room above the issuer when a long 工作单位 takes more lines (docgen.kinds.evaluation_form._cover_gap)
    issuer.paragraph_format.space_before = Mm(COVER_USUAL_MM["issuer"])
    issuer._p.get_or_add_pPr().get_or_add_spacing().set(qn("w:before"), "{{ cover_gap.twips }}")
    note = add(doc, "{{ print_note }}", "Note")
    note.paragraph_format.space_before = Mm(NOTE_GAP_MM)


def _heading(doc: Document, text: str, new_page: bool = False) -> None:
    p = add(doc, text, "Heading2Form")
    if new_page:
        p.paragraph_format.page_break_before = True
        p.paragraph_format.space_before = Mm(0)


def _basic(doc: Document) -> None:
    table = _grid(doc, len(BASIC))
    for index, cells in enumerate(BASIC):
        row = table.rows[index]
        row.height, row.height_rule = Mm(BASIC_HEIGHT_MM + 2 * CELL_PAD_Y_MM), WD_ROW_HEIGHT_RULE.AT_LEAST
        column = 0
        for text, span in cells:
            cell = row.cells[column].merge(row.cells[column + span - 1]) if span > 1 else row.cells[column]
            _put(cell, text)
            column += span
    photo = table.cell(0, 21).merge(table.cell(3, 25))
    photo.vertical_alignment = TOP
    photo.paragraphs[0].style = "Photo"      # an exact line height would clip the picture
    for p in photo.paragraphs[1:]:      # merging leaves the empty paragraphs of the merged cells
        p._p.getparent().remove(p._p)


def _list(doc: Document, heading: str, name: str, columns: Sequence[tuple[str, str, int]]) -> None:
    _heading(doc, heading, new_page=False)
    table = _grid(doc, 4)
    _spans(table.rows[0], [(header, units) for header, _, units in columns])
    for cell in table.rows[0].cells:   # the head row never ends a page alone (document.css: break-after: avoid)
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True
    table.cell(1, 0).merge(table.cell(1, GRID_COLUMNS - 1)).paragraphs[0].add_run(f"{{%tr for row in {name} %}}")
    _spans(table.rows[2], [(f"{{{{ row.{key} }}}}", units) for _, key, units in columns], last_left=True)
    table.cell(3, 0).merge(table.cell(3, GRID_COLUMNS - 1)).paragraphs[0].add_run("{%tr endfor %}")


def _box(doc: Document, min_height_mm: float = 0) -> _Cell:
    table = _table(doc, 1, 1, (WIDTH_MM,))
    trpr = table.rows[0]._tr.get_or_add_trPr()   # a box breaks across pages between its lines, as the PDF's div
    trpr.remove(trpr.find(qn("w:cantSplit")))
    _borders(table)
    _margins(table, top=BOX_PAD_Y_MM, side=BOX_PAD_X_MM)
    cell = table.cell(0, 0)
    cell.vertical_alignment = TOP
    if min_height_mm:
        row = table.rows[0]
        row.height, row.height_rule = Mm(min_height_mm), WD_ROW_HEIGHT_RULE.AT_LEAST
    return cell


def _cell_add(cell: _Cell, text: str, style: str, first: list[bool]) -> Paragraph:
    p = cell.paragraphs[0] if first and not first.pop() else cell.add_paragraph()
    p.style = style
    p.add_run(text)
    return p


def _cell_lines(cell: _Cell, name: str, first: list[bool]) -> None:
    _cell_add(cell, f"{{%p for line in {name} %}}", "Ruled", first)
    bottom_border(_cell_add(cell, "{{ line }}", "Ruled", first), RULED_RULE_PT)
    _cell_add(cell, "{%p endfor %}", "Ruled", first)


def _signed_box(doc: Document, heading: str, before: tuple[tuple[str, str], ...], lines: str | None, sign: str,
                new_page: bool = False) -> None:
    _heading(doc, heading, new_page=new_page)
    cell = _box(doc)
    first = [False]
    for text, style in before:
        _cell_add(cell, text, style, first)
    if lines:
        _cell_lines(cell, lines, first)
    p = _cell_add(cell, f"{{{{r {sign}|ruled }}}}", "CellSign", first)   # the signature and its date on one line
    p.add_run("　　{{ date_blank }}")
    p.paragraph_format.space_before = Mm(SIGN_GAP_MM)


def build() -> Document:
    """Return the Word template: cover, 基本情况, the lists, and the boxes signed by hand."""
    doc = new_document()
    doc.sections[0].different_first_page_header_footer = True    # no page number on the cover
    _styles(doc)
    _cover(doc)

    _heading(doc, "一、基本情况", new_page=True)
    _basic(doc)
    for heading, name, columns in LISTS[:2]:
        _list(doc, heading, name, columns)

    _heading(doc, "四、任现职以来主要业绩", new_page=True)
    cell = _box(doc, min_height_mm=ACHIEVEMENTS_MM)
    first = [False]
    for text in ("{%p for line in achievements %}", "{{ line }}", "{%p endfor %}"):
        _cell_add(cell, text, "CellLeft", first)
    for heading, name, columns in LISTS[2:4]:
        _list(doc, heading, name, columns)
    _heading(doc, "七、年度考核")
    _cell_add(_box(doc), "{{ assessments }}", "CellLeft", [False])
    _list(doc, *LISTS[4])

    _signed_box(doc, "九、个人承诺", (("{{ promise }}", "CellText"), ("{{ promise_hand }}", "CellLeft")),
                "promise_lines", "promise_sign", new_page=True)
    _signed_box(doc, "十、单位意见", (("{{ unit_hint }}", "CellHint"),), "unit_lines", "unit_sign")
    _signed_box(doc, "十一、主管部门意见", (), "competent_lines", "competent_sign")
    _signed_box(doc, "十二、评审委员会意见", (("{{r committee_votes|ruled }}", "CellLeft"),
                                       ("{{r committee_result|ruled }}", "CellLeft")), None, "committee_sign")
    return doc
