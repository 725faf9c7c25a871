"""Spreadsheets docgen writes hold values, never formulas.

A 备注 or a name beginning with `=` would otherwise be saved as a live formula (e.g. a HYPERLINK that sends
the ID number in the next column to a stranger's server when the file is opened). openpyxl turns any text
starting with `=` into a formula, so every workbook goes through `values_only` before it is saved.
"""
from __future__ import annotations

from openpyxl import Workbook

# what spreadsheet programs read as the start of a formula when a person edits the cell (OWASP CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def values_only(workbook: Workbook) -> None:
    """Store every text cell of `workbook` as text; mark text a program could take for a formula as such."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True   # Excel shows the leading ' and keeps it text when edited
