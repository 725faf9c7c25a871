"""专业技术职务任职资格评审表 (seed 000 五(三), 002 (五)1, 003 三(3)2(2)): the form the 评委会 receives.

Seeds: printed on A4 both sides, a recent photo stuck on, 一式两份 (Aksu 三份), valid only with the watermark;
the applicant signs and hand-writes the promise, the unit hand-writes its opinion, each level signs and seals.
The seeds do not print the form; its parts are those of the Xinjiang platform's 评审表: cover, 基本情况 with
a 1-inch photo, 学习/工作经历, 任现职以来主要业绩, 论文著作, 获奖, 年度考核, 继续教育, 个人承诺, 单位意见,
主管部门意见, 评审委员会意见.

Tables read in order in the PDF's text (the DOCX's order) because in every row only the last cell may wrap:
the cells before it are short (periods, years, lengths capped below), and all cells align to the top.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import cn2an
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from docgen import rules
from docgen.kinds import Kind, Options
from docgen.limits import images
from docgen.kinds.common import BLANK, DATE_BLANK, GENDER_RULE, ID_RULE, Applicant, Payload, Text, fill
from docgen.profiles import Profile
from docgen.render import measure
from docgen.render.pictures import Picture
from docgen.render.scans.checks import Rect
from docgen.rules.types import Date, Gender, IdNumber, Month

SLUG = "evaluation-form"
PHOTO_MM = (25, 35)                 # 1 inch (一寸): 25 × 35 mm
BLANK_ROWS = 3                      # empty rows per list on the blank form
# 8.5 mm each, written by hand. The promise is copied by hand (seed 000 五(三) 手写承诺语; 五(一)14 its ~115
# characters): 4 lines of ~29 characters; page 4 holds them with the three opinions below because each box
# signs and dates on one line
PROMISE_LINES, UNIT_LINES, COMPETENT_LINES = 4, 2, 2
# the eyes of a standard 一寸 photo (25 × 35 mm, head ~3–28 mm from the top): a band 33–47 % of its height
EYES_TOP, EYES_HEIGHT = 0.33, 0.14
SHORT_BLANK = "______"              # a number of votes written by hand

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=6)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Study(_Item):
    """学习经历的一段."""

    start: Month = Field(title="开始年月", description="YYYY-MM")
    end: Month | None = Field(None, title="结束年月", description="YYYY-MM；缺省为“至今”")
    school: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(title="学校及专业",
                                                                                  examples=["新疆农业大学 农学专业"])
    degree: Short | None = Field(None, title="学历学位", description="不超过6个字", examples=["本科/学士"])


class Job(_Item):
    """工作经历的一段."""

    start: Month = Field(title="开始年月", description="YYYY-MM")
    end: Month | None = Field(None, title="结束年月", description="YYYY-MM；缺省为“至今”")
    unit: Annotated[str, StringConstraints(min_length=1, max_length=80)] = Field(title="工作单位及职务")


class Paper(_Item):
    """论文、著作."""

    date: Month = Field(title="发表（出版）年月", description="YYYY-MM")
    role: Annotated[str, StringConstraints(min_length=1, max_length=4)] = Field(
        title="本人作用", description="不超过4个字，如独著、第一作者、主编", examples=["第一作者"])
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(
        title="题目及刊物（出版社）", examples=["《南疆棉花滴灌施肥技术研究》，《新疆农业科学》"])


class Award(_Item):
    """获奖情况."""

    date: Month = Field(title="获奖年月", description="YYYY-MM")
    level: Short = Field(title="奖励等级", description="不超过6个字", examples=["二等奖"])
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(title="奖项名称及授奖部门")


class Assessment(_Item):
    """年度考核."""

    year: int = Field(title="年度", ge=1950, le=2100)
    result: Annotated[str, StringConstraints(min_length=1, max_length=6)] = Field(title="考核结果",
                                                                                examples=["合格", "优秀"])


class Training(_Item):
    """继续教育."""

    year: int = Field(title="年度", ge=1950, le=2100)
    hours: int = Field(title="学时", ge=0, le=9999)
    content: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(title="学习内容")


class PhotoEyes(_Item):
    """Where the eyes are in the photo: the band the 盲评 copy blacks out (seed 000 五(一)15 照片眼睛遮盖, 003 三(三)1
    只遮盖眼睛部位), as fractions of the photo's height from its top edge."""

    top: float = Field(EYES_TOP, title="眼部遮盖带上沿", ge=0, lt=1,
                       description="自照片上边起，占照片高度的比例（0～1）；缺省为标准一寸照片的眼部")
    height: float = Field(EYES_HEIGHT, title="眼部遮盖带高度", gt=0, le=1, description="占照片高度的比例（0～1）")

    @model_validator(mode="after")
    def _inside(self) -> PhotoEyes:
        """Refuse a band that runs past the photo's bottom edge."""
        if self.top + self.height > 1 + 1e-9:
            raise PydanticCustomError(
                "eyes_outside", "眼部遮盖带超出照片下沿：上沿{top}加高度{height}不能大于1（均为照片高度的比例）",
                {"top": self.top, "height": self.height, "field": "height"})
        return self


