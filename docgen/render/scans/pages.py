"""A checked scan as A4 pages: images placed as uploaded or downscaled, PDF pages as form XObjects, masks burnt in."""
from __future__ import annotations

import io
import math
import threading
import zlib
from contextlib import ExitStack

import pikepdf
import pypdfium2
from PIL import Image, ImageDraw

from docgen.errors import InvalidPayload

from docgen.render.scans.checks import DAMAGED_PDF, TRANSPOSE, Rect, Scan, check_masks
from docgen.render.scans.layout import A4_MM, PT, UNIT, Placement, form_box, operators, place
from docgen.render.scans.note import CopyNote, note_pdf

MAX_DPI = 300                    # printed resolution: an image finer than this at its placed size is downscaled
DPI_SLACK = 1.05                 # … by more than 5 %: a 300-dpi scan placed at true size keeps its bytes
RASTER_DPI = 200                 # a PDF page with masks is rasterised at this resolution, then the masks burnt
JPEG_QUALITY = 85


def to_pages(scan: Scan, *, copy_note: CopyNote | None = None, masks: dict[int, list[Rect]] | None = None,
             blind: bool = False) -> bytes:
    """Return a PDF of A4 portrait pages, one per image or PDF page, each placed by `place`.

    `copy_note` prints the copy annotation in the 天头 (the scan is kept below it). `masks` (checked with
    check_masks, at the scan's pointer + /masks) are burnt into the pixels when `blind` (盲评 copy: seed 000
    五(一)15, seed 003 三(三)1): an image is decoded, blackened and encoded again; a PDF page with masks is
    rasterised at 200 dpi first, so neither its text nor its original images remain in the output.
    """
    if masks is not None:
        check_masks(masks, scan.pages, scan.pointer + "/masks")
    burnt = (masks or {}) if blind else {}
    placements = [place(sheet, note=copy_note is not None) for sheet in scan.sheets]
    # a copied object's stream data is read from its source when the output is saved: sources stay open
    with pikepdf.new() as out, ExitStack() as sources:
        note = _note_form(out, sources, copy_note) if copy_note is not None else None
        drawn = (_pdf_xobjects(out, sources, scan, placements, burnt) if scan.kind == "pdf"
                 else [_image_xobject(out, scan, placements[0], burnt.get(0, []))])
        for placement, (xobject, source) in zip(placements, drawn, strict=True):
            _add_page(out, placement, xobject, source, note)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _add_page(out: pikepdf.Pdf, placement: Placement, xobject: pikepdf.Object,
              source: tuple[float, float, float, float], note: pikepdf.Object | None) -> None:
    page = out.add_blank_page(page_size=(A4_MM[0] * PT, A4_MM[1] * PT))
    names = pikepdf.Dictionary(S0=xobject)
    ops = [f"q {operators(placement, source)} /S0 Do Q"]
    if note is not None:
        names.N0 = note
        ops.append("q /N0 Do Q")
    page.obj.Resources = pikepdf.Dictionary(XObject=names)
    page.obj.Contents = out.make_stream("\n".join(ops).encode())


def _image_xobject(out: pikepdf.Pdf, scan: Scan, placement: Placement,
                   rects: list[Rect]) -> tuple[pikepdf.Object, tuple[float, float, float, float]]:
    """Return an image scan's XObject: the JPEG as uploaded (less its metadata) when it is upright, not
    finer than 300 dpi as placed, not masked and RGB or grey; else its pixels decoded, laid on white,
    downscaled to 300 dpi at the placed size, turned upright, masked and encoded again (JPEG for a photo,
    Flate for a PNG)."""
    with Image.open(io.BytesIO(scan.data), formats=("JPEG", "PNG")) as image:
        target = _target_pixels(image.size, scan.orientation, placement)
        if scan.kind == "jpeg" and scan.orientation == 1 and not rects and target is None \
                and image.mode in ("L", "RGB"):
            return _stream(out, scan.data, image.size, image.mode, pikepdf.Name.DCTDecode), UNIT
        if target is not None:
            image.draft(image.mode, target)   # JPEG: decoded at 1/2, 1/4 … where that is still fine enough
        picture = _on_paper(image)
    if target is not None and picture.size != target:   # before turning: a turn of fewer pixels is quicker
        picture = picture.resize(target, Image.Resampling.BICUBIC, reducing_gap=3.0)
    if scan.orientation in TRANSPOSE:
        picture = picture.transpose(TRANSPOSE[scan.orientation])
    _burn(picture, rects)
    return _encoded(out, picture, jpeg=scan.kind == "jpeg"), UNIT


