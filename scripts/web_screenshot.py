"""Photograph the staff web page for README.md: samples/web.png (1366×768) and samples/web-phone.png (390 wide)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


if __name__ == "__main__":
    main()
