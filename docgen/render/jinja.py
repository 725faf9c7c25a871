"""The sandboxed Jinja environments shared by the DOCX and HTML templates, with docgen's filters."""
from __future__ import annotations

from pathlib import Path

import math
import re
from xml.sax.saxutils import escape as xml_escape
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from docxtpl import RichText
from markupsafe import Markup, escape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen import rules
from docgen.render import fonts, lines
from docgen.render.lines import BODY_FACE, BODY_PT, segments
from docgen.render.lines import MEASURE_EMS as LINE_EMS
from docgen.render.measure import TWIPS_PER_PT


def _register_filters(env: Any) -> None:
    # the same filters in both template sets, so DOCX and PDF print the same thing
    env.globals["signoff"] = signoff
    env.filters["cn_date"] = lambda d: rules.cn_date(d) if d else ""
    env.filters["or_none"] = lambda v: rules.or_none(v)
    env.filters["mask_id"] = lambda v: rules.mask_id_number(v)


def _names(context: Any) -> Iterable[str]:
    names: Iterable[str] = context.get("keep_together", ())
    return names


_BLANK_SPLIT = re.compile(f"({lines.BLANK.pattern})")   # text, blank, text, … of a line
DATE_RIGHT_EMS = 4    # §7.3.5.1: 成文日期右空四字


def signoff(signatures: Iterable[str], date: str) -> list[dict]:
    """Place the sign-off lines as GB/T 9704-2012 §7.3.5.1 does for a sealed document: the 成文日期 four
    characters in from the right, each 署名 line centred over it; a line too long to centre there is set
    flush right, one longer than a line broken by docgen's line breaker (the same lines in the PDF and the
    DOCX). Returns [{text, right (em, the PDF's), twips (the DOCX's)}], date last."""
    measure = lines.Measure(fonts.face(BODY_FACE), LINE_EMS, LINE_EMS)
    placed = [(piece, False) for line in signatures for piece in lines.break_lines(str(line), measure)]
    return [{"text": text, "right": round(_right_ems(PDF_DRAWN, text, str(date), is_date), 2),
             "twips": round(_right_ems(DOCX_DRAWN, text, str(date), is_date) * BODY_PT * TWIPS_PER_PT)}
            for text, is_date in [*placed, (str(date), True)]]


def _right_ems(drawn: lines.Drawn, text: str, date: str, is_date: bool) -> float:
    """Return how far (em) a sign-off line's aligned advance stands in from the right edge as a format draws it
    (its blanks as `drawn` says): what it prints centred over the date's, the date DATE_RIGHT_EMS in, all of it
    inside the edge (a tail that ends the line too)."""
    tail, printed_right = drawn.tail_pt(text) / BODY_PT, float(DATE_RIGHT_EMS)
    if not is_date:
        centre = DATE_RIGHT_EMS + drawn.natural_pt(date) / BODY_PT / 2
        printed_right = centre - min(drawn.natural_pt(text) / BODY_PT - tail, LINE_EMS) / 2
    return max(printed_right, tail, 0.0) - tail


@pass_context
def _ruled_html(context: Any, text: str) -> Markup:
    """Escape a text for HTML: blanks (underscores, a place to write by hand) as one ruled line, what
    must not break in a no-wrap span; the text stays the same."""
    html = {"text": lambda part: str(escape(part)),
            "keep": lambda part: f'<span class="keep">{escape(part)}</span>',
            "blank": lambda part: f'<span class="blank">{part}</span>'}
    return Markup("".join(html[kind](part) for kind, part in segments(text, _names(context))))


_DOT = re.compile(r"([^\s·]·)")


def _kinsoku_html(text: str) -> Markup:
    """Escape free text set by WeasyPrint in a cell or box (主要业绩, 姓名), keeping each “·” on the line of the
    character before it: GB/T 15834, no line starts with “·” (Pango breaks before it beside Chinese)."""
    parts = _DOT.split(str(text))
    return Markup("".join(f'<span class="keep">{escape(part)}</span>' if i % 2 else str(escape(part))
                          for i, part in enumerate(parts)))


# how WeasyPrint draws a letter: gbt9704.css letter-spacing -0.2pt; a blank's underscore at 0.778 − 0.278 em
PDF_DRAWN = lines.Drawn(base_spacing_pt=-0.2, blank_pt=0.5 * lines.BODY_PT,
                        blank_tail_pt=lines.BLANK_TAIL_EMS * lines.BODY_PT)


@pass_context
def _lines_html(context: Any, text: str, indent: float = lines.INDENT_EMS, label: str = "") -> Markup:
    """Set a letter paragraph in docgen's lines (docgen.render.lines): each line but the last ends in <br> and
    is filled to the measure by its letter spacing; nothing wraps. A 黑体 label (基本信息：) opens the first line."""
    out = []
    for line in lines.set_lines(text, PDF_DRAWN, names=_names(context), indent_ems=indent, label=label):
        html = "".join(f'<span class="blank">{part}</span>' if i % 2 else str(escape(part))
                       for i, part in enumerate(_BLANK_SPLIT.split(line.text)))
        out.append(html if line.spacing is None else
                   f'<span class="ln" style="letter-spacing: {line.spacing:.3f}pt">{html}</span>')
    lead = f'<span class="label">{escape(label)}</span>' if label else ""
    return Markup(f'<span class="lines">{lead}' + "<br>".join(out) + "</span>")


