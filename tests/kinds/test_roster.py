"""申报人员花名册: what the committee sees in the PDF, DOCX and XLSX, and the payload's errors."""
from __future__ import annotations

import copy
import io
import re
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docgen.documents import sample
from docgen.errors import InvalidPayload
from tests.helpers import docx_text, docx_xml, pdf_page_sizes_mm, pdf_pages_text, pdf_text, squash

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from roster import payload as synthetic  # noqa: E402


@pytest.fixture(scope="module")
def big(renderer):
    """A 60-applicant roster (several pages) in PDF and DOCX."""
    data = synthetic(60, seed=7)
    return data, renderer.render("roster", data, "pdf").content, renderer.render("roster", data, "docx").content


def _folio(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text)]


def test_sample_names_in_order_in_pdf_and_docx(renderer):
    data = sample("roster")
    names = [a["name"] for a in data["applicants"]]
    pdf = squash(pdf_text(renderer.render("roster", data, "pdf").content))
    docx = squash(docx_text(renderer.render("roster", data, "docx").content))
    # wrapped names (阿不都热合曼· / 买买提) read line by line in the PDF: check the first part's order there
    firsts = [n.split("·")[0] for n in names]
    assert [pdf.index(f) for f in firsts] == sorted(pdf.index(f) for f in firsts)
    assert [docx.index(n) for n in names] == sorted(docx.index(n) for n in names)
    assert "2024年度农业科学专业职称申报人员花名册" in pdf
    assert "单位（盖章）：巴音郭楞蒙古自治州农业科学研究所" in pdf
    assert "副研究员（评审）" in docx and "研究实习员（初定）" in docx and "助理研究员（授予）" in docx


def test_full_id_numbers_none_for_empty_and_no_result_yet(renderer):
    data = sample("roster")
    docx = docx_text(renderer.render("roster", data, "docx").content)
    pdf = squash(pdf_text(renderer.render("roster", data, "pdf").content))
    for a in data["applicants"]:
        assert a["id_number"] in pdf and a["id_number"] in docx   # the committee's copy: not masked
    # 古丽米拉·艾则孜 has no current title nor date, and nobody has a result yet
    row = docx.split("古丽米拉·艾则孜")[1].split("\n")
    assert row[5:7] == ["无", "无"]
    assert row[9] == ""   # 是否通过 is the committee's column: blank, not 无, before the review


def test_landscape_a4(big):
    _, pdf, docx = big
    assert set(pdf_page_sizes_mm(pdf)) == {(297, 210)}
    xml = docx_xml(docx)
    assert 'w:orient="landscape"' in xml and 'w:w="16838"' in xml


def test_header_and_folio_on_every_page(big, renderer):
    _, pdf, _ = big
    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        raw = [page.extract_text() for page in doc.pages]
    assert len(raw) >= 3
    for number, text in enumerate(raw, start=1):
        flat = squash(text)
        assert "序号" in flat and "身份证号码" in flat, number
        assert _folio(text) == [(number, len(raw))]


def test_no_row_split_across_pages(big):
    data, pdf, _ = big
    pages = [squash(t) for t in pdf_pages_text(pdf)]
    for a in data["applicants"]:
        holding = [i for i, text in enumerate(pages) if a["id_number"] in text]
        assert len(holding) == 1, a["id_number"]
        assert a["name"].split("·")[0] in pages[holding[0]]   # the rest of the row is on that page too


def test_docx_header_repeats_and_rows_do_not_split(big):
    _, _, docx = big
    xml = docx_xml(docx)
    assert xml.count("<w:tblHeader") == 1
    assert xml.count("<w:cantSplit") == 61           # header + 60 rows
    footer = docx_xml(docx, "word/footer1.xml")
    assert "PAGE" in footer and "NUMPAGES" in footer and "第" in footer


