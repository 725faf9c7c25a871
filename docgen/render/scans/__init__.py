"""Uploaded scans (JPG, PNG, PDF): checked by their content, then laid on A4 pages with the copy note and 盲评 masks.

`check_scan` accepts an upload or raises docgen.errors.InvalidPayload (Chinese, at the pointer the caller
names); `to_pages` makes the PDF the package places for it, one A4 portrait page per image or PDF page.
Nothing of an upload but its pixels and page content reaches the output: a JPEG loses its metadata
segments (EXIF with GPS and camera, XMP, comments) and anything after its end, a PNG is decoded and its
pixels written again, a PDF's pages are drawn as form XObjects (no document info, outlines, scripts;
annotations only as they print).
"""
from docgen.render.scans.checks import Rect, Scan, check_masks, check_scan
from docgen.render.scans.layout import Placement, Sheet, place
from docgen.render.scans.note import CopyNote
from docgen.render.scans.pages import to_pages

__all__ = ["CopyNote", "Placement", "Rect", "Scan", "Sheet", "check_masks", "check_scan", "place", "to_pages"]
