"""What a user sees in a file: text, pages, fonts — read back from the PDF and DOCX bytes."""
from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pdfplumber
import pypdf
from docx import Document

MM = 72 / 25.4
# page-number lines: "— 1 —", "第 1 页 共 3 页", and LibreOffice's split of the latter into "1 3" / "第 页 共 页"
PAGE_NUMBER = re.compile(r"^(?:[—\-–]\s*\d+\s*[—\-–]|第\s*\d+\s*页\s*共\s*\d+\s*页|\d+\s+\d+|第\s*页\s*共\s*页)$")


def pdf_pages_text(content: bytes, folios: bool = False) -> list[str]:
    """Return each page's text, the page-number line removed (kept with folios=True)."""
    out = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            lines = [ln for ln in (page.extract_text() or "").splitlines()
                     if folios or not PAGE_NUMBER.match(ln.strip())]
            out.append("\n".join(lines))
    return out


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_pages_text(content))


def docx_text(content: bytes) -> str:
    """Return the text of a DOCX: body paragraphs and table cells in document order (no headers/footers)."""
    doc = Document(io.BytesIO(content))
    parts = []
    body = doc.element.body
    for el in body.iter():
        if el.tag.endswith("}p"):
            parts.append("".join(t.text or "" for t in el.iter() if t.tag.endswith("}t")))
    return "\n".join(parts)


def squash(text: str) -> str:
    """Remove whitespace and drawing underscores, to compare what two formats say, not how they wrap."""
    return re.sub(r"[\s_　]+", "", text)


# portrait documents that are mostly a table with wrapping cells (read as the landscape ones are)
TABLES = frozenset({"material-list"})


def same_text(pdf: str, docx: str, kind) -> bool:
    """Compare what the two formats say. A landscape table reads row by printed line in the PDF (a wrapped
    cell's second line comes after the other cells' first lines), so there only the characters must agree."""
    if kind.landscape or kind.slug in TABLES:
        return sorted(squash(pdf)) == sorted(squash(docx))
    return squash(pdf) == squash(docx)


def texts_of(renderer, slug: str, data: dict, profile: str | None = None) -> tuple[str, str]:
    """Render a payload in both formats; return the squashed text of the PDF and of the DOCX."""
    pdf = pdf_text(renderer.render(slug, data, "pdf", profile).content)
    docx = docx_text(renderer.render(slug, data, "docx", profile).content)
    return squash(pdf), squash(docx)


def errors_of(renderer, slug: str, data: dict, profile: str | None = None) -> dict[str, str]:
    """Render an invalid payload; return its errors as {pointer: Chinese message}."""
    from docgen.errors import InvalidPayload

    try:
        renderer.render(slug, data, "pdf", profile)
    except InvalidPayload as exc:
        return {e["pointer"]: e["detail"] for e in exc.errors}
    raise AssertionError("the payload was accepted")


def changed(slug: str, **changes) -> dict:
    """Return a copy of the sample payload with top-level keys replaced (None removes the key)."""
    from docgen.documents import sample

    data = sample(slug)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def pdf_fonts(content: bytes) -> dict[str, dict]:
    """Return every font a PDF uses: subtype and whether it is embedded."""
    fonts = {}
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for ref in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            f = ref.get_object()
            desc = f.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in f:
                desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            embedded = desc is not None and any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(f.get("/BaseFont"))] = {"subtype": str(f.get("/Subtype")), "embedded": embedded}
    return fonts


def pdf_page_sizes_mm(content: bytes) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [(round(float(p.mediabox.width) / MM), round(float(p.mediabox.height) / MM)) for p in reader.pages]


def pdf_text_boxes_mm(content: bytes) -> list[dict]:
    """Return per page the bounding box (mm) of all characters except the page-number line."""
    boxes = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            lines: dict[int, list] = {}
            for c in chars:
                lines.setdefault(round(c["top"]), []).append(c)
            if lines:
                last = lines[max(lines)]
                if PAGE_NUMBER.match("".join(c["text"] for c in sorted(last, key=lambda c: c["x0"]))):
                    chars = [c for c in chars if c not in last]
            if not chars:
                boxes.append({})
                continue
            boxes.append({"left": min(c["x0"] for c in chars) / MM, "top": min(c["top"] for c in chars) / MM,
                          "right": max(c["x1"] for c in chars) / MM, "bottom": max(c["bottom"] for c in chars) / MM,
                          "width": float(page.width) / MM, "height": float(page.height) / MM,
                          "fonts": {c["fontname"] for c in chars}})
    return boxes


def libreoffice_to_pdf(docx_files: list[Path], outdir: Path) -> None:
    """Convert DOCX files with LibreOffice in one run, with its own profile (FACTS.md)."""
    env = {**os.environ, "FONTCONFIG_FILE": str(Path(__file__).resolve().parent.parent / "fonts" / "fonts.conf")}
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), *map(str, docx_files)], check=True, capture_output=True,
                       timeout=600, env=env)


def docx_xml(content: bytes, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read(part).decode("utf-8")


def many_applicants(n: int, base: dict) -> list[dict]:
    """Return n distinct valid applicants modelled on `base` (female, born 1988-02-29): names and ID numbers vary."""
    from stdnum.cn import ric

    stems, given = "甲乙丙丁戊己庚辛壬癸", "一二三四五六七八九十"
    out = []
    for i in range(n):
        first17 = f"65010219880229{i % 100:02d}2"
        out.append({**base, "name": f"李{stems[i // 10 % 10]}{given[i % 10]}",
                    "id_number": first17 + ric.calc_check_digit(first17 + "0")})
    return out
