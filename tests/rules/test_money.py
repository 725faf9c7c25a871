"""Tests for 大写金额."""
from decimal import Decimal

import pytest

from docgen.rules import RuleError, amount_in_words


@pytest.mark.parametrize("amount, expected", [
    (380, "叁佰捌拾元整"),
    (220, "贰佰贰拾元整"),
    (1000, "壹仟元整"),
    (100.5, "壹佰元伍角"),
    (Decimal("100.50"), "壹佰元伍角"),
    (Decimal("1409.50"), "壹仟肆佰零玖元伍角"),
    (Decimal("6007.14"), "陆仟零柒元壹角肆分"),
    (10, "壹拾元整"),
    (0, "零元整"),
])
def test_amounts(amount, expected):
    assert amount_in_words(amount) == expected


@pytest.mark.parametrize("amount, fragment", [
    (-5, "负数"),
    (Decimal("1.005"), "精确到分"),  # cn2an would print 壹元整
    (True, "数字"),
    ("380", "数字"),
    (Decimal("NaN"), "数字"),
    (10 ** 12, "过大"),
])
def test_bad_amounts_are_refused(amount, fragment):
    with pytest.raises(RuleError) as info:
        amount_in_words(amount)
    assert fragment in info.value.message
