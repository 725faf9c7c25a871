"""Controlled vocabularies (性别, 民族, 政治面貌, 级别, 评定方式) and their normalisers."""
from __future__ import annotations

from docgen.rules.errors import RuleError

GENDERS = ("男", "女")

# GB 3304-1991 中国各民族名称的罗马字母拼写法和代码, codes 01–56 in order
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)
# GB 3304-1991 codes 97 and 98: not one of the 56, still valid on a form
OTHER_ETHNICITIES = ("其他", "外国血统中国籍人士")

_ETHNICITY_ALIASES = {
    **{name.removesuffix("族"): name for name in ETHNICITIES},
    # informal short forms common in Xinjiang paperwork
    "维族": "维吾尔族", "哈族": "哈萨克族", "柯族": "柯尔克孜族", "蒙族": "蒙古族", "乌兹别克族": "乌孜别克族",
    "其他民族": "其他", "其它": "其他", "外国血统": "外国血统中国籍人士",
}

# GB/T 4762-1984 政治面貌代码 01–13; the short form is what officials print (canonical here)
POLITICAL_STATUSES = (
    "中共党员", "中共预备党员", "共青团员", "民革会员", "民盟盟员", "民建会员", "民进会员",
    "农工党党员", "致公党党员", "九三学社社员", "台盟盟员", "无党派人士", "群众",
)
_POLITICAL_ALIASES = {
    "中国共产党党员": "中共党员", "中国共产党员": "中共党员", "共产党员": "中共党员",
    "中国共产党预备党员": "中共预备党员", "预备党员": "中共预备党员",
    "中国共产主义青年团团员": "共青团员", "共青团团员": "共青团员", "团员": "共青团员",
    "中国国民党革命委员会会员": "民革会员", "中国民主同盟盟员": "民盟盟员",
    "中国民主建国会会员": "民建会员", "中国民主促进会会员": "民进会员",
    "中国农工民主党党员": "农工党党员", "中国致公党党员": "致公党党员",
    "台湾民主自治同盟盟员": "台盟盟员", "无党派": "无党派人士", "无党派民主人士": "无党派人士",
}

# every spelling each normaliser below accepts: the standard names first, then the other forms it maps to them
ETHNICITY_SPELLINGS = (*ETHNICITIES, *OTHER_ETHNICITIES, *(a for a in _ETHNICITY_ALIASES if a not in ETHNICITIES))
POLITICAL_STATUS_SPELLINGS = (*POLITICAL_STATUSES, *_POLITICAL_ALIASES)

LEVELS = ("初级", "中级", "副高级", "正高级")

ROUTES = ("初定", "授予", "评审")
_ROUTE_ALIASES = {"初次确定": "初定"}
ROUTE_SPELLINGS = (*ROUTES, *_ROUTE_ALIASES)


def _clean(value: object) -> str:
    """Strip a value given as text; refuse anything else."""
    if not isinstance(value, str):
        raise RuleError(f"应为文字，当前为“{value}”")
    return value.strip()


def _choices(values: tuple[str, ...]) -> str:
    return "、".join(values)


def normalize_gender(value: str) -> str:
    """Return 男 or 女."""
    text = _clean(value)
    if text in GENDERS:
        return text
    raise RuleError(f"“{text}”不是有效的性别，只能是：{_choices(GENDERS)}")


def normalize_ethnicity(value: str) -> str:
    """Return the GB 3304 name of an ethnic group, accepting short forms such as 维吾尔 or 汉."""
    text = _clean(value)
    if text in ETHNICITIES or text in OTHER_ETHNICITIES:
        return text
    if text in _ETHNICITY_ALIASES:
        return _ETHNICITY_ALIASES[text]
    raise RuleError(f"“{text}”不是GB 3304规定的民族名称，请填写标准名称，如汉族、维吾尔族、哈萨克族、回族")


def normalize_political_status(value: str) -> str:
    """Return the printed short form of a 政治面貌 (GB/T 4762), mapping the long forms to it."""
    text = _clean(value)
    if text in POLITICAL_STATUSES:
        return text
    if text in _POLITICAL_ALIASES:
        return _POLITICAL_ALIASES[text]
    hint = "（“党员”不明确，中共党员请填写“中共党员”）" if text == "党员" else ""
    raise RuleError(f"“{text}”不是有效的政治面貌{hint}，只能是：{_choices(POLITICAL_STATUSES)}")


def normalize_level(value: str) -> str:
    """Return one of the four title levels 初级、中级、副高级、正高级."""
    text = _clean(value)
    if text in LEVELS:
        return text
    if text == "高级":
        raise RuleError("“高级”不明确，请填写副高级或正高级")
    raise RuleError(f"“{text}”不是有效的级别，只能是：{_choices(LEVELS)}")


def normalize_route(value: str) -> str:
    """Return how a title is obtained: 初定 (also written 初次确定), 授予 or 评审."""
    text = _clean(value)
    if text in ROUTES:
        return text
    if text in _ROUTE_ALIASES:
        return _ROUTE_ALIASES[text]
    raise RuleError(f"“{text}”不是有效的取得方式，只能是：初定（初次确定）、授予、评审")