def _photo(value: str | None) -> bytes | None:
    """Decode the photo (base64, or a data: URL, of a JPEG or PNG) and return it checked and re-encoded."""
    if value is None:
        return None
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        data = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        raise PydanticCustomError("photo_base64", "照片应为 JPEG 或 PNG 图片的 base64 编码") from None
    try:
        return images.reencode(data)
    except images.PhotoRefused as refused:
        raise PydanticCustomError(refused.code, refused.message, refused.ctx) from None


def _items(value: Any) -> Any:
    """Accept one text (the 业绩成果 a batch shares with the 公示) as a list of its non-empty lines."""
    return [line.strip() for line in value.splitlines() if line.strip()] if isinstance(value, str) else value


class EvaluationApplicant(Applicant):
    """申报人: the contract's applicant with the rows of the 基本情况 table."""

    gender: Gender = Field(title="性别", description=GENDER_RULE)
    id_number: IdNumber = Field(title="身份证号码", description=ID_RULE + "；盲评版遮盖")
    work_unit: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(title="工作单位")
    series: Annotated[str, StringConstraints(min_length=1, max_length=30)] = Field(title="系列", examples=["农业"])
    target_title: Annotated[str, StringConstraints(min_length=1, max_length=30)] = Field(
        title="申报资格", examples=["高级农艺师"])
    education: Text | None = Field(None, title="学历学位", examples=["大学本科/农学学士"])
    work_start_date: Month | None = Field(None, title="参加工作时间", description="YYYY-MM 或 YYYY-MM-DD")
    photo: str | None = Field(None, title="照片",
                              description="一寸免冠近照：JPEG 或 PNG 的 base64（可带 data: 前缀），不超过2MB；缺省时留框贴照片",
                              json_schema_extra={"contentEncoding": "base64", "x-accept": ["image/jpeg", "image/png"],
                                                 "x-max-bytes": images.MAX_BYTES})

    photo_eyes: PhotoEyes = Field(
        default_factory=lambda: PhotoEyes(top=EYES_TOP, height=EYES_HEIGHT), title="照片眼部位置",
        description=f"盲评版只遮盖照片的眼睛部位：一条横贯照片的黑带，top 为其上沿、height 为其高度，均为照片高度的比例；"
                    f"缺省为标准一寸照片的眼部（top {EYES_TOP}，height {EYES_HEIGHT}）")

    @field_validator("photo")
    @classmethod
    def _valid_photo(cls, value: str | None) -> str | None:
        photo = _photo(value)     # kept re-encoded: nothing of the upload but its pixels goes further
        return None if photo is None else base64.b64encode(photo).decode("ascii")


class EvaluationPayload(Payload):
    """专业技术职务任职资格评审表的内容."""

    applicant: EvaluationApplicant = Field(title="申报人")
    education: list[Study] = Field(default_factory=list, title="学习经历", max_length=12)
    work: list[Job] = Field(default_factory=list, title="工作经历", max_length=20)
    achievements: Annotated[list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                                    max_length=600)]],
                            BeforeValidator(_items)] = Field(
        default_factory=list, title="任现职以来主要业绩", max_length=20,
        description="每项一条；也可为一段文字（如公示中的业绩成果），按行分项")
    papers: list[Paper] = Field(default_factory=list, title="论文著作", max_length=30)
    awards: list[Award] = Field(default_factory=list, title="获奖情况", max_length=30)
    assessments: list[Assessment] = Field(default_factory=list, title="年度考核", max_length=15)
    trainings: list[Training] = Field(default_factory=list, title="继续教育", max_length=15)
    date: Date | None = Field(None, title="填表日期", description="YYYY-MM-DD；缺省时留空待手写")


