"""单位推荐意见 / 主管单位推荐意见: title and seal by issuer, the review sentence by region, the 公示, errors."""
from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from docgen import profiles
from docgen.kinds.recommendation import RecommendationPayload
from tests.helpers import changed, docx_text, errors_of as errors_of_kind, pdf_text, squash, texts_of

SLUG = "recommendation"


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def competent(**changes) -> dict:
    return payload(issuer="competent", competent={"name": "阿克苏地区档案局"}, **changes)


def both(renderer, data, profile=None):
    return texts_of(renderer, SLUG, data, profile)


def errors_of(renderer, data):
    return errors_of_kind(renderer, SLUG, data)


def test_unit_issuer_title_and_seal(renderer):
    for text in both(renderer, payload()):
        assert text.startswith("单位推荐意见")
        assert "主要领导（签字）：" in text
        assert "阿克苏市档案馆（公章）" in text
        assert "系我单位专业技术人员" in text


def test_competent_issuer_title_and_seal(renderer):
    for text in both(renderer, competent(), "urumqi-etdz-2024"):
        assert text.startswith("主管单位推荐意见")
        assert "阿克苏地区档案局（公章）" in text
        assert "阿克苏市档案馆（公章）" not in text
        # the applicant's own unit is named in the lead and as the place of the 公示
        assert "系阿克苏市档案馆专业技术人员" in text
        assert "在阿克苏市档案馆公示" in text
        assert "本单位已对阿克苏市档案馆报送的申报材料逐一审核，真实准确，同意推荐。" in text


def test_addressed_to_the_profiles_authority(renderer):
    pdf, _ = both(renderer, payload(), "bazhou-eng-2021")
    assert "自治州工程系列石油化学纺织电力工程专业职称评审委员会：" in pdf


def test_states_who_is_recommended_for_which_title_with_the_full_id_number(renderer):
    pdf, docx = both(renderer, payload())
    for text in (pdf, docx):
        assert ("古丽米拉·艾尔肯同志，女，维吾尔族，中共党员，身份证号码652901199106140327，现任助理馆员，"
                "系我单位专业技术人员，现申报档案系列档案管理专业中级专业技术任职资格。") in text


@pytest.mark.parametrize("pid,sentence", [
    ("xinjiang", "本单位已对提供的申报材料逐一审核，真实、完整、有效，同意推荐。"),
    ("bazhou-eng-2021", "本单位已对提供的申报材料逐一审核，真实、完整、有效，同意推荐。"),
    ("aksu-archives-2024", "本单位已对提供的申报材料逐一审核，真实准确，同意推荐。"),
    ("urumqi-etdz-2024", "本单位已对提供的申报材料逐一审核，真实准确，同意推荐。"),
])
def test_review_sentence_by_region(renderer, pid, sentence):
    pdf, docx = both(renderer, payload(), pid)
    assert sentence in pdf and sentence in docx
    other = "真实、完整、有效" if "真实准确" in sentence else "真实准确"
    assert other not in pdf


def test_notice_period_printed_when_given(renderer):
    pdf, docx = both(renderer, payload())
    period = "该同志的申报材料已于2024年7月22日至2024年7月26日在本单位公示，公示期5个工作日，公示期间无异议。"
    assert period in pdf and period in docx


def test_no_notice_no_period_sentence(renderer):
    pdf, docx = both(renderer, payload(notice=None))
    assert "公示" not in pdf and "公示" not in docx


def test_review_paragraph_printed_when_given_and_omitted_otherwise(renderer):
    pdf, _ = both(renderer, payload())
    assert "牵头完成馆藏1956—1990年文书档案4.2万卷的数字化" in pdf
    pdf, docx = both(renderer, payload(review=None))
    assert "数字化" not in pdf
    # an optional paragraph left out is not replaced by 无
    assert "无" not in pdf.replace("无异议", "") and "无" not in docx.replace("无异议", "")


def test_review_paragraph_split_at_line_breaks(renderer):
    text = docx_text(renderer.render(SLUG, payload(review="第一段评价。\n\n第二段评价。"), "docx").content)
    lines = text.splitlines()
    assert "第一段评价。" in lines and "第二段评价。" in lines


def test_date_printed_or_left_blank(renderer):
    assert "2024年7月29日" in both(renderer, payload())[0]
    text = docx_text(renderer.render(SLUG, payload(date=None), "docx").content)
    assert "年　　月　　日" in text