def test_long_work_unit_wraps_inside_its_cell(renderer):
    """A 工作单位 longer than its 41 mm column breaks onto more lines, every line inside the column's rules,
    flush left at the same edge."""
    import pdfplumber

    from docgen.kinds.roster import CELL_PAD, COLUMN_WIDTHS, MARGIN_SIDE
    unit = "巴音郭楞蒙古自治州水利局塔里木河流域管理处水文水资源勘测中心"
    data = sample("roster")
    data["applicants"][0]["work_unit"] = unit
    pdf = renderer.render("roster", data, "pdf").content
    mm = 72 / 25.4
    left, right = MARGIN_SIDE + sum(COLUMN_WIDTHS[:9]), MARGIN_SIDE + sum(COLUMN_WIDTHS[:10])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        column = page.within_bbox((left * mm, 0, right * mm, page.height))
        rows = column.extract_text_lines()
    first = next(i for i, row in enumerate(rows) if unit.startswith(row["text"]) and len(row["text"]) > 2)
    lines = [row for row in rows[first:] if row["text"] in unit]
    text = ""
    for n, row in enumerate(lines):
        if not unit.startswith(text + row["text"]):
            lines = lines[:n]
            break
        text += row["text"]
    assert len(lines) >= 2 and text == unit               # wrapped, and all of it inside the column's rules
    for row in lines:                                      # flush left, one cell padding in
        assert abs(row["x0"] / mm - (left + CELL_PAD)) < 1.0, row


