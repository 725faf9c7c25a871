"""申报人员花名册 (seed 000 附件5, 003 附件8): one unit's applicants in a 12-column landscape table.

Its columns are defined once (COLUMNS): the PDF (typeset by docgen.render.grid), the DOCX builder
(templates/roster/roster_docx.py), the XLSX it prints, and the XLSX template staff fill and docgen.batch.xlsx
reads back are all derived from them.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from docgen import rules
from docgen.kinds import Kind, Options
from docgen.kinds.common import (
    BLANK, GENDER_RULE, ID_RULE, Applicant, Payload, Short, ShortFilled, Unit, WorkUnit, fill, limited)
from docgen.profiles import Profile
from docgen.render import measure
from docgen.render.grid import Column, Geometry, Table
from docgen.rules import vocab
from docgen.rules.types import Gender, IdNumber, Route

SLUG = "roster"
BLANK_ROWS = 15
BLANK_ROW_H = 9.0   # mm, to write in by hand (issue 9: at least 8 mm); 15 such rows fill the first page
REMARK_MAX = 100
TITLED_ROUTES = ("评审", "授予")   # routes from a title held: 现任专业技术职务 is required for these


class RosterApplicant(Applicant):
    """A row of the roster: the applicant, how the title is obtained, and the committee's result.

    身份证号码, 性别 and 拟申报职务 identify the applicant to the committee: required, never 无 (issue 20).
    """

    gender: Gender = Field(title="性别", description=GENDER_RULE)
    id_number: IdNumber = Field(title="身份证号码", description=ID_RULE)
    # bounded so that one row always fits on one page
    current_title: Short | None = Field(None, title="现任专业技术职务", examples=["助理工程师"],
                                        description="评审、授予必填；初定无现任职务时留空")
    target_title: ShortFilled = Field(title="拟申报专业技术职务", examples=["工程师"])
    work_unit: WorkUnit | None = Field(None, title="工作单位")
    route: Route = Field(title="申报途径", description="初定、授予或评审")
    passed: bool | None = Field(None, title="是否通过", description="评审结果；未知时留空，由评审委员会填写")
    remark: limited(REMARK_MAX) | None = Field(None, title="备注")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _title_held(self) -> RosterApplicant:
        """Require the title held of one who applies by 评审 or 授予 (only 初定 starts from none)."""
        if self.route in TITLED_ROUTES and not self.current_title:
            raise PydanticCustomError(
                "title_required", "申报途径为{route}时须填写现任专业技术职务（初定人员可留空）",
                {"route": self.route, "field": "current_title"})
        return self


class RosterPayload(Payload):
    """申报人员花名册的内容."""

    unit: Unit = Field(title="呈报单位")
    year: int | None = Field(None, title="年度", ge=2000, le=2100, description="缺省为地区配置的年度")
    specialty: Short | None = Field(
        None, title="专业", description="标题中的专业；缺省时取申报人共同的专业，专业不一时标题不写专业")
    applicants: list[RosterApplicant] = Field(title="申报人员", min_length=1, max_length=2000)


# ---------------------------------------------------------------------------------------------------
# Page geometry (mm). Landscape A4 with 15 mm margins (10 mm at the bottom, under the page number).

PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0
MARGIN_TOP, MARGIN_SIDE, MARGIN_BOTTOM = 15.0, 15.0, 10.0
CELL_PAD = 0.8                             # inner space each side of a cell
FONT_PT = 10.5                             # 五号 in the table
LINE = 6.0                                 # line pitch of the body rows
HEAD_LINE = 5.0                            # line pitch inside the header row
TITLE_H, UNIT_H, FOLIO_H = 14.0, 9.0, 7.0  # first-page title, 单位（盖章） line, page-number line
UNIT_PT = 14.0                             # 4号, the 单位（盖章） line; smaller for a long unit name, one line always
CONTENT_H = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
BODY_FACE, HEAD_FACE = "仿宋_GB2312", "黑体"   # measured here, printed by templates/roster/document.css


# ---------------------------------------------------------------------------------------------------
# The columns, defined once: what the PDF, the DOCX and the XLSX print (`printed`), and what the XLSX
# template offers staff and docgen.batch.xlsx reads back (header, aliases, width, choices, hint, example,
# `read`). The printed columns are a subset, in the same order.

EXAMPLE_MARK = "示例"   # 序号 of the template's example row: never read as an applicant
INDEX_KEY = "index"     # 序号: numbers the rows, no payload key
_YES = {"是", "通过", "Y", "y", "yes", "TRUE", "True", "true"}
_NO = {"否", "未通过", "N", "n", "no", "FALSE", "False", "false"}
# docgen's own roster prints the route with the title, 工程师（评审）, and dates as 2019年8月
_TITLE_WITH_ROUTE = re.compile(r"^(?P<title>.*?)\s*[（(](?P<route>初定|初次确定|授予|评审)[)）]$")
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?$")


def _text(value: Any) -> dict[str, Any]:
    return {"": str(value).strip()}


def _passed(value: Any) -> dict[str, Any]:
    text = str(value).strip()
    return {"": True if text in _YES else False if text in _NO else value}


def _id_number(value: Any) -> dict[str, Any]:
    """Read an ID number; one Excel turned into a number is printed back whole (its check digit will tell)."""
    return {"": f"{value:.0f}"} if isinstance(value, float) else _text(value)


def _title_and_route(value: Any) -> dict[str, Any]:
    """Read 工程师（评审） as the title and the route it implies."""
    text = str(value).strip()
    m = _TITLE_WITH_ROUTE.match(text)
    return {"": m["title"], "route": m["route"]} if m else {"": text}


def _date(value: Any) -> dict[str, Any]:
    """Read 2019年8月 (or 2019年8月1日) as an ISO date; other text as written."""
    text = str(value).strip()
    m = _YEAR_MONTH.match(text)
    return {"": dt.date(int(m["y"]), int(m["m"]), int(m["d"] or 1)).isoformat()} if m else {"": text}


@dataclass(frozen=True)
class RosterColumn:
    """A column of the 花名册: the payload key it holds, how it prints, and how staff fill it in XLSX."""

    key: str                                  # the applicant's key; payload.x: a key of its documents' payload
    header: str                               # the XLSX template's header
    printed: Column | None = None             # on the printed roster (PDF, DOCX, XLSX), or not printed
    aliases: tuple[str, ...] = ()             # other headers units write for it, read back as well
    xlsx_width: int | None = None             # width in the XLSX template (None: read back, not offered)
    choices: tuple[str, ...] | None = None    # the template's drop-down list
    hint: str = ""                            # the template's input message
    example: str = ""                         # the template's example row
    as_text: bool = False                     # template cells formatted as text (Excel mangles IDs and dates)
    # an XLSX cell's value → {"": the payload value, other keys: what it implies unless another column gives it}
    read: Callable[[Any], dict[str, Any]] = _text

    @property
    def headers(self) -> tuple[str, ...]:
        """Return every header this column is read back under."""
        printed = (self.printed.header,) if self.printed else ()
        return tuple(dict.fromkeys((self.header, *printed, *self.aliases)))


# seed 000 附件5. 姓名 holds 7 characters a line: 阿不都热合曼· (the “·” is a full em in 仿宋) stays on the
# first line; 获现任专业职务时间 holds 2018年12月 on one line, also as LibreOffice sets it (issue 21 point 1: it
# puts 0.73 mm between a digit and a Chinese character, 2018年12月 takes 20.7 mm there); 工作单位 8 characters a
# line; 备注 10 characters a line (a 100-character remark is 10 lines, two or more applicants a page); 族别 holds
# 维吾尔族, 是否通过 是/否 under its two-line header (是否 / 通过), 序号 its header on one line
COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn(INDEX_KEY, "序号", Column("序号", 9.2), xlsx_width=6,
                 hint="从1起编号；“示例”行不会生成文书，可删除", example=EXAMPLE_MARK),
    RosterColumn("name", "姓名", Column("姓名", 27.6, docx_breaks=True), xlsx_width=12,
                 hint="与身份证一致，少数民族姓名中间用“·”", example="阿不都热合曼·买买提"),
    RosterColumn("gender", "性别", Column("性别", 8.0), xlsx_width=6, choices=vocab.GENDERS, hint="必填，从下拉列表选择",
                 example="男"),
    RosterColumn("ethnicity", "民族", Column("族别", 16.6), xlsx_width=10,
                 choices=vocab.ETHNICITIES + vocab.OTHER_ETHNICITIES, hint="从下拉列表选择", example="维吾尔族"),
    RosterColumn("political_status", "政治面貌", Column("政治面貌", 17.0), xlsx_width=12,
                 choices=vocab.POLITICAL_STATUSES, hint="从下拉列表选择", example="中共党员"),
    RosterColumn("id_number", "身份证号码", Column("身份证号码", 36.0), aliases=("身份证号",), xlsx_width=21,
                 hint="必填，18位，末位可为X；本列为文本格式，请勿改为数字", example="652801199003152311", as_text=True,
                 read=_id_number),
    RosterColumn("birth_date", "出生日期", read=_date),
    RosterColumn("current_title", "现任专业技术职务", Column("现任专业职务", 21.0), xlsx_width=16,
                 hint="如：助理工程师；评审、授予必填，初定无则留空", example="研究实习员"),
    RosterColumn("current_title_date", "获现任专业技术职务时间", Column("获现任专业职务时间", 23.0), xlsx_width=14,
                 hint="如：2019-08-01 或 2019年8月", example="2019-08-01", as_text=True, read=_date),
    RosterColumn("target_title", "拟申报专业技术职务", Column("拟晋升专业技术职务", 28.0, docx_breaks=True), xlsx_width=16,
                 hint="必填，如：工程师", example="助理研究员", read=_title_and_route),
    RosterColumn("series", "系列", xlsx_width=14, hint="如：工程、自然科学研究", example="自然科学研究"),
    RosterColumn("specialty", "专业", xlsx_width=12, hint="如：农业科学", example="农业科学"),
    RosterColumn("level", "级别", aliases=("申报级别",), xlsx_width=8, choices=vocab.LEVELS, hint="从下拉列表选择",
                 example="中级"),
    RosterColumn("work_unit", "工作单位", Column("工作单位", 32.8, flush_left=True), xlsx_width=28,
                 hint="缺省为本单位"),
    RosterColumn("route", "申报途径", aliases=("途径",), xlsx_width=10, choices=vocab.ROUTES,
                 hint="从下拉列表选择：初定、授予或评审", example="评审"),
    RosterColumn("passed", "是否通过", Column("是否通过", 9.1), xlsx_width=8, choices=("是", "否"),
                 hint="评审结果，未评审时留空", read=_passed),
    RosterColumn("remark", "备注", Column("备注", 38.7, flush_left=True), xlsx_width=16, hint="无则留空"),
    # what the 推荐单位公示 prints for each applicant (seed 000 附件1): into the applicant's payload
    RosterColumn("payload.political", "思想政治条件", xlsx_width=30,
                 hint="生成推荐单位公示时必填：思想政治表现、职业操守和从业行为",
                 example="拥护党的路线方针政策，遵纪守法，具有良好的职业道德。"),
    RosterColumn("payload.achievements", "业绩成果", xlsx_width=40,
                 hint="生成推荐单位公示时必填：近年来的业绩成果及本人的实际贡献",
                 example="主持完成自治区级科研项目1项，发表论文2篇。"),
)
PRINTED = tuple(c for c in COLUMNS if c.printed)
PRINTED_KEYS = tuple(c.key for c in PRINTED)
GEOMETRY = Geometry(
    columns=tuple(c.printed for c in PRINTED if c.printed), font_pt=FONT_PT, body_face=BODY_FACE,
    head_face=HEAD_FACE, cell_pad=CELL_PAD, line=LINE, head_line=HEAD_LINE, room=CONTENT_H - FOLIO_H,
    first_page_room=CONTENT_H - FOLIO_H - (TITLE_H + UNIT_H))
COLUMN_WIDTHS = GEOMETRY.widths
NAME_COLUMN = PRINTED_KEYS.index("name")
TABLE_W = GEOMETRY.width
assert abs(TABLE_W - (PAGE_WIDTH - 2 * MARGIN_SIDE)) < 0.01
# the same numbers for templates/roster/document.css (var(--name))
LAYOUT = {
    "page-size": f"{PAGE_WIDTH:g}mm {PAGE_HEIGHT:g}mm",
    "page-margin": f"{MARGIN_TOP:g}mm {MARGIN_SIDE:g}mm {MARGIN_BOTTOM:g}mm",
    "content-height": f"{CONTENT_H:g}mm",
    "font-size": f"{FONT_PT:g}pt",
    "body-face": f'"{BODY_FACE}"',
    "head-face": f'"{HEAD_FACE}"',
    "line": f"{LINE:g}mm",
    "head-half-line": f"{HEAD_LINE / 2:g}mm",   # the header's labels sit on a half-line grid
    "title-height": f"{TITLE_H:g}mm",
    "unit-height": f"{UNIT_H:g}mm",
    "folio-height": f"{FOLIO_H:g}mm",
}


# ---------------------------------------------------------------------------------------------------

def _title(profile: Profile, year: int, specialty: str | None) -> str:
    key = "title" if specialty else "title_general"
    return fill(profile.text(SLUG, key), {"year": year, "specialty": specialty or ""})


def _common_specialty(applicants: list[RosterApplicant]) -> str | None:
    specialties = Counter(a.specialty for a in applicants)
    return next(iter(specialties)) if len(specialties) == 1 else None


def _cell(key: str, index: int, a: RosterApplicant, profile: Profile) -> str:
    """Return the printed text of one cell: 无 for what is empty, but the committee's 是否通过 stays blank until
    the result is known (无 would read as “not passed”)."""
    text = lambda k: profile.text(SLUG, k)  # noqa: E731
    if key == INDEX_KEY:
        return str(index)
    if key == "passed":
        return "" if a.passed is None else text("passed_yes" if a.passed else "passed_no")
    if key == "target_title":   # seed 000 prints 初定/授予/评审 under 拟晋升专业技术职务
        return fill(text("target"), {"target_title": rules.or_none(a.target_title), "route": a.route})
    if key == "current_title_date":
        return rules.or_none(rules.cn_month(a.current_title_date) if a.current_title_date else None)
    return rules.or_none(getattr(a, key))


def _unit_pt(line: str) -> float:
    """Return the size (pt, in half points) at which the 单位（盖章） line fits the table's width on one line: a
    second line would print over the table's header (issue 21 point 7); 13 pt for the longest name (50)."""
    width = measure.width_mm(line, BODY_FACE, UNIT_PT)
    return UNIT_PT if width <= TABLE_W - 2 else math.floor(UNIT_PT * (TABLE_W - 2) / width * 2) / 2


