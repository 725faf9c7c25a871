"""The staff page around the applicant in a real browser: one person's data never reaches the next one."""
from __future__ import annotations

import pytest

from docgen.kinds import KINDS
from tests.web.browser import chromium_path
from tests.web.test_page import choose, control, load_sample

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")

# the second applicant, typed by hand: a valid ID number (1990-01-01, 男)
B_NAME, B_ID = "李四", "650102199001010017"
UNIT_KEYS = ("/unit/", "/notice/", "/competent/")


def values(page) -> dict[str, str]:
    """Return every control of the document's form by its pointer, with what it holds (file inputs too)."""
    return page.evaluate("""Object.fromEntries([...document.querySelectorAll(
        '#fields input[data-pointer], #fields select[data-pointer], #fields textarea[data-pointer]')]
        .map(e => [e.dataset.pointer, e.value]))""")


def is_unit(slug: str, pointer: str) -> bool:
    return pointer.startswith(UNIT_KEYS) or (slug == "integrity-certificate" and pointer == "/issuer")


def fill_first_applicant_everywhere(page) -> dict[str, dict[str, str]]:
    """Load every type's sample as applicant A; return what each form then shows."""
    shown = {}
    for slug in KINDS:
        choose(page, slug)
        load_sample(page)
        shown[slug] = values(page)
    return shown


def type_second_applicant(page) -> None:
    choose(page, "commitment")
    control(page, "/applicant/name").fill(B_NAME)
    control(page, "/applicant/id_number").fill(B_ID)


def assert_nothing_of_a(page, first: dict[str, dict[str, str]]) -> None:
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


def test_clear_form_leaves_nothing_of_the_previous_applicant(page):
    first = fill_first_applicant_everywhere(page)
    page.click("#clear")
    assert "本单位信息保留" in page.dialogs[-1]
    type_second_applicant(page)
    assert_nothing_of_a(page, first)


def test_next_applicant_keeps_the_unit_and_nothing_personal(page):
    first = fill_first_applicant_everywhere(page)
    choose(page, "evaluation-form")
    page.click("#next-person")
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


def test_the_units_record_is_typed_once_and_kept(page):
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
