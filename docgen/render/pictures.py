"""Pictures in a template context: the HTML template reads `data_uri`, the DOCX renderer makes an InlineImage."""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docgen.render.scans.checks import Rect


@dataclass(frozen=True)
class Picture:
    """An image and its printed size in mm."""

    data: bytes
    mime: str                      # image/jpeg or image/png
    width_mm: float
    height_mm: float
    # what a blind copy blacks out (fractions of the picture, as a scan's masks); None: it prints no picture
    mask: Rect | None = None

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def masked(self) -> Picture | None:
        """Return the picture with its mask burnt in black (as PNG: the pixels exact), or None without a mask.

        The mask is drawn into the pixels, not laid over them: nothing of what it covers reaches the file.
        """
        if self.mask is None:
            return None
        from PIL import Image

        from docgen.render.scans.pages import burn

        with Image.open(io.BytesIO(self.data)) as image:
            picture = image.convert("RGB")
        burn(picture, [self.mask])
        out = io.BytesIO()
        picture.save(out, "PNG", optimize=True)
        return replace(self, data=out.getvalue(), mime="image/png", mask=None)


def for_docx(value: Any, template: Any) -> Any:
    """Return a context value with its Pictures (in dicts and lists too) as docxtpl InlineImages of `template`."""
    if isinstance(value, Picture):
        from io import BytesIO

        from docx.shared import Mm
        from docxtpl import InlineImage

        return InlineImage(template, BytesIO(value.data), width=Mm(value.width_mm), height=Mm(value.height_mm))
    if isinstance(value, dict):
        return {key: for_docx(item, template) for key, item in value.items()}
    if isinstance(value, list):
        return [for_docx(item, template) for item in value]
    return value
