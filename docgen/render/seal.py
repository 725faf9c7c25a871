"""The unit's electronic seal on a document it issues: where GB/T 9704-2012 §7.3.5.1 puts it, in PDF and DOCX.

§7.3.5.1: 印章用红色，端正、居中下压发文机关署名和成文日期，使发文机关署名和成文日期居印章中心偏下位置，
印章顶端应当上距正文一行之内. A letter's template marks its 成文日期 (templates/_base/letter.html: the
`docgen-seal` and `docgen-seal-end` anchors, which WeasyPrint writes as named destinations); the DOCX's date is
its last `Signoff` paragraph. A form without a sign-off that the unit seals by its name (the roster, seed 000
附件5 单位（盖章）：) marks the name instead (`docgen-seal-unit` anchors; its DOCX's `UnitLine` paragraph): the
seal is centred on it. The seal is centred over the date horizontally, the date in its lower part
(DATE_BELOW_CENTRE of the radius under the centre), which puts the 署名 line just under the centre and the
seal's top about one line above the sign-off: the PDF overlays it (red over black prints as the seal pressed
on the ink), the DOCX floats it behind the text.
"""
from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from docgen.render.measure import mm_to_pt

DIAMETER_MM = 42.0        # the common 单位公章 (Ø 42 mm) when the image does not say its size
DATE_BELOW_CENTRE = 0.5   # the date's middle, under the seal's centre, in radii: pressed on, inside the ring
DATE_HALF_PT = 10         # the date's middle under its anchor (the top of its 3号 inline box)
DATE_ANCHOR, DATE_END_ANCHOR = "docgen-seal", "docgen-seal-end"
UNIT_ANCHOR, UNIT_END_ANCHOR = "docgen-seal-unit", "docgen-seal-unit-end"   # a form's 单位（盖章）：name (the roster)
SIGNOFF_STYLE = "Signoff"  # docgen.render.docx_builder.add_signoff: the date is the last such paragraph
UNIT_STYLE, UNIT_PT = "UnitLine", 14   # a form's 单位（盖章）：name paragraph (templates/roster), 4号 unless its runs say
MM = mm_to_pt(1)
# Word and LibreOffice space CJK from Latin and digits (w:autoSpaceDE/DN, on by default): 2024 年 9 月 2 日
AUTOSPACE_EMS = 0.19
MAX_SIDE_PX = 2000         # a seal image larger than this is refused (a seal is a few hundred pixels)


class SealError(ValueError):
    """The seal image is unusable (not a PNG, no transparency, too large)."""


@dataclass(frozen=True)
class Seal:
    """A unit's seal image: a PNG with transparency, and its printed diameter."""

    png: bytes
    diameter_mm: float

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.png).hexdigest()


@dataclass(frozen=True)
class Box:
    """Where the seal goes on a page: its lower-left corner and side, in PDF points (origin bottom left)."""

    page: int
    x: float
    y: float
    side: float


def load(png: bytes) -> Seal:
    """Check a seal image (a PNG with an alpha channel, at most MAX_SIDE_PX) and read its size: the PNG's own
    resolution (pHYs) when it has one, else DIAMETER_MM across."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise SealError(f"印章图片无法读取：{exc}") from None
    if image.format != "PNG":
        raise SealError(f"印章图片应为 PNG，收到 {image.format}")
    if max(image.size) > MAX_SIDE_PX:
        raise SealError(f"印章图片过大（{image.width}×{image.height}），请不超过 {MAX_SIDE_PX} 像素")
    if "A" not in image.getbands() and "transparency" not in image.info:
        raise SealError("印章图片应有透明背景（带透明通道的 PNG），否则会盖住文字")
    dpi = image.info.get("dpi")
    diameter = image.width / float(dpi[0]) * 25.4 if dpi and float(dpi[0]) > 1 else DIAMETER_MM
    return Seal(png, round(diameter, 2))


@lru_cache(maxsize=16)
def _pixels(png: bytes) -> tuple[int, int, bytes, bytes]:
    """Return a seal's width, height, deflated RGB and deflated alpha (decoded once per process and image)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGBA")
    return (image.width, image.height, zlib.compress(image.convert("RGB").tobytes(), 6),
            zlib.compress(image.getchannel("A").tobytes(), 6))


def pdf_image(pdf: Any, seal: Seal) -> Any:
    """Return the seal as an image XObject of `pdf`, its transparency a soft mask (allowed in PDF/A-2)."""
    import pikepdf

    width, height, rgb, alpha = _pixels(seal.png)
    common = {"Type": pikepdf.Name.XObject, "Subtype": pikepdf.Name.Image, "Width": width, "Height": height,
              "BitsPerComponent": 8, "Filter": pikepdf.Name.FlateDecode}
    mask = pikepdf.Stream(pdf, alpha, ColorSpace=pikepdf.Name.DeviceGray, **common)
    return pikepdf.Stream(pdf, rgb, ColorSpace=pikepdf.Name.DeviceRGB, SMask=mask, **common)


