"""推荐单位公示: wording by region, the masked ID, 无, the 5-working-day period, long 业绩成果, escaping."""
from __future__ import annotations

import io

import pdfplumber
import pytest

from docgen import profiles
from docgen.documents import sample
from docgen.kinds import Options, public_notice
from docgen.kinds.common import NAME_BLANK
from docgen.kinds.public_notice import PublicNoticePayload
from tests.helpers import docx_text, docx_xml, errors_of as errors_of_kind, pdf_pages_text, pdf_text, squash, texts_of

SLUG = "public-notice"


def payload(**changes) -> dict:
    data = sample(SLUG)
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = data
        for part in parents:
            target = target[part]
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return data


def both(renderer, data, profile=None):
    return texts_of(renderer, SLUG, data, profile)


def errors_of(renderer, data):
    return errors_of_kind(renderer, SLUG, data)


@pytest.mark.parametrize("pid,lead,ethnicity_label,signer", [
    ("bazhou-2024", "根据自治区职称评审工作的要求，现对", "民族：", "（单位负责人签字）"),
    ("aksu-archives-2024", "根据自治区、地区职称评审工作要求，现对", "族别：", "（单位负责人签字）"),
    ("tacheng-2023", "根据自治区职称评审的要求，现对", "族别：", "（单位负责人签字并签署意见）"),
])
def test_wording_by_region(renderer, pid, lead, ethnicity_label, signer):
    for text in both(renderer, sample(SLUG), pid):
        assert lead + "阿不都热合曼·买买提同志申报自然科学研究系列农业科学专业中级专业技术任职资格进行公示" in text
        assert "基本信息：性别：男；" + ethnicity_label + "维吾尔族；政治面貌：中共党员；" in text
        assert "签字：" + signer in text


def test_seal_line_by_region(renderer):
    bazhou, _ = both(renderer, sample(SLUG), "bazhou-2024")
    aksu, _ = both(renderer, sample(SLUG), "aksu-archives-2024")
    assert "巴音郭楞蒙古自治州农业科学研究所（公章）" in bazhou
    assert "（巴音郭楞蒙古自治州农业科学研究所公章）" in aksu


def test_period_and_contact_paragraphs_as_the_seed(renderer):
    """Seed 000 prints the 公示时间 and the 监督 sentence as two paragraphs; seeds 002 and 003 as one."""
    bazhou = docx_text(renderer.render(SLUG, sample(SLUG), "docx", "bazhou-2024").content).splitlines()
    tacheng = docx_text(renderer.render(SLUG, sample(SLUG), "docx", "tacheng-2023").content).splitlines()
    period = "公示时间从2024年9月2日起至2024年9月6日止（公示期不少于5个工作日）。"
    contact = "如对阿不都热合曼·买买提同志的相关信息有疑异，请电话或书面形式反映至所办公室，监督电话：0996-2025816。"
    assert period in bazhou and contact in bazhou
    assert period + contact in tacheng


def test_id_number_masked_on_the_public_notice(renderer):
    for text in both(renderer, sample(SLUG)):
        assert "身份证号：652801********2312" in text
        assert "652801198801092312" not in text


def test_id_number_printed_whole_where_the_profile_does_not_mask(renderer):
    profile = profiles.get("bazhou-2024").model_copy(update={"mask_id_in_public": False})
    model = PublicNoticePayload.model_validate(sample(SLUG))
    assert "652801198801092312" in public_notice.build(model, profile, Options())["sections"][0]["text"]


def test_blank_political_and_achievements_refused(renderer):
    # required by the seed template: “无” on a public notice would read as “has no political qualification”
    errors = errors_of(renderer, payload(political="  ", achievements="  "))
    assert errors == {"/political": "思想政治条件不能为空", "/achievements": "业绩成果不能为空"}


def test_labels_in_heiti(renderer):
    pdf = renderer.render(SLUG, sample(SLUG), "pdf").content
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[0].chars
    text = "".join(c["text"] for c in chars)
    start = text.index("业绩成果：")
    label = chars[start:start + 4]
    assert all("Hei" in c["fontname"] for c in label)
    assert not any("Hei" in c["fontname"] for c in chars[start + 5:start + 9])
    xml = docx_xml(renderer.render(SLUG, sample(SLUG), "docx").content)
    assert xml.count('<w:rStyle w:val="Label"/>') == 3


def test_notice_of_four_working_days_is_rejected(renderer):
    """2024-09-27 to 2024-10-08: National Day leaves 4 working days (Sep 27, 29, 30, Oct 8)."""
    errors = errors_of(renderer, payload(notice={"start_date": "2024-09-27", "end_date": "2024-10-08"}))
    assert list(errors) == ["/notice"]
    assert "4个工作日" in errors["/notice"] and "2024年10月9日" in errors["/notice"]