# --- The context

def _period(start: dt.date, end: dt.date | None) -> str:
    return f"{rules.cn_month(start)}—{rules.cn_month(end) if end else '至今'}"


def _texts(profile: Profile, copies: int) -> dict:
    number = "两" if copies == 2 else cn2an.an2cn(copies, "low")    # 一式两份, not 二份
    values = {"copies": number, "blank": BLANK, "short": SHORT_BLANK, "ban_years": profile.ban_years}

    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {key: text(key) for key in ("title", "issuer", "print_note", "photo_label", "promise",
                                       "promise_hand", "promise_sign", "unit_hint", "unit_sign",
                                       "competent_sign", "committee_votes", "committee_result", "committee_sign")}


def _lines(n: int) -> list[str]:
    return ["　"] * n


# the cover (templates/evaluation-form, both formats): 16 pt values, 16 characters a line, 9 mm a line, in a
# table of a 48 mm label column and a value column (3 mm inset), centred. Each extra line a long value takes
# (all at their limits: 姓名 20, 工作单位 60, 系列 30 with 专业 15, 申报资格 30 — 7 extra lines) is taken from the
# space above the issuer, then below the title, then above it, so the cover stays one page for every
# allowed value (issue 21 point 6)
COVER_PT, COVER_LINE_MM = 16, 9
COVER_LABEL_MM, COVER_INSET_MM = 48, 3
COVER_VALUE_MM = 90.5                      # 16 characters of 16 pt (90.3 mm)
COVER_WIDTH_MM = COVER_LABEL_MM + COVER_INSET_MM + COVER_VALUE_MM
COVER_CELL_EMS = measure.ems_in(COVER_VALUE_MM, COVER_PT)
COVER_PAD_MM = 2                           # the cover table's cells: padding above and below
# (space, its usual height, its least) in mm, in the order they give way
COVER_SPACES = (("issuer", 45, 9), ("title_after", 30, 8), ("title_before", 40, 10))
# each space's usual height: the stylesheet's and the DOCX template's (each document's own: _cover_gap)
COVER_USUAL_MM = {name: usual for name, usual, _ in COVER_SPACES}
COVER_KEYS = ("name", "work_unit", "series", "target_title")

# the form's sizes (templates/evaluation-form): its stylesheet reads them from LAYOUT, its DOCX builder imports
# them, docgen.render.book_pdf reads them from the layout — defined only here. Type, rules and spacing in pt, the rest in mm.
BODY_PT, LINE_MM = 12, 6                   # 仿宋 小四 on 6 mm lines; an empty cell or box paragraph keeps a line
TITLE_PT, TITLE_LINE_MM = 26, 14           # the title: 小标宋 26 pt on a 14 mm line
TITLE_SPACING_PT = 1                       # the title's letter spacing
SMALL_PT = 10.5                            # 五号: the cover's print note and 单位意见's hint
NOTE_GAP_MM = 3                            # above the print note
HEAD_PT, HEAD_LINE_MM = 14, 7              # a section's heading: 黑体 四号 on a 7 mm line
HEAD_BEFORE_MM, HEAD_AFTER_MM = 3, 1.5     # above a heading (none atop a page) and below it
RULE_PT = 0.75                             # the tables' and boxes' rules, the cover's rules under its values
GRID_MM, GRID_COLUMNS = 6, 26              # the tables' grid: a column's width, how many
WIDTH_MM = GRID_MM * GRID_COLUMNS          # the tables and boxes: the GB/T 9704 text area's 156 mm
CELL_PAD_Y_MM, CELL_PAD_X_MM = 1.5, 1      # a table cell's padding: above and below, each side
BASIC_HEIGHT_MM = 6.5                      # 基本情况's cells (9.5 mm a row with their padding); others a line
BOX_PAD_Y_MM, BOX_PAD_X_MM = 1.5, 2        # a box's padding: above and below, each side
ACHIEVEMENTS_MM = 40                       # 主要业绩's box: its least height inside its padding
RULED_MM, RULED_RULE_PT = 8.5, 0.5         # a line written on by hand (at least 8 mm) and its rule
SIGN_GAP_MM = 2                            # above a sign-off first in its box or after ruled lines


