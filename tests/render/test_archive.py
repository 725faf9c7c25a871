"""PDF/A-2b for the personnel archive: the structure veraPDF checks first, tested with pikepdf (veraPDF itself
is not installed here; README says how to run it)."""
from __future__ import annotations

import io

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.pens.basePen import NullPen

from docgen.documents import Credentials, Marks, Renderer, sample
from docgen.render import pdf as pdf_render
from docgen.render import seal
from tests.render.credentials import seal_png

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


def _font_faults(pdf: pikepdf.Pdf) -> list[str]:
    """Return what breaks ISO 19005-2 §6.2.11.4–5 and .8 in the file's CID-keyed CFF fonts (what every writer of
    docgen's embeds): a glyph drawn that its program lacks, the .notdef glyph drawn, or a width in /W that differs
    from the program's own by more than veraPDF's tolerance (1/1000 em)."""
    faults, programs = [], {}
    for number, page in enumerate(pdf.pages, 1):
        fonts = page.Resources.get("/Font", {})
        for font in fonts.values():
            if font.objgen in programs:
                continue
            cid_font = font.DescendantFonts[0]
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(cid_font.FontDescriptor.FontFile3.read_bytes()), None)
            top = cff[cff.fontNames[0]]
            widths = {}
            for glyph in top.charset:
                charstring = top.CharStrings[glyph]
                charstring.draw(NullPen())      # sets its width
                widths[0 if glyph == ".notdef" else int(glyph.removeprefix("cid"))] = charstring.width
            listed, w = {}, list(cid_font.get("/W", []))
            while w:
                first, second = int(w[0]), w[1]
                if isinstance(second, pikepdf.Array):
                    listed.update({first + i: float(v) for i, v in enumerate(second)})
                    w = w[2:]
                else:
                    listed.update({cid: float(w[2]) for cid in range(first, int(second) + 1)})
                    w = w[3:]
            default = float(cid_font.get("/DW", 1000))
            faults += [f"{font.BaseFont} CID {cid}: /W {listed.get(cid, default)}, program {width}"
                       for cid, width in widths.items() if cid and abs(listed.get(cid, default) - width) > 1]
            programs[font.objgen] = widths
        current = None
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "Tf":
                current = programs[fonts[operands[0]].objgen]
            elif str(operator) in ("Tj", "TJ"):
                strings = [bytes(o) for o in (operands[0] if str(operator) == "TJ" else operands)
                           if isinstance(o, pikepdf.String)]
                cids = [int.from_bytes(s[i:i + 2], "big") for s in strings for i in range(0, len(s), 2)]
                faults += [f"page {number}: CID {cid} not in its font" for cid in cids if cid not in current or not cid]
    return faults


def _interpolated(pdf: pikepdf.Pdf) -> list[str]:
    """Return the images (also within form XObjects) that ask to be interpolated (§6.2.8: Interpolate false)."""
    found, stack = [], [page.Resources for page in pdf.pages]
    while stack:
        for name, xobject in stack.pop().get("/XObject", {}).items():
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                stack.append(xobject.Resources)
            elif xobject.get("/Interpolate", False):
                found.append(name)
    return found


@pytest.mark.parametrize("writer", ["direct", "weasyprint"])
@pytest.mark.parametrize("slug", ["integrity-certificate", "work-summary", "ce-exemption", "roster",
                                  "evaluation-form"])
def test_pdfa_whichever_writer_lays_it_out(renderer, monkeypatch, slug, writer):
    """A PDF/A copy is the document's PDF finished (sRGB output intent, XMP): the direct writers' (letters, forms,
    the roster, the 评审表) as WeasyPrint's, fonts whole and consistent, the 评审表's photo not interpolated (WeasyPrint
    asks it to be), a letter sealed as well (signed: tests/render/test_signature.py)."""
    monkeypatch.setenv(pdf_render.LETTER_WRITER, writer)
    sealed = slug == "integrity-certificate"
    if sealed:
        renderer = Renderer(credentials=Credentials(seal=seal.load(seal_png())))
    pdf = pikepdf.open(io.BytesIO(renderer.render(slug, sample(slug), "pdf", marks=Marks(pdfa=True, seal=sealed)).content))
    assert ("WeasyPrint" in str(pdf.open_metadata()["pdf:Producer"])) == (writer == "weasyprint")
    assert pdf.open_metadata()["pdfaid:part"] == "2" and pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    profile = pdf.Root.OutputIntents[0].DestOutputProfile
    assert profile.N == 3 and profile.read_bytes()[36:40] == b"acsp" and profile.read_bytes()[16:20] == b"RGB "
    assert pdf.pdf_version >= "1.4" and str(pdf.Root.Lang) == "zh-CN"
    assert _font_faults(pdf) == [] and _interpolated(pdf) == []
    if slug == "evaluation-form":
        assert [n for page in pdf.pages for n, x in page.Resources.XObject.items() if x.get("/Subtype") == "/Image"]


def test_the_checks_find_what_they_look_for(renderer):
    """The checks above catch a width changed in /W, a glyph its program lacks, and an interpolated photo."""
    content = renderer.render("evaluation-form", sample("evaluation-form"), "pdf").content
    pdf = pikepdf.open(io.BytesIO(content))
    assert _interpolated(pdf)      # WeasyPrint's and the direct writer's photo, before the archive's finish
    font = next(iter(pdf.pages[0].Resources.Font.values())).DescendantFonts[0]
    font.W, font.DW = pikepdf.Array(), 123       # every glyph 123/1000 em wide, none is
    assert any("/W" in fault for fault in _font_faults(pdf))
    pdf = pikepdf.open(io.BytesIO(content))
    name, stream = next(iter(pdf.pages[0].Resources.Font.keys())), pdf.pages[0].Contents
    pdf.pages[0].Contents = pdf.make_stream(stream.read_bytes() + f" BT {name} 12 Tf <7fff> Tj ET".encode())
    assert "page 1: CID 32767 not in its font" in _font_faults(pdf)


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
