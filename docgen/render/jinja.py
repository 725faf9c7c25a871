"""The sandboxed Jinja environments shared by the DOCX and HTML templates, with docgen's filters."""
from __future__ import annotations

from pathlib import Path

import re

from jinja2 import FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen import rules


def _register_filters(env) -> None:
    # the same filters in both template sets, so DOCX and PDF print the same thing
    env.filters["cn_date"] = lambda d: rules.cn_date(d) if d else ""
    env.filters["or_none"] = lambda v: rules.or_none(v)
    env.filters["mask_id"] = lambda v: rules.mask_id_number(v)


def _ruled_blanks(text: str) -> Markup:
    """Draw a run of underscores (a place to write by hand) as one ruled line; the text stays the same."""
    return Markup(re.sub(r"_{3,}", lambda m: f'<span class="blank">{m.group(0)}</span>', str(escape(text))))


def docx_env() -> ImmutableSandboxedEnvironment:
    """Return the environment docxtpl renders with (docxtpl turns autoescaping on itself)."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    _register_filters(env)
    return env


def html_env(templates_dir: Path) -> ImmutableSandboxedEnvironment:
    """Return the environment for templates/<slug>/document.html, autoescaping HTML."""
    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(templates_dir)), autoescape=True,
                                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    _register_filters(env)
    env.filters["ruled"] = _ruled_blanks  # Word draws underscores as a line already; HTML fonts do not
    return env
