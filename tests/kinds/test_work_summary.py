"""任现职以来个人业务技术总结: the applicant's text as a letter, each profile's length, anonymity and review rules."""
from __future__ import annotations

import re

import pytest

from docgen import profiles
from docgen.documents import sample
from docgen.kinds.work_summary import characters
from tests.helpers import changed, errors_of, libreoffice_to_pdf, pdf_pages_text, pdf_text, squash, texts_of

SLUG = "work-summary"
NAME, UNIT = "阿不都热合曼·买买提", "巴音郭楞蒙古自治州农业科学研究所"


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def paragraphs() -> list[str]:
    return sample(SLUG)["paragraphs"]


@pytest.mark.parametrize("pid", profiles.ids())
def test_every_profile_prints_the_whole_text_on_numbered_pages(renderer, pid):
    rendered = renderer.render(SLUG, payload(), "pdf", pid).content
    pages = pdf_pages_text(rendered, folios=True)
    assert len(pages) >= 4   # 2085 characters at 28 a line, 22 lines a page
    assert all(re.search(rf"—\s*{n}\s*—", page) for n, page in enumerate(pages, 1))   # GB/T 9704 §7.5
    title = profiles.get(pid).text(SLUG, "title")
    for text in texts_of(renderer, SLUG, payload(), pid):
        assert text.startswith(title + squash(paragraphs()[0]))
        assert squash("".join(paragraphs())) in text
        assert text.endswith("2024年9月2日") or "2024年9月2日所在单位组织人事部门审核意见" in text


def test_signed_by_the_applicant_except_where_the_text_is_anonymous(renderer):
    for text in texts_of(renderer, SLUG, payload(), "bazhou-2024"):
        assert text.endswith("贡献。" + NAME + "2024年9月2日")
        assert "审核意见" not in text
    # seed 003 三(三)2(3): no name; the 组织人事部门 signs it off with its seal and date
    for text in texts_of(renderer, SLUG, payload(), "tacheng-2023"):
        assert NAME not in text
        assert text.endswith("贡献。2024年9月2日所在单位组织人事部门审核意见：已审核，情况属实。组织人事部门（公章）年月日")


def test_review_given_in_the_payload_is_printed(renderer):
    data = payload(review={"date": "2024-09-03"})
    for text in texts_of(renderer, SLUG, data, "bazhou-2024"):
        assert text.endswith(NAME + "2024年9月2日所在单位组织人事部门审核意见：已审核，情况属实。组织人事部门（公章）2024年9月3日")


@pytest.mark.parametrize("pid,detail", [
    ("bazhou-2024", "任现职以来个人业务技术总结应为2000至3000字，现有{n}字（不计空白）"),
    ("tacheng-2023", "任现职以来业务工作总结应不少于2000字，现有{n}字（不计空白）"),
])
def test_too_short(renderer, pid, detail):
    short = paragraphs()[:5]
    assert errors_of(renderer, SLUG, payload(paragraphs=short), pid) == {
        "/paragraphs": detail.format(n=characters(short))}


def test_too_long_where_the_notice_sets_a_maximum(renderer):
    long = paragraphs() + paragraphs()[1:5]
    assert 3000 < characters(long)
    assert errors_of(renderer, SLUG, payload(paragraphs=long), "bazhou-2024") == {
        "/paragraphs": f"任现职以来个人业务技术总结应为2000至3000字，现有{characters(long)}字（不计空白）"}
    assert pdf_text(renderer.render(SLUG, payload(paragraphs=long), "pdf", "tacheng-2023").content)
    # seed 001 sets no length at all
    assert pdf_text(renderer.render(SLUG, payload(paragraphs=paragraphs()[:2]), "pdf", "bazhou-eng-2021").content)


def test_whitespace_is_not_counted():
    assert characters(["本人 于\n2019年\u3000取得"]) == 10


def test_line_breaks_split_paragraphs(renderer):
    text = "\n".join(paragraphs()[:3])
    data = payload(paragraphs=[text, *paragraphs()[3:]])
    context = renderer.prepare(SLUG, data)[3]
    assert context["paragraphs"][:3] == paragraphs()[:3]


@pytest.mark.parametrize("inserted,what,at", [(NAME, "本人姓名", 5), (UNIT, "工作单位", 5)])
def test_name_or_unit_in_an_anonymous_text(renderer, inserted, what, at):
    text = paragraphs()
    text[2] = text[2][:at - 1] + inserted + text[2][at - 1:]
    text[4] = inserted + text[4]   # only the first occurrence is pointed at
    errors = errors_of(renderer, SLUG, payload(paragraphs=text), "tacheng-2023")
    assert errors == {"/paragraphs/2": f"正文第3段第{at}字起出现{what}“{inserted}”：工作总结中不要出现本人姓名和工作单位，"
                                       "请用“本人”和“本单位”替代"}
    # where the notice allows it, the same text prints
    assert inserted in squash(pdf_text(renderer.render(SLUG, payload(paragraphs=text), "pdf", "bazhou-2024").content))


def test_short_and_naming_reported_together(renderer):
    text = paragraphs()[:3]
    text[1] = NAME + text[1]
    errors = errors_of(renderer, SLUG, payload(paragraphs=text), "tacheng-2023")
    assert list(errors) == ["/paragraphs", "/paragraphs/1"]


def test_blind_copy_masks_name_and_unit(renderer):
    text = paragraphs()
    text[1] = UNIT + text[1]
    pdf = squash(pdf_text(renderer.render(SLUG, payload(paragraphs=text), "pdf", "bazhou-2024", blind=True).content))
    assert NAME not in pdf and UNIT not in pdf and "■" in pdf


def test_required_fields(renderer):
    data = payload(paragraphs=[])
    del data["applicant"]["work_unit"]
    assert errors_of(renderer, SLUG, data) == {"/applicant/work_unit": "工作单位为必填项，请填写",
                                               "/paragraphs": "正文至少要有1项"}


@pytest.mark.parametrize("pid", profiles.ids())
def test_blank_form(renderer, pid):
    rendered = renderer.blank(SLUG, "pdf", pid).content
    pdf = squash(pdf_text(rendered))
    assert pdf.startswith(profiles.get(pid).text(SLUG, "title"))
    assert pdf.endswith("年月日")
    assert ("审核意见" in pdf) == (pid == "tacheng-2023")
    assert len(pdf_pages_text(rendered)) == 1


def test_blank_form_is_one_page_in_libreoffice(renderer, tmp_path):
    files = []
    for pid in ("xinjiang", "tacheng-2023"):   # without and with the 审核 block
        files.append(tmp_path / f"{pid}.docx")
        files[-1].write_bytes(renderer.blank(SLUG, "docx", pid).content)
    libreoffice_to_pdf(files, tmp_path)
    assert [len(pdf_pages_text(f.with_suffix(".pdf").read_bytes())) for f in files] == [1, 1]
