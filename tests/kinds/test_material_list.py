"""申报材料目录: every profile's list on one page, page ranges as given, unknown items refused."""
from __future__ import annotations

import io

import pdfplumber
import pytest

from docgen import profiles
from tests.helpers import changed, docx_text, errors_of, libreoffice_to_pdf, pdf_pages_text, pdf_text, squash, texts_of

SLUG = "material-list"
LONGEST = {"name": "买买提艾力·阿不都克热木", "level": "中级", "series": "少数民族语文翻译", "specialty": "少数民族语文翻译",
           "work_unit": "新疆维吾尔自治区畜牧科学院兽医研究所（新疆畜牧科学院动物临床医学研究中心）"}


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def _row(number: int, item: profiles.Material, pages: str = "") -> str:
    return f"{number}{item.title}{item.copies}{item.original}{pages}"


def pdf_rows(content: bytes) -> list[str]:
    """Return the PDF table's rows, each cell's lines joined (a wrapped title reads whole)."""
    with pdfplumber.open(io.BytesIO(content)) as doc:
        return ["".join(squash(cell or "") for cell in row) for row in doc.pages[0].extract_table()]


@pytest.mark.parametrize("pid", profiles.ids())
def test_every_item_of_the_profile_in_its_order(renderer, pid):
    profile = profiles.get(pid)
    rows = [squash(_row(n, item)) for n, item in enumerate(profile.materials, 1)]
    for text in texts_of(renderer, SLUG, payload(), pid):
        assert text.startswith(profile.text(SLUG, "title") + "申报人：阿不都热合曼·买买提申报级别：中级"
                               "工作单位：巴音郭楞蒙古自治州农业科学研究所申报系列及专业：自然科学研究系列农业科学专业"
                               "序号材料名称份数原件/复印件页码")
    assert "".join(rows) in squash(docx_text(renderer.render(SLUG, payload(), "docx", pid).content))
    assert pdf_rows(renderer.render(SLUG, payload(), "pdf", pid).content) == ["序号材料名称份数原件/复印件页码", *rows]


def test_seed_000_list_and_note(renderer):
    rows = pdf_rows(renderer.render(SLUG, payload(), "pdf", "bazhou-2024").content)
    assert rows[5] == "5《专业技术职务任职资格评审表》2原件" and rows[12] == "122021、2022、2023年度考核表1复印件"
    for text in texts_of(renderer, SLUG, payload(), "bazhou-2024"):
        assert text.endswith("15其他证明材料1原件或复印件上述材料审核留存，评审结束后领回。")
    pdf, _ = texts_of(renderer, SLUG, payload(), "aksu-archives-2024")
    assert "领回" not in pdf and "1专业技术职务任职资格评审表3原件" in pdf
    assert pdf_text(renderer.render(SLUG, payload(), "pdf", "urumqi-etdz-2024").content).startswith("网上申报材料目录")


def test_page_ranges_from_the_package(renderer):
    items = [{"key": "public-notice", "pages": "3-6"}, {"key": "evaluation-form", "start": 7, "end": 12},
             {"key": "commitment", "pages": " 13 "}, {"key": "other"}]
    xinjiang = {m.key: m for m in profiles.get("xinjiang").materials}
    expected = (_row(1, xinjiang["public-notice"], "3–6") + _row(2, xinjiang["evaluation-form"], "7–12")
                + _row(3, xinjiang["commitment"], "13") + _row(4, xinjiang["other"]))
    assert expected + "上述材料" in squash(docx_text(renderer.render(SLUG, payload(items=items), "docx").content))
    assert "".join(pdf_rows(renderer.render(SLUG, payload(items=items), "pdf").content)[1:]) == expected


@pytest.mark.parametrize("item,errors", [
    ({"key": "thesis"}, {"/items/0/key": "巴州自然科学研究、实验技术系列（2024年度）的申报材料中没有“thesis”，可用："}),
    ({"key": "commitment", "pages": "6-3"}, {"/items/0/pages": "页码：起页（6）大于止页（3），请核对"}),
    ({"key": "commitment", "start": 6, "end": 3}, {"/items/0/end": "止页：起页（6）大于止页（3），请核对"}),
    ({"key": "commitment", "pages": "三至六"}, {"/items/0/pages": "页码应写作“3-6”或“5”"}),
    ({"key": "commitment", "pages": "3", "start": 3}, {"/items/0/pages": "页码与起页、止页只填一种"}),
])
def test_bad_items(renderer, item, errors):
    found = errors_of(renderer, SLUG, payload(items=[item]))
    assert found.keys() == errors.keys()
    for pointer, detail in errors.items():
        assert found[pointer].startswith(detail), found[pointer]


def test_an_item_listed_twice(renderer):
    items = [{"key": "commitment"}, {"key": "other"}, {"key": "commitment"}]
    assert errors_of(renderer, SLUG, payload(items=items)) == {"/items/2/key": "材料“commitment”列了两次"}


def test_longest_titles_and_applicant_fit_one_page_in_both_formats(renderer, tmp_path):
    docx_files = []
    for pid in profiles.ids():
        data = payload(applicant=LONGEST)
        pages = pdf_pages_text(renderer.render(SLUG, data, "pdf", pid).content)
        assert len(pages) == 1, pid
        assert squash(profiles.get(pid).materials[-1].title) in squash(pages[0])
        docx_files.append(tmp_path / f"{pid}.docx")
        docx_files[-1].write_bytes(renderer.render(SLUG, data, "docx", pid).content)
    libreoffice_to_pdf(docx_files, tmp_path)
    for path in docx_files:
        assert len(pdf_pages_text(path.with_suffix(".pdf").read_bytes())) == 1, path.name


@pytest.mark.parametrize("pid", profiles.ids())
def test_blank_form(renderer, pid):
    profile = profiles.get(pid)
    blank = renderer.blank(SLUG, "docx", pid).content
    text = squash(docx_text(blank))
    assert text.startswith(profile.text(SLUG, "title") + "申报人：申报级别：工作单位：")
    assert squash("".join(_row(n, item) for n, item in enumerate(profile.materials, 1))) in text
    pdf = renderer.blank(SLUG, "pdf", pid).content
    assert len(pdf_pages_text(pdf)) == 1 and len(pdf_rows(pdf)) == len(profile.materials) + 1


def test_blind_copy_masks_name_and_unit(renderer):
    pdf = squash(pdf_text(renderer.render(SLUG, payload(), "pdf", blind=True).content))
    assert "阿不都热合曼" not in pdf and "农业科学研究所" not in pdf
    assert pdf.startswith("申报材料目录申报人：■") and "工作单位：■" in pdf
