"""The staff web page at `/`: fill, preview and download documents, batches and verification, all offline."""
from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from flask import Blueprint, render_template

from docgen.errors import MESSAGES

_FILES = resources.files("docgen.web")
bp = Blueprint("web", __name__, template_folder=str(_FILES / "templates"),
               static_folder=str(_FILES / "static"), static_url_path="/static/web")

# the page loads nothing from elsewhere: an intranet without internet access gets the whole page
_CSP = ("default-src 'self'; img-src 'self' data: blob:; frame-src 'self' blob:; object-src 'self' blob:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


@cache
def _version(name: str) -> str:
    """Return a short hash of a static file, so that browsers fetch it again after an upgrade."""
    return hashlib.sha256((_FILES / "static" / name).read_bytes()).hexdigest()[:10]


@bp.get("/")
def index() -> tuple[str, int, dict[str, str]]:
    # the browser checks what it can with the API's own message templates (docgen.errors), so that an
    # error reads the same whether the page or the API found it
    html = render_template("index.html", messages=MESSAGES, version=_version)
    return html, 200, {"Content-Security-Policy": _CSP}
