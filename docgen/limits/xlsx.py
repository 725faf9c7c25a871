"""An uploaded XLSX checked while streaming its zip, before openpyxl loads anything.

A 1.5 KB file whose <dimension> claims A1:XFD10000 made openpyxl pad ten thousand rows to 16 384 cells
(52 s, 1.2 GB); a 262 KB shared-string bomb took 29 s and 3.5 GB; a sheet stored under another name, a
10⁶-deep element or 400 000 cell formats in styles.xml took 7–39 s. Every XML part of the archive is read as a
stream with counters, whatever its name or case, and is recognised by its root element (a worksheet, the shared
strings, the styles), so a part openpyxl finds through the workbook's relationships cannot walk around the checks;
the first limit passed stops the read, and a hostile file costs milliseconds.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl.utils.cell import range_boundaries

from docgen.errors import Problem

MAX_ARCHIVE_BYTES = 5 * 1024 * 1024        # a 2000-row roster is ~200 KB
MAX_MEMBER_BYTES = 32 * 1024 * 1024        # uncompressed size of any one part of the archive
MAX_MEMBERS = 200
MAX_ROWS = 2100                            # 2000 applicants (BatchRequest) plus title and header rows
MAX_COLUMNS = 64                           # column BL; a roster has about 20
MAX_SHARED_STRINGS = 50_000           # distinct texts: 2100 rows × ~20 columns of a roster is at most 42 000
MAX_SHARED_STRING_CHARS = 32_767           # Excel's own limit for one cell
MAX_SHARED_TEXT_CHARS = 8 * 1024 * 1024    # all shared strings together
MAX_DEPTH = 32                             # nesting of any XML part; a worksheet's cells sit at depth 4–6
MAX_ELEMENTS = 300_000                     # of a sheet or the shared strings: 2100 rows × 22 columns × <c><is><t> is 140 000
MAX_OTHER_ELEMENTS = 50_000                # of any other part (workbook, relationships, styles: a few hundred)
MAX_STYLE_RECORDS = 4_000                  # cell formats, number formats, fonts, fills, borders… each
_STYLE_RECORDS = ("xf", "numFmt", "font", "fill", "border", "dxf", "cellStyle")

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")   # UTF-8, UTF-16 LE/BE, UTF-32 BE


def _too_large(detail: str) -> Problem:
    return Problem(413, "上传的花名册太大", detail, slug="xlsx-too-large", errors=[{"pointer": "/file", "detail": detail}])


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _cell(ref: str) -> tuple[int, int] | None:
    """Return (column, row) of an A1 reference, or None when it is not one."""
    match = _CELL_REF.match(ref.upper())
    return (_column_number(match[1]), int(match[2])) if match else None


class _Capped(io.RawIOBase):
    """A readable stream that refuses to give more than `limit` bytes of a zip member."""

    def __init__(self, stream: IO[bytes], limit: int, name: str) -> None:
        self._stream, self._left, self._name = stream, limit, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(min(len(buffer), self._left + 1))
        self._left -= len(data)
        if self._left < 0:
            raise _too_large(f"文件中的“{self._name}”解压后超过{MAX_MEMBER_BYTES // (1024 * 1024)} MB")
        buffer[:len(data)] = data
        return len(data)


def check(content: bytes) -> None:
    """Refuse (413/422/400 problem) an XLSX whose size, sheets, shared strings, styles or any XML part pass the
    limits.

    Formula cells are refused too, naming the cell: the roster is read for values, and a formula's value
    is whatever the last program that saved the file computed (or nothing).
    """
    if len(content) > MAX_ARCHIVE_BYTES:
        raise _too_large(f"花名册文件不能超过{MAX_ARCHIVE_BYTES // (1024 * 1024)} MB，收到{len(content) // 1024} KB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise Problem(400, "无法读取花名册", "上传的文件不是有效的 Excel（.xlsx）文件", slug="bad-xlsx") from None
    with archive:
        members = _members(archive)
        try:
            for info in members:
                _check_part(archive, info)
        except (DefusedXmlException, SyntaxError, zipfile.BadZipFile, EOFError, OSError, NotImplementedError):
            # ParseError is a SyntaxError; a CRC mismatch is BadZipFile; an unknown compression NotImplemented
            raise Problem(400, "无法读取花名册", "上传的 Excel 文件已损坏或含有不允许的内容", slug="bad-xlsx") from None


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Return the archive's parts, refusing too many or one that declares too large a size."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _too_large(f"文件中的部件过多（{len(members)}个），不像花名册")
    for info in members:
        if info.file_size > MAX_MEMBER_BYTES:
            raise _too_large(f"文件中的“{info.filename}”解压后有{info.file_size // (1024 * 1024)} MB，"
                             f"超过{MAX_MEMBER_BYTES // (1024 * 1024)} MB")
    return members


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Check one part: an XML part by what its root element says it is, anything else (images) by size only."""
    if info.is_dir():
        return
    with _stream(archive, info) as stream:
        if not _looks_like_xml(stream.peek(64)[:64]):   # looked at, not consumed: the parser reads from the start
            return
        events = _bounded(iterparse(stream, events=("start", "end"), forbid_dtd=True), info)
        event, root = next(events, ("end", None))
        if root is None:
            return
        check = {_MAIN + "worksheet": _check_sheet, _MAIN + "sst": _check_shared_strings,
                 _MAIN + "styleSheet": _check_styles}.get(root.tag, _drain)
        check(events, info)


