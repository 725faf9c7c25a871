"""Pydantic field types built on the rules, failing with the rules' Chinese messages."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from docgen.rules import vocab
from docgen.rules.errors import RuleError
from docgen.rules.ids import check_uscc, parse_id_number


def _checked(error_type: str, rule: Callable[[str], str]) -> AfterValidator:
    """Wrap a rule so that its RuleError becomes a pydantic error of `error_type`."""
    def validate(value: str) -> str:
        try:
            return rule(value)
        except RuleError as exc:
            # no context: the message is used verbatim, braces typed by users included
            raise PydanticCustomError(error_type, exc.message) from None
    return AfterValidator(validate)


def _id_number(value: str) -> str:
    return parse_id_number(value).number


def _schema(description: str, examples: list[str], **extra: Any) -> WithJsonSchema:
    # "enum": every spelling accepted (a closed list); "x-choices": the standard names a form offers in a drop-down
    return WithJsonSchema({"type": "string", "description": description, "examples": examples, **extra})


IdNumber = Annotated[str, _checked("id_number", _id_number), _schema(
    "18位居民身份证号码（GB 11643），末位X可小写", ["11010519491231002X"], pattern=r"^\d{17}[\dXx]$")]
Uscc = Annotated[str, _checked("uscc", check_uscc), _schema(
    "18位统一社会信用代码（GB 32100）", ["91350100M000100Y43"],
    pattern=r"^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}$")]
Gender = Annotated[str, _checked("vocab", vocab.normalize_gender), _schema(
    "性别", list(vocab.GENDERS), enum=list(vocab.GENDERS))]
Ethnicity = Annotated[str, _checked("vocab", vocab.normalize_ethnicity), _schema(
    "民族（GB 3304 名称，也可省略“族”字，如“维吾尔”，统一印为标准名称）", ["汉族", "维吾尔族", "哈萨克族"], maxLength=20,
    enum=list(vocab.ETHNICITY_SPELLINGS), **{"x-choices": [*vocab.ETHNICITIES, *vocab.OTHER_ETHNICITIES]})]
PoliticalStatus = Annotated[str, _checked("vocab", vocab.normalize_political_status), _schema(
    "政治面貌（GB/T 4762），可写全称，统一印为简称：" + "、".join(vocab.POLITICAL_STATUSES), ["中共党员", "群众"],
    maxLength=20, enum=list(vocab.POLITICAL_STATUS_SPELLINGS), **{"x-choices": list(vocab.POLITICAL_STATUSES)})]
Level = Annotated[str, _checked("vocab", vocab.normalize_level), _schema(
    "专业技术职务级别", list(vocab.LEVELS), enum=list(vocab.LEVELS))]
Route = Annotated[str, _checked("vocab", vocab.normalize_route), _schema(
    "取得方式：初定（也可写“初次确定”）、授予、评审", list(vocab.ROUTES), maxLength=10,
    enum=list(vocab.ROUTE_SPELLINGS), **{"x-choices": list(vocab.ROUTES)})]


_ISO_DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def _iso_date(value: object) -> dt.date:
    """Take a date only as a YYYY-MM-DD string (or a date, from our own code): never a number or a Unix time.

    Parsed here, so that strict validation (JSON taken as JSON) sees a date."""
    if isinstance(value, dt.date):
        return value
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise PydanticCustomError("date_type", "日期")   # the message comes from errors.MESSAGES["date_type"]
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("date_parsing", "日期") from None


def _month(value: object) -> dt.date:
    """Accept 2012-07 for a month (printed as 年月) as well as a full ISO date."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", value) if isinstance(value, str) else None
    return _iso_date(f"{match[1]}-{int(match[2]):02d}-01" if match else value)


# a date of the payload: “2024-08-28”; JSON numbers and timestamps are refused (they printed 1970年1月1日)
Date = Annotated[dt.date, BeforeValidator(_iso_date)]


Month = Annotated[dt.date, BeforeValidator(_month), _schema(
    "年月：YYYY-MM（也可写完整日期 YYYY-MM-DD），印为“2011年9月”", ["2011-09"],
    pattern=r"^\s*[1-9]\d{3}-(0?[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?\s*$")]
