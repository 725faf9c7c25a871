"""The web page where the service requires API keys (REQUIRE_API_KEY): it asks for the unit's key on a 401,
sends it with every request once given, and shows the API's Chinese error for a wrong one."""
from __future__ import annotations

import pytest

from docgen.access import Keys
from docgen.app import create_app
from tests.web.browser import DESKTOP, browser, chromium_path, serve
from tests.web.test_page import choose, generate_pdf, load_sample

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")


def test_the_page_asks_for_the_key_and_then_renders(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "REQUIRE_API_KEY": True})
    _, token = Keys(app.extensions["docgen"].registry.engine).create("巴州农科所")
    with serve(app) as base_url, browser() as chromium:
        context = chromium.new_context(locale="zh-CN", viewport=DESKTOP)
        page = context.new_page()
        page.set_default_timeout(30_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sent: list[dict] = []
        page.on("request", lambda r: sent.append(r.headers) if "/v1/documents/" in r.url else None)
        page.goto(base_url + "/")
        page.wait_for_selector("#fields [data-pointer]")   # types, schema and profiles are open
        assert page.locator("#key-box").is_hidden()
        choose(page, "commitment")
        load_sample(page)

        page.click("#make-pdf")      # no key yet: 401, and the page asks for one
        page.wait_for_selector("#key-box:not([hidden])")
        assert "API 密钥" in page.locator("#key-err").inner_text()
        assert page.locator("#api-key").get_attribute("aria-invalid") == "true"
        assert page.evaluate("document.activeElement.id") == "api-key"   # where the user has to act
        assert page.locator("#result").is_hidden() and "authorization" not in sent[-1]

        page.fill("#api-key", "dg_0123456789ab_wrongsecret")   # a wrong key: the API's Chinese error
        page.click("#key-form button[type=submit]")
        page.click("#make-pdf")
        page.wait_for_selector("#key-err:has-text('API 密钥不存在、格式不对或已吊销')")
        assert sent[-1]["authorization"] == "Bearer dg_0123456789ab_wrongsecret"
        assert page.locator("#result").is_hidden() and page.evaluate("document.activeElement.id") == "api-key"
        assert "未能生成" in page.locator("#status").inner_text()

        page.fill("#api-key", token)                      # the unit's key: the same request now succeeds
        page.click("#key-form button[type=submit]")
        assert "已填写本单位 API 密钥" in page.locator("#key-state").inner_text()
        generate_pdf(page)
        assert sent[-1]["authorization"] == f"Bearer {token}"
        document_id = page.locator("#result-id").inner_text()
        assert app.extensions["docgen"].registry.get(document_id).kind == "commitment"
        assert page.locator("#key-err").is_hidden()
        assert errors == []
        context.close()
