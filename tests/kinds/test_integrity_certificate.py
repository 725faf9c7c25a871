"""廉政情况证明: the clean record or the 处分 clause, 有/无 clues, the 纪检部门's seal, errors."""
from __future__ import annotations


import pytest

from tests.helpers import changed, docx_text, errors_of as errors_of_kind, pdf_text, squash, texts_of

SLUG = "integrity-certificate"
PUNISHMENT = {"date": "2022-03-15", "reason": "违反工作纪律", "penalty": "警告", "period": "6个月"}


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def both(renderer, data, profile=None):
    return texts_of(renderer, SLUG, data, profile)


def errors_of(renderer, data):
    return errors_of_kind(renderer, SLUG, data)


def test_clean_record_in_the_seed_wording(renderer):
    for text in both(renderer, payload(), "tacheng-2023"):
        assert text.startswith("廉政情况证明")
        assert ("兹有努尔兰·哈力别克同志系塔城地区人民医院职工，聘现职以来，未受到党纪政纪处理，"
                "无政治纪律、党风廉政方面、计划生育方面的问题线索反映。特此证明。") in text
        assert "中共塔城地区卫生健康委员会纪律检查组（签章）2023年9月4日" in text


def test_punishment_clause_replaces_the_clean_record(renderer):
    for text in both(renderer, payload(punishment=PUNISHMENT)):
        assert "聘现职以来，2022年3月15日因违反工作纪律，受到警告处分，影响期为6个月，无政治纪律" in text
        assert "未受到党纪政纪处理" not in text


def test_no_punishment_no_clause(renderer):
    pdf, docx = both(renderer, payload())
    assert "处分" not in pdf and "影响期" not in pdf and "处分" not in docx


def test_penalty_given_with_its_suffix_is_not_doubled(renderer):
    pdf, _ = both(renderer, payload(punishment={**PUNISHMENT, "penalty": "记过处分"}))
    assert "受到记过处分，" in pdf and "处分处分" not in pdf


@pytest.mark.parametrize("clues,word", [(True, "有"), (False, "无")])
def test_clues_print_you_or_wu(renderer, clues, word):
    pdf, docx = both(renderer, payload(clues=clues))
    sentence = f"，{word}政治纪律、党风廉政方面、计划生育方面的问题线索反映。"
    assert sentence in pdf and sentence in docx
    assert "有（无）" not in pdf


def test_clues_default_to_none(renderer):
    pdf, _ = both(renderer, payload(clues=None))
    assert "，无政治纪律" in pdf


def test_punishment_needs_all_four_parts(renderer):
    errors = errors_of(renderer, payload(punishment={"penalty": "警告"}))
    assert set(errors) == {"/punishment/date", "/punishment/reason", "/punishment/period"}
    assert errors["/punishment/reason"] == "处分原因为必填项，请填写"


def test_punishment_after_the_certificate_is_refused(renderer):
    errors = errors_of(renderer, payload(punishment={**PUNISHMENT, "date": "2023-10-01"}))
    assert "晚于" in errors["/punishment/date"]


def test_required_fields(renderer):
    data = payload(issuer=None)
    del data["applicant"]["work_unit"]
    errors = errors_of(renderer, data)
    assert errors["/applicant/work_unit"] == "工作单位为必填项，请填写"
    assert "为必填项" in errors["/issuer"] and "纪检" in errors["/issuer"]


def test_clues_must_be_true_or_false(renderer):
    errors = errors_of(renderer, payload(clues="也许"))
    assert "true" in errors["/clues"]


def test_blank_form_prints_both_alternatives_to_strike_out(renderer):
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", "tacheng-2023").content))
    assert "未受到党纪政纪处理（或年月日因原因，受到处分，影响期为），有（无）政治纪律" in pdf
    assert "（主管单位纪检部门）（签章）" in pdf
    docx = squash(docx_text(renderer.blank(SLUG, "docx", "tacheng-2023").content))
    assert docx == pdf
