"""Tests for 居民身份证号码 and 统一社会信用代码 checks."""
import datetime as dt

import pytest
from stdnum.cn import ric

from docgen.rules import IdInfo, RuleError, check_uscc, mask_id_number, parse_id_number


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_x_check_digit_lower_case_accepted_and_upper_cased():
    info = parse_id_number("11010519491231002x")
    assert info == IdInfo("11010519491231002X", dt.date(1949, 12, 31), "女", "110105")


def test_gender_from_17th_digit():
    assert parse_id_number(with_check_digit("65280119900101123")).gender == "男"   # 3: odd
    assert parse_id_number(with_check_digit("65280119900101124")).gender == "女"   # 4: even
    assert parse_id_number(with_check_digit("65010219850615000")).gender == "女"   # 0: even


def test_leap_day_2000_is_a_valid_birth_date():
    info = parse_id_number(with_check_digit("65280120000229123"))
    assert info.birth_date == dt.date(2000, 2, 29)
    assert info.region_code == "652801"


@pytest.mark.parametrize("number, digits", [
    (with_check_digit("65280119000229123"), "19000229"),   # 1900 is not a leap year
    (with_check_digit("11010519900230123"), "19900230"),
    (with_check_digit("11010519901301123"), "19901301"),
])
def test_invalid_birth_dates(number, digits):
    with pytest.raises(RuleError) as info:
        parse_id_number(number)
    assert info.value.message == f"身份证号码中的出生日期{digits}无效"


def test_wrong_check_digit_names_the_right_one():
    with pytest.raises(RuleError) as info:
        parse_id_number("110105194912310021")
    assert info.value.message == "身份证号码校验位错误，应为X，请核对号码"


@pytest.mark.parametrize("value, count", [("1101051949123100", 16), ("11010519491231002X1", 19), ("", 0)])
def test_wrong_length(value, count):
    with pytest.raises(RuleError) as info:
        parse_id_number(value)
    assert info.value.message == f"身份证号码应为18位，当前为{count}位"


def test_old_15_digit_numbers_are_refused_with_a_reason():
    with pytest.raises(RuleError) as info:
        parse_id_number("110105491231002")
    assert "当前为15位" in info.value.message and "旧号码已停止使用" in info.value.message


@pytest.mark.parametrize("value, fragment", [
    ("11010519491231002A", "第18位“A”"),
    ("1101051949123100X2", "第17位“X”"),
    ("11010519491231O02X", "第15位“O”"),
])
def test_illegal_characters_name_the_position(value, fragment):
    with pytest.raises(RuleError) as info:
        parse_id_number(value)
    assert fragment in info.value.message


def test_unknown_region_code():
    with pytest.raises(RuleError) as info:
        parse_id_number(with_check_digit("99010519491231002"))
    assert "地址码990105" in info.value.message


def test_region_code_newer_than_the_birth_year_is_accepted():
    # 654002 伊宁市 exists from 2001; a holder born in 1980 can still carry it (stdnum alone refuses)
    number = with_check_digit("65400219800101001")
    assert not ric.is_valid(number)
    assert parse_id_number(number).region_code == "654002"


def test_spaces_and_full_width_characters_are_folded():
    assert parse_id_number(" １１０１０５ 19491231 002ｘ ").number == "11010519491231002X"


def test_mask_keeps_first_6_and_last_4():
    assert mask_id_number("652801199001011234") == "652801********1234"
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_id_number("123") == "***"


def test_valid_uscc_is_normalised():
    assert check_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert check_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("value, message", [
    ("91350100M000100Y44", "统一社会信用代码校验位错误，应为3，请核对代码"),
    ("91350100M000100Y4", "统一社会信用代码应为18位，当前为17位"),
])
def test_broken_uscc(value, message):
    with pytest.raises(RuleError) as info:
        check_uscc(value)
    assert info.value.message == message


@pytest.mark.parametrize("value, fragment", [
    ("91350100M000100I43", "第16位“I”"),      # GB 32100: no I, O, Z, S, V
    ("91350100M0001#0Y43", "第14位“#”"),
    ("913501AAM000100Y43", "第3至8位"),
])
def test_uscc_charset(value, fragment):
    with pytest.raises(RuleError) as info:
        check_uscc(value)
    assert fragment in info.value.message
