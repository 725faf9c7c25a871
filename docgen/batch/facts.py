"""One set of facts per applicant: each document's own 成文日期 in a batch, and the dates its documents must share."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from docgen import rules
from docgen.batch.request import BatchApplicant, BatchRequest, given
from docgen.batch.store import NewItem

NOTICE, RESULT = "public-notice", "notice-result"
# issue 20: the 公示 is dated its first day, its result the day after its last; every other document the batch date
NOTICE_DATES: dict[str, Callable[[dt.date, dt.date | None], dt.date | None]] = {
    NOTICE: lambda start, end: start,
    RESULT: lambda start, end: end + dt.timedelta(days=1) if end else None,
}
# documents that state the 公示 ended without objection: dated no earlier than its last day (seed 000 附件2,
# 002 附件2 “经公示无异议”); the 评审表's 单位意见 is handwritten, with no date field to compare
AFTER_NOTICE = {RESULT: "公示结果", "recommendation": "推荐意见"}


def document_date(request: BatchRequest, slug: str, notice: dict | None) -> dt.date | None:
    """Return a document's 成文日期 in a batch: the batch's `dates` for it, else its own by the 公示, else `date`."""
    if slug in request.dates:
        return request.dates[slug]
    start, end = _day((notice or {}).get("start_date")), _day((notice or {}).get("end_date"))
    if slug in NOTICE_DATES and start is not None:
        return NOTICE_DATES[slug](start, end) or request.date
    return request.date


@dataclass(frozen=True)
class Fact:
    """A value as one document of an applicant carries it, and the pointer into the batch where it was given."""

    value: Any
    pointer: str


def contradictions(request: BatchRequest, items: Sequence[NewItem]) -> list[dict]:
    """Return a 422 error for each date of an applicant's documents that contradicts their 公示: dated before
    its last day, or stating another period; each names both fields."""
    errors = []
    for i, entry in enumerate(request.applicants):
        own = {item.kind: item.payload for item in items if item.pointer == f"/applicants/{i}"}
        notice = _notice(request, entry, i, own)
        if notice is None:
            continue
        for slug, title in AFTER_NOTICE.items():
            if slug in own:
                errors += _dated_after(request, entry, i, slug, title, own[slug], notice)
        if RESULT in own:
            errors += _same_period(request, entry, i, own[RESULT], notice)
    return errors


def _notice(request: BatchRequest, entry: BatchApplicant, i: int, own: dict[str, dict]
            ) -> tuple[Fact, Fact] | None:
    """Return the 公示's first and last day as the applicant's 公示 states them (the batch's when it makes none)."""
    if NOTICE in own and own[NOTICE].get("notice"):
        source = own[NOTICE]["notice"]
        base = _notice_pointer(request, entry, i, NOTICE)
    elif request.notice is not None:
        source, base = request.notice.model_dump(), "/notice"
    else:
        return None
    start, end = _day(source.get("start_date")), _day(source.get("end_date"))
    if start is None or end is None:
        return None
    return Fact(start, f"{base}/start_date"), Fact(end, f"{base}/end_date")


def _dated_after(request: BatchRequest, entry: BatchApplicant, i: int, slug: str, title: str, payload: dict,
                 notice: tuple[Fact, Fact]) -> list[dict]:
    date, end = _day(payload.get("date")), notice[1]
    if date is None or date >= end.value:
        return []
    pointer = _date_pointer(request, entry, i, slug)
    return [{"pointer": pointer, "related": end.pointer, "document": slug,
             "detail": f"{entry.name}：{title}的成文日期{rules.cn_date(date)}（{pointer}）早于公示结束日期"
                       f"{rules.cn_date(end.value)}（{end.pointer}）：公示期满后才能出具{title}"}]


def _same_period(request: BatchRequest, entry: BatchApplicant, i: int, payload: dict,
                 notice: tuple[Fact, Fact]) -> list[dict]:
    stated = payload.get("notice") or {}
    base = _notice_pointer(request, entry, i, RESULT)
    errors = []
    for fact, field, name in ((notice[0], "start_date", "开始"), (notice[1], "end_date", "结束")):
        value = _day(stated.get(field))
        pointer = f"{base}/{field}"
        if value is not None and value != fact.value and pointer != fact.pointer:
            errors.append({"pointer": pointer, "related": fact.pointer, "document": RESULT,
                           "detail": f"{entry.name}：公示结果写的公示{name}日期{rules.cn_date(value)}（{pointer}）与公示的"
                                     f"{rules.cn_date(fact.value)}（{fact.pointer}）不一致：公示结果的天数应与公示期相同"})
    return errors


def _date_pointer(request: BatchRequest, entry: BatchApplicant, i: int, slug: str) -> str:
    """Return where a document's 成文日期 was given: the applicant's payload, the document's defaults, `dates`,
    or the batch's `date` (or the 公示 it is derived from)."""
    if "date" in given(entry.payload):
        return f"/applicants/{i}/payload/date"
    if "date" in request.defaults.get(slug, {}):
        return f"/defaults/{slug}/date"
    if slug in request.dates:
        return f"/dates/{slug}"
    return "/date"


def _notice_pointer(request: BatchRequest, entry: BatchApplicant, i: int, slug: str) -> str:
    """Return where the 公示期 a document states was given."""
    if "notice" in given(entry.payload):
        return f"/applicants/{i}/payload/notice"
    if "notice" in request.defaults.get(slug, {}):
        return f"/defaults/{slug}/notice"
    return "/notice"


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None
