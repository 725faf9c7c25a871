"""The sandboxed Jinja environments shared by the DOCX and HTML templates, with docgen's filters."""
from __future__ import annotations

from pathlib import Path

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from docxtpl import RichText
from markupsafe import Markup, escape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen import rules
from docgen.render import fonts
from docgen.render.measure import TWIPS_PER_PT


def _register_filters(env: Any) -> None:
    # the same filters in both template sets, so DOCX and PDF print the same thing
    env.globals["signoff"] = signoff
    env.filters["cn_date"] = lambda d: rules.cn_date(d) if d else ""
    env.filters["or_none"] = lambda v: rules.or_none(v)
    env.filters["mask_id"] = lambda v: rules.mask_id_number(v)


BLANK_RUN = re.compile(r"(_{3,})")
BODY_FACE, BODY_PT, LINE_EMS = "仿宋_GB2312", 16, 28   # GB/T 9704 §5.2.3: 3号仿宋, 28 characters a line
DATE_RIGHT_EMS = 4    # §7.3.5.1: 成文日期右空四字


def signoff(signatures: Iterable[str], date: str) -> list[dict]:
    """Place the sign-off lines as GB/T 9704-2012 §7.3.5.1 does for a sealed document: the 成文日期 four
    characters in from the right, each 署名 line centred over it; a line too long to centre there is set
    flush right (at most a full line, wrapping beyond it). Returns [{text, right (em), twips}], date last."""
    face = fonts.face(BODY_FACE)
    date_ems = face.ems(str(date))
    centre = DATE_RIGHT_EMS + date_ems / 2       # from the right edge

    def width(line: str) -> float:   # a blank is drawn half an em per underscore (gbt9704.css .blank)
        return face.ems(BLANK_RUN.sub("", line)) + sum(len(b) for b in BLANK_RUN.findall(line)) / 2

    def least(line: str) -> float:   # a blank's last underscore is drawn 0.28 em past its advance
        return 0.3 if BLANK_RUN.search(line[-3:]) else 0.0

    out = []
    for line in [*signatures, date]:
        text = str(line)
        right = DATE_RIGHT_EMS if line is date else max(least(text), centre - min(width(text), LINE_EMS) / 2)
        out.append({"text": line, "right": round(right, 2), "twips": round(right * BODY_PT * TWIPS_PER_PT)})
    return out
# never broken across lines (禁则): dates, ID numbers (masked too), and the person's name (context
# `keep_together`); the last TAIL characters of a text go together so no line holds one character alone
KEEP = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|(?:身份证号(?:码)?[：:]?)?\d{6}[\d*]{8}\d{3}[\dXx]")
TAIL = 4


def segments(text: str, names: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Split a text into ("text" | "keep" | "blank", part): what may break, what must not, blanks to rule."""
    text = str(text)
    spans = [m.span() for m in KEEP.finditer(text)]
    for name in names:
        if name and len(name) > 1:
            spans += [m.span() for m in re.finditer(re.escape(name), text)]
    blanks = [m.span() for m in BLANK_RUN.finditer(text)]
    if len(text) >= 2 * TAIL and not any(end > len(text) - TAIL for _, end in blanks):
        spans.append((len(text) - TAIL, len(text)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if any(b_start < end and start < b_end for b_start, b_end in blanks):
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    marks = sorted([(s, e, "keep") for s, e in merged] + [(s, e, "blank") for s, e in blanks])
    out, at = [], 0
    for start, end, kind in marks:
        if start > at:
            out.append(("text", text[at:start]))
        out.append((kind, text[start:end]))
        at = end
    if at < len(text):
        out.append(("text", text[at:]))
    return out


@pass_context
def _ruled_html(context: Any, text: str) -> Markup:
    """Escape a text for HTML: blanks (underscores, a place to write by hand) as one ruled line, what
    must not break in a no-wrap span; the text stays the same."""
    html = {"text": lambda part: str(escape(part)),
            "keep": lambda part: f'<span class="keep">{escape(part)}</span>',
            "blank": lambda part: f'<span class="blank">{part}</span>'}
    return Markup("".join(html[kind](part) for kind, part in segments(text, context.get("keep_together", ()))))


def _ruled_docx(text: str) -> RichText:
    """Draw a run of underscores as underlined spaces: fonts draw underscores as dashes, Word's underline is
    solid. (Word and LibreOffice break Chinese between any two characters whatever joins them — U+2060,
    U+FEFF and U+200D were tried in LibreOffice — so a DOCX cannot keep a name together; its settings
    keep “·” off both ends of a line.)"""
    rich = RichText()
    for kind, part in segments(text):
        if kind == "blank":
            rich.add("\u00a0" * len(part) * 2, underline=True)  # no-break spaces: not trimmed at line end
        else:
            rich.add(part)
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
    return env


def html_env(templates_dir: Path) -> ImmutableSandboxedEnvironment:
    """Return the environment for templates/<slug>/document.html, autoescaping HTML."""
    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(templates_dir)), autoescape=True,
                                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    _register_filters(env)
    env.filters["ruled"] = _ruled_html
    return env
