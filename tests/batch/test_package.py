"""申报材料.pdf: the 目录 first, the list's order, copies as the list says, scans in place, missing items named,
and the 目录's page numbers where the bookmarks point (read back from the PDF)."""
from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from PIL import Image

from docgen.batch import package
from docgen.render.merge import page_count
from tests.batch import scans
from tests.helpers import pdf_pages_text

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    document: str | None = None
    upload: bool = False
    copies: int = 1
    condition: str = ""


# seed 000 (四), the items docgen makes today and those the applicant uploads
LIST_000 = (
    Item("public-notice", "申报人员公示", "public-notice"),
    Item("notice-result", "公示结果", "notice-result"),
    Item("evaluation-form", "专业技术职务任职资格评审表", "evaluation-form", copies=2),
    Item("ce-certificates", "继续教育公需科目和专业科目合格证书", upload=True),
    Item("id-card", "申报人身份证复印件", upload=True),
    Item("annual-reviews", "2021、2022、2023年度考核表", upload=True),
    Item("diplomas", "学历证明、现任专业技术职务任职资格证书", upload=True),
    Item("commitment", "个人承诺书", "commitment"),
    Item("ce-exemption", "免除继续教育学习申请表", "ce-exemption"),
    Item("other", "其他证明材料", upload=True),
)


def _render_list(rows) -> bytes:
    """Render a plain 目录 table (序号, 材料名称, 份数, 页码, 备注): what package.build hands to the renderer."""
    cells = "".join(
        f"<tr><td>{i}</td><td>{html.escape(r.title)}</td><td>{r.copies}</td>"
        f"<td>{f'{r.pages[0]}-{r.pages[1]}' if r.pages else ''}</td><td>{html.escape(r.note)}</td></tr>"
        for i, r in enumerate(rows, start=1))
    page = ("<style>@page{size:A4;margin:25mm} body{font-family:'宋体';font-size:10pt} td{padding:2mm;white-space:nowrap}</style>"
            f"<h1>申报材料目录</h1><table>{cells}</table>")
    return weasyprint.HTML(string=page).write_pdf()


def _pdf_of_image(data: bytes) -> bytes:
    """Lay an image scan on a PDF page (the conversion docgen.render.scans makes, in its simplest form)."""
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(out, "PDF", resolution=150)
    return out.getvalue()


@pytest.fixture(scope="module")
def documents(renderer) -> dict[str, bytes]:
    """Render the samples of the documents a batch makes for the applicant (the 评审表 with its 2 copies)."""
    out = {}
    for slug in ("public-notice", "notice-result", "evaluation-form", "commitment"):
        data = json.loads((SAMPLES / f"{slug}.json").read_text("utf-8"))
        out[slug] = renderer.render(slug, data, "pdf", "bazhou-2024").content
    return out


@pytest.fixture(scope="module")
def uploaded() -> dict[str, list[bytes]]:
    return {"ce-certificates": [_pdf_of_image(scans.phone_photo())],
            "diplomas": [scans.two_page_pdf()],
            "annual-reviews": [_pdf_of_image(scans.landscape_scan()), _pdf_of_image(scans.landscape_scan())]}


def _bookmarks(pdf: bytes) -> dict[str, int]:
    """Return each bookmark's title and the 1-based page it points at."""
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_outline() as outline:
        return {item.title: doc.pages.index(pikepdf.Page(item.destination[0])) + 1 for item in outline.root}


def _printed_ranges(pdf: bytes, list_pages: int) -> dict[str, tuple[int, int] | None]:
    """Read the 目录's rows back from the first pages of the package: title → printed page range."""
    text = "\n".join(pdf_pages_text(pdf)[:list_pages])
    out: dict[str, tuple[int, int] | None] = {}
    for line in text.splitlines():
        m = re.match(r"^\d+ (.+?) \d+(?: (\d+)-(\d+))?(?: .*)?$", line.strip())
        if m:
            out[m[1]] = (int(m[2]), int(m[3])) if m[2] else None
    return out


def test_the_list_prints_the_pages_the_bookmarks_point_at(renderer, documents, uploaded):
    blanks: list[str] = []

    def blank(slug: str) -> bytes:
        blanks.append(slug)
        return renderer.blank(slug, "pdf", "bazhou-2024").content

    made = package.build(LIST_000, documents, uploaded, _render_list, blank, title="张三-申报材料")
    marks = _bookmarks(made.pdf)
    printed = _printed_ranges(made.pdf, 1)
    assert list(marks) == ["申报材料目录", "申报人员公示", "公示结果", "专业技术职务任职资格评审表",
                           "继续教育公需科目和专业科目合格证书", "2021、2022、2023年度考核表",
                           "学历证明、现任专业技术职务任职资格证书", "个人承诺书", "免除继续教育学习申请表"]
    for row in made.rows:
        assert printed[row.title] == row.pages
        if row.pages:
            assert marks[row.title] == row.pages[0]
    assert made.pages == page_count(made.pdf) == made.rows[-2].pages[1]   # type: ignore[index]
    evaluation = next(r for r in made.rows if r.key == "evaluation-form")
    # the 评审表 already holds its 2 copies: placed once, not doubled
    assert evaluation.pages[1] - evaluation.pages[0] + 1 == page_count(documents["evaluation-form"])  # type: ignore[index]
    assert blanks == ["ce-exemption"]
    by_key = {r.key: r for r in made.rows}
    assert (by_key["ce-exemption"].note, by_key["ce-exemption"].source) == (package.BLANK_NOTE, "blank")
    assert (by_key["id-card"].pages, by_key["id-card"].note) == (None, package.MISSING_NOTE)
    assert (by_key["other"].pages, by_key["other"].note) == (None, package.MISSING_NOTE)
    assert by_key["diplomas"].pages[1] - by_key["diplomas"].pages[0] == 1   # type: ignore[index]  # both pages
    assert "未上传" in pdf_pages_text(made.pdf)[0] and "空白表（手工填写）" in pdf_pages_text(made.pdf)[0]


def test_generated_documents_repeat_in_the_lists_copies(renderer, documents):
    items = (Item("commitment", "个人承诺书", "commitment", copies=2),
             Item("evaluation-form", "专业技术职务任职资格评审表", "evaluation-form", copies=2))
    made = package.build(items, documents, {}, _render_list, lambda slug: b"")
    one, evaluation = made.rows
    assert one.pages[1] - one.pages[0] + 1 == 2 * page_count(documents["commitment"])   # type: ignore[index]
    assert evaluation.pages[1] - evaluation.pages[0] + 1 == page_count(documents["evaluation-form"])  # type: ignore[index]


def test_a_list_longer_than_a_page_moves_every_item_and_prints_the_moved_pages(documents):
    calls = []

    def render_list(rows) -> bytes:
        calls.append([r.pages for r in rows])
        return _render_list(rows)

    items = [Item(f"other-{i}", f"其他证明材料之{i}", upload=True) for i in range(40)]
    one_page = {f"other-{i}": [documents["commitment"]] for i in range(40)}
    made = package.build(items, {}, one_page, render_list, lambda slug: b"")
    list_pages = made.pages - 40 * page_count(documents["commitment"])
    assert list_pages >= 2 and len(calls) == 2 and calls[0][0] == (2, 2)
    printed = _printed_ranges(made.pdf, list_pages)
    marks = _bookmarks(made.pdf)
    assert made.rows[0].pages == (list_pages + 1, list_pages + 1)
    for row in made.rows:
        assert printed[row.title] == row.pages and marks[row.title] == row.pages[0]   # type: ignore[index]
