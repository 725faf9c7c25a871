"""The sandboxed Jinja environments shared by the DOCX and HTML templates, with docgen's filters."""
from __future__ import annotations

from pathlib import Path

import re
from functools import lru_cache

from jinja2 import FileSystemLoader, StrictUndefined
from docxtpl import RichText
from markupsafe import Markup, escape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen import rules


def _register_filters(env) -> None:
    # the same filters in both template sets, so DOCX and PDF print the same thing
    env.filters["cn_date"] = lambda d: rules.cn_date(d) if d else ""
    env.filters["or_none"] = lambda v: rules.or_none(v)
    env.filters["mask_id"] = lambda v: rules.mask_id_number(v)


BLANK_RUN = re.compile(r"(_{3,})")


def _ruled_html(text: str) -> Markup:
    """Draw a run of underscores (a place to write by hand) as one ruled line; the text stays the same."""
    return Markup(BLANK_RUN.sub(lambda m: f'<span class="blank">{m.group(0)}</span>', str(escape(text))))


def _ruled_docx(text: str) -> RichText:
    """Draw a run of underscores as underlined spaces: fonts draw underscores as dashes, Word's underline is solid."""
    rich = RichText()
    for i, part in enumerate(BLANK_RUN.split(str(text))):
        if i % 2:
            rich.add("\u00a0" * len(part) * 2, underline=True)  # no-break spaces: not trimmed at line end
        elif part:
            rich.add(part)
    return rich


class _CompiledOnce(ImmutableSandboxedEnvironment):
    """docxtpl compiles each XML part with from_string on every render; the parts of a template never change."""

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 — jinja's signature
        if globals is None and template_class is None:
            return self._compiled(source)
        return super().from_string(source, globals, template_class)

    @lru_cache(maxsize=512)
    def _compiled(self, source):
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
