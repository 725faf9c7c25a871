"""从事专业技术工作经历证明: a paragraph a period, 至今, the total, the checks on the periods, blank form."""
from __future__ import annotations

import datetime as dt

import pytest

from docgen import profiles
from tests.helpers import changed, docx_text, errors_of as errors_of_kind, pdf_text, squash, texts_of
from tests.layout.pages import check_letter_pages, pdf_pages

SLUG = "work-history-certificate"
NAME, ID = "兹证明阿不都热合曼·买买提同志", "（身份证号码：652801198801092312）："
PERIODS = ("2011年7月至2015年6月，在尉犁县农业技术推广站从事棉花栽培技术推广工作。"
           "2015年7月至2018年12月，在巴音郭楞蒙古自治州农业科学研究所从事棉花节水灌溉技术试验与示范工作。"
           "2019年1月至今，在巴音郭楞蒙古自治州农业科学研究所从事棉花栽培与节水灌溉技术研究工作。")


def payload(**changes) -> dict:
    return changed(SLUG, **changes)


def period(start: str, end: str | None = None, work: str = "棉花栽培技术推广工作") -> dict:
    out = {"start": start, "work_unit": "尉犁县农业技术推广站", "work": work}
    return out | ({"end": end} if end else {})


def errors_of(renderer, data):
    return errors_of_kind(renderer, SLUG, data)


@pytest.mark.parametrize("pid", sorted(set(profiles.ids()) - {"aksu-archives-2024"}))
def test_wording_in_every_profile(renderer, pid):
    for text in texts_of(renderer, SLUG, payload(), pid):
        # 2011-07 to 2024-09, both included: 159 months; the date of the certificate closes 至今
        assert text == ("从事专业技术工作经历证明" + NAME + "从事专业技术工作的经历如下" + ID + PERIODS +
                        "以上累计从事专业技术工作13年3个月。以上情况属实，特此证明。"
                        "巴音郭楞蒙古自治州农业科学研究所（公章）2024年9月2日")


def test_aksu_asks_for_the_years_in_the_current_specialty(renderer):
    # seed 002 四(五)5: 首次参加职称评审且直接申报中级的人员 … 从事现任专业工作年限的书面证明材料
    for text in texts_of(renderer, SLUG, payload(), "aksu-archives-2024"):
        assert text.startswith("从事现任专业工作年限证明" + NAME + "从事现任专业工作的经历如下" + ID + PERIODS)
        assert "以上累计从事现任专业工作13年3个月。" in text


@pytest.mark.parametrize("periods,total", [
    ([period("2020-01", "2020-12")], "1年"),
    ([period("2024-07", "2024-09")], "3个月"),
    ([period("2019-03", "2020-06"), period("2020-06", "2021-01")], "1年11个月"),   # June 2020 counted once
    ([period("2015-01", "2015-12"), period("2018-01", "2018-06")], "1年6个月"),     # a gap is not counted
])
def test_total_counts_each_month_once(renderer, periods, total):
    pdf, docx = texts_of(renderer, SLUG, payload(periods=periods))
    assert f"累计从事专业技术工作{total}。" in pdf and f"累计从事专业技术工作{total}。" in docx


def test_undated_certificate_counts_until_today(renderer):
    today = dt.date.today()
    pdf, _ = texts_of(renderer, SLUG, payload(date=None, periods=[period(f"{today.year - 2}-{today.month:02d}")]))
    assert "至今，在尉犁县农业技术推广站" in pdf and "累计从事专业技术工作2年1个月。" in pdf
    assert pdf.endswith("（公章）年月日")


def test_end_before_start(renderer):
    errors = errors_of(renderer, payload(periods=[period("2015-07", "2015-06")]))
    assert errors == {"/periods/0/end": "截止年月2015年6月早于起始年月2015年7月，请核对"}


