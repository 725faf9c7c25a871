"""Uploaded scans (JPG, PNG, PDF): checked by their content, then laid on A4 pages with the copy note and 盲评 masks.

`check_scan` accepts an upload or raises docgen.errors.InvalidPayload (Chinese, at the pointer the caller
names); `to_pages` makes the PDF the package places for it, one A4 portrait page per image or PDF page.
Nothing of an upload but its pixels and page content reaches the output: a JPEG loses its metadata
segments (EXIF with GPS and camera, XMP, comments), a PNG is decoded and its pixels written again, a PDF's
pages are drawn as form XObjects (no document info, outlines, scripts, annotations but their printed look).
"""
from __future__ import annotations

import datetime as dt
import io
import math
import threading
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Literal

import pikepdf
from markupsafe import escape
from PIL import Image, ImageDraw

from docgen import rules
from docgen.errors import InvalidPayload
from docgen.limits import images
from docgen.render import fonts, subsets

if TYPE_CHECKING:
    import pypdfium2
    from weasyprint.text.fonts import FontConfiguration

MAX_BYTES = 20 * 1024 * 1024     # a file
MAX_PIXELS = 40_000_000          # an image, or an image inside a PDF: a phone photo is 12 MP (3000 × 4000)
MAX_PAGES = 50                   # a PDF
MIN_TRUE_DPI = 100               # below, a stated resolution is a camera's 72 dpi, not a scanner's
MAX_DPI = 300                    # printed resolution: an image finer than this at its placed size is downscaled
DPI_SLACK = 1.05                 # … by more than 5 %: a 300-dpi scan placed at true size keeps its bytes
RASTER_DPI = 200                 # a PDF page with masks is rasterised at this resolution, then the masks burnt
JPEG_QUALITY = 85
PT = 72 / 25.4                   # points a millimetre
A4_MM = (210.0, 297.0)
# GB/T 9704-2012 §5.2.2: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so 26 mm right, 35 mm bottom)
TOP_MM, RIGHT_MM, BOTTOM_MM, LEFT_MM = 37.0, 26.0, 35.0, 28.0
FIT_SLACK_MM = 2.0               # a 300-dpi A4 scan (2480 × 3508) is 297.02 mm tall: it still fits at true size
JPEG_MAGIC, PNG_MAGIC = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
# APP1–APP13, APP15 (EXIF, XMP, ICC, Photoshop IRB …) and COM; kept: APP0 (JFIF), APP14 (Adobe colour transform)
JPEG_METADATA = frozenset([*range(0xE1, 0xEE), 0xEF, 0xFE])
EXIF_ORIENTATION = 0x0112
TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
             5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
             8: Image.Transpose.ROTATE_90}   # EXIF orientation → the turn that shows the picture upright
# what a scan may not carry, as a dictionary key or as the name of an action (/S), type or subtype
FORBIDDEN = {"/JS": "脚本（JavaScript）", "/JavaScript": "脚本（JavaScript）", "/XFA": "动态表单（XFA）",
             "/Launch": "启动外部程序的动作", "/ImportData": "导入数据的动作", "/SubmitForm": "提交表单的动作",
             "/EmbeddedFiles": "嵌入文件", "/EmbeddedFile": "嵌入文件", "/EF": "嵌入文件", "/GoToE": "嵌入文件",
             "/FileAttachment": "嵌入文件", "/RichMedia": "多媒体内容"}
FORMAT = "附件无法识别：只接受 JPG、PNG 图片或 PDF 文件"
ENCRYPTED = "PDF文件已加密或设有密码，请去除密码后再提交"

Kind = Literal["jpeg", "png", "pdf"]


@dataclass(frozen=True)
class Sheet:
    """One page of a scan as it is seen upright: its size in mm, and whether that is its real size."""

    width_mm: float
    height_mm: float
    true_size: bool      # a PDF page, or an image whose resolution is a scanner's (≥ 100 dpi)


@dataclass(frozen=True)
class Scan:
    """A checked upload: its kind, its bytes (a JPEG without metadata), the pointer its errors name, its pages."""

    kind: Kind
    data: bytes
    pointer: str
    sheets: tuple[Sheet, ...]
    orientation: int = 1     # a JPEG's or PNG's EXIF orientation (1: upright as stored)

    @property
    def pages(self) -> int:
        return len(self.sheets)


