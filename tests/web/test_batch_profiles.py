"""A unit's whole batch from the page, for the profiles whose documents ask the most: the roster template
downloaded from the page, filled in openpyxl, uploaded with the unit's record; every problem named once and
credited to its applicant; then every document of every applicant made."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from docgen import profiles
from docgen.kinds import KINDS
from tests.helpers import pdf_text
from tests.web.test_page import download

APPLICANTS = [   # header → value, as staff type them into the template
    {"序号": 1, "姓名": "古丽娜尔·艾力", "性别": "女", "民族": "维吾尔族", "政治面貌": "中共党员",
     "身份证号码": "650102198802290026", "现任专业技术职务": "助理农艺师", "获现任专业技术职务时间": "2019-08-01",
     "拟申报专业技术职务": "农艺师", "系列": "农业", "专业": "农学", "级别": "中级", "申报途径": "评审",
     "思想政治条件": "拥护党的路线方针政策，遵纪守法。", "业绩成果": "推广棉花良种2项，培训农民300人次。"},
    {"序号": 2, "姓名": "阿不都热合曼·买买提", "性别": "男", "民族": "维吾尔族", "政治面貌": "群众",
     "身份证号码": "652801199003152311", "现任专业技术职务": "助理农艺师", "获现任专业技术职务时间": "2018-07-01",
     "拟申报专业技术职务": "农艺师", "系列": "农业", "专业": "植物保护", "级别": "中级", "申报途径": "评审",
     "思想政治条件": "爱岗敬业，作风正派。", "业绩成果": "完成病虫害绿色防控试验1项。"},
]
UNIT = "塔城地区农业农村局"
ISSUER = "塔城地区农业农村局纪检组"
COMPETENT = "塔城地区行政公署"


def _filled(template: bytes, applicants: list[dict]) -> bytes:
    """Return the template with the applicants typed under its example row."""
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    header_row = next(row for row in sheet.iter_rows(max_row=10) if any(c.value == "姓名" for c in row))
    columns = {cell.value: cell.column for cell in header_row if cell.value}
    first = header_row[0].row + 2                      # under the example row
    for offset, applicant in enumerate(applicants):
        for header, value in applicant.items():
            sheet.cell(row=first + offset, column=columns[header], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(page, content: bytes) -> None:
    page.set_input_files("#batch-file", files=[{"name": "花名册.xlsx", "buffer": content,
                                                "mimeType": "application/octet-stream"}])
    page.click("#batch-submit")


@pytest.mark.parametrize("profile", profiles.ids())
def test_a_whole_batch_passes_from_the_page(page, profile):
    page.click("text=批量生成")
    _, template = download(page, "#template")
    page.select_option("#batch-profile", profile)
    batch = page.locator("#batch")
    batch.get_by_label("推荐单位名称").fill(UNIT)
    batch.get_by_label("成文日期").fill("2024-09-09")
    batch.get_by_label("监督电话").fill("0901-6222222")
    batch.get_by_label("单位负责人").fill("王建国")
    batch.get_by_label("公示开始日期").fill("2024-09-02")
    batch.get_by_label("公示结束日期").fill("2024-09-06")
    chosen = profiles.get(profile)
    documents = [s for s in chosen.documents if s in KINDS]

    # a wrong check digit in row 2 and no 办公室: each said once, the roster's error credited to the applicant
    wrong = [APPLICANTS[0], {**APPLICANTS[1], "身份证号码": "652801199003152312"}]
    _upload(page, _filled(template, wrong))
    page.wait_for_selector("#batch-errors:not([hidden])")
    problems = page.locator("#batch-errors-table tbody tr td:nth-child(4)").all_inner_texts()
    office = [p for p in problems if "受理异议的办公室" in p]
    assert len(office) == 1 and "古丽娜尔" not in office[0], problems
    ids = [p for p in problems if "校验位" in p]
    assert ids and all("阿不都热合曼·买买提" in p and UNIT not in p for p in ids), problems
    issuer = [p for p in problems if "出具单位" in p and "主管单位名称" not in p]   # the 纪检部门, not the 主管单位
    if "integrity-certificate" in documents:   # 廉政情况证明 (tacheng: 附件4) asks for the 纪检部门, once
        assert len(issuer) == 1 and page.locator("#batch-defaults-integrity-certificate-issuer-err").is_visible()
    else:
        assert issuer == []
    # 推荐意见 by the 主管单位 (bazhou-eng-2021, urumqi-etdz-2024: seed 004 附件4) asks for its name, once
    competent = [p for p in problems if "主管单位名称" in p]
    if "recommendation" in documents and chosen.batch_defaults.get("recommendation", {}).get("issuer") == "competent":
        assert len(competent) == 1 and page.locator("#batch-defaults-recommendation-competent-name-err").is_visible()
    else:
        assert competent == []
    assert page.locator("#batch-unit-office-err").is_visible()

    batch.get_by_label("受理异议的办公室").fill("人事科")
    batch.get_by_label("纪检部门（廉政情况证明出具单位）").fill(ISSUER)
    batch.get_by_label("主管单位（推荐意见由主管单位出具时）").fill(COMPETENT)
    _upload(page, _filled(template, APPLICANTS))
    page.wait_for_selector("#batch-done:not([hidden])", timeout=180_000)
    assert page.locator("#batch-errors").is_hidden()
    _, content = download(page, "#batch-zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    for number, applicant in enumerate(APPLICANTS, 1):
        folder = f"files/{number:02d}-{applicant['姓名']}/"
        made = [n for n in names if n.startswith(folder) and n.endswith(".pdf") and n != folder + "申报材料.pdf"]
        personal = [s for s in documents if not KINDS[s].unit_level and not KINDS[s].batch_when]
        assert len(made) == len(personal), (made, personal)
        # the whole set of a paper profile: the applicant's package too (urumqi-etdz-2024 wants no paper: none)
        assert (folder + "申报材料.pdf" in names) == (chosen.paper and bool(chosen.materials))
    if "integrity-certificate" in documents:
        certificate = next(n for n in names if n.endswith("廉政情况证明.pdf"))
        assert ISSUER in pdf_text(archive.read(certificate)).replace("\n", "")


def test_documents_ticked_with_the_roster_come_in_the_notices_order(page):
    """The 花名册 is a tick of its own (ticking documents dropped it unseen), and each applicant's ticked files
    come in the notice's order, not the page's or by slug (bazhou-2024: the 公示 3rd, the 承诺书 14th)."""
    page.click("text=批量生成")
    _, template = download(page, "#template")
    page.select_option("#batch-profile", "bazhou-2024")
    batch = page.locator("#batch")
    for label, value in (("推荐单位名称", UNIT), ("受理异议的办公室", "人事科"), ("监督电话", "0996-2024393"),
                         ("公示开始日期", "2024-09-02"), ("公示结束日期", "2024-09-06")):
        batch.get_by_label(label).fill(value)
    page.click("#batch-docs >> xpath=..")                 # open 自选文书
    for slug in ("commitment", "public-notice", "roster"):
        page.check(f"#batch-docs input[value={slug}]")
    _upload(page, _filled(template, APPLICANTS[:1]))
    page.wait_for_selector("#batch-done:not([hidden])", timeout=180_000)
    _, content = download(page, "#batch-zip")
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert any(KINDS["roster"].title in n for n in names), names
    folder = [n for n in names if n.startswith("files/01-") and n.endswith(".pdf")]
    public, commitment = KINDS["public-notice"].title, KINDS["commitment"].title
    order = [n for n in folder if public in n or commitment in n]
    assert len(order) == 2 and public in order[0] and commitment in order[1], folder