def test_xlsx_keeps_id_numbers_as_text(renderer):
    data = sample("roster")
    content = renderer.render("roster", data, "xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "2024年度农业科学专业职称申报人员花名册"
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert [c.value for c in sheet[3]][:6] == ["序号", "姓名", "性别", "族别", "政治面貌", "身份证号码"]
    ids = [sheet.cell(row=4 + i, column=6).value for i in range(len(data["applicants"]))]
    assert ids == [a["id_number"] for a in data["applicants"]]
    assert all(isinstance(v, str) for v in ids)


def test_tacheng_title_has_no_specialty(renderer):
    data = sample("roster")
    del data["year"]
    pdf = squash(pdf_text(renderer.render("roster", data, "pdf", "tacheng-2023").content))
    assert "2023年度评审专业技术任职资格人员花名册" in pdf


def test_title_without_a_common_specialty(renderer):
    data = sample("roster")
    data["applicants"][1]["specialty"] = "园艺"
    docx = docx_text(renderer.render("roster", data, "docx").content)
    assert docx.startswith("2024年度职称申报人员花名册")


def test_blank_form_has_numbered_rows(renderer):
    docx = docx_text(renderer.blank("roster", "docx").content)
    pdf = squash(pdf_text(renderer.blank("roster", "pdf").content))
    assert docx.count("初定/授予/评审") == 15
    assert "15" in docx.split("\n") and "单位（盖章）：" in pdf
    # the year and the unit to fill in: ruled lines (underlined spaces), not dashed underscores
    assert "____" not in docx and docx.count("\u00a0" * 8) >= 2
    assert docx_xml(renderer.blank("roster", "docx").content).count('<w:u w:val="single"/>') == 2


def test_docx_breaks_a_long_name_after_its_dot(renderer):
    """A name too long for the 姓名 column carries the PDF's line break after its “·” into the DOCX
    (Word and LibreOffice would otherwise break inside a name part); a short name none."""
    data = sample("roster")
    data["applicants"][0]["name"] = "阿不都热合曼·买买提"
    data["applicants"][1]["name"] = "努尔兰·吐尔逊"
    xml = docx_xml(renderer.render("roster", data, "docx").content)
    assert re.search(r"阿不都热合曼·</w:t>(?:</w:r><w:r>)?<w:br/>.*?<w:t[^>]*>买买提</w:t>", xml)
    assert "努尔兰·吐尔逊" in xml


def test_bad_check_digit_points_at_the_applicant(renderer):
    data = copy.deepcopy(sample("roster"))
    number = data["applicants"][1]["id_number"]
    data["applicants"][1]["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(InvalidPayload) as exc:
        renderer.render("roster", data, "pdf")
    errors = exc.value.errors
    assert errors[0]["pointer"] == "/applicants/1/id_number"
    assert "校验位" in errors[0]["detail"]


def test_route_and_applicants_required(renderer):
    data = copy.deepcopy(sample("roster"))
    del data["applicants"][0]["route"]
    data["applicants"][2]["route"] = "推荐"
    with pytest.raises(InvalidPayload) as exc:
        renderer.render("roster", data, "docx")
    pointers = {e["pointer"]: e["detail"] for e in exc.value.errors}
    assert "必填" in pointers["/applicants/0/route"]
    assert "初定" in pointers["/applicants/2/route"]
    with pytest.raises(InvalidPayload) as exc:
        renderer.render("roster", {"unit": {"name": "某单位"}, "applicants": []}, "pdf")
    assert exc.value.errors[0]["pointer"] == "/applicants"


@pytest.mark.parametrize("field", ["id_number", "gender", "target_title"])
def test_identifying_columns_are_required_never_none(renderer, field):
    """身份证号码, 性别 and 拟申报职务 identify the applicant: a row without one is refused at its cell, in PDF and
    DOCX alike, rather than printed as 无 (issue 20)."""
    data = copy.deepcopy(sample("roster"))
    del data["applicants"][1][field]
    for fmt in ("pdf", "docx"):
        with pytest.raises(InvalidPayload) as exc:
            renderer.render("roster", data, fmt)
        (error,) = exc.value.errors
        assert error["pointer"] == f"/applicants/1/{field}"
        assert "必填" in error["detail"]


def test_current_title_required_for_review_and_conferral_not_first_appointment(renderer):
    data = copy.deepcopy(sample("roster"))
    routes = [a["route"] for a in data["applicants"]]
    review, conferral = routes.index("评审"), routes.index("授予")
    for i in (review, conferral):
        del data["applicants"][i]["current_title"]
    with pytest.raises(InvalidPayload) as exc:
        renderer.render("roster", data, "pdf")
    details = {e["pointer"]: e["detail"] for e in exc.value.errors}
    assert set(details) == {f"/applicants/{review}/current_title", f"/applicants/{conferral}/current_title"}
    assert "评审" in details[f"/applicants/{review}/current_title"]
    first = routes.index("初定")   # 初定 starts from no title: the sample's row prints 无
    assert "current_title" not in data["applicants"][first]
    assert "研究实习员（初定）" in docx_text(renderer.render("roster", sample("roster"), "docx").content)


def test_xlsx_row_without_id_gender_or_target_names_row_and_column(renderer):
    """From the XLSX template: the error names the sheet row and the column header staff see."""
    from docgen.batch import template
    from docgen.batch.plan import intake
    from docgen.batch.xlsx import read_roster_cells

    book = load_workbook(io.BytesIO(template.build("巴音郭楞蒙古自治州农业科学研究所")))
    sheet = book["花名册"]
    headers = [c.value for c in sheet[3]]
    row = {"序号": 1, "姓名": "李娟", "民族": "汉族", "政治面貌": "群众", "现任专业技术职务": "研究实习员",
           "系列": "自然科学研究", "专业": "农业科学", "级别": "中级", "申报途径": "评审"}
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=5, column=column, value=row.get(header))
    out = io.BytesIO()
    book.save(out)
    data, cells = read_roster_cells(out.getvalue())
    with pytest.raises(InvalidPayload) as exc:
        intake({**data, "profile": "bazhou-2024", "documents": ["roster"]}, renderer, cells=cells)
    found = {e["column"]: e for e in exc.value.errors}
    assert set(found) == {"身份证号码", "性别", "拟申报专业技术职务"}
    for column, error in found.items():
        assert error["row"] == 5 and error["detail"].startswith(f"第5行“{column}”：") and "必填" in error["detail"]
