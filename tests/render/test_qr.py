"""The verification QR code in the bottom margin of every document the profile names: it moves no line."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pdfplumber
import pytest
import qrcode
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image
from qrcode import util

from docgen import profiles
from docgen.documents import Marks, sample
from docgen.errors import Problem
from docgen.kinds import KINDS
from docgen.render import finish, qr
from tests.helpers import docx_xml, libreoffice_to_pdf, pdf_pages_text

QR_KINDS = profiles.get().qr_documents
ROOMY = [slug for slug, kind in KINDS.items() if kind.qr_room and "pdf" in kind.formats]
LONG = Path(__file__).resolve().parents[2] / "samples" / "long"


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


@pytest.mark.parametrize("which", ["sample", "long"])
@pytest.mark.parametrize("slug", ROOMY)
def test_qr_code_is_clear_of_every_character_on_every_page(renderer, slug, which):
    """Where a kind has room for the code (Kind.qr_room), no character of its pages — text, page number — lies
    under it, with the sample's content or the longest sample's."""
    payload = sample(slug) if which == "sample" else json.loads((LONG / f"{slug}.json").read_text("utf-8"))
    content = renderer.render(slug, payload, "pdf", marks=Marks(qr=True)).content
    side, bottom = finish.QR_MM * finish.MM, finish.QR_BOTTOM_MM * finish.MM
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            left, top = (float(page.width) - side) / 2, float(page.height) - bottom - side
            under = [c["text"] for c in page.chars if c["x1"] > left and c["x0"] < left + side
                     and c["bottom"] > top and c["top"] < top + side]
            assert not under, (n, "".join(under))


def test_a_kind_without_room_for_the_code_refuses_it(renderer):
    """The roster's 10 mm bottom margin under its centred page number: qr=true is refused, not printed over them."""
    assert not KINDS["roster"].qr_room and not any(
        not KINDS[slug].qr_room for profile_id in profiles.ids() for slug in profiles.get(profile_id).qr_documents)
    for fmt in ("pdf", "docx"):
        with pytest.raises(Problem) as refused:
            renderer.render("roster", sample("roster"), fmt, marks=Marks(qr=True))
        assert refused.value.status == 400 and "二维码" in refused.value.detail
    assert b"/v1/verify" not in renderer.render("roster", sample("roster"), "pdf").content


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


def _qrcode_own(data: str, border: int = 0) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border, box_size=6)
    code.add_data(data)
    code.make(fit=True)
    return code


# verify links as docgen makes them: a deployment's PUBLIC_URL, a document id (uuid4 hex), any SECRET_KEY
public_urls = st.builds("https://{}{}{}".format, st.from_regex(r"[a-z][a-z0-9-]{0,30}(\.[a-z]{2,10}){1,3}", fullmatch=True),
                        st.sampled_from(("", ":8443", ":8000")), st.sampled_from(("", "/", "/docgen", "/zc/docgen/")))
verify_urls = st.builds(qr.verify_url, public_urls, st.uuids().map(lambda u: u.hex), st.text(min_size=1, max_size=40))
# other texts, from 1 character to past version 10 (numeric, alphanumeric, bytes and Chinese segments)
texts = st.one_of(st.text(min_size=1, max_size=300), st.from_regex(r"[0-9A-Z $%*+./:-]{1,400}", fullmatch=True),
                  st.from_regex(r"[0-9]{1,600}", fullmatch=True), st.text("张三王芳新疆巴州1-/", min_size=1, max_size=200))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(data=st.one_of(verify_urls, texts))
@example("https://docgen.example.gov.cn/v1/verify/" + "f" * 160)   # version 10: version modules written
def test_matrix_is_qrcodes_own_symbol(data):
    # the same version, data, error correction and mask: qrcode's make(fit=True) evaluating all 8 masks
    assert qr.matrix(data) == _qrcode_own(data).get_matrix()


@settings(max_examples=60, derandomize=True, deadline=None)
@given(data=st.one_of(verify_urls, texts))
def test_each_masks_penalty_is_qrcodes_lost_point(data):
    code = _qrcode_own(data)
    for pattern in range(8):
        code.makeImpl(True, pattern)   # as qrcode's best_mask_pattern scores it
        assert qr._penalty(qr._lines(code.modules), code.modules_count) == util.lost_point(code.modules), pattern


def test_png_has_the_pixels_of_qrcodes_image():
    url = qr.verify_url("https://docgen.example.gov.cn", "0123456789abcdef0123456789abcdef", "key")
    ours = Image.open(io.BytesIO(qr.png(url)))
    theirs = _qrcode_own(url, border=qr.QUIET).make_image(fill_color="black", back_color="white").get_image()
    assert (ours.mode, ours.size) == (theirs.mode, theirs.size) == ("1", (270, 270))   # version 6: (41 + 4) × 6
    assert ours.tobytes() == theirs.tobytes()


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (zbar-tools) not installed")
def test_png_scans_to_its_link(tmp_path):
    url = qr.verify_url("https://docgen.example.gov.cn/", "fedcba9876543210fedcba9876543210", "key")
    (tmp_path / "code.png").write_bytes(qr.png(url))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "code.png")], capture_output=True, text=True)
    assert out.stdout.strip() == url
