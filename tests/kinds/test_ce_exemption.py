"""免除继续教育学习申请表: the rows a user fills, 无 for what is empty, wording by region, one page."""
from __future__ import annotations

import copy
import io
import re

import pdfplumber
import pytest

from docgen import profiles
from docgen.documents import sample
from docgen.errors import InvalidPayload
from docgen.kinds import ce_exemption
from tests.helpers import docx_text, docx_xml, libreoffice_to_pdf, pdf_page_sizes_mm, pdf_text, pdf_text_boxes_mm, squash
from tests.helpers import errors_of as errors_of_kind
from tests.helpers import texts_of

SLUG = "ce-exemption"
TEXT_AREA_BOTTOM_MM = 37 + 225
LONGEST = ("驻村工作期间全脱产吃住在村，无法参加继续教育学习。" * 40)[:ce_exemption.REASON_MAX]


def payload(**changes) -> dict:
    data = copy.deepcopy(sample(SLUG))
    for key, value in changes.items():
        if key.startswith("applicant."):
            field = key.removeprefix("applicant.")
            if value is None:
                data["applicant"].pop(field, None)
            else:
                data["applicant"][field] = value
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def both(renderer, data, profile="xinjiang"):
    return texts_of(renderer, SLUG, data, profile)


def errors(renderer, data):
    return errors_of_kind(renderer, SLUG, data)


def test_rows_printed_in_both_formats(renderer):
    for text in both(renderer, payload()):
        assert "姓名古丽米拉·艾合买提性别女" in text
        assert "身份证号652901198805120267学历大学本科学位管理学学士" in text
        assert "何时何学校何专业毕业2011年7月毕业于新疆大学档案学专业" in text
        assert "现工作单位阿克苏地区档案馆参加工作时间2011年9月" in text   # work_start_date given as 2011-09
        assert "现有专业技术职务助理馆员拟申报专业技术职务馆员" in text
        assert "情况属实，同意免除继续教育学习。" in text and "公章2024年8月20日" in text


def test_birth_month_derived_from_the_id_number(renderer):
    # seed 002 附件4 出生年月: 19880512 in the ID number, printed as year and month
    for text in both(renderer, payload()):
        assert "出生年月1988年5月" in text


def test_missing_degree_and_titles_print_none(renderer):
    data = payload(**{"applicant.degree": None, "applicant.current_title": None, "applicant.work_start_date": None})
    for text in both(renderer, data):
        assert "学位无" in text
        assert "参加工作时间无" in text
        assert "现有专业技术职务无" in text


def test_missing_review_and_date_leave_room_to_write(renderer):
    pdf, docx = both(renderer, payload(review=None, date=None))
    for text in (pdf, docx):
        assert "审核意见公章年月日" in text   # no opinion, no 无: the reviewer writes it


@pytest.mark.parametrize("pid", sorted(profiles.ids()))
def test_every_profile_prints_the_regions_form(renderer, pid):
    """Every profile prints the autonomous region's form (000 附件4 / 002 附件4), whose 注3 forbids regions'
    own forms: tacheng-2023 (003 附件6/7 named, not printed) too; no 少数民族特培学员 form of docgen's own."""
    for text in (*both(renderer, payload(), pid), squash(pdf_text(renderer.blank(SLUG, "pdf", pid).content)),
                 squash(docx_text(renderer.blank(SLUG, "docx", pid).content))):
        assert text.startswith("自治区“访惠聚”驻村等专业技术人员职称评审免除继续教育学习申请表")
        assert "由同级“访惠聚”办公室审核" in text
        assert "3.各地各部门不得私自设置免除继续教育学习事项及申请表（审批表）。" in text
        assert "特培" not in text


def test_no_applicant_category_of_docgen_own(renderer):
    found = errors(renderer, payload(variant="minority-training"))
    assert list(found) == ["/variant"]


@pytest.mark.parametrize("pid,label", [("xinjiang", "审核意见"), ("bazhou-2024", "审核意见"),
                                       ("aksu-archives-2024", "审查意见"), ("tacheng-2023", "审核意见")])
