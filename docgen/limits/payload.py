"""JSON bodies parsed with bounds: nesting depth and the length of numbers (400 beyond them, never a 500).

The standard parser recurses once per level (10⁵ nested lists raised RecursionError) and turns any run of
digits into an int (a 5000-digit number raised ValueError past Python's 4300-digit limit).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import NoReturn

from docgen.errors import Problem

MAX_DEPTH = 32            # the deepest payload (a batch with per-document defaults) is 5 levels
MAX_NUMBER_CHARS = 40     # an ID number sent as a number has 18 digits; a year 4


def _malformed(detail: str) -> Problem:
    return Problem(400, "请求格式错误", detail, slug="malformed-json")


def _number(parse: Callable[[str], object]) -> Callable[[str], object]:
    """Return a JSON number parser that refuses numbers longer than MAX_NUMBER_CHARS (400)."""
    def bounded(text: str) -> object:
        if len(text) > MAX_NUMBER_CHARS:
            raise _malformed(f"JSON 中的数字过长（{len(text)}位），数字不能超过{MAX_NUMBER_CHARS}位；长号码请用字符串")
        return parse(text)
    return bounded


def _constant(name: str) -> NoReturn:
    raise _malformed(f"JSON 中不允许 {name}，请用数字或字符串")


def parse(raw: bytes) -> object:
    """Parse a UTF-8 JSON body; 400 problem for malformed JSON, nesting deeper than MAX_DEPTH, huge numbers."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("请求体不是 UTF-8 编码的文本") from None
    try:
        value = json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise _malformed(f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列附近（{exc.msg}）") from None
    except RecursionError:
        raise _malformed(f"JSON 嵌套层数过多，不能超过{MAX_DEPTH}层") from None
    if _depth(value) > MAX_DEPTH:
        raise _malformed(f"JSON 嵌套层数过多，不能超过{MAX_DEPTH}层")
    return value


def _depth(value: object) -> int:
    """Return how deeply lists and objects nest in `value`, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
