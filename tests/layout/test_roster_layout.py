"""Layout properties of the 花名册 with long remarks and rare names: the folio's 共N页 is the number of
physical pages, no page holds only its folio, a long remark does not put one applicant on each page, a
name breaks only after its “·” — in the PDF and in the DOCX as LibreOffice lays it out; and the blank
forms' rows are tall enough to write in by hand."""
from __future__ import annotations

import copy
import io
import re
from itertools import pairwise

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.documents import sample
from docgen.kinds.roster import COLUMN_WIDTHS, MARGIN_SIDE, NAME_COLUMN, PAGE_WIDTH, TABLE_W
from tests.layout.pages import MM, libreoffice_pdfs, pdf_pages

REMARK = ("2023年3月至今参加自治区“访惠聚”驻村工作，常驻村开展工作，符合免于答辩条件；继续教育学时已按要求完成"
          "并提交合格证书，年度考核均为合格以上。") * 2
NAMES = ("王䶮", "李𠈌喆", "赵赟", "张堃", "阿不都热合曼·买买提", "买买提艾力·阿不都克热木", "古丽米拉·艾尔肯",
         "阿依古丽·买买提艾力·阿不都热合曼")
DATE_COLUMN = 7   # 获现任专业职务时间
HAND_MM = 8.0   # issue 9: a row to write in by hand is at least 8 mm high


def roster(count: int, remark_chars: int, offset: int = 0) -> dict:
    data = sample("roster")
    base = data["applicants"]
    data["applicants"] = []
    for i in range(count):
        applicant = copy.deepcopy(base[i % len(base)])
        applicant["name"] = NAMES[(i + offset) % len(NAMES)]
        applicant["remark"] = REMARK[:remark_chars - (i % 3) * 10]
        data["applicants"].append(applicant)
    return data


def folios(pdf: bytes) -> list[tuple[int, int]]:
    """Return each page's (N, M) of “第 N 页 共 M 页” (LibreOffice prints the two fields as “N M”)."""
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            lines = (page.extract_text() or "").splitlines()
            text = "\n".join(lines)
            found = re.search(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text) or \
                next(filter(None, (re.fullmatch(r"\s*(\d+)\s+(\d+)\s*", ln) for ln in lines)), None)
            assert found, f"no folio on page {page.page_number}"
            body = [ln for ln in lines if not re.search(r"^\s*\d+\s+\d+\s*$|第\s*\d*\s*页\s*共\s*\d*\s*页", ln)]
            assert any(re.search(r"\d{17}[\dX]", ln) for ln in body), f"page {page.page_number} has no applicant"
            out.append((int(found[1]), int(found[2])))
    return out


def check(pdf: bytes, count: int) -> None:
    numbers = folios(pdf)
    assert numbers == [(n, len(numbers)) for n in range(1, len(numbers) + 1)]
    assert len(numbers) <= (count + 1) // 2    # two applicants or more a page, whatever their remarks


def rules_mm(page, left: float, right: float) -> list[float]:
    """Return the heights (mm from the top) of the horizontal rules crossing [left, right] mm on a page:
    a rule drawn cell by cell or as a thin box counted once. LibreOffice sets a table out by its cell
    margin (0.8 mm): 1.5 mm of either end may be missing."""
    # straight rules only: a watermark's letters are curves (the blank 评审表 has one, issue 21 point 9)
    edges = sorted((e["top"] / MM, e["x0"] / MM, e["x1"] / MM) for e in page.edges
                   if e["orientation"] == "h" and e["object_type"] != "curve_edge")
    groups: list[list[tuple[float, float, float]]] = []
    for edge in edges:
        if groups and edge[0] - groups[-1][-1][0] <= 0.6:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    rules = []
    for group in groups:
        reach = left + 1.5                       # how far from the left the rule runs without a gap
        for _, x0, x1 in sorted(group, key=lambda e: e[1]):
            if x0 <= reach:
                reach = max(reach, x1)
        if reach >= right - 1.5:
            rules.append(group[0][0])
    return rules


def column_cells(pdf: bytes, col: int) -> list[list[str]]:
    """Return the printed lines of each cell of a roster column, top to bottom, page after page: the
    characters lying wholly inside the column's rules, grouped by the rules between the rows."""
    left = MARGIN_SIDE + sum(COLUMN_WIDTHS[:col])
    right = left + COLUMN_WIDTHS[col]
    cells = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            rules = rules_mm(page, left, right)
            for top, bottom in pairwise(rules):
                cell = page.within_bbox((left * MM, top * MM, right * MM, bottom * MM))
                lines = [line["text"].replace(" ", "") for line in cell.extract_text_lines()]
                if lines:
                    cells.append(lines)
    return cells


def check_names(cells: list[list[str]], names: list[str]) -> None:
    """Assert every name prints whole inside its column (cells from column_cells), broken only right
    after a “·”."""
    cells = [lines for lines in cells if lines != ["姓名"]]
    assert ["".join(lines) for lines in cells] == names
    for lines in cells:
        assert all(line.endswith("·") for line in lines[:-1]), lines   # no part split, no line starting “·”


