"""The watermark of a document: light-grey diagonal text and a note under it, three times down every page.

PDF: the glyph outlines filled in light grey under the page's content (docgen.render.outlines: an area a
scan shows, no text for extraction). DOCX: the same lines as vector WordArt behind the text in the page
header, the VML text-path shapes Word itself writes for a watermark (docgen.render.finish) — sharp at any
print resolution, where a page-sized PNG was 96 ppi. Both carry the wording and its note (an issued
document's: the kind's wording and the document id; a preview's: 预览稿 and that it is not issued).
"""
from __future__ import annotations

import io
import math
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageFont

from docgen.render.outlines import stamp_font, stamp_font_file

GREY = 0.85                  # fill of the watermark: light grey (217/255), darker than anti-aliased edges' mean
ANGLE = 30                   # degrees, counter-clockwise
TEXT_PT, ID_PT, ID_GAP_PT = 34, 12, 20
ROWS = (0.22, 0.5, 0.78)     # centres, as fractions of the page height from the bottom


def id_line(document_id: str) -> str:
    return f"编号 {document_id}"


def pdf_ops(text: str, note: str, width: float, height: float) -> str:
    """Return PDF operators drawing the watermark on a page of width × height pt (origin bottom left)."""
    font = stamp_font()
    cos, sin = math.cos(math.radians(ANGLE)), math.sin(math.radians(ANGLE))
    line2 = note
    w1, w2 = font.width(text, TEXT_PT), font.width(line2, ID_PT)
    glyphs1, glyphs2 = font.draw(text, TEXT_PT), font.draw(line2, ID_PT)
    out = [f"q {GREY:g} g"]
    for row in ROWS:
        cx, cy = width / 2, height * row
        out.append(f"q {cos:.5f} {sin:.5f} {-sin:.5f} {cos:.5f} {cx:.2f} {cy:.2f} cm")
        out.append(f"q 1 0 0 1 {-w1 / 2:.2f} 0 cm {glyphs1} Q")
        out.append(f"q 1 0 0 1 {-w2 / 2:.2f} {-ID_GAP_PT} cm {glyphs2} Q")
        out.append("Q")
    out.append("Q")
    return "\n".join(out)


def png(text: str, note: str, width_mm: float, height_mm: float, dpi: int = 96) -> bytes:
    """Return the same watermark as a page-sized PNG: light grey on a transparent background."""
    from PIL import Image, ImageDraw

    px = dpi / 25.4
    pt = dpi / 72
    page = Image.new("LA", (round(width_mm * px), round(height_mm * px)), (0, 0))
    grey = round(GREY * 255)
    font1, font2 = _pil_font(round(TEXT_PT * pt)), _pil_font(round(ID_PT * pt))
    line2 = note
    for row in ROWS:
        w1 = font1.getlength(text)
        layer = Image.new("LA", (round(w1) + 8, round((TEXT_PT + ID_GAP_PT + ID_PT) * pt) + 8), (0, 0))
        draw = ImageDraw.Draw(layer)
        draw.text((layer.width / 2, TEXT_PT * pt), text, font=font1, fill=(grey, 255), anchor="ms")
        draw.text((layer.width / 2, (TEXT_PT + ID_GAP_PT) * pt), line2, font=font2, fill=(grey, 255), anchor="ms")
        rotated = layer.rotate(ANGLE, expand=True, resample=Image.Resampling.BICUBIC)
        cx, cy = page.width / 2, page.height * (1 - row)
        page.alpha_composite(rotated, (round(cx - rotated.width / 2), round(cy - rotated.height / 2)))
    out = io.BytesIO()
    page.save(out, format="PNG", compress_level=6)
    return out.getvalue()


@lru_cache(maxsize=64)   # the same copy mark goes into three headers of each copy
def text_png(text: str, size_pt: float, dpi: int = 300) -> tuple[bytes, float, float]:
    """Return a line of black text as a transparent PNG and its size in mm (a label in a DOCX header that
    is an image, not text: the DOCX's text stays the document's, as in the PDF)."""
    from PIL import Image, ImageDraw

    font = _pil_font(round(size_pt * dpi / 72))
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("LA", (int(right) + 4, int(bottom) + 4), (0, 0))
    ImageDraw.Draw(image).text((2, 2), text, font=font, fill=(0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), image.width / dpi * 25.4, image.height / dpi * 25.4


@cache
def _pil_font(size_px: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(stamp_font_file(), size_px)


# Word's preset text-path shape (“PowerPlusWaterMarkObject”): the definition Word writes with a watermark
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/>'
    '<v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>'
    '<v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>'
    '<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>'
    '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" '
    'o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/>'
    '<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>')
EM_CENTRE = 0.38   # a Chinese em box's centre above the baseline, in em
VML_FACE = "黑体"   # Word finds SimHei by this name; LibreOffice the Fandol face by fonts/fonts.conf


def vml_shapes(text: str, note: str, width_mm: float, height_mm: float, first_id: int) -> list[str]:
    """Return the watermark as VML text-path shapes on a page (mm), each for its own w:pict in a DOCX
    header (LibreOffice reads one shape per w:pict), the shape type before the first.

    The same lines, sizes and places as pdf_ops: each row's text centred on the page's vertical axis,
    turned ANGLE degrees, the note under it.
    """
    from xml.sax.saxutils import quoteattr

    font = stamp_font()
    pt_per_mm = 72 / 25.4
    width, height = width_mm * pt_per_mm, height_mm * pt_per_mm
    sin, cos = math.sin(math.radians(ANGLE)), math.cos(math.radians(ANGLE))
    up = (-sin, -cos)                      # the text's “up” on the page (y grows downwards)
    grey = "#{0:02x}{0:02x}{0:02x}".format(round(GREY * 255))
    shapes, n = [], first_id
    for row in ROWS:
        cx, cy = width / 2, height * (1 - row)
        for line, size, baseline in ((text, TEXT_PT, 0.0), (note, ID_PT, -ID_GAP_PT)):
            lift = baseline + EM_CENTRE * size
            x, y = cx + up[0] * lift, cy + up[1] * lift
            w, h = font.width(line, size), size
            style = (f"position:absolute;margin-left:{x - w / 2:.2f}pt;margin-top:{y - h / 2:.2f}pt;"
                     f"width:{w:.2f}pt;height:{h:.2f}pt;rotation:{360 - ANGLE};z-index:-251657216;"
                     "mso-position-horizontal-relative:page;mso-position-vertical-relative:page")
            shapes.append(
                f'<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{2048 + n}" type="#_x0000_t136" '
                f'style="{style}" o:allowincell="f" fillcolor="{grey}" stroked="f">'
                f'<v:textpath style="font-family:&quot;{VML_FACE}&quot;;font-size:1pt" '
                f'string={quoteattr(line)}/></v:shape>')
            n += 1
    shapes[0] = _SHAPETYPE + shapes[0]
    return shapes
