"""Font subsets cached across renders and renumbered (docgen/render/subsets.py): the pages look exactly as
with WeasyPrint's own subsetting, every glyph used is embedded, and concurrent renders of different
applicants never exchange text."""
from __future__ import annotations

import io
import multiprocessing
import re
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pikepdf
import pypdfium2
import pytest
from fontTools.cffLib import CFFFontSet
from PIL import Image, ImageChops

from docgen.documents import sample
from docgen.render import pdf as pdf_render
from docgen.render import subsets
from tests.helpers import pdf_text

# different names, rare characters among them (Noto fallback), each with characters no other name has
NAMES = ["阿不都热合曼·买买提", "古丽米拉·艾则孜", "刘䶮", "张喆", "王赟", "李堃", "𠈌犇", "赵珺玥", "陈昇",
         "努尔艾力·吐尔逊"]


def _pdf_renderer(renderer):
    return pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))


def _page(renderer, slug: str, payload: dict) -> tuple:
    """Return what the PDF renderer takes for an issued document, with a fixed id (so bytes compare)."""
    kind, _, _, context, _ = renderer.prepare(slug, payload)
    return f"{kind.slug}/document.html", {**context, "document_id": "0" * 32}, kind.layout


def _letter(renderer, name: str) -> tuple:
    """Return the page of a one-page letter that prints the applicant's name (廉政情况证明)."""
    payload = sample("integrity-certificate")
    payload["applicant"] = {**payload["applicant"], "name": name}
    return _page(renderer, "integrity-certificate", payload)


def _render(renderer, page: tuple) -> bytes:
    return _pdf_renderer(renderer).render(*page)


def _font_files(content: bytes) -> list[tuple[str, pikepdf.Object, pikepdf.Object]]:
    """Return (font name, font dictionary, embedded font stream) of every font of every page."""
    out = []
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
                out.append((str(font.BaseFont), font, stream.read_bytes(), dict(stream.items()),
                            _to_unicode(font.ToUnicode.read_bytes())))
    return out


def _to_unicode(cmap: bytes) -> dict[int, str]:
    pairs = re.findall(rb"<([0-9a-f]{4})> <([0-9a-f]+)>", cmap)
    return {int(cid, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for cid, text in pairs}


def _pixels(content: bytes, tmp_path, name: str) -> list[bytes]:
    """Rasterise every page with poppler (pdftoppm), grey, 100 dpi."""
    (tmp_path / f"{name}.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", tmp_path / f"{name}.pdf", tmp_path / name], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]


def _pdfium_pages(content: bytes) -> list[Image.Image]:
    pdf = pypdfium2.PdfDocument(content)
    return [page.render(scale=100 / 72, grayscale=True).to_pil().convert("L") for page in pdf]


CASES = [("commitment", None), ("public-notice", None), ("roster", None), ("evaluation-form", None),
         ("integrity-certificate", "张喆·䶮𠈌赟堃")]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")
@pytest.mark.parametrize("slug,name", CASES)
def test_renumbered_subsets_draw_the_same_pages(renderer, tmp_path, slug, name, monkeypatch):
    monkeypatch.setenv(pdf_render.LETTER_WRITER, "weasyprint")   # WeasyPrint's subsetting (forms, fallbacks): letters through it
    payload = sample(slug)
    if name:
        payload["applicant"]["name"] = name
    page = _page(renderer, slug, payload)
    ours = _render(renderer, page)
    subsets.uninstall()
    try:
        stock = _render(renderer, page)
    finally:
        subsets.install()

    # renumbered: every face embedded as a bare CID-keyed CFF program, smaller than WeasyPrint's subset
    fonts = _font_files(ours)
    assert fonts and all(info["/Subtype"] == "/CIDFontType0C" for _, _, _, info, _ in fonts)
    assert len(ours) < len(stock)
    # poppler draws the very same pixels; PDFium (Chrome's reader) the same glyphs (anti-aliasing may
    # differ by a few grey levels between a bare and a wrapped CFF: a wrong glyph differs by ~255)
    assert _pixels(ours, tmp_path, "ours") == _pixels(stock, tmp_path, "stock")
    for mine, theirs in zip(_pdfium_pages(ours), _pdfium_pages(stock), strict=True):
        assert ImageChops.difference(mine, theirs).point(lambda v: 255 if v > 96 else 0).getbbox() is None
    assert pdf_text(ours) == pdf_text(stock)


@pytest.mark.parametrize("slug", ["integrity-certificate", "public-notice", "ce-exemption", "roster",
                                  "evaluation-form", "recommendation"])
def test_embedded_fonts_hold_every_glyph_used(renderer, slug):
    payload = sample(slug)
    if "applicant" in payload:
        payload["applicant"]["name"] = "张喆·䶮赟"
    content = _render(renderer, _page(renderer, slug, payload))
    for name, _, program, _, to_unicode in _font_files(content):
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(program), None)
        top = cff.topDictIndex[0]
        glyph_of_cid = {int(g[3:]) if g.startswith("cid") else 0: g for g in top.charset}
        for cid, text in to_unicode.items():
            assert cid in glyph_of_cid, (name, cid, text)
            if text.strip():   # a character that is drawn has an outline, not an empty glyph
                top.CharStrings[glyph_of_cid[cid]].decompile()
                assert top.CharStrings[glyph_of_cid[cid]].calcBounds(top.CharStrings) is not None, (name, text)
    if "applicant" in payload:
        assert "张喆·䶮赟" in pdf_text(content)


def test_cached_subsets_are_byte_identical_and_reused(renderer):
    page = _letter(renderer, "阿不都热合曼·买买提")
    subsets.CACHE.clear()
    fresh = _render(renderer, page)
    assert (subsets.CACHE.hits, subsets.CACHE.misses) == (0, len(_font_files(fresh)))
    again = _render(renderer, page)
    assert subsets.CACHE.hits == len(_font_files(fresh))
    assert again == fresh


def _sequential(renderer) -> dict[str, bytes]:
    return {name: _render(renderer, _letter(renderer, name)) for name in NAMES}


def _assert_own_text_only(outputs: dict[str, bytes], sequential: dict[str, bytes]) -> None:
    for name, content in outputs.items():
        assert content == sequential[name], name    # byte for byte what a render alone gives
        text = pdf_text(content)
        assert name in text
        others = [other for other in NAMES if other != name and other in text]
        assert not others, (name, others)


def test_concurrent_threads_keep_each_applicant_text(renderer):
    sequential = _sequential(renderer)
    subsets.CACHE.clear()          # threads race to fill the cache with the same and different glyph sets
    order = NAMES * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda name: (name, _render(renderer, _letter(renderer, name))), order))
    for name, content in results:
        _assert_own_text_only({name: content}, sequential)


def _render_in_child(name: str) -> tuple[str, bytes]:
    from docgen.bootstrap import bootstrap
    from docgen.documents import Renderer

    bootstrap()   # a spawned process starts bare, as every entry point does
    renderer = Renderer()
    return name, _render(renderer, _letter(renderer, name))


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_concurrent_processes_keep_each_applicant_text(renderer, start):
    sequential = _sequential(renderer)          # forked children inherit this warm cache; spawned start cold
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context(start)) as pool:
        results = dict(pool.map(_render_in_child, NAMES[:6] if start == "spawn" else NAMES))
    _assert_own_text_only(results, sequential)
