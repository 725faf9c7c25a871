"""个人承诺书: wording by region, the hand-copy lines of Tacheng, and the GB/T 9704 type it is set in."""
from __future__ import annotations

import io
import json
from urllib.parse import unquote

import pdfplumber
import pytest

from docgen.documents import sample
from docgen.errors import InvalidPayload
from tests.helpers import docx_text, docx_xml, pdf_text, squash, texts_of

MM = 72 / 25.4


@pytest.mark.parametrize("pid,years", [("xinjiang", 3), ("bazhou-2024", 3), ("aksu-archives-2024", 3),
                                       ("tacheng-2023", 5)])
def test_ban_years_by_region(renderer, pid, years):
    text = pdf_text(renderer.render("commitment", sample("commitment"), "pdf", pid).content)
    assert f"起{years}年内，不得申报专业技术资格" in text.replace("\n", "")


def test_tacheng_asks_for_a_hand_copy(renderer):
    tacheng = docx_text(renderer.render("commitment", sample("commitment"), "docx", "tacheng-2023").content)
    bazhou = docx_text(renderer.render("commitment", sample("commitment"), "docx", "bazhou-2024").content)
    assert "手抄" in tacheng and "按手印" in tacheng
    assert "手抄" not in bazhou


def test_aksu_wording_complete_consistency(renderer):
    text = docx_text(renderer.render("commitment", sample("commitment"), "docx", "aksu-archives-2024").content)
    assert "送审报表内容完全一致" in text and "手写签名" in text


def test_date_printed_in_arabic_numerals(renderer):
    text = pdf_text(renderer.render("commitment", sample("commitment"), "pdf").content)
    assert "2024年9月20日" in text


def test_missing_date_leaves_a_blank_to_write(renderer):
    payload = {**sample("commitment"), "date": None}
    text = docx_text(renderer.render("commitment", payload, "docx").content)
    assert "年　　月　　日" in text


def test_gbt9704_type(renderer):
    pdf = renderer.render("commitment", sample("commitment"), "pdf", "bazhou-2024").content
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[0].chars
    title = [c for c in chars if c["text"] in "个人承诺书" and c["size"] > 20]
    assert len(title) == 5 and all(round(c["size"]) == 22 and "FandolSong-Bold" in c["fontname"] for c in title)
    body = [c for c in chars if c["text"] == "承"]
    assert {round(c["size"]) for c in body} >= {16} and any("FandolFang" in c["fontname"] for c in body)
    number = [c for c in chars if c["text"] == "—"]
    assert number and all(round(c["size"]) == 14 for c in number)
    # odd page: the page number sits at the right, one character in from the text area's edge
    assert max(c["x1"] for c in number) / MM == pytest.approx(210 - 26 - 14 / MM, abs=1.5)


def test_id_number_must_pass_check_digit(renderer):
    payload = sample("commitment")
    payload["applicant"]["id_number"] = payload["applicant"]["id_number"][:-1] + "9"
    with pytest.raises(InvalidPayload) as exc:
        renderer.render("commitment", payload, "pdf")
    assert exc.value.errors[0]["pointer"] == "/applicant/id_number"
    assert "校验位" in exc.value.errors[0]["detail"]


def _wide_rules(pdf: bytes) -> int:
    """Count the ruled lines that span the text area (the blanks after 签字 are short)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return len({round(r["top"]) for r in doc.pages[0].rects if r["width"] > 400})


@pytest.mark.parametrize("pid,signoff,lines", [
    # seed 000 附件3 “签字：（承诺人）”, 五(一)14 手写 the promise and 签字按手印
    ("bazhou-2024", "请在下方手写以上承诺内容：签字：（承诺人）按手印：2024年9月20日", 6),
    ("xinjiang", "请在下方手写以上承诺内容：签字：（承诺人）按手印：2024年9月20日", 6),
    # seed 003 附件3 as printed; 三(3)2(1) 亲自手抄写
    ("tacheng-2023", "请在下方手抄写以上承诺内容：本人签名（个人承诺书手抄写并按手印）：2024年9月20日", 6),
    # seed 002 附件3 “承诺人：（手写签名）”, 四(五)4 签名必须手写、按指纹: no hand copy
    ("aksu-archives-2024", "不得申报专业技术资格。承诺人：（手写签名）按指纹：2024年9月20日", 0),
    # seed 001 五(一)8 本人签字: no hand copy
    ("bazhou-eng-2021", "不得申报专业技术资格。承诺人（签字）：2024年9月20日", 0),
])
def test_each_seeds_layout(renderer, pid, signoff, lines):
    data = sample("commitment")
    for text in texts_of(renderer, "commitment", data, pid):
        assert text.startswith("个人承诺书本人承诺以上填报的内容")
        assert text.endswith(signoff)
        # no seed's template has a typed 承诺人/身份证号码 header: the applicant signs by hand
        assert data["applicant"]["name"] not in text and data["applicant"]["id_number"] not in text
    assert _wide_rules(renderer.render("commitment", data, "pdf", pid).content) == lines
    assert docx_xml(renderer.render("commitment", data, "docx", pid).content).count("<w:between") == lines


def test_blank_form_is_the_same_layout(renderer):
    pdf = squash(pdf_text(renderer.blank("commitment", "pdf", "bazhou-2024").content))
    assert pdf.endswith("请在下方手写以上承诺内容：签字：（承诺人）按手印：年月日")
    assert "身份证号码" not in pdf


def test_rendered_under_urumqi_with_a_warning(client):
    # seed 004 names no 个人承诺书
    resp = client.post("/v1/documents/commitment?format=pdf&profile=urumqi-etdz-2024", json=sample("commitment"))
    assert resp.status_code == 200
    warnings = json.loads(unquote(resp.headers["X-Docgen-Warnings"]))
    assert warnings == ["乌鲁木齐经开区（头屯河区）企业职称（2024年度）的通知未要求提交《个人承诺书》：仍按通用格式生成，"
                        "请确认本次申报是否需要此文书"]
    ok = client.post("/v1/documents/commitment?format=pdf&profile=bazhou-2024", json=sample("commitment"))
    assert "X-Docgen-Warnings" not in ok.headers