def _mm(value: float) -> str:
    return f"{value:g}mm"


def _pt(value: float) -> str:
    return f"{value:g}pt"


# the stylesheet's custom properties (var(--name)); docgen.render.book_pdf reads them by the same names
LAYOUT = {"cover-width": _mm(COVER_WIDTH_MM), "cover-side": _mm((WIDTH_MM - COVER_WIDTH_MM) / 2),
          "cover-label": _mm(COVER_LABEL_MM), "cover-inset": _mm(COVER_INSET_MM),
          "cover-size": _pt(COVER_PT), "cover-line": _mm(COVER_LINE_MM), "cover-pad": _mm(COVER_PAD_MM),
          "title-before": _mm(COVER_USUAL_MM["title_before"]), "title-after": _mm(COVER_USUAL_MM["title_after"]),
          "issuer-gap": _mm(COVER_USUAL_MM["issuer"]),
          "body-size": _pt(BODY_PT), "line": _mm(LINE_MM),
          "title-size": _pt(TITLE_PT), "title-line": _mm(TITLE_LINE_MM), "title-spacing": _pt(TITLE_SPACING_PT),
          "small-size": _pt(SMALL_PT), "note-gap": _mm(NOTE_GAP_MM),
          "head-size": _pt(HEAD_PT), "head-line": _mm(HEAD_LINE_MM), "head-before": _mm(HEAD_BEFORE_MM),
          "head-after": _mm(HEAD_AFTER_MM),
          "rule": _pt(RULE_PT), "grid": _mm(GRID_MM), "width": _mm(WIDTH_MM),
          "cell-pad-y": _mm(CELL_PAD_Y_MM), "cell-pad-x": _mm(CELL_PAD_X_MM), "basic-height": _mm(BASIC_HEIGHT_MM),
          "box-pad-y": _mm(BOX_PAD_Y_MM), "box-pad-x": _mm(BOX_PAD_X_MM), "achievements-height": _mm(ACHIEVEMENTS_MM),
          "ruled-height": _mm(RULED_MM), "ruled-rule": _pt(RULED_RULE_PT), "sign-gap": _mm(SIGN_GAP_MM)}


def _cover_gap(person: dict) -> dict:
    """Return the cover's spaces (above the issuer, below and above the title) in mm and in twips (the DOCX)."""
    face = measure.face("仿宋_GB2312")
    extra = sum(max(0, measure.line_count(str(person.get(key) or ""), COVER_CELL_EMS, face) - 1) for key in COVER_KEYS)
    owed = COVER_LINE_MM * extra
    out: dict[str, float] = {}
    for name, usual, least in COVER_SPACES:
        given = min(owed, usual - least)
        out[name] = usual - given
        owed -= given
    return {"mm": out["issuer"], "twips": measure.mm_to_twips(out["issuer"]),
            **{f"{name}_mm": mm for name, mm in out.items()},
            **{f"{name}_twips": measure.mm_to_twips(mm) for name, mm in out.items()}}


def _context(texts: dict, person: dict, photo: Picture | None, lists: dict) -> dict:
    return {**texts, "person": person, "photo": photo, "photo_label": texts["photo_label"], **lists,
            "cover_gap": _cover_gap(person),
            "promise_lines": _lines(PROMISE_LINES), "unit_lines": _lines(UNIT_LINES),
            "competent_lines": _lines(COMPETENT_LINES), "date_blank": DATE_BLANK}


