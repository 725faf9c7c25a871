"""Tests for the pydantic field types: normalised values, Chinese errors, string schemas."""
import pytest
from pydantic import BaseModel, ValidationError

from docgen.rules import vocab
from docgen.rules.types import Ethnicity, Gender, IdNumber, Level, PoliticalStatus, Route, Uscc


class Person(BaseModel):
    id_number: IdNumber | None = None
    uscc: Uscc | None = None
    gender: Gender | None = None
    ethnicity: Ethnicity | None = None
    political_status: PoliticalStatus | None = None
    level: Level | None = None
    route: Route | None = None


def only_error(**data) -> dict:
    with pytest.raises(ValidationError) as info:
        Person(**data)
    errors = info.value.errors(include_url=False)
    assert len(errors) == 1
    return errors[0]


def test_values_are_normalised():
    person = Person(id_number=" 11010519491231002x", uscc="91350100m000100y43", gender="女", ethnicity="维吾尔",
                    political_status="中国共产党党员", level="中级", route="初次确定")
    assert person.model_dump() == {
        "id_number": "11010519491231002X", "uscc": "91350100M000100Y43", "gender": "女", "ethnicity": "维吾尔族",
        "political_status": "中共党员", "level": "中级", "route": "初定"}


@pytest.mark.parametrize("field, value, error_type, message", [
    ("id_number", "110105194912310021", "id_number", "身份证号码校验位错误，应为X，请核对号码"),
    ("id_number", "11010519900230002X", "id_number", "身份证号码中的出生日期19900230无效"),
    ("uscc", "91350100M000100Y44", "uscc", "统一社会信用代码校验位错误，应为3，请核对代码"),
    ("level", "高级", "vocab", "“高级”不明确，请填写副高级或正高级"),
])
def test_errors_carry_the_rule_message(field, value, error_type, message):
    error = only_error(**{field: value})
    assert error["type"] == error_type
    assert error["msg"] == message
    assert error["loc"] == (field,)


def test_braces_typed_by_users_are_kept_verbatim():
    error = only_error(ethnicity="{value}族")
    assert error["msg"].startswith("“{value}族”不是GB 3304")


def test_non_strings_fail_before_the_rule():
    assert only_error(id_number=110105194912310021)["type"] == "string_type"


def test_json_schemas_are_strings():
    props = Person.model_json_schema()["properties"]
    schemas = {name: prop["anyOf"][0] for name, prop in props.items()}
    assert all(schema["type"] == "string" for schema in schemas.values())
    assert schemas["id_number"]["pattern"] == r"^\d{17}[\dXx]$"
    assert schemas["gender"]["enum"] == ["男", "女"]
    assert schemas["level"]["enum"] == ["初级", "中级", "副高级", "正高级"]
    # closed lists (issue 23): the enum holds every spelling accepted (维吾尔, 初次确定), x-choices the standard names
    assert {"维吾尔族", "维吾尔", "维族"} <= set(schemas["ethnicity"]["enum"]) and "维吾尔" not in schemas["ethnicity"]["x-choices"]
    assert set(schemas["route"]["enum"]) == {"初定", "授予", "评审", "初次确定"}
    assert {"中共党员", "共产党员"} <= set(schemas["political_status"]["enum"])
    for name, normalize in (("ethnicity", vocab.normalize_ethnicity), ("route", vocab.normalize_route),
                            ("political_status", vocab.normalize_political_status)):
        assert all(normalize(value) in schemas[name]["x-choices"] for value in schemas[name]["enum"]), name


def test_schema_examples_validate():
    props = Person.model_json_schema()["properties"]
    sample = {name: prop["anyOf"][0]["examples"][0] for name, prop in props.items()}
    assert Person(**sample).id_number == "11010519491231002X"