def pdf_box(pdf: Any, seal: Seal) -> Box | None:
    """Return where the seal goes in a rendered PDF: over its 成文日期 anchors (the date in the seal's lower
    part), else centred on its unit anchors (a form's 单位（盖章）：name); None when it marks neither."""
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return None
    dests = pikepdf.NameTree(names.Dests)
    for start_name, end_name, below in ((DATE_ANCHOR, DATE_END_ANCHOR, DATE_BELOW_CENTRE),
                                        (UNIT_ANCHOR, UNIT_END_ANCHOR, 0.0)):
        if start_name in dests and end_name in dests:
            start, end = dests[start_name], dests[end_name]
            page = next(i for i, p in enumerate(pdf.pages) if p.obj.objgen == start[0].objgen)
            side = seal.diameter_mm * MM
            cx = (float(start[2]) + float(end[2])) / 2
            cy = float(start[3]) - DATE_HALF_PT + below * side / 2
            return Box(page, cx - side / 2, cy - side / 2, side)
    return None


def pdf_ops(box: Box) -> str:
    """Return the operators painting the image /Seal in the box."""
    return f"q {box.side:.2f} 0 0 {box.side:.2f} {box.x:.2f} {box.y:.2f} cm /Seal Do Q"


def strip_ops(index: int, strips: int, seal: Seal, width: float, height: float) -> str:
    """Return the operators painting strip `index` of `strips` (the seal cut upright, left to right) flush with
    the right edge of a width × height page, centred on its height: a sheet's share of a 骑缝章."""
    side = seal.diameter_mm * MM
    strip = side / strips
    x, y = width - (index + 1) * strip, (height - side) / 2     # the whole seal's corner: strip `index` at the edge
    return (f"q {width - strip:.2f} {y:.2f} {strip:.2f} {side:.2f} re W n "
            f"{side:.2f} 0 0 {side:.2f} {x:.2f} {y:.2f} cm /Seal Do Q")


def strip_crop(index: int, strips: int) -> tuple[int, int]:
    """Return what strip `index` of `strips` crops off the seal image at its left and its right, in DrawingML's
    thousandths of a percent (a:srcRect l and r): the DOCX's share of a sheet, as strip_ops draws it."""
    return round(100_000 * index / strips), round(100_000 * (strips - index - 1) / strips)


def docx_spot(doc: Any, seal: Seal) -> tuple[Any, float, float] | None:
    """Return where the seal floats in a DOCX: the paragraph of its 成文日期 (the last Signoff paragraph), else
    of the unit's name (a UnitLine paragraph), the seal's left edge from the page's and its top from that
    paragraph's (mm); None when there is neither."""
    from docgen.render.jinja import BODY_PT

    section = doc.sections[-1]
    styled = [p for p in doc.paragraphs if p.style is not None and p.text.strip()]
    dates = [p for p in styled if p.style.name == SIGNOFF_STYLE]
    units = [p for p in styled if p.style.name == UNIT_STYLE]
    radius = seal.diameter_mm / 2
    # the paragraph's top to its text's middle: about half its exact line height (docx_builder sets them)
    middle = DATE_HALF_PT / MM * 1.3
    if dates:
        date = dates[-1]
        right_indent = date.paragraph_format.right_indent
        right_mm = section.right_margin.mm + (right_indent.mm if right_indent is not None else 0)
        date_mm = _text_mm(date.text, BODY_PT)
        centre_x = section.page_width.mm - right_mm - date_mm / 2
        return date, centre_x - radius, middle - DATE_BELOW_CENTRE * radius - radius
    if units:
        unit = units[0]
        pt = next((run.font.size.pt for run in unit.runs if run.font.size is not None), UNIT_PT)
        label, _, name = unit.text.partition("：")
        centre_x = section.left_margin.mm + _text_mm(label + "：", pt) + _text_mm(name, pt) / 2
        return unit, centre_x - radius, middle - radius
    return None


def _text_mm(text: str, pt: float) -> float:
    """Return the width of a line of body text at `pt` as Word and LibreOffice set it (CJK spaced from Latin)."""
    from docgen.render import fonts
    from docgen.render.jinja import BODY_FACE

    spaces = sum(_cjk(a) != _cjk(b) for a, b in zip(text, text[1:], strict=False))
    return (fonts.face(BODY_FACE).ems(text) + spaces * AUTOSPACE_EMS) * pt / MM


def _cjk(char: str) -> bool:
    return ord(char) >= 0x2E80
