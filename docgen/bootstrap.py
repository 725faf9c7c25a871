"""Process start-up: the one place that patches WeasyPrint and pydyf, points fontconfig at the fonts folder and
shares the metrics between processes. Every entry point calls bootstrap(); importing docgen changes nothing."""
from __future__ import annotations

import os
import threading
from importlib.metadata import version
from pathlib import Path

from docgen import metrics
from docgen.render import fonts, justify, pdf, subsets

# the versions whose internals the patches replace: justify.py (inline.justify_line, Layout.set_text),
# subsets.py (pdf/fonts.py) and pdf.py (pydyf calls zlib.compressobj(level=9) and zlib.compress)
SUPPORTED = {"weasyprint": ("70.",), "pydyf": ("0.13.",)}
_lock = threading.Lock()
_patched = False


class UnsupportedVersion(RuntimeError):
    """A library docgen patches is at a version whose internals it does not know."""


def check_versions(found: dict[str, str] | None = None) -> None:
    """Raise UnsupportedVersion naming the package, the version found and those supported, if any differs."""
    for package, supported in SUPPORTED.items():
        have = (found or {}).get(package) or version(package)
        if not have.startswith(supported):
            raise UnsupportedVersion(
                f"docgen patches {package} {' or '.join(v + 'x' for v in supported)}, but {package} {have} is "
                f"installed: install a supported version (pip install '{package}=={supported[0]}*')")


def bootstrap(fonts_dir: Path | str = fonts.DEFAULT_FONTS_DIR, *, share_metrics: bool = False) -> None:
    """Prepare this process to render: check and patch WeasyPrint and pydyf once, use `fonts_dir` (its
    fonts.conf, for fontconfig and the measurer), and with `share_metrics` count into files every process
    of `docgen serve` shares. Idempotent: call it from every entry point."""
    global _patched
    with _lock:
        if not _patched:
            check_versions()
            justify.install()       # Chinese lines justified between characters (WeasyPrint stretches only spaces)
            subsets.install()       # font subsets cached and renumbered
            pdf.install_deflate()   # pydyf's streams deflated at docgen's level
            _patched = True
        conf = fonts.use_fonts_dir(fonts_dir)
        if os.environ.get("FONTCONFIG_FILE") != str(conf):
            os.environ["FONTCONFIG_FILE"] = str(conf)   # WeasyPrint's fontconfig reads it when it loads fonts
    if share_metrics:
        metrics.share_between_processes()
