"""The staff page for keyboard and screen-reader users: axe-core finds nothing serious, focus is visible and goes
where the work continues. axe-core (MPL-2.0, npm axe-core 4.10.3) is vendored in tests/web/vendor and loaded
by the test only: the page never serves it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.batch import scans
from tests.web.browser import DESKTOP, PHONE, chromium_path
from tests.web.test_page import choose, control, generate_pdf, load_sample

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")

AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is; return the serious and critical violations, with where they are."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        // label-content-name-mismatch is experimental in axe: asked for by name (WCAG 2.5.3, the list buttons)
        const result = await axe.run(document, {iframes: false, resultTypes: ['violations'],
            rules: {'label-content-name-mismatch': {enabled: true}}});
        return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, help: v.help, where: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_axe_finds_nothing_serious_on_any_view(chromium: Browser, base_url: str, viewport: Any) -> None:
    # bypass_csp: the page's CSP rightly refuses a script it did not serve, and axe is added by the test
    context = chromium.new_context(locale="zh-CN", viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.goto(base_url + "/")
        page.wait_for_selector("#fields [data-pointer]")
        found = {"empty form": serious_violations(page)}
        choose(page, "evaluation-form")                  # lists with their remove buttons, a photo, text areas
        load_sample(page)
        found["评审表 filled"] = serious_violations(page)
        choose(page, "commitment")
        load_sample(page)
        control(page, "/applicant/id_number").fill("650102199001010010")
        page.click("#make-pdf")
        page.wait_for_selector("#summary:not([hidden])")
        found["error summary"] = serious_violations(page)
        control(page, "/applicant/id_number").fill("650102199001010017")
        generate_pdf(page)
        found["result"] = serious_violations(page)
        page.set_input_files("#scan-id-card", files=[{"name": "身份证.png", "buffer": scans.landscape_scan(),
                                                       "mimeType": "image/png"}])
        page.wait_for_selector("#scan-id-card-list li")
        found["package with a scan"] = serious_violations(page)
        page.click("#make-package")                       # the 评审表 is not filled: its errors listed
        page.wait_for_selector("#package-errors:not([hidden])")
        found["package errors"] = serious_violations(page)
        for tab in ("batch", "verify"):
            page.click(f"[data-tab={tab}]")
            page.wait_for_selector(f"#{tab}:not([hidden])")
            found[tab] = serious_violations(page)
        page.click("[data-tab=fill]")
        page.click("#result-id")                          # the verification of the document just made
        page.wait_for_selector("#verify-result:not([hidden])")
        found["verified"] = serious_violations(page)
        assert {view: v for view, v in found.items() if v} == {}
    finally:
        context.close()


def _luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _ring(page: Page, selector: str) -> dict[str, Any]:
    """Focus an element; return whether its ring shows, its colour and width."""
    page.locator(selector).first.focus()
    return page.evaluate("""s => { const e = document.querySelector(s), c = getComputedStyle(e);
        return {visible: e.matches(':focus-visible'), color: c.outlineColor, width: parseFloat(c.outlineWidth)}; }""",
                         selector)


def test_the_focus_ring_has_three_to_one_contrast(page: Page) -> None:
    page.keyboard.press("Tab")                          # keyboard use: rings show
    field = _ring(page, '#fields input[type="text"]')
    assert field["visible"] and field["width"] >= 2
    assert contrast(field["color"], "rgb(255, 255, 255)") >= 3      # on a card
    assert contrast(field["color"], "rgb(243, 245, 248)") >= 3      # on the page
    tab = _ring(page, "[data-tab=batch]")
    assert tab["visible"] and contrast(tab["color"], "rgb(19, 58, 103)") >= 3   # on the dark tabs


def test_after_generating_the_focus_is_on_the_result(page: Page) -> None:
    choose(page, "commitment")
    load_sample(page)
    generate_pdf(page)
    assert page.evaluate("document.activeElement.id") == "result"


def test_a_sample_asks_before_replacing_typed_data_and_keeps_the_profile(page: Page) -> None:
    choose(page, "commitment", profile="tacheng-2023")
    control(page, "/applicant/name").fill("王芳")
    page.evaluate("() => { window.realConfirm = window.confirm; window.confirm = (m) => { window.asked = m; return false; }; }")
    page.click("#load-sample")
    page.wait_for_function("() => window.asked")
    assert "替换当前申报人已填写的内容" in page.evaluate("window.asked")
    assert control(page, "/applicant/name").input_value() == "王芳"      # declined: nothing replaced
    page.evaluate("() => { window.confirm = window.realConfirm; }")
    load_sample(page)
    assert control(page, "/applicant/name").input_value() != "王芳"
    assert page.locator("#profile").input_value() == "tacheng-2023"      # the unit's 地区配置 stays
