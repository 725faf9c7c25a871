"""申报材料目录 (seed 000 (四): “在档案袋封面（正面）张贴申报材料目录”): the profile's material list as a table.

Each row: 序号, 材料名称, 份数, 原件/复印件 and 页码, the page range the item occupies in the package (written by
the package builder, or left blank to write by hand). One page for every profile's list; two where most rows
carry a note (“空白表，手工填写” on all of bazhou-2024's, tacheng-2023's or xinjiang's 13–16 rows), and the
package's page ranges follow it (docgen/batch/package.py re-renders it until its length settles).
"""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from docgen.errors import InvalidPayload
from docgen.kinds import Kind, Options
from docgen.kinds.common import NAME_BLANK, BLANK, Applicant, Payload, ShortFilled, WorkUnitFilled, fill
from docgen.profiles import Material, Profile
from docgen.rules.types import Level

SLUG = "material-list"
ITEMS_MAX = 40
PAGE_MAX = 9999
# column widths (mm) of the 156 mm text area (序号 holds two characters inside Word's 1.9 mm cell margins) and the
# table's type, shared by document.css and docx.py
COLUMN_WIDTHS_MM = (13, 79, 13, 29, 22)
CELL_PT, CELL_LINE_PT, ROW_MM, PAD_MM = 12, 16, 8, 1
HEADER_PT, HEADER_LINE_PT = 14, 20
LAYOUT = {"cell-size": f"{CELL_PT}pt", "cell-line": f"{CELL_LINE_PT}pt", "row-height": f"{ROW_MM}mm",
          "cell-padding": f"{PAD_MM}mm", "header-size": f"{HEADER_PT}pt", "header-line": f"{HEADER_LINE_PT}pt",
          **{f"col-{i}": f"{w}mm" for i, w in enumerate(COLUMN_WIDTHS_MM)}}
_RANGE = re.compile(r"^\s*(\d{1,4})\s*(?:[-–—~～至]\s*(\d{1,4}))?\s*$")


class ListApplicant(Applicant):
    """申报人 as the envelope's cover names them."""

    work_unit: WorkUnitFilled = Field(title="工作单位", examples=["巴音郭楞蒙古自治州农业科学研究所"])
    series: ShortFilled = Field(title="系列", examples=["自然科学研究"])
    specialty: ShortFilled = Field(title="专业", examples=["农业科学"])
    level: Level = Field(title="级别")


class ItemPages(BaseModel):
    """One row of the 目录: a material of the profile's list and the pages it occupies in the package."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(title="材料编号", max_length=40, examples=["public-notice"],
                     description="地区配置的申报材料编号（GET /v1/profiles/{id}/materials 的 key）")
    pages: str | None = Field(None, title="页码", max_length=20, examples=["3-6"],
                              description="所在页码范围，如“3-6”或“5”；也可用 start、end；缺省时留空待手写")
    start: int | None = Field(None, title="起页", ge=1, le=PAGE_MAX)
    end: int | None = Field(None, title="止页", ge=1, le=PAGE_MAX)
    note: str | None = Field(None, title="备注", max_length=20, examples=["未上传"],
                             description="印在材料名称后的括号里，如“未上传”“空白表，手工填写”（申报材料包由 docgen 填写）")

    @model_validator(mode="after")
    def _one_range(self) -> ItemPages:
        """Read `pages` into start and end; refuse a range that runs backwards or is given twice."""
        field = "end"
        if self.pages is not None:
            if self.start is not None or self.end is not None:
                raise PydanticCustomError("pages_twice", "页码与起页、止页只填一种", {"field": "pages"})
            match = _RANGE.match(self.pages)
            if not match:
                raise PydanticCustomError("pages_format", "页码应写作“3-6”或“5”", {"field": "pages"})
            self.start, self.end, field = int(match[1]), int(match[2] or match[1]), "pages"
        if self.end is not None and self.start is None:
            raise PydanticCustomError("pages_start", "有止页须有起页", {"field": "start"})
        if self.start is not None and self.end is not None and self.end < self.start:
            raise PydanticCustomError("pages_order", "起页（{start}）大于止页（{end}），请核对",
                                      {"start": self.start, "end": self.end, "field": field})
        return self

    def printed(self) -> str:
        """Print the range as the 目录 does: 3–6, 5, or nothing."""
        if self.start is None:
            return ""
        return str(self.start) if self.end in (None, self.start) else f"{self.start}–{self.end}"


class MaterialListPayload(Payload):
    """申报材料目录的内容."""

    applicant: ListApplicant = Field(title="申报人")
    items: list[ItemPages] | None = Field(
        None, title="目录各项", max_length=ITEMS_MAX,
        description="按此顺序印出的材料及其页码；缺省时为地区配置的全部申报材料，页码留空")


def _row(number: int, material: Material, pages: str, note: str | None = None) -> dict[str, str]:
    title = f"{material.title}（{note}）" if note else material.title
    return {"number": str(number), "title": title, "copies": str(material.copies),
            "original": material.original, "pages": pages}


def _rows(items: list[ItemPages] | None, profile: Profile) -> list[dict[str, str]]:
    """Return the table's rows: the items asked for, each found in the profile's list, or the whole list."""
    known = {m.key: m for m in profile.materials}
    if items is None:
        return [_row(i, m, "") for i, m in enumerate(profile.materials, 1)]
    errors, seen = [], set()
    for index, item in enumerate(items):
        if item.key not in known:
            errors.append({"pointer": f"/items/{index}/key",
                           "detail": f"{profile.name}的申报材料中没有“{item.key}”，可用：{'、'.join(known)}"})
        elif item.key in seen:
            errors.append({"pointer": f"/items/{index}/key", "detail": f"材料“{item.key}”列了两次"})
        seen.add(item.key)
    if errors:
        raise InvalidPayload(errors)
    return [_row(i, known[item.key], item.printed(), item.note) for i, item in enumerate(items, 1)]


def _context(profile: Profile, values: dict[str, str], rows: list[dict[str, str]]) -> dict:
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), values)

    return {"title": text("title"), "header": text("header"), "columns": text("columns"), "rows": rows,
            "note": text("note"), "person": {"name": values["name"], "work_unit": values["work_unit"]}}


def build(payload: MaterialListPayload, profile: Profile, options: Options) -> dict:
    """Build the context: the applicant's header and a row per material, with its pages where given."""
    a = payload.applicant
    values = {"name": a.name, "work_unit": a.work_unit, "series": a.series, "specialty": a.specialty,
              "level": a.level}
    return _context(profile, values, _rows(payload.items, profile))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty cover: the profile's whole list, the applicant and the pages left to write by hand."""
    values = dict.fromkeys(("name", "work_unit", "series", "specialty", "level"), BLANK) | {"name": NAME_BLANK}
    return _context(profile, values, _rows(None, profile))


KIND = Kind(slug=SLUG, title="申报材料目录", model=MaterialListPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 (四)", layout=LAYOUT,
            blind_fields=("person.name", "person.work_unit"))
