"""The unit's seal: red, upright, centred over the 署名 and pressing on the 成文日期 (GB/T 9704-2012 §7.3.5.1), in the
PDF and in the DOCX as LibreOffice lays it out; never on the applicant's own documents."""
from __future__ import annotations

import io
import shutil

import pdfplumber
import pytest

from docgen.documents import Credentials, Marks, Renderer, sample
from docgen.errors import Problem
from docgen.kinds import KINDS
from docgen.rules import cn_date
from docgen.render import seal
from tests.helpers import libreoffice_to_pdf, pdf_pages_text
from tests.render.credentials import seal_png

UNIT_KINDS = [slug for slug, kind in KINDS.items() if kind.issued_by_unit]
DATED = [slug for slug in UNIT_KINDS if slug != "roster"]    # the roster has no 成文日期: sealed on the unit's name


@pytest.fixture(scope="module")
def sealing():
    return Renderer(credentials=Credentials(seal=seal.load(seal_png())))


def _date_and_seal(content: bytes, date: str) -> tuple[dict, dict, float]:
    """Return the box (pt) of the 成文日期's characters, the seal image's box and the page height."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            lines = [line for line in page.extract_text_lines() if line["text"].replace(" ", "") == date]
            if lines:
                sized = [i for i in page.images if abs(i["x1"] - i["x0"] - seal.DIAMETER_MM * seal.MM) < 1]
                assert len(sized) == 1, "one 42 mm picture on the sealed page: the seal (the QR code is smaller)"
                return lines[-1], sized[0], float(page.height)
    raise AssertionError(f"no line {date}")


def _covers(outer: dict, inner: dict) -> bool:
    return (outer["x0"] <= inner["x0"] and inner["x1"] <= outer["x1"]
            and outer["top"] <= inner["top"] and inner["bottom"] <= outer["bottom"])


def _pressed_on(date: dict, image: dict) -> None:
    """Assert the seal covers the date, centred over it, the date in the seal's lower half but not at its rim:
    pressed on, as GB/T 9704 §7.3.5.1 says (署名和成文日期居印章中心偏下位置)."""
    assert _covers(image, date), (image, date)
    centre_x, centre_y = (image["x0"] + image["x1"]) / 2, (image["top"] + image["bottom"]) / 2
    assert abs(centre_x - (date["x0"] + date["x1"]) / 2) < 6      # centred over the date (≤ 2 mm)
    assert centre_y < date["top"]                                  # the date in the seal's lower half
    assert image["bottom"] - date["bottom"] < (image["bottom"] - image["top"]) / 4   # not hanging far below


@pytest.mark.parametrize("slug", DATED)
def test_seal_presses_on_the_date_in_the_pdf(sealing, slug):
    data = sample(slug)
    rendered = sealing.render(slug, data, "pdf", marks=Marks(seal=True))
    date, image, _ = _date_and_seal(rendered.content, cn_date(_iso(data["date"])))
    _pressed_on(date, image)
    plain = sealing.render(slug, data, "pdf")
    assert pdf_pages_text(rendered.content) == pdf_pages_text(plain.content)              # no line moved


def _iso(value: str):
    import datetime as dt

    return dt.date.fromisoformat(value)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_seal_presses_on_the_date_in_the_docx_as_libreoffice_lays_it_out(sealing, tmp_path):
    files = []
    for slug in ("public-notice", "recommendation", "integrity-certificate"):
        (tmp_path / f"{slug}.docx").write_bytes(sealing.render(slug, sample(slug), "docx", marks=Marks(seal=True)).content)
        files.append(tmp_path / f"{slug}.docx")
    libreoffice_to_pdf(files, tmp_path)
    for slug in ("public-notice", "recommendation", "integrity-certificate"):
        content = (tmp_path / f"{slug}.pdf").read_bytes()
        date, image, _ = _date_and_seal(content, cn_date(_iso(sample(slug)["date"])))
        _pressed_on(date, image)


def test_docx_seal_floats_behind_the_text(sealing):
    from tests.helpers import docx_xml

    xml = docx_xml(sealing.render("public-notice", sample("public-notice"), "docx", marks=Marks(seal=True)).content)
    assert xml.count('behindDoc="1"') == 1 and 'relativeFrom="paragraph"' in xml


def _unit_and_seal(content: bytes, name: str) -> tuple[dict, dict]:
    """Return the box (pt) of the unit's name on the roster's 单位（盖章） line and the seal image's box."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        page = pdf.pages[0]
        line = next(line for line in page.extract_text_lines() if line["text"].replace(" ", "").endswith(name))
        chars = line["chars"][-len(name):]
        assert "".join(c["text"] for c in chars) == name
        sized = [i for i in page.images if abs(i["x1"] - i["x0"] - seal.DIAMETER_MM * seal.MM) < 1]
        assert len(sized) == 1, "one 42 mm picture on the first page: the seal"
        return ({"x0": chars[0]["x0"], "x1": chars[-1]["x1"], "top": line["top"], "bottom": line["bottom"]},
                sized[0])


