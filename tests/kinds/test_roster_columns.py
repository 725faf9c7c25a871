"""The roster's columns, defined once (docgen.kinds.roster.COLUMNS): what prints, what the XLSX template offers
and what its reader reads back all come from that one table."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from docgen.batch import template, xlsx
from docgen.kinds import roster


def test_every_template_header_is_read_back_to_its_key():
    book = load_workbook(io.BytesIO(template.build()))
    headers = [cell.value for cell in book.worksheets[0][3]]
    assert headers[0] == "序号" and headers[-2:] == ["思想政治条件", "业绩成果"]
    assert {xlsx.HEADERS[h] for h in headers[1:]} == {c.key for c in roster.COLUMNS if c.xlsx_width} - {"index"}


def test_the_printed_headers_are_those_of_seed_000_and_are_read_back_too():
    printed = [c.printed.header for c in roster.COLUMNS if c.printed]
    assert printed == ["序号", "姓名", "性别", "族别", "政治面貌", "身份证号码", "现任专业职务", "获现任专业职务时间",
                       "拟晋升专业技术职务", "工作单位", "是否通过", "备注"]
    assert all(xlsx.HEADERS[h] == key for h, key in zip(printed[1:], roster.PRINTED_KEYS[1:], strict=True))
    assert abs(sum(roster.COLUMN_WIDTHS) - (roster.PAGE_WIDTH - 2 * roster.MARGIN_SIDE)) < 0.01


def test_the_roster_xlsx_reads_back_as_the_applicants_it_printed():
    from docgen.documents import Renderer, sample

    payload = sample("roster")
    content = Renderer().render("roster", payload, "xlsx").content
    read = xlsx.read_roster(content)
    assert [a["name"] for a in read["applicants"]] == [a["name"] for a in payload["applicants"]]
    first, given = read["applicants"][0], payload["applicants"][0]
    assert first["route"] == given["route"] and first["id_number"] == given["id_number"]