def test_end_date_omitted_is_the_earliest_valid_end(renderer):
    text = pdf_text(renderer.render(SLUG, payload(notice={"start_date": "2024-09-27"}), "pdf").content)
    assert "公示时间从2024年9月27日起至2024年10月9日止" in squash(text)


def test_required_fields_named_in_chinese(renderer):
    data = payload(applicant__current_title=None, applicant__political_status=None, unit__phone="  ")
    errors = errors_of(renderer, data)
    assert errors["/applicant/current_title"] == "现任专业技术职务为必填项，请填写"
    assert errors["/applicant/political_status"] == "政治面貌为必填项，请填写"
    assert errors["/unit/phone"] == "监督电话不能为空"


def test_markup_in_unit_name_prints_as_text(renderer):
    data = payload(unit__name="A&B<研究所>", unit__office="<人事科>")
    for text in both(renderer, data):
        assert "A&B<研究所>（公章）" in text and "反映至<人事科>" in text
    assert "A&amp;B&lt;研究所&gt;" in docx_xml(renderer.render(SLUG, data, "docx").content)


def test_achievements_paragraphs_keep_their_breaks(renderer):
    data = payload(achievements="第一段成果。\n\n第二段成果。")
    lines = docx_text(renderer.render(SLUG, data, "docx").content).splitlines()
    assert "业绩成果：第一段成果。" in lines and "第二段成果。" in lines


@pytest.mark.parametrize("chars", [400, 499])   # 499 and the line break: the maximum
def test_long_achievements_run_on_with_the_signature_kept_with_text(renderer, chars):
    unit = "近五年主持州级科研项目1项、参与2项，负责试验设计与数据分析；参与选育的棉花新品种1个通过自治区审定。"
    text = (unit * 40)[:chars]
    data = payload(achievements=text[:chars // 2] + "\n" + text[chars // 2:], political=(unit * 5)[:200])
    pdf = renderer.render(SLUG, data, "pdf").content
    pages = pdf_pages_text(pdf)
    assert len(pages) >= 2
    last = pages[-1].strip().splitlines()
    # the signature block and its date on one page, and not alone on it
    assert "签字" in pages[-1] and last[-1] == "2024年9月2日"
    assert not last[0].startswith("签字")
    assert squash(pdf_text(pdf)) == squash(docx_text(renderer.render(SLUG, data, "docx").content))


def test_achievements_longer_than_allowed_rejected(renderer):
    errors = errors_of(renderer, payload(achievements="成" * 501))
    assert "业绩成果过长" in errors["/achievements"]


def test_rare_name_characters_render(renderer):
    data = payload(applicant__name="王䶮喆")
    pdf = renderer.render(SLUG, data, "pdf").content
    assert "对王䶮喆同志申报" in squash(pdf_text(pdf))


@pytest.mark.parametrize("pid,recent", [("bazhou-2024", "近五年"), ("aksu-archives-2024", "近年来")])
def test_blank_form_has_the_seed_hints_and_lines(renderer, pid, recent):
    docx = docx_text(renderer.blank(SLUG, "docx", pid).content)
    assert "思想政治条件：（突出政治表现，强调职业操守和从业行为）" in docx
    assert f"业绩成果：（简要描述{recent}的实践能力和业绩成果" in docx
    assert "公示时间从　　年　　月　　日起至　　年　　月　　日止" in docx
    assert f"现对{NAME_BLANK}同志申报" in pdf_text(renderer.blank(SLUG, "pdf", pid).content).replace("\n", "")
    xml = docx_xml(renderer.blank(SLUG, "docx", pid).content)
    assert xml.count("<w:pBdr>") == public_notice.POLITICAL_LINES + public_notice.ACHIEVEMENT_LINES


@pytest.mark.parametrize("pid", ["bazhou-2024", "aksu-archives-2024", "tacheng-2023"])
def test_blank_form_has_the_seeds_level_slot(renderer, pid):
    # seed 000 附件1 “××（高、中、初）级”, 002 and 003 附件1 “×（高、中、初）级”
    pdf = pdf_text(renderer.blank(SLUG, "pdf", pid).content).replace("\n", "")
    assert "系列__________专业___（高、中、初）级专业技术任职资格进行公示。" in pdf
    docx = squash(docx_text(renderer.blank(SLUG, "docx", pid).content))
    assert "同志申报系列专业（高、中、初）级专业技术任职资格进行公示。" in docx