@dataclass(frozen=True)
class CopyNote:
    """The copy annotation in the top margin: each value printed when given, a ruled blank otherwise.

    seed 000 (四)10 “注明复印人、复印时间并加盖单位公章”; seed 003 “复印件上签署与原件一致并加盖单位公章”.
    """

    copier: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Rect:
    """A region to mask (盲评), in fractions 0–1 of the page's width and height from its top-left corner,
    on the page as it is seen upright (after a photo's EXIF orientation and a PDF page's /Rotate).

    Fractions, not mm: the same numbers hold for a photo of any resolution and for a PDF page of any size.
    """

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Box:
    """A rectangle on the A4 page, in mm from its bottom-left corner."""

    x: float
    y: float
    width: float
    height: float


PAGE = Box(0, 0, *A4_MM)
BELOW_NOTE = Box(0, 0, A4_MM[0], A4_MM[1] - TOP_MM)      # the copy note takes the 天头
TEXT = Box(LEFT_MM, BOTTOM_MM, A4_MM[0] - LEFT_MM - RIGHT_MM, A4_MM[1] - TOP_MM - BOTTOM_MM)


@dataclass(frozen=True)
class Placement:
    """Where a sheet lands on the page (mm from the bottom-left) and whether it is turned a quarter."""

    box: Box
    turned: bool

    @property
    def upright_mm(self) -> tuple[float, float]:
        """Return the placed width and height along the sheet's own upright axes."""
        w, h = self.box.width, self.box.height
        return (h, w) if self.turned else (w, h)


def _refused(pointer: str, detail: str) -> InvalidPayload:
    return InvalidPayload([{"pointer": pointer, "detail": detail}])


# ---------------------------------------------------------------------------------------------- checks

def check_scan(data: bytes, pointer: str) -> Scan:
    """Check an upload by its content (JPG, PNG or PDF, never by its name) and return it as a Scan.

    Refused, each with a Chinese message at `pointer`: more than 20 MB; any other format; an image of more
    than 40 megapixels (from its header, before any pixel is decoded) or one that does not decode; a PDF
    that is encrypted, unreadable, empty or longer than 50 pages, or that carries scripts, launch or submit
    actions, embedded files or an image of more than 40 megapixels.
    """
    if len(data) > MAX_BYTES:
        raise _refused(pointer, f"附件不能超过{MAX_BYTES // 2**20}MB（收到{len(data) / 2**20:.1f}MB），请压缩后再提交")
    if data.startswith((JPEG_MAGIC, PNG_MAGIC)):
        return _check_image(data, pointer)
    if b"%PDF-" in data[:1024]:      # ISO 32000-1 §7.5.2: readers find the header within the first 1024 bytes
        return _check_pdf(data, pointer)
    raise _refused(pointer, FORMAT)


