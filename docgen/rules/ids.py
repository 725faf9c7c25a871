"""居民身份证号码 and 统一社会信用代码: checks that name what is wrong, in Chinese."""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from docgen.rules.errors import RuleError

# GB 32100-2015 §4: digits and upper-case Latin letters without I, O, Z, S, V
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class IdInfo:
    """What a valid 18-digit ID number says about its holder."""

    number: str
    birth_date: dt.date
    gender: str
    region_code: str


def _compact(value: str) -> str:
    """Fold full-width characters, drop spaces and hyphens, upper-case."""
    if not isinstance(value, str):
        raise RuleError(f"号码应为文字，当前为“{value}”")
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def parse_id_number(value: str) -> IdInfo:
    """Check an 18-digit 居民身份证号码 and return what it encodes (GB 11643-1999)."""
    number = _compact(value)
    if len(number) == 15 and number.isdigit():
        raise RuleError("身份证号码应为18位，当前为15位（15位旧号码已停止使用，请填写18位号码）")
    if len(number) != 18:
        raise RuleError(f"身份证号码应为18位，当前为{len(number)}位")
    for position, ch in enumerate(number, start=1):
        allowed = "0123456789X" if position == 18 else "0123456789"
        if ch not in allowed:
            raise RuleError(f"身份证号码只能由数字组成，最后一位可以是X；第{position}位“{ch}”不符合要求")
    try:
        birth_date = ric.get_birth_date(number)
    except ValidationError:
        raise RuleError(f"身份证号码中的出生日期{number[6:14]}无效") from None
    region_code = number[:6]
    if not _region_known(region_code):
        raise RuleError(f"身份证号码前6位地址码{region_code}不是有效的行政区划代码，请核对号码")
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        raise RuleError(f"身份证号码校验位错误，应为{expected}，请核对号码")
    # GB 11643-1999 §4.3: the 顺序码 (17th digit) is odd for men, even for women
    gender = "男" if int(number[16]) % 2 else "女"
    return IdInfo(number=number, birth_date=birth_date, gender=gender, region_code=region_code)


@cache
def _region_known(code: str) -> bool:
    """Tell whether a 6-digit code is a GB/T 2260 division code in any period.

    stdnum's own check also requires the county to exist in the birth year, which rejects
    real numbers: a code is given at registration, often years after birth (e.g. 654002
    伊宁市 exists from 2001, yet holders born in 1980 carry it).
    """
    found = numdb.get("cn/loc").info(code)
    return any("county" in props for _, props in found)


def mask_id_number(value: str) -> str:
    """Hide the middle of an ID number for public documents: 652801********1234."""
    number = _compact(value)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def check_uscc(value: str) -> str:
    """Check a 统一社会信用代码 and return it normalised (GB 32100-2015)."""
    code = _compact(value)
    if len(code) != 18:
        raise RuleError(f"统一社会信用代码应为18位，当前为{len(code)}位")
    for position, ch in enumerate(code, start=1):
        if ch not in USCC_ALPHABET:
            raise RuleError(f"统一社会信用代码只能由数字和大写英文字母（不含I、O、Z、S、V）组成；"
                            f"第{position}位“{ch}”不符合要求")
    if not code[2:8].isdigit():
        # GB 32100-2015 §4.3: positions 3–8 are the 登记管理机关行政区划码
        raise RuleError(f"统一社会信用代码第3至8位应为行政区划码（6位数字），当前为“{code[2:8]}”")
    expected = uscc.calc_check_digit(code)
    if code[-1] != expected:
        raise RuleError(f"统一社会信用代码校验位错误，应为{expected}，请核对代码")
    return code


# GB 32100-2015 附录A: the code's first two characters, 登记管理部门 and 机构类别
USCC_CATEGORIES = {
    "11": "机构编制部门登记的机关", "12": "机构编制部门登记的事业单位", "13": "机构编制部门登记的群众团体",
    "19": "机构编制部门登记的其他单位", "51": "民政部门登记的社会团体", "52": "民政部门登记的民办非企业单位",
    "53": "民政部门登记的基金会", "59": "民政部门登记的其他单位", "91": "工商部门登记的企业",
    "92": "工商部门登记的个体工商户", "93": "工商部门登记的农民专业合作社",
}


def uscc_category(code: str) -> str:
    """Return what a checked 统一社会信用代码's first two characters say the holder is (GB 32100-2015 附录A)."""
    return USCC_CATEGORIES.get(code[:2], "其他部门登记的单位")
