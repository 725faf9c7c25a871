"""Text hygiene: every string of a payload in NFC, without characters that change or hide what is printed.

A name with U+202E (right-to-left override) printed the ID number beside it reversed; control characters
reached the PDF. Refused: bidi controls, other control and format characters (zero-width and invisible
ones), private-use code points and lone surrogates; line breaks and tabs stay allowed in long texts, never in
one-line fields (a name with U+2028 printed on two lines).
"""
from __future__ import annotations

import unicodedata

ALLOWED_CONTROLS = frozenset("\t\n\r")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_BREAKS = frozenset("\n\r\u2028\u2029\x0b\x0c\x85")
_KINDS = {"Cc": "控制字符", "Cf": "不可见的格式字符", "Co": "私用区字符（各机器显示不同）", "Cs": "无效的字符编码"}


def problem(text: str) -> str | None:
    """Return why `text` cannot be printed (Chinese, naming the first bad character), or None."""
    for index, char in enumerate(text):
        what: str | None
        if char in BIDI_CONTROLS:
            what = "文字方向控制字符（会使打印出的文字顺序颠倒）"
        elif char in ALLOWED_CONTROLS:
            continue
        else:
            what = _KINDS.get(unicodedata.category(char))
            if what is None:
                continue
        return f"含有{what} U+{ord(char):04X}（第{index + 1}个字符），请删除后重新输入"
    return None


def line_break(text: str) -> str | None:
    """Return why `text` cannot fill a one-line field (Chinese, naming the first line break), or None."""
    for index, char in enumerate(text):
        if char in LINE_BREAKS:
            return f"只能填写一行，含有换行符 U+{ord(char):04X}（第{index + 1}个字符），请删除后重新输入"
    return None


def clean(value: object, loc: tuple = ()) -> tuple[object, list[tuple[tuple, str]]]:
    """Return `value` (a parsed JSON payload) with every string in NFC, and the (location, reason) of each
    string or key that cannot be printed."""
    errors: list[tuple[tuple, str]] = []
    if isinstance(value, str):
        reason = problem(value)
        if reason:
            errors.append((loc, reason))
        return unicodedata.normalize("NFC", value) if not reason else value, errors
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            cleaned, found = clean(item, loc + (index,))
            items.append(cleaned)
            errors.extend(found)
        return items, errors
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            reason = problem(key) if isinstance(key, str) else None
            if reason:
                errors.append((loc + (key,), f"字段名{reason}"))
            cleaned, found = clean(item, loc + (key,))
            out[unicodedata.normalize("NFC", key) if isinstance(key, str) else key] = cleaned
            errors.extend(found)
        return out, errors
    return value, errors
