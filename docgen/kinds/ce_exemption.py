"""免除继续教育学习申请表 (seed 000 附件4, 002 附件4): the autonomous region's one-page bordered form.

Its 注3 forbids forms of a region's own ("各地各部门不得私自设置免除继续教育学习事项及申请表"): every profile prints
this form, tacheng-2023 too, whose notice names 附件6/7 without printing them (issue 20).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from docgen import rules
from docgen.kinds import Kind, Options
from docgen.kinds.common import DATE_BLANK, GENDER_RULE, ID_RULE, Applicant, Payload, Short, limited, signoff_date
from docgen.profiles import Profile
from docgen.render import measure
from docgen.render.measure import pt_to_mm
from docgen.rules.types import Date, Gender, IdNumber, Month

SLUG = "ce-exemption"
REASON_MAX = 600
# what fits whatever the other fields hold (all at their limits: 工作单位 60, 毕业 60, 学历/学位/职务 15; issue 21
# point 5): a test checks it against the fit rule below
REASON_SURE, REASON_SURE_PARAGRAPHS = 150, 3
REVIEW_MAX = 85       # three lines above the seal, in one paragraph (each more paragraph starts a line)
GRADUATION_MAX = 60   # two lines of its row

# --- The page, in mm: GB/T 9704 text area 156 × 225. templates/ce-exemption/document.css reads these
# sizes as LAYOUT (below) and templates/ce-exemption/ce_exemption_docx.py imports them: they are defined only here.
PAGE_MM = 225
SAFETY_MM = 3                         # what WeasyPrint and LibreOffice may differ by
TITLE_LINE_MM, TITLE_GAP_MM, TITLE_PT = 12, 4, 22
WIDTH_MM, GRID_MM = 156, 6            # the table: 26 columns of 6 mm, each row spans them its own way
PADDING_MM = 1                        # left and right of every cell
BORDER_MM = 0.3                       # a 0.75 pt rule per row, rounded up
CELL_PT, CELL_LINE_PT = 12, 15        # 小四
ROW_MM = 10                           # one line of 小四 with room; every label fits one line
REVIEW_MM = 33                        # the 审核意见 row: opinion, 公章 and date
REVIEW_LINES = 3                      # lines of opinion above the seal
NOTE_PT, NOTE_LINE_PT, NOTE_GAP_MM = 10.5, 13, 2       # 五号, hanging two characters
NOTES_MAX_LINES = 7                   # what the profiles' notes may take (checked by a test)
TITLE_LINES_MAX = 2
# The reason's type, largest first: (font size, line height) in pt. The first at which it fits is used.
REASON_SIZES = ((12, 15), (10.5, 13), (9, 11))
INDENT_CHARS = 2
# rows 1–5, defined once for the fit rule and the DOCX builder (templates/ce-exemption/document.html spells the
# same spans): per cell (label, its grid units, value key, its grid units); labels take one line each, so the
# text reads in order in the PDF
FORM_ROWS = (
    (("姓名", 4, "name", 9), ("性别", 2, "gender", 2), ("出生年月", 4, "birth", 5)),
    (("身份证号", 4, "id_number", 9), ("学历", 2, "education", 4), ("学位", 2, "degree", 5)),
    (("何时何学校何专业毕业", 8, "graduation", 18),),
    (("现工作单位", 4, "work_unit", 9), ("参加工作时间", 5, "work_start", 8)),
    (("现有专业技术职务", 7, "current_title", 6), ("拟申报专业技术职务", 7, "target_title", 6)),
)
VALUE_CELLS = tuple(tuple((key, units) for _, _, key, units in row) for row in FORM_ROWS)   # (value key, grid units)
TEXT_WIDTH_MM = 22 * GRID_MM - 2 * PADDING_MM          # the reason and review cells: 免学理由 4 | 22
CELL_FACE, TITLE_FACE = "仿宋_GB2312", "方正小标宋简体"   # what the text is measured with (and printed in)
LAYOUT = {
    "title-gap": f"{TITLE_GAP_MM}mm",
    "table-width": f"{WIDTH_MM}mm",
    "grid": f"{GRID_MM}mm",
    "cell-face": f'"{CELL_FACE}"',
    "cell-font-size": f"{CELL_PT}pt",
    "cell-line": f"{CELL_LINE_PT}pt",
    "cell-padding": f"{PADDING_MM}mm",
    "row-height": f"{ROW_MM}mm",
    "review-height": f"{REVIEW_MM - PADDING_MM}mm",   # the cell's height without its bottom padding
    "note-font-size": f"{NOTE_PT}pt",
    "note-line": f"{NOTE_LINE_PT}pt",
    "note-gap": f"{NOTE_GAP_MM}mm",
}


class ExemptionApplicant(Applicant):
    """申请人: the contract's applicant with the education rows of the form."""

    gender: Gender = Field(title="性别", description=GENDER_RULE)
    id_number: IdNumber = Field(title="身份证号码", description=ID_RULE + "；出生年月缺省取自号码")
    education: Short | None = Field(None, title="学历", examples=["大学本科"])
    degree: Short | None = Field(None, title="学位", examples=["管理学学士"])
    graduation: limited(GRADUATION_MAX) | None = Field(None, title="何时何学校何专业毕业",  # type: ignore[valid-type]
                                    examples=["2011年7月毕业于新疆大学档案学专业"])
    work_start_date: Month | None = Field(None, title="参加工作时间",
                                          description="YYYY-MM 或 YYYY-MM-DD，印为“2011年9月”")


