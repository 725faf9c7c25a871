"""申报人员花名册 (seed 000 附件5, 003 附件8): one unit's applicants in a 12-column landscape table.

The PDF does not use an HTML table: WeasyPrint spends 10–15 ms per table row (FACTS.md), 15 s for 1000
applicants. Instead this module paginates in Python. Each cell is wrapped to its column width with the
font's own advance widths, so each row's height is known and no row is ever split; each page is then one
grid drawing plus one preformatted text block whose lines place every cell at its column with spaces.
WeasyPrint lays out one line box per printed line instead of a dozen boxes per cell.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from pydantic import Field

from docgen import rules
from docgen.kinds import Kind, Options
from docgen.kinds.common import BLANK, Applicant, Payload, Short, Unit, WorkUnit, fill, limited
from docgen.profiles import Profile
from docgen.render import fonts
from docgen.rules.types import Route

SLUG = "roster"
BLANK_ROWS = 15
BLANK_ROW_H = 9.0   # mm, to write in by hand (issue 9: at least 8 mm); 15 such rows fill the first page
REMARK_MAX = 100


class RosterApplicant(Applicant):
    """A row of the roster: the applicant, how the title is obtained, and the committee's result."""

    # bounded so that one row always fits on one page
    current_title: Short | None = Field(None, title="现任专业技术职务", examples=["助理工程师"])
    target_title: Short | None = Field(None, title="拟申报专业技术职务", examples=["工程师"])
    work_unit: WorkUnit | None = Field(None, title="工作单位")
    route: Route = Field(title="申报途径", description="初定、授予或评审")
    passed: bool | None = Field(None, title="是否通过", description="评审结果；未知时留空，由评审委员会填写")
    remark: limited(REMARK_MAX) | None = Field(None, title="备注")  # type: ignore[valid-type]


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
# 序号 姓名 性别 族别 政治面貌 身份证号码 现任专业职务 获现任专业职务时间 拟晋升专业技术职务 工作单位 是否通过 备注
# 姓名 holds 7 characters a line: 阿不都热合曼· (the “·” is a full em in 仿宋) stays on the first line.
# 获现任专业职务时间 holds 2018年12月 on one line; 工作单位 8 characters a line.
# 备注 takes 10 characters a line: a 100-character remark is 10 lines, two or more applicants a page;
# 是否通过 holds 是/否 under its two-line header (是否 / 通过)
COLUMN_WIDTHS = (10.0, 27.6, 8.0, 18.0, 17.0, 36.0, 21.0, 20.2, 28.0, 32.8, 9.7, 38.7)
NAME_COLUMN = 1
LEFT_ALIGNED = frozenset({9, 11})          # 工作单位, 备注: long text reads better flush left
CELL_PAD = 0.8                             # inner space each side of a cell
FONT_PT = 10.5                             # 五号 in the table
EM = FONT_PT * 25.4 / 72                   # mm per em
LINE = 6.0                                 # line pitch of the body rows
HEAD_LINE = 5.0                            # line pitch inside the header row
TITLE_H, UNIT_H, FOLIO_H = 14.0, 9.0, 7.0  # first-page title, 单位（盖章） line, page-number line
CONTENT_H = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
TABLE_W = sum(COLUMN_WIDTHS)
assert abs(TABLE_W - (PAGE_WIDTH - 2 * MARGIN_SIDE)) < 0.01
BODY_FACE, HEAD_FACE = "仿宋_GB2312", "黑体"   # measured here, printed by templates/roster/document.css
INNER_EMS = tuple((w - 2 * CELL_PAD) / EM for w in COLUMN_WIDTHS)   # each cell's measure
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

_CLOSING = "，。、；：！？）》」』】〕’”·,.;:!?)%"
_OPENING = "（《「『【〔‘“(["
# what is kept on one line when possible: a bracketed group, a Latin/digit run, a character and the
# closing punctuation after it (no line starts with ） or ，)
_TOKEN = re.compile(rf"[（(][^（）()]{{0,10}}[）)]|[A-Za-z0-9.\-/]+[{_CLOSING}]*|.[{_CLOSING}]*", re.S)