def test_periods_out_of_order(renderer):
    errors = errors_of(renderer, payload(periods=[period("2015-07", "2018-12"), period("2011-07", "2015-06")]))
    assert errors == {"/periods/1/start": "工作经历应按时间先后排列：第2段起始年月2011年7月早于第1段的2015年7月"}


def test_overlapping_periods(renderer):
    errors = errors_of(renderer, payload(periods=[period("2011-07", "2015-06"), period("2015-03", "2018-12")]))
    assert errors == {"/periods/1/start": "第2段与第1段重叠：第1段至2015年6月，第2段自2015年3月起，请核对"}


def test_only_the_last_period_is_open(renderer):
    errors = errors_of(renderer, payload(periods=[period("2011-07"), period("2015-07", "2018-12")]))
    assert errors == {"/periods/0/end": "第1段未填截止年月（至今），其后还有第2段：只有最后一段可以至今，请填写截止年月"}


def test_periods_after_the_certificate_are_refused(client):
    data = payload(periods=[period("2011-07", "2024-10"), period("2024-11")])
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf", json=data)
    assert resp.status_code == 422
    assert {e["pointer"]: e["detail"] for e in resp.json["errors"]} == {
        "/periods/0/end": "截止年月2024年10月晚于证明的成文日期2024年9月2日，经历证明只能写已有的经历，请核对",
        "/periods/1/start": "起始年月2024年11月晚于证明的成文日期2024年9月2日，经历证明只能写已有的经历，请核对"}


def test_undated_periods_after_today_are_refused(renderer):
    later = dt.date.today() + dt.timedelta(days=62)
    errors = errors_of(renderer, payload(date=None, periods=[period(f"{later.year}-{later.month:02d}")]))
    assert errors["/periods/0/start"].startswith(f"起始年月{later.year}年{later.month}月晚于今天（")


def test_month_format_and_required_parts(renderer):
    errors = errors_of(renderer, payload(periods=[{"start": "2011年7月", "work": ""}]))
    assert errors == {"/periods/0/start": "起始年月不是有效日期，请按 YYYY-MM-DD 填写，如 2024-08-28",
                      "/periods/0/work_unit": "工作单位为必填项，请填写",
                      "/periods/0/work": "从事的专业技术工作不能为空"}


def test_at_least_one_period_and_at_most_eight(renderer):
    assert errors_of(renderer, payload(periods=[])) == {"/periods": "工作经历至少要有1项"}
    many = [period(f"{2000 + i}-01", f"{2000 + i}-12") for i in range(9)]
    assert errors_of(renderer, payload(periods=many)) == {"/periods": "工作经历最多8项"}


def test_longest_content_within_two_pages(renderer):
    unit = ("巴音郭楞蒙古自治州农业科学研究所棉花与特色作物栽培技术研究中心实验室" * 2)[:50]
    periods = [{"start": f"{2000 + 3 * i}-01", "end": f"{2002 + 3 * i}-12", "work_unit": unit,
                "work": ("棉花栽培与节水灌溉技术研究及示范推广工作" * 2)[:30]} for i in range(8)]
    data = payload(periods=periods, unit={"name": unit})
    data["applicant"]["name"] = "买买提艾力·阿不都克热木"
    pages = pdf_pages(renderer.render(SLUG, data, "pdf").content)
    assert len(pages) == 2
    check_letter_pages(pages, names=[data["applicant"]["name"]], signoff_date=True)


def test_blank_form(renderer):
    pdf = squash(pdf_text(renderer.blank(SLUG, "pdf", "bazhou-2024").content))
    assert pdf == ("从事专业技术工作经历证明兹证明同志从事专业技术工作的经历如下（身份证号码：）：" +
                   "年月至年月，在从事。" * 4 + "以上累计从事专业技术工作年个月。以上情况属实，特此证明。（公章）年月日")
    assert squash(docx_text(renderer.blank(SLUG, "docx", "bazhou-2024").content)) == pdf
    assert len(pdf_pages(renderer.blank(SLUG, "pdf", "aksu-archives-2024").content)) == 1