def _picture(data: bytes, eyes: PhotoEyes) -> Picture:
    """Fit the photo into the 1-inch box, keeping its proportions; a blind copy blacks out the eyes' band."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        ratio = image.width / image.height
        mime = "image/png" if image.format == "PNG" else "image/jpeg"
    box_w, box_h = PHOTO_MM
    width, height = (box_w, box_w / ratio) if ratio > box_w / box_h else (box_h * ratio, box_h)
    return Picture(data, mime, round(width, 1), round(height, 1), mask=Rect(0, eyes.top, 1, eyes.height))


def _person(payload: EvaluationPayload) -> dict:
    """Return the values of the cover and 基本情况, 无 for what is empty."""
    a = payload.applicant
    none = rules.or_none
    title_date = (f"{a.current_title}（{rules.cn_month(a.current_title_date)}）"
                  if a.current_title and a.current_title_date else a.current_title)
    person = {
        "name": a.name, "gender": a.gender, "birth": rules.cn_month(rules.parse_id_number(a.id_number).birth_date),
        "ethnicity": none(a.ethnicity), "political_status": none(a.political_status), "id_number": a.id_number,
        "work_start": none(rules.cn_month(a.work_start_date) if a.work_start_date else None),
        "education": none(a.education), "current_title": none(title_date), "work_unit": a.work_unit,
        "series": f"{a.series}系列" + (f"　{a.specialty}专业" if a.specialty else ""),
        "target_title": a.target_title,
        "fill_date": rules.cn_date(payload.date) if payload.date else DATE_BLANK,
    }
    return person


def _lists(payload: EvaluationPayload) -> dict:
    """Return the rows of the lists (one row printing 无 when a list is empty)."""
    none = rules.or_none

    def rows(items: Iterable[Any], make: Callable[[Any], dict], empty: dict) -> list[dict]:
        return [make(item) for item in items] or [empty]

    lists = {
        "education": rows(payload.education, lambda s: {"period": _period(s.start, s.end), "degree": none(s.degree),
                                                       "school": s.school},
                          {"period": "", "degree": "", "school": "无"}),
        "work": rows(payload.work, lambda j: {"period": _period(j.start, j.end), "unit": j.unit},
                     {"period": "", "unit": "无"}),
        "achievements": [f"{i}. {text}" for i, text in enumerate(payload.achievements, 1)] or ["无"],
        "papers": rows(payload.papers, lambda p: {"date": rules.cn_month(p.date), "role": p.role, "title": p.title},
                       {"date": "", "role": "", "title": "无"}),
        "awards": rows(payload.awards, lambda w: {"date": rules.cn_month(w.date), "level": w.level, "name": w.name},
                       {"date": "", "level": "", "name": "无"}),
        "assessments": "；".join(f"{x.year}年度：{x.result}" for x in payload.assessments) or "无",
        "trainings": rows(payload.trainings, lambda t: {"year": f"{t.year}年", "hours": f"{t.hours}学时",
                                                       "content": t.content},
                          {"year": "", "hours": "", "content": "无"}),
    }
    return lists


def build(payload: EvaluationPayload, profile: Profile, options: Options) -> dict:
    """Build the context: cover, 基本情况, the lists (无 when empty), and the boxes signed by hand."""
    # the validator re-encoded the upload already (_valid_photo): encoding that JPEG again would only lose more
    data = base64.b64decode(payload.applicant.photo) if payload.applicant.photo else None
    photo = _picture(data, payload.applicant.photo_eyes) if data else None
    return _context(_texts(profile, options.copies or profile.evaluation_copies), _person(payload), photo,
                    _lists(payload))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: every cell empty, a few empty rows per list, dates to write by hand."""
    keys = ("name", "gender", "birth", "ethnicity", "political_status", "id_number", "work_start", "education",
            "current_title", "work_unit", "series", "target_title")
    person = {**dict.fromkeys(keys, ""), "fill_date": DATE_BLANK}
    lists = {
        "education": [{"period": "", "degree": "", "school": ""}] * BLANK_ROWS,
        "work": [{"period": "", "unit": ""}] * BLANK_ROWS,
        "achievements": _lines(6),
        "papers": [{"date": "", "role": "", "title": ""}] * BLANK_ROWS,
        "awards": [{"date": "", "level": "", "name": ""}] * BLANK_ROWS,
        "assessments": "",
        "trainings": [{"year": "", "hours": "", "content": ""}] * BLANK_ROWS,
    }
    return _context(_texts(profile, options.copies or profile.evaluation_copies), person, None, lists)


KIND = Kind(slug=SLUG, title="专业技术职务任职资格评审表", model=EvaluationPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 五(三), 002 (五)1, 003 三(3)2(2)",
            watermark="新疆专业技术人员职称评审专用", cross_page_seal=True, layout=LAYOUT,
            copies=lambda profile: profile.evaluation_copies,
            blind_fields=("person.name", "person.work_unit", "person.id_number", "photo", "photo_label"))
