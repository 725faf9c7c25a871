"""An uploaded XLSX checked while streaming its zip, before openpyxl loads anything.

A 1.5 KB file whose <dimension> claims A1:XFD10000 made openpyxl pad ten thousand rows to 16 384 cells
(52 s, 1.2 GB); a 262 KB shared-string bomb took 29 s and 3.5 GB. Everything here reads the archive as a
stream with a counter and stops at the first limit passed, so a hostile file costs milliseconds.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from docgen.errors import Problem

MAX_ARCHIVE_BYTES = 5 * 1024 * 1024        # a 2000-row roster is ~200 KB
MAX_MEMBER_BYTES = 32 * 1024 * 1024        # uncompressed size of any one part of the archive
MAX_MEMBERS = 200
MAX_ROWS = 2100                            # 2000 applicants (BatchRequest) plus title and header rows
MAX_COLUMNS = 64                           # column BL; a roster has about 20
MAX_SHARED_STRINGS = 100_000
MAX_SHARED_STRING_CHARS = 32_767           # Excel's own limit for one cell
MAX_SHARED_TEXT_CHARS = 8 * 1024 * 1024    # all shared strings together

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _too_large(detail: str) -> Problem:
    return Problem(413, "上传的花名册太大", detail, slug="xlsx-too-large")


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
    """Refuse (413/422/400 problem) an XLSX whose size, sheets or shared strings pass the limits.

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
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _too_large(f"文件中的部件过多（{len(members)}个），不像花名册")
        for info in members:
            if info.file_size > MAX_MEMBER_BYTES:
                raise _too_large(f"文件中的“{info.filename}”解压后有{info.file_size // (1024 * 1024)} MB，"
                                 f"超过{MAX_MEMBER_BYTES // (1024 * 1024)} MB")
        try:
            for info in members:
                if info.filename == "xl/sharedStrings.xml":
                    _check_shared_strings(archive, info)
                elif re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                    _check_sheet(archive, info)
        except (DefusedXmlException, SyntaxError, zipfile.BadZipFile, EOFError, OSError, NotImplementedError):
            # ParseError is a SyntaxError; a CRC mismatch is BadZipFile; an unknown compression NotImplemented
            raise Problem(400, "无法读取花名册", "上传的 Excel 文件已损坏或含有不允许的内容", slug="bad-xlsx") from None


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    return io.BufferedReader(_Capped(archive.open(info), MAX_MEMBER_BYTES, info.filename))


def _sheet_name(info: zipfile.ZipInfo) -> str:
    return info.filename.rsplit("/", 1)[-1].removesuffix(".xml")


def _check_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Check the declared dimension, every cell reference and the row count; refuse formula cells."""
    rows = 0
    formulas: list[str] = []
    cell_ref = ""
    with _stream(archive, info) as stream:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            tag = element.tag
            if event == "start":
                if tag == _MAIN + "c":
                    cell_ref = element.get("r", "")
                    _check_cell(cell_ref, info)
                elif tag == _MAIN + "dimension":
                    _check_dimension(element.get("ref", ""), info)
                elif tag == _MAIN + "row":
                    rows += 1
                    if rows > MAX_ROWS:
                        raise _too_large(f"工作表“{_sheet_name(info)}”超过{MAX_ROWS}行；一个花名册最多2000名申报人")
                continue
            if tag == _MAIN + "f" and len(formulas) < 20:
                formulas.append(cell_ref or "?")
            elif tag == _MAIN + "row":
                element.clear()   # keep memory flat: finished rows are not needed any more
    if formulas:
        raise Problem(422, "花名册含有公式", f"请把公式单元格改为直接填写的内容：{'、'.join(formulas)}",
                      slug="xlsx-formula", errors=[{"pointer": f"/file/{ref}", "detail": f"单元格{ref}是公式，"
                                                   "请改为直接填写的内容（复制后“选择性粘贴→数值”）"}
                                                  for ref in formulas])


def _check_dimension(ref: str, info: zipfile.ZipInfo) -> None:
    last = _cell(ref.split(":")[-1]) if ref else None
    if last is None:
        return   # openpyxl recomputes a missing or odd dimension from the cells, which are checked one by one
    column, row = last
    if column > MAX_COLUMNS or row > MAX_ROWS:
        raise _too_large(f"工作表“{_sheet_name(info)}”声明的范围 {ref} 超过{MAX_ROWS}行或{MAX_COLUMNS}列")


def _check_cell(ref: str, info: zipfile.ZipInfo) -> None:
    cell = _cell(ref) if ref else None
    if cell is not None and (cell[0] > MAX_COLUMNS or cell[1] > MAX_ROWS):
        raise _too_large(f"工作表“{_sheet_name(info)}”的单元格{ref}超出{MAX_ROWS}行或{MAX_COLUMNS}列的范围")


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Count the shared strings and their characters as they stream by."""
    count = total = 0
    with _stream(archive, info) as stream:
        for _, element in iterparse(stream, events=("end",), forbid_dtd=True):
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