def _centred_on(name: dict, image: dict) -> None:
    """Assert the seal is centred on the unit's name (≤ 2 mm either way): seed 000 附件5 单位（盖章）."""
    assert abs((image["x0"] + image["x1"]) / 2 - (name["x0"] + name["x1"]) / 2) < 6, (image, name)
    assert abs((image["top"] + image["bottom"]) / 2 - (name["top"] + name["bottom"]) / 2) < 6, (image, name)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_roster_sealed_on_the_units_name_in_pdf_and_docx(sealing, tmp_path):
    """The roster has no sign-off: the unit seals it on its name after 单位（盖章）： (seed 000 附件5), on the
    first page; no line moves."""
    data = sample("roster")
    rendered = sealing.render("roster", data, "pdf", marks=Marks(seal=True))
    _centred_on(*_unit_and_seal(rendered.content, data["unit"]["name"]))
    assert pdf_pages_text(rendered.content) == pdf_pages_text(sealing.render("roster", data, "pdf").content)
    (tmp_path / "roster.docx").write_bytes(sealing.render("roster", data, "docx", marks=Marks(seal=True)).content)
    libreoffice_to_pdf([tmp_path / "roster.docx"], tmp_path)
    _centred_on(*_unit_and_seal((tmp_path / "roster.pdf").read_bytes(), data["unit"]["name"]))


@pytest.mark.parametrize("slug", ["commitment", "work-summary", "ce-exemption", "material-list"])
def test_never_on_the_applicants_own_documents(sealing, slug):
    with pytest.raises(Problem) as refused:
        sealing.render(slug, sample(slug), "pdf", marks=Marks(seal=True))
    assert refused.value.status == 400 and "不加盖单位印章" in refused.value.detail


def test_no_seal_registered_is_said(renderer):
    with pytest.raises(Problem) as refused:
        renderer.render("public-notice", sample("public-notice"), "pdf", marks=Marks(seal=True))
    assert refused.value.status == 400 and "DOCGEN_SEAL_IMAGE" in refused.value.detail


def test_seal_image_checked_and_sized():
    assert seal.load(seal_png()).diameter_mm == seal.DIAMETER_MM
    assert seal.load(seal_png(px=400, dpi=254)).diameter_mm == 40            # 400 px at 10 px/mm
    from PIL import Image

    opaque = io.BytesIO()
    Image.new("RGB", (100, 100), "red").save(opaque, format="PNG")
    with pytest.raises(seal.SealError, match="透明"):
        seal.load(opaque.getvalue())
    with pytest.raises(seal.SealError):
        seal.load(b"not an image")