def test_missing_issuer_names_both_choices(renderer):
    errors = errors_of(renderer, payload(issuer=None))
    assert "unit" in errors["/issuer"] and "competent" in errors["/issuer"] and "必填" in errors["/issuer"]


def test_wrong_issuer_names_both_choices(renderer):
    errors = errors_of(renderer, payload(issuer="主管单位"))
    assert "只能是" in errors["/issuer"] and "unit" in errors["/issuer"] and "competent" in errors["/issuer"]
    assert "“主管单位”" in errors["/issuer"]


@pytest.mark.parametrize("given", [None, {}, {"name": "  "}])
def test_competent_issuer_requires_the_competent_name(renderer, given):
    data = payload(issuer="competent", competent=given)
    errors = errors_of(renderer, data)
    assert list(errors) == ["/competent/name"]
    assert "主管单位名称" in errors["/competent/name"]


def test_required_applicant_fields(renderer):
    data = payload()
    for key in ("gender", "ethnicity", "political_status", "id_number", "current_title", "series", "specialty",
                "level"):
        del data["applicant"][key]
    del data["unit"]["name"]
    errors = errors_of(renderer, data)
    assert errors["/applicant/id_number"] == "身份证号码为必填项，请填写"
    assert errors["/unit/name"] == "单位名称为必填项，请填写"
    assert len(errors) == 9


def test_notice_shorter_than_five_working_days_is_refused(renderer):
    errors = errors_of(renderer, payload(notice={"start_date": "2024-07-22", "end_date": "2024-07-24"}))
    assert "5个工作日" in errors["/notice"]


def test_schema_requires_issuer_and_lists_its_values():
    schema = RecommendationPayload.model_json_schema()
    assert "issuer" in schema["required"]
    assert schema["properties"]["issuer"]["enum"] == ["unit", "competent"]
    assert "default" not in schema["properties"]["issuer"]


def test_blank_form_takes_the_unit_wording(renderer):
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", "aksu-archives-2024").content))
    assert pdf.startswith("单位推荐意见")
    assert "系我单位专业技术人员" in pdf and "真实准确，同意推荐" in pdf
    assert "主要领导（签字）：" in pdf and "（公章）" in pdf
    docx = docx_text(renderer.blank(SLUG, "docx", "aksu-archives-2024").content)
    assert "年　　月　　日至　　年　　月　　日在本单位公示" in docx
    # the blanks are underlined no-break spaces in Word (a solid line to write on), as wide as the PDF's
    assert "\xa0" * 15 + "同志" in docx and "古丽米拉" not in docx


def test_every_profile_has_the_wording_of_both_issuers():
    keys = ("title", "title_competent", "addressee", "lead_unit", "lead_competent", "review_unit",
            "review_competent", "period_unit", "period_competent", "signatures_unit", "signatures_competent")
    for pid in profiles.ids():
        profile = profiles.get(pid)
        assert all(profile.text(SLUG, key) for key in keys), pid


def test_rare_name_characters_render(renderer):
    data = payload()
    data["applicant"]["name"] = "王䶮𠈌"
    pdf = pdf_text(renderer.render(SLUG, data, "pdf").content)
    assert "王䶮𠈌同志" in squash(pdf)


@pytest.mark.parametrize("pid,title", [("bazhou-eng-2021", "主管单位推荐意见"), ("urumqi-etdz-2024", "主管单位推荐意见"),
                                       ("aksu-archives-2024", "单位推荐意见"), ("xinjiang", "单位推荐意见")])
def test_blank_form_follows_the_profiles_issuer(renderer, pid, title):
    # seed 001 五(三) and 004 附件4 ask for the 主管单位's recommendation, 002 附件2 for the unit's
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", pid).content))
    docx = squash(docx_text(renderer.blank(SLUG, "docx", pid).content))
    for text in (pdf, docx):
        assert text.startswith(title)
        assert ("系专业技术人员" in text) == (title == "主管单位推荐意见")   # 系{unit}, the unit left to write
        assert "系我单位专业技术人员" not in text or title == "单位推荐意见"


def test_blank_form_has_the_seeds_level_slot(renderer):
    for blank in (renderer.blank(SLUG, "pdf", "aksu-archives-2024"), renderer.blank(SLUG, "docx", "aksu-archives-2024")):
        text = squash(pdf_text(blank.content) if blank.format == "pdf" else docx_text(blank.content))
        assert "现申报系列专业（高、中、初）级专业技术任职资格。" in text


