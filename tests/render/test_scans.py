"""Uploaded scans: refused by content and limits, laid on A4 at true size or fitted, the copy note, masks burnt in."""
from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from dataclasses import dataclass
from functools import cache

import pdfplumber
import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageDraw, ImageFont, ImageStat

from docgen.errors import InvalidPayload
from docgen.render import fonts, scans
from docgen.render.scans import CopyNote, Rect, checks, layout, pages

POINTER = "/attachments/0/annual_review/1"
A4_PT = (595.28, 841.89)
RED = (220, 20, 20)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(fonts.font_file("黑体"), size)


def _certificate(size: tuple[int, int], marker: tuple[int, int, int, int]) -> Image.Image:
    """Return a certificate as a picture: paper, border, title and lines of text, a red square at `marker`."""
    page = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(page)
    w, h = size
    draw.rectangle((w // 20, h // 20, w - w // 20, h - h // 20), outline=(150, 30, 30), width=max(4, w // 150))
    draw.text((w // 2, h // 6), "专业技术资格证书", font=_font(w // 14), fill=(20, 20, 20), anchor="mm")
    body = _font(w // 40)
    for i, line in enumerate(["姓名：张三", "身份证号码：650102198001011234", "工作单位：新疆维吾尔自治区农业科学院",
                              "资格名称：高级农艺师", "批准时间：2023年12月28日"]):
        draw.text((w // 6, h // 3 + i * h // 16), line, font=body, fill=(30, 30, 30))
    draw.rectangle(marker, fill=RED)
    return page


@cache
def phone_photo() -> bytes:
    """A 3000 × 4000 phone photo of a certificate, stored turned (4000 × 3000) with EXIF orientation 6, 72 dpi,
    camera make and a comment; noisy like a real photo."""
    upright = _certificate((3000, 4000), (300, 300, 700, 700))
    noise = Image.effect_noise((3000, 4000), 24).convert("RGB")
    upright = Image.blend(upright, noise, 0.12)
    stored = upright.transpose(Image.Transpose.ROTATE_90)   # what the sensor wrote: displayed after a turn right
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "DocgenPhone"
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=92, exif=exif, dpi=(72, 72), comment=b"GPS 43.8N 87.6E")
    return out.getvalue()


@cache
def a4_scan(landscape: bool, fmt: str) -> bytes:
    """A 300-dpi A4 scan (2480 × 3508, or 3508 × 2480 landscape), a red square at its top-left corner."""
    size = (3508, 2480) if landscape else (2480, 3508)
    picture = _certificate(size, (100, 100, 300, 300))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "DocgenScanner"
    picture.save(out, fmt, dpi=(300, 300), **({"quality": 85, "exif": exif} if fmt == "JPEG" else {}))
    return out.getvalue()


@cache
def transparent_png() -> bytes:
    """A 1200 × 800 PNG with transparency: a stamp-like red disc on a fully transparent background."""
    picture = Image.new("RGBA", (1200, 800), (0, 0, 0, 0))
    ImageDraw.Draw(picture).ellipse((400, 200, 800, 600), fill=(*RED, 255))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@cache
def two_page_pdf() -> bytes:
    """A 2-page A4 PDF made with WeasyPrint: text on each page."""
    import weasyprint

    fonts.use_fonts_dir(fonts.DEFAULT_FONTS_DIR)
    html = ("<style>@page { size: A4; margin: 20mm } body { font: 16pt '仿宋_GB2312' }"
            "h1 { font: 22pt '黑体'; margin: 0 0 10mm }</style>"
            "<h1>工作经历证明</h1><p>申报人张三，身份证号码650102198001011234，第一页。</p>"
            "<p style='break-before: page'>任现职以来的工作业绩，第二页。</p>")
    return weasyprint.HTML(string=html).write_pdf()


def _pdf(build) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=A4_PT)
    build(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


def _render(content: bytes, index: int = 0, dpi: int = 50) -> Image.Image:
    document = pypdfium2.PdfDocument(content)
    try:
        return document[index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


@dataclass
class Embedded:
    """An image XObject of an output PDF: its size, filters, stream bytes as stored, keys and pixels."""

    width: int
    height: int
    filters: list[str]
    raw: bytes
    keys: set[str]
    picture: Image.Image


def _images(content: bytes) -> list[Embedded]:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        found = [pikepdf.PdfImage(obj) for obj in pdf.objects
                 if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Image]
        return [Embedded(i.width, i.height, [str(f) for f in i.filters], i.obj.read_raw_bytes(), set(i.obj.keys()),
                         i.as_pil_image()) for i in found]


def _placed_mm(content: bytes, index: int = 0) -> list[tuple[float, float]]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [(round(float(i["width"]) / layout.PT, 1), round(float(i["height"]) / layout.PT, 1))
                for i in pdf.pages[index].images]


def _text(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _a4_pages(content: bytes) -> int:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            assert [round(float(v), 1) for v in page.mediabox] == [0, 0, 595.3, 841.9]
        return len(pdf.pages)


def _red_centre(picture: Image.Image) -> tuple[float, float]:
    """Return where the red marker is, as fractions of the rendered page's width and height."""
    pixels = [(x, y) for x in range(0, picture.width, 2) for y in range(0, picture.height, 2)
              if (p := picture.getpixel((x, y)))[0] > 180 and p[1] < 90 and p[2] < 90]
    assert pixels, "no red marker on the page"
    return (sum(x for x, _ in pixels) / len(pixels) / picture.width,
            sum(y for _, y in pixels) / len(pixels) / picture.height)


def _mean(picture: Image.Image, box: tuple[float, float, float, float]) -> float:
    x0, y0, x1, y1 = (round(v * s) for v, s in zip(box, picture.size * 2, strict=True))
    return ImageStat.Stat(picture.crop((x0, y0, x1, y1)).convert("L")).mean[0]


# ------------------------------------------------------------------------------------------ images

def test_phone_photo_turned_upright_fitted_and_small():
    scan = scans.check_scan(phone_photo(), POINTER)
    assert scan.kind == "jpeg" and scan.orientation == 6 and scan.pages == 1
    assert not scan.sheets[0].true_size                    # 72 dpi: a camera's, not a size
    assert b"DocgenPhone" not in scan.data and b"GPS" not in scan.data
    content = scans.to_pages(scan)
    assert _a4_pages(content) == 1
    assert len(content) <= 3 * 1024 * 1024, len(content)
    assert b"DocgenPhone" not in content and b"GPS 43.8N" not in content
    (width, height), = _placed_mm(content)
    assert (width, height) == (156.0, 208.0)               # 3:4 upright within the 156 × 225 mm 版心
    image, = _images(content)
    assert image.width * 25.4 / width <= 300 * pages.DPI_SLACK   # downscaled to ~300 dpi as placed
    x, y = _red_centre(_render(content))
    assert x < 0.35 and y < 0.3                            # the certificate's top-left is at the page's top-left


def test_landscape_a4_scan_turned_at_true_size():
    scan = scans.check_scan(a4_scan(True, "PNG"), POINTER)
    assert scan.sheets[0].true_size and round(scan.sheets[0].width_mm) == 297
    content = scans.to_pages(scan)
    assert _a4_pages(content) == 1
    (width, height), = _placed_mm(content)
    assert abs(width - 210) <= 0.3 and abs(height - 297) <= 0.3     # exactly A4: the true size
    image, = _images(content)
    assert (image.width, image.height) == (3508, 2480)      # 300 dpi kept, pixels not turned (the page turns them)
    x, y = _red_centre(_render(content))
    assert x < 0.2 and y > 0.8                              # its top went to the left edge (GB/T 9704 §10.2)


def test_300_dpi_jpeg_embedded_as_uploaded_less_its_metadata():
    scan = scans.check_scan(a4_scan(False, "JPEG"), POINTER)
    assert b"DocgenScanner" in a4_scan(False, "JPEG") and b"DocgenScanner" not in scan.data
    content = scans.to_pages(scan)
    image, = _images(content)
    assert image.filters == ["/DCTDecode"] and image.raw == scan.data   # not re-encoded
    assert [(round(w), round(h)) for w, h in _placed_mm(content)] == [(210, 297)]


def test_multi_picture_jpeg_keeps_its_first_picture_only():
    first, second = Image.new("RGB", (600, 800), RED), Image.new("RGB", (600, 800), (20, 20, 220))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])   # what some phones write (MPF, APP2)
    scan = scans.check_scan(out.getvalue(), POINTER)
    assert scan.kind == "jpeg" and len(scan.data) < len(out.getvalue()) * 0.6
    image, = _images(scans.to_pages(scan))
    assert image.picture.getpixel((300, 400))[0] > 180         # the first picture; the second one is gone


def test_transparent_png_laid_on_white_paper():
    content = scans.to_pages(scans.check_scan(transparent_png(), POINTER))
    image, = _images(content)
    assert "/SMask" not in image.keys and image.filters == ["/FlateDecode"]
    page = _render(content)
    assert _mean(page, (0.2, 0.2, 0.3, 0.3)) > 250            # transparent → white paper, not black
    x, y = _red_centre(page)
    text = layout.TEXT                                        # no resolution: fitted to the 版心, centred
    assert x == pytest.approx((text.x + text.width / 2) / 210, abs=0.01)
    assert y == pytest.approx(1 - (text.y + text.height / 2) / 297, abs=0.01)


def test_place_rules():
    a4 = scans.Sheet(210, 297, true_size=True)
    assert scans.place(a4, note=False) == scans.Placement(layout.Box(0, 0, 210, 297), turned=False)
    noted = scans.place(a4, note=True)
    assert noted.box.y + noted.box.height <= 297 - layout.TOP_MM and noted.box.width == pytest.approx(156)   # the 版心's width
    card = scans.Sheet(85.6, 54, true_size=True)          # an ID card at true size, not turned: no larger so
    assert scans.place(card, note=False).box.width == pytest.approx(85.6)
    assert not scans.place(card, note=False).turned
    wide = scans.Sheet(400, 100, true_size=False)         # a wide strip is larger turned
    assert scans.place(wide, note=False).turned


# ------------------------------------------------------------------------------------------ PDF

def test_two_page_pdf_kept_as_vector_pages():
    scan = scans.check_scan(two_page_pdf(), POINTER)
    assert scan.kind == "pdf" and scan.pages == 2 and scan.sheets[0].true_size
    content = scans.to_pages(scan)
    assert _a4_pages(content) == 2
    first, second = _text(content)
    assert "工作经历证明" in first and "第二页" in second
    assert _images(content) == []                           # drawn as it was: text, not a picture of it


def test_pdf_page_turned_by_its_rotate_laid_as_it_is_seen():
    def landscape(pdf: pikepdf.Pdf) -> None:     # an A4 page shown landscape (/Rotate 90), red at its top-left
        page = pdf.pages[0]
        page.obj.Rotate = 90
        page.obj.Contents = pdf.make_stream(b"0.86 0.08 0.08 rg 20 20 60 60 re f")
    scan = scans.check_scan(_pdf(landscape), POINTER)
    assert (round(scan.sheets[0].width_mm), round(scan.sheets[0].height_mm)) == (297, 210)
    content = scans.to_pages(scan)
    x, y = _red_centre(_render(content))
    assert x < 0.15 and y > 0.85                 # its top-left went to the bottom-left: the top to the binding edge
    masked = scans.to_pages(scan, masks={0: [Rect(0, 0, 0.2, 0.2)]}, blind=True)   # fractions of the page as seen
    assert _mean(_render(masked), (0.0, 0.85, 0.12, 1.0)) < 8


def _fonts_embedded(content: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        found = []
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.FontDescriptor:
                assert any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3")), obj.get("/FontName")
                found.append(str(obj.FontName))
        return found


def test_copy_note_with_values_above_the_scan():
    note = CopyNote(copier="张三", date=dt.date(2024, 8, 28))
    content = scans.to_pages(scans.check_scan(two_page_pdf(), POINTER), copy_note=note)
    assert _a4_pages(content) == 2
    for text in _text(content):
        assert "复印件" in text and "与原件一致" in text and "（盖章处）" in text
        assert "复印人：" in text and "张三" in text and "2024年8月28日" in text
    assert _fonts_embedded(content)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        note_bottom = max(w["bottom"] for w in words if w["text"].startswith(("复印", "（盖章")))
        scan_top = min(w["top"] for w in words if "工作经历证明" in w["text"])
    assert note_bottom < layout.TOP_MM * layout.PT < scan_top     # the note in the 天头, the scan below it


def test_blank_copy_note_rules_blanks_for_hand_writing():
    content = scans.to_pages(scans.check_scan(a4_scan(True, "PNG"), POINTER), copy_note=CopyNote())
    text, = _text(content)
    assert "复印人：" in text and "复印时间：" in text and "张三" not in text
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        ruled = [line for line in pdf.pages[0].lines + pdf.pages[0].rects if line["bottom"] < layout.TOP_MM * layout.PT]
    assert len(ruled) >= 2                                  # two ruled blanks
    (width, height), = _placed_mm(content)
    assert height <= 225.1 and width <= 156.1                # no longer true size: the 天头 is the note's


# ------------------------------------------------------------------------------------------ masks

EYES = Rect(0.2, 0.3, 0.6, 0.1)


def test_masks_burnt_into_a_photo():
    scan = scans.check_scan(phone_photo(), POINTER)
    # the name line of the certificate: 1/3 down the upright photo
    content = scans.to_pages(scan, masks={0: [Rect(0.1, 0.3, 0.8, 0.08)]}, blind=True)
    image, = _images(content)                                # one image: no unmasked copy underneath
    pixels = image.picture.convert("L")
    assert _mean(pixels, (0.1, 0.3, 0.9, 0.38)) < 8         # the pixels themselves are black
    assert _mean(pixels, (0.1, 0.45, 0.9, 0.5)) > 100
    page = _render(content, dpi=72)
    box = scans.place(scan.sheets[0], note=False).box
    top = 1 - (box.y + box.height) / 297
    y0, y1 = top + 0.3 * box.height / 297, top + 0.38 * box.height / 297
    x0, x1 = (box.x + 0.1 * box.width) / 210, (box.x + 0.9 * box.width) / 210
    assert _mean(page, (x0 + 0.01, y0 + 0.005, x1 - 0.01, y1 - 0.005)) < 8


def test_masks_ignored_unless_blind():
    scan = scans.check_scan(a4_scan(False, "JPEG"), POINTER)
    content = scans.to_pages(scan, masks={0: [EYES]}, blind=False)
    image, = _images(content)
    assert image.raw == scan.data


def test_masked_pdf_page_rasterised_its_text_gone():
    scan = scans.check_scan(two_page_pdf(), POINTER)
    name_line = Rect(0.0, 0.1, 1.0, 0.08)
    content = scans.to_pages(scan, masks={0: [name_line]}, blind=True)
    first, second = _text(content)
    assert "650102198001011234" not in first and "张三" not in first and first.strip() == ""
    assert "第二页" in second                                 # an unmasked page stays as it was
    images = _images(content)
    assert len(images) == 1                                   # the masked page's raster, nothing else
    with pikepdf.open(io.BytesIO(content)) as pdf:
        names = pdf.pages[0].Resources.XObject
        assert [str(names[k].Subtype) for k in names.keys()] == ["/Image"]   # no form XObject with the original
    assert _mean(images[0].picture, (0.02, 0.102, 0.98, 0.178)) < 8
    page = _render(content, dpi=72)
    assert _mean(page, (0.02, 0.102, 0.98, 0.178)) < 8       # A4 at true size: the page's own fractions


@pytest.mark.parametrize("masks, pointer", [
    ({0: [Rect(0.5, 0.5, 0.6, 0.1)]}, POINTER + "/masks/0/0"),       # x + width > 1
    ({0: [EYES, Rect(-0.1, 0, 0.5, 0.5)]}, POINTER + "/masks/0/1"),  # negative
    ({0: [Rect(0.1, 0.1, 0, 0.1)]}, POINTER + "/masks/0/0"),          # empty
    ({0: [Rect(0.1, 0.1, float("nan"), 0.1)]}, POINTER + "/masks/0/0"),
    ({2: [EYES]}, POINTER + "/masks/2"),                              # a page the scan lacks
])
def test_masks_out_of_range_refused(masks, pointer):
    scan = scans.check_scan(two_page_pdf(), POINTER)
    with pytest.raises(InvalidPayload) as refused:
        scans.to_pages(scan, masks=masks, blind=True)
    error, = refused.value.errors
    assert error["pointer"] == pointer and "遮盖区域" in error["detail"]
    assert refused.value.status == 422


# ------------------------------------------------------------------------------------------ refusals

def _refusal(data: bytes) -> str:
    with pytest.raises(InvalidPayload) as refused:
        scans.check_scan(data, POINTER)
    error, = refused.value.errors
    assert error["pointer"] == POINTER and refused.value.status == 422
    return error["detail"]


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP", "WEBP"])
def test_other_image_formats_refused_whatever_their_name(fmt):
    out = io.BytesIO()
    Image.new("RGB", (100, 100), RED).save(out, fmt)
    assert "只接受 JPG、PNG 图片或 PDF 文件" in _refusal(out.getvalue())


def test_text_file_refused():
    assert "无法识别" in _refusal("姓名：张三\n这不是图片".encode())


def test_oversized_image_refused_from_its_header(monkeypatch):
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded an image the header refuses"))
    assert "8000×6000" in _refusal(_png_header(8000, 6000)) and "4000万" in _refusal(_png_header(8000, 6000))
    assert "像素过多" in _refusal(_png_header(100_000, 100_000))   # Pillow's own bomb limit, still no decoding


def test_too_large_file_refused():
    assert "不能超过20MB" in _refusal(b"\xff\xd8\xff" + bytes(checks.MAX_BYTES))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image_refused(fmt):
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process: decoding alone would not tell
    data = a4_scan(False, fmt)
    assert "已损坏" in _refusal(data[:len(data) * 2 // 3])


def test_data_after_a_jpeg_dropped():
    scan = scans.check_scan(a4_scan(False, "JPEG") + b"ftypmp42 a motion photo's video", POINTER)
    assert scan.data.endswith(b"\xff\xd9")


@pytest.mark.parametrize("user", ["", "secret"])
def test_encrypted_pdf_refused(user):
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(two_page_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user=user))
    assert "加密" in _refusal(out.getvalue())


def _open_action(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))


def _launch_link(pdf: pikepdf.Pdf) -> None:        # an action written inside its annotation, not an object
    pdf.pages[0].Annots = pdf.make_indirect([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))))])


def _attachment(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ...")


@pytest.mark.parametrize("build, said", [(_open_action, "脚本"), (_launch_link, "启动外部程序"),
                                          (_attachment, "嵌入文件")])
def test_active_pdf_refused(build, said):
    assert said in _refusal(_pdf(build))


def test_pdf_names_not_in_utf8_accepted():
    def gbk_name(pdf: pikepdf.Pdf) -> None:      # a name is bytes: old Chinese software writes GBK (宋体 here)
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Object.parse(b"/#CB#CE"),
                                                    BaseFont=pikepdf.Object.parse(b"/#CB#CE#CC#E5")))
        pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    assert scans.check_scan(_pdf(gbk_name), POINTER).pages == 1


def test_too_many_pages_refused():
    def pages(pdf: pikepdf.Pdf) -> None:
        for _ in range(checks.MAX_PAGES):
            pdf.add_blank_page(page_size=A4_PT)
    assert "1至50页（收到51页）" in _refusal(_pdf(pages))


def test_damaged_pdf_refused():
    assert "已损坏" in _refusal(b"%PDF-1.7\n" + b"\0" * 500)


@pytest.mark.parametrize("size", [(1, 1), (7, 3), (3, 200)])
def test_a_tiny_jpeg_is_checked_not_a_500(size):
    # schemathesis sent a few-pixel JPEG to POST /v1/batches/scans/check: Pillow's draft at 1/8 of its size
    # divided by zero (a 500); it is a picture like any other, checked and laid on a page
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "JPEG")
    scan = scans.check_scan(buffer.getvalue(), POINTER)
    assert scan.kind == "jpeg" and len(scans.to_pages(scan)) > 0
