"""Photograph the staff web page for README.md: samples/web.png (1366×768), samples/web-phone.png (390 wide) and
samples/web-package.png (the applicant's package card after 申报材料.pdf was made)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, ViewportSize

from docgen.app import create_app
from tests.web.browser import DESKTOP, PHONE, browser, serve


def main() -> None:
    with tempfile.TemporaryDirectory() as data, serve(create_app({"DATA_DIR": data, "TESTING": True})) as base, \
            browser() as chromium:
        for viewport, name in ((DESKTOP, "web.png"), (PHONE, "web-phone.png")):
            page = chromium.new_context(locale="zh-CN", viewport=viewport).new_page()
            page.goto(base + "/")
            page.wait_for_selector("#fields [data-pointer]")
            unit = page.locator("#unit-box")        # the unit's record, typed once, then folded away
            unit.get_by_label("单位名称").fill("巴音郭楞蒙古自治州农业科学研究所")
            unit.get_by_label("受理异议的办公室").fill("人事科")
            unit.get_by_label("监督电话").fill("0996-2024393")
            page.click("#unit-box summary")
            page.select_option("#type", "commitment")
            page.wait_for_selector("#doc-title:has-text('个人承诺书')")
            page.click("#load-sample")
            page.wait_for_selector("#status:has-text('已载入示例')")
            if viewport is DESKTOP:              # the preview: marked 预览稿, issued to nobody
                page.click("#preview-pdf")
                page.wait_for_selector("#result:not([hidden])")
                page.wait_for_timeout(1500)      # the PDF viewer draws the page
                page.evaluate("window.scrollTo(0, 0)")
            else:                                # a phone shows a wrong ID number caught by the API
                page.fill('[data-pointer="/applicant/id_number"]', "652801199003152310")
                page.click("#preview-pdf")
                page.wait_for_selector("#summary:not([hidden])")
                page.evaluate("document.querySelector('[data-pointer=\"/applicant/name\"]').scrollIntoView()")
            page.screenshot(path=str(ROOT / "samples" / name))
            page.context.close()
            print(f"samples/{name}")
        package(chromium, base)


def package(chromium: Browser, base: str) -> None:
    """Photograph the package card: a bazhou-2024 applicant from the samples, two scans, 申报材料.pdf made."""
    from tests.batch import scans
    from tests.web.test_package import add_scan, fill_applicant, fill_unit

    desktop = ViewportSize(width=DESKTOP["width"], height=DESKTOP["height"])
    page = chromium.new_context(locale="zh-CN", viewport=desktop, accept_downloads=True).new_page()
    page.on("dialog", lambda dialog: dialog.accept())    # 载入示例 asks before replacing the 公示's applicant
    page.goto(base + "/")
    page.wait_for_selector("#fields [data-pointer]")
    fill_unit(page)
    fill_applicant(page)
    add_scan(page, "id-card", "身份证.png", scans.landscape_scan())
    page.wait_for_selector("#scan-id-card-list li")
    add_scan(page, "certificates", "毕业证书.pdf", scans.two_page_pdf())
    page.wait_for_selector("#scan-certificates-list li")
    with page.expect_download(timeout=240_000):
        page.click("#make-package")
    page.wait_for_selector("#package-status:has-text('已下载')")
    page.locator("#package").screenshot(path=str(ROOT / "samples" / "web-package.png"))
    page.context.close()
    print("samples/web-package.png")


if __name__ == "__main__":
    main()
