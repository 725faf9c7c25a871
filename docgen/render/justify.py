"""Inter-character justification of Chinese lines in WeasyPrint (GB/T 9704 §5.2.3: 28 字 a line, flush).

WeasyPrint 70 justifies a line by widening its spaces only (inline.justify_line); a Chinese line has none,
so `text-align: justify` left every line that holds half-width digits short of the right edge. For a
justified line without spaces this spreads the missing width over its characters as extra letter spacing
(CSS Text 3 `text-justify: inter-character`), which Pango draws when WeasyPrint re-lays the text out.
A line with spaces keeps WeasyPrint's own word-spacing justification.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

# a line this much short per character (in em) broke before something long that could not follow it
# (an ID number): stretching it would open gaps a reader takes for spaces; it stays flush left
MAX_SPACING_EM = 0.15
_ORIGINAL_JUSTIFY = inline.justify_line
_ORIGINAL_SET_TEXT = line_break.Layout.set_text
TO_UNITS = line_break.TO_UNITS


def _text_boxes(box: Any) -> Iterator[Any]:
    if isinstance(box, inline.boxes.TextBox):
        yield box
    elif isinstance(box, (inline.boxes.LineBox, inline.boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    """Justify a line: by its spaces when it has some, else between its characters."""
    if inline.count_expandable_spaces(line):
        return _ORIGINAL_JUSTIFY(context, line, extra_width)
    boxes = list(_text_boxes(line))
    count = sum(len(box.text) for box in boxes)
    if count < 2 or extra_width <= 0 or extra_width / count > MAX_SPACING_EM * boxes[0].style["font_size"]:
        return None
    _spread(context, line, extra_width / count, 0)
    return None


def _spread(context: Any, box: Any, spacing: float, x_advance: float) -> float:
    """Add `spacing` after every character of the text boxes in `box`, shifting what follows."""
    if isinstance(box, inline.boxes.TextBox):
        box.position_x += x_advance
        if box.text:
            layout = line_break.create_layout(box.text, box.style, context, max_width=None,
                                              justification_spacing=0)
            layout.letter_justification = spacing
            layout.deactivate()
            extra = spacing * len(box.text)
            box.width += extra
            box.pango_layout = layout
            x_advance += extra
    elif isinstance(box, (inline.boxes.LineBox, inline.boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, spacing, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


def _set_text(self: Any, text: str, justify: bool = False) -> None:
    """Lay out the text; when drawing a justified Chinese line, add its inter-character spacing."""
    _ORIGINAL_SET_TEXT(self, text, justify)
    spacing = getattr(self, "letter_justification", 0)
    if not (justify and spacing and self.text):
        return
    letter_spacing = self.style["letter_spacing"]
    letter_spacing = 0 if letter_spacing == "normal" else letter_spacing
    attr_list = pango.pango_layout_get_attributes(self.layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    attr = pango.pango_attr_letter_spacing_new(int((letter_spacing + spacing) * TO_UNITS))
    attr.start_index, attr.end_index = 0, len(self.text.encode())
    pango.pango_attr_list_change(attr_list, attr)
    pango.pango_layout_set_attributes(self.layout, attr_list)


def install() -> None:
    """Patch WeasyPrint's line justification (idempotent; docgen.bootstrap calls it)."""
    inline.justify_line = justify_line
    line_break.Layout.set_text = _set_text


def installed() -> bool:
    """Tell whether WeasyPrint justifies Chinese lines between characters in this process."""
    return inline.justify_line is justify_line
