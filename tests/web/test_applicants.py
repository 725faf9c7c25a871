"""The staff page around the applicant in a real browser: one person's data never reaches the next one."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from stdnum.cn import ric

from docgen.kinds import KINDS
from tests.web.browser import DESKTOP, chromium_path
from tests.web.conftest import open_page
from tests.web.test_page import choose, control, error_of, generate_pdf, load_sample

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")

# the second applicant, typed by hand: a valid ID number (1990-01-01, 男)
B_NAME, B_ID = "李四", "650102199001010017"
UNIT_KEYS = ("/unit/", "/notice/", "/competent/")


def values(page: Page) -> dict[str, str]:
    """Return every control of the document's form by its pointer, with what it holds (file inputs too)."""
    return page.evaluate("""Object.fromEntries([...document.querySelectorAll(
        '#fields input[data-pointer], #fields select[data-pointer], #fields textarea[data-pointer]')]
        .map(e => [e.dataset.pointer, e.value]))""")


def is_unit(slug: str, pointer: str) -> bool:
    return pointer.startswith(UNIT_KEYS) or (slug == "integrity-certificate" and pointer == "/issuer")


def fill_first_applicant_everywhere(page: Page) -> dict[str, dict[str, str]]:
    """Load every type's sample as applicant A; return what each form then shows."""
    shown = {}
    for slug in KINDS:
        choose(page, slug)
        load_sample(page)
        shown[slug] = values(page)
    return shown


def type_second_applicant(page: Page) -> None:
    choose(page, "commitment")
    control(page, "/applicant/name").fill(B_NAME)
    control(page, "/applicant/id_number").fill(B_ID)


def assert_nothing_of_a(page: Page, first: dict[str, dict[str, str]]) -> None:
    """In every type's form only B's typed values, what follows from B's ID and the unit's record remain."""
    allowed = {"", B_NAME, B_ID, "男", "1990-01-01"}
    unit: dict[str, str] = {}      # the unit's record: a sample fills only what it lacks, so the first one wins
    for slug, shown in first.items():
        for pointer, value in shown.items():
            if is_unit(slug, pointer) and value:
                unit.setdefault(pointer, value)
    for slug in KINDS:
        choose(page, slug)
        for pointer, value in values(page).items():
            if is_unit(slug, pointer):
                assert value == unit.get(pointer, ""), (slug, pointer)   # the unit is kept as it was
            else:
                assert value in allowed, (slug, pointer, value)
        assert page.locator("img.photo:not([hidden])").count() == 0, slug   # nor A's photo


def test_clear_form_leaves_nothing_of_the_previous_applicant(page: Any) -> None:   # Any: with .dialogs
    first = fill_first_applicant_everywhere(page)
    page.click("#clear")
    assert "本单位信息保留" in page.dialogs[-1]
    type_second_applicant(page)
    assert_nothing_of_a(page, first)


def test_next_applicant_keeps_the_unit_and_nothing_personal(page: Page) -> None:
    first = fill_first_applicant_everywhere(page)
    choose(page, "commitment")
    generate_pdf(page)                                  # A's 承诺书 on screen (A: the samples' people)
    choose(page, "evaluation-form")
    page.click("#next-person")
    assert page.locator("#result").is_hidden() and page.locator("#preview").is_hidden()   # gone with A
    assert page.evaluate("document.activeElement.dataset.pointer") == "/applicant/name"
    type_second_applicant(page)
    assert_nothing_of_a(page, first)
    # the unit's record is there in a form that prints it
    choose(page, "public-notice")
    office = control(page, "/unit/office").input_value()
    assert office and office == first["public-notice"]["/unit/office"]
    # B is carried across types: typed once in the 承诺书, there in the 公示
    assert control(page, "/applicant/name").input_value() == B_NAME
    assert control(page, "/applicant/id_number").input_value() == B_ID


