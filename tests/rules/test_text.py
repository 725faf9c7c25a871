"""Tests for 无 in empty cells."""
import pytest

from docgen.rules import or_none


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000\t\n", [], (), ["", "  ", None]])
def test_empty_values_print_none(value):
    assert or_none(value) == "无"


@pytest.mark.parametrize("value, expected", [
    (" 工程师 ", "工程师"),
    (0, "0"),
    (2024, "2024"),
    ("无", "无"),
    (["论文一", " 论文二 ", ""], "论文一、论文二"),
])
def test_values_print_stripped(value, expected):
    assert or_none(value) == expected
