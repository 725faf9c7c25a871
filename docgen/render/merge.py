"""Merge PDFs for duplex printing: each document starts on a front side (padded to an even page count)."""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def merge_for_duplex(pdfs: list[bytes]) -> bytes:
    """Concatenate PDFs, adding a blank page after each one with an odd number of pages."""
    writer = PdfWriter()
    for content in pdfs:
        reader = PdfReader(io.BytesIO(content))
        writer.append(reader)
        if len(reader.pages) % 2:
            last = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(last.width), height=float(last.height))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
