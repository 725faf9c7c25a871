"""Layout properties of the 花名册 with long remarks and rare names: the folio's 共N页 is the number of
physical pages, no page holds only its folio, a long remark does not put one applicant on each page —
in the PDF and in the DOCX as LibreOffice lays it out."""
from __future__ import annotations

import copy
import io
import re

import pdfplumber
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.documents import sample
from tests.layout.pages import libreoffice_pdfs

REMARK = ("2023年3月至今参加自治区“访惠聚”驻村工作，常驻村开展工作，符合免于答辩条件；继续教育学时已按要求完成"
          "并提交合格证书，年度考核均为合格以上。") * 2
NAMES = ("王䶮", "李𠈌喆", "赵赟", "张堃", "阿不都热合曼·买买提", "买买提艾力·阿不都克热木", "古丽米拉·艾尔肯")


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


@settings(max_examples=3, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                                  HealthCheck.too_slow])
@given(count=st.integers(5, 14), remark_chars=st.integers(60, 100), offset=st.integers(0, 6))
def test_roster_pdf(renderer, count, remark_chars, offset):
    check(renderer.render("roster", roster(count, remark_chars, offset), "pdf").content, count)


def test_roster_docx_in_libreoffice(renderer, tmp_path):
    data = roster(9, 100)
    converted = libreoffice_pdfs({"roster": renderer.render("roster", data, "docx").content}, tmp_path)
    check(converted["roster"], 9)   # LibreOffice wraps cells its own way: its page count may differ from the PDF's