class ExemptionPayload(Payload):
    """免除继续教育学习申请表的内容."""

    applicant: ExemptionApplicant = Field(title="申请人")
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)] = Field(
        title="免学理由",
        description=f"不超过{REASON_MAX}字，且与表格其他栏目合计一页印完：篇幅长时自动缩小字号；其他栏目（现工作单位、"
                    f"毕业院校等）较长时可容纳的字数相应减少，{REASON_SURE}字以内、不超过{REASON_SURE_PARAGRAPHS}段"
                    f"在任何情况下都能印下；超出时提示按已填栏目最多可写多少字")
    review: Annotated[str, Field(max_length=REVIEW_MAX)] | None = Field(
        None, title="审核意见",
        description=f"不超过{REVIEW_MAX}字，印在公章上方3行之内（分段时每段另起一行）；缺省时留空，由审核单位手写")
    date: Date | None = Field(None, title="审核日期", description="审核日期（YYYY-MM-DD）；缺省时留空待手写")

    @field_validator("review")
    @classmethod
    def _fits_review(cls, value: str | None) -> str | None:
        """Refuse an opinion longer than the lines above the seal."""
        if value and _lines(_paragraphs(value), TEXT_WIDTH_MM, CELL_PT, indent=INDENT_CHARS) > REVIEW_LINES:
            raise PydanticCustomError("review_too_long", "审核意见在表格中超过{lines}行，请精简", {"lines": REVIEW_LINES})
        return value

    @field_validator("reason")
    @classmethod
    def _fits_one_page(cls, value: str, info: ValidationInfo) -> str:
        """Refuse a reason that even the smallest type cannot fit on the page with the applicant's rows."""
        applicant = info.data.get("applicant")   # validated before the reason; absent when it failed
        if applicant and fit(_values(applicant), _paragraphs(value), TITLE_LINES_MAX, NOTES_MAX_LINES) is None:
            room = reason_room(_values(applicant))
            raise PydanticCustomError(
                "reason_too_long", "免学理由篇幅过长（或分段过多），与表格其他栏目合计一页印不下：按已填写的其他栏目，"
                                   "免学理由不分段时最多约{room}字，现有{count}字，请精简（{sure}字以内、不超过{paragraphs}段"
                                   "总能印下）", {"room": room, "count": len(value), "sure": REASON_SURE,
                                                 "paragraphs": REASON_SURE_PARAGRAPHS})
        return value


# --- The fit rule: rows grow with their text, the reason cell takes what is left of the page.

def _lines(paragraphs: list[str], width_mm: float, pt: float, indent: int = 0, face: str = CELL_FACE) -> int:
    """Count the lines paragraphs take in a width, one em less a line for punctuation kept off line starts."""
    per_line = measure.kinsoku_measure(measure.ems_in(width_mm, pt))
    text_face = measure.face(face)
    return sum(measure.line_count(p, per_line, text_face, indent) for p in paragraphs if p)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _rows_mm(values: dict) -> float:
    """Return the height of rows 1–5: two lines each at least, more where a value wraps further."""
    total = 0.0
    for cells in VALUE_CELLS:
        lines = max(_lines([values[key]], units * GRID_MM - 2 * PADDING_MM, CELL_PT) for key, units in cells)
        total += max(ROW_MM, pt_to_mm(lines * CELL_LINE_PT)) + BORDER_MM
    return total