def _looks_like_xml(start: bytes) -> bool:
    """Return whether a part's first bytes may be XML in any encoding a parser detects (a UTF-16 sheet walked
    around a test for "<" alone); images and other binary parts are not."""
    return start.startswith(_BOMS) or start.lstrip(b" \t\r\n\x00").startswith(b"<")


def _bounded(events: Iterator[tuple[str, Any]], info: zipfile.ZipInfo) -> Iterator[tuple[str, Any]]:
    """Pass the parse events on while the part's nesting depth and element count stay within the limits (the
    element limit of a sheet or the shared strings, read from the root element, or of any other part)."""
    depth = elements = 0
    limit = MAX_OTHER_ELEMENTS
    for event, element in events:
        if event == "end":
            depth -= 1
            yield event, element
            continue
        depth += 1
        elements += 1
        if elements == 1 and element.tag in (_MAIN + "worksheet", _MAIN + "sst"):
            limit = MAX_ELEMENTS
        if depth > MAX_DEPTH:
            raise _too_large(f"文件中的“{info.filename}”嵌套超过{MAX_DEPTH}层，不像花名册")
        if elements > limit:
            raise _too_large(f"文件中的“{info.filename}”超过{limit}个元素，不像花名册")
        yield event, element


def _drain(events: Iterator[tuple[str, Any]], info: zipfile.ZipInfo) -> None:
    """Read a part that is neither a sheet, the shared strings nor the styles through the generic bounds."""
    for event, element in events:
        if event == "end":
            element.clear()


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> io.BufferedReader:
    return io.BufferedReader(_Capped(archive.open(info), MAX_MEMBER_BYTES, info.filename))


def _sheet_name(info: zipfile.ZipInfo) -> str:
    return info.filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]


class _Sheet:
    """What a worksheet's stream has shown so far: rows, the cells of the current row, formula cells."""

    def __init__(self, info: zipfile.ZipInfo) -> None:
        self.info, self.rows, self.cells, self.cell_ref = info, 0, 0, ""
        self.formulas: list[str] = []

    def start(self, tag: str, element: Any) -> None:
        if tag == "c":
            self.cell_ref = element.get("r", "")
            self.cells += 1
            _check_cell(self.cell_ref, self.info)
            if self.cells > MAX_COLUMNS:
                raise _too_large(f"工作表“{_sheet_name(self.info)}”有一行超过{MAX_COLUMNS}个单元格")
        elif tag == "dimension":
            _check_dimension(element.get("ref", ""), self.info)
        elif tag == "row":
            self.row(element.get("r", ""))

    def row(self, number: str) -> None:
        self.rows, self.cells = self.rows + 1, 0
        if self.rows > MAX_ROWS or (number.isdigit() and int(number) > MAX_ROWS):
            raise _too_large(f"工作表“{_sheet_name(self.info)}”超过{MAX_ROWS}行；一个花名册最多2000名申报人")