# ---------------------------------------------------------------------------------------------------
# Text measurement: the advance widths of the faces the PDF prints with (docgen.render.fonts), so that a
# licensed 仿宋_GB2312 dropped into the fonts folder is measured as it prints.

def _width(text: str, face: fonts.Face) -> float:
    """Return the advance of `text` in em."""
    return face.ems(text)


def wrap(text: str, width_em: float, face: fonts.Face) -> list[str]:
    """Break `text` into lines of at most `width_em`, keeping tokens together where they fit."""
    lines, line, used = [], "", 0.0
    # transliterated names (阿不都热合曼·买买提) break after the dot, not inside a name part
    tokens = re.findall(r"[^·]+·?", text) if "·" in text else _TOKEN.findall(text)
    for token in tokens:
        w = _width(token, face)
        if used + w <= width_em + 1e-9:
            line, used = line + token, used + w
            continue
        if line and w <= width_em:
            lines.append(line)
            line, used = token, w
            continue
        for ch in token:  # a token longer than a line: break it character by character
            cw = _width(ch, face)
            if line and used + cw > width_em + 1e-9:
                # no line starts with closing punctuation or “·”: the character before goes down with it
                carry = line[-1] if ch in _CLOSING and len(line) > 1 else ""
                lines.append(line[:len(line) - len(carry)])
                line, used = carry, _width(carry, face)
            line, used = line + ch, used + cw
    if line or not lines:
        lines.append(line)
    return lines


def _balanced(text: str, width_em: float, face: fonts.Face) -> list[str]:
    """Wrap into as few lines as `wrap` does, but of even length (拟晋升专业 / 技术职务)."""
    lines = wrap(text, width_em, face)
    target = _width(text, face) / len(lines)
    while target < width_em:
        even = wrap(text, target, face)
        if len(even) == len(lines):
            return even
        target += 0.5
    return lines


