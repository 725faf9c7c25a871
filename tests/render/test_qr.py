"""The verification QR code in the bottom margin of every document the profile names: it moves no line."""
from __future__ import annotations

import io
import shutil
import subprocess
from urllib.parse import urlparse

import pdfplumber
import pytest

from docgen import profiles
from docgen.documents import Marks, sample
from docgen.render import finish
from tests.helpers import docx_xml, libreoffice_to_pdf, pdf_pages_text

QR_KINDS = profiles.get().qr_documents


def _lines(content: bytes) -> list[list[tuple[str, int]]]:
    """Return each page's text lines with their tops (pt), page numbers kept."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [[(line["text"], round(line["top"])) for line in page.extract_text_lines()] for page in pdf.pages]


@pytest.mark.parametrize("slug", QR_KINDS)
def test_qr_code_moves_no_line(renderer, slug):
    with_code = renderer.render(slug, sample(slug), "pdf")
    without = renderer.render(slug, sample(slug), "pdf", marks=Marks(qr=False))
    assert len(_lines(with_code.content)) == len(_lines(without.content))
    assert _lines(with_code.content) == _lines(without.content)
    assert pdf_pages_text(with_code.content, folios=True) == pdf_pages_text(without.content, folios=True)


def test_profile_names_the_unit_letters_not_the_applicants_own():
    assert "public-notice" in QR_KINDS and "evaluation-form" in QR_KINDS
    assert "commitment" not in QR_KINDS and "work-summary" not in QR_KINDS


def test_qr_code_asked_for_or_refused_per_document(renderer):
    assert renderer.render("commitment", sample("commitment"), "docx").content.count(b"word/media") == 0
    on = docx_xml(renderer.render("commitment", sample("commitment"), "docx", marks=Marks(qr=True)).content,
                  "word/header1.xml")
    assert "<wp:anchor" in on
    off = renderer.render("public-notice", sample("public-notice"), "pdf", marks=Marks(qr=False)).content
    assert b"/v1/verify" not in off and len(pdf_pages_text(off)) == 1


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (zbar-tools) not installed")
def test_qr_code_in_the_bottom_margin_opens_the_verification(renderer, tmp_path):
    rendered = renderer.render("recommendation", sample("recommendation"), "pdf")
    with pdfplumber.open(io.BytesIO(rendered.content)) as pdf:
        page = pdf.pages[0]
        margin = page.crop((0, page.height - 35 * finish.MM, page.width, page.height))   # GB/T 9704: 35 mm
        margin.to_image(resolution=200).save(tmp_path / "margin.png")
        assert not [c for c in margin.chars if c["text"].strip() and c["text"] not in "—0123456789 "]
    out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "margin.png")], capture_output=True, text=True)
    assert urlparse(out.stdout.strip()).path == f"/v1/verify/{rendered.document_id}"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_docx_with_the_code_keeps_its_pages_in_libreoffice(renderer, tmp_path):
    for name, marks in (("with", Marks()), ("without", Marks(qr=False))):
        (tmp_path / f"{name}.docx").write_bytes(
            renderer.render("public-notice", sample("public-notice"), "docx", marks=marks).content)
    libreoffice_to_pdf([tmp_path / "with.docx", tmp_path / "without.docx"], tmp_path)
    assert _lines((tmp_path / "with.pdf").read_bytes()) == _lines((tmp_path / "without.pdf").read_bytes())