def _check_sheet(events: Iterator[tuple[str, Any]], info: zipfile.ZipInfo) -> None:
    """Check the declared dimension, every row number and cell reference, cells per row; refuse formula cells."""
    sheet = _Sheet(info)
    for event, element in events:
        tag = element.tag.removeprefix(_MAIN)
        if event == "start":
            sheet.start(tag, element)
        elif tag == "f" and len(sheet.formulas) < 20:
            sheet.formulas.append(sheet.cell_ref or "?")
        elif tag == "row":
            element.clear()   # keep memory flat: finished rows are not needed any more
    if sheet.formulas:
        raise Problem(422, "花名册含有公式", f"请把公式单元格改为直接填写的内容：{'、'.join(sheet.formulas)}",
                      slug="xlsx-formula", errors=[{"pointer": f"/file/{ref}", "detail": f"单元格{ref}是公式，"
                                                   "请改为直接填写的内容（复制后“选择性粘贴→数值”）"}
                                                  for ref in sheet.formulas])


def _check_dimension(ref: str, info: zipfile.ZipInfo) -> None:
    """Refuse a declared range past the limits, read as openpyxl reads it (A:XFD is every row of 16 384 columns)."""
    try:
        _, _, last_column, last_row = range_boundaries(ref.upper())
    except (ValueError, TypeError):
        return   # openpyxl recomputes a missing or odd dimension from the cells, which are checked one by one
    if (last_column or 16384) > MAX_COLUMNS or (last_row or 1048576) > MAX_ROWS:
        raise _too_large(f"工作表“{_sheet_name(info)}”声明的范围 {ref} 超过{MAX_ROWS}行或{MAX_COLUMNS}列")


def _check_cell(ref: str, info: zipfile.ZipInfo) -> None:
    cell = _cell(ref) if ref else None
    if cell is not None and (cell[0] > MAX_COLUMNS or cell[1] > MAX_ROWS):
        raise _too_large(f"工作表“{_sheet_name(info)}”的单元格{ref}超出{MAX_ROWS}行或{MAX_COLUMNS}列的范围")


def _check_shared_strings(events: Iterator[tuple[str, Any]], info: zipfile.ZipInfo) -> None:
    """Count the shared strings and their characters as they stream by."""
    count = total = 0
    for event, element in events:
        if event != "end":
            continue
        if element.tag == _MAIN + "t":
            size = len(element.text or "")
            total += size
            if size > MAX_SHARED_STRING_CHARS:
                raise _too_large(f"花名册中有一个单元格超过{MAX_SHARED_STRING_CHARS}个字符")
            if total > MAX_SHARED_TEXT_CHARS:
                raise _too_large("花名册中的文字总量过大")
        elif element.tag == _MAIN + "si":
            count += 1
            if count > MAX_SHARED_STRINGS:
                raise _too_large(f"花名册中的不同文字超过{MAX_SHARED_STRINGS}项")
            element.clear()


def _check_styles(events: Iterator[tuple[str, Any]], info: zipfile.ZipInfo) -> None:
    """Count the style records (openpyxl builds an object for each and keeps them for the workbook's life)."""
    counts = dict.fromkeys(_STYLE_RECORDS, 0)
    for event, element in events:
        tag = element.tag.removeprefix(_MAIN)
        if event == "start" and tag in counts:
            counts[tag] += 1
            if counts[tag] > MAX_STYLE_RECORDS:
                raise _too_large(f"花名册的样式表中“{tag}”超过{MAX_STYLE_RECORDS}项，不像花名册")
