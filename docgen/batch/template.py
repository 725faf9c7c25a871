"""The XLSX roster template staff fill in Excel or WPS: Chinese headers, drop-down lists, input hints and an
example row, all from the roster's columns (docgen.kinds.roster.COLUMNS); docgen.batch.xlsx reads it back (the
example row is skipped)."""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from docgen.kinds.roster import COLUMNS, INDEX_KEY, RosterColumn

UNIT_LINE = "单位（盖章）："
OFFERED = tuple(c for c in COLUMNS if c.xlsx_width)   # the template's columns; docgen.batch.xlsx reads them back
ROWS = 500   # rows prepared with the drop-downs
FIRST, LAST = 4, 3 + ROWS


def build(unit: str = "", rows: Sequence[Mapping[str, Any]] = ()) -> bytes:
    """Return the template as XLSX bytes, with `rows` (applicants as a batch gives them) under its example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    choices = book.create_sheet("选项")
    choices.sheet_state = "hidden"
    sheet.append(["职称申报人员花名册"])
    sheet["A1"].font = Font(size=16, bold=True)
    sheet.append([UNIT_LINE + unit])
    sheet.append([column.header for column in OFFERED])
    sheet.append([column.example for column in OFFERED])
    gray = PatternFill("solid", fgColor="EEEEEE")
    for col, column in enumerate(OFFERED, start=1):
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = column.xlsx_width
        head = sheet.cell(row=3, column=col)
        head.font, head.alignment = Font(bold=True), Alignment(horizontal="center", wrap_text=True)
        sheet.cell(row=4, column=col).fill = gray
        if column.as_text:
            for row in range(FIRST, LAST + 1):   # text: Excel would turn an ID number into 6.528E+17
                sheet.cell(row=row, column=col).number_format = "@"
        sheet.add_data_validation(_validation(choices, col, column))
    for number, entry in enumerate(rows, start=1):   # the cells as formatted above (text stays text)
        for col, column in enumerate(OFFERED, start=1):
            sheet.cell(row=FIRST + number, column=col, value=_cell(column, entry, number))
    sheet.freeze_panes = "C4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _validation(choices: Worksheet, col: int, column: RosterColumn) -> DataValidation:
    """Return the column's input hint, with its drop-down list (written to the hidden sheet) if it has one."""
    letter = get_column_letter(col)
    if column.choices:
        choices.cell(row=1, column=col, value=column.header)
        for i, value in enumerate(column.choices, start=2):
            choices.cell(row=i, column=col, value=value)
        rule = DataValidation(type="list", formula1=f"=选项!${letter}$2:${letter}${len(column.choices) + 1}",
                              allow_blank=True, showErrorMessage=True, errorTitle=column.header,
                              error=f"请从下拉列表选择{column.header}")
    else:
        rule = DataValidation(allow_blank=True)
    rule.promptTitle, rule.prompt, rule.showInputMessage = column.header, column.hint, True
    rule.add(f"{letter}{FIRST}:{letter}{LAST}")
    return rule


def _cell(column: RosterColumn, row: Mapping[str, Any], number: int) -> Any:
    """Return what an applicant's row shows in a column, as docgen.batch.xlsx reads it back (是/否, text)."""
    if column.key == INDEX_KEY:
        return number
    group, _, key = column.key.rpartition(".")
    value = (row.get(group) or {}).get(key) if group else row.get(key)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value if value is None or isinstance(value, int) else str(value)
