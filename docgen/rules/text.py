"""Printable text for form cells: nothing left blank."""
from __future__ import annotations

from typing import Any

NONE_TEXT = "无"


def or_none(value: Any) -> str:
    """Return the value as printable text, or 无 when it is empty.

    Lists and tuples are joined with 、 (blank items dropped) rather than printed as Python reprs.
    """
    # seed: "对表中的栏目无填写内容的应注明'无'，不得留有空格"
    if value is None:
        return NONE_TEXT
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [str(item).strip() for item in value if item is not None and str(item).strip()]
        return "、".join(items) if items else NONE_TEXT
    text = str(value).strip()
    return text or NONE_TEXT