def _target_pixels(size: tuple[int, int], orientation: int, placement: Placement) -> tuple[int, int] | None:
    """Return the pixel size (as stored) at 300 dpi of the placed size, or None when the image is not finer."""
    placed_w, placed_h = placement.upright_mm
    if orientation >= 5:                  # stored a quarter turned from how it is seen
        placed_w, placed_h = placed_h, placed_w
    if size[0] / (placed_w / 25.4) <= MAX_DPI * DPI_SLACK:
        return None
    return max(1, round(placed_w / 25.4 * MAX_DPI)), max(1, round(placed_h / 25.4 * MAX_DPI))


def _on_paper(image: Image.Image) -> Image.Image:
    """Return the decoded picture in L or RGB, transparency laid over white paper."""
    picture = image.convert("RGBA") if image.mode == "P" else image.copy()
    if picture.mode in ("RGBA", "LA", "PA"):
        paper = Image.new("RGBA", picture.size, "white")
        picture = Image.alpha_composite(paper, picture.convert("RGBA"))
    if picture.mode.startswith("I"):      # a 16-bit grey PNG: its high byte
        picture = picture.convert("I").point(lambda v: v / 256).convert("L")
    return picture if picture.mode in ("L", "RGB") else picture.convert("RGB")


def _burn(picture: Image.Image, rects: list[Rect]) -> None:
    """Blacken the masked regions in the pixels themselves (every pixel a region touches)."""
    draw = ImageDraw.Draw(picture)
    width, height = picture.size
    for rect in rects:
        left, top = math.floor(rect.x * width), math.floor(rect.y * height)
        right = math.ceil((rect.x + rect.width) * width)
        bottom = math.ceil((rect.y + rect.height) * height)
        draw.rectangle((left, top, right - 1, bottom - 1), fill=0 if picture.mode == "L" else (0, 0, 0))


def _encoded(out: pikepdf.Pdf, picture: Image.Image, *, jpeg: bool) -> pikepdf.Object:
    if jpeg:
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY)
        return _stream(out, buffer.getvalue(), picture.size, picture.mode, pikepdf.Name.DCTDecode)
    return _stream(out, zlib.compress(picture.tobytes(), 6), picture.size, picture.mode, pikepdf.Name.FlateDecode)


def _stream(out: pikepdf.Pdf, data: bytes, size: tuple[int, int], mode: str, codec: pikepdf.Name) -> pikepdf.Object:
    space = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
    return out.make_indirect(pikepdf.Stream(out, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                            Width=size[0], Height=size[1], ColorSpace=space, BitsPerComponent=8,
                                            Filter=codec))


def _pdf_xobjects(out: pikepdf.Pdf, sources: ExitStack, scan: Scan, placements: list[Placement],
                  burnt: dict[int, list[Rect]]) -> list[tuple[pikepdf.Object, tuple[float, float, float, float]]]:
    """Return each page of a PDF scan as a form XObject, or rasterised and burnt where it has masks."""
    source = sources.enter_context(pikepdf.open(io.BytesIO(scan.data)))
    try:   # check_scan made each page so: a damage found only now is still the upload's, at its pointer
        source.flatten_annotations("print")       # what prints of stamps, signatures and filled fields stays
        rasters = _rasters(source, placements, burnt) if burnt else {}
        drawn = []
        for index, page in enumerate(source.pages):
            if index in rasters:
                drawn.append((_encoded(out, rasters[index], jpeg=True), UNIT))
                continue
            form = out.copy_foreign(page.as_form_xobject())
            drawn.append((form, form_box(form)))
    except (pikepdf.PdfError, pypdfium2.PdfiumError):
        raise InvalidPayload([{"pointer": scan.pointer, "detail": DAMAGED_PDF}]) from None
    return drawn


_pdfium = threading.Lock()      # PDFium is not thread-safe


def _rasters(source: pikepdf.Pdf, placements: list[Placement], burnt: dict[int, list[Rect]]) -> dict[int, Image.Image]:
    """Rasterise the pages that have masks at 200 dpi of their placed size, and burn the masks into them."""
    buffer = io.BytesIO()
    source.save(buffer)
    rasters = {}
    with _pdfium:
        document = pypdfium2.PdfDocument(buffer.getvalue())
        try:
            for index, rects in burnt.items():
                picture = _raster(document[index], placements[index])
                _burn(picture, rects)
                rasters[index] = picture
        finally:
            document.close()
    return rasters


def _raster(page: pypdfium2.PdfPage, placement: Placement) -> Image.Image:
    page.set_cropbox(*page.get_trimbox())      # the box the form XObject of the page shows (its TrimBox)
    placed_w, _ = placement.upright_mm
    scale = placed_w * PT / page.get_width() * RASTER_DPI / 72
    picture = page.render(scale=scale, draw_annots=True).to_pil()
    return picture.convert("RGB")


def _note_form(out: pikepdf.Pdf, sources: ExitStack, note: CopyNote) -> pikepdf.Object:
    rendered = sources.enter_context(pikepdf.open(io.BytesIO(note_pdf(note))))
    return out.copy_foreign(rendered.pages[0].as_form_xobject())
