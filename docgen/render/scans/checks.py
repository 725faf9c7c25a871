"""Uploads checked by their content before they are used (JPG, PNG or PDF within the limits), and 盲评 masks."""
from __future__ import annotations

import io
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import pikepdf
from PIL import Image

from docgen.errors import InvalidPayload
from docgen.limits import images
from docgen.render.scans.layout import PT, Sheet, form_box

MAX_BYTES = 20 * 1024 * 1024     # a file
MAX_PIXELS = 40_000_000          # an image, or an image inside a PDF: a phone photo is 12 MP (3000 × 4000)
MAX_PAGES = 50                   # a PDF
MIN_TRUE_DPI = 100               # below, a stated resolution is a camera's 72 dpi, not a scanner's
NOMINAL_DPI = 300                # the size an image without a scanner's resolution is given (only its shape counts)
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
DAMAGED_PDF = "PDF文件已损坏，无法读取，请重新导出后再提交"

Kind = Literal["jpeg", "png", "pdf"]


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
class Rect:
    """A region to mask (盲评), in fractions 0–1 of the page's width and height from its top-left corner,
    on the page as it is seen upright (after a photo's EXIF orientation and a PDF page's /Rotate).

    Fractions, not mm: the same numbers hold for a photo of any resolution and for a PDF page of any size.
    """

    x: float
    y: float
    width: float
    height: float


def _refused(pointer: str, detail: str) -> InvalidPayload:
    return InvalidPayload([{"pointer": pointer, "detail": detail}])


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
        kind: Kind = "jpeg" if data.startswith(JPEG_MAGIC) else "png"    # a phone's MPO is a JPEG too
        try:   # a damaged upload is refused now, not when the package is made
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)    # a PNG's eXIf may follow its pixels
            orientation = orientation if orientation in TRANSPOSE else 1
            sheet = _image_sheet(image.size, image.info.get("dpi"), orientation)
            data = _strip_jpeg(data) if kind == "jpeg" else _whole_png(data)
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))   # JPEG: every block read, at 1/8
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
    return Sheet(width / NOMINAL_DPI * 25.4, height / NOMINAL_DPI * 25.4, true_size=False)


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
        raise _refused(pointer, DAMAGED_PDF) from None
    with pdf:
        if pdf.is_encrypted:
            raise _refused(pointer, ENCRYPTED)
        if not 0 < len(pdf.pages) <= MAX_PAGES:
            raise _refused(pointer, f"PDF文件应有1至{MAX_PAGES}页（收到{len(pdf.pages)}页），请拆分后再提交")
        carried = _forbidden(pdf)
        if carried:
            raise _refused(pointer, f"PDF文件含有{carried}，不能作为附件，请打印为PDF或扫描后再提交")
        sheets = _pdf_sheets(pdf, pointer)
    return Scan("pdf", data, pointer, sheets)


def _pdf_sheets(pdf: pikepdf.Pdf, pointer: str) -> tuple[Sheet, ...]:
    """Return each page as it is seen, made ready as to_pages draws it: its printed annotations flattened
    into it and its content decoded, so that a damaged page is refused now."""
    try:
        pdf.flatten_annotations("print")
        forms = [page.as_form_xobject() for page in pdf.pages]
        for form in forms:
            form.read_bytes()
    except pikepdf.PdfError:
        raise _refused(pointer, DAMAGED_PDF) from None
    return tuple(_pdf_sheet(form, pointer) for form in forms)


def _pdf_sheet(form: pikepdf.Object, pointer: str) -> Sheet:
    _, _, width, height = form_box(form)
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
            # as written: a name need not be UTF-8 (an old Chinese PDF's /BaseFont /#CB#CE#CC#E5 is 宋体 in GBK)
            name = value.unparse().decode("latin-1") if isinstance(value, pikepdf.Name) else ""
            if name in FORBIDDEN:
                return FORBIDDEN[name]
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
