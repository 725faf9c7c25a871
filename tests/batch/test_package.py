"""申报材料.pdf: the 目录 first, the list's order, copies as the list says, scans in place, missing items named,
and the 目录's page numbers where the bookmarks point (read back from the PDF)."""
from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
import weasyprint

from docgen import profiles
from docgen.batch import package
from docgen.render.merge import page_count
from docgen.render.scans import CopyNote, check_scan, to_pages
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


def _render_list(rows) -> bytes:
    """Render a plain 目录 table (序号, 材料名称, 份数, 页码, 备注) that grows with its rows: for the re-render rule."""
    cells = "".join(
        f"<tr><td>{i}</td><td>{html.escape(r.title)}</td><td>{r.copies}</td>"
        f"<td>{f'{r.pages[0]}-{r.pages[1]}' if r.pages else ''}</td><td>{html.escape(r.note)}</td></tr>"
        for i, r in enumerate(rows, start=1))
    page = ("<style>@page{size:A4;margin:25mm} body{font-family:'宋体';font-size:10pt} td{padding:2mm;white-space:nowrap}"
            f"</style><h1>申报材料目录</h1><table>{cells}</table>")
    return weasyprint.HTML(string=page).write_pdf()


def _material_list(renderer, profile: str):
    """Return the 目录 renderer a batch uses: the material-list type with each row's pages and note."""
    person = json.loads((SAMPLES / "material-list.json").read_text("utf-8"))["applicant"]

    def render(rows) -> bytes:
        items = [{"key": r.key, "pages": f"{r.pages[0]}-{r.pages[1]}" if r.pages else None, "note": r.note or None}
                 for r in rows]
        return renderer.render("material-list", {"applicant": person, "items": items}, "pdf", profile).content
    return render


def _blank(renderer, profile: str):
    made: dict[str, bytes] = {}

    def blank(slug: str) -> bytes:
        if slug not in made:
            made[slug] = renderer.blank(slug, "pdf", profile).content
        return made[slug]
    return blank


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
    """Lay the realistic scans on A4 as a batch does (the copy note where seed 000 asks for it)."""
    def pages(data: bytes, pointer: str, note: bool = False) -> bytes:
        return to_pages(check_scan(data, pointer), copy_note=CopyNote("王建国") if note else None)
    return {"continuing-education": [pages(scans.phone_photo(), "/attachments/0/continuing-education/0")],
            "certificates": [pages(scans.two_page_pdf(), "/attachments/0/certificates/0")],
            "annual-review": [pages(scans.landscape_scan(), f"/attachments/0/annual-review/{n}", True)
                              for n in range(2)]}


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


def _table(pdf: bytes) -> list[tuple[str, str]]:
    """Read the material-list 目录 (page 1) back: each row's 材料名称 and 页码 as printed."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        (table,) = doc.pages[0].extract_tables()
    return [(title.replace("\n", ""), pages) for _, title, _, _, pages in table[1:]]


def _printed(pages: tuple[int, int] | None) -> str:
    return "" if pages is None else str(pages[0]) if pages[0] == pages[1] else f"{pages[0]}–{pages[1]}"


def test_the_list_prints_the_pages_the_bookmarks_point_at(renderer, documents, uploaded):
    profile = profiles.get("bazhou-2024")
    blanks: list[str] = []
    blank = _blank(renderer, profile.id)

    def counted(slug: str) -> bytes:
        blanks.append(slug)
        return blank(slug)

    made = package.build(profile.materials, documents, uploaded, _material_list(renderer, profile.id), counted,
                         title="张三-申报材料")
    marks = _bookmarks(made.pdf)
    assert list(marks)[:4] == ["申报材料目录", "现实表现政治鉴定材料", "所在单位性质证明", "申报人员公示"]
    by_key = {r.key: r for r in made.rows}
    for row, (title, pages) in zip(made.rows, _table(made.pdf), strict=True):
        assert pages == _printed(row.pages), title       # the 目录's 页码 is where the item is
        assert title.startswith(row.title) and (row.note in title if row.note else title == row.title)
        assert marks.get(row.title) == (row.pages[0] if row.pages else None)
    assert made.pages == page_count(made.pdf)
    evaluation = by_key["evaluation-form"]
    # the 评审表 already holds its 2 copies: placed once, not doubled
    assert evaluation.pages[1] - evaluation.pages[0] + 1 == page_count(documents["evaluation-form"])  # type: ignore[index]
    assert set(blanks) == {"political-appraisal", "unit-nature-certificate", "work-summary", "work-history-certificate"}
    assert (by_key["political-appraisal"].note, by_key["political-appraisal"].source) == (package.BLANK_NOTE, "blank")
    assert (by_key["id-card"].pages, by_key["id-card"].note) == (None, package.MISSING_NOTE)
    # 免试审批表 only for those exempted (condition): neither a blank nor missing
    assert (by_key["ce-exemption"].pages, by_key["ce-exemption"].note) == (None, "")
    assert by_key["certificates"].pages[1] - by_key["certificates"].pages[0] == 1   # type: ignore[index]  # both pages
    assert by_key["annual-review"].pages[1] - by_key["annual-review"].pages[0] == 1   # type: ignore[index]
    first = pdf_pages_text(made.pdf)[by_key["annual-review"].pages[0] - 1]         # type: ignore[index]
    assert "复印件" in first and "王建国" in first


@pytest.mark.parametrize("profile_id", [p for p in profiles.ids() if profiles.get(p).paper])
def test_every_profiles_list_makes_a_package_whose_list_is_true(renderer, profile_id):
    profile = profiles.get(profile_id)
    one_page = to_pages(check_scan(scans.landscape_scan(), "/attachments/0/x/0"))
    uploads = {m.key: [one_page] for m in profile.materials if m.upload}
    made = package.build(profile.materials, {}, uploads, _material_list(renderer, profile.id),
                         _blank(renderer, profile.id))
    marks = _bookmarks(made.pdf)
    assert [title for title, _ in _table(made.pdf)] == [
        f"{m.title}（{package.BLANK_NOTE}）" if r.note else m.title for m, r in zip(profile.materials, made.rows,
                                                                                 strict=True)]
    for row, (_, pages) in zip(made.rows, _table(made.pdf), strict=True):
        assert pages == _printed(row.pages) and marks.get(row.title) == (row.pages[0] if row.pages else None)
        assert row.source in ("scan", "blank", "none")
    assert made.pages == page_count(made.pdf) > len(uploads)


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
