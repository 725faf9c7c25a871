"""Where a scan's page lands on a portrait A4 page: at true size or fitted to the GB/T 9704 版心, turned or not."""
from __future__ import annotations

from dataclasses import dataclass

import pikepdf

PT = 72 / 25.4                   # points a millimetre
A4_MM = (210.0, 297.0)
# GB/T 9704-2012 §5.2.2: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so 26 mm right, 35 mm bottom)
TOP_MM, RIGHT_MM, BOTTOM_MM, LEFT_MM = 37.0, 26.0, 35.0, 28.0
FIT_SLACK_MM = 2.0               # a 300-dpi A4 scan (2480 × 3508) is 297.02 mm tall: it still fits at true size
UNIT = (0.0, 0.0, 1.0, 1.0)      # the box an image XObject is drawn in


@dataclass(frozen=True)
class Sheet:
    """One page of a scan as it is seen upright: its size in mm, and whether that is its real size."""

    width_mm: float
    height_mm: float
    true_size: bool      # a PDF page, or an image whose resolution is a scanner's (≥ 100 dpi)


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


def form_box(form: pikepdf.Object) -> tuple[float, float, float, float]:
    """Return a form XObject's bounding box as it is drawn (its /Matrix applied): x, y, width, height in pt."""
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    xs, ys = [], []
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def operators(placement: Placement, source: tuple[float, float, float, float]) -> str:
    """Return the `cm` operators that map a source box (an image's unit square, a form's box) onto a placement."""
    x0, y0, w, h = source
    box = placement.box
    bx, by, bw, bh = box.x * PT, box.y * PT, box.width * PT, box.height * PT
    placed = (f"0 {bh:.4f} {-bw:.4f} 0 {bx + bw:.4f} {by:.4f}" if placement.turned     # top to the left
              else f"{bw:.4f} 0 0 {bh:.4f} {bx:.4f} {by:.4f}")
    return f"{placed} cm {1 / w:.10g} 0 0 {1 / h:.10g} {-x0 / w:.10g} {-y0 / h:.10g} cm"
