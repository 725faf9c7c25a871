"""Photos checked from their header before any pixel is decoded, then re-encoded.

A 17 KB PNG that declares 144 megapixels took 13 s and 1.35 GB to decode. The header (read by
Image.open without decoding) says the size; only a photo within the limits is decoded, shrunk to what a
1-inch box prints at 600 dpi, and saved again, so nothing of the upload but its pixels reaches a document.
"""
from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from docgen.errors import MESSAGES

if TYPE_CHECKING:
    from PIL import Image

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 20_000_000
PRINT_PIXELS = (600, 840)     # a 25 × 35 mm box at 600 dpi: more is never printed


class PhotoRefused(ValueError):
    """The photo is not accepted; `code` and the Chinese `message` are what a payload error reports."""

    def __init__(self, code: str, message: str | None = None, **ctx: object):
        # codes in docgen.errors.MESSAGES take their wording from there: the web page checks with it too
        message = message or MESSAGES[code].format(title="照片", **ctx)
        super().__init__(message)
        self.code, self.message, self.ctx = code, message, ctx


def open_header(data: bytes, max_pixels: int = MAX_PIXELS, title: str = "照片") -> Image.Image:
    """Open a JPEG or PNG reading its header only; refuse any other format and more than `max_pixels`.

    Nothing is decoded: the caller loads the pixels only after this says the size is within the limit.
    """
    from PIL import Image, UnidentifiedImageError

    limit = f"{max_pixels // 10_000}万像素"
    try:
        with warnings.catch_warnings():   # Pillow's own bomb warning: the limit below is stricter
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG"))   # reads the header only
    except Image.DecompressionBombError:
        raise PhotoRefused("photo_too_many_pixels", f"{title}像素过多，不能超过{limit}，请缩小后再提交") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRefused("photo_format", MESSAGES["photo_format"].format(title=title)) from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise PhotoRefused("photo_too_many_pixels",
                           f"{title}像素过多（{width}×{height}），不能超过{limit}，请缩小后再提交")
    return image


def reencode(data: bytes) -> bytes:
    """Check a JPEG or PNG from its header (≤ 2 MB, ≤ 20 megapixels), then decode it and return it re-encoded."""
    from PIL import Image, ImageOps

    if len(data) > MAX_BYTES:
        raise PhotoRefused("photo_too_large", size=len(data) // 1024, max_mb=MAX_BYTES // 2**20)
    image = open_header(data)
    try:
        with image:
            fmt = image.format
            image.draft("RGB", PRINT_PIXELS)      # JPEG: decode at a reduced scale where possible
            image.load()
            picture = ImageOps.exif_transpose(image)
            picture.thumbnail(PRINT_PIXELS)
            if fmt == "JPEG" or picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                picture = picture.convert("RGB")
                fmt = "JPEG"
            # nothing but the pixels: no EXIF (GPS, camera), comments or text chunks
            picture.info = {k: v for k, v in picture.info.items() if k == "transparency"}
            out = io.BytesIO()
            picture.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {"optimize": True}))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoRefused("photo_format") from None
    return out.getvalue()
