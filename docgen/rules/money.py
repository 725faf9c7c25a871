"""大写金额: amounts of money in capital Chinese numerals."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import cn2an

from docgen.rules.errors import RuleError

_LIMIT = Decimal(10) ** 12  # 万亿 and above are not written the same way everywhere; no fee comes near


def amount_in_words(n: int | Decimal | float) -> str:
    """Write an amount of yuan in 大写: 380 → 叁佰捌拾元整, 100.5 → 壹佰元伍角.

    # 《支付结算办法》附件一 正确填写票据和结算凭证的基本规定: 到"元"为止的写"整"，有角分的不写"整"
    Amounts with fractions of a 分 are refused rather than rounded: cn2an would silently truncate them.
    """
    if isinstance(n, bool) or not isinstance(n, (int, Decimal, float)):
        raise RuleError(f"金额应为数字，当前为“{n}”")
    try:
        amount = Decimal(str(n)) if isinstance(n, float) else Decimal(n)
    except InvalidOperation:
        raise RuleError(f"金额应为数字，当前为“{n}”") from None
    if not amount.is_finite():
        raise RuleError(f"金额应为数字，当前为“{n}”")
    if amount < 0:
        raise RuleError(f"金额不能为负数，当前为{n}")
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleError(f"金额最多精确到分（两位小数），当前为{n}")
    if amount >= _LIMIT:
        raise RuleError(f"金额过大：{n}")
    return cn2an.an2cn(f"{amount:.2f}", "rmb")