def _ruled_docx(text: str, pt: float | None = None) -> RichText:
    """Draw a run of underscores as underlined spaces: fonts draw underscores as dashes, Word's underline is
    solid. (Word and LibreOffice break Chinese between any two characters whatever joins them — U+2060,
    U+FEFF and U+200D were tried in LibreOffice — so outside the letters' paragraphs, set in docgen's own lines
    by `lines`, a DOCX cannot keep a name together; its settings keep “·” off both ends of a line.) `pt`: a size
    other than the paragraph style's (the roster's unit line, shrunk to stay one line as in the PDF)."""
    rich = RichText()
    size = round(pt * 2) if pt else None   # half-points
    for i, part in enumerate(_BLANK_SPLIT.split(str(text))):
        if i % 2:
            rich.add(_docx_blank(part), underline=True, size=size)
        elif part:
            rich.add(part, size=size)
    return rich


NBSP_EMS = 0.334   # a no-break space of the body face, never condensed (LibreOffice ignores w:spacing on spaces)


def _docx_blank(blank: str) -> str:
    """Return a blank's underscores as the no-break spaces Word underlines (fonts draw underscores as dashes; no-break
    spaces are not trimmed at a line's end): three for two, the PDF's half an em an underscore."""
    return "\u00a0" * (len(blank) * 3 // 2)


# how Word and LibreOffice draw it: Normal condensed by 0.25 pt (docx_builder._condensed); a blank as _docx_blank's
# spaces, the last of a line hung past the edge by LibreOffice
DOCX_DRAWN = lines.Drawn(base_spacing_pt=-0.25, blank_pt=1.5 * NBSP_EMS * lines.BODY_PT,
                         autospace_pt=lines.AUTOSPACE_EMS * lines.BODY_PT, slack_pt=1.0, portions=True,
                         hung_pt=NBSP_EMS * lines.BODY_PT)


def _run(text: str, twips: int | None, underline: bool = False) -> str:
    """Return a Word run of text with its character spacing (twips; None: the style's) and underline."""
    props = ("" if twips is None else f'<w:spacing w:val="{twips}"/>') + ('<w:u w:val="single"/>' if underline else "")
    return (f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}"
            f'<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>')


def _line_runs(line: lines.Line) -> str:
    """Return the runs of one set line: its text at the line's spacing in whole twips (rounded down: narrower),
    its blanks underlined."""
    twips = None if line.spacing is None else math.floor(line.spacing * TWIPS_PER_PT)
    return "".join(_run(_docx_blank(part), None, underline=True) if i % 2 else _run(part, twips)
                   for i, part in enumerate(_BLANK_SPLIT.split(line.text)) if part)


@pass_context
def _lines_docx(context: Any, text: str, indent: float = lines.INDENT_EMS, label: str = "") -> RichText:
    """Set a letter paragraph in docgen's lines (docgen.render.lines), the same as the PDF: each line but the last
    ends in a line break and is filled to the measure by character spacing. A 黑体 label opens the first line."""
    rich = RichText()
    if label:
        rich.add(label, style="Label")
    set_lines = lines.set_lines(text, DOCX_DRAWN, names=_names(context), indent_ems=indent, label=label)
    rich.xml += "<w:r><w:br/></w:r>".join(_line_runs(line) for line in set_lines)
    return rich


class _CompiledOnce(ImmutableSandboxedEnvironment):
    """docxtpl compiles each XML part with from_string on every render; the parts of a template never change."""

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002 — jinja's signature
        if globals is None and template_class is None:
            return self._compiled(source)
        return super().from_string(source, globals, template_class)

    @lru_cache(maxsize=512)
    def _compiled(self, source: str) -> Any:
        return super().from_string(source)


def docx_env() -> ImmutableSandboxedEnvironment:
    """Return the environment docxtpl renders with (docxtpl turns autoescaping on itself)."""
    env = _CompiledOnce(undefined=StrictUndefined, autoescape=True)
    _register_filters(env)
    env.filters["ruled"] = _ruled_docx  # used as {{r line|ruled }}
    env.filters["lines"] = _lines_docx  # {{r paragraph|lines }}
    return env


def html_env(templates_dir: Path) -> ImmutableSandboxedEnvironment:
    """Return the environment for templates/<slug>/document.html, autoescaping HTML."""
    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(templates_dir)), autoescape=True,
                                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    _register_filters(env)
    env.filters["ruled"] = _ruled_html
    env.filters["lines"] = _lines_html
    env.filters["kinsoku"] = _kinsoku_html
    return env
