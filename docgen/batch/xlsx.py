"""Read a unit's roster from XLSX (the 花名册 staff already keep in Excel) into a batch request."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook

from docgen.errors import Problem
from docgen.kinds import roster
from docgen.kinds.roster import EXAMPLE_MARK
from docgen.limits import xlsx as xlsx_limits

__all__ = ["EXAMPLE_MARK", "HEADERS", "Cells", "read_roster", "read_roster_cells"]

# column headers as units write them (seed 000 附件5, 003 附件8, docgen's own roster) → payload keys
HEADERS = {header: column.key for column in roster.COLUMNS if column.key != roster.INDEX_KEY
           for header in column.headers}
READERS = {column.key: column.read for column in roster.COLUMNS}
SERIAL = next(column.header for column in roster.COLUMNS if column.key == roster.INDEX_KEY)   # 序号


@dataclass
class Cells:
    """Where each applicant of a read roster came from: its sheet row and the header of each column."""

    rows: list[int] = field(default_factory=list)           # applicant index -> row number in the sheet
    headers: dict[str, str] = field(default_factory=dict)   # payload key -> column header as written

    def locate(self, error: dict) -> dict:
        """Add the row number and column name to an error about /applicants/N/field."""
        parts = error["pointer"].split("/")
        if len(parts) < 3 or parts[1] != "applicants" or not parts[2].isdigit() or int(parts[2]) >= len(self.rows):
            return error
        key = ".".join(parts[3:5]) if parts[3:4] == ["payload"] else "/".join(parts[3:4])
        row, column = self.rows[int(parts[2])], self.headers.get(key, "")
        where = f"第{row}行" + (f"“{column}”" if column else "")
        return {**error, "row": row, "column": column or None, "detail": f"{where}：{error['detail']}"}


def read_roster(content: bytes) -> dict:
    """Return {"unit": {"name"}, "applicants": [...]} from the first sheet; the header row is the one with 姓名."""
    return read_roster_cells(content)[0]


def read_roster_cells(content: bytes) -> tuple[dict, Cells]:
    """Read a roster as read_roster does, and where each applicant and field came from."""
    rows = _sheet_rows(content)
    unit = ""
    for index, row in enumerate(rows):
        cells = [str(c).strip() if c is not None else "" for c in row]
        unit = _unit(cells) or unit
        if "姓名" in cells:
            return _read_table(rows, index, cells, unit)
    raise Problem(422, "花名册缺少表头", "第一张工作表中找不到含“姓名”的表头行", slug="bad-xlsx",
                  errors=[{"pointer": "/applicants", "detail": "花名册第一张工作表中找不到含“姓名”的表头行"}])


def _sheet_rows(content: bytes) -> list[list]:
    """Return the values of the first sheet's rows, the file checked before openpyxl opens it."""
    xlsx_limits.check(content)   # sizes, dimension, rows, shared strings and formulas, before openpyxl
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise Problem(400, "无法读取花名册", f"上传的文件不是有效的 Excel（.xlsx）文件：{type(exc).__name__}",
                      slug="bad-xlsx") from None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _unit(cells: list[str]) -> str:
    """Return the unit named on a 单位（盖章）：… line, or "" when the row has none."""
    unit = ""
    for cell in cells:
        if cell.startswith("单位（盖章）") or cell.startswith("单位(盖章)"):
            unit = cell.split("：", 1)[-1].split(":", 1)[-1].strip() or unit
    return unit


def _read_table(rows: list[list], index: int, cells: list[str], unit: str) -> tuple[dict, Cells]:
    """Read the applicants under the header row `index` (the template's example row skipped)."""
    headers = [c.replace(" ", "") for c in cells]
    columns = {i: HEADERS[h] for i, h in enumerate(headers) if h in HEADERS}
    found = Cells(headers={HEADERS[h]: c for c, h in zip(reversed(cells), reversed(headers), strict=True)
                           if h in HEADERS})
    serial = cells.index(SERIAL) if SERIAL in cells else None
    applicants = []
    for number, row in enumerate(rows[index + 1:], start=index + 2):
        if serial is not None and serial < len(row) and str(row[serial] or "").strip() == EXAMPLE_MARK:
            continue   # the template's example row
        if applicant := _applicant(row, columns):
            applicants.append(applicant)
            found.rows.append(number)
    return {"unit": {"name": unit} if unit else {}, "applicants": applicants}, found


def _value(value: object, key: str) -> dict[str, object]:
    """Convert one cell: dates as ISO dates, the rest by its column (docgen.kinds.roster.COLUMNS)."""
    if isinstance(value, dt.datetime):
        return {"": value.date().isoformat()}
    if isinstance(value, dt.date):
        return {"": value.isoformat()}
    return READERS[key](value)


def _applicant(row: list, columns: dict[int, str]) -> dict:
    out: dict[str, object] = {}
    for i, key in columns.items():
        value = row[i] if i < len(row) else None
        if value is None or (isinstance(value, str) and not value.strip()) or value == "无":
            continue
        read = _value(value, key)
        for implied, implied_value in read.items():
            if implied:
                out.setdefault(implied, implied_value)
        _put(out, key, read[""])
    return out if out.get("name") else {}


def _put(out: dict[str, object], key: str, value: object) -> None:
    """Set an applicant's key, or (payload.x) a key of the payload of its documents."""
    if key.startswith("payload."):
        payload = out.setdefault("payload", {})
        assert isinstance(payload, dict)
        payload[key.removeprefix("payload.")] = value
    else:
        out[key] = value
