"""The applicant's package on the staff page, in Chromium: the profile's material list in the notice's order, any
one document in one click, scans checked as a batch checks them (name and pages, removable), the whole
申报材料.pdf in one click; a draft exported as one 花名册 row."""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import FilePayload, Page

from docgen import profiles
from docgen.documents import sample
from docgen.batch.xlsx import read_roster_cells
from docgen.render.merge import page_count
from tests.batch import scans
from tests.helpers import pdf_text
from tests.web.browser import chromium_path
from tests.web.test_applicants import _leaving_warns
from tests.web.test_keyboard import _count
from tests.web.test_page import choose, control, download, load_sample

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")

PROFILE = "bazhou-2024"
UNIT = {"单位名称": "巴音郭楞蒙古自治州农业科学研究所", "受理异议的办公室": "人事科", "监督电话": "0996-2024393",
        "单位负责人": "王建国", "公示开始日期": "2024-09-02", "公示结束日期": "2024-09-06"}


def fill_unit(page: Page) -> None:
    """Type the unit's record once, in 本单位信息."""
    box = page.locator("#unit-box")
    if not box.evaluate("d => d.open"):
        page.click("#unit-box summary")
    for label, value in UNIT.items():
        box.get_by_label(label, exact=True).fill(value)


def fill_applicant(page: Page) -> str:
    """Fill the applicant through the samples of the 公示 (its two texts) and the 评审表 (the person); return the name."""
    choose(page, "public-notice", profile=PROFILE)
    load_sample(page)
    choose(page, "evaluation-form")
    load_sample(page)
    return control(page, "/applicant/name").input_value()


def add_scan(page: Page, key: str, name: str, content: bytes) -> None:
    file: FilePayload = {"name": name, "buffer": content, "mimeType": "application/octet-stream"}
    page.set_input_files(f"#scan-{key}", files=[file])


def _bookmarks(pdf: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_outline() as outline:
        return [item.title for item in outline.root]


def test_the_material_list_scans_and_the_whole_package_in_one_click(page: Page, web_app: Flask) -> None:
    fill_unit(page)
    name = fill_applicant(page)
    # a document only some applicants give (免试审批表): out of the package until this applicant fills it
    choose(page, "ce-exemption")
    assert "整套材料中不含" in page.locator("#material-ce-exemption").inner_text()
    control(page, "/reason").fill(sample("ce-exemption")["reason"])
    control(page, "/review").fill(sample("ce-exemption")["review"])
    materials = profiles.get(PROFILE).materials
    shown = page.locator("#materials > li .material-title > span:first-child").all_inner_texts()
    assert shown == [m.title for m in materials]        # the notice's order

    # scans: checked by the server as a batch checks them, shown with name and pages, removable
    add_scan(page, "certificates", "毕业证书.pdf", scans.two_page_pdf())
    page.wait_for_selector("#scan-certificates-list li")
    assert "毕业证书.pdf（2页）" in page.locator("#scan-certificates-list").inner_text()
    add_scan(page, "id-card", "身份证.gif", b"GIF89a not a scan")
    page.wait_for_selector("#scan-id-card-err:not([hidden])")
    assert "只接受 JPG、PNG" in page.locator("#scan-id-card-err").inner_text()
    assert page.locator("#scan-id-card-list li").count() == 0
    add_scan(page, "id-card", "身份证.png", scans.landscape_scan())
    page.wait_for_selector("#scan-id-card-list li")
    add_scan(page, "annual-review", "2023年度考核表.png", scans.landscape_scan())
    page.wait_for_selector("#scan-annual-review-list li")
    page.click("#scan-annual-review-list button:has-text('移除')")
    page.wait_for_selector("#scan-annual-review-list li", state="detached")
    assert page.evaluate("document.activeElement.id") == "scan-annual-review"
    assert _leaving_warns(page)                          # scans are never stored: leaving would drop them
    page.wait_for_function("() => document.querySelector('#material-ce-exemption').textContent.includes('整套材料中按所填内容生成')")

    # one document of the list in one click: issued and downloaded
    before = _count(web_app)
    filename, pdf = download(page, "#materials [data-make='commitment']")
    assert filename == f"{name}-个人承诺书.pdf" and _count(web_app) == before + 1
    assert "编号" in page.locator("#package-status").inner_text()

    # the whole package: 目录 first, the list's order, the scans where their items are
    with page.expect_download(timeout=240_000) as info:
        page.click("#make-package")
    package = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == f"{name}-申报材料.pdf"
    marks = _bookmarks(package)
    assert marks[0] == "申报材料目录"
    listed = [m.title for m in materials]
    assert [t for t in marks[1:] if t in listed] == [t for t in listed if t in marks]
    assert "继续教育免试审批表" in marks, "|".join(marks)   # filled: in its place in the list
    text = pdf_text(package)
    assert name in text and "未上传" in text          # papers, annual review …: the office sees what is missing
    flat = text.replace("\n", "").replace(" ", "")
    for own in (sample("evaluation-form")["awards"][0]["name"], sample("public-notice")["political"]):
        assert own.replace(" ", "") in flat, own     # each document's own fields reached it (its defaults)
    assert page_count(package) >= 1 + 2 + 1 + 2      # 目录, 评审表 ×2, the ID card, the 2-page certificate …
    assert page.locator("#package-errors").is_hidden()
    assert "已下载" in page.locator("#package-status").inner_text()


def test_a_package_with_a_missing_field_names_it_and_opens_its_form(page: Page) -> None:
    fill_unit(page)
    choose(page, "commitment", profile=PROFILE)
    control(page, "/applicant/name").fill("王芳")
    page.click("#make-package")
    page.wait_for_selector("#package-errors:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "package-errors"
    links = page.locator("#package-errors-list a")
    assert links.count() >= 1
    first = links.first.inner_text()
    page.click("#package-errors-list a >> nth=0")
    page.wait_for_selector("#summary:not([hidden])")        # the document's form, its field marked
    assert first.split("：", 1)[1] in page.locator("#summary-list").inner_text()


def test_a_draft_exports_as_one_roster_row(page: Page) -> None:
    fill_unit(page)
    name = fill_applicant(page)
    id_number = control(page, "/applicant/id_number").input_value()
    assert not _leaving_warns(page)                      # the draft is kept, no scan chosen: leaving is quiet
    filename, content = download(page, "#export-row")
    assert filename == f"{name}-花名册行.xlsx"
    sheet = load_workbook(io.BytesIO(content))["花名册"]
    assert sheet["A2"].value.endswith(UNIT["单位名称"])
    data, _ = read_roster_cells(content)       # the batch reads it back as this applicant
    (row,) = data["applicants"]
    assert row["name"] == name and row["id_number"] == id_number
    assert row["payload"]["political"] and row["payload"]["achievements"]


def test_the_material_list_redrawn_keeps_the_keyboard_users_place(page: Page) -> None:
    """Choosing another document redraws the material list; a scan input that had the focus keeps it
    (before, the focus fell to the page and a Space pressed meanwhile opened no file chooser)."""
    choose(page, "commitment", profile=PROFILE)
    page.focus("#scan-certificates")
    page.evaluate("() => showMaterials()")                  # awaited: the list is redrawn when it returns
    assert page.evaluate("document.activeElement.id") == "scan-certificates"
    assert page.evaluate("document.activeElement.isConnected")