def notes_lines(notes: list[str]) -> int:
    """Count the lines of the notes under the table."""
    return _lines(notes, WIDTH_MM - pt_to_mm(2 * NOTE_PT), NOTE_PT)


def title_lines(title: str) -> int:
    """Count the lines of the 2号 title (the profile's \\n breaks it where the seeds do)."""
    return _lines(title.split("\n"), WIDTH_MM, TITLE_PT, face=TITLE_FACE)


@dataclass(frozen=True)
class Fit:
    """The reason cell: its row's height in mm and its type in pt."""

    reason_mm: float
    pt: float
    line_pt: float


def fit(values: dict, reason: list[str], n_title_lines: int, n_notes_lines: int) -> Fit | None:
    """Size the reason cell to the rest of the page; pick the largest type at which the reason fits, or None."""
    above = n_title_lines * TITLE_LINE_MM + TITLE_GAP_MM + _rows_mm(values)
    below = REVIEW_MM + BORDER_MM + NOTE_GAP_MM + pt_to_mm(n_notes_lines * NOTE_LINE_PT)
    reason_mm = math.floor(PAGE_MM - SAFETY_MM - above - below)
    for pt, line_pt in REASON_SIZES:
        room = math.floor((reason_mm - 2 * PADDING_MM) / pt_to_mm(line_pt))
        if (pt, line_pt) != REASON_SIZES[-1]:
            room -= 1   # a larger type only with a line to spare: text filling the cell looks cramped
        if _lines(reason, TEXT_WIDTH_MM, pt, indent=INDENT_CHARS) <= room:
            return Fit(reason_mm, pt, line_pt)
    return None


def reason_room(values: dict) -> int:
    """Return the most characters (full-width, one paragraph) the reason cell holds beside these values."""
    low, high = 0, REASON_MAX
    while low < high:
        mid = (low + high + 1) // 2
        if fit(values, ["是" * mid], TITLE_LINES_MAX, NOTES_MAX_LINES):
            low = mid
        else:
            high = mid - 1
    return low


# --- The context

def _values(a: ExemptionApplicant) -> dict:
    """Return the printable values of rows 1–5, 无 for what is empty, 出生年月 from the ID unless given."""
    birth = a.birth_date or rules.parse_id_number(a.id_number).birth_date
    values = {
        "name": a.name, "gender": a.gender, "id_number": a.id_number, "birth": rules.cn_month(birth),
        "work_start": rules.cn_month(a.work_start_date) if a.work_start_date else None,
        **{key: getattr(a, key) for key in ("education", "degree", "graduation", "work_unit", "current_title",
                                            "target_title")},
    }
    return {key: rules.or_none(value) for key, value in values.items()}


def _texts(profile: Profile) -> dict:
    return {
        "title": profile.text(SLUG, "title"),
        "review_label": profile.text(SLUG, "review_label"),
        "notes": list(profile.text(SLUG, "notes")),
        "signatures": list(profile.text(SLUG, "signatures")),
    }


def _context(texts: dict, values: dict, reason: list[str], review: list[str], date: str) -> dict:
    sized = fit(values, reason, title_lines(texts["title"]), notes_lines(texts["notes"]))
    if sized is None:   # the payload passed the check against the longest notes: a profile's notes are longer
        raise ValueError(f"{SLUG}: the profile's title or notes leave no room for the reason")
    return {**texts, "person": values, "reason": reason or [""], "reason_mm": sized.reason_mm,
            "reason_pt": sized.pt, "reason_line_pt": sized.line_pt, "review": review, "date": date}


def build(payload: ExemptionPayload, profile: Profile, options: Options) -> dict:
    """Build the context: the applicant's rows, the reason cell sized to the page, the profile's wording."""
    return _context(_texts(profile), _values(payload.applicant), _paragraphs(payload.reason),
                    _paragraphs(payload.review or ""), signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: every value cell empty (not 无), the date left to write by hand."""
    values = dict.fromkeys(key for cells in VALUE_CELLS for key, _ in cells)
    return _context(_texts(profile), {key: "" for key in values}, [], [], DATE_BLANK)


KIND = Kind(slug=SLUG, title="免除继续教育学习申请表", model=ExemptionPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 附件4, 002 附件4",
            batch_when=("reason",), layout=LAYOUT)  # only 访惠聚/驻村 applicants file it
