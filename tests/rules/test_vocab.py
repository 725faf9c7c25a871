"""Tests for the controlled vocabularies."""
import pytest

from docgen.rules import (
    ETHNICITIES, LEVELS, POLITICAL_STATUSES, RuleError, normalize_ethnicity, normalize_gender, normalize_level,
    normalize_political_status, normalize_route,
)


def test_56_distinct_ethnic_groups_all_ending_in_zu():
    assert len(ETHNICITIES) == len(set(ETHNICITIES)) == 56
    assert all(name.endswith("族") for name in ETHNICITIES)
    assert ETHNICITIES[0] == "汉族" and ETHNICITIES[4] == "维吾尔族" and ETHNICITIES[-1] == "基诺族"


@pytest.mark.parametrize("value, expected", [
    ("维吾尔族", "维吾尔族"), ("维吾尔", "维吾尔族"), (" 汉 ", "汉族"), ("蒙古", "蒙古族"),
    ("哈萨克", "哈萨克族"), ("柯尔克孜", "柯尔克孜族"), ("维族", "维吾尔族"), ("土", "土族"), ("土家", "土家族"),
    ("其他", "其他"), ("外国血统中国籍人士", "外国血统中国籍人士"),
])
def test_ethnicity_short_forms(value, expected):
    assert normalize_ethnicity(value) == expected


@pytest.mark.parametrize("value", ["维吾尔人", "汉族人", "", "Han"])
def test_unknown_ethnicity_names_a_hint(value):
    with pytest.raises(RuleError) as info:
        normalize_ethnicity(value)
    assert "GB 3304" in info.value.message and "维吾尔族" in info.value.message


@pytest.mark.parametrize("value", ["男", " 女 "])
def test_gender(value):
    assert normalize_gender(value) == value.strip()


def test_bad_gender_lists_valid_values():
    with pytest.raises(RuleError) as info:
        normalize_gender("M")
    assert "男、女" in info.value.message


@pytest.mark.parametrize("value, expected", [
    ("中国共产党党员", "中共党员"), ("中共党员", "中共党员"), ("中国共产党预备党员", "中共预备党员"),
    ("中国共产主义青年团团员", "共青团员"), ("中国国民党革命委员会会员", "民革会员"),
    ("中国民主同盟盟员", "民盟盟员"), ("中国农工民主党党员", "农工党党员"), ("九三学社社员", "九三学社社员"),
    ("台湾民主自治同盟盟员", "台盟盟员"), ("无党派民主人士", "无党派人士"), (" 群众 ", "群众"),
])
def test_political_status_long_forms_map_to_printed_short_forms(value, expected):
    assert normalize_political_status(value) == expected


def test_every_canonical_political_status_is_accepted_as_is():
    assert [normalize_political_status(s) for s in POLITICAL_STATUSES] == list(POLITICAL_STATUSES)


def test_ambiguous_dangyuan_is_refused_with_a_hint():
    with pytest.raises(RuleError) as info:
        normalize_political_status("党员")
    assert "中共党员" in info.value.message and "不明确" in info.value.message


def test_levels():
    assert [normalize_level(v) for v in LEVELS] == ["初级", "中级", "副高级", "正高级"]
    assert normalize_level(" 副高级 ") == "副高级"


@pytest.mark.parametrize("value, fragment", [("高级", "副高级或正高级"), ("员级", "初级、中级、副高级、正高级")])
def test_bad_levels(value, fragment):
    with pytest.raises(RuleError) as info:
        normalize_level(value)
    assert fragment in info.value.message


@pytest.mark.parametrize("value, expected", [("初次确定", "初定"), ("初定", "初定"), ("授予", "授予"), (" 评审", "评审")])
def test_routes(value, expected):
    assert normalize_route(value) == expected


def test_bad_route():
    with pytest.raises(RuleError) as info:
        normalize_route("考核认定")
    assert "初定" in info.value.message


def test_non_text_is_refused():
    with pytest.raises(RuleError):
        normalize_gender(1)