class _LineBuilder:
    """Compose one printed line: each cell's text placed at its column with ideographic and plain spaces."""

    def __init__(self, face: fonts.Face):
        self.face = face
        self.space = face.advance(" ")
        self.ideo = face.advance("\u3000")
        self.starts = [sum(COLUMN_WIDTHS[:i]) for i in range(len(COLUMN_WIDTHS))]

    def line(self, cells: list[tuple[int, str]]) -> str:
        out, pos = [], 0.0                       # pos: where the text so far ends, in em
        for col, text in cells:
            w = _width(text, self.face)
            left = self.starts[col] + CELL_PAD
            if col in LEFT_ALIGNED:
                start = left / EM
            else:
                start = (self.starts[col] + COLUMN_WIDTHS[col] / 2) / EM - w / 2
            gap = max(start - pos, 0.0)
            ideo = int(gap // self.ideo)
            plain = int(round((gap - ideo * self.ideo) / self.space))
            out.append("\u3000" * ideo + " " * plain)
            pos += ideo * self.ideo + plain * self.space + w
            out.append(text)
        return "".join(out)


# ---------------------------------------------------------------------------------------------------
# The table, shared by every format: DOCX and XLSX read `columns`/`rows`, the PDF reads `pages`.

@dataclass
class Page:
    """One PDF page: grid lines (mm, from the table's top edge) and the text of the header and rows."""

    first: bool
    head_height: float
    head_text: str
    segments: list[tuple[str, float, bool]]  # (lines, height in mm, has fallback glyphs): fixed-height blocks
    row_edges: list[float]
    folio_gap: float              # space between the table and the page number

    @property
    def table_height(self) -> float:
        return self.row_edges[-1]

    @property
    def grid_path(self) -> str:
        """Return the SVG path of the table's rules."""
        width, height = TABLE_W, self.table_height
        rules_ = [f"M0 {y:.3f}H{width:.3f}" for y in self.row_edges]
        x = 0.0
        for w in (0.0, *COLUMN_WIDTHS):
            x += w
            rules_.append(f"M{x:.3f} 0V{height:.3f}")
        return "".join(rules_)


@dataclass
class Table:
    """The roster's header labels and rows of printable cells; `pages` lays it out for the PDF."""

    columns: list[str]
    rows: list[list[str]]
    min_row_height: float = 0.0   # mm: the blank form's rows are tall enough to write in by hand
    width: float = TABLE_W

    @property
    def min_row_twips(self) -> int:
        """Return the least row height for the DOCX (w:trHeight, twentieths of a point)."""
        return round(self.min_row_height / 25.4 * 1440)

    @cached_property
    def docx_rows(self) -> list[list[str]]:
        """Return the rows with each name broken where the PDF breaks it (after its “·”): Word and
        LibreOffice break Chinese between any two characters whatever joins them, a line break they keep."""
        face = fonts.face(BODY_FACE)
        return [[*row[:NAME_COLUMN], "\n".join(wrap(row[NAME_COLUMN], INNER_EMS[NAME_COLUMN], face)),
                 *row[NAME_COLUMN + 1:]] for row in self.rows]

    @cached_property
    def pages(self) -> list[Page]:
        """Paginate: wrap every cell, then fill each page with whole rows under a repeated header."""
        body_font, head_font = fonts.face(BODY_FACE), fonts.face(HEAD_FACE)
        body, head = _LineBuilder(body_font), _LineBuilder(head_font)
        inner = INNER_EMS

        head_cells = [_balanced(label, inner[i], head_font) for i, label in enumerate(self.columns)]
        head_text, head_height = _centred_header(head_cells, head)

        pages: list[Page] = []
        lines: list[str | float] = []     # printed lines, and empty space (mm) in a taller row
        edges = [head_height]
        first = True

        def room() -> float:
            return CONTENT_H - FOLIO_H - (TITLE_H + UNIT_H if first else 0.0) - edges[-1]

        def close() -> None:
            gap = CONTENT_H - FOLIO_H - (TITLE_H + UNIT_H if first else 0.0) - edges[-1]
            pages.append(Page(first, head_height, head_text, _segments(lines, body_font), list(edges),
                              max(gap, 0.0)))

        for row in self.rows:
            cells = [wrap(text, inner[i], body_font) for i, text in enumerate(row)]
            count = max(map(len, cells))
            height = max(count * LINE, self.min_row_height)
            if height > room() and len(edges) > 1:
                close()
                lines, edges, first = [], [head_height], False
            pad = (height - count * LINE) / 2     # a taller row (the blank form's) holds its line mid-row
            if pad:
                lines.append(pad)
            for n in range(count):
                lines.append(body.line([(i, c[n]) for i, c in enumerate(cells) if n < len(c) and c[n]]))
            if pad:
                lines.append(pad)
            edges.append(edges[-1] + height)
        close()
        return pages


def _segments(lines: list[str | float], face: fonts.Face) -> list[tuple[str, float, bool]]:
    """Group lines into fixed-height blocks; a line with a character the body font lacks stands alone, and
    empty space (a number of mm) is a block of its own.

    A fallback font (Noto CJK for 䶮 𠈌 喆 赟 堃) has a taller ascent: its line box grows and would push
    every later row off its grid line. In a block of fixed height the growth stays inside that line
    (the template lifts such a line by the 0.47 mm its baseline sinks).
    """
    out: list[tuple[str, float, bool]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(("\n".join(run), len(run) * LINE, False))
            run.clear()

    for line in lines:
        if isinstance(line, float):
            flush()
            out.append(("", line, False))
        elif all(map(face.has, line)):
            run.append(line)
        else:
            flush()
            out.append((line, LINE, True))
    flush()
    return out


def _centred_header(cells: list[list[str]], builder: _LineBuilder) -> tuple[str, float]:
    """Return the header's text on a half-line grid, each label centred vertically, and its height.

    The header is 2k + 1 half-lines high (k: lines of the longest label); a label of n lines printed
    from half-line k - n + 1, one line every two half-lines, has its middle at the header's middle.
    """
    k = max(map(len, cells))
    slots: list[list[tuple[int, str]]] = [[] for _ in range(2 * k + 1)]
    for col, lines in enumerate(cells):
        for n, text in enumerate(lines):
            slots[k - len(lines) + 1 + 2 * n].append((col, text))
    return "\n".join(builder.line(s) for s in slots), (2 * k + 1) * HEAD_LINE / 2


# ---------------------------------------------------------------------------------------------------

def _title(profile: Profile, year: int, specialty: str | None) -> str:
    key = "title" if specialty else "title_general"
    return fill(profile.text(SLUG, key), {"year": year, "specialty": specialty or ""})


def _common_specialty(applicants: list[RosterApplicant]) -> str | None:
    specialties = Counter(a.specialty for a in applicants)
    return next(iter(specialties)) if len(specialties) == 1 else None


def _row(index: int, a: RosterApplicant, profile: Profile) -> list[str]:
    text = lambda key: profile.text(SLUG, key)  # noqa: E731
    # the committee's column: blank until the result is known (无 would read as “not passed”)
    passed = "" if a.passed is None else text("passed_yes" if a.passed else "passed_no")
    target = fill(text("target"), {"target_title": rules.or_none(a.target_title), "route": a.route})
    date = rules.cn_month(a.current_title_date) if a.current_title_date else None
    return [str(index), a.name, *map(rules.or_none, (a.gender, a.ethnicity, a.political_status, a.id_number,
                                                      a.current_title, date)),
            target, rules.or_none(a.work_unit), passed, rules.or_none(a.remark)]


def build(payload: RosterPayload, profile: Profile, options: Options) -> dict:
    """Build the context: title, the unit line and the table of applicants (ID numbers in full)."""
    year = payload.year or profile.year
    specialty = payload.specialty or _common_specialty(payload.applicants)
    rows = [_row(i, a, profile) for i, a in enumerate(payload.applicants, start=1)]
    return {
        "title": _title(profile, year, specialty),
        "unit_line": profile.text(SLUG, "unit_label") + payload.unit.name,
        "table": Table(list(profile.text(SLUG, "columns")), rows),
    }


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: numbered rows to fill by hand, the route to choose printed in each."""
    empty = [""] * len(COLUMN_WIDTHS)
    rows = []
    for i in range(1, BLANK_ROWS + 1):
        row = list(empty)
        row[0], row[8] = str(i), profile.text(SLUG, "blank_target")
        rows.append(row)
    return {
        "title": fill(profile.text(SLUG, "title"), {"year": profile.year, "specialty": BLANK}),
        "unit_line": profile.text(SLUG, "unit_label") + BLANK,
        "table": Table(list(profile.text(SLUG, "columns")), rows, min_row_height=BLANK_ROW_H),
    }


# ---------------------------------------------------------------------------------------------------

def xlsx(context: dict) -> bytes:
    """Write the roster as an Excel workbook: the electronic copy units submit (seed 003 三(三)(1))."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from docgen.render import spreadsheet

    table: Table = context["table"]
    ncols = len(table.columns)
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    ws.append([context["title"]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws["A1"].font = Font(name="方正小标宋简体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append([context["unit_line"]])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    ws["A2"].font = Font(name="仿宋_GB2312", size=12)
    ws.append(table.columns)
    for cell in ws[3]:
        cell.font, cell.alignment, cell.border = Font(name="黑体", size=10.5), centre, border
    ws.row_dimensions[3].height = 30

    body_font = Font(name="仿宋_GB2312", size=10.5)
    for row in table.rows:
        values = [int(row[0]) if row[0].isdigit() else row[0], *row[1:]]
        ws.append(values)
    id_col = 6
    for r in ws.iter_rows(min_row=4, max_row=3 + len(table.rows)):
        for cell in r:
            cell.font, cell.border = body_font, border
            cell.alignment = left if cell.column - 1 in LEFT_ALIGNED else centre
        r[id_col - 1].number_format = "@"     # ID numbers stay text: 18 digits exceed Excel's precision

    for i, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = round(width / 1.9, 1)  # mm → Excel character units
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    spreadsheet.values_only(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


KIND = Kind(slug=SLUG, title="申报人员花名册", model=RosterPayload, build=build, blank=blank,
            subject=lambda p: p.unit.name, landscape=True, formats=("pdf", "docx", "xlsx"), layout=LAYOUT,
            seeds="000 附件5, 003 附件8", extra_formats={"xlsx": xlsx}, unit_level=True)