def test_the_units_record_is_typed_once_and_kept(page: Any) -> None:
    box = page.locator("#unit-box")
    assert box.get_attribute("open") is not None          # open while empty
    box.get_by_label("单位名称").fill("塔城地区人民医院")
    box.get_by_label("受理异议的办公室").fill("人事科")
    box.get_by_label("监督电话").fill("0901-6222222")
    box.get_by_label("纪检部门（廉政情况证明出具单位）").fill("塔城地区卫生健康委员会纪检组")
    box.get_by_label("公示开始日期").fill("2024-09-02")
    choose(page, "public-notice")
    assert control(page, "/unit/name").input_value() == "塔城地区人民医院"
    assert control(page, "/unit/office").input_value() == "人事科"
    assert control(page, "/notice/start_date").input_value() == "2024-09-02"
    control(page, "/unit/phone").fill("0901-6233333")      # edited in a form: the record follows
    assert box.get_by_label("监督电话").input_value() == "0901-6233333"
    choose(page, "integrity-certificate")
    assert control(page, "/issuer").input_value() == "塔城地区卫生健康委员会纪检组"
    choose(page, "recommendation")                          # here 出具单位 is a choice, not the 纪检部门
    assert control(page, "/issuer").input_value() == ""
    page.select_option("#profile", "tacheng-2023")
    page.click("#next-person")
    page.click("#clear")
    page.reload()
    page.wait_for_selector("#fields [data-pointer]")
    assert page.locator("#profile").input_value() == "tacheng-2023"
    assert page.locator("#unit-line").inner_text() == "：塔城地区人民医院"
    assert box.get_attribute("open") is None                # filled: folded away
    page.goto(page.url.split("#")[0] + "#batch")            # the batch form uses the same record
    batch = page.locator("#batch")
    assert batch.get_by_label("推荐单位名称").input_value() == "塔城地区人民医院"
    assert batch.get_by_label("受理异议的办公室").input_value() == "人事科"
    assert batch.get_by_label("监督电话").input_value() == "0901-6233333"
    assert batch.get_by_label("公示开始日期").input_value() == "2024-09-02"
    assert page.locator("#batch-profile").input_value() == "tacheng-2023"
    page.goto(page.url.split("#")[0] + "#fill")
    page.click("#unit-box summary")
    page.click("#unit-clear")                              # cleared only on purpose
    assert "清除本单位信息" in page.dialogs[-1]
    assert box.get_by_label("单位名称").input_value() == "" and page.locator("#unit-line").inner_text() == "（未填写）"


def _reload(page: Page) -> None:
    page.reload()
    page.wait_for_selector("#fields [data-pointer]")


def _leaving_warns(page: Page) -> bool:
    return page.evaluate("""() => { const e = new Event('beforeunload', {cancelable: true});
        window.dispatchEvent(e); return e.defaultPrevented; }""")


