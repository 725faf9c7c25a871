"""推荐单位公示结果: calendar days (Bazhou) vs working days (Tacheng), the `days` check, dates, escaping."""
from __future__ import annotations

import pytest

from docgen.documents import sample
from tests.helpers import docx_text, docx_xml, errors_of as errors_of_kind, pdf_text, squash, texts_of

SLUG = "notice-result"
# National Day 2024: Sep 27 (Fri), Sep 29 (Sun, a working day), Sep 30, Oct 8, Oct 9 — 5 working days in 13
NATIONAL_DAY = {"start_date": "2024-09-27", "end_date": "2024-10-09"}


def payload(notice=None, date="2024-10-10", **unit) -> dict:
    data = sample(SLUG)
    data["notice"] = dict(notice or NATIONAL_DAY)
    data["date"] = date
    data["unit"].update(unit)
    return data


def both(renderer, data, profile=None):
    return texts_of(renderer, SLUG, data, profile)


def errors_of(renderer, data, profile=None):
    return errors_of_kind(renderer, SLUG, data, profile)


def test_bazhou_counts_calendar_days(renderer):
    for text in both(renderer, payload(), "bazhou-2024"):
        assert ("阿不都热合曼·买买提同志申报材料于2024年9月27日至2024年10月9日在本单位公示13天，公示无异议，"
                "未收到投诉、举报，申报材料真实、完整、有效，同意推荐阿不都热合曼·买买提同志申报"
                "自然科学研究系列农业科学专业中级专业技术任职资格。") in text
        assert "巴音郭楞蒙古自治州农业科学研究所（公章）2024年10月10日" in text


def test_tacheng_counts_working_days(renderer):
    for text in both(renderer, payload(), "tacheng-2023"):
        assert ("兹有阿不都热合曼·买买提同志系本单位职工，经公示5个工作日无异议，阿不都热合曼·买买提同志"
                "符合申报自然科学研究系列中级专业技术任职资格。") in text
        assert "单位（印章）：巴音郭楞蒙古自治州农业科学研究所负责人（签名）：" in text
        assert "13天" not in text


@pytest.mark.parametrize("pid,days", [("bazhou-2024", 13), ("tacheng-2023", 5)])
def test_days_given_must_match_the_wording(renderer, pid, days):
    good = payload({**NATIONAL_DAY, "days": days})
    assert renderer.render(SLUG, good, "pdf", pid).content.startswith(b"%PDF")
    wrong = 5 if days == 13 else 13
    errors = errors_of(renderer, payload({**NATIONAL_DAY, "days": wrong}), pid)
    assert list(errors) == ["/notice/days"]
    assert errors["/notice/days"].startswith(f"公示天数应为{days}")
    assert ("个工作日" in errors["/notice/days"]) == (pid == "tacheng-2023")


def test_days_follow_the_payload_profile(renderer):
    data = payload({**NATIONAL_DAY, "days": 5})
    data["profile"] = "tacheng-2023"
    assert renderer.render(SLUG, data, "docx").content
    data["profile"] = "bazhou-2024"
    assert "/notice/days" in errors_of(renderer, data)


def test_notice_of_four_working_days_is_rejected(renderer):
    errors = errors_of(renderer, payload({"start_date": "2024-09-27", "end_date": "2024-10-08"}))
    assert "2024年10月9日" in errors["/notice"]


def test_end_date_required(renderer):
    errors = errors_of(renderer, payload({"start_date": "2024-09-27"}))
    assert errors == {"/notice/end_date": "公示结束日期为必填项，请填写"}


def test_result_dated_before_the_notice_ended_names_both_fields(renderer):
    errors = errors_of(renderer, payload(date="2024-10-08"))
    assert list(errors) == ["/date", "/notice/end_date"]
    assert errors["/date"].startswith("成文日期2024年10月8日早于公示结束日期2024年10月9日：公示期满后才能出具公示结果")
    assert errors["/notice/end_date"].startswith("公示结束日期2024年10月9日晚于成文日期2024年10月8日")


def test_result_dated_on_the_last_day_accepted(renderer):
    assert "2024年10月9日" in pdf_text(renderer.render(SLUG, payload(date="2024-10-09"), "pdf").content)


def test_result_dated_before_the_notice_ended_is_422_over_http(client):
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf", json=payload(date="2024-10-08"))
    assert resp.status_code == 422
    assert [e["pointer"] for e in resp.json["errors"]] == ["/date", "/notice/end_date"]


@pytest.mark.parametrize("pid", ["xinjiang", "bazhou-2024", "aksu-archives-2024"])
def test_signed_and_sealed_where_seed_000_asks(renderer, pid):
    # seed 000 (四)3: 公示、公示结果 “需要申报人所在单位签字盖章”
    for text in both(renderer, payload(), pid):
        assert text.endswith("签字：（单位负责人签字）巴音郭楞蒙古自治州农业科学研究所（公章）2024年10月10日")


def test_specialty_required_only_where_printed(renderer):
    data = payload()
    del data["applicant"]["specialty"]
    assert errors_of(renderer, data, "bazhou-2024") == {"/applicant/specialty": "专业为必填项，请填写"}
    for text in both(renderer, data, "tacheng-2023"):
        assert "符合申报自然科学研究系列中级专业技术任职资格" in text


def test_required_applicant_fields(renderer):
    data = payload()
    del data["applicant"]["series"]
    data["applicant"]["level"] = "特级"
    errors = errors_of(renderer, data)
    assert errors["/applicant/series"] == "系列为必填项，请填写"
    assert "/applicant/level" in errors


def test_missing_date_leaves_a_blank(renderer):
    text = docx_text(renderer.render(SLUG, payload(date=None), "docx").content)
    assert text.rstrip().endswith("　　年　　月　　日")


def test_markup_in_unit_name_prints_as_text(renderer):
    data = payload(name="A&B<研究所>")
    for pid in ("bazhou-2024", "tacheng-2023"):
        for text in both(renderer, data, pid):
            assert "A&B<研究所>" in text
    assert "A&amp;B&lt;研究所&gt;" in docx_xml(renderer.render(SLUG, data, "docx").content)


def test_blank_form_leaves_days_to_write(renderer):
    bazhou = pdf_text(renderer.blank(SLUG, "pdf", "bazhou-2024").content).replace("\n", "")
    tacheng = pdf_text(renderer.blank(SLUG, "pdf", "tacheng-2023").content).replace("\n", "")
    assert "在本单位公示__________天" in bazhou
    assert "申报材料于　　年　　月　　日至　　年　　月　　日在本单位" in docx_text(
        renderer.blank(SLUG, "docx", "bazhou-2024").content)
    assert "经公示__________个工作日无异议" in tacheng


@pytest.mark.parametrize("pid,text", [
    ("bazhou-2024", "同意推荐同志申报系列专业（高、中、初）级专业技术任职资格。"),
    ("tacheng-2023", "同志符合申报系列（高、中、初）级专业技术任职资格。"),
])
def test_blank_form_has_the_seeds_level_slot(renderer, pid, text):
    # seed 000 附件2 “×（高、中、初）级”, 003 附件2 “xx（高、中、初）级”
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", pid).content))
    docx = squash(docx_text(renderer.blank(SLUG, "docx", pid).content))
    assert text in pdf and text in docx
