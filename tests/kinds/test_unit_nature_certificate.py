"""单位性质证明: the unit, its code, its nature checked against the code, 主管部门 or 无, blank form."""
from __future__ import annotations

import pytest

from docgen import profiles
from tests.helpers import changed, docx_text, errors_of as errors_of_kind, pdf_text, squash, texts_of

SLUG = "unit-nature-certificate"
ENTERPRISE = "91652801MA78K3R5XR"   # 91: an enterprise registered by 市场监管 (GB 32100 附录A)


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def errors_of(renderer, data):
    return errors_of_kind(renderer, SLUG, data)


@pytest.mark.parametrize("pid", profiles.ids())
def test_wording_in_every_profile(renderer, pid):
    for text in texts_of(renderer, SLUG, payload(), pid):
        assert text == ("单位性质证明兹证明巴音郭楞蒙古自治州农业科学研究所（统一社会信用代码：12652800458701239L）为事业单位，"
                        "主管部门：巴音郭楞蒙古自治州农业农村局。阿不都热合曼·买买提同志系我单位专业技术人员。特此证明。"
                        "巴音郭楞蒙古自治州农业科学研究所（公章）2024年9月2日")


def test_no_competent_department_prints_wu(renderer):
    data = payload(nature="民营企业", competent=None, unit={"name": "库尔勒市天山纺织有限公司", "uscc": ENTERPRISE})
    for text in texts_of(renderer, SLUG, data):
        assert "库尔勒市天山纺织有限公司（统一社会信用代码：91652801MA78K3R5XR）为民营企业，主管部门：无。" in text


def test_code_written_in_lower_case_is_printed_normalised(renderer):
    data = payload(unit={"name": "巴音郭楞蒙古自治州农业科学研究所", "uscc": "12652800458701239l"})
    pdf, docx = texts_of(renderer, SLUG, data)
    assert "12652800458701239L" in pdf and "12652800458701239L" in docx


@pytest.mark.parametrize("nature,code,found", [
    ("事业单位", ENTERPRISE, "代码前两位“91”表示工商部门登记的企业，事业单位的代码以“12”开头"),
    ("民营企业", "12652800458701239L", "代码前两位“12”表示机构编制部门登记的事业单位，民营企业的代码以“91”开头"),
])
def test_nature_contradicting_the_code_is_a_422_at_nature(client, nature, code, found):
    data = payload(nature=nature, unit={"name": "巴音郭楞蒙古自治州农业科学研究所", "uscc": code})
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf", json=data)
    assert resp.status_code == 422
    [error] = resp.json["errors"]
    assert error["pointer"] == "/nature"
    assert error["detail"] == f"单位性质“{nature}”与统一社会信用代码不符：{found}，请核对单位性质或代码"


def test_code_required_and_checked(renderer):
    errors = errors_of(renderer, payload(unit={"name": "巴音郭楞蒙古自治州农业科学研究所"}))
    assert errors == {"/unit/uscc": "统一社会信用代码为必填项，请填写"}
    errors = errors_of(renderer, payload(unit={"name": "巴音郭楞蒙古自治州农业科学研究所", "uscc": "12652800458701239M"}))
    assert errors["/unit/uscc"].endswith("统一社会信用代码校验位错误，应为L，请核对代码")


def test_nature_is_one_of_the_list(renderer):
    errors = errors_of(renderer, payload(nature="单位"))
    assert errors["/nature"].startswith("单位性质只能是：机关、参照公务员法管理的事业单位、事业单位、国有企业、民营企业")
    assert errors_of(renderer, payload(nature=None)) == {"/nature": "单位性质为必填项，请填写"}


def test_blank_form(renderer):
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", "bazhou-2024").content))
    assert pdf == ("单位性质证明兹证明（统一社会信用代码：）为（机关、事业单位、企业等），主管部门：。同志系我单位专业技术人员。"
                   "特此证明。（公章）年月日")
    assert squash(docx_text(renderer.blank(SLUG, "docx", "bazhou-2024").content)) == pdf
