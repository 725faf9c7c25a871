"""Read a PDF's printed lines with their positions, and the page checks of the layout property suite."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pytest

MM = 72 / 25.4
# GB/T 9704 版心 on A4 portrait (mm): 订口 28, 版心 156 × 225, 天头 37
LEFT, RIGHT, TOP, BOTTOM = 28.0, 184.0, 37.0, 262.0
TOLERANCE = 0.6      # a glyph's box may pass the edge by this much (side bearings of full-width punctuation)
FOLIO = re.compile(r"^(?:[—\-–]\s*\d*\s*[—\-–]|\d+|第\s*\d+\s*页\s*共\s*\d+\s*页)$")
# GB/T 15834 禁则: these never start a line; “·” joins the parts of a name
CLOSING = r"^[，。、；：？！）》」』】〕〉”’·%]"
ID_NUMBER = re.compile(r"\d{6}[\d*]{8}\d{3}[\dXx]")
# kept on one line as well (docgen/render/lines.py): dates and the fixed labels
WHOLE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|身份证号码|统一社会信用代码|（公章）|（签章）|（签字）|（盖章）")
SIGNOFF = re.compile(r"签字|签名|公章|印章|（签章）|^\S*\d{4}年\d{1,2}月\d{1,2}日$|^[　\s]*年[　\s]*月[　\s]*日$")


@dataclass
class Page:
    number: int
    lines: list[tuple[float, float, float, str]]   # (top mm, left mm, right mm, text), folio excluded
    chars_outside: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(line[3] for line in self.lines)

    def starts_with(self, pattern: str) -> list[str]:
        return [line[3] for line in self.lines if re.search(pattern, line[3])]


def pdf_pages(content: bytes, *, hanging: bool = False) -> list[Page]:
    """Return each page's printed lines (characters grouped by baseline), the folio left out.

    `hanging`: LibreOffice hangs a line-final “，；：” into the right margin where Word does not (it reads
    w:overflowPunct="0" inverted, docgen/render/docx_builder.py): such a mark is not counted as outside."""
    pages = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            portrait = page.width < page.height
            rows: dict[int, list] = defaultdict(list)
            for char in page.chars:
                if char["text"].strip():
                    # by baseline: a blank's underscores are set smaller than the text of their line
                    rows[round((page.height - char["matrix"][5]) / MM * 2)].append(char)
            lines, outside = [], []
            for key in sorted(rows):
                chars = sorted(rows[key], key=lambda c: c["x0"])
                text = "".join(c["text"] for c in chars)
                if FOLIO.match(text.strip()):
                    continue
                top, left, right = min(c["top"] for c in chars) / MM, chars[0]["x0"] / MM, chars[-1]["x1"] / MM
                lines.append((top, left, right, text))
                if portrait:
                    hangs = hanging and re.match(CLOSING, chars[-1]["text"]) and \
                        chars[-1]["x0"] / MM < RIGHT + TOLERANCE
                    # a blank's underscores are transparent, their boxes end with the rule under them (issue 21
                    # point 9: pdf-audit flagged the last one 1.5 mm past the edge)
                    outside += [c["text"] for c in chars if (
                                c["x0"] / MM < LEFT - TOLERANCE
                                or (c["x1"] / MM > RIGHT + TOLERANCE and not (hangs and c is chars[-1]))
                                or c["bottom"] / MM > BOTTOM + TOLERANCE)]
            pages.append(Page(number, lines, outside))
    return pages


def check_letter_pages(pages: list[Page], *, names: list[str], signoff_date: bool) -> None:
    """Assert what every letter page must hold: glyphs inside the text area, no line starting with closing
    punctuation or “·”, names, ID numbers, dates and labels on one line, no page with nothing but its sign-off."""
    for page in pages:
        assert page.lines, f"page {page.number} holds only its folio"
        assert page.chars_outside == [], f"page {page.number}: outside the text area: {page.chars_outside[:10]}"
        assert page.starts_with(CLOSING) == [], f"page {page.number}: line starts badly: {page.starts_with(CLOSING)}"
        joined, flat = page.text(), page.text().replace("\n", "")
        for name in names:
            assert joined.count(name) == flat.count(name), f"page {page.number}: {name} split across lines"
        assert len(ID_NUMBER.findall(joined)) == len(ID_NUMBER.findall(flat)), f"page {page.number}: ID split"
        split = set(WHOLE.findall(flat)) - set(WHOLE.findall(joined))
        assert len(WHOLE.findall(joined)) == len(WHOLE.findall(flat)), f"page {page.number}: split: {split}"
    if signoff_date and len(pages) > 1:
        body = [line for line in pages[-1].lines if not SIGNOFF.search(line[3])]
        assert len(body) >= 2, f"the last page holds only the sign-off: {[line[3] for line in pages[-1].lines]}"


def blanks_before(pdf: bytes, label: str) -> list[float]:
    """Return the widths (mm) of the blanks (runs of “_”) printed right before a label (“同志”) or, for a label
    ending “：” or “号”, right after it (身份证号码：____)."""
    widths = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            # by baseline (the blank's underscores are set smaller than the text around them)
            chars = sorted((c for c in page.chars if c["text"].strip()), key=lambda c: (-round(c["matrix"][5]), c["x0"]))
            text = "".join(c["text"] for c in chars)
            after = label.endswith(("：", "号", "码"))
            pattern = re.escape(label) + "(_+)" if after else "(_+)" + re.escape(label)
            for m in re.finditer(pattern, text):
                run = chars[m.start(1):m.end(1)]
                if len({round(c["matrix"][5]) for c in run}) == 1:        # on one line
                    widths.append((run[-1]["x1"] - run[0]["x0"]) / MM)
    return widths


def rules_between(pdf: bytes, labels: list[str]) -> list[list[float]]:
    """Return, for each pair of neighbouring labels, the ruled lines to write on (≥ 140 mm wide) printed
    between the first line holding the one and the first holding the next, as page × 1000 + mm from the
    top: the rules of one section, wherever the page breaks."""
    marks = [min(page.number * 1000 + line[0] for page in pdf_pages(pdf) for line in page.lines if label in line[3])
             for label in labels]
    rules: list[float] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, 1):
            # one rule may be drawn as several shapes a fraction of a millimetre apart
            for bottom in sorted(r["bottom"] / MM for r in page.rects + page.lines if r["width"] / MM > 140):
                if not rules or number * 1000 + bottom - rules[-1] > 1:
                    rules.append(number * 1000 + bottom)
    return [[r for r in rules if start < r < end] for start, end in zip(marks, marks[1:], strict=False)]


def signoff_rows(pdf: bytes) -> list[tuple[float, float, str]]:
    """Return the sign-off rows of a letter's last page, date last, as (left mm, right mm, text): the trailing
    rows set in from the left edge, each from its first to its last printed mark — a blank's rule (a thin
    line under the row), not the underscores or no-break spaces drawing it."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[-1]
        rows: dict[int, list] = defaultdict(list)
        for char in page.chars:
            if char["text"].strip() and char["text"] not in "_\u00a0":
                rows[round((page.height - char["matrix"][5]) / MM * 2)].append(char)
        # WeasyPrint draws a blank's rule as its box (its border), LibreOffice an underline in short lines
        rules = [r for r in page.rects + page.lines if r["height"] <= 20 and 0.5 * MM < r["width"] < 140 * MM]
        out = []
        for key in sorted(rows):
            chars = rows[key]
            text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"]))
            if FOLIO.match(text.strip()):
                continue
            top = min(c["top"] for c in chars)
            marks = [(c["x0"], c["x1"]) for c in chars] + [(r["x0"], r["x1"]) for r in rules
                                                          if top - MM < r["top"] < top + 8.5 * MM]
            out.append((min(m[0] for m in marks) / MM, max(m[1] for m in marks) / MM, text))
    trailing = len(out)
    while trailing and out[trailing - 1][0] > LEFT + 15:
        trailing -= 1
    return out[trailing:]


def libreoffice_pdfs(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Convert DOCX files to PDF with LibreOffice in one call (its own fresh profile); {name: pdf bytes}."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    for name, content in files.items():
        (folder / f"{name}.docx").write_bytes(content)
    with tempfile.TemporaryDirectory(prefix="lo-layout-") as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder), *sorted(str(folder / f"{name}.docx") for name in files)],
                       check=True, capture_output=True, timeout=600, env={**os.environ, "HOME": profile})
    return {name: (folder / f"{name}.pdf").read_bytes() for name in files}