def build(payload: RosterPayload, profile: Profile, options: Options) -> dict:
    """Build the context: title, the unit line and the table of applicants (ID numbers in full)."""
    year = payload.year or profile.year
    specialty = payload.specialty or _common_specialty(payload.applicants)
    rows = [[_cell(key, i, a, profile) for key in PRINTED_KEYS] for i, a in enumerate(payload.applicants, start=1)]
    unit_line = profile.text(SLUG, "unit_label") + payload.unit.name
    return {
        "title": _title(profile, year, specialty),
        "unit_label": profile.text(SLUG, "unit_label"),   # seed 000 附件5 单位（盖章）：the seal goes on the name after it
        "unit_name": payload.unit.name,
        "unit_pt": _unit_pt(unit_line),
        "table": Table(GEOMETRY, rows),
    }


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: numbered rows to fill by hand, the route to choose printed in each."""
    def row(i: int) -> list[str]:
        given = {INDEX_KEY: str(i), "target_title": profile.text(SLUG, "blank_target")}
        return [given.get(key, "") for key in PRINTED_KEYS]

    return {
        "title": fill(profile.text(SLUG, "title"), {"year": profile.year, "specialty": BLANK}),
        "unit_label": profile.text(SLUG, "unit_label"),
        "unit_name": BLANK,
        "unit_pt": UNIT_PT,
        "table": Table(GEOMETRY, [row(i) for i in range(1, BLANK_ROWS + 1)], min_row_height=BLANK_ROW_H),
    }


# ---------------------------------------------------------------------------------------------------
# The XLSX copy: the electronic copy units submit (seed 003 三(三)(1))

XLSX_MM_PER_CHAR = 1.9   # mm of an Excel character unit, as the columns print


def _xlsx_styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="000000")
    return {"border": Border(left=thin, right=thin, top=thin, bottom=thin),
            "centre": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
            "head": Font(name="黑体", size=FONT_PT), "body": Font(name=BODY_FACE, size=FONT_PT)}


def _xlsx_heading(ws: Any, context: dict, ncols: int) -> None:
    """Write the title and the unit line, each merged across the table."""
    from openpyxl.styles import Alignment, Font

    ws.append([context["title"]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws["A1"].font = Font(name="方正小标宋简体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append([context["unit_label"] + context["unit_name"]])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    ws["A2"].font = Font(name="仿宋_GB2312", size=12)


def _xlsx_table(ws: Any, table: Table) -> None:
    """Write the header row and the rows, bordered; 序号 as numbers, ID numbers as text."""
    style = _xlsx_styles()
    ws.append(table.columns)
    for cell in ws[3]:
        cell.font, cell.alignment, cell.border = style["head"], style["centre"], style["border"]
    ws.row_dimensions[3].height = 30
    for row in table.rows:
        ws.append([int(row[0]) if row[0].isdigit() else row[0], *row[1:]])
    id_col = PRINTED_KEYS.index("id_number")
    for r in ws.iter_rows(min_row=4, max_row=3 + len(table.rows)):
        for cell in r:
            cell.font, cell.border = style["body"], style["border"]
            flush_left = GEOMETRY.columns[cell.column - 1].flush_left
            cell.alignment = style["left"] if flush_left else style["centre"]
        r[id_col].number_format = "@"     # ID numbers stay text: 18 digits exceed Excel's precision


def _xlsx_page(ws: Any) -> None:
    """Set the column widths and print setup: landscape A4, one page wide, header row repeated."""
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = round(width / XLSX_MM_PER_CHAR, 1)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def xlsx(context: dict) -> bytes:
    """Write the roster as an Excel workbook."""
    from openpyxl import Workbook

    from docgen.render import spreadsheet

    table: Table = context["table"]
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    _xlsx_heading(ws, context, len(table.columns))
    _xlsx_table(ws, table)
    _xlsx_page(ws)
    spreadsheet.values_only(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


KIND = Kind(slug=SLUG, title="申报人员花名册", model=RosterPayload, build=build, blank=blank,
            subject=lambda p: p.unit.name, landscape=True, formats=("pdf", "docx", "xlsx"), layout=LAYOUT,
            seeds="000 附件5, 003 附件8", extra_formats={"xlsx": xlsx}, unit_level=True,
            issued_by_unit=True,   # seed 000 附件5: 单位（盖章）
            qr_room=False)         # 10 mm at the bottom (MARGIN_BOTTOM), the page number centred above it