def test_review_label_by_region(renderer, pid, label):
    for text in both(renderer, payload(), pid):
        assert "免学理由本人于" in text and label in text
        assert ("审查意见" if label == "审核意见" else "审核意见") not in text


def test_aksu_notes_wording(renderer):
    aksu, _ = both(renderer, payload(), "aksu-archives-2024")
    bazhou, _ = both(renderer, payload(), "bazhou-2024")
    assert "南疆学前教育双语教育干部支教工作已退回人员" in aksu
    assert "南疆学前双语教育干部支教工作已返回人员，由原派驻单位" in bazhou


def test_blank_form_prints_nothing_in_the_value_cells(renderer):
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", "bazhou-2024").content))
    docx = squash(docx_text(renderer.blank(SLUG, "docx", "bazhou-2024").content))
    for text in (pdf, docx):
        assert "无" not in text
        assert "姓名性别出生年月身份证号学历学位何时何学校何专业毕业现工作单位参加工作时间" in text
        assert "免学理由审核意见公章年月日注：1." in text


def test_reason_type_shrinks_with_its_length(renderer):
    def reason_sizes(data, char):
        pdf = renderer.render(SLUG, data, "pdf").content
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            pdf_sizes = {round(c["size"], 1) for c in doc.pages[0].chars if c["text"] == char}
        docx = docx_xml(renderer.render(SLUG, data, "docx").content)
        return pdf_sizes, set(re.findall(r'<w:sz w:val="(\d+)"/>', docx))

    assert reason_sizes(payload(), "依") == ({12.0}, {"24"})             # 小四 for a short reason
    assert reason_sizes(payload(reason=LONGEST), "吃") == ({9.0}, {"18"})   # 小五 for the longest


def _longest_accepted_paragraphs(renderer) -> str:
    """Return the reason of most one-character paragraphs the payload check accepts (the most lines)."""
    count = 1
    while True:
        reason = "\n".join(["是"] * (count + 1))
        try:
            renderer.validate(renderer.kind(SLUG), payload(reason=reason))
        except InvalidPayload:
            return "\n".join(["是"] * count)
        count += 1


@pytest.fixture(scope="module")
def longest_forms(renderer, tmp_path_factory):
    """Render the longest reason and the most paragraphs, as PDF and as LibreOffice's PDF of the DOCX."""
    folder = tmp_path_factory.mktemp("ce-longest")
    out = {}
    for name, reason in (("chars", LONGEST), ("paragraphs", _longest_accepted_paragraphs(renderer))):
        data = payload(reason=reason)
        out[name] = (reason, renderer.render(SLUG, data, "pdf").content)
        (folder / f"{name}.docx").write_bytes(renderer.render(SLUG, data, "docx").content)
    libreoffice_to_pdf(sorted(folder.glob("*.docx")), folder)
    return {name: (reason, pdf, (folder / f"{name}.pdf").read_bytes()) for name, (reason, pdf) in out.items()}


@pytest.mark.parametrize("case", ["chars", "paragraphs"])
def test_longest_reason_fits_one_page(longest_forms, case):
    reason, pdf, libreoffice_pdf = longest_forms[case]
    assert len(pdf_page_sizes_mm(pdf)) == 1
    box = pdf_text_boxes_mm(pdf)[0]
    assert box["bottom"] <= TEXT_AREA_BOTTOM_MM          # the notes' last line inside the text area
    assert squash(reason) in squash(pdf_text(pdf))        # nothing clipped
    assert len(pdf_page_sizes_mm(libreoffice_pdf)) == 1
    assert pdf_text_boxes_mm(libreoffice_pdf)[0]["bottom"] <= TEXT_AREA_BOTTOM_MM + 12   # page number excepted
    assert squash(reason) in squash(pdf_text(libreoffice_pdf))


