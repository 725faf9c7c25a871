"""个人承诺书: wording by region, the hand-copy lines of Tacheng, and the GB/T 9704 type it is set in."""
from __future__ import annotations

import io

import pdfplumber
import pytest

from docgen.documents import sample
from docgen.errors import InvalidPayload
from tests.helpers import docx_text, pdf_text

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
