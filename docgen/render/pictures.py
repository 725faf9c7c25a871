"""Pictures in a template context: the HTML template reads `data_uri`, the DOCX renderer makes an InlineImage."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Picture:
    """An image and its printed size in mm."""

    data: bytes
    mime: str                      # image/jpeg or image/png
    width_mm: float
    height_mm: float

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


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
