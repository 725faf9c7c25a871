"""Read a unit's roster from XLSX (the 花名册 staff already keep in Excel) into a batch request."""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from openpyxl import load_workbook

from docgen.errors import Problem
from docgen.limits import xlsx as xlsx_limits

# column headers as units write them (seed 000 附件5, 003 附件8) → payload keys
HEADERS = {
    "姓名": "name", "性别": "gender", "族别": "ethnicity", "民族": "ethnicity", "政治面貌": "political_status",
    "身份证号码": "id_number", "身份证号": "id_number", "出生日期": "birth_date",
    "现任专业职务": "current_title", "现任专业技术职务": "current_title",
    "获现任专业职务时间": "current_title_date", "获现任专业技术职务时间": "current_title_date",
    "拟晋升专业技术职务": "target_title", "拟申报专业技术职务": "target_title", "系列": "series", "专业": "specialty",
    "级别": "level", "申报级别": "level", "工作单位": "work_unit", "申报途径": "route", "途径": "route",
    "是否通过": "passed", "备注": "remark",
    # what the 推荐单位公示 prints for each applicant (seed 000 附件1): into the applicant's payload
    "思想政治条件": "payload.political", "业绩成果": "payload.achievements",
}
EXAMPLE_MARK = "示例"   # 序号 of the template's example row: never read as an applicant
# docgen's own roster prints the route with the title, 工程师（评审）, and dates as 2019年8月
_TITLE_WITH_ROUTE = re.compile(r"^(?P<title>.*?)\s*[（(](?P<route>初定|初次确定|授予|评审)[)）]$")
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?$")
_YES, _NO = {"是", "通过", "Y", "y", "yes", "TRUE", "True", "true"}, {"否", "未通过", "N", "n", "no", "FALSE", "False", "false"}


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
    xlsx_limits.check(content)   # sizes, dimension, rows, shared strings and formulas, before openpyxl
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise Problem(400, "无法读取花名册", f"上传的文件不是有效的 Excel（.xlsx）文件：{type(exc).__name__}",
                      slug="bad-xlsx") from None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    unit = ""
    for index, row in enumerate(rows):
        cells = [str(c).strip() if c is not None else "" for c in row]
        for cell in cells:
            if cell.startswith("单位（盖章）") or cell.startswith("单位(盖章)"):
                unit = cell.split("：", 1)[-1].split(":", 1)[-1].strip() or unit
        if "姓名" in cells:
            columns = {i: HEADERS[c.replace(" ", "")] for i, c in enumerate(cells) if c.replace(" ", "") in HEADERS}
            found = Cells(headers={HEADERS[c.replace(" ", "")]: c for c in reversed(cells) if c.replace(" ", "") in HEADERS})
            serial = cells.index("序号") if "序号" in cells else None
            applicants = []
            for number, row in enumerate(rows[index + 1:], start=index + 2):
                if serial is not None and serial < len(row) and str(row[serial] or "").strip() == EXAMPLE_MARK:
                    continue   # the template's example row
                if applicant := _applicant(row, columns):
                    applicants.append(applicant)
                    found.rows.append(number)
            return {"unit": {"name": unit} if unit else {}, "applicants": applicants}, found
    raise Problem(422, "花名册缺少表头", "第一张工作表中找不到含“姓名”的表头行", slug="bad-xlsx",
                  errors=[{"pointer": "/applicants", "detail": "花名册第一张工作表中找不到含“姓名”的表头行"}])


def _applicant(row: list, columns: dict[int, str]) -> dict:
    out: dict[str, object] = {}
    for i, key in columns.items():
        value = row[i] if i < len(row) else None
        if value is None or (isinstance(value, str) and not value.strip()) or value == "无":
            continue
        if isinstance(value, dt.datetime):
            value = value.date().isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif key == "passed":
            value = True if str(value).strip() in _YES else False if str(value).strip() in _NO else value
        elif isinstance(value, float) and key == "id_number":
            value = f"{value:.0f}"  # a number Excel mangled; its check digit will tell
        else:
            value = str(value).strip()
            if key == "target_title" and (m := _TITLE_WITH_ROUTE.match(value)):
                value = m["title"]
                out.setdefault("route", m["route"])
            elif key.endswith("_date") and (m := _YEAR_MONTH.match(value)):
                value = dt.date(int(m["y"]), int(m["m"]), int(m["d"] or 1)).isoformat()
        if key.startswith("payload."):
            payload = out.setdefault("payload", {})
            assert isinstance(payload, dict)
            payload[key.removeprefix("payload.")] = value
        else:
            out[key] = value
    return out if out.get("name") else {}
