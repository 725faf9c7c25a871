"""PDF/A-2b for the personnel archive: the structure veraPDF checks first, tested with pikepdf (veraPDF itself
is not installed here; README says how to run it)."""
from __future__ import annotations

import io

import pikepdf
import pytest

from docgen.documents import Marks, sample

NS = "{http://www.aiim.org/pdfa/ns/id/}"


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    fonts = []
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            fonts += [font, *font.get("/DescendantFonts", [])]
    return fonts


def _embedded(font: pikepdf.Dictionary) -> bool:
    if font.Subtype == "/Type0":
        return True    # its descendant is checked
    if font.Subtype == "/Type3":
        return True    # glyphs are content streams
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("slug, marks", [("public-notice", Marks(pdfa=True)),
                                         ("evaluation-form", Marks(pdfa=True))])
def test_pdfa_structure(renderer, slug, marks):
    rendered = renderer.render(slug, sample(slug), "pdf", marks=marks)
    pdf = pikepdf.open(io.BytesIO(rendered.content))
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    assert meta["dc:title"] == rendered.kind.title
    assert meta["dc:description"] == rendered.subject == sample(slug)["applicant"]["name"]
    unit = sample(slug).get("unit", {}).get("name") or sample(slug)["applicant"]["work_unit"]
    assert meta["dc:creator"] == [unit] and str(pdf.docinfo["/Author"]) == unit
    assert str(pdf.docinfo["/Title"]) == rendered.kind.title and str(pdf.docinfo["/Subject"]) == rendered.subject
    intent = pdf.Root.OutputIntents[0]
    assert intent.S == "/GTS_PDFA1" and b"sRGB" in intent.DestOutputProfile.read_bytes()[:200] + \
        str(intent.get("/OutputConditionIdentifier", "")).encode()
    assert not pdf.is_encrypted
    ids = pdf.trailer.get("/ID")      # §6.1.3 (written by the finish's pikepdf, not by WeasyPrint's pydyf)
    assert ids is not None and len(ids) == 2 and all(len(bytes(i)) == 16 for i in ids)
    assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/OpenAction" not in pdf.Root
    assert "/AA" not in pdf.Root
    fonts = _fonts(pdf)
    assert fonts and all(_embedded(f) for f in fonts)
    assert len(pdf.pages) == len(pikepdf.open(io.BytesIO(
        renderer.render(slug, sample(slug), "pdf").content)).pages)


def test_pdfa_author_is_the_issuing_unit(renderer):
    data = sample("public-notice")
    pdf = pikepdf.open(io.BytesIO(renderer.render("public-notice", data, "pdf", marks=Marks(pdfa=True)).content))
    assert pdf.open_metadata()["dc:creator"] == [data["unit"]["name"]]
    assert str(pdf.docinfo["/Author"]) == data["unit"]["name"]


def test_not_pdfa_unless_asked(renderer):
    pdf = pikepdf.open(io.BytesIO(renderer.render("public-notice", sample("public-notice"), "pdf").content))
    assert "/OutputIntents" not in pdf.Root


@pytest.fixture
def archiving(monkeypatch):
    """Return the default profile with archive_pdfa = true, the one every render now gets."""
    from docgen import profiles

    archived = profiles.get().model_copy(update={"archive_pdfa": True})
    monkeypatch.setattr(profiles, "get", lambda profile_id=None: archived)
    return archived


def _is_pdfa(content: bytes) -> bool:
    pdf = pikepdf.open(io.BytesIO(content))
    return "/OutputIntents" in pdf.Root and pdf.open_metadata().get("pdfaid:part") == "2"


def test_an_archiving_profile_archives_issued_documents_only(renderer, archiving):
    """archive_pdfa makes every issued PDF a PDF/A-2b; a preview (预览稿, 未出具) and a blank form (filled by hand)
    stand for no issued original: plain PDFs."""
    slug = "public-notice"
    assert _is_pdfa(renderer.render(slug, sample(slug), "pdf").content)
    assert not _is_pdfa(renderer.render(slug, sample(slug), "pdf", preview=True).content)
    assert not _is_pdfa(renderer.blank(slug, "pdf").content)
    assert not _is_pdfa(renderer.blank("evaluation-form", "pdf").content)


@pytest.mark.parametrize("marks", [Marks(pdfa=True), Marks(seal=True), Marks(sign=True)])
def test_a_preview_refuses_seal_signature_and_pdfa(renderer, marks):
    from docgen.errors import Problem

    with pytest.raises(Problem) as refused:
        renderer.render("public-notice", sample("public-notice"), "pdf", preview=True, marks=marks)
    assert refused.value.status == 400 and refused.value.slug == "bad-preview" and "预览稿" in refused.value.detail