def _strips(content: bytes) -> list[tuple[set, tuple[float, float] | None]]:
    """Return, per page, where the seal image is placed (its rounded x0 and top, pt) and the span of the page's red
    pixels across (pt, None if none): what shows of the seal, its clip taken into account."""
    side = seal.DIAMETER_MM * seal.MM
    out = []
    with pdfplumber.open(io.BytesIO(content)) as doc:
        for page in doc.pages:
            # (pdfminer lists an image once per form that draws it; poppler shows one: compare the places)
            places = {(round(i["x0"]), round(i["top"])) for i in page.images if abs(i["x1"] - i["x0"] - side) < 1}
            picture = page.to_image(resolution=36).original.convert("RGB")
            red = [x for x in range(picture.width) for y in range(0, picture.height, 2)
                   if (lambda r, g, b: r > 150 and g < 110 and b < 110)(*picture.getpixel((x, y)))]
            scale = float(page.width) / picture.width
            out.append((places, (min(red) * scale, (max(red) + 1) * scale) if red else None))
    return out


def _cross_sealed(content: bytes, copies: int) -> None:
    """Assert a 骑缝章 on each copy of a four-page 评审表: the fronts (pages 1, 3) carry one strip each at the
    outer (right) edge, strip i the seal placed so that its i-th half lies at the edge, clipped to that half;
    the backs carry none."""
    side = seal.DIAMETER_MM * seal.MM
    width, height = 595.3, 841.9
    pages = _strips(content)
    assert len(pages) == 4 * copies
    for copy in range(copies):
        for sheet in range(2):
            places, red = pages[4 * copy + 2 * sheet]
            assert places == {(round(width - (sheet + 1) * side / 2), round((height - side) / 2))}, places
            assert red is not None and red[0] > width - side / 2 - 3 and red[1] > width - 4, red   # only the strip shows
            assert pages[4 * copy + 2 * sheet + 1] == (set(), None)                               # its back: nothing


def test_evaluation_form_copies_take_a_cross_page_seal(sealing):
    """骑缝章 in the PDF: the strips are clipped parts of one image."""
    _cross_sealed(sealing.render("evaluation-form", sample("evaluation-form"), "pdf", copies=2,
                                 marks=Marks(seal=True)).content, 2)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_evaluation_form_docx_takes_the_cross_page_seal_as_libreoffice_lays_it_out(sealing, tmp_path):
    """骑缝章 in the DOCX: a picture cropped to its strip, anchored to the page in the first paragraph of each
    front; LibreOffice puts the strips where the PDF has them."""
    docx = sealing.render("evaluation-form", sample("evaluation-form"), "docx", copies=2, marks=Marks(seal=True))
    (tmp_path / "form.docx").write_bytes(docx.content)
    libreoffice_to_pdf([tmp_path / "form.docx"], tmp_path)
    _cross_sealed((tmp_path / "form.pdf").read_bytes(), 2)


def test_evaluation_form_docx_running_over_its_pages_is_refused_the_cross_page_seal(sealing):
    """Twenty papers take the 评审表 past its four pages: a page then begins where no paragraph of the DOCX tells,
    so its strips cannot be placed — refused with the reason (the PDF, laid out, takes them)."""
    data = sample("evaluation-form")
    data["papers"] = data["papers"] * 10
    with pytest.raises(Problem) as refused:
        sealing.render("evaluation-form", data, "docx", copies=1, marks=Marks(seal=True))
    assert refused.value.status == 400 and "骑缝章" in refused.value.detail and "format=pdf" in refused.value.detail
    pdf = sealing.render("evaluation-form", data, "pdf", copies=1, marks=Marks(seal=True)).content
    pages = _strips(pdf)
    assert len(pages) == 6 and [bool(places) for places, _ in pages] == [True, False] * 3


def test_roster_spreadsheet_takes_no_seal(sealing):
    with pytest.raises(Problem) as refused:
        sealing.render("roster", sample("roster"), "xlsx", marks=Marks(seal=True))
    assert refused.value.status == 400 and "XLSX 不加盖" in refused.value.detail
