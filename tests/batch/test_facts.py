"""One set of facts per applicant: each document's own 成文日期 in a batch (issue 20), the list's order, and every
date that contradicts the 公示 refused with both fields named."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from docgen.batch import plan
from docgen.errors import InvalidPayload

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))


def _dates(items, folder: str = "01-阿不都热合曼·买买提") -> dict[str, dt.date | str | None]:
    return {item.kind: item.payload.get("date") for item in items if item.folder == folder}


def _refused(renderer, batch: dict) -> list[dict]:
    with pytest.raises(InvalidPayload) as refused:
        plan.intake(batch, renderer)
    return refused.value.errors or []


def test_each_document_takes_its_own_date_by_the_notice(renderer):
    # 公示 2024-09-02 … 09-06, batch date 09-09: the 公示 is dated its first day, the result the day after its last
    _, items, _ = plan.intake(copy.deepcopy(SAMPLE), renderer)
    dates = _dates(items)
    assert str(dates["public-notice"]) == "2024-09-02" and str(dates["notice-result"]) == "2024-09-07"
    assert str(dates["commitment"]) == str(dates["evaluation-form"]) == "2024-09-09"
    assert str(next(i.payload["date"] for i in items if i.kind == "roster")) == "2024-09-09"


def test_the_batch_sets_a_documents_date_and_an_applicant_keeps_its_own(renderer):
    batch = copy.deepcopy(SAMPLE)
    batch["dates"] = {"notice-result": "2024-09-10", "public-notice": "2024-09-01"}
    batch["applicants"][1]["payload"]["date"] = "2024-09-12"
    _, items, _ = plan.intake(batch, renderer)
    assert {k: str(v) for k, v in _dates(items).items() if k in batch["dates"]} == batch["dates"]
    assert set(map(str, _dates(items, "02-李娟").values())) == {"2024-09-12"}


def test_an_unknown_type_in_dates_is_named(renderer):
    errors = _refused(renderer, {**copy.deepcopy(SAMPLE), "dates": {"notice-results": "2024-09-10"}})
    assert [e["pointer"] for e in errors] == ["/dates/notice-results"] and "notice-result" in errors[0]["detail"]


def test_the_list_orders_each_applicants_documents(renderer):
    # seed 000 (四): the 评审表 4th (after 公示 and 公示结果), the 承诺书 12th
    _, items, _ = plan.intake(copy.deepcopy(SAMPLE), renderer)
    assert [i.kind for i in items if i.folder == "01-阿不都热合曼·买买提"] == [
        "public-notice", "notice-result", "evaluation-form", "ce-exemption", "commitment"]
    assert items[0].kind == "roster"


def test_a_recommendation_dated_before_the_notice_ends_names_both_fields(renderer):
    batch = {**copy.deepcopy(SAMPLE), "date": "2024-09-05", "documents": ["public-notice", "recommendation"]}
    errors = [e for e in _refused(renderer, batch) if e.get("related")]
    assert {(e["pointer"], e["related"], e["document"]) for e in errors} == {
        ("/date", "/notice/end_date", "recommendation")}
    assert "2024年9月5日" in errors[0]["detail"] and "2024年9月6日" in errors[0]["detail"]


def test_a_result_dated_before_the_notice_ends_names_where_its_date_was_given(renderer):
    batch = {**copy.deepcopy(SAMPLE), "dates": {"notice-result": "2024-09-05"}}
    errors = [e for e in _refused(renderer, batch) if e.get("related")]
    assert {(e["pointer"], e["related"]) for e in errors} == {("/dates/notice-result", "/notice/end_date")}
    assert len(errors) == 1   # one field, listed once (issue 23), though every applicant's 公示结果 takes it


def test_a_result_stating_another_period_than_the_notice_names_both(renderer):
    batch = copy.deepcopy(SAMPLE)
    batch["applicants"] = batch["applicants"][:1]
    batch["defaults"]["notice-result"] = {"notice": {"start_date": "2024-09-02", "end_date": "2024-09-09"}}
    batch["dates"] = {"notice-result": "2024-09-10"}
    errors = [e for e in _refused(renderer, batch) if e.get("related")]
    assert [(e["pointer"], e["related"]) for e in errors] == [
        ("/defaults/notice-result/notice/end_date", "/notice/end_date")]
    assert "2024年9月9日" in errors[0]["detail"] and "2024年9月6日" in errors[0]["detail"]