def _check_image(data: bytes, pointer: str) -> Scan:
    try:
        image = images.open_header(data, MAX_PIXELS, title="附件图片")
    except images.PhotoRefused as refused:
        raise _refused(pointer, FORMAT if refused.code == "photo_format" else refused.message) from None
    with image:
        kind: Kind = "jpeg" if image.format == "JPEG" else "png"
        orientation = image.getexif().get(EXIF_ORIENTATION, 1)
        orientation = orientation if orientation in TRANSPOSE else 1
        sheet = _image_sheet(image.size, image.info.get("dpi"), orientation)
        try:   # a damaged upload is refused now, not when the package is made
            data = _strip_jpeg(data) if kind == "jpeg" else _whole_png(data)
            image.draft(image.mode, (image.width // 8, image.height // 8))   # JPEG: every block read, at 1/8
            image.load()
        except (OSError, SyntaxError, ValueError, zlib.error):
            raise _refused(pointer, "附件图片已损坏，无法读取，请重新扫描或拍照后再提交") from None
    return Scan(kind, data, pointer, (sheet,), orientation)


def _whole_png(data: bytes) -> bytes:
    """Return a PNG whose chunks are all there, to its end (IEND), CRCs checked; raise when it is cut short.

    Decoding alone does not tell: WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process.
    """
    with Image.open(io.BytesIO(data), formats=("PNG",)) as png:
        png.verify()
    return data


def _image_sheet(size: tuple[int, int], dpi: object, orientation: int) -> Sheet:
    """Return an image's upright page: its true size when its resolution is a scanner's, else nominal."""
    width, height = size if orientation < 5 else size[::-1]      # EXIF 5–8 turn the picture a quarter
    try:
        x_dpi, y_dpi = (float(d) for d in dpi) if isinstance(dpi, tuple) else (0.0, 0.0)
    except (TypeError, ValueError):
        x_dpi = y_dpi = 0.0
    if orientation >= 5:
        x_dpi, y_dpi = y_dpi, x_dpi
    if min(x_dpi, y_dpi) >= MIN_TRUE_DPI:
        return Sheet(width / x_dpi * 25.4, height / y_dpi * 25.4, true_size=True)
    return Sheet(width / MAX_DPI * 25.4, height / MAX_DPI * 25.4, true_size=False)


def _strip_jpeg(data: bytes) -> bytes:
    """Return a JPEG without its metadata segments and anything after its end (a motion photo's video),
    losslessly: the compressed pixels are kept as they are. Raise ValueError for a JPEG cut short."""
    return data[:2] + b"".join(data[start:end] for marker, start, end in _jpeg_segments(data)
                               if marker not in JPEG_METADATA)


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """Yield a JPEG's segments after its start (marker, start, end) to its end of image; a scan's segment
    holds its entropy-coded data. Raise ValueError when the file ends before its end of image."""
    pos = 2
    while pos + 1 < len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:                      # a fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:                      # end of image
            yield marker, pos, pos + 2
            return
        end = pos + 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:                      # start of scan: its entropy-coded data runs to the next marker
            end = _entropy_end(data, end)
        yield marker, pos, end
        pos = end
    raise ValueError("the JPEG ends before its end-of-image marker")


def _entropy_end(data: bytes, pos: int) -> int:
    """Return where entropy-coded data ends: at the first marker that is no stuffed 0xFF00 nor a restart."""
    while (pos := data.find(b"\xff", pos)) >= 0 and pos + 1 < len(data):
        following = data[pos + 1]
        if following != 0 and not 0xD0 <= following <= 0xD7 and following != 0xFF:
            return pos
        pos += 1 if following == 0xFF else 2
    return len(data)


def _check_pdf(data: bytes, pointer: str) -> Scan:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise _refused(pointer, ENCRYPTED) from None
    except pikepdf.PdfError:
        raise _refused(pointer, "PDF文件已损坏，无法读取，请重新导出后再提交") from None
    with pdf:
        if pdf.is_encrypted:
            raise _refused(pointer, ENCRYPTED)
        if not 0 < len(pdf.pages) <= MAX_PAGES:
            raise _refused(pointer, f"PDF文件应有1至{MAX_PAGES}页（收到{len(pdf.pages)}页），请拆分后再提交")
        carried = _forbidden(pdf)
        if carried:
            raise _refused(pointer, f"PDF文件含有{carried}，不能作为附件，请打印为PDF或扫描后再提交")
        sheets = tuple(_pdf_sheet(page, pointer) for page in pdf.pages)
    return Scan("pdf", data, pointer, sheets)


def _pdf_sheet(page: pikepdf.Page, pointer: str) -> Sheet:
    _, _, width, height = _form_box(page.as_form_xobject())
    if not (width >= 1 and height >= 1):
        raise _refused(pointer, "PDF文件的页面大小无效，请重新导出后再提交")
    return Sheet(width / PT, height / PT, true_size=True)


def _forbidden(pdf: pikepdf.Pdf) -> str | None:
    """Return what a PDF carries that no scan may (a script, a launch action, an embedded file …), or None."""
    for obj in _dictionaries(pdf):
        for key in obj.keys():
            if key in FORBIDDEN:
                return FORBIDDEN[key]
        for key in ("/S", "/Type", "/Subtype"):
            value = obj.get(key)
            if isinstance(value, pikepdf.Name) and str(value) in FORBIDDEN:
                return FORBIDDEN[str(value)]
        if _too_many_pixels(obj):
            return f"超过{MAX_PIXELS // 10_000}万像素的图片"
    return None


def _too_many_pixels(obj: pikepdf.Dictionary) -> bool:
    if obj.get("/Subtype") != pikepdf.Name.Image:
        return False
    width, height = obj.get("/Width", 0), obj.get("/Height", 0)
    return isinstance(width, int) and isinstance(height, int) and width * height > MAX_PIXELS


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Yield every dictionary of a PDF: each object's, streams' too, and those written inside them."""
    for root in pdf.objects:
        stack = [root]
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Stream):
                obj = obj.stream_dict
            if isinstance(obj, pikepdf.Dictionary):
                yield obj
                children = [value for _, value in obj.items()]
            elif isinstance(obj, pikepdf.Array):
                children = list(obj)
            else:
                continue
            # an indirect child is an object of its own, visited from pdf.objects
            stack.extend(c for c in children if isinstance(c, pikepdf.Dictionary | pikepdf.Array) and not c.is_indirect)


def check_masks(masks: dict[int, list[Rect]], pages: int, pointer: str) -> None:
    """Refuse masks on pages the scan lacks (keys are page indexes from 0) and rectangles outside the page
    (fractions 0–1), each at `pointer`/page/index."""
    errors = []
    for page, rects in masks.items():
        if not 0 <= page < pages:
            errors.append({"pointer": f"{pointer}/{page}",
                           "detail": f"遮盖区域所在页不存在：附件共{pages}页，没有第{page + 1}页（页码从0计）"})
            continue
        errors += [{"pointer": f"{pointer}/{page}/{i}",
                    "detail": f"第{page + 1}页第{i + 1}个遮盖区域超出页面：x、y、宽、高是页面宽高的比例（0～1），"
                              f"宽、高大于0，且 x+宽、y+高不超过1"}
                   for i, rect in enumerate(rects) if not _inside(rect)]
    if errors:
        raise InvalidPayload(errors)


def _inside(rect: Rect) -> bool:
    values = (rect.x, rect.y, rect.width, rect.height)
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        return False
    eps = 1e-9
    return (rect.x >= 0 and rect.y >= 0 and rect.width > 0 and rect.height > 0
            and rect.x + rect.width <= 1 + eps and rect.y + rect.height <= 1 + eps)


# ---------------------------------------------------------------------------------------------- placement

def place(sheet: Sheet, *, note: bool) -> Placement:
    """Place a sheet on a portrait A4 page, centred.

    Rule: at its true size when it has one and it fits the page (below the 天头 when the copy note takes
    it; 2 mm of slack), else scaled to fit the GB/T 9704 版心 (156 × 225 mm) keeping its aspect ratio.
    A sheet is turned a quarter (its top to the left, the binding edge: GB/T 9704-2012 §10.2 puts a turned
    table's head on the 订口 side of an odd page) only when that makes it strictly larger; a landscape
    A4 scan at true size is then exactly A4.
    """
    upright = _fit(sheet.width_mm, sheet.height_mm, sheet.true_size, note)
    turned = _fit(sheet.height_mm, sheet.width_mm, sheet.true_size, note)
    is_turned = turned.width * turned.height > upright.width * upright.height * 1.0001
    return Placement(turned if is_turned else upright, is_turned)


def _fit(width: float, height: float, true_size: bool, note: bool) -> Box:
    region = BELOW_NOTE if note else PAGE
    if not (true_size and width <= region.width + FIT_SLACK_MM and height <= region.height + FIT_SLACK_MM):
        scale = min(TEXT.width / width, TEXT.height / height)
        width, height, region = width * scale, height * scale, TEXT
    return Box(region.x + (region.width - width) / 2, region.y + (region.height - height) / 2, width, height)


def _form_box(form: pikepdf.Object) -> tuple[float, float, float, float]:
    """Return a form XObject's bounding box as it is drawn (its /Matrix applied): x, y, width, height in pt."""
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    xs, ys = [], []
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _operators(placement: Placement, source: tuple[float, float, float, float]) -> str:
    """Return the `cm` operators that map a source box (an image's unit square, a form's box) onto a placement."""
    x0, y0, w, h = source
    box = placement.box
    bx, by, bw, bh = box.x * PT, box.y * PT, box.width * PT, box.height * PT
    place = (f"0 {bh:.4f} {-bw:.4f} 0 {bx + bw:.4f} {by:.4f}" if placement.turned     # top to the left
             else f"{bw:.4f} 0 0 {bh:.4f} {bx:.4f} {by:.4f}")
    return f"{place} cm {1 / w:.10g} 0 0 {1 / h:.10g} {-x0 / w:.10g} {-y0 / h:.10g} cm"


# ---------------------------------------------------------------------------------------------- pages

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
        out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _add_page(out: pikepdf.Pdf, placement: Placement, xobject: pikepdf.Object,
              source: tuple[float, float, float, float], note: pikepdf.Object | None) -> None:
    page = out.add_blank_page(page_size=(A4_MM[0] * PT, A4_MM[1] * PT))
    names = pikepdf.Dictionary(S0=xobject)
    ops = [f"q {_operators(placement, source)} /S0 Do Q"]
    if note is not None:
        names.N0 = note
        ops.append("q /N0 Do Q")
    page.obj.Resources = pikepdf.Dictionary(XObject=names)
    page.obj.Contents = out.make_stream("\n".join(ops).encode())


UNIT = (0.0, 0.0, 1.0, 1.0)     # an image XObject is drawn in the unit square


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
            image.draft("RGB", target)        # JPEG: decoded at 1/2, 1/4 … where that is still fine enough
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
    source.flatten_annotations("print")       # what prints of stamps, signatures and filled fields stays
    rasters = _rasters(source, placements, burnt) if burnt else {}
    drawn = []
    for index, page in enumerate(source.pages):
        if index in rasters:
            drawn.append((_encoded(out, rasters[index], jpeg=True), UNIT))
            continue
        form = out.copy_foreign(page.as_form_xobject())
        drawn.append((form, _form_box(form)))
    return drawn


_pdfium = threading.Lock()      # PDFium is not thread-safe


def _rasters(source: pikepdf.Pdf, placements: list[Placement], burnt: dict[int, list[Rect]]) -> dict[int, Image.Image]:
    """Rasterise the pages that have masks at 200 dpi of their placed size, and burn the masks into them."""
    import pypdfium2

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


# ---------------------------------------------------------------------------------------------- the copy note

NOTE_CSS = f"""
@page {{ size: A4; margin: 0; }}
body {{ margin: 0; font: 12pt "仿宋_GB2312", "FangSong", serif; color: #000; }}
.note {{ position: absolute; top: 8mm; left: {LEFT_MM}mm; width: {TEXT.width}mm; height: 25mm; }}
.note p {{ margin: 0; line-height: 8mm; }}
.head {{ font-family: "黑体", "SimHei", sans-serif; letter-spacing: 0.1em; }}
.label {{ display: inline-block; width: 5em; }}
.blank {{ display: inline-block; width: 45mm; border-bottom: 0.6pt solid #000; line-height: 6mm; text-align: center; }}
.seal {{ position: absolute; right: 8mm; top: 0; width: 42mm; line-height: 24mm; text-align: center; }}
"""


def note_html(note: CopyNote) -> str:
    """Return the HTML of the copy note: 复印件 与原件一致 / 复印人 / 复印时间 / （盖章处）."""
    copier = escape(note.copier) if note.copier else ""
    when = rules.cn_date(note.date) if note.date else ""
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>{NOTE_CSS}</style></head><body>"
            f"<div class='note'><p class='head'>复印件　与原件一致</p>"
            f"<p><span class='label'>复印人：</span><span class='blank'>{copier}</span></p>"
            f"<p><span class='label'>复印时间：</span><span class='blank'>{when}</span></p>"
            f"<div class='seal'>（盖章处）</div></div></body></html>")


_weasyprint = threading.Lock()     # one FontConfiguration, used by one thread at a time


@cache
def _font_config() -> FontConfiguration:
    """Return this module's FontConfiguration, made once per process with docgen's fonts (fonts/fonts.conf)."""
    from weasyprint.text.fonts import FontConfiguration

    fonts.use_fonts_dir(fonts.fonts_conf().parent)     # the official face names resolve through fonts.conf
    subsets.install()
    return FontConfiguration()


@lru_cache(maxsize=64)
def note_pdf(note: CopyNote) -> bytes:
    """Return the copy note as one A4 page with nothing else on it (rendered once per note and process)."""
    import weasyprint

    with _weasyprint:
        return weasyprint.HTML(string=note_html(note)).write_pdf(font_config=_font_config())


def _note_form(out: pikepdf.Pdf, sources: ExitStack, note: CopyNote) -> pikepdf.Object:
    rendered = sources.enter_context(pikepdf.open(io.BytesIO(note_pdf(note))))
    return out.copy_foreign(rendered.pages[0].as_form_xobject())
