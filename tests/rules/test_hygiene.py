"""Text hygiene: bidi, control, invisible and private-use characters are refused at their field; text is NFC."""
from __future__ import annotations

import copy
import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docgen.documents import sample
from docgen.rules import hygiene
from tests.api.test_batches import SAMPLE as BATCH
from tests.helpers import pdf_text

BAD = ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f",
       "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u200b", "\ufeff", "\ue000", "\U000f0000", "\ud800"]


@pytest.mark.parametrize("char", BAD)
def test_bad_character_refused_at_its_field(client, char):
    payload = copy.deepcopy(sample("commitment"))
    payload["applicant"]["name"] = f"张{char}三"
    resp = client.post("/v1/documents/commitment?format=docx", data=json.dumps(payload),
                       content_type="application/json")
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    error, = resp.json["errors"]
    assert error["pointer"] == "/applicant/name" and error["detail"].startswith("姓名")
    if char != "\ud800":
        assert f"U+{ord(char):04X}" in error["detail"]


def test_rlo_in_a_batch_points_at_the_applicant(client):
    batch = copy.deepcopy(BATCH)
    batch["applicants"][1]["name"] = "王\u202e5132"
    resp = client.post("/v1/batches", json=batch)
    assert resp.status_code == 422
    assert any(e["pointer"] == "/applicants/1/name" and "方向" in e["detail"] for e in resp.json["errors"])


def test_line_breaks_and_tabs_stay_allowed():
    assert hygiene.problem("第一行\n第二行\r\n\t第三行") is None


def test_text_is_nfc_in_the_document(renderer):
    payload = copy.deepcopy(sample("integrity-certificate"))   # prints the name (the 承诺书 no longer does)
    decomposed = unicodedata.normalize("NFD", "José·买买提")
    payload["applicant"]["name"] = decomposed
    assert decomposed != "José·买买提"
    pdf = renderer.render("integrity-certificate", payload, "pdf").content
    assert "José·买买提" in pdf_text(pdf)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20))
def test_clean_is_nfc_or_refuses(text):
    cleaned, errors = hygiene.clean({"a": [text]})
    if errors:
        assert errors[0][0] == ("a", 0)
    else:
        assert cleaned["a"][0] == unicodedata.normalize("NFC", text)
        assert not any(c in hygiene.BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs")
                       for c in text if c not in "\t\n\r")


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\n"])
def test_a_line_break_in_a_one_line_field_is_a_chinese_422(client, char):
    payload = copy.deepcopy(sample("commitment"))
    payload["applicant"]["name"] = f"张{char}三"
    resp = client.post("/v1/documents/commitment?format=pdf", json=payload)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    error, = resp.json["errors"]
    assert error["pointer"] == "/applicant/name"
    assert error["detail"] == f"姓名：只能填写一行，含有换行符 U+{ord(char):04X}（第2个字符），请删除后重新输入"


def test_a_line_break_in_a_long_text_stays_allowed():
    assert hygiene.problem("第一段\n第二段\u2028") is None and hygiene.line_break("第一段\n") is not None