def test_dated_before_the_notice_ended_names_both_fields(renderer):
    # “公示期间无异议” on 7月23日 for a 公示 ending 7月26日
    errors = errors_of(renderer, payload(date="2024-07-23"))
    assert list(errors) == ["/date", "/notice/end_date"]
    assert errors["/date"].startswith("成文日期2024年7月23日早于公示结束日期2024年7月26日：公示期满后才能出具推荐意见")
    assert "晚于成文日期2024年7月23日" in errors["/notice/end_date"]
    # the end computed from the start alone (5 working days: 7月22日–26日) is checked the same way
    computed = errors_of(renderer, payload(date="2024-07-25", notice={"start_date": "2024-07-22"}))
    assert list(computed) == ["/date", "/notice/end_date"]


def test_dated_before_the_notice_ended_is_422_over_http(client):
    resp = client.post(f"/v1/documents/{SLUG}?format=docx", json=competent(date="2024-07-23"))
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert [e["pointer"] for e in resp.json["errors"]] == ["/date", "/notice/end_date"]


def test_any_date_without_a_notice_and_on_its_last_day(renderer):
    assert "2024年7月1日" in both(renderer, payload(notice=None, date="2024-07-01"))[0]
    assert "2024年7月26日" in both(renderer, payload(date="2024-07-26"))[1]


def test_rendered_under_bazhou_with_a_warning(client):
    # seed 000 asks for the 审核意见 on the 评审表, not a separate 推荐意见
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf&profile=bazhou-2024", json=payload())
    assert resp.status_code == 200
    warnings = json.loads(unquote(resp.headers["X-Docgen-Warnings"]))
    assert len(warnings) == 1 and "未要求提交《推荐意见》" in warnings[0]
    assert "X-Docgen-Warnings" not in client.post(f"/v1/documents/{SLUG}?format=pdf&profile=aksu-archives-2024",
                                                  json=payload()).headers


REVIEW = ("近五年主持州级科研项目1项、参与2项，负责试验设计与数据分析；参与选育的棉花新品种1个通过自治区审定（排名第三）；"
          "发表论文3篇（第一作者2篇），其中中文核心期刊1篇；获自治州科技进步奖三等奖1项（排名第二）。") * 8


def longest_others(review_chars: int) -> dict:
    """Return a 主管单位 recommendation (the wording that names the units most) with every other field at its limit."""
    from docgen.documents import sample

    data = sample(SLUG)
    data["issuer"] = "competent"
    data["applicant"] |= {"name": "阿依古丽·买买提艾力·阿不都热合曼·吐尔", "current_title": "高级农业技术推广研究员正高级职",
                          "series": "农业技术推广研究自然科学研究系", "specialty": "棉花栽培与育种技术节水灌溉技术"}
    data["unit"]["name"] = ("中国（新疆）自由贸易试验区乌鲁木齐片区经开功能区块工作领导小组办公室综合保障科" * 2)[:50]
    data["competent"] = {"name": ("巴音郭楞蒙古自治州农业农村局（巴音郭楞蒙古自治州乡村振兴局）农业技术推广总站" * 2)[:50]}
    data["review"] = REVIEW[:review_chars - 1] + "。"
    return data


@pytest.mark.parametrize("profile", sorted(profiles.ids()))
def test_review_up_to_its_sure_length_is_one_page_beside_any_fields(renderer, profile):
    """The schema's promise (issue 21 point 3): REVIEW_SURE characters print on one page with every other field at
    its limit, in every profile."""
    from docgen.kinds.recommendation import REVIEW_SURE
    from docgen.render.merge import page_count

    assert page_count(renderer.render(SLUG, longest_others(REVIEW_SURE), "pdf", profile).content) == 1


def test_review_that_runs_onto_a_second_page_is_refused_at_the_review(renderer):
    """A sealed letter of two pages would need a 骑缝章: the 422 points at the review, in both formats."""
    for fmt in ("pdf", "docx"):
        with pytest.raises(Exception) as refused:
            renderer.render(SLUG, longest_others(400), fmt)
        assert refused.value.status == 422 and refused.value.errors[0]["pointer"] == "/review"
        assert "一页" in refused.value.errors[0]["detail"]