def row_heights(pdf: bytes) -> list[float]:
    """Return the heights (mm) of a one-page roster's rows under its header, rule to rule, full width."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1
        page = doc.pages[0]
        header = max(c["bottom"] / MM for c in page.chars if c["text"] in "序号")
        rules = [r for r in rules_mm(page, MARGIN_SIDE, MARGIN_SIDE + TABLE_W) if r > header]
    return [round(b - a, 2) for a, b in pairwise(rules)]


@settings(max_examples=3, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                                  HealthCheck.too_slow])
@given(count=st.integers(5, 14), remark_chars=st.integers(60, 100), offset=st.integers(0, 7))
def test_roster_pdf(renderer, count, remark_chars, offset):
    data = roster(count, remark_chars, offset)
    pdf = renderer.render("roster", data, "pdf").content
    check(pdf, count)
    check_names(column_cells(pdf, NAME_COLUMN), [a["name"] for a in data["applicants"]])
    check_dates(pdf, len(data["applicants"]))


def check_dates(pdf: bytes, count: int) -> None:
    """Assert every 获现任专业职务时间 prints on one line: 2018年12月, never 2018年12 / 月 (issue 21 point 1)."""
    dates = [lines for lines in column_cells(pdf, DATE_COLUMN) if re.fullmatch(r"\d{4}年\d{1,2}月", "".join(lines))]
    assert len(dates) >= count // 2 and any(re.search(r"1[0-2]月", lines[0]) for lines in dates)
    assert all(len(lines) == 1 for lines in dates), [lines for lines in dates if len(lines) > 1]


@pytest.fixture(scope="module")
def in_libreoffice(renderer, tmp_path_factory):
    """A long roster, the blank roster and the blank 评审表 as DOCX, laid out by LibreOffice in one call."""
    files = {"roster": renderer.render("roster", roster(9, 100), "docx").content,
             "roster-sample": renderer.render("roster", sample("roster"), "docx").content,
             "roster-blank": renderer.blank("roster", "docx").content,
             "evaluation-form-blank": renderer.blank("evaluation-form", "docx").content}
    return libreoffice_pdfs(files, tmp_path_factory.mktemp("roster-docx"))


def test_roster_docx_in_libreoffice(in_libreoffice):
    check(in_libreoffice["roster"], 9)   # LibreOffice wraps cells its own way: its page count may differ from the PDF's
    # LibreOffice spaces digits from Chinese (0.73 mm each side): the date column is wide enough for that too
    check_dates(in_libreoffice["roster"], 9)
    check_dates(in_libreoffice["roster-sample"], len(sample("roster")["applicants"]))
    # the DOCX carries the PDF's line break after “·”: LibreOffice does not break a name part
    check_names(column_cells(in_libreoffice["roster"], NAME_COLUMN), [a["name"] for a in roster(9, 100)["applicants"]])


def test_checks_catch_a_broken_name():
    with pytest.raises(AssertionError):
        check_names([["阿不都热合曼", "·买买提"]], ["阿不都热合曼·买买提"])
    with pytest.raises(AssertionError):
        check_names([["阿不都热合", "曼·买买提"]], ["阿不都热合曼·买买提"])
    check_names([["阿不都热合曼·", "买买提"]], ["阿不都热合曼·买买提"])


def test_blank_roster_rows_to_write_in(renderer, in_libreoffice):
    for pdf in (renderer.blank("roster", "pdf").content, in_libreoffice["roster-blank"]):
        heights = row_heights(pdf)
        assert len(heights) == 15 and min(heights) >= HAND_MM, heights   # 15 rows on the one page


def test_blank_evaluation_form_rows_to_write_in(renderer, in_libreoffice):
    """The blank 评审表's tables (学习经历 … 继续教育, pages 2–3): every row at least 8 mm, in both formats."""
    for pdf in (renderer.blank("evaluation-form", "pdf").content, in_libreoffice["evaluation-form-blank"]):
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            assert len(doc.pages) == 8       # 一式两份: the blank form prints its two copies (issue 21 point 9)
            for page in doc.pages[1:3]:
                rules = rules_mm(page, 40.0, 180.0)       # rules across the tables' full width
                gaps = [b - a for a, b in pairwise(rules) if b - a < 40.0]   # not the gap between tables
                assert len(gaps) >= 8 and min(gaps) >= HAND_MM, (page.page_number, gaps)


UNIT = "中国（新疆）自由贸易试验区乌鲁木齐片区经开功能区块工作领导小组办公室综合保障科（巴音郭楞蒙古自治州）"


@settings(max_examples=4, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                                  HealthCheck.too_slow])
@given(chars=st.integers(40, 50), start=st.integers(0, 40))
def test_roster_unit_line_is_one_line_above_the_header(renderer, chars, start):
    """A unit name up to its limit (50) prints on the 单位（盖章） line whole, above the header: its second line
    printed over 序号 (issue 21 point 7), and a line ending “（” cannot happen on one line."""
    data = sample("roster")
    data["unit"]["name"] = (UNIT * 2)[start:start + chars]
    pdf = renderer.render("roster", data, "pdf").content
    lines = pdf_pages(pdf)[0].lines
    at = next(i for i, line in enumerate(lines) if line[3].startswith("单位"))
    assert lines[at][3].endswith(data["unit"]["name"]), lines[at][3]
    assert lines[at][2] <= PAGE_WIDTH - MARGIN_SIDE, lines[at]
    header = next(line for line in lines if line[3].startswith("序号"))
    assert header[0] - lines[at][0] >= 5.0, (lines[at], header)
