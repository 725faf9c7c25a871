"""现实表现政治鉴定材料: the four parts in the seed's order, two signers and the seal, 无, errors, blank form."""
from __future__ import annotations

import pytest

from docgen import profiles
from tests.helpers import changed, docx_text, errors_of as errors_of_kind, pdf_text, squash, texts_of
from tests.layout.pages import check_letter_pages, pdf_pages

SLUG = "political-appraisal"
PARTS = {"political": "思想政治表现", "work": "工作现实表现", "attitude": "工作态度", "integrity": "廉洁自律"}
LONGEST = "坚决拥护中国共产党的领导，政治立场坚定；恪守职业道德，爱岗敬业，廉洁自律，遵纪守法，无违法违纪行为。" * 7


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def errors_of(renderer, data):
    return errors_of_kind(renderer, SLUG, data)


@pytest.mark.parametrize("pid", profiles.ids())
def test_wording_in_every_profile(renderer, pid):
    for text in texts_of(renderer, SLUG, payload(), pid):
        assert text.startswith("现实表现政治鉴定材料阿不都热合曼·买买提，男，维吾尔族，1988年1月出生，中共党员，"
                               "身份证号码：652801198801092312，巴音郭楞蒙古自治州农业科学研究所专业技术人员，"
                               "现任专业技术职务：研究实习员。经本单位按照管理权限考察，现将其现实表现鉴定如下：")
        assert text.endswith("以上鉴定情况属实。主管领导（签字）：派驻纪检组组长（签字）："
                             "巴音郭楞蒙古自治州农业科学研究所（公章）2024年9月2日")


def test_four_parts_in_the_seeds_order_each_after_its_label(renderer):
    data = payload(**{key: f"{title}的内容。" for key, title in PARTS.items()})
    for text in texts_of(renderer, SLUG, data):
        assert ("思想政治表现：思想政治表现的内容。工作现实表现：工作现实表现的内容。"
                "工作态度：工作态度的内容。廉洁自律：廉洁自律的内容。以上鉴定情况属实。") in text


def test_a_part_may_run_to_several_paragraphs(renderer):
    text = docx_text(renderer.render(SLUG, payload(work="主持州级项目1项。\n年度考核均为合格以上。"), "docx").content)
    lines = text.splitlines()
    assert "工作现实表现：主持州级项目1项。" in lines and "年度考核均为合格以上。" in lines


def test_the_full_id_number_is_printed(renderer):
    pdf, _ = texts_of(renderer, SLUG, payload(), "bazhou-2024")   # mask_id_in_public: not a public document
    assert "652801198801092312" in pdf and "*" not in pdf


def test_empty_current_title_prints_wu(renderer):
    data = payload()
    del data["applicant"]["current_title"]
    for text in texts_of(renderer, SLUG, data):
        assert "现任专业技术职务：无。" in text


def test_no_date_leaves_it_to_write_by_hand(renderer):
    pdf, docx = texts_of(renderer, SLUG, payload(date=None))
    assert pdf.endswith("（公章）年月日") and docx.endswith("（公章）年月日")


def test_every_part_required(renderer):
    data = payload()
    for key in PARTS:
        del data[key]
    assert errors_of(renderer, data) == {f"/{key}": f"{title}为必填项，请填写" for key, title in PARTS.items()}


def test_required_facts_of_the_person_and_the_seal(renderer):
    data = payload(unit={})
    for key in ("gender", "ethnicity", "political_status", "id_number", "work_unit"):
        del data["applicant"][key]
    errors = errors_of(renderer, data)
    assert errors == {"/applicant/gender": "性别为必填项，请填写", "/applicant/ethnicity": "族别为必填项，请填写",
                      "/applicant/political_status": "政治面貌为必填项，请填写",
                      "/applicant/id_number": "身份证号码为必填项，请填写",
                      "/applicant/work_unit": "工作单位为必填项，请填写", "/unit/name": "单位名称为必填项，请填写"}


def test_a_part_over_its_length_is_a_422_at_the_field(client):
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf", json=payload(attitude="爱岗敬业。" * 31))
    assert resp.status_code == 422
    assert resp.json["errors"] == [{"pointer": "/attitude", "detail": "工作态度过长，最多150个字（版面所容），现有155个字"}]


def test_id_number_checked(renderer):
    data = payload()
    data["applicant"]["id_number"] = "652801198801092313"
    assert "校验位" in errors_of(renderer, data)["/applicant/id_number"]


@pytest.mark.parametrize("pid", ["bazhou-2024", "tacheng-2023"])
def test_longest_content_within_two_pages_sign_off_kept_with_text(renderer, pid):
    data = payload(**{key: LONGEST[:150] for key in PARTS})
    data["applicant"] |= {"name": "买买提艾力·阿不都克热木", "work_unit": "巴音郭楞蒙古自治州农业科学研究所棉花" * 4,
                          "current_title": "助理研究员（自然科学研究）"[:15]}
    data["applicant"]["work_unit"] = data["applicant"]["work_unit"][:60]
    data["unit"]["name"] = ("巴音郭楞蒙古自治州农业科学研究所棉花与特色作物栽培技术研究中心实验室" * 2)[:50]
    pages = pdf_pages(renderer.render(SLUG, data, "pdf", pid).content)
    assert len(pages) == 2
    check_letter_pages(pages, names=[data["applicant"]["name"]], signoff_date=True)


def test_blank_form(renderer):
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", "bazhou-2024").content))
    assert pdf.startswith("现实表现政治鉴定材料，，，年月出生，，身份证号码：，专业技术人员，现任专业技术职务：。")
    assert "思想政治表现：工作现实表现：工作态度：廉洁自律：以上鉴定情况属实。" in pdf
    assert pdf.endswith("主管领导（签字）：派驻纪检组组长（签字）：（公章）年月日")
    docx = renderer.blank(SLUG, "docx", "bazhou-2024").content
    assert squash(docx_text(docx)) == pdf
    pages = pdf_pages(renderer.blank(SLUG, "pdf", "bazhou-2024").content)
    assert len(pages) == 1
