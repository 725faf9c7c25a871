"""The unit's PAdES signature, checked by two implementations — pyHanko's validator and poppler's pdfsig — with a
throwaway CA made here; one changed byte breaks it for both; the seal is its visible appearance; PDF/A stays."""
from __future__ import annotations

import io
import logging
import shutil
import subprocess

import pdfplumber
import pikepdf
import pytest
from asn1crypto import pem, x509 as asn1_x509

from docgen.documents import Credentials, Marks, Renderer, sample
from docgen.render import seal, signature
from docgen.rules import cn_date
from tests.render.credentials import seal_png, throwaway_ca

SLUG = "public-notice"


@pytest.fixture(scope="module")
def ca():
    return throwaway_ca("巴音郭楞蒙古自治州农业科学研究所")


@pytest.fixture(scope="module")
def signed(ca):
    p12, _ = ca
    renderer = Renderer(credentials=Credentials(seal.load(seal_png()), signature.Signer.from_p12(p12, "pw")))
    return renderer.render(SLUG, sample(SLUG), "pdf", marks=Marks(seal=True, sign=True, pdfa=True)).content


def _pyhanko(content: bytes, ca_pem: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(ca_pem)
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)])
    sig = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures[0]
    return validate_pdf_signature(sig, context)


def _pdfsig(content: bytes, tmp_path) -> str:
    (tmp_path / "signed.pdf").write_bytes(content)
    return subprocess.run(["pdfsig", str(tmp_path / "signed.pdf")], capture_output=True, text=True).stdout


def _changed(content: bytes) -> bytes:
    """Flip one bit of one byte inside the signed range (the header's binary comment: the file still parses)."""
    at = content.index(b"\n") + 2
    return content[:at] + bytes([content[at] ^ 1]) + content[at + 1:]


def test_pyhanko_validates_the_signature(signed, ca):
    status = _pyhanko(signed, ca[1])
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "巴音郭楞蒙古自治州农业科学研究所" in status.signing_cert.subject.human_friendly


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils not installed")
def test_pdfsig_validates_the_signature(signed, tmp_path):
    out = _pdfsig(signed, tmp_path)
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out and "ETSI.CAdES.detached" in out     # PAdES


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils not installed")
def test_one_changed_byte_breaks_it_for_both(signed, ca, tmp_path):
    broken = _changed(signed)
    status = _pyhanko(broken, ca[1])
    assert not status.intact and not status.bottom_line
    out = _pdfsig(broken, tmp_path)
    assert "Signature is Valid." not in out and "Signature Validation:" in out
    assert [s["intact"] for s in signature.signatures(broken)] == [False]
    assert [s["intact"] for s in signature.signatures(signed)] == [True]


def test_the_seal_is_the_visible_signature_over_the_date(signed):
    pdf = pikepdf.open(io.BytesIO(signed))
    widgets = [a for a in pdf.pages[0].get("/Annots", []) if a.get("/FT") == "/Sig"]
    assert len(widgets) == 1 and int(widgets[0].F) & 4                # printed (PDF/A: every annotation)
    x0, y0, x1, y1 = (float(v) for v in widgets[0].Rect)
    assert abs((x1 - x0) - seal.DIAMETER_MM * seal.MM) < 1.5
    with pdfplumber.open(io.BytesIO(signed)) as doc:
        page = doc.pages[0]
        date = next(line for line in page.extract_text_lines()
                    if line["text"] == cn_date(__import__("datetime").date.fromisoformat(sample(SLUG)["date"])))
        top, bottom = page.height - y1, page.height - y0
        assert x0 <= date["x0"] and date["x1"] <= x1 and top <= date["top"] and date["bottom"] <= bottom
        assert len(page.images) == 1    # the seal, drawn once: on the page, under the signature's field


def test_signing_is_an_incremental_update_that_keeps_pdfa(signed):
    assert signed.count(b"%%EOF") == 2
    pdf = pikepdf.open(io.BytesIO(signed))
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    # §6.6.3: what the information dictionary says, the XMP says alike (pyHanko rewrites both)
    info = pdf.docinfo
    assert str(info["/Producer"]) == meta["pdf:Producer"]
    assert str(info["/Title"]) == meta["dc:title"] and str(info["/Subject"]) == meta["dc:description"]
    assert [str(info["/Author"])] == meta["dc:creator"] and str(info["/Keywords"]) == meta["pdf:Keywords"]
    # §6.3.2: the signature's widget is printed (flag 3) and neither invisible, hidden nor unviewable (1, 2, 6)
    widgets = [annot for page in pdf.pages for annot in page.get("/Annots", [])]
    assert widgets and all(int(a.F) & 0b100111 == 0b100 and "/N" in a.AP for a in widgets)


def test_signed_alone_is_signed(ca):
    """sign=true with nothing else to add (no QR code, seal, PDF/A or watermark) still signs: the signature is
    the finish's only part (it used to return the PDF unsigned)."""
    p12, _ = ca
    renderer = Renderer(credentials=Credentials(signer=signature.Signer.from_p12(p12, "pw")))
    content = renderer.render("integrity-certificate", sample("integrity-certificate"), "pdf",
                              marks=Marks(sign=True, qr=False)).content
    assert [s["intact"] for s in signature.signatures(content)] == [True]


def test_reading_signatures_back_logs_no_path_building_traceback(signed, caplog):
    # docgen checks without a trust list on purpose (the registry vouches for the unit's certificate): pyHanko
    # warned with a traceback at every verification that it built no certificate path
    from docgen.render.signature import signatures
    with caplog.at_level(logging.DEBUG):
        found = signatures(signed)
    assert [s["intact"] for s in found] == [True]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]
