"""The page by keyboard alone, in Chromium: one document (choose the type, fill, 预览 issuing nothing, then
生成正式文书 and 下载), and the office's whole flow (unit → applicant → package → batch) — Tab, Shift+Tab, Enter and
Space, the arrow keys only inside a native drop-down (the keyboard's way to pick an option), typing into fields."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import FilePayload, Page
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docgen.registry import IssuedDocument

NAME, ID_NUMBER = "古丽娜尔·艾力", "650102198802290026"


def _issued(web_app: Flask) -> list[IssuedDocument]:
    with Session(web_app.extensions["docgen"].registry.engine) as session:
        return list(session.scalars(select(IssuedDocument)))


def _count(web_app: Flask) -> int:
    with Session(web_app.extensions["docgen"].registry.engine) as session:
        return session.scalar(select(func.count()).select_from(IssuedDocument)) or 0


def _focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page: Page, selector: str, key: str = "Tab", limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the element matching the selector has the focus."""
    for _ in range(limit):
        if _focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit}× {key} never reached {selector}")


def test_the_whole_flow_by_keyboard(page: Any, web_app: Flask) -> None:   # Any: with .requests
    before = _count(web_app)
    page.wait_for_load_state("networkidle")   # the page's first type, options and materials all in
    tab_to(page, "#type")
    for _ in range(20):           # the type list: ArrowDown within the focused drop-down
        value = page.eval_on_selector("#type", "s => s.value")
        if value == "commitment":
            break
        page.keyboard.press("ArrowDown")
        page.wait_for_function("(v) => document.querySelector('#type').value !== v", arg=value, timeout=5000)
    assert page.eval_on_selector("#type", "s => s.value") == "commitment"
    page.wait_for_function("() => form.slug === 'commitment' && !!document.querySelector('[data-pointer=\"/applicant/name\"]')")

    tab_to(page, '[data-pointer="/applicant/name"]')
    page.keyboard.type(NAME)
    tab_to(page, '[data-pointer="/applicant/id_number"]')
    page.keyboard.type(ID_NUMBER)
    page.keyboard.press("Enter")        # Enter in a field submits the form: the preview
    page.wait_for_selector("#result-unissued:visible")
    assert _focused(page, "#result")      # the focus goes where the result is
    assert "预览稿" in page.locator("#result-name").inner_text()
    assert page.locator("#result-id").is_hidden() and page.locator("#download-pdf").is_hidden()
    assert _count(web_app) == before       # a preview issues nothing
    preview_requests = [r.url for r in page.requests if "/v1/documents/commitment" in r.url]
    assert len(preview_requests) == 1 and "preview=true" in preview_requests[0]

    tab_to(page, "#make-pdf", key="Shift+Tab")   # back from the result to 生成正式文书 PDF
    page.keyboard.press("Space")
    page.wait_for_selector("#result-id:visible")
    document_id = page.locator("#result-id").inner_text()
    assert re.fullmatch(r"[0-9a-f]{32}", document_id) and page.locator("#result-unissued").is_hidden()
    assert _count(web_app) == before + 1

    tab_to(page, "#download-pdf")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    content = Path(download.path()).read_bytes()
    assert download.suggested_filename == f"{NAME}-个人承诺书.pdf"
    issued = next(row for row in _issued(web_app) if row.id == document_id)
    assert issued.sha256 == hashlib.sha256(content).hexdigest()   # the file downloaded is the one issued
    assert _count(web_app) == before + 1                          # downloading it issues nothing more


def pick(page: Page, selector: str, value: str) -> None:
    """Choose an option of the focused native drop-down with its arrow keys."""
    for key in ["ArrowDown"] * 30 + ["ArrowUp"] * 60:
        if page.eval_on_selector(selector, "s => s.value") == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never showed {value}")


def choose_file(page: Page, selector: str, name: str, content: bytes) -> None:
    """Tab to a file input and open its chooser with Space (what a keyboard user does), then pick the file; once the
    page has finished loading what the last step asked for (the material list redrawn under a pressed key loses it)."""
    page.wait_for_load_state("networkidle")
    tab_to(page, selector)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    file: FilePayload = {"name": name, "buffer": content, "mimeType": "application/octet-stream"}
    chooser.value.set_files(files=[file])


def press_for_download(page: Page, selector: str, timeout: float = 30_000) -> tuple[str, bytes]:
    """Tab to a button or link and press Enter; return the name and content of the file it saves."""
    tab_to(page, selector, limit=400)
    with page.expect_download(timeout=timeout) as info:
        page.keyboard.press("Enter")
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def sample_by_keyboard(page: Page, slug: str) -> None:
    """Go back to 文书类型, pick the type with the arrows, and press 载入示例."""
    tab_to(page, "#type", key="Shift+Tab", limit=400)
    pick(page, "#type", slug)
    page.wait_for_function("s => form.slug === s", arg=slug)
    tab_to(page, "#load-sample")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('示例')"
                           " || document.getElementById('status').textContent.includes('身份证')")


def test_the_whole_flow_unit_applicant_package_batch_by_keyboard(page: Page, web_app: Flask) -> None:
    """Keyboard only, the office's whole flow: the unit's record, an applicant (samples, the name typed), a scan
    and the whole 申报材料.pdf, then the unit's batch from the roster template with the unit's record in it."""
    from tests.batch import scans
    from tests.web.test_batch_profiles import APPLICANTS, _filled

    tab_to(page, "#unit-unit-name")                      # 本单位信息 is open while the unit is unknown
    page.keyboard.type("巴音郭楞蒙古自治州农业科学研究所")
    for field, text in (("#unit-unit-office", "人事科"), ("#unit-unit-phone", "0996-2024393"), ("#unit-unit-leader", "王建国")):
        tab_to(page, field)
        page.keyboard.type(text)
    tab_to(page, "#profile")
    pick(page, "#profile", "bazhou-2024")

    sample_by_keyboard(page, "public-notice")            # the applicant: the 公示's two texts, then the 评审表
    sample_by_keyboard(page, "evaluation-form")
    tab_to(page, '[data-pointer="/applicant/name"]')
    page.keyboard.press("Control+A")
    page.keyboard.type(NAME)

    choose_file(page, "#scan-certificates", "毕业证书.pdf", scans.two_page_pdf())
    page.wait_for_selector("#scan-certificates-list li")
    filename, package = press_for_download(page, "#make-package", timeout=240_000)
    assert filename == f"{NAME}-申报材料.pdf" and package.startswith(b"%PDF")

    tab_to(page, "[data-tab=batch]", limit=400)
    page.keyboard.press("Enter")
    page.wait_for_selector("#batch:not([hidden])")
    assert page.locator("#batch-unit-office").input_value() == "人事科"   # the unit's record, typed once
    _, template = press_for_download(page, "#template")
    choose_file(page, "#batch-file", "花名册.xlsx", _filled(template, APPLICANTS))
    tab_to(page, "#batch-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#batch-done:not([hidden])", timeout=240_000)
    name, archive = press_for_download(page, "#batch-zip")
    assert name.endswith("职称申报材料.zip") and archive.startswith(b"PK")
