"""The single-document flow by keyboard alone, in Chromium: choose the type, fill, 预览 (nothing issued), then
生成正式文书 and 下载 (one document issued) — Tab, Shift+Tab, Enter and Space, the arrow keys only inside the
native drop-down (the keyboard's way to pick an option), and typing into the fields."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docgen.registry import IssuedDocument

NAME, ID_NUMBER = "古丽娜尔·艾力", "650102198802290026"


def _issued(web_app) -> list[IssuedDocument]:
    with Session(web_app.extensions["docgen"].registry.engine) as session:
        return list(session.scalars(select(IssuedDocument)))


def _count(web_app) -> int:
    with Session(web_app.extensions["docgen"].registry.engine) as session:
        return session.scalar(select(func.count()).select_from(IssuedDocument)) or 0


def _focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, key: str = "Tab", limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the element matching the selector has the focus."""
    for _ in range(limit):
        if _focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit}× {key} never reached {selector}")


def test_the_whole_flow_by_keyboard(page, web_app):
    before = _count(web_app)
    tab_to(page, "#type")
    for _ in range(20):           # the type list: ArrowDown within the focused drop-down
        if page.eval_on_selector("#type", "s => s.value") == "commitment":
            break
        page.keyboard.press("ArrowDown")
    page.wait_for_function("form.slug === 'commitment' && !!document.querySelector('[data-pointer=\"/applicant/name\"]')")

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
