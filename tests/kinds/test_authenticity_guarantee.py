"""专业技术资格评审材料真实性保证书: ban years in words by region, the leader's opinion or lines, errors."""
from __future__ import annotations

import io
import json
from urllib.parse import unquote

import pdfplumber
import pytest

from docgen import profiles
from docgen.errors import InvalidPayload
from tests.helpers import changed, docx_text, docx_xml, pdf_text, squash, texts_of

SLUG = "authenticity-guarantee"


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def both(renderer, data, profile=None):
    return texts_of(renderer, SLUG, data, profile)


def test_seed_wording(renderer):
    for text in both(renderer, payload(), "tacheng-2023"):
        assert text.startswith("专业技术资格评审材料真实性保证书")
        assert text.startswith("专业技术资格评审材料真实性保证书本人申报临床医学专业主治医师资格，本人承诺所提供的个人信息")
        assert "愿按专业技术资格评审的有关规定接受处理，并承担五年内不申报相应职称评审等一切责任。" in text
        assert "申报人（签名）：" in text


@pytest.mark.parametrize("pid,words", [("tacheng-2023", "五"), ("xinjiang", "三"), ("bazhou-2024", "三"),
                                       ("aksu-archives-2024", "三")])
def test_ban_years_in_words_by_region(renderer, pid, words):
    pdf, docx = both(renderer, payload(), pid)
    assert f"并承担{words}年内不申报" in pdf and f"并承担{words}年内不申报" in docx


def test_seed_order_leader_opinion_before_the_applicants_signature(renderer):
    # seed 003 附件5: “（单位负责人签字并签署意见）” then 申报人（签名） and one date; 三(3)2(1): 单位主要领导, 公章
    for text in both(renderer, payload()):
        assert text.endswith("一切责任。（单位负责人签字并签署意见）该同志提供的申报材料经本单位审核，情况属实，同意申报。"
                             "单位主要领导（签字）：塔城地区人民医院（公章）申报人（签名）：2023年9月4日")
        assert "单位意见" not in text and "单位负责人（签字）" not in text


def test_without_opinion_ruled_lines_to_write_it(renderer):
    data = payload(leader_opinion=None)
    pdf = renderer.render(SLUG, data, "pdf").content
    text = squash(pdf_text(pdf))
    assert "情况属实" not in text and "无" not in text
    assert text.endswith("（单位负责人签字并签署意见）单位主要领导（签字）：塔城地区人民医院（公章）申报人（签名）：2023年9月4日")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        # a ruled line spans the text area (156 mm); the blanks after 签字 are short
        wide_rules = {round(r["top"]) for r in doc.pages[0].rects if r["width"] > 400}
    assert len(wide_rules) == 3
    docx = renderer.render(SLUG, data, "docx").content
    assert docx_xml(docx).count("<w:between") == 3


def test_opinion_split_at_line_breaks(renderer):
    text = docx_text(renderer.render(SLUG, payload(leader_opinion="情况属实。\n同意申报。"), "docx").content)
    lines = text.splitlines()
    assert "情况属实。" in lines and "同意申报。" in lines


def test_required_fields(renderer):
    data = payload(unit={})
    del data["applicant"]["specialty"]
    del data["applicant"]["target_title"]
    with pytest.raises(InvalidPayload) as exc:
        renderer.render(SLUG, data, "pdf")
    errors = {e["pointer"]: e["detail"] for e in exc.value.errors}
    assert errors == {"/applicant/specialty": "专业为必填项，请填写",
                      "/applicant/target_title": "拟申报专业技术资格为必填项，请填写",
                      "/unit/name": "单位名称为必填项，请填写"}


def test_one_page(renderer):
    data = payload(leader_opinion="情况属实，同意申报。" * 12)
    with pdfplumber.open(io.BytesIO(renderer.render(SLUG, data, "pdf").content)) as doc:
        assert len(doc.pages) == 1


def test_blank_form(renderer):
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", "tacheng-2023").content))
    assert pdf.startswith("专业技术资格评审材料真实性保证书本人申报专业资格")
    assert "五年内" in pdf and "（公章）" in pdf
    assert pdf.endswith("（单位负责人签字并签署意见）单位主要领导（签字）：（公章）申报人（签名）：年月日")
    assert "三年内" in squash(pdf_text(renderer.blank(SLUG, "pdf", "xinjiang").content))


def _warnings(resp) -> list[str]:
    header = resp.headers.get("X-Docgen-Warnings")
    return json.loads(unquote(header)) if header else []


@pytest.mark.parametrize("pid", ["xinjiang", "bazhou-2024", "aksu-archives-2024", "urumqi-etdz-2024"])
def test_rendered_where_the_notice_does_not_name_it_with_a_warning(client, pid):
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf&profile={pid}", json=payload())
    assert resp.status_code == 200
    assert "并承担三年内不申报" in squash(pdf_text(resp.data))
    name = profiles.get(pid).name
    assert _warnings(resp) == [f"{name}的通知未要求提交《专业技术资格评审材料真实性保证书》：仍按通用格式生成，"
                               "请确认本次申报是否需要此文书"]


def test_no_warning_where_the_notice_names_it(client):
    resp = client.post(f"/v1/documents/{SLUG}?format=docx&profile=tacheng-2023", json=payload())
    assert resp.status_code == 200 and _warnings(resp) == []