def test_every_profile_leaves_room_for_the_reason():
    """The payload check assumes at most this much title and notes; each profile's wording stays within it."""
    for pid in profiles.ids():
        profile = profiles.get(pid)
        assert ce_exemption.title_lines(profile.text(SLUG, "title")) <= ce_exemption.TITLE_LINES_MAX
        assert ce_exemption.notes_lines(profile.text(SLUG, "notes")) <= ce_exemption.NOTES_MAX_LINES


def test_required_fields_named_in_chinese(renderer):
    data = payload(reason=None, **{"applicant.id_number": None, "applicant.gender": None})
    found = errors(renderer, data)
    assert found["/reason"] == "免学理由为必填项，请填写"
    assert found["/applicant/id_number"] == "身份证号码为必填项，请填写"
    assert found["/applicant/gender"] == "性别为必填项，请填写"


def test_reason_too_long(renderer):
    assert errors(renderer, payload(reason="是" * 601)) == {"/reason": "免学理由过长，最多600个字（版面所容），现有601个字"}


def test_reason_of_too_many_paragraphs_refused(renderer):
    found = errors(renderer, payload(reason="\n".join(["是"] * 40)))
    assert list(found) == ["/reason"] and "一页印不下" in found["/reason"]


def test_review_too_long_refused(renderer):
    found = errors(renderer, payload(review="同意。" * 29))    # 87 characters: the schema's limit is what 3 lines hold
    assert list(found) == ["/review"] and "85" in found["/review"]
    found = errors(renderer, payload(review="\n".join(["同意。"] * 4)))    # short, but a line each
    assert list(found) == ["/review"] and "审核意见在表格中超过3行" in found["/review"]
    assert renderer.render(SLUG, payload(review="同意。" * 28 + "是"), "pdf").content   # 85 in one paragraph


LONG = "中国（新疆）自由贸易试验区乌鲁木齐片区经开功能区块工作领导小组办公室综合保障科" * 3
WORST = {"name": LONG[:20], "gender": "女", "id_number": "65290119910614032X", "birth": "1991年12月",
         "work_start": "2011年12月", "education": LONG[:15], "degree": LONG[:15], "graduation": LONG[:60],
         "work_unit": LONG[:60], "current_title": LONG[:15], "target_title": LONG[:15]}


def test_reason_up_to_its_sure_length_fits_beside_any_other_fields():
    """The schema's promise (issue 21 point 5): REASON_SURE characters in up to REASON_SURE_PARAGRAPHS paragraphs
    fit beside every other field at its limit, however the paragraphs are cut (up to two lines of 9 pt each)."""
    for paragraphs in range(1, ce_exemption.REASON_SURE_PARAGRAPHS + 1):
        for cut in range(1, 90):
            parts = ["是" * cut] * (paragraphs - 1)
            parts.append("是" * (ce_exemption.REASON_SURE - sum(map(len, parts))))
            assert ce_exemption.fit(WORST, parts, ce_exemption.TITLE_LINES_MAX, ce_exemption.NOTES_MAX_LINES), \
                (paragraphs, cut)
    assert ce_exemption.reason_room(WORST) >= ce_exemption.REASON_SURE


def test_reason_too_long_beside_long_fields_says_how_much_fits(renderer):
    data = payload(reason="是" * 400, **{"applicant.work_unit": LONG[:60], "applicant.graduation": LONG[:60],
                                        "applicant.education": LONG[:15]})
    found = errors(renderer, data)
    assert list(found) == ["/reason"], found
    room = int(re.search(r"最多约(\d+)字", found["/reason"])[1])
    assert ce_exemption.REASON_SURE <= room < 400 and "现有400字" in found["/reason"]
    assert renderer.render(SLUG, {**data, "reason": "是" * room}, "pdf").content      # what it said fits


def test_gender_must_match_the_id_number(renderer):
    found = errors(renderer, payload(**{"applicant.gender": "男"}))
    assert list(found) == ["/applicant/gender"] and "第17位表示女" in found["/applicant/gender"]


def test_rare_characters_in_a_name(renderer):
    pdf, docx = both(renderer, payload(**{"applicant.name": "王𠈌堃"}))
    assert "姓名王𠈌堃性别" in pdf and "姓名王𠈌堃性别" in docx