def test_drafts_survive_a_reload_are_listed_by_name_and_travel_as_a_file(page: Page, chromium: Browser, base_url: str) -> None:
    choose(page, "evaluation-form")
    control(page, "/applicant/name").fill("王芳")
    control(page, "/applicant/work_unit").fill("塔城地区人民医院")
    page.click('[data-add="/work"]')
    control(page, "/work/0/unit").fill("塔城地区人民医院内科")
    _reload(page)                                      # a half-filled 评审表 comes back as it was
    assert page.locator("#doc-title").inner_text() == KINDS["evaluation-form"].title
    assert control(page, "/applicant/name").input_value() == "王芳"
    assert control(page, "/applicant/work_unit").input_value() == "塔城地区人民医院"
    assert control(page, "/work/0/unit").input_value() == "塔城地区人民医院内科"
    page.click("#next-person")
    control(page, "/applicant/name").fill(B_NAME)
    _reload(page)
    assert control(page, "/applicant/name").input_value() == B_NAME
    expect(page.locator("#draft option")).to_have_count(2)   # the list is filled once the page has loaded
    listed = page.locator("#draft option").all_inner_texts()
    assert [text.split("（")[0] for text in listed] == [B_NAME, "王芳"]
    page.select_option("#draft", label=listed[1])      # back to the first applicant: all of hers, none of his
    page.wait_for_function("() => document.querySelector('[data-pointer=\"/applicant/name\"]').value === '王芳'")
    assert control(page, "/work/0/unit").input_value() == "塔城地区人民医院内科"
    assert not _leaving_warns(page)                    # everything typed is kept: leaving is quiet
    with page.expect_download() as info:
        page.click("#export-drafts")
    exported = info.value
    assert exported.suggested_filename.startswith("职称申报草稿-") and exported.suggested_filename.endswith(".json")
    data = json.loads(Path(exported.path()).read_text("utf-8"))
    assert sorted(p["applicant"]["name"] for p in data["applicants"]) == sorted(["王芳", B_NAME])

    context, other = open_page(chromium, base_url, DESKTOP)   # another computer: nothing until imported
    try:
        expect(other.locator("#draft option")).to_have_count(1)
        other.set_input_files("#import-file", files=[{"name": "草稿.json", "mimeType": "application/json",
                                                      "buffer": json.dumps(data).encode()}])
        other.wait_for_selector("#status:has-text('已导入2位申报人的草稿')")
        names = [text.split("（")[0] for text in other.locator("#draft option").all_inner_texts()]
        assert sorted(names) == sorted(["王芳", B_NAME])
        other.set_input_files("#import-file", files=[{"name": "x.json", "mimeType": "application/json",
                                                      "buffer": b'{"not": "drafts"}'}])
        other.wait_for_selector("#status:has-text('不是本页导出的草稿')")
        assert other.errors == []
    finally:
        context.close()


def test_leaving_warns_when_the_browser_cannot_keep_the_draft(page: Page) -> None:
    choose(page, "commitment")
    page.evaluate("() => { Storage.prototype.setItem = () => { throw new DOMException('full', 'QuotaExceededError'); }; }")
    control(page, "/applicant/name").fill("王芳")
    assert "未能保存在本机" in page.locator("#status").inner_text()
    assert _leaving_warns(page)
    with page.expect_download():
        page.click("#export-drafts")                   # the file keeps it: leaving is quiet again
    assert not _leaving_warns(page)


def test_a_valid_id_number_fills_gender_and_birth_date_and_all_problems_show_at_once(page: Page) -> None:
    choose(page, "commitment")
    control(page, "/applicant/id_number").fill(B_ID)
    assert control(page, "/applicant/gender").input_value() == "男"
    assert control(page, "/applicant/birth_date").input_value() == "1990-01-01"
    assert "1990年1月1日" in page.locator("#status").inner_text()
    # a bad birth date and a wrong check digit in the number, and a gender it contradicts: all three at once
    number = "65010219901332001"
    right = ric.calc_check_digit(number + "0")
    wrong = next(d for d in "0123456789X" if d != right)
    control(page, "/applicant/gender").select_option("女")
    control(page, "/applicant/id_number").fill(number + wrong)
    id_error = error_of(page, "/applicant/id_number").inner_text()
    assert "出生日期19901332无效" in id_error and f"校验位错误，应为{right}" in id_error
    assert "性别“女”与身份证号码不符" in error_of(page, "/applicant/gender").inner_text()
    assert control(page, "/applicant/birth_date").input_value() == "1990-01-01"    # not filled from a bad number
    control(page, "/applicant/id_number").fill(B_ID)
    assert error_of(page, "/applicant/id_number").is_hidden()
    assert error_of(page, "/applicant/gender").is_hidden()


def test_long_texts_are_text_areas_with_counters(page: Page) -> None:
    for slug in KINDS:
        choose(page, slug)
        tags = page.evaluate("""[...form.controls].filter(([, c]) => (c.schema.maxLength || 0) >= 100)
            .map(([p]) => document.querySelector(`[data-pointer="${p}"]`).tagName)""")
        assert set(tags) <= {"TEXTAREA"}, slug
    choose(page, "public-notice")
    political = control(page, "/political")
    counter = page.locator("#" + political.get_attribute("id") + "-count")
    assert counter.inner_text() == "0/200"
    political.fill("遵纪守法")
    assert counter.inner_text() == "4/200"
